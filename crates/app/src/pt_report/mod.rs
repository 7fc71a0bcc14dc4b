//! The report a runner brings to a physical therapist: one or two pages that say what happened in a period, built
//! only from the journal.
//!
//! Physiotherapists work from outcome measures, history and adherence, so the report gathers those: who and when,
//! every safety screen, the complaint, pain (NPRS) and function (PSFS) against the baseline with the
//! meaningful-change rules, training load against pain, what goes with pain (the Insights engine's verdicts, in its
//! own plain words), every self-experiment, what the plan asks for and what was done, what the safety gate left out
//! and why, relief used, and the runner's notes.
//!
//! [`gather`] assembles everything into one [`ReportData`] — every sentence already written — so the HTML page and
//! the PDF (`runtall-report`) only lay it out and can never disagree. It reads through the [`Store`] trait, takes
//! "today" and the time zone as arguments, and writes nothing except what the experiments' own status read keeps up
//! to date. Nothing here diagnoses: verdicts say "goes with", and empty sections say "nothing recorded" rather than
//! disappearing.

mod outcomes;
mod posture_section;
mod program_section;
mod safety_section;
mod words;

use crate::observations::observations;
use crate::{AppError, Result};
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use runtall_domain::assess::Region;
use runtall_domain::content::{FlagLevel, program};
use runtall_domain::profile::Units;
use runtall_insights::Verdict;
use runtall_insights::measures::ChangeCategory;
use runtall_store::Store;
use serde::Serialize;

pub use words::initials;

/// Weeks covered when neither `from` nor a recent first assessment says otherwise.
pub const DEFAULT_WEEKS: i64 = 12;
/// The longest period one report covers: two pages cannot show more legibly (and the Insights chart stops there).
pub const MAX_WEEKS: i64 = 104;
/// Notes the runner writes for the report: at most this many, each at most [`NOTE_MAX_CHARS`] characters.
pub const MAX_NOTES: usize = 5;
pub const NOTE_MAX_CHARS: usize = 1000;
/// Pain-log notes shown at most (the latest ones), so the report stays one or two pages.
pub const MAX_PAIN_NOTES: usize = 8;

/// What the runner asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportOptions {
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Show initials instead of the full name.
    pub initials_only: bool,
    /// Free text the runner wrote for this report.
    pub notes: Vec<String>,
    /// Include the notes typed with pain reports in the period.
    pub pain_notes: bool,
}

/// Paper size: Letter where it is the norm, A4 elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Paper {
    A4,
    Letter,
}

impl Paper {
    /// Countries where Letter is the usual paper (ISO 3166 alpha-2); everywhere else uses A4.
    const LETTER: [&'static str; 9] = ["US", "CA", "MX", "PH", "CL", "CO", "VE", "GT", "PR"];

    pub fn for_country(country: Option<&str>) -> Paper {
        match country {
            Some(c) if Paper::LETTER.iter().any(|l| l.eq_ignore_ascii_case(c.trim())) => Paper::Letter,
            _ => Paper::A4,
        }
    }

    /// Width and height in PostScript points.
    pub fn size_pt(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::Letter => "Letter",
        }
    }
}

/// Everything the report shows, every sentence written.
#[derive(Debug, Clone, Serialize)]
pub struct ReportData {
    pub who: Who,
    pub safety: SafetySection,
    pub complaint: Option<Complaint>,
    pub outcomes: Outcomes,
    pub load: LoadSection,
    pub factors: FactorsSection,
    pub experiments: Vec<ExperimentLine>,
    pub posture: PostureSection,
    pub program: ProgramSection,
    pub notes: Vec<Note>,
    pub footer: Footer,
}

#[derive(Debug, Clone, Serialize)]
pub struct Who {
    /// The runner's name, or initials when asked ("S. R."), or a placeholder when none was given.
    pub name: String,
    pub initials_only: bool,
    pub from: Date,
    pub to: Date,
    /// How the period was chosen, in words.
    pub period_note: String,
    pub made_on: Date,
    pub program_version: String,
    pub units: Units,
    pub paper: Paper,
}

#[derive(Debug, Clone, Serialize)]
pub struct SafetySection {
    /// The safety gate's state at the end of the period: its one-line headline and level.
    pub headline: String,
    pub mode: String,
    pub level: String,
    /// Screens taken in the period, oldest first.
    pub screens: Vec<ScreenLine>,
    /// The screen in force when the period began, if it was taken earlier.
    pub in_force_at_start: Option<ScreenLine>,
}

impl SafetySection {
    /// The screens as table rows: three or more in a row with no flag and nothing to check are one row ("12
    /// screens, 5 Jan – 1 Dec"), so a long period stays on its pages while every screen is still counted.
    pub fn rows(&self) -> Vec<ScreenRow> {
        let mut out: Vec<ScreenRow> = Vec::new();
        let mut run: Vec<&ScreenLine> = Vec::new();
        let flush = |run: &mut Vec<&ScreenLine>, out: &mut Vec<ScreenRow>| {
            if run.len() >= 3 {
                let (a, b) = (run[0].date, run[run.len() - 1].date);
                out.push(ScreenRow {
                    when: format!("{} screens, {a} to {b}", run.len()),
                    first: a,
                    last: Some(b),
                    line: run[0].clone(),
                });
            } else {
                out.extend(run.iter().map(|l| ScreenRow {
                    when: l.date.to_string(),
                    first: l.date,
                    last: None,
                    line: (*l).clone(),
                }));
            }
            run.clear();
        };
        for l in &self.screens {
            if l.level.is_none() && l.clinician_checked.is_none() {
                run.push(l);
            } else {
                flush(&mut run, &mut out);
                out.push(ScreenRow { when: l.date.to_string(), first: l.date, last: None, line: l.clone() });
            }
        }
        flush(&mut run, &mut out);
        out
    }
}

/// One row of the screens table: one screen, or several plain ones in a row (`last` set).
#[derive(Debug, Clone, Serialize)]
pub struct ScreenRow {
    pub when: String,
    pub first: Date,
    pub last: Option<Date>,
    pub line: ScreenLine,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScreenLine {
    pub date: Date,
    pub level: Option<FlagLevel>,
    /// "no flags" or the level's title ("A — Emergency: get help now").
    pub level_text: String,
    /// The questions answered yes, each with its level.
    pub yes: Vec<String>,
    pub clinician_checked: Option<Date>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Complaint {
    pub regions: Vec<Region>,
    pub region_labels: Vec<String>,
    /// When it hurts, in the runner's answer's words ("on long runs").
    pub when: Vec<String>,
    /// The assessment in force at the end of the period.
    pub assessed_on: Date,
    /// The first assessment: the program's baseline.
    pub baseline_on: Date,
    pub baseline_pain: f64,
    pub baseline_psfs: f64,
    /// Training and daily-life exposures from the assessment, one phrase each.
    pub exposures: Vec<String>,
    /// Pain reports in the period by region.
    pub pain_by_region: Vec<RegionPain>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionPain {
    pub region: String,
    pub reports: usize,
    pub worst: u8,
    pub mean: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcomes {
    pub pain: Option<PainOutcome>,
    pub psfs: Option<PsfsTable>,
    /// The program's prompt to see a physical therapist, when its rule fired.
    pub escalation: Option<String>,
}

/// Pain on the numeric rating scale (0–10), each week the mean of the daily worst rating.
#[derive(Debug, Clone, Serialize)]
pub struct PainOutcome {
    pub baseline: f64,
    /// Ratings inside this band are not a meaningful change from the baseline.
    pub band: (f64, f64),
    pub weeks: Vec<WeekValue>,
    pub weeks_rated: usize,
    /// The last 14 days against the baseline, judged by the meaningful-change rule.
    pub sentence: String,
    pub category: ChangeCategory,
}

#[derive(Debug, Clone, Serialize)]
pub struct WeekValue {
    pub week_start: Date,
    pub value: Option<f64>,
}

/// The functional scale: each activity at each scoring of the same activities.
#[derive(Debug, Clone, Serialize)]
pub struct PsfsTable {
    pub dates: Vec<Date>,
    pub rows: Vec<PsfsRow>,
    /// The mean of each scoring.
    pub means: Vec<f64>,
    /// Scorings left out to fit the page (between the first and the latest shown).
    pub hidden_scorings: usize,
    /// The latest scoring against the first, judged by the rule (2 points on the mean or 3 on one activity).
    pub change: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PsfsRow {
    pub activity: String,
    pub scores: Vec<f64>,
    /// Latest minus first, and whether that alone is a real change (3 points or more).
    pub change: Option<f64>,
    pub real: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoadSection {
    pub weeks: Vec<WeekLoad>,
    pub runs: usize,
    /// In the runner's units.
    pub distance: f64,
    pub unit: &'static str,
    pub long_runs: usize,
    pub speed_sessions: usize,
    /// The chart's text alternative.
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct WeekLoad {
    pub week_start: Date,
    /// In the runner's units.
    pub distance: f64,
    pub runs: usize,
    pub long_runs: usize,
    pub speed_sessions: usize,
    /// Mean of the daily worst pain that week; None when nothing was rated.
    pub pain: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FactorsSection {
    pub runs: usize,
    pub runs_with_pain: usize,
    /// The section's opening sentence, the same on the page and in the PDF: how many runs, and that the verdicts
    /// are read from this period alone (so they can differ from the runner's Insights over every run).
    pub intro: String,
    /// Factors with an estimate, strongest "goes with pain" first.
    pub lines: Vec<FactorLine>,
    /// Factors without an estimate, grouped by why ("not enough data yet: …").
    pub not_judged: Vec<String>,
    /// Pairs that travel together too closely to tell apart, in the engine's words.
    pub entangled: Vec<String>,
    /// The experiment the engine would run next, in its words.
    pub suggestion: Option<String>,
    pub summary: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FactorLine {
    pub label: String,
    pub verdict: Verdict,
    pub verdict_label: String,
    pub counts: String,
    /// "risk ratio 2.1 (95% interval 1.2–3.8)".
    pub ratio: String,
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExperimentLine {
    pub what: String,
    pub started: Date,
    pub stopped: Option<Date>,
    pub design: String,
    pub adherence: String,
    pub verdict: String,
}

/// What posture photos and run videos measured (see [`posture_section`]).
#[derive(Debug, Clone, Serialize)]
pub struct PostureSection {
    /// Photos and videos taken inside the period.
    pub checks_in_period: usize,
    /// One entry per kind of photo taken up to the end of the period.
    pub photos: Vec<PostureKindLines>,
    /// Run videos taken inside the period, oldest first (the latest few).
    pub videos: Vec<PostureVideoLine>,
    /// How changes are judged and where the error comes from.
    pub error_note: String,
}

impl PostureSection {
    pub fn is_empty(&self) -> bool {
        self.photos.is_empty() && self.videos.is_empty()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PostureKindLines {
    /// "Relaxed standing".
    pub kind: String,
    /// "4 photos on 2 days".
    pub counts: String,
    /// One sentence per measure: first day → latest day and whether it beats the error.
    pub sentences: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PostureVideoLine {
    pub taken_on: Date,
    pub sentence: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProgramSection {
    pub plan: Option<PlanSummary>,
    /// Why there is no plan, when there is none.
    pub no_plan: Option<String>,
    pub adherence: Vec<WeekAdherenceLine>,
    pub adherence_sentence: String,
    /// What the safety gate leaves out at the end of the period, grouped by its reason.
    pub left_out: Vec<LeftOut>,
    pub relief: Vec<ReliefLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanSummary {
    pub made_on: Date,
    pub mode: String,
    /// The gate's one line when the program is not full.
    pub safety: Option<String>,
    pub week: Vec<DayLine>,
    /// The plan's core items other than routines (those show in the week), by title.
    pub core: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DayLine {
    pub day: String,
    pub run: Option<String>,
    pub routines: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WeekAdherenceLine {
    pub week_start: Date,
    pub planned: u32,
    pub done: u32,
    pub share: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LeftOut {
    pub what: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReliefLine {
    pub what: String,
    pub days: usize,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Note {
    pub date: Option<Date>,
    /// Where the note came from ("pain log: neck 4/10, right after a run"), or None for the report's own note.
    pub context: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Footer {
    pub what_it_is: String,
    pub what_it_is_not: String,
    pub sources: Vec<String>,
}

/// The period the report covers and how it was chosen. Refuses a period that ends in the future, starts after it
/// ends, or is longer than [`MAX_WEEKS`]; errors name the option (`from`, `to`).
pub fn period(options: &ReportOptions, first_assessment: Option<Date>, today: Date) -> Result<(Date, Date, String)> {
    let to = options.to.unwrap_or(today);
    if to > today {
        return Err(AppError::State(format!("to: {to} is in the future (today is {today})")));
    }
    let twelve = to.checked_sub((DEFAULT_WEEKS * 7 - 1).days()).unwrap_or(to);
    let (from, note) = match (options.from, first_assessment) {
        (Some(f), _) => (f, "as asked".to_string()),
        (None, Some(a)) if a > twelve && a <= to => (a, "since the first assessment".to_string()),
        (None, Some(a)) if a <= to => {
            // Written like the report's other dates ("13 Sep 2026"), as the note sits right after "Period 15 Sep 2026 – …".
            (twelve, format!("the last {DEFAULT_WEEKS} weeks; the first assessment was on {}", a.strftime("%-d %b %Y")))
        }
        (None, _) => (twelve, format!("the last {DEFAULT_WEEKS} weeks")),
    };
    if from > to {
        return Err(AppError::State(format!("from: {from} is after the end of the period ({to})")));
    }
    let days = i64::from((to - from).get_days()) + 1;
    if days > MAX_WEEKS * 7 {
        return Err(AppError::State(format!(
            "from: {from} to {to} is {} weeks; a report covers at most {MAX_WEEKS} weeks, choose a later start",
            (days + 6) / 7
        )));
    }
    Ok((from, to, note))
}

/// Checks the runner's notes: at most [`MAX_NOTES`], each 1–[`NOTE_MAX_CHARS`] characters after trimming (empty
/// ones are dropped).
pub fn check_notes(notes: &[String]) -> Result<Vec<String>> {
    let notes: Vec<String> = notes.iter().map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect();
    if notes.len() > MAX_NOTES {
        return Err(AppError::State(format!("note: {} notes given; at most {MAX_NOTES}", notes.len())));
    }
    if let Some((i, n)) = notes.iter().enumerate().find(|(_, n)| n.chars().count() > NOTE_MAX_CHARS) {
        return Err(AppError::State(format!(
            "note: note {} has {} characters; at most {NOTE_MAX_CHARS}",
            i + 1,
            n.chars().count()
        )));
    }
    Ok(notes)
}

/// Gathers the report for the period the options choose (see [`period`]), with dates in `tz`.
pub fn gather(store: &dyn Store, options: &ReportOptions, today: Date, tz: &TimeZone) -> Result<ReportData> {
    let program = program();
    let notes = check_notes(&options.notes)?;
    let assessments = store.assessments()?;
    let date_of = |t: jiff::Timestamp| t.to_zoned(tz.clone()).date();
    let (from, to, period_note) = period(options, assessments.first().map(|a| date_of(a.taken_at)), today)?;
    let profile = store.profile()?.unwrap_or_default();
    let who = Who {
        name: words::display_name(&profile.name, options.initials_only),
        initials_only: options.initials_only,
        from,
        to,
        period_note,
        made_on: today,
        program_version: env!("CARGO_PKG_VERSION").to_string(),
        units: profile.units,
        paper: Paper::for_country(profile.country.as_deref()),
    };
    let screenings = store.screenings()?;
    let ctx = Ctx { store, program, tz, from, to, units: profile.units };
    let safety = safety_section::safety(&ctx, &screenings, &assessments);
    let complaint = outcomes::complaint(&ctx, &assessments)?;
    let progress = if assessments.iter().any(|a| date_of(a.taken_at) <= to) {
        Some(crate::progress::progress_until(store, to, tz)?)
    } else {
        None
    };
    let all_obs = observations(store)?;
    let period_obs: Vec<_> = all_obs.into_iter().map(|(_, o)| o).filter(|o| o.date >= from && o.date <= to).collect();
    let daily = crate::progress::daily_pain(store)?;
    let load = outcomes::load(&ctx, &period_obs, &daily);
    let outcomes = outcomes::outcomes(&ctx, progress.as_ref(), &assessments, &load);
    let factors = outcomes::factors(&period_obs)?;
    let experiments = program_section::experiments(&ctx, today)?;
    let posture = posture_section::posture(&ctx)?;
    let program_section = program_section::program_section(&ctx, &screenings, &assessments, progress.as_ref())?;
    let mut all_notes: Vec<Note> = notes.into_iter().map(|text| Note { date: None, context: None, text }).collect();
    if options.pain_notes {
        all_notes.extend(outcomes::pain_notes(&ctx)?);
    }
    Ok(ReportData {
        who,
        safety,
        complaint,
        outcomes,
        load,
        factors,
        experiments,
        posture,
        program: program_section,
        notes: all_notes,
        footer: words::footer(program),
    })
}

/// What every section needs.
pub(crate) struct Ctx<'a> {
    pub store: &'a dyn Store,
    pub program: &'static runtall_domain::content::Program,
    pub tz: &'a TimeZone,
    pub from: Date,
    pub to: Date,
    pub units: Units,
}

impl Ctx<'_> {
    pub fn date(&self, t: jiff::Timestamp) -> Date {
        t.to_zoned(self.tz.clone()).date()
    }

    pub fn in_period(&self, d: Date) -> bool {
        d >= self.from && d <= self.to
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_period_is_since_the_first_assessment_or_the_last_twelve_weeks() {
        let today = date(2026, 12, 6);
        let o = ReportOptions::default();
        let (f, t, note) = period(&o, Some(date(2026, 11, 1)), today).unwrap();
        assert_eq!((f, t), (date(2026, 11, 1), today));
        assert_eq!(note, "since the first assessment");
        let (f, _, note) = period(&o, Some(date(2025, 1, 1)), today).unwrap();
        assert_eq!(f, date(2026, 9, 14), "84 days including today");
        assert_eq!(
            note, "the last 12 weeks; the first assessment was on 1 Jan 2025",
            "dated like the rest of the report"
        );
        let (f, _, _) = period(&o, None, today).unwrap();
        assert_eq!(f, date(2026, 9, 14));
    }

    #[test]
    fn bad_periods_name_the_option() {
        let today = date(2026, 12, 6);
        let e = period(&ReportOptions { to: Some(date(2026, 12, 7)), ..Default::default() }, None, today);
        assert!(e.unwrap_err().to_string().starts_with("to: 2026-12-07 is in the future"));
        let o = ReportOptions { from: Some(date(2026, 12, 1)), to: Some(date(2026, 11, 1)), ..Default::default() };
        assert!(period(&o, None, today).unwrap_err().to_string().starts_with("from: 2026-12-01 is after"));
        let o = ReportOptions { from: Some(date(2020, 1, 1)), ..Default::default() };
        let e = period(&o, None, today).unwrap_err().to_string();
        assert!(e.contains("at most 104 weeks"), "{e}");
        let o = ReportOptions { from: Some(date(2024, 12, 9)), ..Default::default() };
        assert!(period(&o, None, today).is_ok(), "exactly 104 weeks is allowed");
    }

    #[test]
    fn notes_are_trimmed_counted_and_bounded() {
        let ok = check_notes(&["  see you Tuesday ".into(), "   ".into()]).unwrap();
        assert_eq!(ok, vec!["see you Tuesday".to_string()]);
        let long = "x".repeat(NOTE_MAX_CHARS + 1);
        assert!(check_notes(&[long]).unwrap_err().to_string().starts_with("note: note 1 has 1001"));
        let many: Vec<String> = (0..6).map(|i| format!("n{i}")).collect();
        assert!(check_notes(&many).is_err());
    }

    #[test]
    fn plain_screens_in_a_row_share_one_row_and_flagged_ones_stand_alone() {
        let line = |day: i8, level: Option<FlagLevel>| ScreenLine {
            date: date(2026, 3, day),
            level,
            level_text: String::new(),
            yes: vec![],
            clinician_checked: None,
        };
        let s = SafetySection {
            headline: String::new(),
            mode: String::new(),
            level: String::new(),
            screens: vec![line(1, None), line(2, None), line(3, None), line(4, Some(FlagLevel::C)), line(5, None)],
            in_force_at_start: None,
        };
        let rows = s.rows();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].when, "3 screens, 2026-03-01 to 2026-03-03");
        assert_eq!(rows[1].line.level, Some(FlagLevel::C));
        assert_eq!(rows[2].last, None);
    }

    #[test]
    fn paper_follows_the_country() {
        assert_eq!(Paper::for_country(Some("us")), Paper::Letter);
        assert_eq!(Paper::for_country(Some("CA")), Paper::Letter);
        assert_eq!(Paper::for_country(Some("GB")), Paper::A4);
        assert_eq!(Paper::for_country(None), Paper::A4);
    }
}
