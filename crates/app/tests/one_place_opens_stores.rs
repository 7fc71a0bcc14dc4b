//! The front ends get their store from `runtall_app::open_local` / `connect_local` only: if a CLI command or a web
//! handler opened the database itself, what happens on open (migrations, finishing an interrupted label pass) could
//! drift between them again. Their tests may build stores; their code may not.

use std::path::{Path, PathBuf};

const FRONT_ENDS: [&str; 4] = ["cli", "web", "companion", "tui"];
const MAKERS: [&str; 4] =
    ["SqliteStore::open", "SqliteStore::in_memory", "SqliteDatabase::open", "SqliteDatabase::in_memory"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_front_end_source_opens_a_store_itself() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for front in FRONT_ENDS {
        rust_files(&crates.join(front).join("src"), &mut files);
    }
    assert!(files.len() > 20, "the front ends' sources were found ({} files)", files.len());
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read source");
        // Unit tests at the bottom of a module may make their own stores.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in code.lines().enumerate() {
            if MAKERS.iter().any(|m| line.contains(m)) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "open stores through runtall_app::open_local instead:\n{}", found.join("\n"));
}
