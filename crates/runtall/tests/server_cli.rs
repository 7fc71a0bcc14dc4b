//! `runtall server` from the command line: the admin commands on a clinic database (the first clinician's
//! one-time code, reset codes, clear refusals), its own default database, and clear errors for a PostgreSQL server
//! it cannot reach. (The server's pages are tested in-process in runtall-web.)

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_runtall");

fn runtall(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .env_remove("RUNTALL_DB")
        .env_remove("DATABASE_URL")
        .env_remove("RUNTALL_OWNER_URL")
        .output()
        .expect("run runtall")
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn admin_commands_make_the_first_clinician_and_reset_codes_in_clinic_db() {
    let dir = tempfile::tempdir().expect("dir");
    let made =
        runtall(dir.path(), &["server", "admin", "add-clinician", "--email", "pat@example.org", "--name", "Pat"]);
    let (out, err) = text(&made);
    assert!(made.status.success(), "{out}{err}");
    assert!(dir.path().join("clinic.db").exists(), "the clinic's own database, not the runner's journal");
    let code = out.split_whitespace().find(|w| w.len() == 64 && w.bytes().all(|b| b.is_ascii_hexdigit()));
    let code = code.unwrap_or_else(|| panic!("a one-time code is printed: {out}"));
    assert!(out.contains(&format!("/reset?code={code}")), "with where to use it: {out}");

    let again = runtall(dir.path(), &["server", "admin", "add-clinician", "--email", "PAT@example.org", "--name", "P"]);
    let (out, err) = text(&again);
    assert!(!again.status.success() && err.contains("already exists"), "{out}{err}");
    let bad = runtall(dir.path(), &["server", "admin", "add-clinician", "--email", "not-an-email", "--name", "X"]);
    assert!(!bad.status.success() && text(&bad).1.contains("email address"), "{:?}", text(&bad));

    let reset = runtall(dir.path(), &["--json", "server", "admin", "reset", "--email", "pat@example.org"]);
    let (out, err) = text(&reset);
    assert!(reset.status.success(), "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(json["email"], "pat@example.org");
    assert_ne!(json["code"].as_str().expect("code"), code, "a new code each time");
    let missing = runtall(dir.path(), &["server", "admin", "reset", "--email", "nobody@example.org"]);
    assert!(!missing.status.success() && text(&missing).1.contains("no account has the email"));

    // --db names another file.
    let other = runtall(
        dir.path(),
        &["--db", "other.db", "server", "admin", "add-clinician", "--email", "k@x.org", "--name", "K"],
    );
    assert!(other.status.success(), "{:?}", text(&other));
    assert!(dir.path().join("other.db").exists());
}

#[test]
fn an_unreachable_postgresql_server_is_named_without_its_password() {
    let dir = tempfile::tempdir().expect("dir");
    let url = "postgresql://runtall_app:s3cret@127.0.0.1:1/runtall";
    let out = runtall(dir.path(), &["server", "--database-url", url, "admin", "reset", "--email", "a@b.org"]);
    let (_, err) = text(&out);
    assert!(!out.status.success());
    assert!(err.contains("127.0.0.1:1/runtall") && !err.contains("s3cret"), "{err}");
    let migrate = runtall(dir.path(), &["server", "migrate", "--owner-url", url]);
    let (_, err) = text(&migrate);
    assert!(!migrate.status.success() && !err.contains("s3cret"), "{err}");
}
