//! A generated ten-year journal: what a runner who has worn a watch since a decade ago and used runtall all along
//! would have in their database.
//!
//! ~5.7 runs a week (intervals on Tuesday, easy on Wednesday, tempo or easy on Thursday, often an easy Friday, easy
//! or trail on Saturday, the long run on Sunday, a spring and an autumn race), with fitness that improves for four
//! years and then slowly fades, winters a little slower, a week off now and then. Each run is simulated second by
//! second like a watch records it (distance, speed, heart rate with lag and drift, cadence, barometric altitude,
//! GPS position; auto-pause at traffic lights, optical heart-rate and GPS dropouts, treadmill runs without GPS), with
//! auto-laps or the session's own work/rest laps, and classified by the real classifier against the eight weeks
//! before it. Around it: run context, pain reports linked to runs and from the desk, day logs, and a safety check
//! every month or so with an assessment each quarter and the plan each of them produced — so the history tables
//! are as long as a decade of use makes them, not one row each.
//!
//! Everything comes from one seeded generator, so the journal is the same on every run; dates are anchored to
//! today so that "the last 30 days" pages have content.

use jiff::civil::{Date, Weekday};
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use runtall_domain::activity::{Activity, Lap, LapIntensity, RunningDynamics, Samples, SourceFile, Sport};
use runtall_domain::assess::{Assessment, AssessmentRecord, DayHours, Region, Score, Surface, parse_answers};
use runtall_domain::classify::{self, RunSummary};
use runtall_domain::journal::{DayLog, PainReport, PainTiming, ReliefUse, RunContext};
use runtall_domain::plan::{self, PlanRecord};
use runtall_domain::screen::{self, ScreenAnswers, ScreeningRecord};
use runtall_store::{AddOutcome, Store};
use std::collections::VecDeque;

pub use runtall_insights::rng::SplitMix64;

/// The documented example answers (the demo runner's), varied over the years.
const ASSESSMENT: &str = include_str!("../../../../examples/assessment.toml");

/// What the generator wrote.
#[derive(Debug, Default)]
pub struct Written {
    pub run_ids: Vec<i64>,
    pub samples: usize,
    pub pain_reports: usize,
    pub day_logs: usize,
    pub run_contexts: usize,
    pub screenings: usize,
    pub assessments: usize,
    pub plans: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Easy,
    Recovery,
    Long,
    Tempo,
    Intervals,
    Trail,
    Race,
    Treadmill,
}

/// One stretch of a session at a steady target: distance, speed, heart rate, and how the watch laps it.
#[derive(Debug, Clone, Copy)]
struct Segment {
    dist_m: f64,
    speed_mps: f64,
    hr_bpm: f64,
    intensity: Option<LapIntensity>,
    /// Auto-lap every kilometre (continuous running) or one lap for the whole stretch (a rep, a recovery).
    auto_lap: bool,
}

impl Segment {
    fn steady(dist_m: f64, speed_mps: f64, hr_bpm: f64) -> Segment {
        Segment { dist_m, speed_mps, hr_bpm, intensity: Some(LapIntensity::Active), auto_lap: true }
    }

    fn lap(dist_m: f64, speed_mps: f64, hr_bpm: f64, intensity: LapIntensity) -> Segment {
        Segment { dist_m, speed_mps, hr_bpm, intensity: Some(intensity), auto_lap: false }
    }
}

/// Home (Zürich): runs start from one of a few routes around it.
const HOME: (f64, f64) = (47.37, 8.54);
const RACES: [(&str, f64); 6] = [
    ("Zürich Marathon", 42_195.0),
    ("Greifenseelauf half marathon", 21_097.5),
    ("Silvesterlauf 10 km", 10_000.0),
    ("Parkrun 5 km", 5_000.0),
    ("Basel half marathon", 21_097.5),
    ("Lausanne 10 km", 10_000.0),
];

/// Central European time with summer time approximated by month (good enough for a sample journal).
fn offset_s(date: Date) -> i32 {
    if (4..=10).contains(&date.month()) { 7200 } else { 3600 }
}

fn at(date: Date, hour: i8, minute: i8) -> Timestamp {
    let offset = Offset::from_seconds(offset_s(date)).unwrap_or(Offset::UTC);
    date.at(hour, minute, 0, 0)
        .to_zoned(TimeZone::fixed(offset))
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

fn plus_s(t: Timestamp, s: f64) -> Timestamp {
    t.checked_add(SignedDuration::from_secs_f64(s)).unwrap_or(t)
}

/// The runner's easy speed on a date: four years of improvement, then a slow fade; winters ~3% slower.
fn easy_speed(years: f64, date: Date) -> f64 {
    let pace = 372.0 - 48.0 * (years / 4.0).min(1.0) + 4.0 * (years - 6.0).max(0.0);
    let winter = if matches!(date.month(), 12 | 1 | 2) { 1.03 } else { 1.0 };
    1000.0 / (pace * winter)
}

/// The session for a kind of run, as segments; the long run grows through each training block.
fn session(rng: &mut SplitMix64, kind: Kind, v: f64, week_in_block: i64) -> (Vec<Segment>, Option<String>) {
    match kind {
        Kind::Easy | Kind::Treadmill => (vec![Segment::steady(rng.uniform(6.0, 12.0) * 1000.0, v, 142.0)], None),
        Kind::Recovery => (vec![Segment::steady(rng.uniform(4.5, 7.0) * 1000.0, v * 0.92, 132.0)], None),
        Kind::Trail => (vec![Segment::steady(rng.uniform(10.0, 24.0) * 1000.0, v * 0.84, 150.0)], None),
        Kind::Long => {
            let km = 16.0 + (week_in_block as f64 * 1.2).min(14.0) + rng.uniform(-1.5, 1.5);
            (vec![Segment::steady(km * 1000.0, v * 0.96, 146.0)], None)
        }
        Kind::Tempo => {
            let km = rng.uniform(5.0, 9.0).round();
            let segs = vec![
                Segment::lap(2000.0, v, 138.0, LapIntensity::Warmup),
                Segment::lap(km * 1000.0, v * 1.17, 166.0, LapIntensity::Active),
                Segment::lap(1500.0, v * 0.95, 145.0, LapIntensity::Cooldown),
            ];
            (segs, Some(format!("Tempo {km:.0} km")))
        }
        Kind::Intervals => {
            let (reps, dist, factor, rest) =
                [(10, 400.0, 1.32, 200.0), (6, 800.0, 1.27, 400.0), (5, 1000.0, 1.24, 400.0), (4, 1600.0, 1.2, 400.0)]
                    [rng.index(4)];
            let mut segs = vec![Segment::lap(2000.0, v, 138.0, LapIntensity::Warmup)];
            for _ in 0..reps {
                segs.push(Segment::lap(dist, v * factor, 172.0, LapIntensity::Interval));
                segs.push(Segment::lap(rest, v * 0.7, 145.0, LapIntensity::Recovery));
            }
            segs.push(Segment::lap(1500.0, v * 0.95, 142.0, LapIntensity::Cooldown));
            (segs, Some(format!("{reps} × {dist:.0} m")))
        }
        Kind::Race => {
            let (name, dist) = RACES[rng.index(RACES.len())];
            // Riegel: race speed relative to the runner's 10 km speed (~1.25 × easy).
            let speed = v * 1.25 * (10_000.0f64 / dist).powf(0.06);
            let gps = 1.0 + rng.uniform(-0.005, 0.015);
            (vec![Segment::steady(dist * gps, speed, 174.0)], Some(name.to_string()))
        }
    }
}

/// Altitude of a route at a distance: rolling roads, or real hills on trails.
fn terrain(route: u64, d: f64, hilly: bool) -> f64 {
    let phase = (route % 97) as f64;
    let base = 410.0 + (route % 7) as f64 * 12.0;
    if hilly {
        base + 85.0 * (d / 1400.0 + phase).sin() + 30.0 * (d / 420.0 + phase * 0.3).sin() + 8.0 * (d / 90.0).sin()
    } else {
        base + 7.0 * (d / 800.0 + phase).sin() + 2.0 * (d / 150.0).sin()
    }
}

/// Position on one of the runner's loops around home.
fn position(route: u64, d: f64) -> (f64, f64) {
    let radius_m = 1200.0 + (route % 5) as f64 * 600.0;
    let angle = d / radius_m + (route % 13) as f64;
    let wiggle = 40.0 * (d / 230.0).sin();
    let (y, x) = ((radius_m + wiggle) * angle.cos(), (radius_m + wiggle) * angle.sin());
    (HOME.0 + y / 111_320.0, HOME.1 + x / (111_320.0 * HOME.0.to_radians().cos()))
}

/// One simulated recording: samples at 1 Hz while moving (auto-pause stops the clock at traffic lights), laps, and
/// the totals a watch writes into its session message.
struct Recording {
    samples: Samples,
    laps: Vec<Lap>,
    elapsed_s: f64,
    moving_s: f64,
    distance_m: f64,
    ascent_m: f64,
    descent_m: f64,
}

fn simulate(rng: &mut SplitMix64, segments: &[Segment], route: u64, hilly: bool, indoor: bool) -> Recording {
    let mut s = Samples::default();
    let mut laps = Vec::new();
    let (mut t, mut paused, mut d) = (0.0f64, 0.0f64, 0.0f64);
    let mut hr = 95.0f64;
    let mut wobble = 0.0f64;
    // Optical heart-rate and GPS dropouts: a stretch of the run with no value.
    let hr_gap = rng.chance(0.05).then(|| {
        let from = rng.uniform(300.0, 1800.0);
        (from, from + rng.uniform(30.0, 180.0))
    });
    let gps_gap = (!indoor && rng.chance(0.02)).then(|| {
        let from = rng.uniform(200.0, 1500.0);
        (from, from + rng.uniform(20.0, 90.0))
    });
    let stops = !indoor && !hilly;
    let mut next_stop = rng.uniform(800.0, 4000.0);
    for seg in segments {
        let seg_end = d + seg.dist_m;
        let mut lap_from = s.len();
        let mut lap_start_t = t;
        let mut lap_start_d = d;
        let mut lap_paused = paused;
        while d < seg_end {
            if stops && d > next_stop && seg.auto_lap {
                // A red light: the watch auto-pauses; no samples while standing.
                let wait = rng.uniform(10.0, 50.0);
                t += wait;
                paused += wait;
                hr -= 10.0;
                next_stop = d + rng.uniform(1500.0, 6000.0);
            }
            wobble = 0.96 * wobble + 0.008 * rng.normal();
            let alt = terrain(route, d, hilly);
            let grade = (terrain(route, d + 5.0, hilly) - alt) / 5.0;
            let v = (seg.speed_mps * (1.0 + wobble) * (1.0 - 2.5 * grade).clamp(0.6, 1.2)).max(0.8);
            // Heart rate follows the effort with ~25 s lag and drifts up ~6 bpm an hour.
            let target = seg.hr_bpm + 6.0 * (t - paused) / 3600.0 + 60.0 * grade.max(0.0);
            hr += (target - hr) / 25.0 + 0.6 * rng.normal();
            let in_gap = |gap: Option<(f64, f64)>| gap.is_some_and(|(a, b)| (a..b).contains(&t));
            let (lat, lon) = if indoor || in_gap(gps_gap) { (None, None) } else { Some(position(route, d)).unzip() };
            s.push(
                t,
                Some((d * 100.0).round() / 100.0),
                Some((v * 1000.0).round() / 1000.0),
                (!in_gap(hr_gap)).then_some(hr.clamp(70.0, 200.0).round()),
                Some((152.0 + 8.5 * v + 1.5 * rng.normal()).round()),
                (!indoor).then_some((alt * 10.0).round() / 10.0),
                lat,
                lon,
            );
            t += 1.0;
            d += v;
            let lap_due = if seg.auto_lap { d - lap_start_d >= 1000.0 || d >= seg_end } else { d >= seg_end };
            if lap_due {
                laps.push(lap_of(&s, lap_from, lap_start_t, t, lap_start_d, d, paused - lap_paused, seg));
                lap_from = s.len();
                lap_start_t = t;
                lap_start_d = d;
                lap_paused = paused;
            }
        }
    }
    let (mut ascent, mut descent) = (0.0, 0.0);
    for w in s.altitude_m.windows(2) {
        if let [Some(a), Some(b)] = w {
            if b > a {
                ascent += b - a;
            } else {
                descent += a - b;
            }
        }
    }
    Recording {
        samples: s,
        laps,
        elapsed_s: t,
        moving_s: t - paused,
        distance_m: d,
        ascent_m: ascent,
        descent_m: descent,
    }
}

#[allow(clippy::too_many_arguments)]
fn lap_of(s: &Samples, from: usize, t0: f64, t1: f64, d0: f64, d1: f64, paused: f64, seg: &Segment) -> Lap {
    let hrs: Vec<f64> = s.hr_bpm[from..].iter().flatten().copied().collect();
    let cads: Vec<f64> = s.cadence_spm[from..].iter().flatten().copied().collect();
    let speeds = s.speed_mps[from..].iter().flatten().copied();
    let mean = |v: &[f64]| (!v.is_empty()).then(|| (v.iter().sum::<f64>() / v.len() as f64 * 10.0).round() / 10.0);
    let moving = t1 - t0 - paused;
    Lap {
        start_offset_s: t0,
        elapsed_s: t1 - t0,
        moving_s: Some(moving),
        distance_m: ((d1 - d0) * 100.0).round() / 100.0,
        avg_speed_mps: (moving > 0.0).then(|| ((d1 - d0) / moving * 1000.0).round() / 1000.0),
        max_speed_mps: speeds.fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v)))),
        avg_hr_bpm: mean(&hrs),
        max_hr_bpm: hrs.iter().copied().fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v)))),
        avg_cadence_spm: mean(&cads),
        intensity: seg.intensity,
        trigger: Some(if seg.auto_lap { "distance" } else { "manual" }.to_string()),
    }
}

fn hex_hash(rng: &mut SplitMix64) -> String {
    (0..4).map(|_| format!("{:016x}", rng.next_u64())).collect()
}

fn device(years: f64) -> &'static str {
    if years < 3.0 {
        "Garmin Forerunner 235"
    } else if years < 7.0 {
        "Garmin Forerunner 245"
    } else {
        "Garmin Forerunner 965"
    }
}

/// Which run, if any, the runner does on a day of the week (before skips and breaks).
fn planned(rng: &mut SplitMix64, weekday: Weekday, week: i64, race_week: bool, winter: bool) -> Option<Kind> {
    match weekday {
        Weekday::Monday => rng.chance(0.2).then_some(Kind::Recovery),
        Weekday::Tuesday if winter && rng.chance(0.3) => Some(Kind::Treadmill),
        Weekday::Tuesday => Some(if race_week { Kind::Easy } else { Kind::Intervals }),
        Weekday::Wednesday => Some(Kind::Easy),
        Weekday::Thursday => Some(if week % 2 == 0 && !race_week { Kind::Tempo } else { Kind::Easy }),
        Weekday::Friday => rng.chance(0.85).then_some(Kind::Easy),
        Weekday::Saturday if race_week => Some(Kind::Recovery),
        Weekday::Saturday => Some(if week % 3 == 1 { Kind::Trail } else { Kind::Easy }),
        Weekday::Sunday => Some(if race_week { Kind::Race } else { Kind::Long }),
    }
}

fn activity_name(kind: Kind, named: Option<String>, hour: i8, hilly: bool) -> Option<String> {
    named.or_else(|| {
        Some(
            match kind {
                Kind::Treadmill => "Treadmill Run",
                Kind::Trail if hilly => "Trail Run: Üetliberg",
                Kind::Long => "Sunday long run",
                _ if hour < 10 => "Morning Run",
                _ if hour < 14 => "Lunch Run",
                _ => "Evening Run",
            }
            .to_string(),
        )
    })
}

const PAIN_NOTES: [&str; 5] = [
    "vest bounced on the descents",
    "tight between the shoulder blades after the hill reps",
    "long day at the laptop before",
    "forgot the pre-run routine",
    "cold wind, shoulders up",
];

/// Writes the journal into `store`: `years` years of runs ending yesterday, and everything around them.
pub fn generate(store: &dyn Store, years: i64, seed: u64) -> Result<Written, Box<dyn std::error::Error>> {
    let program = runtall_content::program();
    let mut rng = SplitMix64::new(seed);
    let mut out = Written::default();
    let today = Timestamp::now().to_zoned(TimeZone::UTC).date();
    let last_day = today.yesterday()?;
    let total_days = years * 365 + years / 4;
    let first = last_day.checked_sub(SignedDuration::from_hours(24 * (total_days - 1)))?;
    let base_assessment: Assessment = parse_answers("examples/assessment.toml", ASSESSMENT)?;
    store.save_profile(&runtall_domain::profile::Profile {
        name: "Alex (ten-year benchmark journal)".into(),
        ..Default::default()
    })?;

    let mut history: VecDeque<RunSummary> = VecDeque::new();
    let mut next_screen = first;
    let mut next_assessment = first;
    let mut assessed: Option<AssessmentRecord> = None;
    let mut break_until: Option<Date> = None;
    let mut date = first;
    for day in 0..total_days {
        let years_in = day as f64 / 365.25;
        let progress = day as f64 / total_days as f64;
        let week = day / 7;
        let weekday = date.weekday();
        let winter = matches!(date.month(), 11 | 12 | 1 | 2);
        // Races in the 10th week of the spring and autumn blocks (blocks of 12 weeks, two a year).
        let week_in_block = week % 26;
        let race_week = week_in_block == 11;

        // The safety check about monthly (it asks again after four weeks), an assessment each quarter, and the plan
        // each of them produced; the last check is taken a few days ago so the program is open today.
        let final_check = date == last_day.checked_sub(SignedDuration::from_hours(24 * 4))?;
        if date >= next_screen || final_check {
            let answers = ScreenAnswers::all_no(program);
            let outcome = screen::evaluate(program, &answers)?;
            let mut r =
                ScreeningRecord { id: None, taken_at: at(date, 7, 30), answers, outcome, clinician_checked_at: None };
            r.id = Some(store.add_screening(&r)?);
            out.screenings += 1;
            next_screen = date.checked_add(SignedDuration::from_hours(24 * (28 + rng.index(14) as i64)))?;
            if date >= next_assessment {
                let mut a = base_assessment.clone();
                let pain = (5.0 - 3.0 * progress + rng.uniform(-1.0, 1.0)).round().clamp(1.0, 8.0);
                a.baseline_pain = Score::new(pain)?;
                let mut record = AssessmentRecord { id: None, taken_at: at(date, 7, 40), assessment: a };
                record.id = Some(store.add_assessment(&record)?);
                out.assessments += 1;
                assessed = Some(record);
                next_assessment = date.checked_add(SignedDuration::from_hours(24 * 91))?;
            }
            if let Some(a) = &assessed {
                let permissions = runtall_domain::safety::gate(
                    program,
                    &runtall_domain::safety::SafetyInputs { screening: Some(&r), assessment: Some(&a.assessment) },
                );
                let built = plan::build(program, &a.assessment, &permissions)?;
                store.add_plan(&PlanRecord {
                    id: None,
                    created_at: at(date, 7, 45),
                    screening_id: r.id,
                    assessment_id: a.id,
                    plan: built,
                })?;
                out.plans += 1;
            }
        }

        // One short day log on most days.
        let workday = !matches!(weekday, Weekday::Saturday | Weekday::Sunday);
        let sitting = if workday { rng.uniform(6.5, 10.5) } else { rng.uniform(1.5, 4.5) };
        if rng.chance(0.8) {
            let half = |h: f64| DayHours::new((h * 2.0).round() / 2.0).ok();
            let mut relief = Vec::new();
            if rng.chance(0.06) {
                relief.push(ReliefUse::Heat);
            }
            let magnesium = rng.chance(0.1).then_some(250);
            if magnesium.is_some() {
                relief.push(ReliefUse::Magnesium);
            }
            store.put_day_log(&DayLog {
                date,
                sitting_h: half(sitting),
                longest_sitting_h: half(sitting * rng.uniform(0.2, 0.45)),
                car_h: half(if rng.chance(0.08) { rng.uniform(1.5, 4.0) } else { 0.0 }),
                sleep_h: half(rng.uniform(5.5, 8.5)),
                stress: Score::new(if workday { rng.uniform(3.0, 7.0) } else { rng.uniform(1.0, 4.0) }.round()).ok(),
                strength_done: matches!(weekday, Weekday::Monday | Weekday::Thursday)
                    && rng.chance(0.4 + 0.4 * progress),
                mobility_done: rng.chance(0.35 + 0.5 * progress),
                relief,
                magnesium_mg: magnesium,
            })?;
            out.day_logs += 1;
        }
        if workday && sitting > 9.0 && rng.chance(0.3 - 0.15 * progress) {
            store.add_pain_report(&PainReport {
                id: None,
                at: at(date, 16, 30),
                timing: PainTiming::AtDesk,
                region: if rng.chance(0.7) { Region::Neck } else { Region::UpperTrapRight },
                intensity: Score::new(rng.uniform(2.0, 4.0).round())?,
                run_id: None,
                notes: None,
            })?;
            out.pain_reports += 1;
        }

        // A week off about once a year (a cold, a holiday), and the odd skipped run.
        if break_until.is_none_or(|b| date > b) && rng.chance(1.0 / 365.0) {
            break_until = date.checked_add(SignedDuration::from_hours(24 * 7)).ok();
        }
        let on_break = break_until.is_some_and(|b| date <= b);
        let kind = planned(&mut rng, weekday, week, race_week, winter).filter(|_| !on_break && !rng.chance(0.04));
        if let Some(kind) = kind {
            let id = add_run(store, &mut rng, &mut history, &mut out, date, kind, years_in, week_in_block, progress)?;
            out.run_ids.push(id);
        }
        date = date.tomorrow()?;
    }
    Ok(out)
}

/// Simulates, classifies and stores one run with its context and any pain it brought.
#[allow(clippy::too_many_arguments)]
fn add_run(
    store: &dyn Store,
    rng: &mut SplitMix64,
    history: &mut VecDeque<RunSummary>,
    out: &mut Written,
    date: Date,
    kind: Kind,
    years_in: f64,
    week_in_block: i64,
    progress: f64,
) -> Result<i64, Box<dyn std::error::Error>> {
    let weekend = matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday);
    let (hour, minute) = if weekend {
        (8 + rng.index(2) as i8, 15 * rng.index(4) as i8)
    } else if rng.chance(0.3) {
        (6, 30)
    } else if rng.chance(0.2) {
        (12, 10)
    } else {
        (18, 5 * rng.index(10) as i8)
    };
    let start = at(date, hour, minute);
    let v = easy_speed(years_in, date);
    let (segments, named) = session(rng, kind, v, week_in_block % 12);
    let hilly = kind == Kind::Trail || (kind == Kind::Long && rng.chance(0.2));
    let indoor = kind == Kind::Treadmill;
    let route = rng.next_u64();
    let rec = simulate(rng, &segments, route, hilly, indoor);
    let years_device = years_in;
    let hrs: Vec<f64> = rec.samples.hr_bpm.iter().flatten().copied().collect();
    let cads: Vec<f64> = rec.samples.cadence_spm.iter().flatten().copied().collect();
    let mean = |v: &[f64]| (!v.is_empty()).then(|| (v.iter().sum::<f64>() / v.len() as f64).round());
    let avg_cadence = mean(&cads);
    let speed = rec.distance_m / rec.moving_s.max(1.0);
    let activity = Activity {
        sport: match kind {
            Kind::Trail => Sport::TrailRunning,
            Kind::Treadmill => Sport::TreadmillRunning,
            _ => Sport::Running,
        },
        sub_sport: match kind {
            Kind::Trail => Some("trail".into()),
            Kind::Treadmill => Some("treadmill".into()),
            _ => Some("generic".into()),
        },
        name: activity_name(kind, named, hour, hilly),
        start,
        utc_offset_s: Some(offset_s(date)),
        elapsed_s: rec.elapsed_s,
        moving_s: rec.moving_s,
        distance_m: (rec.distance_m * 100.0).round() / 100.0,
        ascent_m: (!indoor).then_some(rec.ascent_m.round()),
        descent_m: (!indoor).then_some(rec.descent_m.round()),
        avg_hr_bpm: mean(&hrs),
        max_hr_bpm: hrs.iter().copied().reduce(f64::max),
        avg_cadence_spm: avg_cadence,
        avg_respiration_brpm: (years_device >= 7.0).then(|| (28.0 + 4.0 * speed + rng.uniform(-2.0, 2.0)).round()),
        dynamics: (years_device >= 4.0).then(|| RunningDynamics {
            vertical_oscillation_mm: Some(rng.uniform(82.0, 96.0).round()),
            stance_time_ms: Some(rng.uniform(235.0, 265.0).round()),
            step_length_mm: avg_cadence.map(|c| (speed / (c / 60.0) * 1000.0).round()),
            vertical_ratio_pct: Some((rng.uniform(7.2, 8.6) * 10.0).round() / 10.0),
        }),
        device: Some(device(years_device).into()),
        quality: Default::default(),
        laps: rec.laps,
        samples: rec.samples,
        source: SourceFile {
            path: format!("garmin-export.zip!DI_CONNECT/DI-Connect-Uploaded-Files/{}_{}.fit", date, out.run_ids.len()),
            format: "fit".into(),
            content_hash: hex_hash(rng),
        },
        warnings: vec![],
    };
    let from = start.checked_sub(SignedDuration::from_hours(24 * classify::HISTORY_DAYS))?;
    while history.front().is_some_and(|r| r.start < from) {
        history.pop_front();
    }
    let (recent, older) = history.as_slices();
    let recent: Vec<RunSummary> = recent.iter().chain(older).cloned().collect();
    let classification = classify::classify(&activity, &recent);
    history.push_back(RunSummary::of(&activity));
    out.samples += activity.samples.len();
    let id = match store.add_activity(&activity, Some(&classification))? {
        AddOutcome::Added { id } => id,
        other => return Err(format!("generated run on {date} was not added: {other:?}").into()),
    };

    // Context for most runs: the vest goes on for long and trail runs, less often as the years teach.
    let pack = match kind {
        Kind::Long => rng.chance(0.75 - 0.35 * progress),
        Kind::Trail => rng.chance(0.85),
        _ => rng.chance(0.03),
    };
    let pre = rng.chance(0.4 + 0.45 * progress);
    if rng.chance(0.85) {
        store.put_run_context(&RunContext {
            run_id: id,
            pack: Some(pack),
            surface: Some(match kind {
                Kind::Trail => Surface::Trail,
                Kind::Treadmill => Surface::Treadmill,
                Kind::Intervals if rng.chance(0.5) => Surface::Track,
                _ => Surface::Road,
            }),
            ate_within_2h: Some(rng.chance(0.2)),
            pre_run_done: Some(pre),
            post_run_done: Some(rng.chance(0.35 + 0.45 * progress)),
        })?;
        out.run_contexts += 1;
    }
    // Pain: the vest on long efforts, speed work and a skipped warm-up make it likelier; it eases over the years.
    let mut p = 0.05 + 0.08 * (1.0 - progress);
    if pack && matches!(kind, Kind::Long | Kind::Trail) {
        p += 0.35 * (1.0 - 0.5 * progress);
    }
    if matches!(kind, Kind::Intervals | Kind::Race) {
        p += 0.06;
    }
    if !pre {
        p += 0.05;
    }
    if rng.chance(p) {
        let end = plus_s(start, activity.elapsed_s);
        let (when, timing) = match rng.index(20) {
            0..=10 => (plus_s(end, 40.0 * 60.0), PainTiming::RightAfter),
            11..=16 => (at(date.tomorrow()?, 7, 10), PainTiming::NextMorning),
            _ => (plus_s(start, activity.elapsed_s * 0.7), PainTiming::During),
        };
        let region =
            [Region::Neck, Region::Neck, Region::BetweenShoulderBlades, Region::UpperTrapRight, Region::MidBack]
                [rng.index(5)];
        store.add_pain_report(&PainReport {
            id: None,
            at: when,
            timing,
            region,
            intensity: Score::new((rng.uniform(2.5, 6.5) - 1.5 * progress).round().clamp(1.0, 8.0))?,
            run_id: Some(id),
            notes: rng.chance(0.2).then(|| PAIN_NOTES[rng.index(PAIN_NOTES.len())].to_string()),
        })?;
        out.pain_reports += 1;
    }
    Ok(id)
}
