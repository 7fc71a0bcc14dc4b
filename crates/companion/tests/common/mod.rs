#![allow(dead_code)]

use runtall_content::Program;
use runtall_domain::assess::{Assessment, parse_answers};
use runtall_domain::plan::{Mode, RoutineView, routine_view};
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

/// A routine as the demo runner does it.
pub fn view(id: &str) -> RoutineView {
    let p = program();
    let r = p.routine(id).unwrap_or_else(|| panic!("routine {id}"));
    routine_view(p, r, &assessment(), Mode::Full)
}

pub fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}
