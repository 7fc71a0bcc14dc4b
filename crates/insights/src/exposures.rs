//! Exposures measured on a scale (hours of sitting, hours in a car, sleep, stress, distances, pace, climb) and the
//! ways the engine reads them: as a dose (more of it, more pain) or against a cut point searched in the data.
//!
//! Why search at all: a fixed "6 h or more" sitting day dilutes the pattern of a runner whose pain follows 8 h days
//! (the 6–8 h days count as exposed but carry no extra pain). Why the search is honest: every candidate cut is one
//! more model in the engine's average, and the factor's prior chance of mattering is shared among its candidates
//! (see `analysis`), so trying ten cut points does not make a factor ten times as easy to flag. The candidate cuts
//! come from the runner's own spread of values (quantiles, rounded to a number a person would say), never from the
//! pain data.

use crate::observation::RunObservation;
use serde::{Deserialize, Serialize};

/// Something measured on each run or day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Measure {
    /// Run distance, km.
    Distance,
    /// Run moving time, minutes.
    Duration,
    /// Minutes per km; faster (lower) is the suspected side.
    Pace,
    /// Metres climbed per km.
    Climb,
    /// Hours sitting that day (or the day before).
    Sitting,
    /// Longest unbroken sitting stretch, hours.
    LongestSitting,
    /// Hours in a car that day (or the day before).
    Car,
    /// Hours of sleep the night before; less is the suspected side.
    Sleep,
    /// Stress 0–10.
    Stress,
    /// Kilometres in the 7 days ending with the run.
    WeekDistance,
    /// Those 7 days against the weekly average of the 14 before them (1.3 = 30% more).
    WeekJump,
    /// Hours of other sports (cross-training) the day before; read only as a day-before effect.
    CrossTraining,
    /// The run against the longest run of the previous 30 days (1.1 = 10% longer).
    LongestRatio,
}

/// Which day a daily measure is read from, relative to the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lag {
    SameDay,
    DayBefore,
}

/// How values are binned and cut: bins of `width` from `lo`, values beyond `hi` share the last bin, and cut points
/// are rounded to multiples of `step` (a multiple of `width`).
struct Scale {
    lo: f64,
    hi: f64,
    width: f64,
    step: f64,
}

impl Measure {
    pub const ALL: [Measure; 13] = [
        Measure::Distance,
        Measure::Duration,
        Measure::Pace,
        Measure::Climb,
        Measure::Sitting,
        Measure::LongestSitting,
        Measure::Car,
        Measure::Sleep,
        Measure::Stress,
        Measure::WeekDistance,
        Measure::WeekJump,
        Measure::LongestRatio,
        Measure::CrossTraining,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Measure::Distance => "distance",
            Measure::Duration => "duration",
            Measure::Pace => "pace",
            Measure::Climb => "climb",
            Measure::Sitting => "sitting",
            Measure::LongestSitting => "longest-sitting",
            Measure::Car => "car",
            Measure::Sleep => "sleep",
            Measure::Stress => "stress",
            Measure::WeekDistance => "week-distance",
            Measure::WeekJump => "week-jump",
            Measure::LongestRatio => "longest-ratio",
            Measure::CrossTraining => "cross-training",
        }
    }

    /// Whether higher values are the suspected side (false for pace and sleep, where less is).
    pub fn higher_is_exposed(self) -> bool {
        !matches!(self, Measure::Pace | Measure::Sleep)
    }

    /// Whether the measure is a daily one that can be read from the day before.
    pub fn daily(self) -> bool {
        matches!(self, Measure::Sitting | Measure::Car | Measure::CrossTraining)
    }

    fn scale(self) -> Scale {
        let s = |lo, hi, width, step| Scale { lo, hi, width, step };
        match self {
            Measure::Distance => s(0.0, 100.0, 0.5, 1.0),
            Measure::Duration => s(0.0, 600.0, 5.0, 5.0),
            // Pace in minutes per km, cut to the nearest 5 seconds.
            Measure::Pace => s(2.0, 15.0, 1.0 / 12.0, 1.0 / 12.0),
            Measure::Climb => s(0.0, 150.0, 1.0, 5.0),
            Measure::Sitting | Measure::LongestSitting | Measure::Car | Measure::Sleep | Measure::CrossTraining => {
                s(0.0, 24.0, 0.25, 0.5)
            }
            Measure::Stress => s(0.0, 10.0, 1.0, 1.0),
            Measure::WeekDistance => s(0.0, 400.0, 1.0, 5.0),
            Measure::WeekJump | Measure::LongestRatio => s(0.0, 4.0, 0.05, 0.1),
        }
    }

    /// The value for one run, or `None` when it was not logged or cannot be worked out.
    pub fn value(self, run: &RunObservation, lag: Lag) -> Option<f64> {
        let c = &run.context;
        match (self, lag) {
            (Measure::Sitting, Lag::SameDay) => c.sitting_hours,
            (Measure::Sitting, Lag::DayBefore) => c.sitting_hours_day_before,
            (Measure::Car, Lag::SameDay) => c.car_hours_same_day,
            (Measure::Car, Lag::DayBefore) => c.car_hours_day_before,
            (Measure::CrossTraining, Lag::DayBefore) => c.cross_training_hours_day_before,
            (_, Lag::DayBefore) | (Measure::CrossTraining, Lag::SameDay) => None,
            (Measure::Distance, _) => Some(run.distance_km),
            (Measure::Duration, _) => run.duration_min,
            (Measure::Pace, _) => run.pace_min_per_km(),
            (Measure::Climb, _) => run.climb_m_per_km(),
            (Measure::LongestSitting, _) => c.longest_sitting_hours,
            (Measure::Sleep, _) => c.sleep_hours,
            (Measure::Stress, _) => c.stress.map(f64::from),
            (Measure::WeekDistance, _) => run.load.week_km,
            (Measure::WeekJump, _) => match (run.load.week_km, run.load.previous_two_week_avg_km) {
                (Some(w), Some(a)) if a > 0.0 => Some(w / a),
                // Nothing in the two weeks before: any running is "more" (capped with the scale).
                (Some(w), Some(_)) if w > 0.0 => Some(f64::INFINITY),
                _ => None,
            },
            (Measure::LongestRatio, _) => match run.load.longest_previous_30d_km {
                Some(l) if l > 0.0 => Some(run.distance_km / l),
                Some(_) => Some(f64::INFINITY),
                None => None,
            },
        }
    }

    /// Number of bins (the last one open-ended).
    pub fn bins(self) -> usize {
        let s = self.scale();
        ((s.hi - s.lo) / s.width).round() as usize + 1
    }

    /// The bin a value falls in.
    pub fn bin(self, v: f64) -> usize {
        let s = self.scale();
        let last = self.bins() - 1;
        // Below the scale, and NaN, fall in the first bin.
        if v.partial_cmp(&s.lo) != Some(std::cmp::Ordering::Greater) {
            return 0;
        }
        if v >= s.hi {
            return last;
        }
        (((v - s.lo) / s.width) + 1e-9).floor().min(last as f64) as usize
    }

    /// The lower edge of a bin, i.e. the value a cut at that bin stands for.
    pub fn edge(self, bin: usize) -> f64 {
        let s = self.scale();
        ((s.lo + bin as f64 * s.width) * 1e6).round() / 1e6
    }

    /// The smallest cut that still means what the factor is about: a "jump" or a "spike" is an increase, so cuts
    /// below it are not tried (a cut at 0.8 × your longest run would only be another way of saying "long run").
    pub fn min_cut(self) -> Option<f64> {
        match self {
            Measure::WeekJump => Some(1.1),
            Measure::LongestRatio => Some(1.05),
            _ => None,
        }
    }

    /// Whether a dose reading makes sense: not for jumps and spikes, which are about crossing a line (a dose of
    /// "run length relative to your longest" would again mostly say "long run").
    pub fn dose_allowed(self) -> bool {
        !matches!(self, Measure::WeekJump | Measure::LongestRatio)
    }

    /// Rounds a value to a cut point a person would say ("8 h", "4:45 per km", "30%"), as a bin edge.
    pub fn readable_cut_bin(self, v: f64) -> usize {
        let s = self.scale();
        let steps = ((v - s.lo) / s.step).round().max(0.0);
        let per = (s.step / s.width).round().max(1.0);
        ((steps * per) as usize).min(self.bins() - 1)
    }

    /// The step cut points are rounded to ("8 h", "8.5 h"), in the measure's unit.
    pub fn readable_step(self) -> f64 {
        self.scale().step
    }

    /// Width of one bin in the measure's unit.
    pub fn bin_width(self) -> f64 {
        self.scale().width
    }

    /// "days with 8 h or more of sitting" and the like: what the exposed side of `cut` is.
    pub fn cut_words(self, lag: Lag, cut: f64) -> String {
        self.cut_phrases(lag, cut).0.trim_start_matches("runs on ").to_string()
    }

    /// Phrases for "pain followed X of Y `with` and A of B `without`" at a cut.
    pub fn cut_phrases(self, lag: Lag, cut: f64) -> (String, &'static str) {
        let day_before = lag == Lag::DayBefore;
        let pct = |c: f64| num((100.0 * (c - 1.0)).round());
        match self {
            Measure::Distance => (format!("runs of {} km or more", num(cut)), "shorter runs"),
            Measure::Duration => (format!("runs of {} min or more", num(cut)), "shorter runs"),
            Measure::Pace => (format!("runs faster than {} per km", pace_text(cut)), "slower runs"),
            Measure::Climb => (format!("runs climbing {} m or more per km", num(cut)), "flatter runs"),
            Measure::Sitting if day_before => {
                (format!("runs the day after {} h or more of sitting", num(cut)), "other runs")
            }
            Measure::Sitting => (format!("runs on days with {} h or more of sitting", num(cut)), "on other days"),
            Measure::LongestSitting => {
                (format!("runs on days with {} h or more of sitting without a break", num(cut)), "on other days")
            }
            Measure::Car if day_before => (format!("runs the day after {} h or more in a car", num(cut)), "other runs"),
            Measure::Car => (format!("runs on days with {} h or more in a car", num(cut)), "on other days"),
            Measure::Sleep => (format!("runs after less than {} h of sleep", num(cut)), "after more sleep"),
            Measure::Stress => (format!("runs on days with stress {}/10 or more", num(cut)), "on calmer days"),
            Measure::WeekDistance => (format!("runs in weeks of {} km or more", num(cut)), "in lighter weeks"),
            Measure::WeekJump => {
                (format!("runs in weeks {}% or more above the 2 weeks before", pct(cut)), "other runs")
            }
            Measure::LongestRatio => {
                (format!("runs {}% or more longer than your longest of the previous 30 days", pct(cut)), "other runs")
            }
            Measure::CrossTraining => {
                (format!("runs the day after {} h or more of other sports", num(cut)), "other runs")
            }
        }
    }

    /// "the more hours of sitting, the more pain": the dose-response reading.
    pub fn dose_words(self, lag: Lag) -> String {
        let day_before = lag == Lag::DayBefore;
        match self {
            Measure::Distance => "the longer the run".into(),
            Measure::Duration => "the more minutes running".into(),
            Measure::Pace => "the faster the run".into(),
            Measure::Climb => "the more climbing per km".into(),
            Measure::Sitting if day_before => "the more sitting the day before".into(),
            Measure::Sitting => "the more hours of sitting that day".into(),
            Measure::LongestSitting => "the longer the longest stretch of sitting".into(),
            Measure::Car if day_before => "the more hours in a car the day before".into(),
            Measure::Car => "the more hours in a car that day".into(),
            Measure::Sleep => "the less sleep the night before".into(),
            Measure::Stress => "the higher the day's stress".into(),
            Measure::WeekDistance => "the more kilometres that week".into(),
            Measure::WeekJump => "the bigger the jump in weekly distance".into(),
            Measure::LongestRatio => "the further a run goes beyond your recent longest".into(),
            Measure::CrossTraining => "the more hours of other sports the day before".into(),
        }
    }

    /// Whether a value is on the exposed side of `cut`.
    pub fn exposed(self, v: f64, cut: f64) -> bool {
        if self.higher_is_exposed() { v >= cut - 1e-9 } else { v < cut - 1e-9 }
    }
}

/// A number without a pointless ".0".
fn num(x: f64) -> String {
    if (x - x.round()).abs() < 1e-6 { format!("{}", x.round() as i64) } else { format!("{x:.1}") }
}

/// 4.75 → "4:45".
pub fn pace_text(min_per_km: f64) -> String {
    let total = (min_per_km * 60.0).round() as i64;
    format!("{}:{:02}", total / 60, total % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_and_cuts_read_like_people_talk() {
        let m = Measure::Sitting;
        assert_eq!(m.bin(8.0), 32);
        assert_eq!(m.edge(32), 8.0);
        assert_eq!(m.readable_cut_bin(7.8), 32, "rounded to the half hour");
        assert_eq!(m.cut_words(Lag::SameDay, 8.0), "days with 8 h or more of sitting");
        assert_eq!(m.cut_words(Lag::DayBefore, 8.5), "runs the day after 8.5 h or more of sitting");
        assert_eq!(Measure::Pace.cut_words(Lag::SameDay, 4.75), "runs faster than 4:45 per km");
        assert_eq!(
            Measure::WeekJump.cut_phrases(Lag::SameDay, 1.3).0,
            "runs in weeks 30% or more above the 2 weeks before"
        );
        assert!(Measure::Sleep.exposed(5.5, 6.0) && !Measure::Sleep.exposed(6.0, 6.0));
        assert!(Measure::Car.exposed(2.0, 2.0) && !Measure::Car.exposed(1.75, 2.0));
        assert_eq!(Measure::WeekJump.bin(f64::INFINITY), Measure::WeekJump.bins() - 1);
        assert_eq!(Measure::Stress.bins(), 11);
    }
}
