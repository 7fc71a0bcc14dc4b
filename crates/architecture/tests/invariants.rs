//! The invariants ARCHITECTURE.md states, checked over the workspace's manifests, `Cargo.lock` and sources.
//!
//! Dependency checks follow the crate graph: a workspace crate's own `[dependencies]` (not dev or build ones,
//! which are never linked into it), then `Cargo.lock` for everything below. The lock file lists every dependency
//! any feature could enable, so the closure is an over-approximation: a check that passes here also holds for the
//! real build.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A workspace crate: where it lives and the crates it links (normal dependencies, any target).
struct Member {
    dir: PathBuf,
    deps: BTreeSet<String>,
    all_deps: BTreeSet<String>,
}

fn dep_names(table: Option<&toml::Value>) -> BTreeSet<String> {
    let Some(t) = table.and_then(|t| t.as_table()) else { return BTreeSet::new() };
    t.iter().map(|(key, v)| v.get("package").and_then(|p| p.as_str()).unwrap_or(key).to_string()).collect()
}

fn members() -> BTreeMap<String, Member> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("crates")).expect("crates/") {
        let dir = entry.expect("entry").path();
        let manifest = dir.join("Cargo.toml");
        if !manifest.exists() {
            continue;
        }
        let m: toml::Table = toml::from_str(&read(&manifest)).expect("Cargo.toml parses");
        let name = m["package"]["name"].as_str().expect("name").to_string();
        let mut deps = dep_names(m.get("dependencies"));
        let mut all_deps = deps.clone();
        all_deps.extend(dep_names(m.get("dev-dependencies")));
        all_deps.extend(dep_names(m.get("build-dependencies")));
        if let Some(targets) = m.get("target").and_then(|t| t.as_table()) {
            for t in targets.values() {
                deps.extend(dep_names(t.get("dependencies")));
                all_deps.extend(dep_names(t.get("dependencies")));
                all_deps.extend(dep_names(t.get("dev-dependencies")));
            }
        }
        out.insert(name, Member { dir, deps, all_deps });
    }
    out
}

/// Every package in `Cargo.lock` with the names of its dependencies (all versions merged).
fn lock() -> BTreeMap<String, BTreeSet<String>> {
    let l: toml::Table = toml::from_str(&read(&root().join("Cargo.lock"))).expect("Cargo.lock parses");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in l["package"].as_array().expect("packages") {
        let name = p["name"].as_str().expect("name").to_string();
        let deps = p.get("dependencies").and_then(|d| d.as_array()).into_iter().flatten();
        let names = deps.filter_map(|d| d.as_str()).map(|d| d.split(' ').next().unwrap_or(d).to_string());
        out.entry(name).or_default().extend(names);
    }
    out
}

/// Everything `krate` links, workspace crates and external ones.
fn closure(krate: &str) -> BTreeSet<String> {
    let (members, lock) = (members(), lock());
    let mut seen = BTreeSet::new();
    let mut todo = vec![krate.to_string()];
    while let Some(c) = todo.pop() {
        let next: Vec<String> = match members.get(&c) {
            Some(m) => m.deps.iter().cloned().collect(),
            None => lock.get(&c).map(|d| d.iter().cloned().collect()).unwrap_or_default(),
        };
        for n in next {
            if seen.insert(n.clone()) {
                todo.push(n);
            }
        }
    }
    seen
}

/// `.rs` files under `dir`, recursively.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(sources(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}

/// Lines of code (comment lines skipped) containing any of `needles`, as `file:line: text`.
fn find(files: &[PathBuf], needles: &[&str], skip: impl Fn(&str) -> bool) -> Vec<String> {
    let mut hits = Vec::new();
    for f in files {
        for (i, line) in read(f).lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") || skip(code) {
                continue;
            }
            if needles.iter().any(|n| code.contains(n)) {
                let shown = f.strip_prefix(root()).unwrap_or(f).display().to_string();
                hits.push(format!("{shown}:{}: {}", i + 1, code));
            }
        }
    }
    hits
}

/// The pure core: what the program is and decides, with no I/O of its own.
const PURE: [&str; 3] = ["runtall-content", "runtall-domain", "runtall-insights"];

/// Libraries that do I/O (network, database, terminal, async runtime, signals, notifications).
const IO_LIBRARIES: [&str; 12] = [
    "tokio",
    "rusqlite",
    "libsqlite3-sys",
    "axum",
    "hyper",
    "reqwest",
    "ureq",
    "ratatui",
    "crossterm",
    "notify-rust",
    "signal-hook",
    "rayon",
];

#[test]
fn the_pure_core_links_no_io_library_and_no_outer_crate() {
    for krate in PURE {
        let linked = closure(krate);
        let io: Vec<&&str> = IO_LIBRARIES.iter().filter(|l| linked.contains(**l)).collect();
        assert!(io.is_empty(), "{krate} links {io:?}");
        let outer: Vec<&String> =
            linked.iter().filter(|c| c.starts_with("runtall-") && !PURE.contains(&c.as_str())).collect();
        assert!(outer.is_empty(), "{krate} links outer workspace crates {outer:?}");
    }
}

#[test]
fn the_pure_core_sources_do_no_io_and_read_no_clock() {
    let members = members();
    let files: Vec<PathBuf> = PURE.iter().flat_map(|k| sources(&members[*k].dir.join("src"))).collect();
    assert!(files.len() > 20, "found only {} source files", files.len());
    let hits = find(
        &files,
        &[
            "std::fs",
            "std::net",
            "std::process",
            "std::env",
            "std::io::stdin",
            "std::io::stdout",
            "println!",
            "eprintln!",
            "File::open",
            "File::create",
            "::now()",
            "TimeZone::system",
        ],
        |_| false,
    );
    assert!(hits.is_empty(), "I/O or a clock read in the pure core:\n{}", hits.join("\n"));
}

#[test]
fn the_session_engine_and_the_web_app_link_no_terminal_library() {
    for krate in ["runtall-companion", "runtall-web"] {
        let linked = closure(krate);
        let term: Vec<&str> = ["ratatui", "crossterm", "notify-rust", "runtall-tui"]
            .into_iter()
            .filter(|l| linked.contains(*l))
            .collect();
        assert!(term.is_empty(), "{krate} links {term:?}");
    }
    // The check above would pass vacuously if the names were wrong: the terminal player does link them.
    let tui = closure("runtall-tui");
    assert!(tui.contains("ratatui") && tui.contains("crossterm") && tui.contains("runtall-companion"));
}

#[test]
fn only_the_store_crates_touch_sql() {
    let is_store = |name: &str| name.starts_with("runtall-store");
    let sql_libraries = ["rusqlite", "libsqlite3-sys", "sqlx", "postgres", "tokio-postgres", "diesel", "sea-orm"];
    let mut files = Vec::new();
    for (name, m) in members() {
        if is_store(&name) {
            continue;
        }
        let direct: Vec<&&str> = sql_libraries.iter().filter(|l| m.all_deps.contains(**l)).collect();
        assert!(direct.is_empty(), "{name} depends on {direct:?} directly");
        for sub in ["src", "tests", "benches", "examples"] {
            files.extend(sources(&m.dir.join(sub)));
        }
    }
    let hits = find(
        &files,
        &["rusqlite", "SELECT ", "INSERT INTO", "INSERT OR", "CREATE TABLE", "DELETE FROM", "PRAGMA ", "UPDATE "],
        // This file names the words it looks for.
        |code| code.contains("\"SELECT \"") || code.contains("\"UPDATE \""),
    );
    let hits: Vec<String> = hits.into_iter().filter(|h| !h.contains("crates/architecture/")).collect();
    assert!(hits.is_empty(), "SQL outside the store crates:\n{}", hits.join("\n"));
    // And the store itself does use SQL, so the scan looks at the right words.
    let store = find(&sources(&members()["runtall-store"].dir.join("src")), &["SELECT "], |_| false);
    assert!(!store.is_empty());
}

#[test]
fn the_safety_gate_is_the_one_place_that_decides_permissions() {
    let decisions = ["Permissions {", "Decision {", "NamedDecision {", "ExerciseDecision {", "RunDecision {"];
    let safety = root().join("crates/domain/src/safety");
    let mut files = Vec::new();
    for m in members().values() {
        files.extend(sources(&m.dir.join("src")).into_iter().filter(|f| !f.starts_with(&safety)));
    }
    // A literal builds a decision; a type name in a signature or a pattern only uses one.
    let hits = find(&files, &decisions, |code| {
        ["struct ", "enum ", "impl", "fn ", "-> ", "=> ", "let "].iter().any(|k| code.contains(k))
            && !code.contains("= Permissions {")
            && !code.contains("= Decision {")
    });
    assert!(hits.is_empty(), "a permission decided outside runtall_domain::safety:\n{}", hits.join("\n"));
    let gates = find(&files, &["pub fn gate("], |_| false);
    assert!(gates.is_empty(), "a second gate: {gates:?}");
    let defined = find(&sources(&safety), &["pub fn gate("], |_| false);
    assert_eq!(defined.len(), 1, "the gate: {defined:?}");
}

#[test]
fn a_dependency_of_several_crates_is_declared_once_for_the_workspace() {
    // name -> crates that declare it without `workspace = true`, and how many crates use it at all.
    let mut by_name: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for (krate, m) in members() {
        let manifest: toml::Table = toml::from_str(&read(&m.dir.join("Cargo.toml"))).expect("Cargo.toml parses");
        let mut tables: Vec<&toml::Value> = ["dependencies", "dev-dependencies", "build-dependencies"]
            .iter()
            .filter_map(|k| manifest.get(*k))
            .collect();
        if let Some(targets) = manifest.get("target").and_then(|t| t.as_table()) {
            for t in targets.values() {
                tables.extend(["dependencies", "dev-dependencies"].iter().filter_map(|k| t.get(*k)));
            }
        }
        for table in tables.iter().filter_map(|t| t.as_table()) {
            for (name, spec) in table {
                let entry = by_name.entry(name.clone()).or_default();
                entry.1.insert(krate.clone());
                if spec.get("workspace").and_then(|w| w.as_bool()) != Some(true) {
                    entry.0.insert(krate.clone());
                }
            }
        }
    }
    let loose: Vec<String> = by_name
        .iter()
        .filter(|(_, (own, users))| users.len() > 1 && !own.is_empty())
        .map(|(name, (own, _))| format!("{name} in {own:?}"))
        .collect();
    assert!(
        loose.is_empty(),
        "declare these in [workspace.dependencies] and use `workspace = true`:\n{}",
        loose.join("\n")
    );
    assert!(by_name.get("serde").is_some_and(|(_, users)| users.len() > 3), "the manifests were read");
}

/// The front ends: argument parsing, pages and terminal screens over `runtall_app`.
const FRONT_ENDS: [&str; 3] = ["runtall-cli", "runtall-web", "runtall-tui"];

/// Verbs that start the name of a `Store` method that changes the journal.
const WRITE_VERBS: [&str; 10] =
    ["add_", "put_", "save_", "set_", "delete_", "mark_", "replace_", "import_", "finish_", "create_"];

/// The write methods of the `Store` and `Database` traits, read from their definitions so a new one is covered.
fn store_write_methods() -> Vec<String> {
    let text = read(&root().join("crates/store/src/lib.rs"));
    let mut out = Vec::new();
    for header in ["pub trait Store {", "pub trait Database {"] {
        let start = text.find(header).unwrap_or_else(|| panic!("{header} in crates/store/src/lib.rs"));
        let body = &text[start..];
        let body = &body[..body.find("\n}").unwrap_or(body.len())];
        for line in body.lines() {
            let Some(rest) = line.trim_start().strip_prefix("fn ") else { continue };
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if WRITE_VERBS.iter().any(|v| name.starts_with(v)) {
                out.push(name);
            }
        }
    }
    out
}

/// A front end's sources without the unit tests at the bottom of a module (tests may build their own fixtures).
fn front_end_code() -> Vec<(PathBuf, String)> {
    let members = members();
    let mut out = Vec::new();
    for krate in FRONT_ENDS {
        for f in sources(&members[krate].dir.join("src")) {
            let text = read(&f);
            let code = text.split("#[cfg(test)]").next().unwrap_or_default().to_string();
            out.push((f, code));
        }
    }
    out
}

/// `file:line: text` for every code line (comments skipped) containing one of `needles`.
fn hits_in(code: &[(PathBuf, String)], needles: &[String]) -> Vec<String> {
    let mut hits = Vec::new();
    for (f, text) in code {
        for (i, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            if !trimmed.starts_with("//") && needles.iter().any(|n| trimmed.contains(n.as_str())) {
                let shown = f.strip_prefix(root()).unwrap_or(f).display().to_string();
                hits.push(format!("{shown}:{}: {trimmed}", i + 1));
            }
        }
    }
    hits
}

#[test]
fn front_ends_write_to_the_journal_only_through_app() {
    let writes = store_write_methods();
    for known in ["add_pain_report", "put_day_log", "save_profile", "delete_activity", "create_athlete"] {
        assert!(writes.iter().any(|w| w == known), "{known} not found among the store's writes: {writes:?}");
    }
    let calls: Vec<String> = writes.iter().map(|w| format!(".{w}(")).collect();
    let code = front_end_code();
    assert!(code.len() > 40, "found only {} front-end source files", code.len());
    let hits = hits_in(&code, &calls);
    assert!(
        hits.is_empty(),
        "a front end writes to the store itself; add or use a runtall_app use case:\n{}",
        hits.join("\n")
    );
    // The scan looks for the right words: the app layer makes exactly these calls.
    let app: Vec<(PathBuf, String)> =
        sources(&members()["runtall-app"].dir.join("src")).into_iter().map(|f| (f.clone(), read(&f))).collect();
    assert!(hits_in(&app, &[".add_pain_report(".to_string()]).len() == 1);
}

#[test]
fn front_ends_open_no_store_themselves() {
    // What happens on open (migrations, finishing an interrupted label pass) lives in `runtall_app::open_local`,
    // `connect_local` and `open_clinic`: a front end opening the database itself would let it drift.
    let makers: Vec<String> = [
        "SqliteStore::open",
        "SqliteStore::in_memory",
        "SqliteDatabase::open",
        "SqliteDatabase::in_memory",
        "PgDatabase::connect",
        "PgDatabase::connect_config",
        "PgDatabase::migrate",
    ]
    .map(String::from)
    .to_vec();
    let hits = hits_in(&front_end_code(), &makers);
    assert!(hits.is_empty(), "open stores through runtall_app::open_local instead:\n{}", hits.join("\n"));
    let app: Vec<(PathBuf, String)> =
        sources(&members()["runtall-app"].dir.join("src")).into_iter().map(|f| (f.clone(), read(&f))).collect();
    assert!(!hits_in(&app, &makers).is_empty(), "the makers' names are wrong: runtall_app opens stores with them");
}
