//! Profile, screens, assessments and plans: one profile per athlete, the others kept as a history.

use super::two;
use crate::Backend;
use crate::fixtures::*;
use runtall_domain::content::{FlagLevel, program};
use runtall_domain::screen::program_state;
use runtall_store::{Store, StoreError};

pub fn the_profile_is_one_per_athlete_and_replaced_by_saving<B: Backend>(backend: &B) {
    let (_db, a, b) = two(backend);
    assert!(a.profile().expect("read").is_none(), "no profile until one is saved");
    a.save_profile(&profile("Ana")).expect("save");
    b.save_profile(&profile("Ben")).expect("save");
    a.save_profile(&runtall_domain::profile::Profile { country: Some("DE".into()), ..profile("Ana K") })
        .expect("replace");
    let ana = a.profile().expect("read").expect("some");
    assert_eq!((ana.name.as_str(), ana.country.as_deref()), ("Ana K", Some("DE")), "the latest save wins");
    assert_eq!(b.profile().expect("read").expect("some").name, "Ben", "each athlete has their own");
    // Fields stored beside the record (the daily budget) come back with it, and go when the runner clears them.
    let budget = runtall_domain::plan::DayBudget::new(25, 30).expect("budget");
    a.save_profile(&runtall_domain::profile::Profile { day_budget: Some(budget), ..ana.clone() }).expect("budget");
    assert_eq!(a.profile().expect("read").expect("some").day_budget, Some(budget));
    assert_eq!(b.profile().expect("read").expect("some").day_budget, None, "not another athlete's");
    a.save_profile(&ana).expect("cleared");
    assert_eq!(a.profile().expect("read").expect("some").day_budget, None);
    // The bundled sample runner is not real data; a real profile is.
    a.save_profile(&runtall_domain::profile::Profile { demo: true, ..profile("Sam") }).expect("demo");
    a.add_screening(&screening("2026-11-01T08:00:00Z", &[])).expect("screen");
    assert!(!a.holds_real_data().expect("demo"), "the sample runner's records are not real data");
    assert!(b.holds_real_data().expect("real"));
}

pub fn screens_keep_their_history_and_the_clinician_check<B: Backend>(backend: &B) {
    let (_db, a, b) = two(backend);
    assert!(a.latest_screening().expect("read").is_none());
    let c = program().red_flags.iter().find(|f| f.level == FlagLevel::C).expect("a level C flag");
    // Stored out of order: the history is by time taken, not by insertion.
    let later = a.add_screening(&screening("2026-11-02T08:00:00Z", &[&c.id])).expect("screen");
    let earlier = a.add_screening(&screening("2026-11-01T08:00:00Z", &[])).expect("screen");
    assert_ne!(later, earlier);
    b.add_screening(&screening("2026-11-03T08:00:00Z", &[])).expect("Ben's screen");
    let screens = a.screenings().expect("screens");
    assert_eq!(
        screens.iter().map(|s| s.id).collect::<Vec<_>>(),
        [Some(earlier), Some(later)],
        "oldest first, with ids"
    );
    let latest = a.latest_screening().expect("latest").expect("some");
    assert_eq!(latest.id, Some(later), "the latest is the one taken last, not Ben's");
    assert_eq!(program_state(Some(&latest)).name(), "reduced");
    a.mark_clinician_checked(later, ts("2026-11-05T10:00:00Z")).expect("checked");
    let latest = a.latest_screening().expect("latest").expect("some");
    assert_eq!(latest.clinician_checked_at, Some(ts("2026-11-05T10:00:00Z")));
    assert_eq!(program_state(Some(&latest)).name(), "open", "a checked screen opens the program");
    assert_eq!(latest.answers, screening("2026-11-02T08:00:00Z", &[&c.id]).answers, "answers round-trip");
    assert!(matches!(
        a.mark_clinician_checked(later + 10_000, ts("2026-11-05T10:00:00Z")),
        Err(StoreError::NotFound { .. })
    ));
}

pub fn assessments_and_plans_keep_history_and_plans_name_only_the_athletes_records<B: Backend>(backend: &B) {
    let (_db, a, b) = two(backend);
    assert!(a.latest_assessment().expect("read").is_none() && a.latest_plan().expect("read").is_none());
    let first = a.add_assessment(&assessment("2026-11-01T08:05:00Z")).expect("assessment");
    let second = a.add_assessment(&assessment("2026-11-08T08:05:00Z")).expect("assessment");
    b.add_assessment(&assessment("2026-11-09T08:05:00Z")).expect("Ben's");
    let all = a.assessments().expect("assessments");
    assert_eq!(all.iter().map(|r| r.id).collect::<Vec<_>>(), [Some(first), Some(second)]);
    assert_eq!(all[0].assessment, assessment("2026-11-01T08:05:00Z").assessment, "the answers round-trip");
    assert_eq!(a.latest_assessment().expect("latest").and_then(|r| r.id), Some(second));

    let sid = a.add_screening(&screening("2026-11-01T08:00:00Z", &[])).expect("screen");
    let p1 = a.add_plan(&plan("2026-11-01T08:06:00Z", Some(sid), Some(first))).expect("plan");
    let p2 = a.add_plan(&plan("2026-11-08T08:06:00Z", Some(sid), Some(second))).expect("plan");
    let plans = a.plans().expect("plans");
    assert_eq!(plans.iter().map(|p| p.id).collect::<Vec<_>>(), [Some(p1), Some(p2)], "oldest first");
    let latest = a.latest_plan().expect("latest").expect("some");
    assert_eq!((latest.id, latest.screening_id, latest.assessment_id), (Some(p2), Some(sid), Some(second)));
    assert_eq!(latest.plan, plan("2026-11-08T08:06:00Z", Some(sid), Some(second)).plan, "the plan round-trips");
    assert!(b.plans().expect("Ben's plans").is_empty());
    assert!(
        matches!(
            a.add_plan(&plan("2026-11-09T08:06:00Z", None, Some(second + 10_000))),
            Err(StoreError::NotFound { .. })
        ),
        "a plan naming a missing assessment"
    );
    assert_eq!(a.plans().expect("plans").len(), 2, "the refused plan was not stored");
}
