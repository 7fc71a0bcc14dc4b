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
    op("get", "/api/sessions/{routine}/timeline", "A routine as this runner does it, as timed segments"),
    with_body("post", "/api/sessions/{routine}/complete", "Record a completed guided session", "Completion"),
    op("get", "/api/exercises", "Every exercise with dose, cues, mistakes, stop-if, contraindications, sources"),
    op("get", "/api/exercises/{id}", "One exercise"),
    op("get", "/api/routines", "Every routine with its estimated seconds"),
    op("get", "/api/routines/{id}", "One routine"),
    op("get", "/api/lessons", "The breathing course"),
    op("get", "/api/lessons/{id}", "One lesson, by id or number"),
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
        ],
        ..op("get", "/api/runs", "Runs, newest first")
    },
    op("get", "/api/runs/{id}", "One run with samples, laps and classification"),
    op("get", "/api/runs/{id}/context", "A run's context"),
    with_body("post", "/api/runs/{id}/context", "Save a run's context", "RunContext"),
    Op {
        query: &[("format", "jsonl (default), runs-csv, pain-csv or days-csv")],
        ..op("get", "/api/journal/export", "The journal in the open formats of docs/journal-format.md")
    },
    op("get", "/api/profile", "Profile and emergency number"),
    with_body("post", "/api/profile", "Change name, country or units", "Profile"),
    with_body("post", "/api/delete-all", "Delete every record", "DeleteAll"),
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
        "Completion": { "type": "object", "properties": { "run": { "type": ["integer", "null"], "description": "run id for pre/post-run routines" } } },
        "PainReport": { "type": "object", "required": ["timing", "region", "intensity"], "properties": {
            "at": { "type": "string", "format": "date-time", "description": "default now" },
            "timing": { "enum": ["before", "during", "right-after", "next-morning", "at-desk", "other"] },
            "region": { "enum": ["neck", "upper-trap-left", "upper-trap-right", "between-shoulder-blades", "mid-back", "rib-side-left", "rib-side-right", "shoulder"] },
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
        "DeleteAll": { "type": "object", "required": ["confirm"], "properties": { "confirm": { "const": true } } }
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
            operation["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } });
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
