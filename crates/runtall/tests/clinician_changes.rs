//! A clinician's program changes in the terminal: the note on `runtall status` and `runtall plan --for-run`, the
//! dose in the run day's routine, and the plan's "Changed by your clinician" section.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use runtall_domain::clinic::{Change, DoseChange, ProgramChange};
use runtall_store::{SqliteDatabase, Store};

const BIN: &str = env!("CARGO_BIN_EXE_runtall");

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

fn runtall(db: &Path, args: &[&str]) -> Output {
    let out = Command::new(BIN).arg("--db").arg(db).args(args).env_remove("RUNTALL_DB").output().expect("run");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_clinicians_note_and_dose_show_in_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("r.db");
    let clear = repo("examples/screen-clear.toml");
    let answers = repo("examples/assessment.toml");
    runtall(&db, &["screen", "--answers", clear.to_str().expect("path")]);
    runtall(&db, &["assess", "--answers", answers.to_str().expect("path")]);
    assert!(!text(&runtall(&db, &["status"])).contains("Clinician:"));

    let store = SqliteDatabase::open(&db).expect("open").local();
    let at = jiff::Timestamp::now();
    let by = "Ines Ferreira, PT".to_string();
    let note = Change::Note { text: "Easy week before the race".into() };
    store.add_program_change(&ProgramChange { key: "pc-1".into(), at, by: by.clone(), change: note }).expect("note");
    let dose = DoseChange { sets: Some(2), reps: Some(8), ..DoseChange::default() };
    let change = Change::Dose { exercise: "chin-tuck".into(), dose, note: None };
    store.add_program_change(&ProgramChange { key: "pc-2".into(), at, by, change }).expect("dose");

    let status = text(&runtall(&db, &["status"]));
    assert!(status.contains("Clinician:") && status.contains("Easy week before the race"), "{status}");
    let day = text(&runtall(&db, &["plan", "--for-run", "easy"]));
    assert!(day.contains("Chin tuck — 2 × 8, hold 10 s"), "{day}");
    assert!(day.contains("Dose set by Ines Ferreira, PT") && day.contains("Note from Ines Ferreira, PT"), "{day}");
    let plan = text(&runtall(&db, &["plan"]));
    assert!(plan.contains("Changed by your clinician") && plan.contains("Easy week before the race"), "{plan}");
}
