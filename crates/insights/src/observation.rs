//! The engine's input: one [`RunObservation`] per run, built by the caller from whatever it stores. Nothing here knows
//! about SQLite, FIT files or the CLI, so the same engine serves imports, the demo and the simulator.
//!
//! # When does pain "follow" a run?
//!
//! [`run_outcome`] applies one fixed rule to the pain reports the caller linked to a run:
//!
//! * only reports timed **during** the run, **right after** it, or **the next morning** count;
//! * pain followed the run when the highest of those is **at least 3/10** ([`PAIN_THRESHOLD`]) **and** higher than
//!   any report made **before** the run (pain the runner already had is not pain the run brought);
//! * the run's max pain is the highest counted intensity (0 when nothing was reported: a run without a report counts
//!   as pain-free, so the CLI should make logging "no pain" as easy as logging pain).
//!
//! 3/10 is used because ratings of 1–2 are within the day-to-day noise of a 0–10 scale (the smallest change people
//! notice is about one point), while 3 or more is pain a runner would change something for.

use crate::error::{InsightsError, check_f64, check_rating};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Pain at or above this intensity (0–10), reported during, right after or the next morning, means pain followed the
/// run.
pub const PAIN_THRESHOLD: u8 = 3;

/// The run classifier's label (`runtall_domain::classify::RunLabel`), as the statistics see it: the same six
/// labels and the same name, because this crate sits below the domain and cannot use its type (the app layer maps
/// one to the other). Not the plan's `runtall_content::RunType`, which folds intervals and tempo into "speed".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunLabel {
    Easy,
    Long,
    Intervals,
    Tempo,
    Race,
    Trail,
}

impl RunLabel {
    /// Intervals, tempo and races: the efforts where breathing and posture change most.
    pub fn is_speed(self) -> bool {
        matches!(self, RunLabel::Intervals | RunLabel::Tempo | RunLabel::Race)
    }
}

/// Ground underfoot, reduced to the distinction the runner can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SurfaceKind {
    /// Road, concrete, pavement.
    Hard,
    /// Trail, grass, track, treadmill.
    Soft,
}

/// Context for one run. Every field is optional: a missing answer is left out of that factor's counts rather than
/// guessed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunContext {
    pub pack_worn: Option<bool>,
    pub surface: Option<SurfaceKind>,
    /// Hours sitting that day (0–24).
    pub sitting_hours: Option<f64>,
    /// The longest stretch of sitting without a break that day, in hours.
    pub longest_sitting_hours: Option<f64>,
    /// Hours in a car (or similar) on the day of the run.
    pub car_hours_same_day: Option<f64>,
    /// Hours in a car the day before. Kept apart from the same day's hours: a Saturday run does not inherit
    /// Friday's drive unless a lagged effect is what the data show (the engine tests both, each paid for).
    pub car_hours_day_before: Option<f64>,
    /// Hours sitting the day before, for effects that show up a day later.
    #[serde(default)]
    pub sitting_hours_day_before: Option<f64>,
    /// Ate a meal or snack within 2 hours before the run.
    pub ate_within_2h: Option<bool>,
    pub pre_run_routine_done: Option<bool>,
    pub post_run_reset_done: Option<bool>,
    /// Sleep the night before, in hours.
    pub sleep_hours: Option<f64>,
    /// Stress that day, 0–10.
    pub stress: Option<u8>,
    /// Hours of other sports (rides, swims, hikes: cross-training) the day before the run. A long ride leaves the
    /// neck and upper back tired from a bent-over position, which may show on the next day's run.
    #[serde(default)]
    pub cross_training_hours_day_before: Option<f64>,
}

/// Training-load facts about a run, computed from the run history by [`compute_load_flags`] (or by the caller).
/// `None` means the history does not reach back far enough to tell.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadFlags {
    /// Distance in the 7 days ending with this run is more than 30% above the weekly average of the 14 days before.
    pub weekly_jump: Option<bool>,
    /// This run is more than 10% longer than the longest run of the previous 30 days.
    pub single_run_spike: Option<bool>,
    /// Kilometres in the 7 days ending on the run's date (this run included).
    pub week_km: Option<f64>,
    /// Average weekly kilometres over the 14 days before that week.
    pub previous_two_week_avg_km: Option<f64>,
    /// Longest run in the previous 30 days (0 when there was none).
    pub longest_previous_30d_km: Option<f64>,
}

/// One run and what followed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunObservation {
    /// The caller's identifier, echoed back so results can point at runs; the engine never interprets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub date: Date,
    pub run_type: RunLabel,
    pub distance_km: f64,
    /// Moving time in minutes, when known (pace is distance over this).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_min: Option<f64>,
    /// Metres climbed, when the watch recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ascent_m: Option<f64>,
    /// See [`run_outcome`] for the rule.
    pub pain_followed: bool,
    /// Highest counted pain intensity (0–10), 0 when none was reported.
    pub max_pain: u8,
    #[serde(default)]
    pub context: RunContext,
    #[serde(default)]
    pub load: LoadFlags,
}

impl RunObservation {
    /// Minutes per km, when the duration is known and the run is long enough for a pace to mean something.
    pub fn pace_min_per_km(&self) -> Option<f64> {
        let d = self.duration_min?;
        (self.distance_km >= 0.5 && d > 0.0).then(|| d / self.distance_km)
    }

    /// Metres climbed per km, when the ascent is known.
    pub fn climb_m_per_km(&self) -> Option<f64> {
        let a = self.ascent_m?;
        (self.distance_km >= 0.5).then(|| a / self.distance_km)
    }

    /// A run with no context yet; handy for callers and tests that fill fields one by one.
    pub fn new(date: Date, run_type: RunLabel, distance_km: f64) -> Self {
        RunObservation {
            id: None,
            date,
            run_type,
            distance_km,
            duration_min: None,
            ascent_m: None,
            pain_followed: false,
            max_pain: 0,
            context: RunContext::default(),
            load: LoadFlags::default(),
        }
    }

    /// Rejects values no real run can have, naming the run (by position or id) and the field.
    pub fn validate(&self, index: usize) -> Result<(), InsightsError> {
        let at = |field: &str| match &self.id {
            Some(id) => format!("run {id}: {field}"),
            None => format!("run #{}: {field}", index + 1),
        };
        // The field name is only built when something is wrong: ten thousand runs are checked on every analysis.
        let range = |field: &str, v: f64, lo: f64, hi: f64| -> Result<(), InsightsError> {
            if v.is_finite() && (lo..=hi).contains(&v) { Ok(()) } else { check_f64(&at(field), v, lo, hi).map(|_| ()) }
        };
        range("distance_km", self.distance_km, 0.0, 400.0)?;
        if let Some(d) = self.duration_min {
            range("duration_min", d, 0.0, 2880.0)?;
        }
        if let Some(a) = self.ascent_m {
            range("ascent_m", a, 0.0, 20_000.0)?;
        }
        if self.max_pain > 10 {
            check_rating(&at("max_pain"), self.max_pain)?;
        }
        let c = &self.context;
        for (name, v) in [
            ("sitting_hours", c.sitting_hours),
            ("longest_sitting_hours", c.longest_sitting_hours),
            ("car_hours_same_day", c.car_hours_same_day),
            ("car_hours_day_before", c.car_hours_day_before),
            ("sitting_hours_day_before", c.sitting_hours_day_before),
            ("cross_training_hours_day_before", c.cross_training_hours_day_before),
            ("sleep_hours", c.sleep_hours),
        ] {
            if let Some(v) = v {
                range(name, v, 0.0, 24.0)?;
            }
        }
        if let (Some(longest), Some(total)) = (c.longest_sitting_hours, c.sitting_hours)
            && longest > total + 1e-9
        {
            return Err(InsightsError::invalid(
                &at("longest_sitting_hours"),
                format!("{longest} h is more than the day's total sitting ({total} h)"),
            ));
        }
        if let Some(s) = c.stress.filter(|s| *s > 10) {
            check_rating(&at("stress"), s)?;
        }
        if self.pain_followed && self.max_pain < PAIN_THRESHOLD {
            return Err(InsightsError::invalid(
                &at("max_pain"),
                format!(
                    "pain followed the run but max pain is {} (the rule needs at least {PAIN_THRESHOLD})",
                    self.max_pain
                ),
            ));
        }
        Ok(())
    }
}

/// When a pain report was made relative to the run it is linked to: the journal's
/// `runtall_domain::journal::PainTiming`, mirrored here for the same reason as [`RunLabel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PainTiming {
    Before,
    During,
    RightAfter,
    NextMorning,
    AtDesk,
    Other,
}

impl PainTiming {
    /// Whether a report at this timing can count as pain that followed the run.
    pub fn follows_run(self) -> bool {
        matches!(self, PainTiming::During | PainTiming::RightAfter | PainTiming::NextMorning)
    }
}

/// A pain report the caller has already linked to one run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LinkedPainReport {
    pub timing: PainTiming,
    pub intensity: u8,
}

/// The outcome of one run under the rule in the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PainOutcome {
    pub pain_followed: bool,
    pub max_pain: u8,
    /// Highest pain reported before the run (0 when none).
    pub before: u8,
}

/// Applies the "pain followed the run" rule (module docs) to the reports linked to one run.
pub fn run_outcome(reports: &[LinkedPainReport]) -> Result<PainOutcome, InsightsError> {
    let mut after = 0u8;
    let mut before = 0u8;
    for (i, r) in reports.iter().enumerate() {
        check_rating(&format!("pain report #{}: intensity", i + 1), r.intensity)?;
        if r.timing.follows_run() {
            after = after.max(r.intensity);
        } else if r.timing == PainTiming::Before {
            before = before.max(r.intensity);
        }
    }
    Ok(PainOutcome { pain_followed: after >= PAIN_THRESHOLD && after > before, max_pain: after, before })
}

/// A run reduced to what the load rules need.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunDistance {
    pub date: Date,
    pub distance_km: f64,
}

/// Computes [`LoadFlags`] for each run in `runs` (same order), using every run in `runs` as history.
///
/// Weekly jump: the 7 days ending on the run's date against the average week of the 14 days before them; it needs
/// history reaching back 21 days. Spike: the run against the longest run on the 30 days before its date (same-day
/// runs are not "previous"); it needs history reaching back 30 days. With no run at all in the previous 2 weeks or
/// 30 days, any run counts as a jump or a spike — that is what the definitions say, and a return after a break is
/// exactly when a gentle warning fits. These are weak signals (evidence brief §5): they are candidates for the factor
/// analysis, never verdicts on their own. The acute:chronic workload ratio is deliberately not computed.
///
/// One pass over the runs in date order with running sums and a sliding maximum, so ten years of runs cost about
/// as much as sorting them (the earlier version scanned every run for each run).
pub fn compute_load_flags(runs: &[RunDistance]) -> Result<Vec<LoadFlags>, InsightsError> {
    for (i, r) in runs.iter().enumerate() {
        check_f64(&format!("run #{}: distance_km", i + 1), r.distance_km, 0.0, 400.0)?;
    }
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by_key(|&i| runs[i].date);
    let Some(&first_i) = order.first() else {
        return Ok(Vec::new());
    };
    let first = runs[first_i].date;
    // Day numbers relative to the first run, so windows are integer ranges.
    let day = |d: Date| (d - first).get_days();
    let days: Vec<i32> = order.iter().map(|&i| day(runs[i].date)).collect();
    let dist: Vec<f64> = order.iter().map(|&i| runs[i].distance_km).collect();
    // prefix[k] = distance of the first k runs in date order.
    let mut prefix = Vec::with_capacity(dist.len() + 1);
    prefix.push(0.0);
    for d in &dist {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + d);
    }
    // Distance of runs with day numbers in lo..=hi.
    let sum_days = |lo: i32, hi: i32| -> f64 {
        let a = days.partition_point(|&x| x < lo);
        let b = days.partition_point(|&x| x <= hi);
        if b > a { prefix[b] - prefix[a] } else { 0.0 }
    };
    let mut out = vec![LoadFlags::default(); runs.len()];
    // Sliding maximum over the previous 30 days: indices into the date order, distances decreasing.
    let mut window: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
    let mut pushed = 0usize;
    for (k, &orig) in order.iter().enumerate() {
        let d = days[k];
        let mut flags = LoadFlags::default();
        if d >= 20 {
            let week = sum_days(d - 6, d);
            let avg = sum_days(d - 20, d - 7) / 2.0;
            flags.week_km = Some(week);
            flags.previous_two_week_avg_km = Some(avg);
            flags.weekly_jump = Some(week > 1.3 * avg);
        }
        // Admit every run before this run's date, drop those older than 30 days.
        while pushed < k && days[pushed] < d {
            while window.back().is_some_and(|&j| dist[j] <= dist[pushed]) {
                window.pop_back();
            }
            window.push_back(pushed);
            pushed += 1;
        }
        while window.front().is_some_and(|&j| days[j] < d - 30) {
            window.pop_front();
        }
        if d >= 30 {
            let longest = window.front().map_or(0.0, |&j| dist[j]);
            flags.longest_previous_30d_km = Some(longest);
            flags.single_run_spike = Some(runs[orig].distance_km > 1.1 * longest);
        }
        out[orig] = flags;
    }
    Ok(out)
}

/// Fills `load` on every run from the runs themselves plus `earlier` history (runs before the journal started, or
/// runs without a pain record). Existing load flags are overwritten.
pub fn fill_load_flags(runs: &mut [RunObservation], earlier: &[RunDistance]) -> Result<(), InsightsError> {
    let mut history: Vec<RunDistance> = earlier.to_vec();
    history.extend(runs.iter().map(|r| RunDistance { date: r.date, distance_km: r.distance_km }));
    let flags = compute_load_flags(&history)?;
    for (run, f) in runs.iter_mut().zip(flags.into_iter().skip(earlier.len())) {
        run.load = f;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn outcome_rule() {
        let r = |timing, intensity| LinkedPainReport { timing, intensity };
        let o = run_outcome(&[r(PainTiming::During, 4)]).unwrap();
        assert!(o.pain_followed && o.max_pain == 4);
        // Below the threshold.
        assert!(!run_outcome(&[r(PainTiming::RightAfter, 2)]).unwrap().pain_followed);
        // Already there before the run, not worse.
        assert!(!run_outcome(&[r(PainTiming::Before, 4), r(PainTiming::NextMorning, 4)]).unwrap().pain_followed);
        assert!(run_outcome(&[r(PainTiming::Before, 3), r(PainTiming::NextMorning, 5)]).unwrap().pain_followed);
        // Desk pain is not run pain.
        assert!(!run_outcome(&[r(PainTiming::AtDesk, 7)]).unwrap().pain_followed);
        assert!(run_outcome(&[r(PainTiming::During, 11)]).is_err());
        assert_eq!(run_outcome(&[]).unwrap().max_pain, 0);
    }

    #[test]
    fn load_flags_follow_the_definitions() {
        let mut runs = Vec::new();
        // Four weeks of 10 km every other day (so 30 km-ish weeks), longest 10 km.
        let start = date(2025, 3, 1);
        for i in 0..14 {
            runs.push(RunDistance {
                date: start.checked_add(jiff::Span::new().days(2 * i)).unwrap(),
                distance_km: 10.0,
            });
        }
        // Day 30: 9 km, neither a spike nor a jump. Day 32: 30 km, both.
        runs.push(RunDistance { date: start.checked_add(jiff::Span::new().days(30)).unwrap(), distance_km: 9.0 });
        runs.push(RunDistance { date: start.checked_add(jiff::Span::new().days(32)).unwrap(), distance_km: 30.0 });
        let flags = compute_load_flags(&runs).unwrap();
        assert_eq!(flags[0].weekly_jump, None, "no history yet");
        assert_eq!(flags[0].single_run_spike, None);
        let last = flags.last().unwrap();
        assert_eq!(last.single_run_spike, Some(true));
        assert_eq!(last.longest_previous_30d_km, Some(10.0));
        assert_eq!(last.weekly_jump, Some(true));
        let before = &flags[flags.len() - 2];
        assert_eq!(before.single_run_spike, Some(false));
        assert_eq!(before.weekly_jump, Some(false));
    }

    /// The sliding-window flags agree with the definitions computed the slow way (every run against every run), on
    /// irregular histories: several runs a day, gaps, runs out of date order.
    #[test]
    fn sliding_window_flags_match_the_definitions() {
        let mut rng = crate::rng::SplitMix64::new(42);
        let start = date(2024, 1, 1);
        let runs: Vec<RunDistance> = (0..400)
            .map(|_| RunDistance {
                date: start.checked_add(jiff::Span::new().days(rng.below(200) as i64)).unwrap(),
                distance_km: (rng.uniform(0.0, 30.0) * 2.0).round() / 2.0,
            })
            .collect();
        let fast = compute_load_flags(&runs).unwrap();
        let first = runs.iter().map(|r| r.date).min().unwrap();
        for (r, f) in runs.iter().zip(&fast) {
            let back = |days: i64| r.date.checked_sub(jiff::Span::new().days(days)).unwrap();
            let sum = |a: Date, b: Date| -> f64 {
                runs.iter().filter(|o| o.date >= a && o.date <= b).map(|o| o.distance_km).sum()
            };
            if first <= back(20) {
                let (week, avg) = (sum(back(6), r.date), sum(back(20), back(7)) / 2.0);
                assert!(
                    (f.week_km.unwrap() - week).abs() < 1e-9
                        && (f.previous_two_week_avg_km.unwrap() - avg).abs() < 1e-9
                );
                assert_eq!(f.weekly_jump, Some(week > 1.3 * avg));
            } else {
                assert_eq!(f.weekly_jump, None);
            }
            if first <= back(30) {
                let longest = runs
                    .iter()
                    .filter(|o| o.date >= back(30) && o.date <= back(1))
                    .map(|o| o.distance_km)
                    .fold(0.0, f64::max);
                assert_eq!(f.longest_previous_30d_km, Some(longest));
                assert_eq!(f.single_run_spike, Some(r.distance_km > 1.1 * longest));
            } else {
                assert_eq!(f.single_run_spike, None);
            }
        }
    }

    #[test]
    fn validation_names_the_field() {
        let mut r = RunObservation::new(date(2025, 1, 1), RunLabel::Easy, 8.0);
        r.context.sleep_hours = Some(30.0);
        let e = r.validate(4).unwrap_err().to_string();
        assert!(e.contains("run #5: sleep_hours"), "{e}");
        r.context.sleep_hours = Some(7.0);
        r.pain_followed = true;
        r.max_pain = 1;
        assert!(r.validate(0).is_err());
    }
}
