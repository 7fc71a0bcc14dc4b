//! The scenarios: who the runners are and what (if anything) brings their pain. Written from the seeds and the
//! evidence brief (long runs, speed work, sitting, car trips, packs, sleep, routines), at cut points a person would
//! name ("8 hours at the desk", "a 2.5-hour drive", "under six and a half hours of sleep", "18 km"), not at any
//! cut the engine may use (this file was written without reading it).

use crate::rng::Rng;
use crate::runner::{Exposure, Habits, Kind, Slot};
use runtall_insights::Factor;

/// What raises the chance of a pain event on a run, as a multiplier of the runner's base chance.
#[derive(Clone, Copy)]
pub enum Trigger {
    /// Sitting before the run (that day's for runs from noon on, the day before's for morning runs) at or above
    /// `cut` hours.
    SittingBeforeRun { cut: f64, rr: f64 },
    /// The day's longest unbroken stretch of sitting before the run at or above `cut` hours.
    Unbroken { cut: f64, rr: f64 },
    /// A drive of `cut` hours or more the day before (the Friday drive before a Saturday long run).
    CarDayBefore { cut: f64, rr: f64 },
    /// Sleep the night before under `cut` hours.
    ShortSleep { cut: f64, rr: f64 },
    /// Runs of `cut` km or more.
    Distance { cut: f64, rr: f64 },
    /// A pack or vest worn.
    Pack { rr: f64 },
    /// Climbing of `cut` m/km or more (hidden: the journal has no ascent; trail runs carry it).
    Climb { cut: f64, rr: f64 },
    /// Pace faster than `cut` min/km.
    Faster { cut: f64, rr: f64 },
    /// Dose-response on yesterday's sitting: `rr` per hour above `from` hours.
    SittingYesterdayDose { from: f64, rr: f64 },
    /// Ate within 2 h before the run.
    Ate { rr: f64 },
    /// The post-run reset skipped. (The pain is felt the next morning mostly; the chance is what changes.)
    ResetSkipped { rr: f64 },
    /// Stress that day at or above `cut` (0–10).
    Stress { cut: f64, rr: f64 },
    /// Intervals, tempo runs and races: the runner's label says which runs these are.
    SpeedSession { rr: f64 },
}

impl Trigger {
    /// The effect at which the trigger is "on" once: its RR for a yes/no trigger, the RR of four hours above the
    /// start for the dose-response one (`rr` per hour). The oracle that does not know effect sizes rescales this.
    pub fn effect(&self) -> f64 {
        match *self {
            Trigger::SittingYesterdayDose { rr, .. } => rr.powi(4),
            Trigger::SittingBeforeRun { rr, .. }
            | Trigger::Unbroken { rr, .. }
            | Trigger::CarDayBefore { rr, .. }
            | Trigger::ShortSleep { rr, .. }
            | Trigger::Distance { rr, .. }
            | Trigger::Pack { rr }
            | Trigger::Climb { rr, .. }
            | Trigger::Faster { rr, .. }
            | Trigger::Ate { rr }
            | Trigger::ResetSkipped { rr }
            | Trigger::Stress { rr, .. }
            | Trigger::SpeedSession { rr } => rr,
        }
    }

    pub fn multiplier(&self, e: &Exposure) -> f64 {
        let on = |yes: bool, rr: f64| if yes { rr } else { 1.0 };
        match *self {
            Trigger::SittingBeforeRun { cut, rr } => on(e.sitting_before_run() >= cut, rr),
            Trigger::Unbroken { cut, rr } => on(e.longest_before_run() >= cut, rr),
            Trigger::CarDayBefore { cut, rr } => on(e.yesterday.is_some_and(|y| y.car >= cut), rr),
            Trigger::ShortSleep { cut, rr } => on(e.day.sleep < cut, rr),
            Trigger::Distance { cut, rr } => on(e.run.km >= cut, rr),
            Trigger::Pack { rr } => on(e.run.pack, rr),
            Trigger::Climb { cut, rr } => on(e.run.climb_per_km >= cut, rr),
            Trigger::Faster { cut, rr } => on(e.run.pace() < cut, rr),
            Trigger::SittingYesterdayDose { from, rr } => {
                rr.powf((e.yesterday.map_or(0.0, |y| y.sitting) - from).max(0.0))
            }
            Trigger::Ate { rr } => on(e.run.ate, rr),
            Trigger::ResetSkipped { rr } => on(!e.run.post_done, rr),
            Trigger::Stress { cut, rr } => on(e.day.stress >= cut, rr),
            Trigger::SpeedSession { rr } => on(matches!(e.run.kind, Kind::Intervals | Kind::Tempo | Kind::Race), rr),
        }
    }
}

/// Who is recruited into a scenario: the runners for whom its trigger is a real possibility (a desk job for
/// sitting triggers, long runs for a distance trigger), otherwise everyone.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Population {
    Anyone,
    DeskWorkers,
    FridayDrivers,
    LongRunners,
    TrailRunners,
    Quick,
    RareEaters,
    /// Logging gaps beyond the usual, and more flares.
    Gappy,
}

impl Population {
    pub fn adjust(self, h: &mut Habits, rng: &mut Rng) {
        match self {
            Population::Anyone => {}
            Population::DeskWorkers => {
                h.desk = true;
                h.sit_mean = rng.range(6.0, 9.5);
                if h.slot == Slot::Morning && rng.chance(0.3) {
                    h.slot = Slot::Evening;
                }
            }
            Population::FridayDrivers => {
                h.p_friday_drive = rng.range(0.2, 0.5);
                h.p_weekend_trip = rng.range(0.05, 0.25);
                h.long_day = 5;
            }
            Population::LongRunners => h.long_km = rng.range(16.0, 28.0).max(h.easy_km * 1.5),
            Population::TrailRunners => h.trail_share = rng.range(0.15, 0.5),
            Population::Quick => {
                h.easy_pace = rng.range(4.9, 6.0);
                h.speed = true;
            }
            Population::RareEaters => h.p_eat = rng.range(0.03, 0.12),
            Population::Gappy => {
                h.log_day_rate = rng.range(0.3, 0.7);
                h.p_log_pain = rng.range(0.6, 0.9);
                h.flare_rate = rng.range(0.05, 0.15);
            }
        }
    }
}

pub struct Scenario {
    pub name: &'static str,
    pub what: &'static str,
    /// The engine factors that stand for the planted trigger(s).
    pub planted: &'static [Factor],
    /// Range of runners' base chance of a pain event per run (no trigger present).
    pub base: (f64, f64),
    pub population: Population,
    pub triggers: &'static [Trigger],
    /// A positive control: a strong trigger the runner's own labels mark, to show the harness can see a planted
    /// factor at all. Printed, but kept out of the pooled rows.
    pub control: bool,
}

impl Scenario {
    pub fn multiplier(&self, e: &Exposure) -> f64 {
        self.triggers.iter().map(|t| t.multiplier(e)).product()
    }

    /// A trigger scenario that counts in the pooled figures.
    pub fn counts(&self) -> bool {
        !self.is_null() && !self.control
    }

    pub fn is_null(&self) -> bool {
        self.triggers.is_empty()
    }
}

use Factor as F;

/// The suite. Fixed: nothing here was tuned to the engine's results.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "sit8",
        what: "sitting >= 8 h before the run (that day, or the day before for morning runs), RR 3",
        planted: &[F::LongSittingDay],
        base: (0.08, 0.20),
        population: Population::DeskWorkers,
        control: false,
        triggers: &[Trigger::SittingBeforeRun { cut: 8.0, rr: 3.0 }],
    },
    Scenario {
        name: "unbroken2",
        what: "longest unbroken sitting >= 2 h before the run, RR 2.5",
        planted: &[F::UnbrokenSitting],
        base: (0.10, 0.25),
        population: Population::DeskWorkers,
        control: false,
        triggers: &[Trigger::Unbroken { cut: 2.0, rr: 2.5 }],
    },
    Scenario {
        name: "drive-lag",
        what: "a drive of >= 2.5 h the day before (Friday drive, Saturday long run), RR 4",
        planted: &[F::CarTravel],
        base: (0.08, 0.15),
        population: Population::FridayDrivers,
        control: false,
        triggers: &[Trigger::CarDayBefore { cut: 2.5, rr: 4.0 }],
    },
    Scenario {
        name: "sleep6.5",
        what: "under 6.5 h of sleep the night before, RR 2.5",
        planted: &[F::ShortSleep],
        base: (0.10, 0.25),
        population: Population::Anyone,
        control: false,
        triggers: &[Trigger::ShortSleep { cut: 6.5, rr: 2.5 }],
    },
    Scenario {
        name: "long18+pack",
        what: "runs of 18 km or more, RR 3; packs worn mostly on those runs (confounder)",
        planted: &[F::LongRun],
        base: (0.06, 0.15),
        population: Population::LongRunners,
        control: false,
        triggers: &[Trigger::Distance { cut: 18.0, rr: 3.0 }],
    },
    Scenario {
        name: "pack",
        what: "pack or vest worn, RR 3 (worn on long and trail runs: confounded with both)",
        planted: &[F::PackWorn],
        base: (0.08, 0.20),
        population: Population::Anyone,
        control: false,
        triggers: &[Trigger::Pack { rr: 3.0 }],
    },
    Scenario {
        name: "steep",
        what: "climbing >= 25 m/km, RR 3: hidden (no ascent in a journal), carried by trail runs",
        planted: &[F::TrailRun],
        base: (0.08, 0.20),
        population: Population::TrailRunners,
        control: false,
        triggers: &[Trigger::Climb { cut: 25.0, rr: 3.0 }],
    },
    Scenario {
        name: "pace<5:00",
        what: "pace faster than 5:00 min/km, RR 2.5",
        planted: &[F::SpeedWork],
        base: (0.08, 0.20),
        population: Population::Quick,
        control: false,
        triggers: &[Trigger::Faster { cut: 5.0, rr: 2.5 }],
    },
    Scenario {
        name: "sit-dose-lag",
        what: "yesterday's sitting, dose-response: RR 1.3 per hour above 4 h",
        planted: &[F::LongSittingDay],
        base: (0.05, 0.12),
        population: Population::DeskWorkers,
        control: false,
        triggers: &[Trigger::SittingYesterdayDose { from: 4.0, rr: 1.3 }],
    },
    Scenario {
        name: "ate-rare",
        what: "ate within 2 h before the run (rare, 3-12% of runs), RR 5",
        planted: &[F::AteBeforeRun],
        base: (0.08, 0.20),
        population: Population::RareEaters,
        control: false,
        triggers: &[Trigger::Ate { rr: 5.0 }],
    },
    Scenario {
        name: "reset-skip",
        what: "post-run reset skipped (common), RR 1.7, high base rate",
        planted: &[F::PostRunResetSkipped],
        base: (0.15, 0.30),
        population: Population::Anyone,
        control: false,
        triggers: &[Trigger::ResetSkipped { rr: 1.7 }],
    },
    Scenario {
        name: "stress+sleep",
        what: "two weak triggers: stress >= 7 RR 1.8 and sleep < 6 h RR 1.8 (stress shortens sleep)",
        planted: &[F::HighStress, F::ShortSleep],
        base: (0.08, 0.20),
        population: Population::Anyone,
        control: false,
        triggers: &[Trigger::Stress { cut: 7.0, rr: 1.8 }, Trigger::ShortSleep { cut: 6.0, rr: 1.8 }],
    },
    Scenario {
        name: "null",
        what: "no trigger, base 5-30%",
        planted: &[],
        base: (0.05, 0.30),
        population: Population::Anyone,
        control: false,
        triggers: &[],
    },
    Scenario {
        name: "null-gappy",
        what: "no trigger, base 15-30%, sparse logs and frequent flares",
        planted: &[],
        base: (0.15, 0.30),
        population: Population::Gappy,
        control: false,
        triggers: &[],
    },
    Scenario {
        name: "control",
        what: "positive control: intervals, tempo runs and races (as labelled), RR 4",
        planted: &[F::SpeedWork],
        base: (0.08, 0.20),
        population: Population::Quick,
        control: true,
        triggers: &[Trigger::SpeedSession { rr: 4.0 }],
    },
];

/// Every factor some scenario plants: the "restricted" rankings look only at these (as issue 13's per-factor
/// baseline was restricted to the planted factors).
pub fn plantable() -> Vec<Factor> {
    let mut all: Vec<Factor> = SCENARIOS.iter().flat_map(|s| s.planted.iter().copied()).collect();
    all.sort();
    all.dedup();
    all
}
