//! The pain journal and daily context: what a runner logs in seconds after a run or at the end of a day.
//!
//! These records are what the insights engine relates to runs. Values are range-checked on construction and on
//! deserialization (journal import), so a bad line is refused with its field and range.

use crate::assess::{DayHours, Region, Score, Surface};
use crate::error::InputError;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// When the pain was felt, relative to running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
    pub const ALL: [PainTiming; 6] = [
        PainTiming::Before,
        PainTiming::During,
        PainTiming::RightAfter,
        PainTiming::NextMorning,
        PainTiming::AtDesk,
        PainTiming::Other,
    ];

    pub fn id(self) -> &'static str {
        match self {
            PainTiming::Before => "before",
            PainTiming::During => "during",
            PainTiming::RightAfter => "right-after",
            PainTiming::NextMorning => "next-morning",
            PainTiming::AtDesk => "at-desk",
            PainTiming::Other => "other",
        }
    }

    /// When it hurt, in words for a form or a list ("right after a run").
    pub fn label(self) -> &'static str {
        match self {
            PainTiming::Before => "before a run",
            PainTiming::During => "during a run",
            PainTiming::RightAfter => "right after a run",
            PainTiming::NextMorning => "the morning after",
            PainTiming::AtDesk => "at the desk",
            PainTiming::Other => "other",
        }
    }

    /// Whether this timing ties the report to a run (and so the auto-link looks for one).
    pub fn is_about_a_run(self) -> bool {
        matches!(self, PainTiming::Before | PainTiming::During | PainTiming::RightAfter | PainTiming::NextMorning)
    }
}

impl std::str::FromStr for PainTiming {
    type Err = InputError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PainTiming::ALL.into_iter().find(|t| t.id() == s).ok_or_else(|| {
            let ids: Vec<_> = PainTiming::ALL.iter().map(|t| t.id()).collect();
            InputError::new("timing", format!("unknown timing '{s}' (expected one of: {})", ids.join(", ")))
        })
    }
}

/// One pain report. Stored state (the forms, the API and journals each read their own shapes), so a field a newer
/// binary adds is ignored here rather than making every stored report unreadable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PainReport {
    #[serde(default)]
    pub id: Option<i64>,
    pub at: Timestamp,
    pub timing: PainTiming,
    pub region: Region,
    pub intensity: Score,
    /// The run this report belongs to (auto-linked to the nearest run when not given).
    #[serde(default)]
    pub run_id: Option<i64>,
    #[serde(default)]
    pub notes: Option<String>,
}

impl PainReport {
    /// Checks what the types cannot: chest pain is not journal material, and reports are not in the future.
    pub fn check(&self, now: Timestamp) -> Result<(), InputError> {
        if self.region == Region::Chest {
            return Err(InputError::new(
                "region",
                "chest pain is not logged here: it goes to the red-flag screen first (`runtall screen`). If you have chest pain now, call your emergency number.",
            ));
        }
        if self.at.as_second() > now.as_second() + 300 {
            return Err(InputError::new("at", format!("{} is in the future", self.at)));
        }
        if self.notes.as_ref().is_some_and(|n| crate::text::longer_than(n, crate::text::NOTES_MAX_CHARS)) {
            return Err(InputError::new("notes", format!("at most {} characters", crate::text::NOTES_MAX_CHARS)));
        }
        Ok(())
    }
}

/// A relief option used on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReliefUse {
    Heat,
    Ice,
    Topical,
    Magnesium,
    Tape,
}

/// Daily context: one short entry a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayLog {
    pub date: Date,
    #[serde(default)]
    pub sitting_h: Option<DayHours>,
    #[serde(default)]
    pub longest_sitting_h: Option<DayHours>,
    #[serde(default)]
    pub car_h: Option<DayHours>,
    #[serde(default)]
    pub sleep_h: Option<DayHours>,
    #[serde(default)]
    pub stress: Option<Score>,
    #[serde(default)]
    pub strength_done: bool,
    #[serde(default)]
    pub mobility_done: bool,
    #[serde(default)]
    pub relief: Vec<ReliefUse>,
    /// Supplemental magnesium taken that day, mg (checked against the 350 mg/day limit).
    #[serde(default)]
    pub magnesium_mg: Option<u32>,
}

/// The supplemental magnesium limit from the evidence brief (§4).
pub const MAGNESIUM_LIMIT_MG: u32 = 350;

impl DayLog {
    /// A day with nothing logged yet, for forms and quick logs to fill in.
    pub fn empty(date: Date) -> DayLog {
        DayLog {
            date,
            sitting_h: None,
            longest_sitting_h: None,
            car_h: None,
            sleep_h: None,
            stress: None,
            strength_done: false,
            mobility_done: false,
            relief: vec![],
            magnesium_mg: None,
        }
    }

    pub fn check(&self, today: Date) -> Result<Vec<String>, InputError> {
        if self.date > today {
            return Err(InputError::new("date", format!("{} is in the future", self.date)));
        }
        if let (Some(longest), Some(total)) = (self.longest_sitting_h, self.sitting_h)
            && longest.get() > total.get()
        {
            return Err(InputError::new("longest_sitting_h", "longer than the day's total sitting"));
        }
        let mut warnings = Vec::new();
        if let Some(mg) = self.magnesium_mg {
            if mg > 5000 {
                return Err(InputError::new("magnesium_mg", format!("{mg} mg is not a plausible daily amount")));
            }
            if mg > MAGNESIUM_LIMIT_MG {
                warnings.push(format!(
                    "{mg} mg of supplemental magnesium is above the {MAGNESIUM_LIMIT_MG} mg/day upper limit; talk to a pharmacist. Magnesium is not a pain treatment."
                ));
            }
        }
        Ok(warnings)
    }
}

/// Context of one run, logged after it. Stored state (the page and the API read their own shape), so unknown
/// fields from a newer binary are ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunContext {
    pub run_id: i64,
    #[serde(default)]
    pub pack: Option<bool>,
    #[serde(default)]
    pub surface: Option<Surface>,
    #[serde(default)]
    pub ate_within_2h: Option<bool>,
    #[serde(default)]
    pub pre_run_done: Option<bool>,
    #[serde(default)]
    pub post_run_done: Option<bool>,
}

impl RunContext {
    /// A run with nothing logged about it yet, for forms and quick logs to fill in.
    pub fn empty(run_id: i64) -> RunContext {
        RunContext { run_id, pack: None, surface: None, ate_within_2h: None, pre_run_done: None, post_run_done: None }
    }
}

/// Picks the run a report belongs to: for "before" the next run within 3 h; for "during"/"right after" the run
/// that contains the time or ended within 3 h before it; for "next morning" a run that ended 6–36 h earlier.
/// Among candidates, the nearest in time wins.
pub fn link_run(report_at: Timestamp, timing: PainTiming, runs: &[(i64, Timestamp, Timestamp)]) -> Option<i64> {
    let t = report_at.as_second();
    let h = 3600;
    let candidates = runs.iter().filter_map(|(id, start, end)| {
        let (s, e) = (start.as_second(), end.as_second());
        let distance = match timing {
            PainTiming::Before => (s >= t && s - t <= 3 * h).then_some(s - t),
            PainTiming::During | PainTiming::RightAfter => {
                if t >= s && t <= e {
                    Some(0)
                } else {
                    (t > e && t - e <= 3 * h).then_some(t - e)
                }
            }
            PainTiming::NextMorning => (t - e >= 6 * h && t - e <= 36 * h).then_some(t - e),
            PainTiming::AtDesk | PainTiming::Other => None,
        }?;
        Some((distance, *id))
    });
    candidates.min().map(|(_, id)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().expect("ts")
    }

    #[test]
    fn reports_link_to_the_nearest_fitting_run() {
        let runs = vec![
            (1, t("2026-11-10T07:00:00Z"), t("2026-11-10T08:00:00Z")),
            (2, t("2026-11-11T18:00:00Z"), t("2026-11-11T19:30:00Z")),
        ];
        assert_eq!(link_run(t("2026-11-10T08:30:00Z"), PainTiming::RightAfter, &runs), Some(1));
        assert_eq!(link_run(t("2026-11-10T07:40:00Z"), PainTiming::During, &runs), Some(1));
        assert_eq!(link_run(t("2026-11-11T07:00:00Z"), PainTiming::NextMorning, &runs), Some(1));
        assert_eq!(link_run(t("2026-11-11T17:00:00Z"), PainTiming::Before, &runs), Some(2));
        assert_eq!(
            link_run(t("2026-11-10T14:00:00Z"), PainTiming::RightAfter, &runs),
            None,
            "6 h later is not right after"
        );
        assert_eq!(link_run(t("2026-11-10T10:00:00Z"), PainTiming::AtDesk, &runs), None);
    }

    #[test]
    fn chest_and_future_reports_are_refused() {
        let now = t("2026-11-22T12:00:00Z");
        let mut r = PainReport {
            id: None,
            at: t("2026-11-22T08:00:00Z"),
            timing: PainTiming::RightAfter,
            region: Region::Neck,
            intensity: Score::new(4.0).expect("score"),
            run_id: None,
            notes: None,
        };
        assert!(r.check(now).is_ok());
        r.region = Region::Chest;
        assert!(r.check(now).expect_err("chest").message.contains("red-flag screen"));
        r.region = Region::Neck;
        r.at = t("2026-11-23T08:00:00Z");
        assert_eq!(r.check(now).expect_err("future").field, "at");
    }

    #[test]
    fn magnesium_above_the_limit_warns() {
        let today: Date = "2026-11-22".parse().expect("date");
        let mut d = DayLog {
            date: today,
            sitting_h: None,
            longest_sitting_h: None,
            car_h: None,
            sleep_h: None,
            stress: None,
            strength_done: false,
            mobility_done: false,
            relief: vec![ReliefUse::Magnesium],
            magnesium_mg: Some(200),
        };
        assert!(d.check(today).expect("ok").is_empty());
        d.magnesium_mg = Some(500);
        let warnings = d.check(today).expect("warn");
        assert!(warnings[0].contains("350"));
        d.date = "2026-11-30".parse().expect("date");
        assert!(d.check(today).is_err());
    }
}
