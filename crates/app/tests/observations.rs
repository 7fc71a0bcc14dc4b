//! The journal as the insights engine sees it: raw measurements reach it, and the day before stays the day before.

use jiff::Timestamp;
use jiff::civil::date;
use runtall_domain::activity::Sport;
use runtall_domain::assess::DayHours;
use runtall_domain::journal::DayLog;
use runtall_domain::journal_format::{Journal, JournalRun};
use runtall_store::SqliteStore;

fn run(key: &str, start: &str, km: f64, minutes: f64) -> JournalRun {
    JournalRun {
        key: key.into(),
        start: start.parse::<Timestamp>().expect("time"),
        sport: Sport::Running,
        label: None,
        distance_m: km * 1000.0,
        moving_s: minutes * 60.0,
        elapsed_s: minutes * 60.0,
        name: None,
        pack: None,
        surface: None,
        ate_within_2h: None,
        pre_run_done: None,
        post_run_done: None,
        utc_offset_s: None,
        avg_hr_bpm: None,
    }
}

fn day(d: jiff::civil::Date, sitting: f64, car: Option<f64>) -> DayLog {
    let mut log = DayLog::empty(d);
    log.sitting_h = Some(DayHours::new(sitting).expect("hours"));
    log.car_h = car.map(|h| DayHours::new(h).expect("hours"));
    log
}

#[test]
fn fridays_drive_is_not_saturdays_car_travel_and_raw_values_reach_the_engine() {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteStore::open(&dir.path().join("j.db")).expect("store");
    let journal = Journal {
        runs: vec![run("sat", "2026-03-07T08:00:00Z", 12.0, 66.0), run("sun", "2026-03-08T08:00:00Z", 21.0, 120.0)],
        pain: vec![],
        days: vec![
            day(date(2026, 3, 6), 9.0, Some(4.5)),
            day(date(2026, 3, 7), 1.5, Some(0.0)),
            day(date(2026, 3, 8), 2.0, None),
        ],
        ..Journal::default()
    };
    runtall_app::journal_file::import(&store, &journal).expect("import");
    let obs = runtall_app::observations::observations(&store).expect("observations");
    let sat = &obs[0].1;
    assert_eq!(sat.date, date(2026, 3, 7));
    assert_eq!(sat.context.car_hours_same_day, Some(0.0), "Saturday itself had no drive");
    assert_eq!(sat.context.car_hours_day_before, Some(4.5), "Friday's drive is kept as the day before");
    assert_eq!(sat.context.sitting_hours, Some(1.5));
    assert_eq!(sat.context.sitting_hours_day_before, Some(9.0));
    assert_eq!(sat.duration_min, Some(66.0));
    assert!((sat.pace_min_per_km().expect("pace") - 5.5).abs() < 1e-9);
    let cut = runtall_insights::Cutoffs::default();
    assert_eq!(runtall_insights::Factor::CarTravel.value(sat, &cut), Some(false), "no car travel on Saturday");
    let sun = &obs[1].1;
    assert_eq!(sun.context.car_hours_same_day, Some(0.0), "a logged day without car hours had no drive");
    assert_eq!(sun.context.car_hours_day_before, Some(0.0));
    assert_eq!(sun.context.sitting_hours, Some(2.0));
}

/// People note a drive when there was one. Car travel can only be judged when the days without a drive count as
/// such: a day logged with the car field empty is 0 h once the journal holds car hours anywhere, a day not logged
/// at all stays unknown, and a runner who never logs car hours keeps "unknown" (no zeros invented).
#[test]
fn car_hours_left_empty_count_as_no_driving_only_for_runners_who_log_them() {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteStore::open(&dir.path().join("j.db")).expect("store");
    let mut runs = Vec::new();
    let mut days = Vec::new();
    for (i, d) in (2..=9).map(|d| date(2026, 3, d)).enumerate() {
        runs.push(run(&format!("r{i}"), &format!("{d}T18:00:00Z"), 10.0, 55.0));
        // A drive on the 4th; the 8th is not logged at all; every other day is logged with the car field empty.
        if d.day() != 8 {
            days.push(day(d, 7.0, (d.day() == 4).then_some(3.0)));
        }
    }
    let journal = Journal { runs: runs.clone(), pain: vec![], days: days.clone(), ..Journal::default() };
    runtall_app::journal_file::import(&store, &journal).expect("import");
    let obs = runtall_app::observations::observations(&store).expect("observations");
    let car: Vec<Option<f64>> = obs.iter().map(|(_, o)| o.context.car_hours_same_day).collect();
    assert_eq!(car, [Some(0.0), Some(0.0), Some(3.0), Some(0.0), Some(0.0), Some(0.0), None, Some(0.0)]);
    let before: Vec<Option<f64>> = obs.iter().map(|(_, o)| o.context.car_hours_day_before).collect();
    assert_eq!(before, [None, Some(0.0), Some(0.0), Some(3.0), Some(0.0), Some(0.0), Some(0.0), None]);
    let cut = runtall_insights::Cutoffs::default();
    let judged = obs.iter().filter(|(_, o)| runtall_insights::Factor::CarTravel.value(o, &cut).is_some()).count();
    assert_eq!(judged, 7, "car travel is known on every logged day");
    // The export keeps the blanks as they were written.
    let out = runtall_app::journal_file::export(&store).expect("export");
    assert_eq!(out.days.iter().filter(|d| d.car_h.is_none()).count(), 6);

    // A runner who never fills the field: nothing is invented.
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteStore::open(&dir.path().join("j.db")).expect("store");
    for d in &mut days {
        d.car_h = None;
    }
    let journal = Journal { runs, pain: vec![], days, ..Journal::default() };
    runtall_app::journal_file::import(&store, &journal).expect("import");
    let obs = runtall_app::observations::observations(&store).expect("observations");
    assert!(
        obs.iter().all(|(_, o)| o.context.car_hours_same_day.is_none() && o.context.car_hours_day_before.is_none())
    );
}

#[test]
fn a_long_ride_the_day_before_is_context_the_engine_sees() {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteStore::open(&dir.path().join("j.db")).expect("store");
    let only_runs = Journal {
        runs: vec![run("sat", "2026-03-07T08:00:00Z", 12.0, 66.0), run("sun", "2026-03-08T08:00:00Z", 21.0, 120.0)],
        pain: vec![],
        days: vec![],
        ..Journal::default()
    };
    runtall_app::journal_file::import(&store, &only_runs).expect("import");
    let obs = runtall_app::observations::observations(&store).expect("observations");
    assert_eq!(obs[0].1.context.cross_training_hours_day_before, None, "no other sports in the journal: unknown");
    // A 3-hour ride on Saturday afternoon.
    let mut ride = run("ride", "2026-03-07T13:00:00Z", 90.0, 180.0);
    ride.sport = Sport::Cycling;
    runtall_app::journal_file::import(&store, &Journal { runs: vec![ride], ..Journal::default() }).expect("ride");
    let obs = runtall_app::observations::observations(&store).expect("observations");
    assert_eq!(obs.len(), 2, "the ride is not a run");
    let (sat, sun) = (&obs[0].1, &obs[1].1);
    assert_eq!(sat.context.cross_training_hours_day_before, Some(0.0));
    assert_eq!(sun.context.cross_training_hours_day_before, Some(3.0));
    let cut = runtall_insights::Cutoffs::default();
    assert_eq!(runtall_insights::Factor::CrossTrainingDayBefore.value(sun, &cut), Some(true));
    assert_eq!(runtall_insights::Factor::CrossTrainingDayBefore.value(sat, &cut), Some(false));
}
