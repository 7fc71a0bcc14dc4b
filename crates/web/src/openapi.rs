//! `/api/openapi.json`: the JSON API described as OpenAPI 3.1, written by hand.
//!
//! Hand-written rather than generated: the handlers reuse the domain types, which do not derive schema traits,
//! and a generator would add build time for little. The list below is the single source of the API's routes for
//! the document; tests check that every `/api/` route registered by a module is in it, and that every route in it
//! answers (no 404/405).

use crate::AppState;
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

/// One API operation: method, path (OpenAPI `{param}` syntax, as axum 0.8 uses), summary, request body schema.
pub struct Op {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub body: Option<&'static str>,
    pub query: &'static [(&'static str, &'static str)],
}

const fn op(method: &'static str, path: &'static str, summary: &'static str) -> Op {
    Op { method, path, summary, body: None, query: &[] }
}

const fn with_body(method: &'static str, path: &'static str, summary: &'static str, body: &'static str) -> Op {
    Op { method, path, summary, body: Some(body), query: &[] }
}

pub const OPS: &[Op] = &[
    op("get", "/api/session", "This session's CSRF token (send it back as X-CSRF-Token on every POST)"),
    op("get", "/api/state", "Where the program stands: screen state, profile, emergency number, next step"),
    op("get", "/api/screen/questions", "The red-flag questions and levels, most urgent first"),
    op("get", "/api/screen", "Screening history"),
    with_body("post", "/api/screen", "Take the red-flag screen", "ScreenAnswers"),
    op("post", "/api/screen/clinician-checked", "Confirm a clinician has checked the latest screen's flags"),
    op("get", "/api/assessment", "Assessment history"),
    with_body(
        "post",
        "/api/assessment",
        "Save an assessment (docs/answers.md) and the plan built from it",
        "Assessment",
    ),
    op("get", "/api/plan", "The current plan (built from the latest screen and assessment, stored when new)"),
    op("get", "/api/plan/history", "Every stored plan"),
    op("get", "/api/plan/for-run/{run}", "Before, during and after one run: easy, long, speed, race or trail"),
    op(
        "get",
        "/api/safety",
        "What the safety gate allows now: mode, level, runs, exercises, routines, experiments, relief with limits",
    ),
    op("get", "/api/sources", "Every source named in full, and what the evidence levels mean"),
    op("get", "/api/sessions/{routine}/timeline", "A routine as this runner does it, as timed segments"),
    with_body("post", "/api/sessions/{routine}/complete", "Record a completed guided session", "Completion"),
    with_body(
        "post",
        "/api/sessions/{routine}/progress",
        "Store the guided player's progress as the session's record; a finished session ticks the journal",
        "SessionProgress",
    ),
    op(
        "get",
        "/api/breaks",
        "Sitting breaks now (advances the browser's reminder scheduler): the open prompt or the next break, today",
    ),
    with_body("post", "/api/breaks/respond", "Answer the open break prompt: done, snooze or skip", "BreakAnswer"),
    with_body("post", "/api/breaks/pause", "Pause (do not disturb) or resume the break reminders", "BreakPause"),
    op("get", "/api/breathe", "Breathing patterns for a session on its own, with the safety gate's verdict for each"),
    op("get", "/api/breathe/timeline", "A breathing session (?pattern=box&minutes=5) as timed segments"),
    with_body(
        "post",
        "/api/breathe/sessions",
        "Record a breathing session from how far the pacer got (replayed by the same engine as the terminal)",
        "BreathingReport",
    ),
    op("get", "/api/exercises", "Every exercise with dose, cues, mistakes, stop-if, contraindications, sources"),
    op("get", "/api/exercises/{id}", "One exercise"),
    op("get", "/api/routines", "Every routine with its estimated seconds"),
    op("get", "/api/routines/{id}", "One routine"),
    op("get", "/api/lessons", "The breathing course"),
    op("get", "/api/lessons/{id}", "One lesson, by id or number"),
    op("get", "/api/lessons/progress", "Breathing-course progress: lessons done and the next one"),
    with_body("post", "/api/lessons/{id}/done", "Mark a lesson done (or not); returns the progress", "LessonDone"),
    op("get", "/api/relief", "Relief options with their limits, and cardio alternatives"),
    Op {
        query: &[("run", "easy, long, speed, race or trail"), ("minutes", "1–360"), ("pack", "on when a pack is worn")],
        ..op("get", "/api/run-mode", "The mid-run cue plan the run-mode page speaks")
    },
    Op {
        query: &[("area", "sitting, travel, pack, load, posture or care")],
        ..op("get", "/api/habits", "Habits with reasons and sources")
    },
    Op { query: &[("days", "how many days back (default 30)")], ..op("get", "/api/pain", "Pain reports") },
    op("post", "/api/pain/{id}/delete", "Delete one mistaken pain report"),
    with_body(
        "post",
        "/api/pain",
        "Log pain (auto-linked to the nearest run; chest is refused: take the screen)",
        "PainReport",
    ),
    Op { query: &[("date", "YYYY-MM-DD, default today")], ..op("get", "/api/day", "One day's log, or null") },
    with_body("post", "/api/day", "Save a day's log (replaces that date)", "DayLog"),
    Op {
        query: &[
            ("label", "easy, long, intervals, tempo, race or trail"),
            ("limit", "at most this many (default 200)"),
            ("before", "only runs that started before this Unix time in seconds (the next page)"),
        ],
        ..op("get", "/api/runs", "Runs, newest first")
    },
    op("get", "/api/runs/{id}", "One run with samples, laps and classification"),
    op("get", "/api/runs/{id}/context", "A run's context"),
    op("get", "/api/runs/{id}/comments", "A clinician's comments on the run, oldest first"),
    with_body("post", "/api/runs/{id}/context", "Save a run's context", "RunContext"),
    with_body(
        "post",
        "/api/runs/{id}/delete",
        "Delete an imported activity and its context; its pain reports stay, unlinked",
        "ConfirmDelete",
    ),
    Op {
        query: &[("format", "jsonl (default), runs-csv, pain-csv or days-csv")],
        ..op("get", "/api/journal/export", "The journal in the open formats of docs/journal-format.md")
    },
    with_body(
        "post",
        "/api/journal/import",
        "Import a journal, all or nothing (as `runtall journal import`); a bad line is a 422 naming line and field",
        "JournalUpload",
    ),
    Op {
        query: &[
            ("race", "race day, YYYY-MM-DD (without any parameter: an example race six weeks ahead, 3 h drive)"),
            ("mode", "drive (default) or flight"),
            ("hours", "hours each way: up to 16 driving, 30 flying"),
            ("long_run", "planned long-run dates, YYYY-MM-DD (repeat or comma-separate)"),
            ("depart", "your departure date, to check it"),
            ("return", "your return date, to check it"),
        ],
        ..op("get", "/api/travel", "A day-by-day race trip plan with warnings and sources (as `runtall travel --json`)")
    },
    op("get", "/api/profile", "Profile and emergency number"),
    with_body("post", "/api/profile", "Change name, country or units", "Profile"),
    with_body("post", "/api/delete-all", "Delete every record", "DeleteAll"),
    Op {
        query: &[("days", "how many days back (default 365)")],
        ..op(
            "get",
            "/api/settings/audit",
            "Your audit log: every view or change of your records by a clinician, newest first",
        )
    },
    op("get", "/api/reminders", "Sitting-break reminder settings (used by `runtall remind` without options)"),
    with_body("post", "/api/reminders", "Change reminder settings (only the fields given)", "Reminders"),
    with_body(
        "post",
        "/api/import",
        "Upload watch files or an export zip (multipart field `files`, up to 2 GB); starts an import job (202)",
        "Upload",
    ),
    op("get", "/api/import/jobs", "Recent import jobs, newest first"),
    op(
        "get",
        "/api/import/jobs/{id}",
        "One import job: progress (also within a large file), counts and the result of each file",
    ),
    op(
        "post",
        "/api/import/jobs/{id}/cancel",
        "Stop a running import job (202); runs stored so far are kept; 409 when it has already ended",
    ),
    Op {
        query: &[("weeks", "weeks on the chart, 4–104 (default 26)")],
        ..op("get", "/api/insights/weekly", "Distance, runs and average daily worst pain per week")
    },
    op("get", "/api/insights", "Which factors go with pain after runs: every estimate (as `runtall insights --json`)"),
    op("get", "/api/progress", "Pain against the baseline, the functional scale and routine adherence"),
    op("get", "/api/rescore", "The functional scale's activities with their last ratings, and when a re-score is due"),
    with_body(
        "post",
        "/api/rescore",
        "Re-score the functional scale (only the ratings change); returns the change against the first scoring",
        "Rescore",
    ),
    Op {
        query: &[("early", "1 to show the result before the minimum length, with a warning")],
        ..op("get", "/api/experiments", "The running self-experiment: next assignment, schedule and result")
    },
    with_body("post", "/api/experiments", "Start a self-experiment (one at a time)", "NewExperiment"),
    op("post", "/api/experiments/stop", "Stop the running experiment and get its final result"),
    op("get", "/api/experiments/history", "Stopped experiments, newest first, each with its final result"),
    op(
        "get",
        "/api/posture",
        "Every posture check, oldest first: a photo's landmarks and measures, or a video's summary",
    ),
    with_body(
        "post",
        "/api/posture",
        "Save a posture check from landmarks (docs/posture-format.md); 201 with the check",
        "PostureCheck",
    ),
    with_body(
        "post",
        "/api/posture/measure",
        "Measure landmarks without saving (the page's live preview); C7 is estimated when absent",
        "Landmarks",
    ),
    with_body(
        "post",
        "/api/posture/{id}/photo",
        "Keep the photo of a check (raw JPEG or PNG body, up to 20 MB) in a private folder beside the database",
        "Photo",
    ),
    op(
        "get",
        "/api/posture/report",
        "Posture over time: each photo kind's trend with its error, every run video's drift",
    ),
    op("get", "/api/posture/{id}", "One posture check"),
    op("post", "/api/posture/{id}/delete", "Delete a posture check and its kept photo"),
    Op {
        query: &[
            ("from", "start of the period, YYYY-MM-DD (default: the first assessment, or 12 weeks back)"),
            ("to", "end of the period, YYYY-MM-DD (default: today)"),
            ("initials", "any value: initials instead of the full name"),
            ("pain_notes", "any value: include the notes typed with pain reports"),
            ("note", "a note for the physical therapist, up to 1000 characters"),
        ],
        ..op("get", "/api/report", "The report for a physical therapist as data (as `runtall report --json`)")
    },
    op("get", "/api/openapi.json", "This document"),
];

fn schemas() -> Value {
    let flag = json!({ "type": "object", "additionalProperties": { "type": "boolean" } });
    json!({
        "Error": { "type": "object", "required": ["error", "message"], "properties": {
            "error": { "type": "string", "description": "bad-request, invalid, unauthorized, forbidden, not-found, conflict, busy, internal" },
            "message": { "type": "string" },
            "fields": { "type": "object", "additionalProperties": { "type": "string" }, "description": "messages by field, for 422" } } },
        "ScreenAnswers": { "oneOf": [
            { "type": "object", "required": ["answers"], "properties": { "answers": flag } },
            { "type": "object", "required": ["yes", "others"], "properties": {
                "yes": { "type": "array", "items": { "type": "string" } }, "others": { "const": "no" } } } ] },
        "Assessment": { "type": "object", "description": "Every field and range in docs/answers.md",
            "required": ["regions", "when", "exposures", "baseline_pain", "psfs"] },
        "BreakAnswer": { "type": "object", "required": ["prompt", "response"], "properties": {
            "prompt": { "type": "integer" }, "response": { "enum": ["done", "snooze", "skip"] } } },
        "BreakPause": { "type": "object", "required": ["on"], "properties": { "on": { "type": "boolean" } } },
        "BreathingReport": { "type": "object", "required": ["pattern", "minutes", "started_at", "position_s", "ended"], "properties": {
            "pattern": { "type": "string", "description": "long-exhale, box, diaphragmatic, 90-90 or rock-back" },
            "minutes": { "type": "integer", "minimum": 1, "maximum": 30 },
            "started_at": { "type": "string", "format": "date-time" },
            "position_s": { "type": "number", "description": "seconds of the session's timeline played" },
            "ended": { "enum": ["in-progress", "quit", "finished"] } } },
        "Completion": { "type": "object", "properties": { "run": { "type": ["integer", "null"], "description": "run id for pre/post-run routines" } } },
        "PainReport": { "type": "object", "required": ["timing", "region", "intensity"], "properties": {
            "at": { "type": "string", "format": "date-time", "description": "default now" },
            "timing": { "enum": runtall_domain::journal::PainTiming::ALL.map(|t| t.id()) },
            "region": { "enum": runtall_domain::assess::Region::LOGGABLE.map(|r| r.id()) },
            "intensity": { "type": "number", "minimum": 0, "maximum": 10 },
            "run_id": { "type": ["integer", "null"] },
            "notes": { "type": ["string", "null"], "maxLength": 500 } } },
        "DayLog": { "type": "object", "required": ["date"], "description": "docs/journal-format.md, `day`" },
        "RunContext": { "type": "object", "properties": {
            "pack": { "type": ["boolean", "null"] },
            "surface": { "enum": ["road", "concrete", "track", "treadmill", "trail", "grass", null] },
            "ate_within_2h": { "type": ["boolean", "null"] },
            "pre_run_done": { "type": ["boolean", "null"] },
            "post_run_done": { "type": ["boolean", "null"] } } },
        "Profile": { "type": "object", "properties": {
            "name": { "type": "string", "maxLength": 80 }, "country": { "type": "string", "description": "two letters; empty clears" },
            "units": { "enum": ["km", "mi"] } } },
        "ConfirmDelete": { "type": "object", "required": ["confirm"], "properties": { "confirm": { "const": true } } },
        "DeleteAll": { "type": "object", "required": ["confirm"], "properties": { "confirm": { "const": true } } },
        "SessionProgress": { "type": "object", "required": ["started_at", "ended", "position_s"], "properties": {
            "started_at": { "type": "string", "format": "date-time", "description": "when Start was pressed; the session's key" },
            "ended": { "enum": ["in-progress", "quit", "finished"] },
            "position_s": { "type": "number", "description": "timeline seconds played up to now" },
            "skips": { "type": "array", "items": { "type": "number" }, "description": "timeline seconds where each skip was pressed" },
            "elapsed_s": { "type": "integer" }, "paused_s": { "type": "integer" },
            "speed": { "type": "number", "minimum": 0.1, "maximum": 500 },
            "run": { "type": ["integer", "null"], "description": "run id for pre/post-run routines" } } },
        "Upload": { "type": "object", "required": ["files"], "properties": {
            "files": { "type": "array", "items": { "type": "string", "format": "binary" },
                       "description": "FIT, GPX or TCX files (plain or .gz) or Strava/Garmin export zips" } } },
        "JournalUpload": { "type": "object", "required": ["journal"], "properties": {
            "journal": { "type": "array", "items": { "type": "string", "format": "binary" },
                         "description": "one .jsonl file, or any of runs.csv, pain.csv, days.csv (docs/journal-format.md); up to 32 MB. A raw JSON Lines body (any other content type) works too" } } },
        "NewExperiment": { "type": "object", "required": ["factor"], "properties": {
            "factor": { "enum": ["pack", "pre-run-breathing", "foam-roller", "surface", "eating-before"] },
            "unit": { "enum": ["runs", "days"], "description": "default: runs (days for the foam roller)" },
            "block_length": { "type": "integer", "minimum": 1, "maximum": 14 },
            "min_units": { "type": "integer", "description": "runs or days before the verdict; 2 to 12 pairs of blocks" },
            "washout": { "type": "integer", "minimum": 0, "description": "less than the block length" },
            "seed": { "type": "integer", "description": "block order seed (random by default)" } } },
        "LessonDone": { "type": "object", "properties": { "done": { "type": "boolean", "default": true } } },
        "Rescore": { "type": "object", "required": ["ratings"], "properties": {
            "ratings": { "type": "array", "items": { "type": "number", "minimum": 0, "maximum": 10 },
                         "description": "one per activity, in the order of GET /api/rescore" } } },
        "Landmarks": { "type": "object", "description": "A landmark file, docs/posture-format.md: `points` (a side photo: tragus, c7?, shoulder, hip, knee?, ankle?, nose? in image pixels) or `frames` (a run video)" },
        "PostureCheck": { "type": "object", "required": ["landmarks"], "properties": {
            "landmarks": { "$ref": "#/components/schemas/Landmarks" },
            "kind": { "enum": ["standing", "stacked", "desk", "run-video"], "description": "default: the file's, else standing (photo) or run-video (frames)" },
            "taken_on": { "type": "string", "format": "date", "description": "default today; not after today" } } },
        "Photo": { "type": "string", "format": "binary", "description": "image/jpeg or image/png bytes" },
        "Reminders": { "type": "object", "properties": {
            "enabled": { "type": "boolean" },
            "walk_every_min": { "type": "integer", "minimum": 5, "maximum": 240 },
            "shift_every_min": { "type": "integer", "description": "0 (off) or 5–120" },
            "max_skips_per_day": { "type": "integer", "minimum": 0, "maximum": 20 },
            "any_time": { "type": "boolean", "description": "true ignores working hours" },
            "start": { "type": "string", "description": "HH:MM" }, "end": { "type": "string", "description": "HH:MM, after start" },
            "days": { "type": "array", "items": { "enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] } } } }
    })
}

/// Path parameters of an OpenAPI path (`{name}` segments).
fn path_params(path: &str) -> Vec<&str> {
    path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect()
}

pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for o in OPS {
        let mut params: Vec<Value> = path_params(o.path)
            .into_iter()
            .map(|p| json!({ "name": p, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        params.extend(o.query.iter().map(|(n, d)| json!({ "name": n, "in": "query", "required": false, "description": d, "schema": { "type": "string" } })));
        let err = json!({ "description": "error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
        let mut operation = json!({
            "summary": o.summary,
            "parameters": params,
            "responses": { "200": { "description": "ok" }, "4XX": err.clone(), "5XX": err },
        });
        if o.method == "post"
            && let Some(params) = operation["parameters"].as_array_mut()
        {
            params.push(
                json!({ "name": "X-CSRF-Token", "in": "header", "required": true, "schema": { "type": "string" } }),
            );
        }
        if let Some(schema) = o.body {
            let media = if schema.ends_with("Upload") { "multipart/form-data" } else { "application/json" };
            operation["requestBody"] = json!({ "required": true, "content": { media: { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } });
        }
        let entry = paths.entry(o.path.to_string()).or_insert_with(|| json!({}));
        entry[o.method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "runtall API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Everything the runtall web pages do. State-changing calls need the session cookie and the X-CSRF-Token header (GET /api/session). When the server has a password, sign in at /login first."
        },
        "paths": paths,
        "components": { "schemas": schemas() }
    })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(openapi))
}

async fn openapi() -> Response {
    crate::routes::json(document())
}
