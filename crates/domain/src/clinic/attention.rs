//! What needs a clinician's look, and in which order a dashboard lists athletes.
//!
//! The rule is fixed and cautious like the safety gate: a red-flag screen since the clinician's last visit always
//! comes first (level A before B before C), then pain meaningfully worse than at the start, the "see a physical
//! therapist" prompt the athlete is being shown, adherence falling, and last an experiment that finished and has a
//! result to discuss. Each reason is said in words with its figures, so the clinician sees why an athlete is high
//! on the list without opening the page. The thresholds are in `docs/clinic.md` with their sources.

use jiff::Timestamp;
use runtall_content::FlagLevel;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// Adherence counts as falling when the recent weeks' share of planned routines done is this many percentage
/// points below the weeks before. No published cut-off exists for home-exercise adherence; 20 points is about one
/// planned routine in five skipped that used to be done, which a clinician would want to ask about.
pub const ADHERENCE_DROP_POINTS: f64 = 20.0;

/// Why an athlete needs a look, most urgent first (the derived order is the dashboard's order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonKind {
    RedFlagA,
    RedFlagB,
    RedFlagC,
    PainWorse,
    SeeAPt,
    AdherenceFalling,
    ExperimentFinished,
}

/// How soon to look, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// A red-flag screen since the last visit.
    Urgent,
    /// Pain meaningfully worse, or the runner is being told to see a physical therapist.
    Soon,
    /// Adherence falling.
    Watch,
    /// Something to discuss (a finished experiment).
    Info,
    /// Nothing new.
    None,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Urgent => "urgent",
            Level::Soon => "look soon",
            Level::Watch => "watch",
            Level::Info => "to discuss",
            Level::None => "nothing new",
        }
    }
}

impl ReasonKind {
    pub fn level(self) -> Level {
        match self {
            ReasonKind::RedFlagA | ReasonKind::RedFlagB | ReasonKind::RedFlagC => Level::Urgent,
            ReasonKind::PainWorse | ReasonKind::SeeAPt => Level::Soon,
            ReasonKind::AdherenceFalling => Level::Watch,
            ReasonKind::ExperimentFinished => Level::Info,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub kind: ReasonKind,
    pub text: String,
}

/// What needs a look for one athlete: the level of the most urgent reason, and every reason, most urgent first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attention {
    pub level: Level,
    pub reasons: Vec<Reason>,
}

impl Attention {
    /// Dashboard order: the more urgent first reason first; on a tie, the next reasons decide, and more reasons
    /// before fewer.
    pub fn urgency(&self, other: &Attention) -> Ordering {
        for (a, b) in self.reasons.iter().zip(&other.reasons) {
            match a.kind.cmp(&b.kind) {
                Ordering::Equal => continue,
                o => return o,
            }
        }
        other.reasons.len().cmp(&self.reasons.len())
    }
}

/// A flagged screen taken since the last visit.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagSeen {
    pub at: Timestamp,
    pub level: FlagLevel,
    /// The flagged answers in words.
    pub answers: Vec<String>,
}

/// Pain compared with the start, by the outcome measure's rule (`runtall_insights::measures::pain_trend`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PainNow {
    pub baseline: f64,
    pub current: f64,
    pub change_percent: Option<f64>,
    /// The measure's verdict: at least 2 points or 30 % worse (evidence brief §3).
    pub meaningfully_worse: bool,
}

/// The "see a physical therapist" prompt the athlete is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct SeeAPt {
    /// Shown because pain is meaningfully worse (rather than no progress).
    pub because_worse: bool,
    pub weeks: i64,
}

/// Share of planned routines done, recent weeks and the weeks before (0–1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdherenceNow {
    pub recent: f64,
    pub before: f64,
    /// How many weeks each share covers.
    pub weeks: u32,
}

/// Everything [`attention`] looks at, gathered by `runtall_app::clinic::attention` from one athlete's journal.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signals {
    pub flags: Vec<FlagSeen>,
    pub pain: Option<PainNow>,
    pub see_a_pt: Option<SeeAPt>,
    pub adherence: Option<AdherenceNow>,
    /// Experiments that finished since the last visit, by what they compared ("pack on and pack off").
    pub experiments_finished: Vec<String>,
}

fn level_kind(level: FlagLevel) -> ReasonKind {
    match level {
        FlagLevel::A => ReasonKind::RedFlagA,
        FlagLevel::B => ReasonKind::RedFlagB,
        FlagLevel::C => ReasonKind::RedFlagC,
    }
}

/// The level with its article ("an emergency-level answer", "a see-a-clinician-today answer").
fn level_words(level: FlagLevel) -> &'static str {
    match level {
        FlagLevel::A => "an emergency-level",
        FlagLevel::B => "a see-a-clinician-today",
        FlagLevel::C => "a see-a-clinician-soon",
    }
}

/// The ranking rule. Pure: the same signals give the same attention.
pub fn attention(s: &Signals) -> Attention {
    let mut reasons = Vec::new();
    for f in &s.flags {
        let answers = if f.answers.is_empty() { String::new() } else { format!(": {}", f.answers.join("; ")) };
        reasons.push(Reason {
            kind: level_kind(f.level),
            text: format!(
                "Red-flag screen on {} with {} answer{answers}",
                f.at.strftime("%Y-%m-%d"),
                level_words(f.level)
            ),
        });
    }
    let pain_worse = s.pain.filter(|p| p.meaningfully_worse);
    if let Some(p) = pain_worse {
        let pct = p.change_percent.map(|c| format!(", {c:+.0} %")).unwrap_or_default();
        reasons.push(Reason {
            kind: ReasonKind::PainWorse,
            text: format!(
                "Pain meaningfully worse: {:.1} over the last two weeks against {:.1} at the start ({:+.1} points{pct}; \
                 2 points or 30 % counts as meaningful)",
                p.current,
                p.baseline,
                p.current - p.baseline
            ),
        });
    }
    if let Some(pt) = &s.see_a_pt
        && !(pt.because_worse && pain_worse.is_some())
    {
        let why = if pt.because_worse { "pain is worse" } else { "no meaningful progress" };
        reasons.push(Reason {
            kind: ReasonKind::SeeAPt,
            text: format!(
                "The runner is being told to see a physical therapist ({why} after {})",
                crate::text::count(pt.weeks, "week", "weeks")
            ),
        });
    }
    if let Some(a) = s.adherence
        && (a.before - a.recent) * 100.0 >= ADHERENCE_DROP_POINTS - 1e-9
    {
        reasons.push(Reason {
            kind: ReasonKind::AdherenceFalling,
            text: format!(
                "Adherence falling: {:.0} % of planned routines done in the last {}, {:.0} % in the {} before",
                a.recent * 100.0,
                crate::text::count(a.weeks, "week", "weeks"),
                a.before * 100.0,
                crate::text::count(a.weeks, "week", "weeks")
            ),
        });
    }
    for name in &s.experiments_finished {
        reasons.push(Reason {
            kind: ReasonKind::ExperimentFinished,
            text: format!("Experiment finished, comparing {name}: its result is on the report"),
        });
    }
    reasons.sort_by_key(|r| r.kind);
    let level = reasons.first().map(|r| r.kind.level()).unwrap_or(Level::None);
    Attention { level, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pain(baseline: f64, current: f64, worse: bool) -> Option<PainNow> {
        Some(PainNow { baseline, current, change_percent: None, meaningfully_worse: worse })
    }

    #[test]
    fn a_red_flag_outranks_everything_and_reasons_come_most_urgent_first() {
        let worse = attention(&Signals {
            pain: pain(3.0, 6.0, true),
            adherence: Some(AdherenceNow { recent: 0.2, before: 0.9, weeks: 2 }),
            ..Signals::default()
        });
        let flagged = attention(&Signals {
            flags: vec![FlagSeen { at: Timestamp::UNIX_EPOCH, level: FlagLevel::C, answers: vec!["numbness".into()] }],
            ..Signals::default()
        });
        assert_eq!(flagged.level, Level::Urgent);
        assert_eq!(worse.level, Level::Soon);
        assert_eq!(flagged.urgency(&worse), Ordering::Less, "the flagged athlete comes first");
        assert_eq!(
            worse.reasons.iter().map(|r| r.kind).collect::<Vec<_>>(),
            [ReasonKind::PainWorse, ReasonKind::AdherenceFalling]
        );
        assert!(worse.reasons[0].text.contains("6.0") && worse.reasons[0].text.contains("3.0"), "{:?}", worse.reasons);
    }

    #[test]
    fn a_red_flag_reason_reads_as_a_sentence() {
        let flag = |level| FlagSeen { at: Timestamp::UNIX_EPOCH, level, answers: vec!["Chest pain".into()] };
        let text =
            |level| attention(&Signals { flags: vec![flag(level)], ..Signals::default() }).reasons[0].text.clone();
        assert_eq!(text(FlagLevel::A), "Red-flag screen on 1970-01-01 with an emergency-level answer: Chest pain");
        assert!(text(FlagLevel::B).contains("with a see-a-clinician-today answer"), "{}", text(FlagLevel::B));
    }

    #[test]
    fn an_improving_runner_and_a_small_dip_are_not_flagged() {
        let fine = attention(&Signals {
            pain: pain(5.0, 2.0, false),
            adherence: Some(AdherenceNow { recent: 0.75, before: 0.85, weeks: 2 }),
            ..Signals::default()
        });
        assert_eq!(fine, Attention { level: Level::None, reasons: vec![] });
    }

    #[test]
    fn the_see_a_pt_prompt_for_worse_pain_is_one_reason_not_two() {
        let a = attention(&Signals {
            pain: pain(3.0, 6.0, true),
            see_a_pt: Some(SeeAPt { because_worse: true, weeks: 3 }),
            ..Signals::default()
        });
        assert_eq!(a.reasons.len(), 1);
        let stuck =
            attention(&Signals { see_a_pt: Some(SeeAPt { because_worse: false, weeks: 5 }), ..Signals::default() });
        assert_eq!(stuck.level, Level::Soon);
        assert!(stuck.reasons[0].text.contains("no meaningful progress"));
    }

    #[test]
    fn on_equal_first_reasons_more_reasons_come_first() {
        let one = attention(&Signals { pain: pain(3.0, 6.0, true), ..Signals::default() });
        let two = attention(&Signals {
            pain: pain(3.0, 6.0, true),
            experiments_finished: vec!["pack".into()],
            ..Signals::default()
        });
        assert_eq!(two.urgency(&one), Ordering::Less);
        assert_eq!(one.urgency(&one), Ordering::Equal);
    }
}
