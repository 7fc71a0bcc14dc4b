//! The one plan-storage rule (a plan is stored when its inputs changed, the stored one is shown otherwise) and the
//! web app's plan kept per journal revision.

use jiff::Timestamp;
use runtall_app::AppError;
use runtall_app::plan::{PlanCache, PlanInputs, keep_current};
use runtall_domain::assess::{AssessmentRecord, parse_answers};
use runtall_domain::content::program;
use runtall_domain::plan::{self, Plan};
use runtall_domain::screen::{ScreenAnswers, ScreeningRecord};
use runtall_store::{SqliteStore, Store};
use std::cell::Cell;

const SAMPLE: &str = include_str!("../../../examples/assessment.toml");

fn at(s: &str) -> Timestamp {
    s.parse().expect("time")
}

fn store(yes: &[&str]) -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteStore::open(&dir.path().join("t.db")).expect("store");
    let t = at("2026-10-01T08:00:00Z");
    store
        .add_screening(&ScreeningRecord::new(program(), ScreenAnswers::yes(program(), yes), t).expect("screen"))
        .expect("add");
    add_assessment(&store, SAMPLE);
    (dir, store)
}

fn add_assessment(store: &dyn Store, text: &str) {
    let assessment = parse_answers("a.toml", text).expect("assessment");
    store
        .add_assessment(&AssessmentRecord { id: None, taken_at: at("2026-10-01T08:05:00Z"), assessment })
        .expect("add");
}

/// The latest inputs and the plan they build, as a front end computes them.
fn current(store: &dyn Store) -> (PlanInputs, Plan) {
    let screening = store.latest_screening().expect("read");
    let assessment = store.latest_assessment().expect("read").expect("assessment");
    let perm = runtall_app::safety::permissions(program(), store).expect("permissions");
    let built = plan::build(program(), &assessment.assessment, &perm).expect("plan");
    (PlanInputs::of(screening.as_ref(), &assessment, &perm), built)
}

#[test]
fn viewing_the_plan_again_stores_nothing_and_a_new_assessment_stores_one() {
    let (_d, s) = store(&[]);
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (inputs, built) = current(&s);
        ids.push(keep_current(&s, inputs, built, Timestamp::now()).expect("plan").id);
    }
    assert_eq!(s.plans().expect("plans").len(), 1, "three views, one plan");
    assert!(ids.iter().all(|id| *id == ids[0] && id.is_some()), "{ids:?}");

    add_assessment(&s, &SAMPLE.replace("baseline_pain = 5", "baseline_pain = 7"));
    let (inputs, built) = current(&s);
    let record = keep_current(&s, inputs, built, Timestamp::now()).expect("plan");
    assert_ne!(record.id, ids[0]);
    assert_eq!(record.plan.baseline_pain, 7.0);
    assert_eq!(s.plans().expect("plans").len(), 2);
}

#[test]
fn the_kept_plan_is_reused_until_the_journal_or_the_inputs_change() {
    let (_d, s) = store(&["night-pain-that-wakes"]);
    let cache = PlanCache::default();
    let builds = Cell::new(0);
    let get = |s: &SqliteStore| {
        let (inputs, built) = current(s);
        cache
            .current::<AppError>(
                s,
                inputs,
                || {
                    builds.set(builds.get() + 1);
                    Ok(built)
                },
                Timestamp::now(),
            )
            .expect("plan")
    };
    let first = get(&s);
    let again = get(&s);
    assert_eq!(builds.get(), 1, "the second view reuses the kept plan");
    assert!(std::sync::Arc::ptr_eq(&first, &again));

    // A clinician's check changes what the plan is built from: built again and stored.
    let screening = s.latest_screening().expect("read").expect("screening");
    s.mark_clinician_checked(screening.id.expect("id"), at("2026-10-02T09:00:00Z")).expect("check");
    let checked = get(&s);
    assert_eq!(builds.get(), 2);
    assert_ne!(checked.plan.mode, first.plan.mode, "the reduced program ends with the check");
    assert_eq!(s.plans().expect("plans").len(), 2);
    get(&s);
    assert_eq!(builds.get(), 2);
}
