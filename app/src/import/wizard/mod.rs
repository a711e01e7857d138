//! The import wizard's rules, apart from any screen: the stages and what
//! must hold before Continue at each ([`stages`]), and what the mapping stage
//! shows about the data ([`preview`]).
//!
//! The Leptos pages keep their state in signals and ask these functions;
//! the rules are tested natively here.

mod preview;
mod stages;

pub use preview::*;
pub use stages::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::group::{GroupNameIssue, MAX_GROUP_NAME};
    use crate::import::mapping::ColumnMapping;
    use crate::import::mapping::{Field, Mapping};
    use crate::import::read::GridRow;
    use crate::import::rows::{PlanCounts, RejectReason};
    use crate::import::table::Table;
    use crate::import::validate::Region;

    #[rstest::rstest]
    #[case::back_to_input(
        Stage::Mapping,
        Stage::Input,
        true,
        false,
        AddressMove::Go(Stage::Input)
    )]
    #[case::back_to_mapping(
        Stage::Group,
        Stage::Mapping,
        true,
        false,
        AddressMove::Go(Stage::Mapping)
    )]
    #[case::same(Stage::Group, Stage::Group, true, false, AddressMove::Stay)]
    #[case::forward_is_continues_job(Stage::Input, Stage::Mapping, true, false, AddressMove::Stay)]
    #[case::no_jump_to_summary(Stage::Group, Stage::Summary, true, false, AddressMove::Stay)]
    #[case::reload_on_mapping(Stage::Input, Stage::Mapping, false, false, AddressMove::FileLost)]
    #[case::reload_on_group(Stage::Input, Stage::Group, false, false, AddressMove::FileLost)]
    #[case::reload_on_summary(Stage::Input, Stage::Summary, false, false, AddressMove::Stay)]
    #[case::back_from_a_finished_import_starts_over(
        Stage::Summary,
        Stage::Group,
        true,
        false,
        AddressMove::Go(Stage::Input)
    )]
    #[case::back_from_a_finished_import_without_the_file(
        Stage::Summary,
        Stage::Mapping,
        false,
        false,
        AddressMove::Go(Stage::Input)
    )]
    #[case::never_out_of_a_running_import(
        Stage::Summary,
        Stage::Group,
        true,
        true,
        AddressMove::Stay
    )]
    #[case::never_out_of_a_paused_import(
        Stage::Summary,
        Stage::Input,
        true,
        true,
        AddressMove::Stay
    )]
    fn the_address_moves_the_wizard_back_never_out_of_a_run(
        #[case] current: Stage,
        #[case] asked: Stage,
        #[case] file_loaded: bool,
        #[case] unfinished: bool,
        #[case] expected: AddressMove,
    ) {
        assert_eq!(
            address_move(current, asked, file_loaded, unfinished),
            expected
        );
    }

    #[test]
    fn stages_round_trip_through_the_address() {
        for s in Stage::ALL {
            assert_eq!(Stage::from_param(s.param()), s);
        }
        assert_eq!(Stage::from_param("nonsense"), Stage::Input);
    }

    #[test]
    fn the_proposed_group_name_comes_from_the_file_and_steps_aside_when_taken() {
        assert_eq!(group_name_of_file("customers.xlsx"), "customers");
        assert_eq!(
            group_name_of_file("  leads  march.2026.csv"),
            "leads march.2026"
        );
        assert_eq!(
            group_name_of_file(&"x".repeat(300)).chars().count(),
            MAX_GROUP_NAME
        );
        let existing = ["Customers".to_string(), "customers 2".to_string()];
        assert_eq!(
            free_group_name("customers", &existing).as_deref(),
            Some("customers 3")
        );
        assert_eq!(free_group_name("leads", &existing), None);
        assert_eq!(free_group_name("", &existing), None);
    }

    fn mapping(fields: &[Option<Field>]) -> Mapping {
        Mapping {
            columns: fields
                .iter()
                .enumerate()
                .map(|(index, field)| ColumnMapping {
                    index,
                    header: format!("col{index}"),
                    field: *field,
                    label: String::new(),
                    label_column: None,
                    confidence: 1.0,
                    reason: String::new(),
                    custom: None,
                })
                .collect(),
        }
    }

    fn counts(valid: usize) -> PlanCounts {
        PlanCounts {
            data_rows: valid + 1,
            valid,
            ..Default::default()
        }
    }

    #[test]
    fn stages_run_in_order_and_the_group_stage_is_skipped_for_a_group_column() {
        let plain = mapping(&[Some(Field::FullName), Some(Field::Phone)]);
        let grouped = mapping(&[Some(Field::Phone), Some(Field::Group)]);
        assert_eq!(next_stage(Stage::Input, &plain), Ok(Stage::Mapping));
        assert_eq!(next_stage(Stage::Mapping, &plain), Ok(Stage::Group));
        assert_eq!(next_stage(Stage::Group, &plain), Ok(Stage::Summary));
        assert_eq!(next_stage(Stage::Mapping, &grouped), Ok(Stage::Summary));
        assert_eq!(
            next_stage(Stage::Summary, &plain),
            Err(StageError::Finished)
        );
        assert_eq!(group_column(&grouped), Some("col1"));
        assert_eq!(group_column(&plain), None);
    }

    #[test]
    fn back_goes_one_stage_and_never_leaves_the_summary() {
        let plain = mapping(&[Some(Field::Phone)]);
        assert_eq!(previous_stage(Stage::Mapping, &plain), Some(Stage::Input));
        assert_eq!(previous_stage(Stage::Group, &plain), Some(Stage::Mapping));
        assert_eq!(previous_stage(Stage::Input, &plain), None);
        assert_eq!(previous_stage(Stage::Summary, &plain), None);
    }

    #[test]
    fn input_needs_a_table_with_rows() {
        assert_eq!(check_input(None), Err(StageError::NoData));
        assert_eq!(check_input(Some(0)), Err(StageError::NoDataRows));
        assert_eq!(check_input(Some(1)), Ok(()));
    }

    #[test]
    fn continue_on_mapping_needs_every_column_decided_and_a_detail() {
        let open = mapping(&[None, Some(Field::Phone), None]);
        assert_eq!(
            check_mapping(&open, &counts(3)),
            Err(StageError::Unassigned(2))
        );
        assert!(StageError::Unassigned(2).to_string().contains("2 columns"));
        let mut m = open.clone();
        let _ = m.assign(0, Field::Ignore);
        let _ = m.assign(2, Field::FirstName);
        assert_eq!(check_mapping(&m, &counts(3)), Ok(()));
        assert_eq!(
            check_mapping(&m, &counts(0)),
            Err(StageError::NothingToImport)
        );
        let names_only = mapping(&[Some(Field::FirstName), Some(Field::Ignore)]);
        assert_eq!(
            check_mapping(&names_only, &counts(1)),
            Err(StageError::NoContactDetail)
        );
    }

    #[test]
    fn a_new_group_needs_a_free_name() {
        let existing = vec!["Customers".to_string()];
        let ok = |c: GroupChoice| check_group(&c, &existing);
        assert_eq!(ok(GroupChoice::None), Ok(()));
        assert_eq!(ok(GroupChoice::Existing(Some(3))), Ok(()));
        assert_eq!(
            ok(GroupChoice::Existing(None)),
            Err(StageError::NoGroupPicked)
        );
        assert_eq!(
            ok(GroupChoice::New("  ".into())),
            Err(StageError::GroupName(GroupNameIssue::Empty))
        );
        assert_eq!(
            ok(GroupChoice::New(" customers ".into())),
            Err(StageError::GroupNameTaken("Customers".into()))
        );
        assert_eq!(
            ok(GroupChoice::New("x".repeat(101))),
            Err(StageError::GroupName(GroupNameIssue::TooLong))
        );
        assert_eq!(ok(GroupChoice::New("Suppliers 2026".into())), Ok(()));
    }

    #[test]
    fn stage_numbers_follow_the_order() {
        assert_eq!(Stage::Input.number(), 1);
        assert_eq!(Stage::Summary.number(), 4);
    }

    #[test]
    fn the_preview_flags_cells_rows_and_column_shares() {
        let t = Table {
            header_row: Some(1),
            headers: vec!["Name".into(), "Phone".into(), "Email".into()],
            rows: [
                ["Ann", "07400 123456", "ann@example.com"],
                ["Bob", "12", ""],
                ["Cy", "07400 123457", "not-an-email"],
                ["Di", "", ""],
            ]
            .iter()
            .enumerate()
            .map(|(i, r)| GridRow::new(i as u32 + 2, r.iter()))
            .collect(),
            width: 3,
        };
        let m = crate::import::auto_map(&t.headers, &t.rows, 3, Region::default());
        let mut cache = crate::import::PhoneCache::default();
        let p = preview(&t, &m, Region::default(), &mut cache);
        assert_eq!(cache.len(), 3, "each phone cell parsed once");
        assert_eq!(preview(&t, &m, Region::default(), &mut cache), p);
        assert_eq!(cache.len(), 3, "and not again");
        assert_eq!(p.plan.counts.valid, 2);
        assert!(
            p.problems.cells[&(3, 1)].refused,
            "Bob's phone refuses his row"
        );
        assert!(
            !p.problems.cells[&(4, 2)].refused,
            "Cy's e-mail is dropped, Cy imported"
        );
        assert!(p.problems.rows[&5].refused);
        assert_eq!(p.problems.columns[&1], (3, 1));
        assert_eq!(p.problems.columns[&2], (2, 1));
        assert_eq!(
            p.problems.reasons,
            vec![
                (RejectReason::NoContactDetail, 1),
                (RejectReason::InvalidPhone, 1)
            ]
        );
    }
}
