//! Robustness over real spreadsheets nobody on this project wrote
//! (`../shared/corpus/`, see its README): every file either opens (sheets
//! listed, each sheet read, its table found and mapped) or is refused with a
//! typed error — never a panic, and within a time budget per file.
//!
//! Set `CONTACTS_CORPUS` to read another folder.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use app::import::{choose_sheet, plan, read, HeaderChoice, ReadErrorKind, Region};

/// Per file, in an unoptimised test build (the largest files are 4 MiB).
const BUDGET: Duration = Duration::from_secs(20);

/// `CONTACTS_CORPUS`, else `../shared/corpus` beside the checkout, else the
/// machine-wide copy.
fn corpus_dir() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("CONTACTS_CORPUS")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    candidates.push(PathBuf::from("/work/shared/corpus"));
    candidates.into_iter().find(|d| d.is_dir())
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "xls" | "xlsx" | "xlsm" | "xlsb" | "ods" | "csv" | "tsv" | "txt" | "vcf"
            )
        }) {
            out.push(p);
        }
    }
}

#[derive(Debug, Default)]
struct Tally {
    opened: usize,
    sheets: usize,
    rows: usize,
    refused: std::collections::BTreeMap<&'static str, usize>,
}

#[test]
fn every_corpus_file_opens_or_is_refused_with_a_typed_error() {
    let Some(dir) = corpus_dir() else {
        // The corpus is third-party data beside the checkout, not part of
        // the repository: say loudly that this machine lacks it.
        eprintln!(
            "WARNING: spreadsheet corpus not found (set CONTACTS_CORPUS): robustness test skipped"
        );
        return;
    };
    let mut paths = Vec::new();
    files(&dir, &mut paths);
    paths.sort();
    assert!(
        paths.len() > 100,
        "only {} files in {}",
        paths.len(),
        dir.display()
    );
    let mut tally = Tally::default();
    let mut slow = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    for path in &paths {
        let bytes = std::fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let start = Instant::now();
        match read::open(bytes, &name) {
            Ok(mut book) => {
                tally.opened += 1;
                for i in 0..book.sheet_names().len() {
                    match book.read_sheet(i) {
                        Ok(grid) => {
                            tally.sheets += 1;
                            tally.rows += grid.rows.len();
                        }
                        Err(e) => {
                            eprintln!("{name} sheet {i}: {:?}: {}", e.kind, e.message);
                            *tally.refused.entry(e.kind.as_str()).or_default() += 1
                        }
                    }
                }
                if let Ok(chosen) =
                    choose_sheet(&mut book, None, HeaderChoice::Auto, Region::default())
                {
                    plan(&chosen.table, &chosen.mapping, Region::default(), &[]);
                }
            }
            Err(e) => {
                assert!(!e.message.is_empty());
                if e.kind == ReadErrorKind::Corrupt {
                    assert!(e.message.contains("save it again"), "{}", e.message);
                }
                eprintln!("{name}: {:?}: {}", e.kind, e.message);
                *tally.refused.entry(e.kind.as_str()).or_default() += 1;
            }
        }
        let took = start.elapsed();
        if took > slowest.0 {
            slowest = (took, name.clone());
        }
        if took > BUDGET {
            slow.push(format!("{} took {:?}", path.display(), took));
        }
    }
    eprintln!("{} files: {tally:?}; slowest {slowest:?}", paths.len());
    assert!(slow.is_empty(), "over the time budget: {slow:#?}");
    // Most of the corpus is ordinary workbooks: a reader that refused them
    // wholesale would pass the loop above.
    assert!(
        tally.opened * 10 >= paths.len() * 8,
        "only {} of {} files opened",
        tally.opened,
        paths.len()
    );
}
