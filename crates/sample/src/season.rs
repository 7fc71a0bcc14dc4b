//! A generated season for the demo runner: ~12 weeks of runs, daily context and pain reports with a realistic
//! pattern, so a first run of `runtall demo` shows runs, insights and an experiment.
//!
//! The pattern: Sam's neck and upper back hurt after long runs with the hydration vest far more often than after
//! other runs (the article's pack advice), desk days add a little, and pain eases over the season as the routines
//! become a habit. Everything is seeded, so the demo is the same on every machine.

use crate::fit::{LapKind, SimLap, SimRun, SimSample};
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use runtall_domain::assess::{DayHours, Region, Score, Surface};
use runtall_domain::journal::{DayLog, PainTiming};

pub use runtall_insights::rng::SplitMix64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Easy,
    Intervals,
    Long,
    Trail,
}

#[derive(Debug, Clone)]
pub struct SeasonRun {
    pub kind: Kind,
    pub sim: SimRun,
    pub pack: bool,
    pub surface: Surface,
    pub ate_within_2h: bool,
    pub pre_run_done: bool,
    pub post_run_done: bool,
}

#[derive(Debug, Clone)]
pub struct SeasonPain {
    pub at: Timestamp,
    pub timing: PainTiming,
    pub region: Region,
    pub intensity: f64,
    /// Index into `Season::runs` when the report is about a run.
    pub run: Option<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Season {
    pub runs: Vec<SeasonRun>,
    pub days: Vec<DayLog>,
    pub pain: Vec<SeasonPain>,
}

/// The runner's local time zone offset for the demo (UTC+1, central Europe in winter).
const OFFSET_S: i32 = 3600;
const CENTER: (f64, f64) = (47.37, 8.54);

fn at(date: Date, hour: i8, minute: i8) -> Timestamp {
    date.at(hour, minute, 0, 0)
        .to_zoned(TimeZone::fixed(jiff::tz::Offset::constant(1)))
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Builds the samples of a run from segments of (distance m, speed m/s, heart rate, lap kind).
fn simulate(rng: &mut SplitMix64, start: Timestamp, segments: &[(f64, f64, f64, LapKind)], hilly: bool) -> SimRun {
    const STEP_S: u32 = 3; // "smart recording": a sample every few seconds
    let mut samples = Vec::new();
    let mut laps = Vec::new();
    let (mut t, mut d) = (0u32, 0.0f64);
    let radius_m = 1500.0;
    for &(dist, speed, hr, kind) in segments {
        let lap_start = samples.len();
        let target = d + dist;
        while d < target {
            let v = (speed * rng.uniform(0.96, 1.04)).max(0.5);
            let angle = d / radius_m;
            let lat = CENTER.0 + (radius_m * angle.cos()) / 111_320.0;
            let lon = CENTER.1 + (radius_m * angle.sin()) / (111_320.0 * CENTER.0.to_radians().cos());
            let hills =
                if hilly { 60.0 * (d / 900.0).sin() + 25.0 * (d / 310.0).sin() } else { 6.0 * (d / 700.0).sin() };
            samples.push(SimSample {
                t_s: t,
                distance_m: d,
                speed_mps: v,
                hr_bpm: (hr + rng.uniform(-3.0, 3.0) + f64::from(t) / 600.0).clamp(60.0, 200.0) as u8,
                cadence_spm: (150.0 + speed * 8.0 + rng.uniform(-2.0, 2.0)).round(),
                altitude_m: 420.0 + hills,
                lat_deg: lat,
                lon_deg: lon,
            });
            t += STEP_S;
            d += v * f64::from(STEP_S);
        }
        laps.push(SimLap { start: lap_start, end: samples.len(), kind });
    }
    SimRun { start, utc_offset_s: OFFSET_S, trail: hilly, samples, laps }
}

fn km_segments(km: f64, speed: f64, hr: f64) -> Vec<(f64, f64, f64, LapKind)> {
    let whole = km.floor() as usize;
    let mut segs: Vec<_> = (0..whole).map(|_| (1000.0, speed, hr, LapKind::Active)).collect();
    let rest = (km - whole as f64) * 1000.0;
    if rest > 50.0 {
        segs.push((rest, speed, hr, LapKind::Active));
    }
    segs
}

/// Generates `weeks` weeks ending on `last_day` (inclusive). From `experiment.0` on, Sam follows the experiment's
/// pack assignments (pack on for "usual", off for "change"), run by run.
pub fn generate(
    last_day: Date,
    weeks: i64,
    seed: u64,
    experiment: Option<(Date, &runtall_insights::ExperimentDesign)>,
) -> Season {
    let mut experiment_runs = 0u32;
    let mut rng = SplitMix64::new(seed);
    let mut season = Season::default();
    let first = last_day.checked_sub(SignedDuration::from_hours(24 * 7 * weeks - 24)).unwrap_or(last_day);
    let total_days = weeks * 7;
    let mut date = first;
    for day_index in 0..total_days {
        // How far into the season: routines become a habit and pain eases.
        let progress = day_index as f64 / total_days as f64;
        let week = day_index / 7;
        let weekday = date.weekday();
        let workday = !matches!(weekday, Weekday::Saturday | Weekday::Sunday);
        let sitting = if workday { rng.uniform(7.5, 10.5) } else { rng.uniform(2.0, 4.5) };
        let longest = (sitting * rng.uniform(0.25, 0.45)).min(sitting);
        let car = if rng.chance(0.08) {
            rng.uniform(2.0, 4.0)
        } else if workday {
            rng.uniform(0.3, 0.8)
        } else {
            0.0
        };
        let adherence = 0.45 + 0.45 * progress;
        season.days.push(DayLog {
            date,
            sitting_h: DayHours::new((sitting * 2.0).round() / 2.0).ok(),
            longest_sitting_h: DayHours::new((longest * 2.0).round() / 2.0).ok(),
            car_h: DayHours::new((car * 2.0).round() / 2.0).ok(),
            sleep_h: DayHours::new((rng.uniform(6.0, 8.5) * 2.0).round() / 2.0).ok(),
            stress: Score::new(if workday { rng.uniform(3.0, 7.0) } else { rng.uniform(1.0, 4.0) }.round()).ok(),
            strength_done: matches!(weekday, Weekday::Monday | Weekday::Wednesday) && rng.chance(adherence),
            mobility_done: rng.chance(adherence),
            relief: vec![],
            magnesium_mg: None,
        });
        // Desk pain on long sitting days, fading over the season.
        if workday && sitting > 9.5 && rng.chance(0.5 - 0.3 * progress) {
            season.pain.push(SeasonPain {
                at: at(date, 16, 30),
                timing: PainTiming::AtDesk,
                region: Region::Neck,
                intensity: (rng.uniform(2.0, 4.0) - progress).round().max(1.0),
                run: None,
            });
        }

        let run = match weekday {
            Weekday::Tuesday => Some(Kind::Intervals),
            Weekday::Thursday => Some(Kind::Easy),
            Weekday::Saturday => Some(if week % 3 == 1 { Kind::Trail } else { Kind::Easy }),
            Weekday::Sunday => Some(Kind::Long),
            _ => None,
        };
        if let Some(kind) = run {
            let (hour, minute) = match kind {
                Kind::Long | Kind::Trail => (8, 0),
                _ => (18, 15),
            };
            let start = at(date, hour, minute);
            let long_km = 14.0 + (week as f64 * 0.6).min(7.0) - if week % 4 == 3 { 3.0 } else { 0.0 };
            let (segments, hilly) = match kind {
                Kind::Easy => (km_segments(rng.uniform(7.0, 9.5), 2.95, 142.0), false),
                Kind::Trail => (km_segments(rng.uniform(9.0, 12.0), 2.55, 148.0), true),
                Kind::Long => (km_segments(long_km, 2.8, 146.0), rng.chance(0.5)),
                Kind::Intervals => {
                    let mut s = vec![(2000.0, 2.85, 138.0, LapKind::Warmup)];
                    for _ in 0..6 {
                        s.push((800.0, 4.15, 172.0, LapKind::Active));
                        s.push((400.0, 2.4, 140.0, LapKind::Rest));
                    }
                    s.push((1500.0, 2.8, 140.0, LapKind::Cooldown));
                    (s, false)
                }
            };
            let sim = simulate(&mut rng, start, &segments, hilly);
            // The vest goes on for long runs (most of them) and trail runs; almost never otherwise.
            let mut pack = match kind {
                Kind::Long => rng.chance(0.65),
                Kind::Trail => rng.chance(0.8),
                _ => rng.chance(0.05),
            };
            if let Some((from, design)) = experiment
                && date >= from
            {
                pack = design.assignment(experiment_runs).condition == runtall_insights::Condition::Usual;
                experiment_runs += 1;
            }
            let surface = if hilly || kind == Kind::Trail { Surface::Trail } else { Surface::Road };
            let ate = rng.chance(if kind == Kind::Intervals { 0.3 } else { 0.15 });
            let pre = rng.chance(adherence);
            let post = rng.chance(adherence);
            let index = season.runs.len();
            let end = start
                .checked_add(SignedDuration::from_secs(i64::from(sim.samples.last().map(|s| s.t_s).unwrap_or(0))))
                .unwrap_or(start);
            // The planted pattern: the vest on long efforts goes with pain; a skipped pre-run routine adds a bit.
            let mut p = 0.08 + 0.10 * (1.0 - progress);
            if pack && matches!(kind, Kind::Long | Kind::Trail) {
                p += 0.55;
            }
            if !pre {
                p += 0.07;
            }
            if rng.chance(p.min(0.95)) {
                let intensity = (rng.uniform(3.0, 6.0) - 1.5 * progress).round().clamp(2.0, 7.0);
                let next_morning = rng.chance(0.35);
                let (when, timing) = if next_morning {
                    (at(date.tomorrow().unwrap_or(date), 7, 10), PainTiming::NextMorning)
                } else {
                    (end.checked_add(SignedDuration::from_mins(40)).unwrap_or(end), PainTiming::RightAfter)
                };
                let region = if rng.chance(0.6) { Region::Neck } else { Region::BetweenShoulderBlades };
                season.pain.push(SeasonPain { at: when, timing, region, intensity, run: Some(index) });
            }
            season.runs.push(SeasonRun {
                kind,
                sim,
                pack,
                surface,
                ate_within_2h: ate,
                pre_run_done: pre,
                post_run_done: post,
            });
        }
        date = date.tomorrow().unwrap_or(date);
    }
    season
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_weeks_with_the_planted_pattern() {
        let s = generate("2026-11-21".parse().expect("date"), 12, 7, None);
        assert_eq!(s.runs.len(), 48);
        assert_eq!(s.days.len(), 84);
        let long_pack: Vec<_> = s.runs.iter().enumerate().filter(|(_, r)| r.pack && r.kind == Kind::Long).collect();
        let with_pain = |idx: usize| s.pain.iter().any(|p| p.run == Some(idx));
        let rate_pack = long_pack.iter().filter(|(i, _)| with_pain(*i)).count() as f64 / long_pack.len() as f64;
        let others: Vec<_> = s.runs.iter().enumerate().filter(|(_, r)| !r.pack).collect();
        let rate_other = others.iter().filter(|(i, _)| with_pain(*i)).count() as f64 / others.len() as f64;
        assert!(rate_pack > rate_other + 0.3, "pack {rate_pack:.2} vs other {rate_other:.2}");
        // Seeded: the same season every time.
        let again = generate("2026-11-21".parse().expect("date"), 12, 7, None);
        assert_eq!(again.pain.len(), s.pain.len());
        assert!(s.runs.iter().all(|r| r.sim.samples.len() > 100));
        let fit = crate::fit::encode(&s.runs[0].sim).expect("encode");
        let decoded = runtall_fit::decode(&fit).expect("our decoder reads it");
        assert!(decoded.warnings.is_empty(), "{:?}", decoded.warnings);
        assert_eq!(decoded.records.len(), s.runs[0].sim.samples.len());
        assert_eq!(decoded.laps.len(), s.runs[0].sim.laps.len());
    }
}
