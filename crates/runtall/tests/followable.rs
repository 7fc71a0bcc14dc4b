//! A plan a runner follows, from the command line: exercise drawings, breathing sessions, reminders, and the rough
//! edges found trying it as a new user (80 columns, JSON errors, wording).

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_runtall");

fn runtall(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("RUNTALL_DB")
        .env("COLUMNS", "80")
        .output()
        .expect("run runtall")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn an_exercise_shows_its_drawing_and_what_to_feel_and_writes_the_svg() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("r.db");
    let out = runtall(&db, &["exercises", "prone-y"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.chars().filter(|c| ('\u{2801}'..='\u{28ff}').contains(c)).count() > 20, "a braille drawing: {text}");
    assert!(text.contains("What you should feel:"), "{text}");
    assert!(text.contains("shoulder blades"), "{text}");
    let svg = dir.path().join("y.svg");
    let out = runtall(&db, &["exercises", "prone-y", "--svg", svg.to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = std::fs::read_to_string(&svg).expect("svg written");
    assert!(written.starts_with("<svg") && written.contains("Prone Y raise"), "{written}");
    let out = runtall(&db, &["exercises", "--svg", "x.svg"]);
    assert!(!out.status.success(), "--svg needs an exercise");
}
