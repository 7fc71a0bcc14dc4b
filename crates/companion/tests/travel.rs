//! Race travel planning.

mod common;

use common::program;
use jiff::civil::{Date, date};
use runtall_companion::travel::{DayRole, TravelError, TravelMode, TravelOptions, WarningCode, plan_travel};

fn today() -> Date {
    date(2026, 5, 1)
}

fn race() -> Date {
    date(2026, 5, 17) // a Sunday
}

fn opts() -> TravelOptions {
    TravelOptions::new(today())
}

#[test]
fn long_drive_leaves_two_days_early_with_hourly_stops_and_returns_the_day_after() {
    let plan =
        plan_travel(program(), &common::open(), race(), TravelMode::Drive { hours: 4.5 }, &[], &opts()).expect("plan");
    println!("{}", plan.to_text());
    assert!(plan.long_journey);
    assert_eq!(plan.depart, date(2026, 5, 15), "a free day between a long drive and the race");
    assert_eq!(plan.return_on, date(2026, 5, 18));
    assert_eq!(plan.stops_min, [60, 120, 180, 240]);
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    let roles: Vec<DayRole> = plan.days.iter().map(|d| d.role).collect();
    assert_eq!(roles, [DayRole::TravelOut, DayRole::Settle, DayRole::Race, DayRole::TravelHome, DayRole::AfterTravel]);
    for d in &plan.days {
        match d.role {
            DayRole::TravelOut | DayRole::TravelHome | DayRole::AfterTravel => {
                assert!(d.routines.contains(&"travel-day".to_string()), "{:?}", d)
            }
            DayRole::Race => {
                assert!(d.routines.iter().any(|r| r.starts_with("pre-run")), "{:?}", d.routines);
                assert!(d.routines.contains(&"post-run-reset".to_string()));
            }
            _ => {}
        }
    }
    // The day after the journey out gets the travel-day routine again.
    assert!(plan.days[1].routines.contains(&"travel-day".to_string()));
    assert!(plan.days[0].items.iter().any(|i| i.contains("1:00, 2:00, 3:00, 4:00")));
    assert!(plan.advice.iter().any(|a| a.habit == "break-up-long-drives"));
    let json = serde_json::to_string(&plan).expect("json");
    assert!(json.contains("\"role\":\"travel-out\""));
}

#[test]
fn short_drive_can_arrive_the_day_before() {
    let plan =
        plan_travel(program(), &common::open(), race(), TravelMode::Drive { hours: 1.5 }, &[], &opts()).expect("plan");
    assert!(!plan.long_journey);
    assert_eq!(plan.depart, date(2026, 5, 16));
    assert_eq!(plan.stops_min, [60]);
    assert!(plan.warnings.is_empty());
}

#[test]
fn flights_get_aisle_walks_and_count_as_long_sitting() {
    let plan =
        plan_travel(program(), &common::open(), race(), TravelMode::Flight { hours: 9.0 }, &[], &opts()).expect("plan");
    assert!(plan.long_journey);
    assert_eq!(plan.depart, date(2026, 5, 15));
    assert!(plan.stops_min.is_empty());
    assert!(plan.days[0].items.iter().any(|i| i.contains("walk the aisle every 30 min")), "{:?}", plan.days[0]);
}

#[test]
fn long_runs_move_the_departure_or_raise_a_warning() {
    // A long run on the 14th: leaving on the 15th would be the day after it — allowed; on the 13th it would
    // be the day before. The 15th is chosen and nothing clashes.
    let plan = plan_travel(
        program(),
        &common::open(),
        race(),
        TravelMode::Drive { hours: 5.0 },
        &[date(2026, 5, 14)],
        &opts(),
    )
    .expect("plan");
    assert_eq!(plan.depart, date(2026, 5, 15));
    assert!(plan.warnings.is_empty());
    // A long run on the 16th (the day before the race): leaving on the 15th is the day before it, the 16th is
    // the same day. The planner keeps the 15th and warns.
    let plan = plan_travel(
        program(),
        &common::open(),
        race(),
        TravelMode::Drive { hours: 5.0 },
        &[date(2026, 5, 16)],
        &opts(),
    )
    .expect("plan");
    assert_eq!(plan.depart, date(2026, 5, 15));
    let w: Vec<_> = plan.warnings.iter().filter(|w| w.code == WarningCode::LongTravelNearLongRun).collect();
    assert_eq!(w.len(), 1);
    assert!(w[0].message.contains("the day before your long run on 2026-05-16"), "{}", w[0].message);
    assert!(plan.days.iter().any(|d| d.items.iter().any(|i| i.contains("long run is planned today"))));
    // A long run the day after getting home with a long drive home.
    let plan = plan_travel(
        program(),
        &common::open(),
        race(),
        TravelMode::Drive { hours: 5.0 },
        &[date(2026, 5, 19)],
        &opts(),
    )
    .expect("plan");
    assert!(
        plan.warnings.iter().any(|w| w.code == WarningCode::LongTravelNearLongRun && w.date == Some(plan.return_on))
    );
    // Past long runs are ignored.
    let plan =
        plan_travel(program(), &common::open(), race(), TravelMode::Drive { hours: 5.0 }, &[date(2026, 4, 1)], &opts())
            .expect("plan");
    assert!(plan.warnings.is_empty());
}

#[test]
fn the_runners_own_dates_are_checked_against_the_rules() {
    let mut o = opts();
    o.depart = Some(date(2026, 5, 16));
    o.return_on = Some(race());
    let plan =
        plan_travel(program(), &common::open(), race(), TravelMode::Drive { hours: 6.0 }, &[], &o).expect("plan");
    let codes: Vec<WarningCode> = plan.warnings.iter().map(|w| w.code).collect();
    assert!(codes.contains(&WarningCode::LongTravelDayBeforeRace), "{codes:?}");
    assert!(codes.contains(&WarningCode::LongTravelAfterRace), "{codes:?}");
    let text = plan.to_text();
    println!("{text}");
    assert!(text.contains("stay one more night"));
    assert_eq!(plan.days.iter().filter(|d| d.role == DayRole::Race).count(), 1);

    o.depart = Some(race());
    o.return_on = None;
    let plan =
        plan_travel(program(), &common::open(), race(), TravelMode::Drive { hours: 1.0 }, &[], &o).expect("plan");
    assert!(plan.warnings.iter().any(|w| w.code == WarningCode::TravelOnRaceDay));
    assert_eq!(plan.days[0].role, DayRole::Race);

    let late = TravelOptions::new(date(2026, 5, 17));
    let plan =
        plan_travel(program(), &common::open(), race(), TravelMode::Drive { hours: 3.0 }, &[], &late).expect("plan");
    assert!(plan.warnings.iter().any(|w| w.code == WarningCode::NotEnoughNotice));
    assert_eq!(plan.depart, race());

    let plan =
        plan_travel(program(), &common::open(), race(), TravelMode::Drive { hours: 11.0 }, &[], &opts()).expect("plan");
    assert!(plan.warnings.iter().any(|w| w.code == WarningCode::VeryLongDrive));
}

#[test]
fn impossible_inputs_are_errors() {
    let p = program();
    let e = plan_travel(p, &common::open(), date(2026, 4, 1), TravelMode::Drive { hours: 3.0 }, &[], &opts())
        .expect_err("past");
    assert_eq!(e, TravelError::InThePast { what: "the race date", date: date(2026, 4, 1), today: today() });
    assert_eq!(e.to_string(), "the race date 2026-04-01 is in the past (today is 2026-05-01)");
    for hours in [0.0, -2.0, 17.0, f32::NAN, f32::INFINITY] {
        let e = plan_travel(p, &common::open(), race(), TravelMode::Drive { hours }, &[], &opts()).expect_err("hours");
        assert!(matches!(e, TravelError::Hours { .. }), "{hours}: {e}");
    }
    assert!(plan_travel(p, &common::open(), race(), TravelMode::Flight { hours: 31.0 }, &[], &opts()).is_err());
    assert!(plan_travel(p, &common::open(), race(), TravelMode::Flight { hours: 20.0 }, &[], &opts()).is_ok());
    let e =
        plan_travel(p, &common::open(), race(), TravelMode::Drive { hours: 200.0 }, &[], &opts()).expect_err("absurd");
    assert_eq!(e.to_string(), "200 hours of driving is out of range (allowed more than 0 and up to 16 hours)");
    assert!(matches!(
        plan_travel(p, &common::open(), date(2029, 1, 1), TravelMode::Drive { hours: 3.0 }, &[], &opts()),
        Err(TravelError::TooFarAhead(_))
    ));
    let mut o = opts();
    o.depart = Some(date(2026, 5, 18));
    assert!(matches!(
        plan_travel(p, &common::open(), race(), TravelMode::Drive { hours: 3.0 }, &[], &o),
        Err(TravelError::DepartAfterRace { .. })
    ));
    o.depart = Some(date(2026, 4, 30));
    assert!(matches!(
        plan_travel(p, &common::open(), race(), TravelMode::Drive { hours: 3.0 }, &[], &o),
        Err(TravelError::InThePast { .. })
    ));
    let mut o = opts();
    o.return_on = Some(date(2026, 5, 16));
    assert!(matches!(
        plan_travel(p, &common::open(), race(), TravelMode::Drive { hours: 3.0 }, &[], &o),
        Err(TravelError::ReturnBeforeRace { .. })
    ));
}

/// A race trip is a race plan (race day, the pre-race routine, a shake-out run): where the safety gate holds race
/// runs back there is no trip to plan, and the refusal says why in the gate's words.
#[test]
fn no_race_trip_when_the_safety_gate_holds_race_runs_back() {
    let trip = |perm| plan_travel(program(), &perm, race(), TravelMode::Drive { hours: 4.5 }, &[], &opts());
    let no_running = trip(common::with_flags(&["chest-or-rib-pain-with-effort-or-meals"])).expect_err("no running");
    assert!(matches!(no_running, TravelError::NotAllowed(_)), "{no_running:?}");
    let text = no_running.to_string();
    assert!(text.contains("no running") && text.contains("chest or rib pain"), "{text}");
    let locked = trip(common::with_flags(&["chest-pain-during-or-after-run"])).expect_err("locked");
    assert!(matches!(locked, TravelError::NotAllowed(_)), "{locked:?}");
    let reduced = trip(common::with_flags(&["night-pain-that-wakes"])).expect_err("reduced: races wait");
    assert!(reduced.to_string().contains("hard efforts wait"), "{reduced}");
    assert!(trip(common::open()).is_ok(), "a clear screen plans the trip");
}
