//! Candidate factors and the ways each can be read for one run. Each factor is coded so that "yes" is the side
//! suspected of going with pain (hard ground, pack on, routine skipped, short sleep…).
//!
//! A factor logged as yes/no (the pack, the routines) has one reading. A factor measured on a scale (sitting hours,
//! car hours, sleep, stress, distances, pace, climb) is also read against cut points and as a dose (see
//! [`crate::exposures`]); [`Cutoffs`] keeps one fixed cut per factor for the simple per-factor figures and for what
//! is shown when no searched cut point is supported.

use crate::exposures::{Lag, Measure};
use crate::observation::{RunObservation, SurfaceKind};
use serde::{Deserialize, Serialize};

/// A candidate factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Factor {
    LongRun,
    SpeedWork,
    TrailRun,
    PackWorn,
    HardSurface,
    LongSittingDay,
    UnbrokenSitting,
    CarTravel,
    AteBeforeRun,
    PreRunRoutineSkipped,
    PostRunResetSkipped,
    ShortSleep,
    HighStress,
    WeeklyDistanceJump,
    LongestRunSpike,
    /// Other sports (a long ride, a swim) the day before the run.
    CrossTrainingDayBefore,
}

/// The fixed cut points used to turn numbers into yes/no. Defaults follow the evidence brief and the plan engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cutoffs {
    /// A run is long when labelled long or at least this far (the plan engine's long-run threshold).
    pub long_run_km: f64,
    /// A long sitting day: at least this many hours seated (the brief's 4–6 h desk range, upper end).
    pub sitting_hours: f64,
    /// Unbroken sitting: a stretch at least this long without getting up.
    pub unbroken_sitting_hours: f64,
    /// Car travel: at least this many hours on the day of the run.
    pub car_hours: f64,
    /// Short sleep: less than this many hours the night before.
    pub short_sleep_hours: f64,
    /// High stress: at least this on the 0–10 scale.
    pub high_stress: u8,
    /// Cross-training the day before: at least this many hours of other sports.
    #[serde(default = "default_cross_training_hours")]
    pub cross_training_hours: f64,
}

fn default_cross_training_hours() -> f64 {
    1.5
}

impl Default for Cutoffs {
    fn default() -> Self {
        Cutoffs {
            long_run_km: 15.0,
            sitting_hours: 6.0,
            unbroken_sitting_hours: 2.0,
            car_hours: 2.0,
            short_sleep_hours: 6.0,
            high_stress: 6,
            cross_training_hours: default_cross_training_hours(),
        }
    }
}

impl Factor {
    pub const ALL: [Factor; 16] = [
        Factor::LongRun,
        Factor::SpeedWork,
        Factor::TrailRun,
        Factor::PackWorn,
        Factor::HardSurface,
        Factor::LongSittingDay,
        Factor::UnbrokenSitting,
        Factor::CarTravel,
        Factor::AteBeforeRun,
        Factor::PreRunRoutineSkipped,
        Factor::PostRunResetSkipped,
        Factor::ShortSleep,
        Factor::HighStress,
        Factor::WeeklyDistanceJump,
        Factor::LongestRunSpike,
        Factor::CrossTrainingDayBefore,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Factor::LongRun => "long-run",
            Factor::SpeedWork => "speed-work",
            Factor::TrailRun => "trail-run",
            Factor::PackWorn => "pack-worn",
            Factor::HardSurface => "hard-surface",
            Factor::LongSittingDay => "long-sitting-day",
            Factor::UnbrokenSitting => "unbroken-sitting",
            Factor::CarTravel => "car-travel",
            Factor::AteBeforeRun => "ate-before-run",
            Factor::PreRunRoutineSkipped => "pre-run-routine-skipped",
            Factor::PostRunResetSkipped => "post-run-reset-skipped",
            Factor::ShortSleep => "short-sleep",
            Factor::HighStress => "high-stress",
            Factor::WeeklyDistanceJump => "weekly-distance-jump",
            Factor::LongestRunSpike => "longest-run-spike",
            Factor::CrossTrainingDayBefore => "cross-training-day-before",
        }
    }

    /// Short name for tables.
    pub fn label(self) -> &'static str {
        match self {
            Factor::LongRun => "long run",
            Factor::SpeedWork => "speed work",
            Factor::TrailRun => "trail run",
            Factor::PackWorn => "hydration pack or vest",
            Factor::HardSurface => "hard surface",
            Factor::LongSittingDay => "long sitting day",
            Factor::UnbrokenSitting => "long unbroken sitting",
            Factor::CarTravel => "car travel",
            Factor::AteBeforeRun => "eating shortly before",
            Factor::PreRunRoutineSkipped => "pre-run routine skipped",
            Factor::PostRunResetSkipped => "post-run reset skipped",
            Factor::ShortSleep => "short sleep",
            Factor::HighStress => "high stress",
            Factor::WeeklyDistanceJump => "weekly distance jump",
            Factor::LongestRunSpike => "run longer than recent longest",
            Factor::CrossTrainingDayBefore => "other sports the day before",
        }
    }

    /// The cut point in words, so every "yes" can be checked by the runner.
    pub fn cut_point(self, c: &Cutoffs) -> String {
        match self {
            Factor::LongRun => format!("labelled long, or {} km or more", c.long_run_km),
            Factor::SpeedWork => "intervals, tempo or race".to_string(),
            Factor::TrailRun => "labelled trail".to_string(),
            Factor::PackWorn => "pack or vest worn on the run".to_string(),
            Factor::HardSurface => "road or pavement (vs trail, grass, track, treadmill)".to_string(),
            Factor::LongSittingDay => format!("{} h or more sitting that day", c.sitting_hours),
            Factor::UnbrokenSitting => {
                format!("a stretch of {} h or more sitting without a break", c.unbroken_sitting_hours)
            }
            Factor::CarTravel => format!("{} h or more in a car that day", c.car_hours),
            Factor::AteBeforeRun => "ate within 2 h before the run".to_string(),
            Factor::PreRunRoutineSkipped => "pre-run routine not done".to_string(),
            Factor::PostRunResetSkipped => "post-run reset not done".to_string(),
            Factor::ShortSleep => format!("less than {} h sleep the night before", c.short_sleep_hours),
            Factor::HighStress => format!("stress {}/10 or more", c.high_stress),
            Factor::WeeklyDistanceJump => {
                "the 7 days up to the run more than 30% above the previous 2-week average".to_string()
            }
            Factor::LongestRunSpike => "more than 10% longer than the longest run of the previous 30 days".to_string(),
            Factor::CrossTrainingDayBefore => {
                format!("{} h or more of other sports (ride, swim, hike) the day before", c.cross_training_hours)
            }
        }
    }

    /// Phrases for "pain followed X of Y `with` and A of B `without`".
    pub fn phrases(self) -> (&'static str, &'static str) {
        match self {
            Factor::LongRun => ("long runs", "shorter runs"),
            Factor::SpeedWork => ("speed sessions", "other runs"),
            Factor::TrailRun => ("trail runs", "other runs"),
            Factor::PackWorn => ("runs with the pack", "without"),
            Factor::HardSurface => ("runs on hard ground", "on softer ground"),
            Factor::LongSittingDay => ("runs on long sitting days", "on other days"),
            Factor::UnbrokenSitting => ("runs after long unbroken sitting", "on other days"),
            Factor::CarTravel => ("runs after car travel", "other runs"),
            Factor::AteBeforeRun => ("runs soon after eating", "other runs"),
            Factor::PreRunRoutineSkipped => ("runs without the pre-run routine", "with it"),
            Factor::PostRunResetSkipped => ("runs without the post-run reset", "with it"),
            Factor::ShortSleep => ("runs after short sleep", "after longer sleep"),
            Factor::HighStress => ("runs on high-stress days", "on calmer days"),
            Factor::WeeklyDistanceJump => ("runs in a week with a distance jump", "other runs"),
            Factor::LongestRunSpike => ("runs longer than your recent longest", "other runs"),
            Factor::CrossTrainingDayBefore => ("runs the day after other sports", "other runs"),
        }
    }

    /// Yes/no for one run, or `None` when the needed context was not logged.
    pub fn value(self, run: &RunObservation, c: &Cutoffs) -> Option<bool> {
        let ctx = &run.context;
        match self {
            Factor::LongRun => Some(run.run_type == crate::RunLabel::Long || run.distance_km >= c.long_run_km),
            Factor::SpeedWork => Some(run.run_type.is_speed()),
            Factor::TrailRun => Some(run.run_type == crate::RunLabel::Trail),
            Factor::PackWorn => ctx.pack_worn,
            Factor::HardSurface => ctx.surface.map(|s| s == SurfaceKind::Hard),
            Factor::LongSittingDay => ctx.sitting_hours.map(|h| h >= c.sitting_hours),
            Factor::UnbrokenSitting => ctx.longest_sitting_hours.map(|h| h >= c.unbroken_sitting_hours),
            // The same day only: a Saturday run does not inherit Friday's drive (the day-before reading is one of the
            // searched ones, paid for like any other).
            Factor::CarTravel => ctx.car_hours_same_day.map(|h| h >= c.car_hours),
            Factor::AteBeforeRun => ctx.ate_within_2h,
            Factor::PreRunRoutineSkipped => ctx.pre_run_routine_done.map(|d| !d),
            Factor::PostRunResetSkipped => ctx.post_run_reset_done.map(|d| !d),
            Factor::ShortSleep => ctx.sleep_hours.map(|h| h < c.short_sleep_hours),
            Factor::HighStress => ctx.stress.map(|s| s >= c.high_stress),
            Factor::WeeklyDistanceJump => run.load.weekly_jump,
            Factor::LongestRunSpike => run.load.single_run_spike,
            Factor::CrossTrainingDayBefore => ctx.cross_training_hours_day_before.map(|h| h >= c.cross_training_hours),
        }
    }

    /// Whether the factor has a yes/no rule of its own (a label or a logged answer), as opposed to a cut on a
    /// measure.
    pub fn has_rule(self) -> bool {
        matches!(
            self,
            Factor::LongRun
                | Factor::SpeedWork
                | Factor::TrailRun
                | Factor::PackWorn
                | Factor::HardSurface
                | Factor::AteBeforeRun
                | Factor::PreRunRoutineSkipped
                | Factor::PostRunResetSkipped
        )
    }

    /// The measures the factor can be read on, each with the day it is read from. Daily measures are also read
    /// from the day before, for effects that show up a day later.
    pub fn measures(self) -> &'static [(Measure, Lag)] {
        use Lag::*;
        match self {
            Factor::LongRun => &[(Measure::Distance, SameDay), (Measure::Duration, SameDay)],
            Factor::SpeedWork => &[(Measure::Pace, SameDay)],
            Factor::TrailRun => &[(Measure::Climb, SameDay)],
            Factor::LongSittingDay => &[(Measure::Sitting, SameDay), (Measure::Sitting, DayBefore)],
            Factor::UnbrokenSitting => &[(Measure::LongestSitting, SameDay)],
            Factor::CarTravel => &[(Measure::Car, SameDay), (Measure::Car, DayBefore)],
            Factor::ShortSleep => &[(Measure::Sleep, SameDay)],
            Factor::HighStress => &[(Measure::Stress, SameDay)],
            Factor::WeeklyDistanceJump => &[(Measure::WeekJump, SameDay), (Measure::WeekDistance, SameDay)],
            Factor::LongestRunSpike => &[(Measure::LongestRatio, SameDay)],
            Factor::CrossTrainingDayBefore => &[(Measure::CrossTraining, DayBefore)],
            Factor::PackWorn
            | Factor::HardSurface
            | Factor::AteBeforeRun
            | Factor::PreRunRoutineSkipped
            | Factor::PostRunResetSkipped => &[],
        }
    }

    /// For factors without a rule of their own, the fixed cut their default reading uses.
    pub fn default_cut(self, c: &Cutoffs) -> Option<(Measure, Lag, f64)> {
        let same = Lag::SameDay;
        match self {
            Factor::LongSittingDay => Some((Measure::Sitting, same, c.sitting_hours)),
            Factor::UnbrokenSitting => Some((Measure::LongestSitting, same, c.unbroken_sitting_hours)),
            Factor::CarTravel => Some((Measure::Car, same, c.car_hours)),
            Factor::ShortSleep => Some((Measure::Sleep, same, c.short_sleep_hours)),
            Factor::HighStress => Some((Measure::Stress, same, f64::from(c.high_stress))),
            Factor::WeeklyDistanceJump => Some((Measure::WeekJump, same, 1.3)),
            Factor::LongestRunSpike => Some((Measure::LongestRatio, same, 1.1)),
            Factor::CrossTrainingDayBefore => Some((Measure::CrossTraining, Lag::DayBefore, c.cross_training_hours)),
            _ => None,
        }
    }

    /// Whether the runner can switch this factor on and off at will, which is what a self-experiment needs.
    pub fn experiment(self) -> Option<crate::experiment::ExperimentFactor> {
        use crate::experiment::ExperimentFactor as E;
        match self {
            Factor::PackWorn => Some(E::Pack),
            Factor::PreRunRoutineSkipped => Some(E::PreRunBreathing),
            Factor::PostRunResetSkipped => Some(E::FoamRoller),
            Factor::HardSurface | Factor::TrailRun => Some(E::Surface),
            Factor::AteBeforeRun => Some(E::EatingBefore),
            _ => None,
        }
    }
}
