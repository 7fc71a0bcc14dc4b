//! One simulated runner: habits drawn once, then a season lived day by day (work, sitting, driving, sleep, stress,
//! runs) and the pain that followed runs. This is what *happened*; `logbook` decides what the runner writes down.
//!
//! The habits come from how runners with a desk job and a neck that complains actually live (the seeds: long runs
//! and speed work as the podcast's triggers, the article's sitting, car trips and packs), not from any reading of
//! the engine: weekdays differ from weekends, the long run is on one fixed day and grows through a season with
//! step-back weeks, trail runs climb, packs go on long and trail runs, a Friday drive shortens the night before a
//! Saturday long run, stress shortens sleep, busy mornings skip routines.

use crate::rng::Rng;
use jiff::civil::Date;

/// When a runner usually runs on a weekday.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Morning,
    Lunch,
    Evening,
}

/// A runner's habits (drawn once per runner) and logging behaviour.
#[derive(Clone)]
pub struct Habits {
    pub desk: bool,
    /// Mean hours seated at work on a workday.
    pub sit_mean: f64,
    /// Longest unbroken stretch as a share of seated work hours: small for people who get up often.
    pub break_frac: f64,
    pub commute_car: f64,
    pub p_friday_drive: f64,
    pub p_weekend_trip: f64,
    pub sleep_mean: f64,
    pub stress_mean: f64,
    pub runs_per_week: u32,
    /// 0 = Monday.
    pub long_day: u32,
    pub slot: Slot,
    pub speed: bool,
    pub track_for_speed: bool,
    /// Easy pace, minutes per km.
    pub easy_pace: f64,
    pub easy_km: f64,
    pub long_km: f64,
    pub trail_share: f64,
    pub hilly_roads: bool,
    pub p_pack_long: f64,
    pub p_pack_trail: f64,
    pub p_pack_other: f64,
    pub p_eat: f64,
    pub a_pre: f64,
    pub a_post: f64,
    /// Rides once a week (logged as cycling activities).
    pub rides: bool,
    /// Pain event probability per run with no trigger present (set by the scenario).
    pub base: f64,
    /// Weekly chance that a flare (pain twice as likely for 1–2 weeks, for no logged reason) starts.
    pub flare_rate: f64,
    // --- how the runner logs ---
    pub background_pain: bool,
    pub region: &'static str,
    pub half_points: bool,
    pub rating_noise: f64,
    pub p_zero_report: f64,
    pub timing_pref: &'static str,
    pub log_day_rate: f64,
    /// Chance that a field the runner usually fills in is filled in on a logged day.
    pub p_field: f64,
    pub logs_sitting: bool,
    pub logs_longest: bool,
    pub logs_car: bool,
    pub car_zero_as_null: bool,
    pub logs_sleep: bool,
    pub logs_stress: bool,
    pub p_log_pack: f64,
    pub p_log_surface: f64,
    pub p_log_eat: f64,
    pub p_log_routines: f64,
    pub p_log_pain: f64,
    pub p_label: f64,
    pub utc_offset_s: i32,
}

impl Habits {
    pub fn draw(rng: &mut Rng) -> Habits {
        let desk = rng.chance(0.6);
        let easy_km = rng.range(5.0, 11.0);
        let slot = if desk {
            rng.pick(&[Slot::Morning, Slot::Morning, Slot::Lunch, Slot::Evening, Slot::Evening, Slot::Evening])
        } else {
            rng.pick(&[Slot::Morning, Slot::Evening])
        };
        let long_day = if rng.chance(0.5) {
            5
        } else if rng.chance(0.8) {
            6
        } else {
            2
        };
        Habits {
            desk,
            sit_mean: if desk { rng.range(6.0, 9.5) } else { rng.range(2.0, 4.5) },
            break_frac: if rng.chance(0.4) { rng.range(0.2, 0.35) } else { rng.range(0.4, 0.75) },
            commute_car: if rng.chance(0.5) { rng.range(0.3, 1.3) } else { 0.0 },
            p_friday_drive: if rng.chance(0.35) { rng.range(0.1, 0.4) } else { 0.02 },
            p_weekend_trip: rng.range(0.03, 0.2),
            sleep_mean: rng.range(6.3, 8.0),
            stress_mean: rng.range(2.0, 6.0),
            runs_per_week: 3 + rng.below(4) as u32,
            long_day,
            slot,
            speed: rng.chance(0.6),
            track_for_speed: rng.chance(0.4),
            easy_pace: rng.range(4.8, 6.8),
            easy_km,
            long_km: rng.range(13.0, 26.0).max(easy_km * 1.5),
            trail_share: if rng.chance(0.4) { rng.range(0.1, 0.5) } else { rng.range(0.0, 0.05) },
            hilly_roads: rng.chance(0.25),
            p_pack_long: rng.range(0.2, 0.9),
            p_pack_trail: rng.range(0.4, 0.95),
            p_pack_other: rng.range(0.0, 0.08),
            p_eat: rng.range(0.05, 0.4),
            a_pre: rng.range(0.2, 0.9),
            a_post: rng.range(0.2, 0.85),
            rides: rng.chance(0.25),
            base: 0.15,
            flare_rate: rng.range(0.0, 0.08),
            background_pain: rng.chance(0.25),
            region: rng.pick(&["neck", "upper-trap-left", "upper-trap-right", "between-shoulder-blades", "neck"]),
            half_points: rng.chance(0.15),
            rating_noise: rng.range(0.3, 1.0),
            p_zero_report: if rng.chance(0.4) { rng.range(0.3, 0.9) } else { rng.range(0.0, 0.1) },
            timing_pref: rng.pick(&["during", "right-after", "right-after", "next-morning"]),
            log_day_rate: rng.range(0.5, 0.98),
            p_field: 0.95,
            logs_sitting: !rng.chance(0.1),
            logs_longest: !rng.chance(0.35),
            logs_car: !rng.chance(0.3),
            car_zero_as_null: rng.chance(0.5),
            logs_sleep: !rng.chance(0.25),
            logs_stress: !rng.chance(0.2),
            p_log_pack: if rng.chance(0.05) { 0.0 } else { rng.range(0.7, 1.0) },
            p_log_surface: rng.range(0.6, 1.0),
            p_log_eat: if rng.chance(0.2) { 0.0 } else { rng.range(0.5, 1.0) },
            p_log_routines: if rng.chance(0.15) { 0.0 } else { rng.range(0.6, 1.0) },
            p_log_pain: rng.range(0.8, 1.0),
            p_label: rng.range(0.9, 1.0),
            utc_offset_s: rng.pick(&[0, 3600, 3600, 7200, -18_000]),
        }
    }
}

impl Habits {
    /// Every day, every field, every pain logged (ratings keep their noise: that is the scale, not a gap).
    pub fn log_everything(&mut self) {
        self.log_day_rate = 1.0;
        self.p_field = 1.0;
        self.logs_sitting = true;
        self.logs_longest = true;
        self.logs_car = true;
        self.car_zero_as_null = false;
        self.logs_sleep = true;
        self.logs_stress = true;
        self.p_log_pack = 1.0;
        self.p_log_surface = 1.0;
        self.p_log_eat = 1.0;
        self.p_log_routines = 1.0;
        self.p_log_pain = 1.0;
        self.p_label = 1.0;
    }
}

/// One day as it was lived. `sleep` is the night before this day.
#[derive(Clone, Copy)]
pub struct Day {
    pub date: Date,
    pub weekday: u32,
    pub sitting: f64,
    pub longest: f64,
    pub car: f64,
    pub sleep: f64,
    pub stress: f64,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Easy,
    Long,
    Intervals,
    Tempo,
    Race,
}

/// One run as it happened.
#[derive(Clone)]
pub struct Run {
    pub day: usize,
    /// Local start, minutes after midnight.
    pub start_min: u32,
    pub kind: Kind,
    pub km: f64,
    pub moving_s: f64,
    pub elapsed_s: f64,
    pub trail: bool,
    /// `road`, `concrete`, `track`, `treadmill`, `trail`, `grass`.
    pub surface: &'static str,
    /// Metres climbed per km: not in the journal format (a hand-written journal has no ascent), so a trigger on
    /// it is hidden from the engine behind what travels with it (trail).
    pub climb_per_km: f64,
    pub pack: bool,
    pub ate: bool,
    pub pre_done: bool,
    pub post_done: bool,
    /// Pain event (the run brought pain of 3/10 or more), and its true intensity.
    pub pain_event: bool,
    pub pain_true: f64,
    /// The chance of a pain event this run had (for the scenario's realised base rates).
    pub p_pain: f64,
    /// The run fell in a flare week (the chance doubled): recorded for the oracle, never written to the journal.
    pub flare: bool,
}

impl Run {
    pub fn pace(&self) -> f64 {
        self.moving_s / 60.0 / self.km.max(0.1)
    }
}

/// A ride (cross-training), logged as a cycling activity.
#[derive(Clone, Copy)]
pub struct Ride {
    pub day: usize,
    pub hours: f64,
}

/// What a trigger can look at: the run, its day and the day before, as they really were.
pub struct Exposure<'a> {
    pub run: &'a Run,
    pub day: &'a Day,
    pub yesterday: Option<&'a Day>,
}

impl Exposure<'_> {
    /// Hours sitting before the run: the same day's for runs from noon on, yesterday's for morning runs (a desk
    /// day's sitting happens after a 6:30 run).
    pub fn sitting_before_run(&self) -> f64 {
        if self.run.start_min >= 12 * 60 { self.day.sitting } else { self.yesterday.map_or(0.0, |y| y.sitting) }
    }

    pub fn longest_before_run(&self) -> f64 {
        if self.run.start_min >= 12 * 60 { self.day.longest } else { self.yesterday.map_or(0.0, |y| y.longest) }
    }
}

pub struct Season {
    pub habits: Habits,
    pub days: Vec<Day>,
    pub runs: Vec<Run>,
    pub rides: Vec<Ride>,
}

fn clamp(v: f64, lo: f64, hi: f64) -> f64 {
    v.max(lo).min(hi)
}

/// Lives a season until `target_runs` runs are done. `multiplier` is the scenario's planted effect on the chance of
/// a pain event (1 where no trigger is present).
pub fn simulate(
    h: &Habits,
    start: Date,
    target_runs: usize,
    rng: &mut Rng,
    multiplier: &dyn Fn(&Exposure) -> f64,
) -> Season {
    let mut days: Vec<Day> = Vec::new();
    let mut runs: Vec<Run> = Vec::new();
    let mut rides = Vec::new();
    let mut date = start;
    let mut prev_stress = h.stress_mean;
    let mut prev_drive = 0.0;
    let mut planned: Vec<(u32, Kind)> = Vec::new();
    let mut flare_left = 0u32;
    let ride_day = if h.long_day == 6 { 2 } else { 6 };
    let mut week = 0u32;
    while runs.len() < target_runs {
        let weekday = date.weekday().to_monday_zero_offset() as u32;
        if weekday == 0 || days.is_empty() {
            planned = plan_week(h, week, rng);
            if flare_left > 0 {
                flare_left -= 1;
            } else if rng.chance(h.flare_rate) {
                flare_left = 1 + rng.below(2) as u32;
            }
            if weekday == 0 {
                week += 1;
            }
        }
        let workday = weekday < 5;
        let stress = clamp(rng.normal(h.stress_mean - if workday { 0.0 } else { 1.5 }, 1.5), 0.0, 10.0);
        let mut car = if workday && h.commute_car > 0.0 { h.commute_car * rng.range(0.8, 1.2) } else { 0.0 };
        let mut trip: f64 = 0.0;
        if weekday == 4 && rng.chance(h.p_friday_drive) {
            trip = rng.range(2.0, 5.0);
        } else if weekday >= 5 && rng.chance(h.p_weekend_trip) {
            trip = rng.range(1.5, 4.5);
        }
        car += trip;
        let seated = if workday {
            clamp(rng.normal(h.sit_mean, if h.desk { 1.2 } else { 0.8 }), 0.3, 13.0)
        } else {
            clamp(rng.normal(2.5, 1.0), 0.3, 8.0)
        };
        let sitting = clamp(seated + car, 0.0, 16.0);
        let longest = clamp((seated * h.break_frac * rng.range(0.8, 1.25)).max(trip), 0.0, sitting);
        let sleep = clamp(
            rng.normal(
                h.sleep_mean + if weekday >= 5 { 0.4 } else { 0.0 }
                    - 0.2 * (prev_stress - 5.0).max(0.0)
                    - if prev_drive > 3.0 { 0.5 } else { 0.0 },
                0.6,
            ),
            3.5,
            11.0,
        );
        days.push(Day { date, weekday, sitting, longest, car, sleep, stress });
        let di = days.len() - 1;
        if h.rides && weekday == ride_day && rng.chance(0.8) {
            rides.push(Ride { day: di, hours: rng.range(1.0, 3.0) });
        }
        if let Some(&(_, kind)) = planned.iter().find(|(d, _)| *d == weekday) {
            let skip = 0.07 + if sleep < 6.0 { 0.1 } else { 0.0 } + if stress > 7.0 { 0.05 } else { 0.0 };
            if !rng.chance(skip) {
                let mut run = make_run(h, &days[di], di, kind, week, rng);
                let e = Exposure { run: &run, day: &days[di], yesterday: di.checked_sub(1).map(|i| &days[i]) };
                let flare = if flare_left > 0 { 2.0 } else { 1.0 };
                let p = (h.base * flare * multiplier(&e)).min(0.9);
                run.p_pain = p;
                run.flare = flare_left > 0;
                run.pain_event = rng.chance(p);
                run.pain_true = if run.pain_event {
                    (3.0 + rng.exponential(1.5)).min(9.5)
                } else if rng.chance(0.5) {
                    0.0
                } else {
                    rng.range(0.5, 2.4)
                };
                runs.push(run);
            }
        }
        prev_stress = stress;
        prev_drive = trip;
        date = match date.tomorrow() {
            Ok(d) => d,
            Err(_) => break,
        };
    }
    Season { habits: h.clone(), days, runs, rides }
}

/// The week's runs: the long run on its day, speed work on Tuesday or Thursday, the rest on the runner's usual days.
fn plan_week(h: &Habits, week: u32, rng: &mut Rng) -> Vec<(u32, Kind)> {
    let race_week = (week == 12 || week == 25) && h.long_day >= 5 && rng.chance(0.5);
    let mut plan = vec![(h.long_day, if race_week { Kind::Race } else { Kind::Long })];
    let other_weekend = if h.long_day == 5 { 6 } else { 5 };
    for d in [1, 3, other_weekend, 0, 2, 4, 5, 6] {
        if plan.len() as u32 >= h.runs_per_week {
            break;
        }
        if plan.iter().any(|(p, _)| *p == d) {
            continue;
        }
        // One speed session a week, on Tuesday, alternating intervals and tempo.
        let kind = match (h.speed && d == 1, week.is_multiple_of(2)) {
            (true, true) => Kind::Intervals,
            (true, false) => Kind::Tempo,
            (false, _) => Kind::Easy,
        };
        plan.push((d, kind));
    }
    plan
}

fn make_run(h: &Habits, day: &Day, di: usize, kind: Kind, week: u32, rng: &mut Rng) -> Run {
    let weekend = day.weekday >= 5;
    let build = (0.8 + 0.35 * (f64::from(week) / 18.0).min(1.0)) * if week % 4 == 3 { 0.75 } else { 1.0 };
    let (mut km, mut pace) = match kind {
        Kind::Long => (h.long_km * build * rng.range(0.92, 1.08), h.easy_pace + 0.15 + rng.normal(0.0, 0.1)),
        Kind::Race => (if rng.chance(0.5) { 10.0 } else { 21.1 }, h.easy_pace - 1.1 + rng.normal(0.0, 0.1)),
        Kind::Intervals => (rng.range(7.0, 11.0), h.easy_pace - 0.5 + rng.normal(0.0, 0.1)),
        Kind::Tempo => (rng.range(8.0, 13.0), h.easy_pace - 0.85 + rng.normal(0.0, 0.1)),
        Kind::Easy => {
            (h.easy_km * rng.range(0.8, 1.25) * if weekend { 1.15 } else { 1.0 }, h.easy_pace + rng.normal(0.0, 0.15))
        }
    };
    let trail = match kind {
        Kind::Long => rng.chance((h.trail_share * 1.6).min(0.9)),
        Kind::Easy if weekend => rng.chance(h.trail_share),
        Kind::Easy => rng.chance(h.trail_share * 0.2),
        _ => false,
    };
    if trail {
        pace += rng.range(0.6, 1.4);
        km *= 0.9;
    }
    let surface = if trail {
        "trail"
    } else if matches!(kind, Kind::Intervals | Kind::Tempo) && h.track_for_speed {
        "track"
    } else if kind == Kind::Easy && !weekend && rng.chance(0.06) {
        "treadmill"
    } else if rng.chance(0.03) {
        "grass"
    } else if rng.chance(0.1) {
        "concrete"
    } else {
        "road"
    };
    let climb_per_km = if trail {
        rng.range(15.0, 60.0)
    } else if surface == "track" || surface == "treadmill" {
        0.0
    } else if h.hilly_roads {
        rng.range(8.0, 30.0)
    } else {
        rng.range(2.0, 12.0)
    };
    let start_min = match (kind, weekend) {
        (Kind::Long | Kind::Race, _) => (8 * 60 + rng.normal(0.0, 45.0) as i32).clamp(5 * 60, 11 * 60) as u32,
        (_, true) => (9 * 60 + rng.normal(0.0, 60.0) as i32).clamp(6 * 60, 17 * 60) as u32,
        (_, false) => {
            let base = match h.slot {
                Slot::Morning => 6 * 60 + 30,
                Slot::Lunch => 12 * 60 + 15,
                Slot::Evening => 18 * 60 + 30,
            };
            (base + rng.normal(0.0, 25.0) as i32).clamp(5 * 60, 20 * 60 + 30) as u32
        }
    };
    let pack = match kind {
        Kind::Race => false,
        _ if trail => rng.chance(h.p_pack_trail),
        Kind::Long => rng.chance((h.p_pack_long + if km >= 18.0 { 0.15 } else { 0.0 }).min(0.98)),
        _ => rng.chance(h.p_pack_other),
    };
    let eat_mult = if start_min < 9 * 60 {
        0.4
    } else if start_min < 15 * 60 {
        0.9
    } else {
        1.5
    };
    let rushed = !weekend && h.slot != Slot::Evening;
    let busy = 0.03 * (day.stress - 5.0).max(0.0);
    let moving_s = km * pace * 60.0;
    Run {
        day: di,
        start_min,
        kind,
        km,
        moving_s,
        elapsed_s: moving_s * if trail { rng.range(1.03, 1.12) } else { rng.range(1.0, 1.05) },
        trail,
        surface,
        climb_per_km,
        pack,
        ate: rng.chance((h.p_eat * eat_mult).min(0.9)),
        pre_done: rng.chance(h.a_pre - busy - if rushed { 0.15 } else { 0.0 }),
        post_done: rng.chance(h.a_post - busy - if rushed { 0.2 } else { 0.0 }),
        pain_event: false,
        pain_true: 0.0,
        p_pain: 0.0,
        flare: false,
    }
}
