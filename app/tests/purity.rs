//! The import core (`app/src/import/`) is written as if it were its own
//! crate: no Leptos, no database, no web framework, no browser bindings,
//! and nothing from the rest of the app, so the same code runs in the
//! browser's worker, on the server and on the command line. This test is
//! the compiler's stand-in for a crate boundary.

use std::path::{Path, PathBuf};

/// What the core may not name.
const FORBIDDEN: &[&str] = &[
    "leptos",
    "sea_orm",
    "sea_query",
    "sqlx",
    "axum",
    "tower",
    "web_sys",
    "js_sys",
    "wasm_bindgen",
    "gloo",
    "tokio",
    "crate::db",
    "crate::api",
    "crate::pages",
    "crate::components",
    "crate::model",
    "crate::error",
    "crate::state",
    "crate::browser",
    "crate::security",
    "crate::auth",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the import core's folder") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_import_core_names_no_framework_database_or_other_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/import");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() > 10, "found the core's files: {files:?}");
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a source file");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for word in FORBIDDEN {
                let named = code.match_indices(word).any(|(at, _)| {
                    let before = code[..at].chars().next_back();
                    let after = code[at + word.len()..].chars().next();
                    let boundary =
                        |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
                    boundary(before) && boundary(after)
                });
                if named {
                    found.push(format!("{}:{}: {word}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "the import core must stay pure:\n{}",
        found.join("\n")
    );
}
