//! The mid-run cue planner: a run (minutes, or reps with recoveries) and a run type in, a timed list of posture
//! and breathing cues out, spaced by the content's [`CueSchedule`](runtall_content::CueSchedule) for that run type.
//!
//! The same [`RunPlan`] feeds every output — text, JSON, the FIT workout and the voice-cue files — so a watch,
//! a calendar and a spoken track all cue the same moments.
//!
//! Rules, all from the schedules and cue phases in `cues.toml`:
//! - an opening cue at the start (the most run-specific start cue: race start, or "stack up");
//! - a check every `every_min` minutes of steady running, rotating posture, breathing and relax cues; in the
//!   last third of runs whose schedule sets `last_third_every_min` (long runs) checks come closer together and
//!   alternate with the last-third cues;
//! - easy-paced running (easy, long and trail runs, warm-ups and cool-downs) leads its breathing cues with the
//!   optional step-breath rhythm; speed and race lead with the full exhale;
//! - reps: a cue shortly before each rep and a reset cue at the start of each recovery; rep cues are the
//!   `before-rep` / `recovery` cues whatever the run type, because they belong to the effort, not the day;
//! - a finish cue near the end of races and steady hard runs whose run type has one;
//! - pack cues when a pack is worn (a strap check near the start, every third check, "pack off" at the end);
//! - the after-run cue at the end.

use runtall_content::{Citation, Cue, CueKind, CuePhase, Evidence, Program, RunType};
use runtall_domain::safety::Permissions;
use serde::{Deserialize, Serialize};

/// Longest run the planner accepts (minutes, or the estimated total of a rep session).
pub const MAX_RUN_MIN: u32 = 6 * 60;
/// Reps per session; 50 × 200 m is already a lot, 200 reps is a typo.
pub const MAX_REPS: u32 = 50;
pub const MIN_REP_DISTANCE_M: u32 = 50;
pub const MAX_REP_DISTANCE_M: u32 = 10_000;
pub const MIN_REP_TIME_S: u32 = 10;
pub const MAX_REP_TIME_S: u32 = 30 * 60;
/// A reset cue needs a recovery to sit in.
pub const MIN_RECOVERY_S: u32 = 10;
pub const MAX_RECOVERY_S: u32 = 15 * 60;
pub const MAX_WARMUP_MIN: u32 = 60;
/// No check in the last minute: the after-run cue comes then.
const END_GUARD_S: u32 = 60;
/// How long before a rep its "get ready" cue comes, when the time before the rep allows.
pub const BEFORE_REP_LEAD_S: u32 = 10;

/// Why a cue plan cannot be made. Messages name the value and the allowed range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CueError {
    #[error("{0} minutes is out of range (allowed 1–{MAX_RUN_MIN} minutes)")]
    Minutes(u32),
    #[error("{0} reps is out of range (allowed 1–{MAX_REPS})")]
    Reps(u32),
    #[error("cannot read the reps '{input}': {reason} (examples: 6x800m, 5x3min, 10x400m, 8x1km)")]
    BadReps { input: String, reason: String },
    #[error("cannot read the duration '{input}': {reason} (examples: 90s, 2min, 1:30)")]
    BadDuration { input: String, reason: String },
    #[error("{what} of {value} is out of range (allowed {range})")]
    OutOfRange { what: &'static str, value: String, range: String },
    #[error("this session would take about {minutes} minutes; the longest plan is {MAX_RUN_MIN} minutes")]
    TooLong { minutes: u32 },
    #[error("the pace {0} s/km is out of range (allowed 120–900 s/km)")]
    Pace(u32),
    #[error("the program has no cue schedule for {0} runs")]
    NoSchedule(&'static str),
    /// The safety gate does not allow this run now; the message is its reason.
    #[error("{0}")]
    NotAllowed(String),
}

/// How long each rep is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RepLength {
    Distance { m: u32 },
    Time { s: u32 },
}

impl RepLength {
    /// As a runner types it, and as [`parse_rep_length`] reads it back: `800m`, `1.5km`, `3min`, `90s`.
    pub fn text(&self) -> String {
        match *self {
            RepLength::Distance { m } if m >= 1000 && m % 100 == 0 => format!("{}km", f64::from(m) / 1000.0),
            RepLength::Distance { m } => format!("{m}m"),
            RepLength::Time { s } => duration_text(s),
        }
    }
}

/// A duration as a runner types it and [`parse_duration_s`] reads it back: `2min`, `90s`.
pub fn duration_text(s: u32) -> String {
    if s.is_multiple_of(60) && s > 0 { format!("{}min", s / 60) } else { format!("{s}s") }
}

/// A rep session: `reps` × `length`, with a recovery between reps and an optional warm-up and cool-down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepSpec {
    pub reps: u32,
    pub length: RepLength,
    pub recovery_s: u32,
    pub warmup_min: u32,
    pub cooldown_min: u32,
}

impl RepSpec {
    /// From CLI text: `reps` like `6x800m`, `recovery` like `2min`; warm-up and cool-down in minutes.
    pub fn parse(reps: &str, recovery: &str, warmup_min: u32, cooldown_min: u32) -> Result<RepSpec, CueError> {
        let (n, length) = parse_reps(reps)?;
        let spec = RepSpec { reps: n, length, recovery_s: parse_duration_s(recovery)?, warmup_min, cooldown_min };
        spec.validate()?;
        Ok(spec)
    }

    pub fn validate(&self) -> Result<(), CueError> {
        if self.reps == 0 || self.reps > MAX_REPS {
            return Err(CueError::Reps(self.reps));
        }
        match self.length {
            RepLength::Distance { m } if !(MIN_REP_DISTANCE_M..=MAX_REP_DISTANCE_M).contains(&m) => {
                return Err(out_of_range(
                    "a rep distance",
                    format!("{m} m"),
                    format!("{MIN_REP_DISTANCE_M} m–{} km", MAX_REP_DISTANCE_M / 1000),
                ));
            }
            RepLength::Time { s } if !(MIN_REP_TIME_S..=MAX_REP_TIME_S).contains(&s) => {
                return Err(out_of_range(
                    "a rep time",
                    fmt_time(s),
                    format!("{MIN_REP_TIME_S} s–{} min", MAX_REP_TIME_S / 60),
                ));
            }
            _ => {}
        }
        if self.reps > 1 && !(MIN_RECOVERY_S..=MAX_RECOVERY_S).contains(&self.recovery_s) {
            return Err(out_of_range(
                "a recovery",
                fmt_time(self.recovery_s),
                format!("{MIN_RECOVERY_S} s–{} min", MAX_RECOVERY_S / 60),
            ));
        }
        for (what, v) in [("a warm-up", self.warmup_min), ("a cool-down", self.cooldown_min)] {
            if v > MAX_WARMUP_MIN {
                return Err(out_of_range(what, format!("{v} min"), format!("0–{MAX_WARMUP_MIN} min")));
            }
        }
        Ok(())
    }

    /// A short label: `6×800 m, 2:00 recovery`.
    pub fn label(&self) -> String {
        let len = match self.length {
            RepLength::Distance { m } if m >= 1000 && m % 100 == 0 => format!("{} km", f64::from(m) / 1000.0),
            RepLength::Distance { m } => format!("{m} m"),
            RepLength::Time { s } => fmt_time(s),
        };
        format!("{}×{len}, {} recovery", self.reps, fmt_time(self.recovery_s))
    }
}

fn out_of_range(what: &'static str, value: String, range: String) -> CueError {
    CueError::OutOfRange { what, value, range }
}

/// What the run is: a number of minutes, or reps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Spec {
    Minutes(u32),
    Reps(RepSpec),
}

impl Spec {
    pub fn label(&self) -> String {
        match self {
            Spec::Minutes(m) => format!("{m} min"),
            Spec::Reps(r) => r.label(),
        }
    }
}

/// Reads `6x800m`, `5x3min`, `10x400m`, `8x1km`, `4x1mi`, `6x90s`, `5x2:30` (also with `×` or spaces).
pub fn parse_reps(input: &str) -> Result<(u32, RepLength), CueError> {
    let bad = |reason: &str| CueError::BadReps { input: input.to_string(), reason: reason.to_string() };
    let s: String = input.trim().to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    let (count, length) = s
        .split_once(['x', '×', '*'])
        .ok_or_else(|| bad("expected COUNTxLENGTH, the number of reps, an x, then a distance or a time"))?;
    let reps: u32 = count.parse().map_err(|_| bad("the number of reps must be a whole number"))?;
    if reps == 0 || reps > MAX_REPS {
        return Err(CueError::Reps(reps));
    }
    let length = rep_length(length).map_err(|reason| bad(reason.as_str()))?;
    Ok((reps, length))
}

/// Reads one rep's length on its own, as run mode's separate fields give it: `800m`, `1km`, `1mi`, `3min`,
/// `90s`, `2:30`. The error is a [`CueError::BadReps`] naming what was typed.
pub fn parse_rep_length(input: &str) -> Result<RepLength, CueError> {
    let s: String = input.trim().to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    rep_length(&s).map_err(|reason| CueError::BadReps {
        input: input.to_string(),
        reason: format!("{reason}; a rep length is a distance (800m, 1km) or a time (3min, 90s)"),
    })
}

/// A rep length from lower-case text without spaces, or why not.
fn rep_length(length: &str) -> Result<RepLength, String> {
    let (num, unit) = split_number(length);
    if num.is_empty() {
        return Err("the rep length needs a number".into());
    }
    if unit.is_empty() && num.contains(':') {
        return parse_duration_s(length)
            .map(|s| RepLength::Time { s })
            .map_err(|_| "times look like 3min, 90s or 2:30".into());
    }
    let value: f64 = num.parse().map_err(|_| "the rep length must be a number".to_string())?;
    if !value.is_finite() || value <= 0.0 {
        return Err("the rep length must be more than zero".into());
    }
    Ok(match unit {
        "m" => RepLength::Distance { m: round_u32(value) },
        "km" | "k" => RepLength::Distance { m: round_u32(value * 1000.0) },
        "mi" | "mile" | "miles" => RepLength::Distance { m: round_u32(value * 1609.344) },
        "s" | "sec" | "secs" => RepLength::Time { s: round_u32(value) },
        "min" | "mins" | "minute" | "minutes" | "'" => RepLength::Time { s: round_u32(value * 60.0) },
        "" => return Err("add a unit: m, km or mi for distance; s or min for time (m means metres)".into()),
        other => return Err(format!("unknown unit '{other}' (use m, km, mi, s or min)")),
    })
}

/// Reads a recovery or other duration: `90s`, `2min`, `2m`, `1:30`, `2m30s`.
pub fn parse_duration_s(input: &str) -> Result<u32, CueError> {
    let bad = |reason: &str| CueError::BadDuration { input: input.to_string(), reason: reason.to_string() };
    let s: String = input.trim().to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    if s.is_empty() {
        return Err(bad("it is empty"));
    }
    if let Some((m, sec)) = s.split_once(':') {
        let m: u32 = m.parse().map_err(|_| bad("minutes before the colon must be a whole number"))?;
        let sec: u32 = sec.parse().map_err(|_| bad("seconds after the colon must be a whole number"))?;
        if sec >= 60 {
            return Err(bad("seconds after the colon must be below 60"));
        }
        return m.checked_mul(60).and_then(|x| x.checked_add(sec)).ok_or_else(|| bad("too long"));
    }
    let mut total = 0.0_f64;
    let mut rest = s.as_str();
    while !rest.is_empty() {
        let (num, after) = split_number(rest);
        let unit_len = after.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(after.len());
        let (unit, tail) = after.split_at(unit_len);
        let value: f64 = num.parse().map_err(|_| bad("expected a number followed by s or min"))?;
        total += value
            * match unit {
                "s" | "sec" | "secs" => 1.0,
                "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
                "h" | "hr" => 3600.0,
                "" => return Err(bad("add a unit: s or min")),
                other => return Err(bad(&format!("unknown unit '{other}' (use s or min)"))),
            };
        rest = tail;
    }
    if !total.is_finite() || total > f64::from(u32::MAX) {
        return Err(bad("too long"));
    }
    Ok(round_u32(total))
}

fn split_number(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ':')).unwrap_or(s.len());
    s.split_at(end)
}

fn round_u32(v: f64) -> u32 {
    v.round().clamp(0.0, f64::from(u32::MAX)) as u32
}

/// Choices that change the cues but not the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CueOptions {
    /// A hydration pack is worn on this run: add pack cues.
    pub pack: bool,
    /// Include the optional step-breath rhythm cue at easy pace (some runners find it forced).
    pub step_breath: bool,
    /// Assumed pace of distance reps, seconds per km, used only to place the cues after them in time. The watch
    /// itself ends distance reps by distance, so only the voice and calendar exports depend on it.
    pub rep_pace_s_per_km: u32,
}

impl Default for CueOptions {
    fn default() -> Self {
        CueOptions { pack: false, step_breath: true, rep_pace_s_per_km: 270 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlockKind {
    WarmUp,
    /// Steady running for the whole of a minutes run.
    Steady,
    Rep,
    Recovery,
    CoolDown,
    /// After the run: open-ended (the runner stops the watch).
    After,
}

/// A part of the run's structure, which the FIT export turns into workout steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    pub start_s: u32,
    /// Seconds; for distance reps an estimate at the assumed pace.
    pub duration_s: u32,
    /// Set for distance reps: the watch ends the step by distance.
    pub distance_m: Option<u32>,
    /// Rep number from 1 (reps and the recovery after them).
    pub rep: Option<u32>,
    pub reps: Option<u32>,
}

impl Block {
    pub fn end_s(&self) -> u32 {
        self.start_s + self.duration_s
    }
}

/// One cue at one moment of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimedCue {
    /// Seconds from the start of the run.
    pub at_s: u32,
    pub id: String,
    pub kind: CueKind,
    /// Why it comes now (start, steady, last-third, before-rep, recovery, finish, after).
    pub phase: CuePhase,
    /// At most 24 characters, for a watch.
    pub watch: String,
    pub text: String,
    pub spoken: String,
    /// Index into [`RunPlan::blocks`].
    pub block: usize,
    /// The time depends on the assumed pace of distance reps before it.
    pub approximate: bool,
}

/// A run's structure and cues, the input to every export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunPlan {
    pub run_type: RunType,
    pub spec: Spec,
    pub pack: bool,
    /// Seconds from start to the end of the last block (estimated when there are distance reps).
    pub total_s: u32,
    pub blocks: Vec<Block>,
    pub cues: Vec<TimedCue>,
    /// The schedule's notes for this run type, shown with the list.
    pub notes: Vec<String>,
    pub cite: Vec<Citation>,
    pub evidence: Evidence,
}

/// The timed cues for one run; see [`plan_run`] for the structure as well.
pub fn plan_cues(
    program: &Program,
    permissions: &Permissions,
    run: RunType,
    spec: &Spec,
    options: &CueOptions,
) -> Result<Vec<TimedCue>, CueError> {
    plan_run(program, permissions, run, spec, options).map(|p| p.cues)
}

/// The safety gate's word on a cue plan: the run type must be allowed, and reps are speed work whatever the run
/// type is called, so they need speed work to be allowed too.
fn check_allowed(permissions: &Permissions, run: RunType, spec: &Spec) -> Result<(), CueError> {
    let decision = permissions.run(run);
    if !decision.allowed {
        // The gate's reason already names the run ("long runs wait: …", "no running until …").
        return Err(CueError::NotAllowed(decision.reason.clone().unwrap_or_default()));
    }
    let speed = permissions.run(RunType::Speed);
    if matches!(spec, Spec::Reps(_)) && !speed.allowed {
        let reason = speed.reason.clone().unwrap_or_default();
        return Err(CueError::NotAllowed(format!("reps are speed work, which is not in your program now: {reason}")));
    }
    Ok(())
}

/// Plans a run: its blocks (warm-up, reps, recoveries, cool-down or one steady block) and the cues placed in them.
pub fn plan_run(
    program: &Program,
    permissions: &Permissions,
    run: RunType,
    spec: &Spec,
    options: &CueOptions,
) -> Result<RunPlan, CueError> {
    check_allowed(permissions, run, spec)?;
    let schedule = program.schedule(run).ok_or(CueError::NoSchedule(run.as_str()))?;
    if !(120..=900).contains(&options.rep_pace_s_per_km) {
        return Err(CueError::Pace(options.rep_pace_s_per_km));
    }
    let mut p = Planner { program, run, options, blocks: Vec::new(), cues: Vec::new() };
    match spec {
        Spec::Minutes(m) => {
            if *m == 0 || *m > MAX_RUN_MIN {
                return Err(CueError::Minutes(*m));
            }
            p.minutes_run(*m * 60, schedule.every_min * 60, schedule.last_third_every_min.map(|x| x * 60));
        }
        Spec::Reps(r) => {
            r.validate()?;
            let est = rep_session_s(r, options.rep_pace_s_per_km);
            if est > MAX_RUN_MIN * 60 {
                return Err(CueError::TooLong { minutes: est.div_ceil(60) });
            }
            p.rep_run(r, schedule.every_min * 60);
        }
    }
    let Planner { mut blocks, mut cues, .. } = p;
    let total_s = blocks.iter().map(Block::end_s).max().unwrap_or(0);
    blocks.push(Block {
        kind: BlockKind::After,
        start_s: total_s,
        duration_s: 0,
        distance_m: None,
        rep: None,
        reps: None,
    });
    let after = blocks.len() - 1;
    let mut after_cues: Vec<&Cue> =
        program.cues.iter().filter(|c| c.kind != CueKind::Pack && has(c, CuePhase::After, run)).collect();
    if options.pack {
        after_cues.extend(pack_cues(program, CuePhase::After));
    }
    let approx_end = blocks.iter().any(|b| b.distance_m.is_some());
    for c in after_cues {
        cues.push(timed(c, total_s, CuePhase::After, after, approx_end));
    }
    // Stable: cues at the same second keep the order they were added in (opening before a rep cue, ...).
    cues.sort_by_key(|c| c.at_s);
    Ok(RunPlan {
        run_type: run,
        spec: *spec,
        pack: options.pack,
        total_s,
        blocks,
        cues,
        notes: schedule.notes.clone(),
        cite: schedule.cite.clone(),
        evidence: schedule.evidence,
    })
}

fn rep_seconds(r: &RepSpec, pace: u32) -> u32 {
    match r.length {
        RepLength::Time { s } => s,
        RepLength::Distance { m } => (u64::from(m) * u64::from(pace)).div_ceil(1000) as u32,
    }
}

fn rep_session_s(r: &RepSpec, pace: u32) -> u32 {
    let reps = r.reps * rep_seconds(r, pace) + r.reps.saturating_sub(1) * r.recovery_s;
    reps + (r.warmup_min + r.cooldown_min) * 60
}

fn has(c: &Cue, phase: CuePhase, run: RunType) -> bool {
    c.phases.contains(&phase) && c.run_types.contains(&run)
}

fn pack_cues(program: &Program, phase: CuePhase) -> impl Iterator<Item = &Cue> {
    program.cues.iter().filter(move |c| c.kind == CueKind::Pack && c.phases.contains(&phase))
}

fn timed(c: &Cue, at_s: u32, phase: CuePhase, block: usize, approximate: bool) -> TimedCue {
    TimedCue {
        at_s,
        id: c.id.clone(),
        kind: c.kind,
        phase,
        watch: c.watch.clone(),
        text: c.text.clone(),
        spoken: c.spoken.clone(),
        block,
        approximate,
    }
}

/// Steady-running cues in an order that varies the kind: posture, breathing, relax, posture, ...
/// `easy_pace` puts the step-breath rhythm first among breathing cues; otherwise the full exhale leads.
fn rotation<'p>(
    program: &'p Program,
    pace_of: RunType,
    options: &CueOptions,
    skip_first: Option<&str>,
) -> Vec<&'p Cue> {
    let easy_pace = matches!(pace_of, RunType::Easy | RunType::Long | RunType::Trail);
    let lead = if easy_pace { "step-breath-rhythm" } else { "full-exhale" };
    let mut groups: Vec<Vec<&Cue>> = [CueKind::Posture, CueKind::Breathing, CueKind::Relax]
        .into_iter()
        .map(|kind| {
            let mut g: Vec<&Cue> = program
                .cues
                .iter()
                .filter(|c| c.kind == kind && has(c, CuePhase::Steady, pace_of))
                .filter(|c| options.step_breath || c.id != "step-breath-rhythm")
                .collect();
            if let Some(i) = g.iter().position(|c| c.id == lead) {
                let c = g.remove(i);
                g.insert(0, c);
            }
            // Do not repeat the opening cue as the first check.
            if let Some(first) = skip_first
                && g.first().is_some_and(|c| c.id == first)
            {
                g.rotate_left(1);
            }
            g
        })
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while groups.iter().any(|g| i < g.len()) {
        for g in &mut groups {
            if let Some(c) = g.get(i) {
                out.push(*c);
            }
        }
        i += 1;
    }
    out
}

struct Planner<'a> {
    program: &'a Program,
    run: RunType,
    options: &'a CueOptions,
    blocks: Vec<Block>,
    cues: Vec<TimedCue>,
}

impl<'a> Planner<'a> {
    fn block(&mut self, kind: BlockKind, start_s: u32, duration_s: u32) -> usize {
        self.blocks.push(Block { kind, start_s, duration_s, distance_m: None, rep: None, reps: None });
        self.blocks.len() - 1
    }

    fn push(&mut self, c: &Cue, at_s: u32, phase: CuePhase, block: usize) {
        let approximate = self.blocks[..block].iter().any(|b| b.distance_m.is_some());
        self.cues.push(timed(c, at_s, phase, block, approximate));
    }

    /// The start cue: the most run-specific one (a race start) or, failing that, the first in the content.
    fn opening(&self) -> Option<&'a Cue> {
        let starts: Vec<&Cue> =
            self.program.cues.iter().filter(|c| c.kind != CueKind::Pack && has(c, CuePhase::Start, self.run)).collect();
        starts.iter().find(|c| c.run_types.len() <= 2).or(starts.first()).copied()
    }

    fn open(&mut self, block: usize, block_len: u32) -> Option<String> {
        let opening = self.opening();
        if let Some(c) = opening {
            self.push(c, 0, CuePhase::Start, block);
        }
        if self.options.pack
            && block_len >= 120
            && let Some(c) = pack_cues(self.program, CuePhase::Start).next()
        {
            self.push(c, 60, CuePhase::Start, block);
        }
        opening.map(|c| c.id.clone())
    }

    /// Steady checks from `from` (exclusive) to `to`, spaced by `every`, leaving the last minute free.
    fn checks(&mut self, from: u32, to: u32, every: u32, rot: &[&'a Cue], next: &mut usize, block: usize) {
        let pack: Vec<&Cue> = pack_cues(self.program, CuePhase::Steady).collect();
        let mut t = from + every;
        while every > 0 && t + END_GUARD_S <= to {
            let n = *next;
            *next += 1;
            let mut cue = if self.options.pack && !pack.is_empty() && n % 3 == 2 {
                Some(pack[(n / 3) % pack.len()])
            } else if rot.is_empty() {
                None
            } else {
                Some(rot[n % rot.len()])
            };
            // Never the same cue twice in a row (the cool-down opens with a relax cue of its own).
            if cue.is_some_and(|c| self.cues.last().is_some_and(|l| l.id == c.id)) && rot.len() > 1 {
                *next += 1;
                cue = Some(rot[*next % rot.len()]);
            }
            if let Some(c) = cue {
                self.push(c, t, CuePhase::Steady, block);
            }
            t += every;
        }
    }

    fn minutes_run(&mut self, total: u32, every: u32, last_third: Option<u32>) {
        let block = self.block(BlockKind::Steady, 0, total);
        let opening = self.open(block, total);
        let rot = rotation(self.program, self.run, self.options, opening.as_deref());
        let late: Vec<&Cue> = self.program.cues.iter().filter(|c| has(c, CuePhase::LastThird, self.run)).collect();
        let pack: Vec<&Cue> = pack_cues(self.program, CuePhase::Steady).collect();
        let finish = self.program.cues.iter().find(|c| has(c, CuePhase::Finish, self.run) && c.kind != CueKind::Pack);
        // A finish cue for races and hard steady runs, far enough from the end to matter.
        let finish_at = finish.filter(|_| total >= 10 * 60).map(|_| total - (total / 6).min(5 * 60));
        let third = total - total / 3;
        let mut times = Vec::new();
        let mut prev = 0;
        loop {
            let late_now = last_third.is_some() && prev >= third;
            let step = match (late_now, last_third) {
                (true, Some(lt)) => lt,
                _ => every,
            };
            let mut t = prev + step.max(60);
            if let Some(lt) = last_third
                && prev < third
                && t > third
            {
                // The closer spacing starts at the last third, unless that would crowd the previous check.
                t = if third - prev >= lt / 2 { third } else { prev + lt };
            }
            if t + END_GUARD_S > total {
                break;
            }
            let in_late = last_third.is_some() && t >= third;
            if finish_at.is_none_or(|f| t + 120 <= f) {
                times.push((t, in_late));
            }
            prev = t;
        }
        let (mut n_steady, mut n_late) = (0usize, 0usize);
        for (t, in_late) in times {
            let (cue, phase) = if in_late && !late.is_empty() && n_late % 2 == 0 {
                let c = late[(n_late / 2) % late.len()];
                n_late += 1;
                (Some(c), CuePhase::LastThird)
            } else {
                if in_late {
                    n_late += 1;
                }
                let n = n_steady;
                n_steady += 1;
                let c = if self.options.pack && !pack.is_empty() && n % 3 == 2 {
                    Some(pack[(n / 3) % pack.len()])
                } else {
                    rot.get(n % rot.len().max(1)).copied()
                };
                (c, CuePhase::Steady)
            };
            if let Some(c) = cue {
                self.push(c, t, phase, block);
            }
        }
        if let (Some(c), Some(at)) = (finish, finish_at) {
            self.push(c, at, CuePhase::Finish, block);
        }
    }

    fn rep_run(&mut self, r: &RepSpec, every: u32) {
        let pace = self.options.rep_pace_s_per_km;
        let rep_s = rep_seconds(r, pace);
        let warm = r.warmup_min * 60;
        let mut t = 0;
        let first_block = self.blocks.len();
        if warm > 0 {
            self.block(BlockKind::WarmUp, 0, warm);
            t = warm;
        }
        // Blocks first, so cue placement can see what comes before and after.
        let mut rep_blocks = Vec::new();
        for i in 1..=r.reps {
            let b = self.block(BlockKind::Rep, t, rep_s);
            if let RepLength::Distance { m } = r.length {
                self.blocks[b].distance_m = Some(m);
            }
            self.blocks[b].rep = Some(i);
            self.blocks[b].reps = Some(r.reps);
            rep_blocks.push(b);
            t += rep_s;
            if i < r.reps {
                let rb = self.block(BlockKind::Recovery, t, r.recovery_s);
                self.blocks[rb].rep = Some(i);
                self.blocks[rb].reps = Some(r.reps);
                t += r.recovery_s;
            }
        }
        let cool = r.cooldown_min * 60;
        let cool_block = (cool > 0).then(|| self.block(BlockKind::CoolDown, t, cool));

        let opening = self.open(first_block, if warm > 0 { warm } else { 0 });
        // Warm-up and cool-down run at easy pace, so they get easy-pace cues.
        let easy_rot = rotation(self.program, RunType::Easy, self.options, opening.as_deref());
        let mut next = 0;
        if warm > 0 {
            // Leave the last minute of the warm-up to the first rep's cue.
            self.checks(0, warm.saturating_sub(BEFORE_REP_LEAD_S), every, &easy_rot, &mut next, first_block);
        }
        let before: Vec<&Cue> = self.program.cues.iter().filter(|c| c.phases.contains(&CuePhase::BeforeRep)).collect();
        let reset: Vec<&Cue> = self.program.cues.iter().filter(|c| c.phases.contains(&CuePhase::Recovery)).collect();
        for (k, &b) in rep_blocks.iter().enumerate() {
            let start = self.blocks[b].start_s;
            // The block before this rep (warm-up or recovery), if any; the cue goes near its end.
            let prev_len = if b > first_block { self.blocks[b - 1].duration_s } else { 0 };
            if b > first_block
                && self.blocks[b - 1].kind == BlockKind::Recovery
                && let Some(c) = reset.get(k.saturating_sub(1) % reset.len().max(1)).copied()
            {
                let rb = b - 1;
                self.push(c, self.blocks[rb].start_s, CuePhase::Recovery, rb);
            }
            if let Some(c) = before.get(k % before.len().max(1)).copied() {
                if prev_len >= 3 * BEFORE_REP_LEAD_S {
                    self.push(c, start - BEFORE_REP_LEAD_S, CuePhase::BeforeRep, b - 1);
                } else {
                    self.push(c, start, CuePhase::BeforeRep, b);
                }
            }
        }
        if let Some(cb) = cool_block {
            let start = self.blocks[cb].start_s;
            let relax =
                self.program.cues.iter().find(|c| c.kind == CueKind::Relax && has(c, CuePhase::Steady, RunType::Easy));
            if let Some(c) = relax {
                self.push(c, start, CuePhase::Steady, cb);
            }
            let end = self.blocks[cb].end_s();
            self.checks(start, end, every, &easy_rot, &mut next, cb);
        }
    }
}

/// `m:ss` with minutes unbounded (`95:00`), as runners read split times.
pub fn fmt_time(s: u32) -> String {
    format!("{}:{:02}", s / 60, s % 60)
}

impl RunPlan {
    /// The plan as text for the terminal.
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let pack = if self.pack { ", with a pack" } else { "" };
        let run = self.run_type.as_str();
        let article = if run.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
        let _ = writeln!(out, "Cues for {article} {run} run, {}{pack} (times from the start):", self.spec.label());
        for c in &self.cues {
            let approx = if c.approximate { "~" } else { " " };
            let phase = match c.phase {
                CuePhase::Start => "start",
                CuePhase::Steady => "check",
                CuePhase::LastThird => "late",
                CuePhase::BeforeRep => "before rep",
                CuePhase::Recovery => "recovery",
                CuePhase::Finish => "finish",
                CuePhase::After => "after",
            };
            let rep = self.blocks.get(c.block).and_then(|b| b.rep.zip(b.reps));
            let ctx = match (c.phase, rep) {
                (CuePhase::BeforeRep, _) => {
                    let n = self.blocks.iter().skip(c.block).find(|b| b.kind == BlockKind::Rep).and_then(|b| b.rep);
                    n.map(|n| format!("{phase} {n}")).unwrap_or_else(|| phase.to_string())
                }
                (CuePhase::Recovery, Some((n, _))) => format!("{phase} {n}"),
                _ => phase.to_string(),
            };
            let _ = writeln!(out, "{approx}{:>6}  {:<12} {}", fmt_time(c.at_s), ctx, c.text);
        }
        if self.cues.iter().any(|c| c.approximate) {
            let pace = "times marked ~ assume the rep pace you gave (default 4:30/km); the watch file ends each distance rep by distance";
            let _ = writeln!(out, "\n({pace})");
        }
        if !self.notes.is_empty() {
            let _ = writeln!(out, "\nNotes:");
            for n in &self.notes {
                let _ = writeln!(out, "  - {n}");
            }
        }
        out
    }

    /// The plan as pretty JSON (blocks, cues, notes, citations).
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialization cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
