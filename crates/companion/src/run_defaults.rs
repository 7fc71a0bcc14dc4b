//! What run mode and `runtall cues` start from when the runner has not said: today's planned run, or the kind of
//! run they did last, at the length they ran it last — instead of the same easy 45 minutes for everyone.
//!
//! Pure: the caller reads the plan and the journal and passes what it found. Speed work starts as reps (the point
//! of run mode on a speed day is a cue before each rep), shaped as a common session the runner edits.

use crate::cues::{MAX_RUN_MIN, RepLength, RepSpec, Spec};
use runtall_content::RunType;
use runtall_domain::safety::Permissions;
use serde::{Deserialize, Serialize};

/// A run the runner did: its type and its moving time in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PastRun {
    pub run: RunType,
    pub moving_s: f64,
}

/// Where a default came from, for the page to say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Today's plan names this run.
    Plan,
    /// The runner's latest run, of this type or (for the type) of any type.
    LastRun,
    /// Nothing to go on: the usual length of this run type.
    Usual,
    /// The runner chose it.
    Chosen,
}

/// The run the form starts from, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunDefaults {
    pub run: RunType,
    pub run_from: Source,
    pub spec: Spec,
    pub length_from: Source,
}

/// A rep session to start from on a speed day when the runner has not given theirs: 6 × 3 min with 2 min
/// recoveries, 15 min warm-up and 10 min cool-down — a common shape, editable on the form.
pub const USUAL_REPS: RepSpec =
    RepSpec { reps: 6, length: RepLength::Time { s: 180 }, recovery_s: 120, warmup_min: 15, cooldown_min: 10 };

/// Minutes a run of this type usually lasts, when the journal has none of its kind.
pub fn usual_minutes(run: RunType) -> u32 {
    match run {
        RunType::Easy => 45,
        RunType::Long => 90,
        RunType::Speed => 50,
        RunType::Race => 45,
        RunType::Trail => 60,
    }
}

/// The defaults: the run type is today's planned run, else the latest run's type, else easy — each only if the
/// safety gate allows it (a held-back type falls through to the next; if none is allowed, easy, and the planner
/// then gives the gate's reason). The length is the latest run of that type, to the nearest 5 minutes; speed work
/// starts as [`USUAL_REPS`]. `recent` is newest first.
pub fn run_defaults(planned: Option<RunType>, recent: &[PastRun], permissions: &Permissions) -> RunDefaults {
    let allowed = |r: &RunType| permissions.run(*r).allowed;
    let (run, run_from) = planned
        .filter(allowed)
        .map(|r| (r, Source::Plan))
        .or_else(|| recent.first().map(|p| p.run).filter(allowed).map(|r| (r, Source::LastRun)))
        .or_else(|| [RunType::Easy].into_iter().chain(RunType::ALL).find(allowed).map(|r| (r, Source::Usual)))
        .unwrap_or((RunType::Easy, Source::Usual));
    RunDefaults { run_from, ..defaults_for(run, recent) }
}

/// The length a `run` the runner chose starts from: the latest run of that type to the nearest 5 minutes, else its
/// usual length; speed work as [`USUAL_REPS`]. (The gate is not asked: the planner gives its reason for a run it
/// holds back.)
pub fn defaults_for(run: RunType, recent: &[PastRun]) -> RunDefaults {
    if run == RunType::Speed {
        return RunDefaults { run, run_from: Source::Chosen, spec: Spec::Reps(USUAL_REPS), length_from: Source::Usual };
    }
    let last = recent.iter().find(|p| p.run == run && p.moving_s.is_finite() && p.moving_s >= 60.0);
    let (minutes, length_from) = match last {
        Some(p) => (rounded_minutes(p.moving_s), Source::LastRun),
        None => (usual_minutes(run), Source::Usual),
    };
    RunDefaults { run, run_from: Source::Chosen, spec: Spec::Minutes(minutes), length_from }
}

/// Seconds to whole minutes, to the nearest 5 (a 43-minute run starts the form at 45), within 5–[`MAX_RUN_MIN`].
fn rounded_minutes(s: f64) -> u32 {
    let m = (s / 60.0 / 5.0).round() * 5.0;
    (m.clamp(5.0, f64::from(MAX_RUN_MIN))) as u32
}

impl RunDefaults {
    /// One sentence on where the form's values came from ("A long run is planned for today; 90 minutes, …").
    pub fn words(&self) -> String {
        let length = match (self.spec, self.length_from) {
            (Spec::Reps(r), _) => format!("reps start as {}: change them to your session", r.label()),
            (Spec::Minutes(m), Source::LastRun) => format!("{m} minutes, about as long as your last one"),
            (Spec::Minutes(m), _) => format!("{m} minutes, a usual length"),
        };
        format!("{}; {length}.", self.run_words())
    }

    /// Where the run type came from: "A long run is planned for today", "Your last run was an easy run".
    pub fn run_words(&self) -> String {
        let run = self.run.as_str();
        match self.run_from {
            Source::Plan => format!("{} {run} run is planned for today", capital(article(run))),
            Source::LastRun => format!("Your last run was {} {run} run", article(run)),
            Source::Usual | Source::Chosen => format!("{} {run} run", capital(article(run))),
        }
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_to_five_minutes_within_range() {
        assert_eq!(rounded_minutes(43.0 * 60.0), 45);
        assert_eq!(rounded_minutes(62.0 * 60.0), 60);
        assert_eq!(rounded_minutes(60.0), 5);
        assert_eq!(rounded_minutes(1e9), MAX_RUN_MIN);
    }
}
