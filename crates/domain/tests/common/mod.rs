//! What the domain's integration tests share: the sample runner, edited per profile, a screen with some answers
//! yes, and what the safety gate allows them.
#![allow(dead_code)]

use runtall_content::program;
use runtall_domain::assess::{Assessment, parse_answers};
use runtall_domain::safety::{Permissions, SafetyInputs, gate};
use runtall_domain::screen::{ScreenAnswers, ScreeningRecord};

pub const SAMPLE: &str = include_str!("../../../../examples/assessment.toml");

/// The sample assessment with its TOML text edited first (so every profile is also a valid answers file).
pub fn assessment(edit: impl FnOnce(&mut String)) -> Assessment {
    let mut text = SAMPLE.to_string();
    edit(&mut text);
    let a: Assessment = parse_answers("profile.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    a.check().unwrap_or_else(|e| panic!("{e}"));
    a
}

/// A screen with `yes` answered yes and every other question no, as stored (id 1).
pub fn record(yes: &[&str]) -> ScreeningRecord {
    let taken_at = "2026-11-01T08:00:00Z".parse().expect("timestamp");
    let mut r = ScreeningRecord::new(program(), ScreenAnswers::yes(program(), yes), taken_at).expect("complete");
    r.id = Some(1);
    r
}

/// What the safety gate allows this runner with these screen answers.
pub fn perm(a: &Assessment, yes: &[&str]) -> Permissions {
    let r = record(yes);
    gate(program(), &SafetyInputs { screening: Some(&r), assessment: Some(a) })
}
