//! The sitting-break scheduler on a fake clock (the real-time driver loop is tested in runtall-tui).

mod common;

use common::program;
use jiff::Zoned;
use jiff::civil::{Time, date};
use jiff::tz::TimeZone;
use runtall_companion::remind::{
    BreakEvent, BreakOutcome, PromptKind, RemindError, ReminderConfig, Response, Scheduler, WorkingHours, summarize,
};
use std::time::Duration;

/// Monday 2 March 2026, in a fixed zone so the tests do not depend on the machine's.
fn at(h: i8, m: i8) -> Zoned {
    on(2, h, m)
}

fn on(day: i8, h: i8, m: i8) -> Zoned {
    date(2026, 3, day).at(h, m, 0, 0).to_zoned(TimeZone::fixed(jiff::tz::offset(1))).expect("time")
}

fn config() -> ReminderConfig {
    ReminderConfig::from_defaults(&program().habit_defaults)
}

fn scheduler() -> Scheduler {
    Scheduler::new(program(), config(), &common::open()).expect("scheduler")
}

/// Ticks every minute from `from` to `to` (inclusive) with the idle time given per minute, answering each
/// prompt with `answer`. Returns the prompts with the minute they came.
fn run(
    s: &mut Scheduler,
    from: (i8, i8),
    to: (i8, i8),
    idle: impl Fn(i32) -> u64,
    answer: Option<Response>,
) -> Vec<(String, PromptKind)> {
    let mut out = Vec::new();
    let start = from.0 as i32 * 60 + from.1 as i32;
    let end = to.0 as i32 * 60 + to.1 as i32;
    for t in start..=end {
        let now = at((t / 60) as i8, (t % 60) as i8);
        if let Some(p) = s.tick(&now, Some(Duration::from_secs(idle(t)))) {
            out.push((format!("{:02}:{:02}", t / 60, t % 60), p.kind));
            if let Some(r) = answer {
                s.respond(&now, p.id, r).expect("answer");
            }
        }
    }
    out
}

fn hm(s: &str, k: PromptKind) -> (String, PromptKind) {
    (s.to_string(), k)
}

use PromptKind::{Shift, Walk};

#[test]
fn defaults_come_from_the_content_and_prompts_alternate_shift_and_walk() {
    let c = config();
    assert_eq!((c.walk_every_min, c.shift_every_min, c.walk_break_min), (30, 20, 3));
    let mut s = scheduler();
    let prompts = run(&mut s, (8, 0), (10, 5), |_| 0, Some(Response::Done));
    assert_eq!(
        prompts,
        [hm("09:20", Shift), hm("09:30", Walk), hm("09:50", Shift), hm("10:00", Walk)],
        "nothing before 09:00; a shift at 20 min, a walk at 30; the walk resets the shift timer"
    );
    let log = s.take_log();
    let sum = summarize(&log);
    assert_eq!((sum.prompted, sum.taken, sum.skipped), (4, 4, 0));
    assert!(log.iter().all(|e| e.at >= at(9, 0).timestamp()));
}

#[test]
fn prompts_suggest_micro_exercises_in_rotation() {
    let mut s = scheduler();
    let mut walks = Vec::new();
    let mut shifts = Vec::new();
    for t in 9 * 60..=13 * 60 {
        let now = at((t / 60) as i8, (t % 60) as i8);
        if let Some(p) = s.tick(&now, None) {
            let ex = p.suggestion.as_ref().map(|x| x.exercise.clone()).unwrap_or_default();
            assert!(p.body.contains("Then try:"), "{}", p.body);
            match p.kind {
                Walk => walks.push(ex),
                Shift => shifts.push(ex),
            }
            s.respond(&now, p.id, Response::Done).expect("done");
        }
    }
    assert_eq!(&walks[..4], ["standing-extension-break", "walking-break", "chin-tuck", "standing-extension-break"]);
    assert_eq!(&shifts[..3], ["seated-posture-reset", "chin-tuck", "seated-posture-reset"]);
}

#[test]
fn working_hours_and_weekends() {
    let mut s = scheduler();
    assert!(run(&mut s, (0, 0), (8, 59), |_| 0, None).is_empty());
    // Saturday 7 March: no prompts all day.
    let mut sat = scheduler();
    for t in (9 * 60..17 * 60).step_by(5) {
        assert!(sat.tick(&on(7, (t / 60) as i8, (t % 60) as i8), None).is_none());
    }
    // After 17:30 nothing, and an open prompt is dropped at the end of the day.
    let mut s = scheduler();
    run(&mut s, (17, 0), (17, 29), |_| 0, None);
    assert!(s.pending().is_some() || s.tick(&at(17, 29), None).is_none());
    assert!(s.tick(&at(17, 31), None).is_none());
    assert!(s.pending().is_none());
    assert!(run(&mut s, (17, 31), (23, 59), |_| 0, None).is_empty());

    let h = WorkingHours::parse("08:30-16:00").expect("hours");
    assert_eq!((h.start, h.end), (Time::constant(8, 30, 0, 0), Time::constant(16, 0, 0, 0)));
    for bad in ["9-5", "nine to five", "25:00-26:00", ""] {
        assert!(matches!(WorkingHours::parse(bad), Err(RemindError::BadHours(_))), "{bad}");
    }
    assert!(matches!(WorkingHours::parse("17:00-09:00"), Err(RemindError::EmptyHours(_))));
    let anytime = ReminderConfig { working_hours: None, ..config() };
    let mut s = Scheduler::new(program(), anytime, &common::open()).expect("scheduler");
    assert!(!run(&mut s, (6, 0), (7, 0), |_| 0, Some(Response::Done)).is_empty());
}

#[test]
fn snooze_brings_the_prompt_back_and_is_limited() {
    let mut s = scheduler();
    assert_eq!(run(&mut s, (9, 0), (9, 20), |_| 0, None), [hm("09:20", Shift)]);
    let id = s.pending().map(|p| p.id).expect("pending");
    s.respond(&at(9, 20), id, Response::Snooze).expect("snooze 1");
    // Back after 5 minutes, but the walk is then 5 minutes away and covers the shift.
    assert_eq!(run(&mut s, (9, 21), (9, 30), |_| 0, None), [hm("09:30", Walk)]);
    s.respond_pending(&at(9, 30), Response::Snooze).expect("snooze 2");
    assert_eq!(run(&mut s, (9, 31), (9, 35), |_| 0, None), [hm("09:35", Walk)]);
    s.respond_pending(&at(9, 35), Response::Snooze).expect("snooze 3");
    assert_eq!(run(&mut s, (9, 36), (9, 40), |_| 0, None), [hm("09:40", Walk)]);
    let err = s.respond_pending(&at(9, 40), Response::Snooze).expect_err("limit");
    assert_eq!(err, RemindError::SnoozeLimit { max: 3 });
    assert!(err.to_string().contains("take the break or skip it"));
    s.respond_pending(&at(9, 40), Response::Done).expect("done");
    let sum = summarize(&s.take_log());
    assert_eq!((sum.snoozed, sum.taken, sum.prompted), (3, 1, 4));
    // After the break, a fresh allowance of snoozes.
    assert_eq!(run(&mut s, (9, 41), (10, 0), |_| 0, None), [hm("10:00", Shift)]);
    s.respond_pending(&at(10, 0), Response::Snooze).expect("snooze again");
}

#[test]
fn skips_are_capped_per_day_and_the_cap_resets_overnight() {
    let mut s = scheduler();
    let mut skipped = 0;
    let mut refused = None;
    for t in 9 * 60..=12 * 60 {
        let now = at((t / 60) as i8, (t % 60) as i8);
        if let Some(p) = s.tick(&now, None) {
            assert_eq!(p.skips_left, 3 - skipped);
            match s.respond(&now, p.id, Response::Skip) {
                Ok(()) => skipped += 1,
                Err(e) => {
                    refused = Some(e);
                    s.respond(&now, p.id, Response::Done).expect("done instead");
                }
            }
        }
    }
    assert_eq!(skipped, 3);
    let e = refused.expect("fourth skip refused");
    assert_eq!(e, RemindError::SkipCapReached { cap: 3 });
    assert_eq!(e.to_string(), "you have skipped 3 breaks today, the daily limit: take this one, or snooze it");
    // Tuesday: a fresh allowance.
    s.tick(&on(3, 9, 0), None);
    assert_eq!(s.skips_left(), 3);
    // Answering with a stale id or with nothing open is an error, not a panic.
    assert_eq!(s.respond(&on(3, 9, 1), 999, Response::Done), Err(RemindError::NothingPending));
}

#[test]
fn time_away_resets_the_timers_and_idle_holds_prompts() {
    // Away from 09:10 to 09:45: idle climbs past the walk interval, then the runner is back.
    let idle = |t: i32| -> u64 {
        let (away, back) = (9 * 60 + 10, 9 * 60 + 45);
        if (away..back).contains(&t) { ((t - away) * 60) as u64 } else { 0 }
    };
    let mut s = scheduler();
    let prompts = run(&mut s, (9, 0), (10, 20), idle, Some(Response::Done));
    assert_eq!(prompts, [hm("10:04", Shift), hm("10:14", Walk)], "timers count from the last away tick (09:44)");
    let log = s.take_log();
    assert_eq!(log.iter().filter(|e| e.outcome == BreakOutcome::Away).count(), 1);

    // A few minutes idle (reading) holds a due prompt until the runner is active again.
    let reading = |t: i32| -> u64 {
        let (from, to) = (9 * 60 + 28, 9 * 60 + 34);
        if (from..to).contains(&t) { ((t - from) * 60 + 60) as u64 } else { 0 }
    };
    let mut s = scheduler();
    let prompts = run(&mut s, (9, 0), (9, 40), reading, Some(Response::Done));
    assert_eq!(prompts, [hm("09:20", Shift), hm("09:34", Walk)]);

    // Idle for a walk break's length right after a walk prompt counts as the break taken.
    let mut s = scheduler();
    let mut walk_at = None;
    for t in 9 * 60..=9 * 60 + 40 {
        let now = at((t / 60) as i8, (t % 60) as i8);
        let idle = if (9 * 60 + 31..9 * 60 + 36).contains(&t) { ((t - (9 * 60 + 31)) * 60) as u64 } else { 0 };
        if let Some(p) = s.tick(&now, Some(Duration::from_secs(idle))) {
            match p.kind {
                Shift => s.respond(&now, p.id, Response::Done).expect("done"),
                Walk => walk_at = Some(t),
            }
        }
    }
    assert_eq!(walk_at, Some(9 * 60 + 30), "the walk prompt is left open");
    let log = s.take_log();
    let taken = log.iter().find(|e| e.outcome == BreakOutcome::TakenIdle).expect("taken while idle");
    assert_eq!((taken.kind, taken.at), (Some(Walk), at(9, 34).timestamp()));
    assert!(s.pending().is_none());
}

#[test]
fn do_not_disturb_silences_and_an_overdue_break_comes_right_after() {
    let mut s = scheduler();
    s.tick(&at(9, 0), None);
    s.set_dnd(&at(9, 5), true);
    assert!(run(&mut s, (9, 6), (10, 10), |_| 0, None).is_empty());
    s.set_dnd(&at(10, 11), false);
    let p = s.tick(&at(10, 11), None).expect("overdue walk");
    assert_eq!(p.kind, Walk);
    assert_eq!(p.sitting_min, 71);
    let log = s.take_log();
    let outcomes: Vec<BreakOutcome> = log.iter().map(|e| e.outcome).collect();
    assert_eq!(outcomes, [BreakOutcome::DndOn, BreakOutcome::DndOff, BreakOutcome::Prompted]);
}

#[test]
fn unanswered_prompts_count_as_missed_and_return() {
    let mut s = scheduler();
    let prompts = run(&mut s, (9, 0), (9, 50), |_| 0, None);
    // Shift at 09:20 unanswered: missed at 09:30, back at 09:35 (now the walk), missed at 09:45, back at 09:50.
    assert_eq!(prompts, [hm("09:20", Shift), hm("09:35", Walk), hm("09:50", Walk)]);
    let log = s.take_log();
    assert!(log.iter().any(|e| e.outcome == BreakOutcome::Missed && e.kind == Some(Shift)));
    assert_eq!(summarize(&log).missed, 2);
}

#[test]
fn config_is_validated() {
    let bad = ReminderConfig { walk_every_min: 0, ..config() };
    let e = Scheduler::new(program(), bad, &common::open()).expect_err("0 min").to_string();
    assert_eq!(e, "a walk interval of 0 min is out of range (allowed 5–240 min)");
    assert!(Scheduler::new(program(), ReminderConfig { snooze_min: 0, ..config() }, &common::open()).is_err());
    assert!(Scheduler::new(program(), ReminderConfig { max_skips_per_day: 99, ..config() }, &common::open()).is_err());
    let no_shift = ReminderConfig { shift_every_min: 0, ..config() };
    let mut s = Scheduler::new(program(), no_shift, &common::open()).expect("shift off");
    let prompts = run(&mut s, (9, 0), (10, 0), |_| 0, Some(Response::Done));
    assert!(prompts.iter().all(|p| p.1 == Walk));
}

/// Reminders ask the safety gate: none while paused or locked, and every micro-exercise offered is one it allows.
#[test]
fn reminders_follow_the_safety_gate() {
    let paused = common::with_flags(&["pain-with-fever-or-feeling-unwell"]);
    let e = Scheduler::new(program(), config(), &paused).expect_err("paused").to_string();
    assert!(e.contains("paused"), "{e}");
    let locked = common::with_flags(&["chest-pain-during-or-after-run"]);
    assert!(Scheduler::new(program(), config(), &locked).is_err());
    for yes in [&[][..], &["night-pain-that-wakes"][..], &["chest-or-rib-pain-with-effort-or-meals"][..]] {
        let perm = common::with_flags(yes);
        let mut s = Scheduler::new(program(), config(), &perm).expect("allowed");
        let mut offered = 0;
        for minute in 0..180 {
            let now = at(9 + (minute / 60) as i8, (minute % 60) as i8);
            if let Some(p) = s.tick(&now, Some(Duration::from_secs(0))) {
                if let Some(sug) = &p.suggestion {
                    offered += 1;
                    let verdict = perm.exercise(&sug.exercise);
                    assert_eq!(verdict, runtall_domain::safety::ExerciseVerdict::Allowed, "{yes:?}: {}", sug.exercise);
                }
                s.respond(&now, p.id, Response::Done).expect("answer");
            }
        }
        assert!(offered > 0, "{yes:?}: no micro-exercise offered");
    }
}

// --- keys, countdown and the scheduler shared by the terminal and the browser --------------------------------

#[test]
fn the_countdown_names_the_next_break_and_how_long_until_it() {
    let mut s = scheduler();
    s.tick(&at(9, 0), None);
    let st = s.status(&at(9, 7));
    let next = st.next.clone().expect("a next break");
    assert_eq!(next.kind, Shift);
    assert_eq!(next.at, at(9, 20).timestamp());
    assert_eq!(st.line(at(9, 7).timestamp()), "Next break (change position) in 13:00 — p pause · q quit");
    // After the shift at 09:20 the walk at 09:30 comes first.
    let p = run(&mut s, (9, 1), (9, 20), |_| 0, Some(Response::Done));
    assert_eq!(p, vec![hm("09:20", Shift)]);
    assert_eq!(s.status(&at(9, 21)).next.map(|n| (n.kind, n.at)), Some((Walk, at(9, 30).timestamp())));
    s.tick(&at(9, 30), None);
    let line = s.status(&at(9, 30)).line(at(9, 30).timestamp());
    assert!(line.starts_with("Time to stand up and walk — d done · z snooze · s skip"), "{line}");
    s.set_dnd(&at(9, 31), true);
    assert_eq!(s.status(&at(9, 31)).line(at(9, 31).timestamp()), "Reminders paused — p to resume · q quit");
    assert!(!s.status(&at(18, 0)).in_hours);
}

#[test]
fn a_break_taken_in_the_browser_restarts_the_terminals_timers_and_closes_its_prompt() {
    let mut terminal = scheduler().with_source("terminal");
    let mut browser = scheduler().with_source("browser");
    terminal.tick(&at(9, 0), None);
    browser.tick(&at(9, 0), None);
    // Both prompt the shift at 09:20; the runner answers in the browser.
    let t = terminal.tick(&at(9, 20), None).expect("terminal prompt");
    let b = browser.tick(&at(9, 20), None).expect("browser prompt");
    assert_eq!((t.kind, b.kind), (Shift, Shift));
    browser.respond(&at(9, 21), b.id, Response::Done).expect("done");
    let mut stored: Vec<BreakEvent> = terminal.take_log();
    stored.extend(browser.take_log());
    assert!(stored.iter().any(|e| e.source.as_deref() == Some("browser") && e.outcome == BreakOutcome::Taken));
    terminal.sync(&at(9, 21), &stored);
    assert!(terminal.pending().is_none(), "answered elsewhere");
    // Skips count toward one daily cap whichever front end skipped.
    let p = browser.tick(&at(9, 30), None).expect("walk");
    browser.respond(&at(9, 30), p.id, Response::Skip).expect("skip");
    stored.extend(browser.take_log());
    terminal.sync(&at(9, 31), &stored);
    assert_eq!(terminal.skips_left(), 2);
    // Do-not-disturb switched in the browser applies in the terminal.
    browser.set_dnd(&at(9, 40), true);
    stored.extend(browser.take_log());
    terminal.sync(&at(9, 41), &stored);
    assert!(terminal.dnd());
    // Syncing the same day again changes nothing.
    terminal.sync(&at(9, 42), &stored);
    assert_eq!(terminal.skips_left(), 2);
}

#[test]
fn a_new_scheduler_picks_up_where_the_day_left_off() {
    let mut earlier = scheduler().with_source("terminal");
    earlier.tick(&at(9, 0), None);
    let mut day = Vec::new();
    let p = run(&mut earlier, (9, 1), (9, 30), |_| 0, Some(Response::Done));
    assert_eq!(p.last().map(|x| x.0.as_str()), Some("09:30"));
    day.extend(earlier.take_log());
    // The page is opened at 09:45: the next walk is 30 min after the one taken at 09:30, not after 09:45.
    let mut page = scheduler().with_source("browser");
    page.tick(&at(9, 45), None);
    page.resume(&at(9, 45), &day);
    assert_eq!(page.status(&at(9, 45)).next.map(|n| (n.kind, n.at)), Some((Shift, at(9, 50).timestamp())));
    let shift = page.tick(&at(9, 50), None).expect("shift at 09:50");
    page.respond(&at(9, 50), shift.id, Response::Done).expect("done");
    assert_eq!(page.status(&at(9, 50)).next.map(|n| (n.kind, n.at)), Some((Walk, at(10, 0).timestamp())));
    assert_eq!(page.skips_left(), 3);
}

/// Minutes from `from` on, as the clock reads them, crossing midnight.
fn minutes_from(from: &Zoned, n: i64) -> impl Iterator<Item = Zoned> + '_ {
    (0..=n).map(move |m| from.checked_add(jiff::SignedDuration::from_mins(m)).expect("time"))
}

/// At any time of day, sitting through midnight is still sitting: the timers neither restart at 00:00 in a running
/// scheduler nor forget a break taken at 23:50 when a new one starts at 00:20; only the daily skip cap starts again.
#[test]
fn the_break_history_crosses_local_midnight() {
    let any_time = ReminderConfig { working_hours: None, ..config() };
    let new =
        |source: &str| Scheduler::new(program(), any_time.clone(), &common::open()).expect("s").with_source(source);
    let (evening, night) = (at(23, 40), on(3, 0, 40));
    // A running scheduler answered each prompt: walks every 30 minutes and position changes in between carry on
    // through midnight (the walk due at 00:00 comes, and no fresh 30 minutes start at 00:00).
    let mut s = new("terminal");
    s.tick(&at(23, 0), None);
    let mut prompts = Vec::new();
    for now in minutes_from(&at(23, 1), 100) {
        if let Some(p) = s.tick(&now, None) {
            if now >= evening && now <= night {
                prompts.push((now.strftime("%H:%M").to_string(), p.kind));
            }
            s.respond(&now, p.id, Response::Done).expect("done");
        }
    }
    assert_eq!(prompts, [hm("23:50", Shift), hm("00:00", Walk), hm("00:20", Shift), hm("00:30", Walk)]);

    // A position change skipped at 23:45 and a walk taken at 23:50 in the terminal; the break page opens at 00:20.
    let event = |at: Zoned, outcome, kind| BreakEvent {
        at: at.timestamp(),
        outcome,
        kind: Some(kind),
        prompt: Some(1),
        exercise: None,
        source: Some("terminal".into()),
    };
    let history = vec![event(at(23, 45), BreakOutcome::Skipped, Shift), event(at(23, 50), BreakOutcome::Taken, Walk)];
    let mut page = new("browser");
    let midnight_20 = on(3, 0, 20);
    assert!(page.history_from(&midnight_20) <= at(23, 50).timestamp(), "the window reaches back before midnight");
    page.tick(&midnight_20, None);
    page.resume(&midnight_20, &history);
    // The position change was due 20 minutes after the 23:50 walk (not 20 minutes after the page opened), and
    // the walk 30 minutes after it: both come now.
    assert_eq!(page.status(&midnight_20).next.map(|n| (n.kind, n.at)), Some((Shift, on(3, 0, 10).timestamp())));
    assert!(page.tick(&midnight_20, None).is_some(), "overdue since 00:10");
    // Yesterday's skip does not count against today's cap.
    assert_eq!(page.skips_left(), 3);
    // With a scheduler that was off for hours, the old history no longer moves the timers: sitting counts from now.
    let mut morning = new("browser");
    morning.tick(&on(3, 9, 0), None);
    morning.resume(&on(3, 9, 0), &history);
    assert_eq!(morning.status(&on(3, 9, 0)).next.map(|n| n.at), Some(on(3, 9, 20).timestamp()));
}
