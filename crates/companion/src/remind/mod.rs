//! Sitting-break reminders: walk every 30 minutes and shift position every 20 (from the content's
//! [`HabitDefaults`]), only in working hours, quiet while the runner is away or has switched on do-not-disturb,
//! with snooze, skip (capped per day) and an event log of every break prompted, taken, skipped or snoozed.
//!
//! [`Scheduler`] is pure: it gets the time (and, when known, how long the keyboard and mouse have been idle) on
//! every [`tick`](Scheduler::tick) and answers with the prompt to show, if any. `runtall_tui::remind` runs it on
//! the real clock with an idle source and a notifier.
//!
//! Idle time does three things: an absence at least as long as the walk interval resets both timers (the runner
//! was not sitting); idle at least as long as the shift interval resets the shift timer; and idle of a
//! walk-break's length while a walk prompt is open counts as the break taken. No prompt is shown while the
//! runner is idle — it waits until they are back.

pub mod settings;

use jiff::civil::{Date, Time};
use jiff::{SignedDuration, Timestamp, Zoned};
use runtall_content::{HabitDefaults, Program};
use runtall_domain::plan::Weekday;
use runtall_domain::safety::Permissions;
use runtall_domain::text::count;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Idle longer than this means the runner is not at the keyboard right now: hold prompts until they are back.
pub const PRESENT_IDLE_S: u64 = 120;
/// A shift prompt that would come this close before a walk prompt is left out; the walk covers it.
pub const SHIFT_MERGE_MIN: u32 = 5;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemindError {
    #[error("{what} of {value} is out of range (allowed {range})")]
    OutOfRange { what: &'static str, value: String, range: String },
    #[error("cannot read working hours '{0}' (expected HH:MM-HH:MM, for example 09:00-17:30)")]
    BadHours(String),
    #[error("working hours must end after they start ({0})")]
    EmptyHours(String),
    #[error("no reminder is waiting for an answer")]
    NothingPending,
    /// The safety gate does not allow reminders now; the message is its reason.
    #[error("sitting-break reminders are off for now: {0}")]
    NotAllowed(String),
    #[error("reminder {0} is no longer waiting for an answer")]
    NoSuchPrompt(u64),
    #[error("you have skipped {} today, the daily limit: take this one, or snooze it", count(*cap, "break", "breaks"))]
    SkipCapReached { cap: u32 },
    #[error("this reminder was snoozed {} already: take the break or skip it", count(*max, "time", "times"))]
    SnoozeLimit { max: u32 },
    #[error("could not show the reminder: {0}")]
    Notify(String),
}

/// When reminders may come: a daily window on some weekdays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingHours {
    pub start: Time,
    pub end: Time,
    pub days: Vec<Weekday>,
}

impl WorkingHours {
    /// Monday to Friday between `start` and `end`.
    pub fn weekdays(start: Time, end: Time) -> Result<WorkingHours, RemindError> {
        if end <= start {
            return Err(RemindError::EmptyHours(format!("{start}-{end}")));
        }
        let days = Weekday::ALL.into_iter().filter(|d| d.is_workday()).collect();
        Ok(WorkingHours { start, end, days })
    }

    /// Reads `09:00-17:30` (weekdays).
    pub fn parse(s: &str) -> Result<WorkingHours, RemindError> {
        let bad = || RemindError::BadHours(s.to_string());
        let (a, b) = s.trim().split_once(['-', '–']).ok_or_else(bad)?;
        let t = |x: &str| -> Result<Time, RemindError> {
            let (h, m) = x.trim().split_once(':').ok_or_else(bad)?;
            let h: i8 = h.parse().map_err(|_| bad())?;
            let m: i8 = m.parse().map_err(|_| bad())?;
            Time::new(h, m, 0, 0).map_err(|_| bad())
        };
        WorkingHours::weekdays(t(a)?, t(b)?)
    }

    pub fn contains(&self, now: &Zoned) -> bool {
        let day = match now.weekday() {
            jiff::civil::Weekday::Monday => Weekday::Mon,
            jiff::civil::Weekday::Tuesday => Weekday::Tue,
            jiff::civil::Weekday::Wednesday => Weekday::Wed,
            jiff::civil::Weekday::Thursday => Weekday::Thu,
            jiff::civil::Weekday::Friday => Weekday::Fri,
            jiff::civil::Weekday::Saturday => Weekday::Sat,
            jiff::civil::Weekday::Sunday => Weekday::Sun,
        };
        self.days.contains(&day) && now.time() >= self.start && now.time() < self.end
    }
}

/// How the reminders behave; [`ReminderConfig::from_defaults`] takes the intervals from the content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderConfig {
    pub walk_every_min: u32,
    /// How long a walk break is; idle this long after a walk prompt counts as the break taken.
    pub walk_break_min: u32,
    /// 0 turns the shift prompts off.
    pub shift_every_min: u32,
    pub snooze_min: u32,
    pub max_skips_per_day: u32,
    pub max_snoozes_per_prompt: u32,
    /// An unanswered prompt counts as missed after this long and comes back after a snooze interval.
    pub answer_timeout_min: u32,
    /// `None`: any time of day.
    pub working_hours: Option<WorkingHours>,
}

impl ReminderConfig {
    /// Walk and shift intervals from the content (30 and 20 minutes), 09:00–17:30 on weekdays.
    pub fn from_defaults(d: &HabitDefaults) -> ReminderConfig {
        ReminderConfig {
            walk_every_min: d.walk_every_min,
            walk_break_min: d.walk_break_min,
            shift_every_min: d.shift_every_min,
            snooze_min: 5,
            max_skips_per_day: 3,
            max_snoozes_per_prompt: 3,
            answer_timeout_min: 10,
            working_hours: WorkingHours::weekdays(Time::constant(9, 0, 0, 0), Time::constant(17, 30, 0, 0)).ok(),
        }
    }

    pub fn validate(&self) -> Result<(), RemindError> {
        let check = |what: &'static str, v: u32, lo: u32, hi: u32| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(RemindError::OutOfRange { what, value: format!("{v} min"), range: format!("{lo}–{hi} min") })
            }
        };
        check("a walk interval", self.walk_every_min, 5, 240)?;
        check("a walk break", self.walk_break_min, 1, 30)?;
        if self.shift_every_min != 0 {
            check("a shift interval", self.shift_every_min, 5, 120)?;
        }
        check("a snooze", self.snooze_min, 1, 60)?;
        check("an answer timeout", self.answer_timeout_min, 1, 60)?;
        if self.max_skips_per_day > 20 {
            return Err(RemindError::OutOfRange {
                what: "a daily skip limit",
                value: self.max_skips_per_day.to_string(),
                range: "0–20".into(),
            });
        }
        if !(1..=10).contains(&self.max_snoozes_per_prompt) {
            return Err(RemindError::OutOfRange {
                what: "a snooze limit",
                value: self.max_snoozes_per_prompt.to_string(),
                range: "1–10".into(),
            });
        }
        if let Some(h) = &self.working_hours
            && (h.end <= h.start || h.days.is_empty())
        {
            return Err(RemindError::EmptyHours(format!("{}-{}", h.start, h.end)));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PromptKind {
    /// Stand up and walk for a few minutes.
    Walk,
    /// Change position without getting up.
    Shift,
}

/// A micro-exercise from the library to go with a prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// Exercise id (`runtall guide ID` plays it).
    pub exercise: String,
    pub name: String,
    pub summary: String,
    pub seconds: u32,
}

/// A reminder to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    pub id: u64,
    pub kind: PromptKind,
    pub at: Timestamp,
    /// Minutes of sitting behind this prompt.
    pub sitting_min: u32,
    pub title: String,
    pub body: String,
    pub suggestion: Option<Suggestion>,
    /// Skips left today, for the key help.
    pub skips_left: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Response {
    Done,
    Snooze,
    Skip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BreakOutcome {
    Prompted,
    /// The runner said they took it.
    Taken,
    /// Idle for a walk break's length right after the prompt: counted as taken.
    TakenIdle,
    Skipped,
    Snoozed,
    /// No answer within the timeout; it comes back after a snooze interval.
    Missed,
    /// Away for at least the walk interval: timers reset.
    Away,
    DndOn,
    DndOff,
}

/// One entry of the break history the caller stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakEvent {
    pub at: Timestamp,
    pub outcome: BreakOutcome,
    pub kind: Option<PromptKind>,
    pub prompt: Option<u64>,
    pub exercise: Option<String>,
    /// Which front end's scheduler wrote it (`terminal`, `browser`), so each can follow what the other did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Counts for a day's log, for a one-line summary and the history view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakSummary {
    pub prompted: u32,
    pub taken: u32,
    pub skipped: u32,
    pub snoozed: u32,
    pub missed: u32,
}

pub fn summarize(log: &[BreakEvent]) -> BreakSummary {
    let mut s = BreakSummary::default();
    for e in log {
        match e.outcome {
            BreakOutcome::Prompted => s.prompted += 1,
            BreakOutcome::Taken | BreakOutcome::TakenIdle => s.taken += 1,
            BreakOutcome::Skipped => s.skipped += 1,
            BreakOutcome::Snoozed => s.snoozed += 1,
            BreakOutcome::Missed => s.missed += 1,
            _ => {}
        }
    }
    s
}

/// Micro-exercises for walk prompts (the desk micro-break's steps, then the named desk exercises) and shift
/// prompts (the seated reset, chin tucks), looked up in the program so names and doses stay in one place. Each is
/// what the safety gate allows for this runner: as it is, its allowed alternative, or nothing.
fn suggestions(program: &Program, permissions: &Permissions) -> (Vec<Suggestion>, Vec<Suggestion>) {
    let make = |id: &str| {
        let id = permissions.exercise_to_do(id).ok()?;
        program.exercise(&id).map(|e| Suggestion {
            exercise: e.id.clone(),
            name: e.name.clone(),
            summary: e.summary.clone(),
            seconds: e.dose.estimated_seconds(),
        })
    };
    let mut walk_ids: Vec<String> = program
        .routine("desk-micro-break")
        .map(|r| r.steps.iter().map(|s| s.exercise.clone()).collect())
        .unwrap_or_default();
    for id in ["standing-extension-break", "walking-break", "chin-tuck"] {
        if !walk_ids.iter().any(|w| w == id) {
            walk_ids.push(id.to_string());
        }
    }
    let mut walk: Vec<Suggestion> = walk_ids.iter().filter_map(|id| make(id)).collect();
    let mut shift: Vec<Suggestion> = ["seated-posture-reset", "chin-tuck"].into_iter().filter_map(make).collect();
    for list in [&mut walk, &mut shift] {
        let mut seen = std::collections::HashSet::new();
        list.retain(|s| seen.insert(s.exercise.clone()));
    }
    (walk, shift)
}

/// The reminder state machine. Feed it the time with [`tick`](Self::tick); answer prompts with
/// [`respond`](Self::respond); collect the history with [`take_log`](Self::take_log).
#[derive(Debug, Clone)]
pub struct Scheduler {
    config: ReminderConfig,
    walk_suggestions: Vec<Suggestion>,
    shift_suggestions: Vec<Suggestion>,
    /// Sitting since (for the walk), and since the last position change.
    walk_from: Option<Timestamp>,
    shift_from: Option<Timestamp>,
    pending: Option<Prompt>,
    snoozed_until: Option<Timestamp>,
    snoozes: u32,
    skips_today: u32,
    day: Option<Date>,
    dnd: bool,
    away: bool,
    in_hours: bool,
    next_id: u64,
    walk_turn: usize,
    shift_turn: usize,
    log: Vec<BreakEvent>,
    source: Option<String>,
    /// When do-not-disturb was last switched here, so a switch made in the other front end only wins if later.
    dnd_at: Option<Timestamp>,
}

/// The next break as the scheduler sees it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextBreak {
    pub kind: PromptKind,
    pub at: Timestamp,
}

/// Where the reminders stand, for a countdown: the open prompt, or the next break, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreakStatus {
    pub pending: Option<Prompt>,
    pub next: Option<NextBreak>,
    pub dnd: bool,
    /// Inside the working hours (or no hours set).
    pub in_hours: bool,
    pub skips_left: u32,
}

impl BreakStatus {
    /// One line for a terminal: what comes next and the keys.
    pub fn line(&self, now: Timestamp) -> String {
        let left = |at: Timestamp| {
            let s = at.duration_since(now).as_secs().max(0);
            format!("{}:{:02}", s / 60, s % 60)
        };
        if let Some(p) = &self.pending {
            return format!("{} — d done · z snooze · s skip ({} left) · p pause · q quit", p.title, self.skips_left);
        }
        if self.dnd {
            return "Reminders paused — p to resume · q quit".to_string();
        }
        if !self.in_hours {
            return "Outside working hours: no reminders now — q quit".to_string();
        }
        match &self.next {
            Some(n) => {
                let what = match n.kind {
                    PromptKind::Walk => "walk",
                    PromptKind::Shift => "change position",
                };
                format!("Next break ({what}) in {} — p pause · q quit", left(n.at))
            }
            None => "Waiting for the first tick — q quit".to_string(),
        }
    }
}

impl Scheduler {
    /// A scheduler whose micro-exercises are those the safety gate allows; refused while the gate allows no
    /// reminders (not screened, locked, paused).
    pub fn new(program: &Program, config: ReminderConfig, permissions: &Permissions) -> Result<Scheduler, RemindError> {
        if !permissions.reminders.allowed {
            return Err(RemindError::NotAllowed(permissions.reminders.reason.clone().unwrap_or_default()));
        }
        config.validate()?;
        let (walk_suggestions, shift_suggestions) = suggestions(program, permissions);
        Ok(Scheduler {
            config,
            walk_suggestions,
            shift_suggestions,
            walk_from: None,
            shift_from: None,
            pending: None,
            snoozed_until: None,
            snoozes: 0,
            skips_today: 0,
            day: None,
            dnd: false,
            away: false,
            in_hours: false,
            next_id: 1,
            walk_turn: 0,
            shift_turn: 0,
            log: Vec::new(),
            source: None,
            dnd_at: None,
        })
    }

    /// Tags every event this scheduler writes with its front end (`terminal`, `browser`).
    pub fn with_source(mut self, source: &str) -> Scheduler {
        self.source = Some(source.to_string());
        self
    }

    /// The next break if nothing changes: a walk, or a position change that does not come just before one.
    pub fn next_break(&self) -> Option<NextBreak> {
        if self.dnd || self.pending.is_some() {
            return None;
        }
        let walk = self.walk_from.map(|t| t + Self::mins(self.config.walk_every_min))?;
        let shift = (self.config.shift_every_min > 0)
            .then(|| self.shift_from.map(|t| t + Self::mins(self.config.shift_every_min)))
            .flatten()
            .filter(|s| walk.duration_since(*s) > Self::mins(SHIFT_MERGE_MIN));
        let (kind, at) = match shift {
            Some(s) if s < walk => (PromptKind::Shift, s),
            _ => (PromptKind::Walk, walk),
        };
        let at = self.snoozed_until.map_or(at, |s| s.max(at));
        Some(NextBreak { kind, at })
    }

    /// Where the reminders stand at `now`.
    pub fn status(&self, now: &Zoned) -> BreakStatus {
        BreakStatus {
            pending: self.pending.clone(),
            next: self.next_break(),
            dnd: self.dnd,
            in_hours: self.config.working_hours.as_ref().is_none_or(|h| h.contains(now)),
            skips_left: self.skips_left(),
        }
    }

    /// How far back the history moves the timers: breaks older than twice the longest interval (plus a snooze)
    /// mean the reminders were off, or the runner away, since — sitting is then counted from now. The window
    /// crosses local midnight (a walk at 23:40 still counts at 00:10); with working hours it starts no earlier
    /// than today's start, since a working day never spans midnight.
    pub fn history_from(&self, now: &Zoned) -> Timestamp {
        let longest = self.config.walk_every_min.max(self.config.shift_every_min);
        let from = now.timestamp() - Self::mins(2 * longest + self.config.snooze_min);
        let start = self.config.working_hours.as_ref().and_then(|h| now.with().time(h.start).build().ok());
        start.map_or(from, |s| from.max(s.timestamp()))
    }

    /// Picks up where the reminders left off, in this front end or the other: the timers run from the last break
    /// taken or skipped within [`history_from`](Self::history_from) (not from now, and not from local midnight),
    /// the calendar day's skips count toward the daily cap, and a pause still in force stays on. `recent` holds
    /// the events since the earlier of the day's start and the history window. Call it after the first
    /// [`tick`](Self::tick) of a new scheduler.
    pub fn resume(&mut self, now: &Zoned, recent: &[BreakEvent]) {
        if !self.in_hours {
            return;
        }
        let day = now.date();
        let zone = now.time_zone().clone();
        let from = self.history_from(now);
        let skips = recent
            .iter()
            .filter(|e| e.at.to_zoned(zone.clone()).date() == day && e.at <= now.timestamp())
            .filter(|e| e.outcome == BreakOutcome::Skipped)
            .count() as u32;
        let todays: Vec<&BreakEvent> = recent.iter().filter(|e| e.at >= from && e.at <= now.timestamp()).collect();
        let resets_walk = |e: &&&BreakEvent| {
            matches!(
                (e.outcome, e.kind),
                (BreakOutcome::Taken | BreakOutcome::TakenIdle | BreakOutcome::Skipped, Some(PromptKind::Walk))
                    | (BreakOutcome::Away, _)
            )
        };
        if let Some(e) = todays.iter().rfind(resets_walk) {
            self.walk_from = Some(e.at);
            self.shift_from = Some(e.at);
        }
        let resets_shift = |e: &&&BreakEvent| {
            matches!(e.outcome, BreakOutcome::Taken | BreakOutcome::TakenIdle | BreakOutcome::Skipped)
                && e.kind == Some(PromptKind::Shift)
        };
        if let Some(e) = todays.iter().rfind(resets_shift)
            && self.shift_from.is_none_or(|s| s < e.at)
        {
            self.shift_from = Some(e.at);
        }
        self.skips_today = skips;
        if let Some(e) = todays.iter().rfind(|e| matches!(e.outcome, BreakOutcome::DndOn | BreakOutcome::DndOff)) {
            self.dnd = e.outcome == BreakOutcome::DndOn;
            self.dnd_at = Some(e.at);
        }
    }

    /// Follows what the other front end did (its events in `recent`, every source's, in time order, as for
    /// [`resume`](Self::resume)): a break it recorded as taken or skipped restarts the timers here and closes a
    /// prompt it answered, its skips today count toward the daily cap, and its pause or resume applies here.
    /// Idempotent, so the caller can pass the whole window each time.
    pub fn sync(&mut self, now: &Zoned, recent: &[BreakEvent]) {
        let day = now.date();
        let zone = now.time_zone().clone();
        let from = self.history_from(now);
        let skips = recent
            .iter()
            .filter(|e| e.at.to_zoned(zone.clone()).date() == day && e.outcome == BreakOutcome::Skipped)
            .count() as u32;
        let todays = || recent.iter().filter(|e| e.at >= from);
        if self.day == Some(day) {
            self.skips_today = self.skips_today.max(skips);
        }
        let others = || todays().filter(|e| e.source.is_some() && e.source != self.source);
        for e in others() {
            match (e.outcome, e.kind) {
                (BreakOutcome::Taken | BreakOutcome::TakenIdle | BreakOutcome::Skipped, Some(PromptKind::Walk))
                | (BreakOutcome::Away, _) => {
                    if self.walk_from.is_none_or(|w| w < e.at) {
                        self.walk_from = Some(e.at);
                        self.shift_from = Some(e.at);
                    }
                    if self.pending.as_ref().is_some_and(|p| p.at <= e.at) {
                        self.pending = None;
                        self.snoozes = 0;
                        self.snoozed_until = None;
                    }
                }
                (BreakOutcome::Taken | BreakOutcome::TakenIdle | BreakOutcome::Skipped, Some(PromptKind::Shift)) => {
                    if self.shift_from.is_none_or(|s| s < e.at) {
                        self.shift_from = Some(e.at);
                    }
                    if self.pending.as_ref().is_some_and(|p| p.kind == PromptKind::Shift && p.at <= e.at) {
                        self.pending = None;
                    }
                }
                (BreakOutcome::Snoozed, _) => {
                    let until = e.at + Self::mins(self.config.snooze_min);
                    if self.pending.as_ref().is_some_and(|p| p.at <= e.at) {
                        self.pending = None;
                    }
                    if self.snoozed_until.is_none_or(|s| s < until) && until > now.timestamp() {
                        self.snoozed_until = Some(until);
                    }
                }
                _ => {}
            }
        }
        let last_dnd = others().rfind(|e| matches!(e.outcome, BreakOutcome::DndOn | BreakOutcome::DndOff));
        if let Some(e) = last_dnd
            && self.dnd_at.is_none_or(|at| at < e.at)
        {
            let on = e.outcome == BreakOutcome::DndOn;
            if on != self.dnd {
                self.dnd = on;
                if on {
                    self.pending = None;
                    self.snoozed_until = None;
                }
            }
            self.dnd_at = Some(e.at);
        }
    }

    pub fn config(&self) -> &ReminderConfig {
        &self.config
    }

    pub fn pending(&self) -> Option<&Prompt> {
        self.pending.as_ref()
    }

    pub fn dnd(&self) -> bool {
        self.dnd
    }

    pub fn skips_left(&self) -> u32 {
        self.config.max_skips_per_day.saturating_sub(self.skips_today)
    }

    /// Events since the last call, for the caller to store.
    pub fn take_log(&mut self) -> Vec<BreakEvent> {
        std::mem::take(&mut self.log)
    }

    fn event(&mut self, at: Timestamp, outcome: BreakOutcome, prompt: Option<&Prompt>) {
        self.log.push(BreakEvent {
            at,
            outcome,
            kind: prompt.map(|p| p.kind),
            prompt: prompt.map(|p| p.id),
            exercise: prompt.and_then(|p| p.suggestion.as_ref().map(|s| s.exercise.clone())),
            source: self.source.clone(),
        });
    }

    fn mins(m: u32) -> SignedDuration {
        SignedDuration::from_mins(i64::from(m))
    }

    fn reset_walk(&mut self, ts: Timestamp) {
        self.walk_from = Some(ts);
        self.shift_from = Some(ts);
    }

    /// When the next prompt could come if nothing changes, for a driver that sleeps until then.
    pub fn next_due(&self) -> Option<Timestamp> {
        if self.dnd || self.pending.is_some() {
            return None;
        }
        let walk = self.walk_from.map(|t| t + Self::mins(self.config.walk_every_min));
        let shift = (self.config.shift_every_min > 0)
            .then(|| self.shift_from.map(|t| t + Self::mins(self.config.shift_every_min)))
            .flatten();
        let due = [walk, shift].into_iter().flatten().min()?;
        Some(self.snoozed_until.map_or(due, |s| s.max(due)))
    }

    /// Advances to `now`. `idle` is how long the keyboard and mouse have been idle, when the caller can tell.
    /// Returns a new prompt to show, if one is due.
    pub fn tick(&mut self, now: &Zoned, idle: Option<Duration>) -> Option<Prompt> {
        let ts = now.timestamp();
        if self.day != Some(now.date()) {
            // The daily skip cap starts again. With working hours a new day is a new working day and starts fresh,
            // even if nothing ticked between yesterday's last hour and now; at any time of day, sitting through
            // midnight is still sitting, so the timers and an open prompt carry on.
            self.day = Some(now.date());
            self.skips_today = 0;
            if self.config.working_hours.is_some() {
                self.in_hours = false;
                self.pending = None;
                self.snoozed_until = None;
                self.snoozes = 0;
            }
        }
        let inside = self.config.working_hours.as_ref().is_none_or(|h| h.contains(now));
        if !inside {
            if self.in_hours {
                // End of the working day: drop what is open; tomorrow starts fresh.
                self.in_hours = false;
                self.pending = None;
                self.snoozed_until = None;
                self.snoozes = 0;
            }
            return None;
        }
        if !self.in_hours {
            self.in_hours = true;
            self.reset_walk(ts);
        }
        let idle_s = idle.map_or(0, |d| d.as_secs());
        if idle_s >= u64::from(self.config.walk_every_min) * 60 {
            if !self.away {
                self.away = true;
                let pending = self.pending.take();
                self.event(ts, BreakOutcome::Away, pending.as_ref());
                self.snoozed_until = None;
                self.snoozes = 0;
            }
            // Keep resetting while away, so sitting is counted from the return.
            self.reset_walk(ts);
            return None;
        }
        self.away = false;
        if let Some(p) = self.pending.clone() {
            if p.kind == PromptKind::Walk && idle_s >= u64::from(self.config.walk_break_min) * 60 {
                self.pending = None;
                self.snoozes = 0;
                self.event(ts, BreakOutcome::TakenIdle, Some(&p));
                self.reset_walk(ts);
                return None;
            }
            if ts.duration_since(p.at) >= Self::mins(self.config.answer_timeout_min) {
                self.pending = None;
                self.event(ts, BreakOutcome::Missed, Some(&p));
                self.snoozed_until = Some(ts + Self::mins(self.config.snooze_min));
            } else {
                return None;
            }
        }
        if self.config.shift_every_min > 0 && idle_s >= u64::from(self.config.shift_every_min) * 60 {
            self.shift_from = Some(ts);
        }
        if self.dnd || idle_s >= PRESENT_IDLE_S {
            return None;
        }
        if let Some(until) = self.snoozed_until {
            if ts < until {
                return None;
            }
            self.snoozed_until = None;
        }
        let walk_due_at = self.walk_from.unwrap_or(ts) + Self::mins(self.config.walk_every_min);
        let shift_due_at = self.shift_from.unwrap_or(ts) + Self::mins(self.config.shift_every_min);
        let kind = if ts >= walk_due_at {
            PromptKind::Walk
        } else if self.config.shift_every_min > 0
            && ts >= shift_due_at
            && walk_due_at.duration_since(ts) > Self::mins(SHIFT_MERGE_MIN)
        {
            PromptKind::Shift
        } else {
            return None;
        };
        let since = match kind {
            PromptKind::Walk => self.walk_from,
            PromptKind::Shift => self.shift_from,
        };
        let sitting_min = since.map_or(0, |s| (ts.duration_since(s).as_secs() / 60).max(0) as u32);
        let prompt = self.make_prompt(ts, kind, sitting_min);
        self.pending = Some(prompt.clone());
        self.event(ts, BreakOutcome::Prompted, Some(&prompt));
        Some(prompt)
    }

    fn make_prompt(&mut self, ts: Timestamp, kind: PromptKind, sitting_min: u32) -> Prompt {
        let id = self.next_id;
        self.next_id += 1;
        let suggestion = match kind {
            PromptKind::Walk if !self.walk_suggestions.is_empty() => {
                let s = self.walk_suggestions[self.walk_turn % self.walk_suggestions.len()].clone();
                self.walk_turn += 1;
                Some(s)
            }
            PromptKind::Shift if !self.shift_suggestions.is_empty() => {
                let s = self.shift_suggestions[self.shift_turn % self.shift_suggestions.len()].clone();
                self.shift_turn += 1;
                Some(s)
            }
            _ => None,
        };
        let (title, mut body) = match kind {
            PromptKind::Walk => (
                "Time to stand up and walk".to_string(),
                format!(
                    "About {sitting_min} minutes of sitting. Walk for {} minutes: fetch water, take the stairs.",
                    self.config.walk_break_min
                ),
            ),
            PromptKind::Shift => (
                "Shift your position".to_string(),
                "Slide back in the seat, sit tall and let your shoulders drop.".to_string(),
            ),
        };
        if let Some(s) = &suggestion {
            body.push_str(&format!(" Then try: {} — {}", s.name, s.summary));
        }
        Prompt { id, kind, at: ts, sitting_min, title, body, suggestion, skips_left: self.skips_left() }
    }

    /// The runner's answer to the open prompt.
    pub fn respond(&mut self, now: &Zoned, id: u64, response: Response) -> Result<(), RemindError> {
        let ts = now.timestamp();
        let p = match &self.pending {
            None => return Err(RemindError::NothingPending),
            Some(p) if p.id != id => return Err(RemindError::NoSuchPrompt(id)),
            Some(p) => p.clone(),
        };
        match response {
            Response::Done => {
                self.event(ts, BreakOutcome::Taken, Some(&p));
                match p.kind {
                    PromptKind::Walk => self.reset_walk(ts),
                    PromptKind::Shift => self.shift_from = Some(ts),
                }
                self.snoozes = 0;
            }
            Response::Snooze => {
                if self.snoozes >= self.config.max_snoozes_per_prompt {
                    return Err(RemindError::SnoozeLimit { max: self.config.max_snoozes_per_prompt });
                }
                self.snoozes += 1;
                self.snoozed_until = Some(ts + Self::mins(self.config.snooze_min));
                self.event(ts, BreakOutcome::Snoozed, Some(&p));
            }
            Response::Skip => {
                if self.skips_today >= self.config.max_skips_per_day {
                    return Err(RemindError::SkipCapReached { cap: self.config.max_skips_per_day });
                }
                self.skips_today += 1;
                self.snoozes = 0;
                self.event(ts, BreakOutcome::Skipped, Some(&p));
                match p.kind {
                    PromptKind::Walk => self.reset_walk(ts),
                    PromptKind::Shift => self.shift_from = Some(ts),
                }
            }
        }
        self.pending = None;
        Ok(())
    }

    /// Answers whatever prompt is open (for drivers whose input has no prompt id).
    pub fn respond_pending(&mut self, now: &Zoned, response: Response) -> Result<(), RemindError> {
        let id = self.pending.as_ref().map(|p| p.id).ok_or(RemindError::NothingPending)?;
        self.respond(now, id, response)
    }

    /// Do-not-disturb (a meeting, a call): no prompts while on; an overdue break is prompted once it is off.
    pub fn set_dnd(&mut self, now: &Zoned, on: bool) {
        if self.dnd == on {
            return;
        }
        self.dnd = on;
        let ts = now.timestamp();
        self.dnd_at = Some(ts);
        if on {
            self.pending = None;
            self.snoozed_until = None;
            self.snoozes = 0;
        }
        self.event(ts, if on { BreakOutcome::DndOn } else { BreakOutcome::DndOff }, None);
    }
}
