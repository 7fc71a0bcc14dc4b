#![allow(dead_code)]

use runtall_content::Program;
use runtall_domain::assess::{Assessment, parse_answers};
use runtall_domain::plan::{RoutineView, routine_view};
use runtall_domain::safety::{Permissions, SafetyInputs, gate};
use runtall_domain::screen::{ScreenAnswers, ScreeningRecord};
use std::time::Duration;

pub fn program() -> &'static Program {
    runtall_content::program()
}

/// The demo runner's assessment from `examples/assessment.toml`.
pub fn assessment() -> Assessment {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/assessment.toml");
    let text = std::fs::read_to_string(path).expect("examples/assessment.toml");
    parse_answers("assessment.toml", &text).expect("valid assessment")
}

/// A screen with the given answers yes and every other no.
pub fn screening(yes: &[&str]) -> ScreeningRecord {
    let at = "2026-11-01T08:00:00Z".parse().expect("ts");
    ScreeningRecord::new(program(), ScreenAnswers::yes(program(), yes), at).expect("complete answers")
}

/// What the safety gate allows the demo runner with a clear screen: the full program.
pub fn open() -> Permissions {
    let s = screening(&[]);
    let a = assessment();
    gate(program(), &SafetyInputs { screening: Some(&s), assessment: Some(&a) })
}

/// What the gate allows the demo runner with these screen answers yes.
pub fn with_flags(yes: &[&str]) -> Permissions {
    let s = screening(yes);
    let a = assessment();
    gate(program(), &SafetyInputs { screening: Some(&s), assessment: Some(&a) })
}

/// A routine as the demo runner does it.
pub fn view(id: &str) -> RoutineView {
    let p = program();
    let r = p.routine(id).unwrap_or_else(|| panic!("routine {id}"));
    routine_view(p, r, &open())
}

pub fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}
