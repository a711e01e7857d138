//! Stage 3: a new group, an existing group, or none ("floating" contacts).

use leptos::prelude::*;

use super::{plural, thousands, Wizard};
use crate::import::wizard::{free_group_name, group_name_of_file, GroupChoice};
use crate::import::MAX_GROUP_NAME;

#[component]
pub fn GroupStage() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    // Each option keeps what was typed or picked while another is selected.
    let new_name = RwSignal::new(match w.group.get_untracked() {
        GroupChoice::New(n) => n,
        _ => String::new(),
    });
    let existing = RwSignal::new(match w.group.get_untracked() {
        GroupChoice::Existing(id) => id,
        _ => None,
    });
    if new_name.get_untracked().is_empty() {
        if let Some(s) = w.source.get_untracked() {
            new_name.set(group_name_of_file(&s.name));
        }
    }
    if let GroupChoice::New(_) = w.group.get_untracked() {
        w.group.set(GroupChoice::New(new_name.get_untracked()));
    }
    // The suggested name steps aside ("customers 2") when a group has it,
    // until the user types their own.
    let typed = RwSignal::new(false);
    Effect::new(move || {
        let Some(Ok(groups)) = w.groups.get() else {
            return;
        };
        if typed.get_untracked() {
            return;
        }
        let names: Vec<String> = groups.iter().map(|g| g.name.clone()).collect();
        if let Some(free) = free_group_name(&new_name.get_untracked(), &names) {
            new_name.set(free.clone());
            if let GroupChoice::New(_) = w.group.get_untracked() {
                w.group.set(GroupChoice::New(free));
            }
        }
    });
    let kind = move || match w.group.get() {
        GroupChoice::New(_) => "new",
        GroupChoice::Existing(_) => "existing",
        GroupChoice::None => "none",
    };
    let contacts = move || w.preview.get().map(|p| p.0.contacts).unwrap_or(0);
    view! {
        <div class="card group-choice">
            <h2 class="group-choice__title">
                {move || format!("Where should the {} contact{} go?", thousands(contacts()), plural(contacts()))}
            </h2>
            <label class="group-choice__option" class:group-choice__option--active=move || kind() == "new">
                <input type="radio" name="group" data-testid="group-new"
                    prop:checked=move || kind() == "new"
                    on:change=move |_| w.group.set(GroupChoice::New(new_name.get_untracked())) />
                <span class="group-choice__label">
                    <strong>"A new group"</strong>
                    <input class="input" placeholder="Group name" maxlength=MAX_GROUP_NAME data-testid="group-new-name"
                        prop:value=move || new_name.get()
                        on:focus=move |_| w.group.set(GroupChoice::New(new_name.get_untracked()))
                        on:input=move |ev| {
                            typed.set(true);
                            new_name.set(event_target_value(&ev));
                            w.group.set(GroupChoice::New(new_name.get_untracked()));
                        } />
                </span>
            </label>
            <label class="group-choice__option" class:group-choice__option--active=move || kind() == "existing">
                <input type="radio" name="group" data-testid="group-existing"
                    prop:checked=move || kind() == "existing"
                    on:change=move |_| w.group.set(GroupChoice::Existing(existing.get_untracked())) />
                <span class="group-choice__label">
                    <strong>"An existing group"</strong>
                    <Transition fallback=|| view! { <span class="muted">"Loading groups…"</span> }>
                        {move || Suspend::new(async move {
                            let groups = w.groups.await.unwrap_or_default();
                            if groups.is_empty() {
                                return view! { <span class="muted">"You have no groups yet."</span> }.into_any();
                            }
                            view! {
                                <select class="input" data-testid="group-existing-select"
                                    on:focus=move |_| w.group.set(GroupChoice::Existing(existing.get_untracked()))
                                    on:change=move |ev| {
                                        let id = event_target_value(&ev).parse::<i64>().ok();
                                        existing.set(id);
                                        w.group.set(GroupChoice::Existing(id));
                                    }>
                                    <option value="" selected=move || existing.get().is_none()>"Choose a group…"</option>
                                    {groups.into_iter().map(|g| {
                                        let id = g.id;
                                        view! {
                                            <option value=id.to_string() selected=move || existing.get() == Some(id)>
                                                {format!("{} ({} contact{})", g.name, thousands(g.member_count as usize), plural(g.member_count as usize))}
                                            </option>
                                        }
                                    }).collect_view()}
                                </select>
                            }.into_any()
                        })}
                    </Transition>
                </span>
            </label>
            <label class="group-choice__option" class:group-choice__option--active=move || kind() == "none">
                <input type="radio" name="group" data-testid="group-none"
                    prop:checked=move || kind() == "none"
                    on:change=move |_| w.group.set(GroupChoice::None) />
                <span class="group-choice__label">
                    <strong>"No group"</strong>
                    <span class="muted">"The contacts stay “floating”: in your contacts, in no group. Contacts that already exist keep their groups."</span>
                </span>
            </label>
        </div>
    }
}
