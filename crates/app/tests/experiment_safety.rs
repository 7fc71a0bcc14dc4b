//! Experiments ask the safety gate: nothing is tested that the plan leaves out (issue 10, finding 5).

use jiff::civil::date;
use runtall_app::experiments;
use runtall_domain::assess::{AssessmentRecord, parse_answers};
use runtall_domain::content::program;
use runtall_domain::screen::{ScreenAnswers, ScreeningRecord};
use runtall_insights::{ExperimentDesign, ExperimentFactor};
use runtall_store::{SqliteStore, Store};

const SAMPLE: &str = include_str!("../../../examples/assessment.toml");

fn store_with(yes: &[&str], edit: impl FnOnce(&mut String)) -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
    let at = "2026-10-01T08:00:00Z".parse().unwrap();
    store.add_screening(&ScreeningRecord::new(program(), ScreenAnswers::yes(program(), yes), at).unwrap()).unwrap();
    let mut text = SAMPLE.to_string();
    edit(&mut text);
    let assessment = parse_answers("a.toml", &text).unwrap();
    store.add_assessment(&AssessmentRecord { id: None, taken_at: at, assessment }).unwrap();
    (dir, store)
}

fn start(store: &dyn Store, factor: ExperimentFactor) -> Result<i64, String> {
    let design = ExperimentDesign::recommended(factor, factor.natural_unit(), 3);
    experiments::start(store, design, date(2026, 10, 2)).map_err(|e| e.to_string())
}

#[test]
fn no_foam_roller_experiment_with_osteoporosis_without_a_roller_or_in_the_reduced_program() {
    let (_d, s) = store_with(&[], |t| *t = t.replace("conditions = []", r#"conditions = ["osteoporosis"]"#));
    let err = start(&s, ExperimentFactor::FoamRoller).expect_err("osteoporosis");
    assert!(err.contains("osteoporosis"), "{err}");
    let (_d, s) = store_with(&[], |t| {
        *t = t.replace(r#"equipment = ["mat", "band", "foam-roller", "towel"]"#, r#"equipment = ["mat"]"#)
    });
    let err = start(&s, ExperimentFactor::FoamRoller).expect_err("no roller");
    assert!(err.contains("foam roller"), "{err}");
    let (_d, s) = store_with(&["night-pain-that-wakes"], |_| {});
    assert!(start(&s, ExperimentFactor::FoamRoller).is_err(), "level C");
    assert!(start(&s, ExperimentFactor::Pack).is_err(), "level C: experiments wait for the clinician");
    // A clear screen and a roller: allowed.
    let (_d, s) = store_with(&[], |_| {});
    start(&s, ExperimentFactor::FoamRoller).expect("allowed");
}

#[test]
fn no_experiment_without_a_screen_or_with_chest_or_rib_pain_pending() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
    assert!(start(&s, ExperimentFactor::Pack).is_err(), "not screened");
    let (_d, s) = store_with(&[], |t| {
        *t = t
            .replace(
                r#"regions = ["neck", "upper-trap-right", "between-shoulder-blades"]"#,
                r#"regions = ["rib-side-left"]"#,
            )
            .replace(
                r#"when = ["long-runs", "after-runs", "at-desk", "with-pack"]"#,
                r#"when = ["after-eating-before-run"]"#,
            )
    });
    let err = start(&s, ExperimentFactor::EatingBefore).expect_err("rib pain with meals is checked first");
    assert!(err.to_lowercase().contains("clinician"), "{err}");
}

/// The gate knows every factor the experiment engine offers, so none can slip past it as "unknown".
#[test]
fn the_gate_decides_every_experiment_factor() {
    for f in ExperimentFactor::ALL {
        assert!(runtall_domain::safety::EXPERIMENT_FACTORS.contains(&f.id()), "{} unknown to the gate", f.id());
    }
    let (_d, s) = store_with(&[], |_| {});
    let perm = runtall_app::safety::permissions(program(), &s).unwrap();
    for f in ExperimentFactor::ALL {
        assert!(perm.experiment(f.id()).allowed, "{} refused for an ordinary runner", f.id());
    }
}

/// A running experiment goes on hold, with the reason, when the gate stops allowing it.
#[test]
fn a_running_experiment_is_put_on_hold_by_a_new_flag() {
    let (_d, s) = store_with(&[], |_| {});
    start(&s, ExperimentFactor::Pack).expect("allowed");
    let st = experiments::status(&s, date(2026, 10, 3), false).unwrap().expect("running");
    assert!(st.hold.is_none());
    let at = "2026-10-03T08:00:00Z".parse().unwrap();
    let answers = ScreenAnswers::yes(program(), &["night-pain-that-wakes"]);
    s.add_screening(&ScreeningRecord::new(program(), answers, at).unwrap()).unwrap();
    let st = experiments::status(&s, date(2026, 10, 4), false).unwrap().expect("running");
    let hold = st.hold.expect("on hold");
    assert!(hold.contains("clinician"), "{hold}");
}
