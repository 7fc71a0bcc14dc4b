//! Open journal formats: JSON Lines (one file) and CSV (three files), documented in `docs/journal-format.md`.
//!
//! The runner owns the data: `runtall journal export` writes everything the insights use, and
//! `runtall journal import` reads it back losslessly (export → import into an empty database → export gives the
//! same text). Runs are identified by a stable `key` (the content hash of the watch file, or any unique string for
//! hand-written journals), so pain reports and run context can refer to them across databases.
//! Parsing validates every line before anything is stored; an error names the line and the field.

use crate::activity::Sport;
use crate::assess::{DayHours, Region, Score, Surface};
use crate::classify::RunLabel;
use crate::error::InputError;
use crate::journal::{DayLog, PainReport, PainTiming, ReliefUse};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A run as the journal knows it: summary and context, no sample stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalRun {
    pub key: String,
    pub start: Timestamp,
    pub sport: Sport,
    #[serde(default)]
    pub label: Option<RunLabel>,
    pub distance_m: f64,
    pub moving_s: f64,
    pub elapsed_s: f64,
    #[serde(default)]
    pub name: Option<String>,
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

/// A pain report referring to its run by key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalPain {
    pub at: Timestamp,
    pub timing: PainTiming,
    pub region: Region,
    pub intensity: Score,
    #[serde(default)]
    pub run: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Journal {
    pub runs: Vec<JournalRun>,
    pub pain: Vec<JournalPain>,
    pub days: Vec<DayLog>,
}

/// One JSON Lines record.
#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
enum Line {
    Run(JournalRun),
    Pain(JournalPain),
    Day(DayLog),
}

/// One JSON Lines record, with the field named in any error: the line is read as JSON first (a syntax error gives
/// its column), then as the record its `type` says, tracking the path so "intensity: 12 is out of range" names
/// `intensity` rather than the whole record.
fn parse_line(text: &str) -> Result<Line, (String, String)> {
    let mut value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ("record".to_string(), format!("{e} (column {})", e.column())))?;
    let kind = match value.as_object_mut().map(|m| m.remove("type")) {
        None => return Err(("record".into(), "expected a JSON object".into())),
        Some(None) => return Err(("type".into(), "missing (run, pain or day)".into())),
        Some(Some(serde_json::Value::String(k))) => k,
        Some(Some(other)) => return Err(("type".into(), format!("{other} is not run, pain or day"))),
    };
    fn typed<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, (String, String)> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let msg = e.into_inner().to_string();
            // At the top level serde names the field in its message ("unknown field `x`", "missing field `y`").
            let field = if path.is_empty() || path == "." {
                msg.split('`').nth(1).unwrap_or("record").to_string()
            } else {
                path
            };
            (field, msg)
        })
    }
    match kind.as_str() {
        "run" => typed(value).map(Line::Run),
        "pain" => typed(value).map(Line::Pain),
        "day" => typed(value).map(Line::Day),
        other => Err(("type".into(), format!("'{other}' is not run, pain or day"))),
    }
}

/// A line of a journal file that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}: line {line}: {field}: {message}")]
pub struct LineError {
    pub file: String,
    pub line: usize,
    pub field: String,
    pub message: String,
}

fn line_err(file: &str, line: usize, field: &str, message: impl Into<String>) -> LineError {
    LineError { file: file.to_string(), line, field: field.to_string(), message: message.into() }
}

impl Journal {
    /// Checks the journal as a whole: values in range, unique run keys, pain referring to known runs, nothing in
    /// the future, no chest pain (that belongs to the red-flag screen). `lines` gives each record's line number.
    fn check(&self, file: &str, now: Timestamp, lines: &Lines) -> Result<(), LineError> {
        let mut keys = std::collections::HashSet::new();
        for (i, r) in self.runs.iter().enumerate() {
            let line = lines.runs.get(i).copied().unwrap_or(0);
            if r.key.trim().is_empty() || r.key.len() > 128 {
                return Err(line_err(file, line, "key", "must be 1–128 characters"));
            }
            if !keys.insert(r.key.as_str()) {
                return Err(line_err(file, line, "key", format!("'{}' appears twice", r.key)));
            }
            for (field, v, max) in [
                ("distance_m", r.distance_m, 500_000.0),
                ("moving_s", r.moving_s, 172_800.0),
                ("elapsed_s", r.elapsed_s, 172_800.0),
            ] {
                if !v.is_finite() || !(0.0..=max).contains(&v) {
                    return Err(line_err(file, line, field, format!("{v} is out of range (allowed 0–{max})")));
                }
            }
            if r.moving_s > r.elapsed_s + 1.0 {
                return Err(line_err(file, line, "moving_s", "longer than elapsed_s"));
            }
            if r.start.as_second() > now.as_second() + 86_400 || r.start.as_second() < 315_532_800 {
                return Err(line_err(file, line, "start", format!("{} is not a plausible run start", r.start)));
            }
        }
        for (i, p) in self.pain.iter().enumerate() {
            let line = lines.pain.get(i).copied().unwrap_or(0);
            let report = PainReport {
                id: None,
                at: p.at,
                timing: p.timing,
                region: p.region,
                intensity: p.intensity,
                run_id: None,
                notes: p.notes.clone(),
            };
            report.check(now).map_err(|e| line_err(file, line, &e.field, e.message))?;
            if let Some(k) = &p.run
                && !keys.contains(k.as_str())
            {
                return Err(line_err(file, line, "run", format!("no run with key '{k}' in this journal")));
            }
        }
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date().tomorrow().unwrap_or(Date::MAX);
        let mut dates = std::collections::HashSet::new();
        for (i, d) in self.days.iter().enumerate() {
            let line = lines.days.get(i).copied().unwrap_or(0);
            d.check(today).map_err(|e| line_err(file, line, &e.field, e.message))?;
            if !dates.insert(d.date) {
                return Err(line_err(file, line, "date", format!("{} appears twice", d.date)));
            }
        }
        Ok(())
    }
}

/// Line numbers of each record, for error messages from whole-journal checks.
#[derive(Default)]
struct Lines {
    runs: Vec<usize>,
    pain: Vec<usize>,
    days: Vec<usize>,
}

/// Writes JSON Lines: runs first (oldest first), then pain reports, then days.
pub fn to_jsonl(j: &Journal) -> String {
    let mut out = String::new();
    let mut push = |line: Line| {
        if let Ok(text) = serde_json::to_string(&line) {
            out.push_str(&text);
            out.push('\n');
        }
    };
    for r in &j.runs {
        push(Line::Run(r.clone()));
    }
    for p in &j.pain {
        push(Line::Pain(p.clone()));
    }
    for d in &j.days {
        push(Line::Day(d.clone()));
    }
    out
}

/// Reads JSON Lines. Blank lines and lines starting with `#` are skipped.
pub fn from_jsonl(file: &str, text: &str, now: Timestamp) -> Result<Journal, LineError> {
    let mut j = Journal::default();
    let mut lines = Lines::default();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let record = parse_line(trimmed).map_err(|(field, msg)| line_err(file, n, &field, msg))?;
        match record {
            Line::Run(r) => {
                j.runs.push(r);
                lines.runs.push(n);
            }
            Line::Pain(p) => {
                j.pain.push(p);
                lines.pain.push(n);
            }
            Line::Day(d) => {
                j.days.push(d);
                lines.days.push(n);
            }
        }
    }
    j.check(file, now, &lines)?;
    Ok(j)
}

// ------------------------------------------------------------------------------------------------------ CSV

const RUN_HEADER: &[&str] = &[
    "key",
    "start",
    "sport",
    "label",
    "distance_m",
    "moving_s",
    "elapsed_s",
    "name",
    "pack",
    "surface",
    "ate_within_2h",
    "pre_run_done",
    "post_run_done",
];
const PAIN_HEADER: &[&str] = &["at", "timing", "region", "intensity", "run", "notes"];
const DAY_HEADER: &[&str] = &[
    "date",
    "sitting_h",
    "longest_sitting_h",
    "car_h",
    "sleep_h",
    "stress",
    "strength_done",
    "mobility_done",
    "relief",
    "magnesium_mg",
];

fn enum_id<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|j| j.as_str().map(str::to_string)).unwrap_or_default()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn csv_text(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(&r);
    }
    w.into_inner().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
}

/// The three CSV files: (runs.csv, pain.csv, days.csv).
pub fn to_csv(j: &Journal) -> (String, String, String) {
    let runs = j
        .runs
        .iter()
        .map(|r| {
            vec![
                r.key.clone(),
                r.start.to_string(),
                enum_id(&r.sport),
                r.label.map(|l| enum_id(&l)).unwrap_or_default(),
                r.distance_m.to_string(),
                r.moving_s.to_string(),
                r.elapsed_s.to_string(),
                r.name.clone().unwrap_or_default(),
                opt(r.pack),
                r.surface.map(|s| s.id().to_string()).unwrap_or_default(),
                opt(r.ate_within_2h),
                opt(r.pre_run_done),
                opt(r.post_run_done),
            ]
        })
        .collect();
    let pain = j
        .pain
        .iter()
        .map(|p| {
            vec![
                p.at.to_string(),
                p.timing.id().to_string(),
                p.region.id().to_string(),
                p.intensity.get().to_string(),
                p.run.clone().unwrap_or_default(),
                p.notes.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let days = j
        .days
        .iter()
        .map(|d| {
            vec![
                d.date.to_string(),
                opt(d.sitting_h.map(|h| h.get())),
                opt(d.longest_sitting_h.map(|h| h.get())),
                opt(d.car_h.map(|h| h.get())),
                opt(d.sleep_h.map(|h| h.get())),
                opt(d.stress.map(|s| s.get())),
                d.strength_done.to_string(),
                d.mobility_done.to_string(),
                d.relief.iter().map(enum_id).collect::<Vec<_>>().join(";"),
                opt(d.magnesium_mg),
            ]
        })
        .collect();
    (csv_text(RUN_HEADER, runs), csv_text(PAIN_HEADER, pain), csv_text(DAY_HEADER, days))
}

/// One CSV record: its file line and (column, value) pairs.
type CsvRecord = (usize, Vec<(String, String)>);

/// Reads one CSV file into records of field → value, checking the header. Line numbers are 1-based file lines.
fn read_csv(file: &str, text: &str, header: &[&str]) -> Result<Vec<CsvRecord>, LineError> {
    let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let got: Vec<String> =
        r.headers().map_err(|e| line_err(file, 1, "header", e.to_string()))?.iter().map(str::to_string).collect();
    for h in &got {
        if !header.contains(&h.as_str()) {
            return Err(line_err(file, 1, h, format!("unknown column (expected: {})", header.join(", "))));
        }
    }
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
            line_err(file, line, "record", e.to_string())
        })?;
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        out.push((line, got.iter().cloned().zip(rec.iter().map(str::to_string)).collect()));
    }
    Ok(out)
}

struct Row<'a> {
    file: &'a str,
    line: usize,
    fields: Vec<(String, String)>,
}

impl Row<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }

    fn err(&self, field: &str, msg: impl Into<String>) -> LineError {
        line_err(self.file, self.line, field, msg)
    }

    fn req(&self, name: &str) -> Result<&str, LineError> {
        self.get(name).ok_or_else(|| self.err(name, "missing"))
    }

    fn parse<T: std::str::FromStr>(&self, name: &str, what: &str) -> Result<Option<T>, LineError> {
        self.get(name).map(|v| v.parse::<T>().map_err(|_| self.err(name, format!("'{v}' is not {what}")))).transpose()
    }

    /// Parses an enum by its serde (kebab-case) name.
    fn enum_<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<Option<T>, LineError> {
        self.get(name)
            .map(|v| {
                serde_json::from_value(serde_json::Value::String(v.to_string()))
                    .map_err(|_| self.err(name, format!("'{v}' is not a known value")))
            })
            .transpose()
    }

    fn bounded<T>(&self, name: &str, make: fn(f64) -> Result<T, InputError>) -> Result<Option<T>, LineError> {
        self.parse::<f64>(name, "a number")?.map(|v| make(v).map_err(|e| self.err(name, e.message))).transpose()
    }
}

/// Reads the three CSV files (any may be empty text).
pub fn from_csv(
    runs: (&str, &str),
    pain: (&str, &str),
    days: (&str, &str),
    now: Timestamp,
) -> Result<Journal, LineError> {
    let mut j = Journal::default();
    let mut lines = Lines::default();
    for (line, fields) in read_csv(runs.0, runs.1, RUN_HEADER)? {
        let row = Row { file: runs.0, line, fields };
        j.runs.push(JournalRun {
            key: row.req("key")?.to_string(),
            start: row.parse("start", "a timestamp")?.ok_or_else(|| row.err("start", "missing"))?,
            sport: row.enum_("sport")?.ok_or_else(|| row.err("sport", "missing"))?,
            label: row.enum_("label")?,
            distance_m: row.parse("distance_m", "a number")?.ok_or_else(|| row.err("distance_m", "missing"))?,
            moving_s: row.parse("moving_s", "a number")?.ok_or_else(|| row.err("moving_s", "missing"))?,
            elapsed_s: row.parse("elapsed_s", "a number")?.ok_or_else(|| row.err("elapsed_s", "missing"))?,
            name: row.get("name").map(str::to_string),
            pack: row.parse("pack", "true or false")?,
            surface: row.enum_("surface")?,
            ate_within_2h: row.parse("ate_within_2h", "true or false")?,
            pre_run_done: row.parse("pre_run_done", "true or false")?,
            post_run_done: row.parse("post_run_done", "true or false")?,
        });
        lines.runs.push(line);
    }
    for (line, fields) in read_csv(pain.0, pain.1, PAIN_HEADER)? {
        let row = Row { file: pain.0, line, fields };
        j.pain.push(JournalPain {
            at: row.parse("at", "a timestamp")?.ok_or_else(|| row.err("at", "missing"))?,
            timing: row.enum_("timing")?.ok_or_else(|| row.err("timing", "missing"))?,
            region: row.enum_("region")?.ok_or_else(|| row.err("region", "missing"))?,
            intensity: row.bounded("intensity", Score::new)?.ok_or_else(|| row.err("intensity", "missing"))?,
            run: row.get("run").map(str::to_string),
            notes: row.get("notes").map(str::to_string),
        });
        lines.pain.push(line);
    }
    for (line, fields) in read_csv(days.0, days.1, DAY_HEADER)? {
        let row = Row { file: days.0, line, fields };
        let relief = row
            .get("relief")
            .map(|v| {
                v.split(';')
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| {
                        serde_json::from_value::<ReliefUse>(serde_json::Value::String(s.trim().to_string())).map_err(
                            |_| row.err("relief", format!("'{s}' is not heat, ice, topical, magnesium or tape")),
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        j.days.push(DayLog {
            date: row.parse("date", "a date")?.ok_or_else(|| row.err("date", "missing"))?,
            sitting_h: row.bounded("sitting_h", DayHours::new)?,
            longest_sitting_h: row.bounded("longest_sitting_h", DayHours::new)?,
            car_h: row.bounded("car_h", DayHours::new)?,
            sleep_h: row.bounded("sleep_h", DayHours::new)?,
            stress: row.bounded("stress", Score::new)?,
            strength_done: row.parse("strength_done", "true or false")?.unwrap_or(false),
            mobility_done: row.parse("mobility_done", "true or false")?.unwrap_or(false),
            relief,
            magnesium_mg: row.parse("magnesium_mg", "a whole number of mg")?,
        });
        lines.days.push(line);
    }
    j.check("journal", now, &lines)?;
    Ok(j)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-11-22T12:00:00Z".parse().expect("ts")
    }

    fn sample() -> Journal {
        Journal {
            runs: vec![JournalRun {
                key: "abc123".into(),
                start: "2026-11-20T07:00:00Z".parse().expect("ts"),
                sport: Sport::Running,
                label: Some(RunLabel::Long),
                distance_m: 21_097.5,
                moving_s: 6_900.0,
                elapsed_s: 7_000.0,
                name: Some("Sunday long, with \"vest\", hilly".into()),
                pack: Some(true),
                surface: Some(Surface::Trail),
                ate_within_2h: Some(false),
                pre_run_done: Some(true),
                post_run_done: None,
            }],
            pain: vec![JournalPain {
                at: "2026-11-20T10:00:00Z".parse().expect("ts"),
                timing: PainTiming::RightAfter,
                region: Region::Neck,
                intensity: Score::new(4.5).expect("score"),
                run: Some("abc123".into()),
                notes: Some("tight, then eased\nnext line".into()),
            }],
            days: vec![DayLog {
                date: "2026-11-20".parse().expect("date"),
                sitting_h: Some(DayHours::new(9.0).expect("h")),
                longest_sitting_h: Some(DayHours::new(2.5).expect("h")),
                car_h: None,
                sleep_h: Some(DayHours::new(7.0).expect("h")),
                stress: Some(Score::new(3.0).expect("s")),
                strength_done: true,
                mobility_done: false,
                relief: vec![ReliefUse::Heat, ReliefUse::Magnesium],
                magnesium_mg: Some(200),
            }],
        }
    }

    #[test]
    fn jsonl_round_trips_losslessly() {
        let text = to_jsonl(&sample());
        let back = from_jsonl("j.jsonl", &text, now()).expect("parse");
        assert_eq!(back, sample());
        assert_eq!(to_jsonl(&back), text);
    }

    #[test]
    fn csv_round_trips_losslessly() {
        let (r, p, d) = to_csv(&sample());
        let back = from_csv(("runs.csv", &r), ("pain.csv", &p), ("days.csv", &d), now()).expect("parse");
        assert_eq!(back, sample());
        assert_eq!(to_csv(&back), (r, p, d));
    }

    #[test]
    fn bad_lines_name_the_line_and_field() {
        let text = to_jsonl(&sample());
        let broken = text.replacen("\"intensity\":4.5", "\"intensity\":11", 1);
        let err = from_jsonl("j.jsonl", &broken, now()).expect_err("pain 11");
        assert_eq!((err.line, err.field.as_str()), (2, "intensity"), "{err}");
        assert!(err.message.contains("0–10"), "{err}");
        let broken = text.replacen("\"region\":\"neck\"", "\"region\":\"knee\"", 1);
        let err = from_jsonl("j.jsonl", &broken, now()).expect_err("region");
        assert_eq!((err.line, err.field.as_str()), (2, "region"), "{err}");
        let broken = text.replacen("\"type\":\"pain\"", "\"type\":\"ache\"", 1);
        let err = from_jsonl("j.jsonl", &broken, now()).expect_err("type");
        assert_eq!((err.line, err.field.as_str()), (2, "type"), "{err}");
        let broken = text.replacen("\"timing\":\"right-after\",", "", 1);
        let err = from_jsonl("j.jsonl", &broken, now()).expect_err("missing");
        assert_eq!((err.line, err.field.as_str()), (2, "timing"), "{err}");
        let broken = format!("{text}{{\"type\":\"pain\",\"at\":\n");
        let err = from_jsonl("j.jsonl", &broken, now()).expect_err("broken line");
        assert_eq!(err.line, 4);
        let future = text.replacen("2026-11-20T10:00:00Z", "2027-01-01T10:00:00Z", 1);
        let err = from_jsonl("j.jsonl", &future, now()).expect_err("future");
        assert_eq!((err.line, err.field.as_str()), (2, "at"));
        let dangling = text.replacen("\"run\":\"abc123\"", "\"run\":\"zzz\"", 1);
        assert_eq!(from_jsonl("j.jsonl", &dangling, now()).expect_err("unknown run").field, "run");
        let (r, p, d) = to_csv(&sample());
        let bad = p.replace("right-after", "sometime");
        let err = from_csv(("runs.csv", &r), ("pain.csv", &bad), ("days.csv", &d), now()).expect_err("timing");
        assert_eq!((err.file.as_str(), err.line, err.field.as_str()), ("pain.csv", 2, "timing"));
        let bad = d.replace(",9,", ",-2,");
        let err = from_csv(("runs.csv", &r), ("pain.csv", &p), ("days.csv", &bad), now()).expect_err("negative");
        assert_eq!(err.field, "sitting_h");
        assert!(err.message.contains("0–24"));
    }
}
