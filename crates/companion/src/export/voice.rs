//! Voice-cue files for runners without a compatible watch:
//! - `ics`: one calendar event with an alarm per cue, at the run's start time plus the cue's offset, so a phone's
//!   calendar shows (and reads out, with the accessibility setting) each cue on time;
//! - `json`: the cues with offsets and absolute times, for a web page or a script;
//! - `ssml`: one `<speak>` document with the spoken cues separated by `<break>`s of the right length, so a TTS
//!   engine can render the whole run as one audio track to play from the start.

use super::ExportError;
use crate::cues::{RunPlan, TimedCue, fmt_time};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VoiceFormat {
    Ics,
    Json,
    Ssml,
}

impl std::str::FromStr for VoiceFormat {
    type Err = ExportError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ics" | "ical" | "icalendar" => Ok(VoiceFormat::Ics),
            "json" => Ok(VoiceFormat::Json),
            "ssml" => Ok(VoiceFormat::Ssml),
            other => Err(ExportError::UnknownFormat(other.to_string())),
        }
    }
}

impl VoiceFormat {
    /// File extension for `-o` defaults.
    pub fn extension(self) -> &'static str {
        match self {
            VoiceFormat::Ics => "ics",
            VoiceFormat::Json => "json",
            VoiceFormat::Ssml => "ssml",
        }
    }
}

// --- iCalendar ---------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct IcsOptions {
    /// When the run starts; every cue is placed relative to it.
    pub start: jiff::Timestamp,
    /// `DTSTAMP` (when the file was made). Defaults to `start` so the output is reproducible.
    pub stamp: Option<jiff::Timestamp>,
    /// Minutes each cue event lasts in the calendar view.
    pub event_minutes: u32,
}

impl IcsOptions {
    pub fn new(start: jiff::Timestamp) -> IcsOptions {
        IcsOptions { start, stamp: None, event_minutes: 1 }
    }
}

/// RFC 5545 TEXT escaping: backslash, semicolon, comma and newlines.
fn ics_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character, with CRLF endings.
fn ics_line(out: &mut String, line: &str) {
    let mut rest = line;
    let mut first = true;
    while !rest.is_empty() {
        let limit = if first { 75 } else { 74 };
        let mut end = rest.len().min(limit);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        if !first {
            out.push(' ');
        }
        out.push_str(&rest[..end]);
        out.push_str("\r\n");
        rest = &rest[end..];
        first = false;
    }
}

fn ics_time(t: jiff::Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

fn cue_time(start: jiff::Timestamp, c: &TimedCue) -> Result<jiff::Timestamp, ExportError> {
    start.checked_add(jiff::SignedDuration::from_secs(i64::from(c.at_s))).map_err(|_| ExportError::OutOfRange {
        what: "a start time",
        value: start.to_string(),
        range: "a date a run can start on".into(),
    })
}

/// One `VEVENT` with a `VALARM` per cue.
pub fn to_ics(plan: &RunPlan, options: &IcsOptions) -> Result<String, ExportError> {
    if plan.cues.is_empty() {
        return Err(ExportError::Empty);
    }
    if !(1..=60).contains(&options.event_minutes) {
        return Err(ExportError::OutOfRange {
            what: "an event length",
            value: format!("{} min", options.event_minutes),
            range: "1–60 min".into(),
        });
    }
    let stamp = ics_time(options.stamp.unwrap_or(options.start));
    let start_id = ics_time(options.start);
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//runtall//run companion//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        ics_line(&mut out, l);
    }
    ics_line(
        &mut out,
        &format!(
            "X-WR-CALNAME:{}",
            ics_escape(&format!("runtall cues: {} run, {}", plan.run_type.as_str(), plan.spec.label()))
        ),
    );
    for (i, c) in plan.cues.iter().enumerate() {
        let at = cue_time(options.start, c)?;
        ics_line(&mut out, "BEGIN:VEVENT");
        ics_line(&mut out, &format!("UID:{start_id}-{i:03}-{}@runtall", c.id));
        ics_line(&mut out, &format!("DTSTAMP:{stamp}"));
        ics_line(&mut out, &format!("DTSTART:{}", ics_time(at)));
        ics_line(&mut out, &format!("DURATION:PT{}M", options.event_minutes));
        ics_line(&mut out, &format!("SUMMARY:{}", ics_escape(&c.watch)));
        let approx = if c.approximate { " (time approximate)" } else { "" };
        ics_line(
            &mut out,
            &format!("DESCRIPTION:{}", ics_escape(&format!("{} — {}{approx}", fmt_time(c.at_s), c.text))),
        );
        ics_line(&mut out, "TRANSP:TRANSPARENT");
        ics_line(&mut out, "BEGIN:VALARM");
        ics_line(&mut out, "ACTION:DISPLAY");
        ics_line(&mut out, "TRIGGER;RELATED=START:PT0S");
        ics_line(&mut out, &format!("DESCRIPTION:{}", ics_escape(&c.spoken)));
        ics_line(&mut out, "END:VALARM");
        ics_line(&mut out, "END:VEVENT");
    }
    ics_line(&mut out, "END:VCALENDAR");
    Ok(out)
}

// --- JSON --------------------------------------------------------------------------------------------------------

/// A cue with its clock time; `at_s` and the rest come from the flattened cue (written once).
#[derive(Serialize)]
struct JsonCue<'a> {
    clock: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    at: Option<jiff::Timestamp>,
    #[serde(flatten)]
    cue: &'a TimedCue,
}

#[derive(Serialize)]
struct JsonCues<'a> {
    run_type: runtall_content::RunType,
    spec: &'a crate::cues::Spec,
    total_s: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<jiff::Timestamp>,
    cues: Vec<JsonCue<'a>>,
    notes: &'a [String],
}

/// The cues as JSON, with absolute times when a start is given.
pub fn to_json(plan: &RunPlan, start: Option<jiff::Timestamp>) -> Result<String, ExportError> {
    let mut cues = Vec::with_capacity(plan.cues.len());
    for c in &plan.cues {
        let at = match start {
            Some(s) => Some(cue_time(s, c)?),
            None => None,
        };
        cues.push(JsonCue { clock: fmt_time(c.at_s), at, cue: c });
    }
    let doc =
        JsonCues { run_type: plan.run_type, spec: &plan.spec, total_s: plan.total_s, start, cues, notes: &plan.notes };
    serde_json::to_string_pretty(&doc).map_err(|e| ExportError::Json(e.to_string()))
}

// --- SSML --------------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct SsmlOptions {
    /// `xml:lang` of the document.
    pub lang: String,
    /// Longest single `<break>`; longer silences are written as several. Several engines cap one break at 10 s.
    pub max_break_s: u32,
    /// Speaking rate used to subtract each cue's own length from the silence after it.
    pub words_per_minute: u32,
}

impl Default for SsmlOptions {
    fn default() -> Self {
        SsmlOptions { lang: "en".into(), max_break_s: 10, words_per_minute: 150 }
    }
}

/// XML escaping for text and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab and newline are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

fn push_breaks(out: &mut String, mut seconds: u32, max: u32) {
    while seconds > 0 {
        let s = seconds.min(max);
        out.push_str(&format!("  <break time=\"{s}s\"/>\n"));
        seconds -= s;
    }
}

/// A `<speak>` document for the whole run: silence until each cue, then the cue.
pub fn to_ssml(plan: &RunPlan, options: &SsmlOptions) -> Result<String, ExportError> {
    if plan.cues.is_empty() {
        return Err(ExportError::Empty);
    }
    if !(1..=600).contains(&options.max_break_s) {
        return Err(ExportError::OutOfRange {
            what: "a longest break",
            value: format!("{} s", options.max_break_s),
            range: "1–600 s".into(),
        });
    }
    if !(60..=400).contains(&options.words_per_minute) {
        return Err(ExportError::OutOfRange {
            what: "a speaking rate",
            value: format!("{} words per minute", options.words_per_minute),
            range: "60–400".into(),
        });
    }
    let lang_ok = !options.lang.is_empty() && options.lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !lang_ok {
        return Err(ExportError::OutOfRange {
            what: "a language tag",
            value: format!("'{}'", options.lang),
            range: "a BCP 47 tag such as en or en-GB".into(),
        });
    }
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<speak version=\"1.1\" xmlns=\"http://www.w3.org/2001/10/synthesis\" xml:lang=\"{}\">\n",
        xml_escape(&options.lang)
    ));
    // Time already taken by speech, so silences keep the cues on schedule.
    let mut now_s = 0u32;
    for (i, c) in plan.cues.iter().enumerate() {
        if c.at_s > now_s {
            push_breaks(&mut out, c.at_s - now_s, options.max_break_s);
            now_s = c.at_s;
        }
        out.push_str(&format!("  <mark name=\"cue-{i}-{}\"/>\n", xml_escape(&c.id)));
        out.push_str(&format!("  <s>{}</s>\n", xml_escape(&c.spoken)));
        let words = c.spoken.split_whitespace().count() as u32;
        now_s += (words * 60).div_ceil(options.words_per_minute);
    }
    out.push_str("</speak>\n");
    Ok(out)
}
