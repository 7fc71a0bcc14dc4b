//! The cue plan as a FIT workout file (`file_id` type workout, `workout`, `workout_step`s), written with
//! rustyfit's encoder so the header and file CRCs are computed by a well-tested implementation.
//!
//! Each cue starts a new workout step, because a watch shows a step's name (and beeps) when the step begins:
//! the step *is* the cue. Steps follow the run's blocks — warm-up, the steady stretches between cues, each rep
//! (by distance or time), each recovery (by time), cool-down — and end with an open step (ended with the lap
//! button) carrying the after-run cue. Names are the cues' `watch` text shortened to whole words (16 characters
//! is what many watches show); notes carry the full cue sentence.
//!
//! Copy the file to a Garmin watch's `GARMIN/NewFiles` folder over USB; the watch moves it into its workouts.

use super::ExportError;
use crate::cues::{BlockKind, RunPlan, TimedCue};
use rustyfit::profile::{mesgdef, typedef};
use rustyfit::proto::{FIT, Message};
use serde::{Deserialize, Serialize};

/// Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
const FIT_EPOCH_UNIX_S: i64 = 631_065_600;
/// FIT strings are at most 255 bytes with their terminator; notes stay well inside that.
const MAX_NOTES_BYTES: usize = 200;
/// Step names: many watches show 16 characters; some show more.
pub const MIN_NAME_LEN: usize = 8;
pub const MAX_NAME_LEN: usize = 32;

/// How a step ends.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepLength {
    Time {
        s: u32,
    },
    Distance {
        m: u32,
    },
    /// Ends with the lap button.
    Open,
}

/// FIT step intensity, which sets how the watch shows and counts the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepIntensity {
    Active,
    Rest,
    Warmup,
    Cooldown,
    Recovery,
}

impl StepIntensity {
    /// The FIT `intensity` value.
    pub fn fit_value(self) -> u8 {
        match self {
            StepIntensity::Active => 0,
            StepIntensity::Rest => 1,
            StepIntensity::Warmup => 2,
            StepIntensity::Cooldown => 3,
            StepIntensity::Recovery => 4,
        }
    }
}

/// One workout step as it will be written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchStep {
    pub name: String,
    pub notes: String,
    pub length: StepLength,
    pub intensity: StepIntensity,
    /// Index of the plan block the step belongs to.
    pub block: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    /// Workout name; defaults to the run type and spec ("Long 90 min").
    pub name: Option<String>,
    /// Longest step name; 16 suits most watches.
    pub name_len: usize,
    /// `file_id.time_created`. With the serial number it tells the watch this file from another.
    pub time_created: jiff::Timestamp,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions { name: None, name_len: 16, time_created: jiff::Timestamp::now() }
    }
}

/// Shortens a cue's watch text to `max` characters, preferring whole phrases over cut ones:
/// 1. the part after a colon or question mark when it fits and says something on its own
///    ("Stack: ribs over pelvis" → "Ribs over pelvis", "Stopped? Pack off" → "Pack off");
/// 2. else the longest run of whole clauses from the start ("Soft jaw, loose face" → "Soft jaw");
/// 3. else whole words, dropping a dangling connector or comma ("Drop shoulders from ears" → "Drop shoulders");
/// 4. a hard cut only when the first word alone is too long.
pub fn watch_name(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let fits = |s: &str| s.chars().count() <= max;
    if fits(&text) {
        return text;
    }
    let words = |s: &str| s.split_whitespace().count();
    if let Some(i) = text.find([':', '?']) {
        let tail = text[i + 1..].trim();
        if fits(tail) && words(tail) >= 2 && !tail.contains('+') {
            let mut c = tail.chars();
            return c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default();
        }
    }
    let clause = text
        .char_indices()
        .rev()
        .filter(|(_, c)| matches!(c, ',' | ':' | ';' | '?'))
        .map(|(i, c)| if c == '?' { &text[..=i] } else { &text[..i] })
        .find(|p| fits(p) && words(p) >= 2);
    if let Some(p) = clause {
        return p.to_string();
    }
    const PUNCT: [char; 8] = [':', ',', ';', '+', '-', '/', '&', '.'];
    const DANGLING: [&str; 14] =
        ["a", "an", "and", "at", "but", "for", "from", "in", "of", "on", "or", "over", "the", "to"];
    // (word, ends a clause): a word before a comma or colon is not left dangling even if it is "in".
    let mut words: Vec<(&str, bool)> = Vec::new();
    let mut len = 0;
    for w in text.split(' ') {
        let sep = usize::from(!words.is_empty());
        let stripped = w.trim_end_matches(PUNCT);
        let clause_end = stripped.len() != w.len();
        if len + sep + w.chars().count() <= max {
            len += sep + w.chars().count();
            words.push((w, clause_end));
            continue;
        }
        // "loose," does not fit but "loose" does: keep the word, drop its comma.
        if clause_end && !stripped.is_empty() && len + sep + stripped.chars().count() <= max {
            words.push((stripped, true));
        }
        break;
    }
    while words.len() > 1 && words.last().is_some_and(|(w, end)| !end && DANGLING.contains(&w.to_lowercase().as_str()))
    {
        words.pop();
    }
    let joined = words.iter().map(|(w, _)| *w).collect::<Vec<_>>().join(" ");
    let trimmed = joined.trim_end_matches(PUNCT).trim_end();
    if trimmed.is_empty() { text.chars().take(max).collect() } else { trimmed.to_string() }
}

fn block_label(plan: &RunPlan, block: usize) -> String {
    let b = &plan.blocks[block];
    match b.kind {
        BlockKind::WarmUp => "Warm-up".to_string(),
        BlockKind::Steady => "Run".to_string(),
        BlockKind::Rep => match (b.rep, b.reps) {
            (Some(r), Some(n)) => format!("Rep {r}/{n}"),
            _ => "Rep".to_string(),
        },
        BlockKind::Recovery => "Recovery".to_string(),
        BlockKind::CoolDown => "Cool-down".to_string(),
        BlockKind::After => "Done".to_string(),
    }
}

fn intensity(kind: BlockKind) -> StepIntensity {
    match kind {
        BlockKind::WarmUp => StepIntensity::Warmup,
        BlockKind::Steady | BlockKind::Rep => StepIntensity::Active,
        BlockKind::Recovery => StepIntensity::Recovery,
        BlockKind::CoolDown => StepIntensity::Cooldown,
        BlockKind::After => StepIntensity::Rest,
    }
}

/// Cuts at a character boundary so the FIT string stays within its byte limit.
fn clip_bytes(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max.saturating_sub(3);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

fn name_and_notes(plan: &RunPlan, block: usize, cues: &[&TimedCue], name_len: usize) -> (String, String) {
    let label = block_label(plan, block);
    // The rep cue is the one to see when several start together (the opening and the first rep's cue).
    let lead = cues
        .iter()
        .find(|c| c.phase == runtall_content::CuePhase::BeforeRep)
        .or_else(|| cues.iter().find(|c| c.phase == runtall_content::CuePhase::Recovery))
        .or(cues.first());
    let name = match lead {
        Some(c) => watch_name(&c.watch, name_len),
        None => watch_name(&label, name_len),
    };
    let mut notes = label;
    for c in cues {
        notes.push_str(" · ");
        notes.push_str(&c.text);
    }
    (name, clip_bytes(&notes, MAX_NOTES_BYTES))
}

/// The workout steps for a plan, before encoding. Pure, so tests check the step list directly too.
pub fn watch_steps(plan: &RunPlan, name_len: usize) -> Vec<WatchStep> {
    let mut steps = Vec::new();
    for (bi, b) in plan.blocks.iter().enumerate() {
        let in_block: Vec<&TimedCue> = plan.cues.iter().filter(|c| c.block == bi).collect();
        let push = |steps: &mut Vec<WatchStep>, cues: &[&TimedCue], length: StepLength| {
            let (name, notes) = name_and_notes(plan, bi, cues, name_len);
            steps.push(WatchStep { name, notes, length, intensity: intensity(b.kind), block: bi });
        };
        if b.kind == BlockKind::After {
            push(&mut steps, &in_block, StepLength::Open);
            continue;
        }
        if let Some(m) = b.distance_m {
            push(&mut steps, &in_block, StepLength::Distance { m });
            continue;
        }
        // Time blocks: a new step at each cue inside the block.
        let mut cuts: Vec<u32> = in_block.iter().map(|c| c.at_s).filter(|t| *t > b.start_s && *t < b.end_s()).collect();
        cuts.dedup();
        let mut starts = vec![b.start_s];
        starts.extend(cuts);
        for (k, &start) in starts.iter().enumerate() {
            let end = starts.get(k + 1).copied().unwrap_or(b.end_s());
            if end <= start {
                continue;
            }
            let here: Vec<&TimedCue> =
                in_block.iter().copied().filter(|c| if k == 0 { c.at_s <= start } else { c.at_s == start }).collect();
            push(&mut steps, &here, StepLength::Time { s: end - start });
        }
    }
    steps
}

fn default_name(plan: &RunPlan) -> String {
    let run = plan.run_type.as_str();
    let mut cap = run[..1].to_uppercase();
    cap.push_str(&run[1..]);
    match plan.spec {
        crate::cues::Spec::Minutes(m) => format!("{cap} {m} min"),
        crate::cues::Spec::Reps(r) => {
            let len = match r.length {
                crate::cues::RepLength::Distance { m } if m >= 1000 && m % 100 == 0 => {
                    format!("{}km", f64::from(m) / 1000.0)
                }
                crate::cues::RepLength::Distance { m } => format!("{m}m"),
                crate::cues::RepLength::Time { s } if s % 60 == 0 => format!("{}min", s / 60),
                crate::cues::RepLength::Time { s } => format!("{s}s"),
            };
            format!("{cap} {}x{len}", r.reps)
        }
    }
}

/// Encodes the plan as a FIT workout file.
pub fn workout_fit(plan: &RunPlan, options: &FitOptions) -> Result<Vec<u8>, ExportError> {
    if !(MIN_NAME_LEN..=MAX_NAME_LEN).contains(&options.name_len) {
        return Err(ExportError::OutOfRange {
            what: "a step-name length",
            value: options.name_len.to_string(),
            range: format!("{MIN_NAME_LEN}–{MAX_NAME_LEN} characters"),
        });
    }
    let steps = watch_steps(plan, options.name_len);
    if steps.is_empty() {
        return Err(ExportError::Empty);
    }
    let n_steps = u16::try_from(steps.len()).map_err(|_| ExportError::OutOfRange {
        what: "a workout of",
        value: format!("{} steps", steps.len()),
        range: "up to 65535 steps".into(),
    })?;
    let name = options.name.clone().unwrap_or_else(|| default_name(plan));

    let mut file_id = mesgdef::FileId::new();
    file_id.r#type = typedef::File::WORKOUT;
    file_id.manufacturer = typedef::Manufacturer::DEVELOPMENT;
    file_id.product = 0;
    file_id.serial_number = serial(&steps).max(1);
    let fit_time = options.time_created.as_second() - FIT_EPOCH_UNIX_S;
    file_id.time_created = typedef::DateTime(u32::try_from(fit_time).unwrap_or(0));

    let mut workout = mesgdef::Workout::new();
    workout.wkt_name = clip_bytes(&name, 40).into();
    workout.sport = typedef::Sport::RUNNING;
    workout.sub_sport = if plan.run_type == runtall_content::RunType::Trail {
        typedef::SubSport::TRAIL
    } else {
        typedef::SubSport::GENERIC
    };
    workout.num_valid_steps = n_steps;
    workout.wkt_description = clip_bytes(
        &format!("runtall posture and breathing cues: {} run, {}", plan.run_type.as_str(), plan.spec.label()),
        MAX_NOTES_BYTES,
    )
    .into();

    let mut messages = vec![Message::from(file_id), Message::from(workout)];
    for (i, s) in steps.iter().enumerate() {
        let mut m = mesgdef::WorkoutStep::new();
        m.message_index = typedef::MessageIndex(i as u16);
        m.wkt_step_name = s.name.as_str().into();
        m.notes = s.notes.as_str().into();
        match s.length {
            StepLength::Time { s } => {
                m.duration_type = typedef::WktStepDuration::TIME;
                m.duration_value = s.saturating_mul(1000);
            }
            StepLength::Distance { m: metres } => {
                m.duration_type = typedef::WktStepDuration::DISTANCE;
                m.duration_value = metres.saturating_mul(100);
            }
            StepLength::Open => m.duration_type = typedef::WktStepDuration::OPEN,
        }
        m.target_type = typedef::WktStepTarget::OPEN;
        m.target_value = 0;
        m.intensity = typedef::Intensity(s.intensity.fit_value());
        messages.push(Message::from(m));
    }
    let mut fit = FIT { messages, ..Default::default() };
    let mut cursor = std::io::Cursor::new(Vec::new());
    {
        let mut writer = embedded_io_adapters::std::FromStd::new(&mut cursor);
        rustyfit::Encoder::new().encode(&mut writer, &mut fit).map_err(|e| ExportError::Fit(format!("{e}")))?;
    }
    let bytes = cursor.into_inner();
    // Read it back with our own decoder before handing it out: a file a watch rejects is worse than an error.
    let check = check_workout(&bytes)?;
    if check.steps != steps.len() || check.num_valid_steps != Some(n_steps) {
        return Err(ExportError::Fit(format!(
            "self-check: wrote {} steps but read back {} (num_valid_steps {:?})",
            steps.len(),
            check.steps,
            check.num_valid_steps
        )));
    }
    Ok(bytes)
}

/// A workout file as read back by runtall's own FIT decoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkoutCheck {
    pub name: Option<String>,
    pub steps: usize,
    pub num_valid_steps: Option<u16>,
}

/// Decodes a workout file with `runtall_fit` and insists on a workout `file_id`, intact header and file CRCs
/// and no decoder warnings.
pub fn check_workout(bytes: &[u8]) -> Result<WorkoutCheck, ExportError> {
    let decoded = runtall_fit::decode(bytes).map_err(|e| ExportError::Fit(format!("self-check: {e}")))?;
    let fail = |what: &str| Err(ExportError::Fit(format!("self-check: {what}")));
    if !decoded.warnings.is_empty() {
        return fail(&format!("decoder warnings {:?}", decoded.warnings));
    }
    if !decoded.stats.header_crc_ok || !decoded.stats.file_crc_ok {
        return fail("CRC mismatch");
    }
    if decoded.file_id.as_ref().and_then(|f| f.file_type) != Some(5) {
        return fail("not a workout file");
    }
    let Some(w) = decoded.workout else {
        return fail("no workout message");
    };
    Ok(WorkoutCheck { name: w.wkt_name, steps: decoded.workout_steps.len(), num_valid_steps: w.num_valid_steps })
}

/// A stable number from the step list (FNV-1a), so two different workouts written in the same second still
/// get different `file_id`s and the watch keeps both.
fn serial(steps: &[WatchStep]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for s in steps {
        for b in s.name.bytes().chain(s.notes.bytes()).chain(format!("{:?}", s.length).into_bytes()) {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    h
}
