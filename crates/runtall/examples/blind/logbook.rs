//! What a runner writes down, as the user-facing JSON Lines journal (`docs/journal-format.md`): runs with the
//! context they bothered to tick, day logs on the days they opened the app (sitting in half hours, stress as a
//! whole number, some fields never filled in by some runners), pain reports on a 0–10 scale with rating noise, at the
//! timing they usually log, "no pain" entries from the runners who log those, pain they already had before a run,
//! desk pain not linked to a run, and the rides of runners who also cycle.

use crate::rng::Rng;
use crate::runner::{Kind, Season};
use jiff::civil::Date;
use runtall_insights::{LinkedPainReport, PainTiming, run_outcome};
use serde_json::{Value, json};

/// What was written, to check the import against.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub runs: usize,
    pub rides: usize,
    pub pain: usize,
    pub days: usize,
    /// Runs with pain that followed them under the journal rule (docs: during, right after or next morning, at least
    /// 3/10 and above any report before the run), worked out from the lines written.
    pub runs_with_pain: usize,
    /// The same, among the first 40 and first 80 runs.
    pub runs_with_pain_40: usize,
    pub runs_with_pain_80: usize,
}

fn offset_text(s: i32) -> String {
    if s == 0 {
        return "Z".into();
    }
    let sign = if s < 0 { '-' } else { '+' };
    let a = s.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

fn stamp(date: Date, minutes: u32, offset_s: i32) -> String {
    let m = minutes.min(23 * 60 + 59);
    format!("{date}T{:02}:{:02}:00{}", m / 60, m % 60, offset_text(offset_s))
}

fn half(v: f64) -> f64 {
    (v * 2.0).round() / 2.0
}

/// A rating as the runner gives it: the true intensity plus their noise, in whole (or half) points, 0–10.
fn rating(rng: &mut Rng, truth: f64, noise: f64, half_points: bool) -> f64 {
    let v = rng.normal(truth, noise).clamp(0.0, 10.0);
    if half_points { half(v) } else { v.round() }
}

fn timing(rng: &mut Rng, pref: &'static str) -> &'static str {
    if rng.chance(0.6) { pref } else { rng.pick(&["during", "right-after", "next-morning"]) }
}

fn timing_of(t: &str) -> PainTiming {
    match t {
        "before" => PainTiming::Before,
        "during" => PainTiming::During,
        "right-after" => PainTiming::RightAfter,
        "next-morning" => PainTiming::NextMorning,
        "at-desk" => PainTiming::AtDesk,
        _ => PainTiming::Other,
    }
}

/// Writes the season as JSON Lines text, with the counts of what was written.
pub fn write(season: &Season, rng: &mut Rng) -> (String, Written) {
    let h = &season.habits;
    let off = h.utc_offset_s;
    let mut lines: Vec<String> = Vec::new();
    let mut w = Written::default();
    let push = |lines: &mut Vec<String>, v: Value| lines.push(v.to_string());
    let maybe = |rng: &mut Rng, p: f64, v: bool| if rng.chance(p) { json!(v) } else { Value::Null };
    let mut pain_lines: Vec<Value> = Vec::new();
    let run_days: std::collections::HashSet<usize> = season.runs.iter().map(|r| r.day).collect();
    for (i, r) in season.runs.iter().enumerate() {
        let day = &season.days[r.day];
        let key = format!("r{}", i + 1);
        let (sport, label) = match (r.trail, r.surface, r.kind) {
            (true, _, Kind::Long) => ("trail-running", if rng.chance(0.5) { "long" } else { "trail" }),
            (true, _, _) => ("trail-running", "trail"),
            (_, "treadmill", _) => ("treadmill-running", "easy"),
            (_, "track", k) => ("track-running", kind_label(k)),
            (_, _, k) => ("running", kind_label(k)),
        };
        let label = if rng.chance(h.p_label) { json!(label) } else { Value::Null };
        let log_routines = rng.chance(h.p_log_routines);
        push(
            &mut lines,
            json!({
                "type": "run", "key": key, "start": stamp(day.date, r.start_min, off), "sport": sport,
                "label": label, "distance_m": (r.km * 1000.0).round(), "moving_s": r.moving_s.round(),
                "elapsed_s": r.elapsed_s.round().max(r.moving_s.round()), "name": Value::Null,
                "pack": maybe(rng, h.p_log_pack, r.pack),
                "surface": if rng.chance(h.p_log_surface) { json!(r.surface) } else { Value::Null },
                "ate_within_2h": maybe(rng, h.p_log_eat, r.ate),
                "pre_run_done": if log_routines { json!(r.pre_done) } else { Value::Null },
                "post_run_done": if log_routines { json!(r.post_done) } else { Value::Null },
                "utc_offset_s": off,
            }),
        );
        w.runs += 1;
        // Pain around this run.
        let mut linked: Vec<LinkedPainReport> = Vec::new();
        let end_min = r.start_min + (r.elapsed_s / 60.0) as u32;
        let mut report = |rng: &mut Rng, timing: &'static str, intensity: f64, linked: &mut Vec<LinkedPainReport>| {
            let (date, minutes) = match timing {
                "before" => (day.date, r.start_min.saturating_sub(30)),
                "during" => (day.date, (r.start_min + end_min) / 2),
                "right-after" => (day.date, end_min + 10),
                _ => (day.date.tomorrow().unwrap_or(day.date), 7 * 60 + rng.below(60) as u32),
            };
            pain_lines.push(json!({
                "type": "pain", "at": stamp(date, minutes, off), "timing": timing, "region": h.region,
                "intensity": intensity, "run": key, "notes": Value::Null,
            }));
            linked.push(LinkedPainReport { timing: timing_of(timing), intensity: intensity.round() as u8 });
        };
        if h.background_pain && rng.chance(0.2) {
            let truth = rng.range(1.5, 4.0);
            let v = rating(rng, truth, h.rating_noise, h.half_points);
            report(rng, "before", v, &mut linked);
        }
        if r.pain_event {
            if rng.chance(h.p_log_pain) {
                let t = timing(rng, h.timing_pref);
                let v = rating(rng, r.pain_true, h.rating_noise, h.half_points);
                report(rng, t, v, &mut linked);
            }
        } else if rng.chance(h.p_zero_report) {
            let v = rating(rng, r.pain_true, h.rating_noise * 0.5, h.half_points);
            report(rng, "right-after", v, &mut linked);
        }
        let followed = run_outcome(&linked).is_ok_and(|o| o.pain_followed);
        if followed {
            w.runs_with_pain += 1;
            if i < 40 {
                w.runs_with_pain_40 += 1;
            }
            if i < 80 {
                w.runs_with_pain_80 += 1;
            }
        }
    }
    for (i, ride) in season.rides.iter().enumerate() {
        let day = &season.days[ride.day];
        push(
            &mut lines,
            json!({
                "type": "run", "key": format!("ride{}", i + 1), "start": stamp(day.date, 17 * 60, off),
                "sport": "cycling", "label": Value::Null, "distance_m": (ride.hours * 25_000.0).round(),
                "moving_s": (ride.hours * 3600.0).round(), "elapsed_s": (ride.hours * 3700.0).round(),
                "utc_offset_s": off,
            }),
        );
        w.rides += 1;
    }
    // Desk pain, not linked to any run.
    if h.desk && h.background_pain {
        for d in season.days.iter().filter(|d| d.weekday < 5) {
            if rng.chance(0.04) {
                let truth = rng.range(2.0, 5.0);
                let v = rating(rng, truth, h.rating_noise, h.half_points);
                pain_lines.push(json!({
                    "type": "pain", "at": stamp(d.date, 15 * 60, off), "timing": "at-desk", "region": h.region,
                    "intensity": v, "run": Value::Null, "notes": Value::Null,
                }));
            }
        }
    }
    w.pain = pain_lines.len();
    for p in pain_lines {
        push(&mut lines, p);
    }
    for (i, d) in season.days.iter().enumerate() {
        let rate = h.log_day_rate + if run_days.contains(&i) { 0.1 } else { 0.0 };
        if !rng.chance(rate) {
            continue;
        }
        let field =
            |rng: &mut Rng, logs: bool, v: f64| if logs && rng.chance(h.p_field) { json!(v) } else { Value::Null };
        let sitting = half(d.sitting);
        let sitting_v = field(rng, h.logs_sitting, sitting);
        let longest_v =
            if sitting_v.is_null() { Value::Null } else { field(rng, h.logs_longest, half(d.longest).min(sitting)) };
        let car = half(d.car);
        let car_v = if car == 0.0 && h.car_zero_as_null { Value::Null } else { field(rng, h.logs_car, car) };
        let sleep_v = field(rng, h.logs_sleep, (d.sleep * 4.0).round() / 4.0);
        let stress_v = field(rng, h.logs_stress, d.stress.round());
        push(
            &mut lines,
            json!({
                "type": "day", "date": d.date.to_string(), "sitting_h": sitting_v, "longest_sitting_h": longest_v,
                "car_h": car_v, "sleep_h": sleep_v, "stress": stress_v, "strength_done": false,
                "mobility_done": rng.chance(0.3), "relief": [], "magnesium_mg": Value::Null,
            }),
        );
        w.days += 1;
    }
    let mut text = lines.join("\n");
    text.push('\n');
    (text, w)
}

fn kind_label(k: Kind) -> &'static str {
    match k {
        Kind::Easy => "easy",
        Kind::Long => "long",
        Kind::Intervals => "intervals",
        Kind::Tempo => "tempo",
        Kind::Race => "race",
    }
}
