//! The journal: a ten-second pain log on a body map, the day's context, and the export in open formats.
//!
//! Same rules as `runtall log` and `runtall journal export`: `PainReport::check` (no chest pain, nothing in the
//! future, notes ≤ 500), auto-link to the nearest run with `journal::link_run`, `DayLog::check` (magnesium above
//! 350 mg/day warns), and `journal_format::{to_jsonl, to_csv}` for downloads.

use super::{json, snapshot, today};
use crate::AppState;
use crate::error::HttpError;
use crate::form::{Errors, FormData, enum_id, id_of};
use crate::layout::{Nav, Page, csrf_field, described, error_summary, field_error};
use crate::session::Session;
use crate::units::distance;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use maud::{Markup, html};
use runtall_domain::assess::{DayHours, Region, Score};
use runtall_domain::journal::{DayLog, PainReport, PainTiming, ReliefUse};
use runtall_domain::journal_format;
use runtall_domain::profile::Units;
use runtall_store::{ActivityFilter, ActivityRow, Store};
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pain", get(pain_page).post(pain_submit))
        .route("/pain/chest", get(chest))
        .route("/day", get(day_page).post(day_submit))
        .route("/export/{file}", get(export))
        .route("/pain/{id}/delete", axum::routing::post(pain_delete_form))
        .route("/api/pain", get(api_pain_list).post(api_pain))
        .route("/api/pain/{id}/delete", axum::routing::post(api_pain_delete))
        .route("/api/day", get(api_day).post(api_day_put))
        .route("/api/journal/export", get(api_export))
}

/// One clickable region of the body map: a link (works without JavaScript) that the script turns into a choice.
fn region(r: Region, selected: Option<Region>, shapes: Markup) -> Markup {
    let id = r.id();
    html! {
        a href={ "/pain?region=" (id) "#log" } class={ "region" @if selected == Some(r) { " selected" } } data-region=(id)
            aria-label=(r.short_label()) {
            title { (r.short_label()) }
            (shapes)
        }
    }
}

/// The body map: front and back views. On the front view the runner's right is on the viewer's left.
pub fn body_map(selected: Option<Region>) -> Markup {
    // A body outline (runtall_figures::body_map), the same shape front and back.
    let (hx, hy, hrx, hry) = runtall_figures::body_map::HEAD;
    let silhouette = html! {
        path class="body" d=(runtall_figures::body_map::outline_path()) {}
        ellipse class="body" cx=(hx) cy=(hy) rx=(hrx) ry=(hry) {}
    };
    let shoulders = html! { circle cx="48" cy="104" r="15" {} circle cx="152" cy="104" r="15" {} };
    let neck = html! { rect x="87" y="58" width="26" height="24" rx="5" {} };
    let trap_viewer_left = html! { path d="M87,78 L56,88 L60,103 L90,95 Z" {} };
    let trap_viewer_right = html! { path d="M113,78 L144,88 L140,103 L110,95 Z" {} };
    html! {
        div class="bodymap" {
            figure {
                svg viewBox="0 0 200 250" role="group" aria-label="Front view" xmlns="http://www.w3.org/2000/svg" {
                    (silhouette)
                    (region(Region::Neck, selected, neck.clone()))
                    (region(Region::UpperTrapRight, selected, trap_viewer_left.clone()))
                    (region(Region::UpperTrapLeft, selected, trap_viewer_right.clone()))
                    (region(Region::Shoulder, selected, shoulders.clone()))
                    a href="/pain/chest" class="region chest" data-region="chest" aria-label="Chest: goes to the safety check" {
                        title { "Chest: goes to the safety check" }
                        ellipse cx="100" cy="124" rx="30" ry="20" {}
                    }
                    (region(Region::RibSideRight, selected, html! { path d="M58,140 L78,137 L80,186 L61,190 Z" {} }))
                    (region(Region::RibSideLeft, selected, html! { path d="M142,140 L122,137 L120,186 L139,190 Z" {} }))
                    text x="14" y="242" class="side" { "R" } text x="180" y="242" class="side" { "L" }
                }
                figcaption { "Front" }
            }
            figure {
                svg viewBox="0 0 200 250" role="group" aria-label="Back view" xmlns="http://www.w3.org/2000/svg" {
                    (silhouette)
                    (region(Region::Neck, selected, neck))
                    (region(Region::UpperTrapLeft, selected, trap_viewer_left))
                    (region(Region::UpperTrapRight, selected, trap_viewer_right))
                    (region(Region::Shoulder, selected, shoulders))
                    (region(Region::BetweenShoulderBlades, selected, html! { rect x="83" y="100" width="34" height="44" rx="6" {} }))
                    (region(Region::MidBack, selected, html! { rect x="81" y="149" width="38" height="40" rx="6" {} }))
                    (region(Region::RibSideLeft, selected, html! { path d="M58,122 L78,120 L78,186 L61,190 Z" {} }))
                    (region(Region::RibSideRight, selected, html! { path d="M142,122 L122,120 L122,186 L139,190 Z" {} }))
                    text x="14" y="242" class="side" { "L" } text x="180" y="242" class="side" { "R" }
                }
                figcaption { "Back" }
            }
        }
    }
}

#[derive(Deserialize, Default)]
struct PainQuery {
    region: Option<String>,
    run: Option<i64>,
    logged: Option<i64>,
    deleted: Option<u8>,
}

fn recent_runs(store: &dyn Store) -> Result<Vec<ActivityRow>, HttpError> {
    Ok(store
        .activities(&ActivityFilter { limit: Some(10), ..Default::default() })?
        .into_iter()
        .filter(|r| r.sport.is_run())
        .collect())
}

struct PainForm<'a> {
    selected: Option<Region>,
    run: Option<i64>,
    form: Option<&'a FormData>,
    errors: Errors,
}

fn pain_form(session: &Session, runs: &[ActivityRow], units: Units, f: &PainForm) -> Markup {
    let val = |name: &str| f.form.and_then(|d| d.get(name)).unwrap_or("");
    let intensity = f.form.and_then(|d| d.get("intensity")).unwrap_or("3");
    let timing = f.form.and_then(|d| d.get("timing")).unwrap_or("right-after");
    let errors = &f.errors;
    html! {
        (error_summary(errors))
        form id="log" method="post" action="/pain" class="stack pain-form" novalidate {
            (csrf_field(session))
            fieldset id="f-region" class={ "group" @if errors.get("region").is_some() { " has-error" } } aria-describedby=[described(errors, "region")] {
                legend { "Where? Tap the body map or choose below" }
                (field_error(errors, "region"))
                (body_map(f.selected))
                div class="options regions" {
                    @for r in Region::LOGGABLE {
                        label class="check" { input type="radio" name="region" value=(r.id()) checked[f.selected == Some(r)] required; " " (r.short_label()) }
                    }
                }
                p class="hint" { "Chest pain is not logged here: " a href="/pain/chest" { "it goes to the safety check" } "." }
            }
            div class={ "field" @if errors.get("intensity").is_some() { " has-error" } } {
                label for="f-intensity" { "How much? " output id="intensity-out" for="f-intensity" { (intensity) } "/10" }
                p class="hint" id="h-intensity" { "0 = none, 10 = worst imaginable" }
                (field_error(errors, "intensity"))
                input id="f-intensity" name="intensity" type="range" min="0" max="10" step="1" value=(intensity) aria-describedby="h-intensity";
            }
            fieldset id="f-timing" class="group" {
                legend { "When?" }
                (field_error(errors, "timing"))
                div class="options" {
                    @for t in PainTiming::ALL {
                        label class="check" { input type="radio" name="timing" value=(t.id()) checked[timing == t.id()]; " " (t.label()) }
                    }
                }
            }
            details {
                summary { "More: time, run, notes" }
                div class="field" {
                    label for="f-at" { "Time (leave empty for now)" }
                    (field_error(errors, "at"))
                    input id="f-at" name="at" type="datetime-local" value=(val("at"));
                }
                div class="field" {
                    label for="f-run" { "Run" }
                    (field_error(errors, "run"))
                    select id="f-run" name="run" {
                        option value="" { "Link to the nearest run automatically" }
                        @for r in runs {
                            option value=(r.id) selected[f.run == Some(r.id)] {
                                "#" (r.id) " " (r.start.strftime("%Y-%m-%d")) " · " (distance(r.distance_m, units))
                            }
                        }
                    }
                }
                div class="field" {
                    label for="f-notes" { "Notes (optional)" }
                    (field_error(errors, "notes"))
                    textarea id="f-notes" name="notes" maxlength="500" rows="2" { (val("notes")) }
                }
            }
            button type="submit" class="button primary" { "Log it" }
        }
    }
}

fn recent_list(session: &Session, reports: &[PainReport]) -> Markup {
    html! {
        h2 { "Last 30 days" }
        @if reports.is_empty() { p class="empty" { "Nothing logged yet. Your first report takes ten seconds." } }
        @else {
            ul class="reports" {
                @for r in reports.iter().rev().take(30) {
                    li {
                        span class={ "intensity i" (r.intensity.get().round() as u32) } { (r.intensity.get()) }
                        " " strong { (r.region.short_label()) } " · " (r.timing.label()) " · "
                        (r.at.to_zoned(TimeZone::system()).strftime("%a %d %b %H:%M"))
                        @if let Some(id) = r.run_id { " · " a href={ "/runs/" (id) } { "run #" (id) } }
                        @if let Some(n) = &r.notes { br; span class="note" { (n) } }
                        @if let Some(id) = r.id {
                            form class="inline" method="post" action={ "/pain/" (id) "/delete" } {
                                (csrf_field(session))
                                " " button type="submit" class="button small" aria-label={ "Delete this report (" (r.region.short_label()) ", " (r.intensity.get()) "/10)" } { "Delete" }
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn pain_page(
    State(st): State<AppState>,
    session: Session,
    Query(q): Query<PainQuery>,
) -> Result<Response, HttpError> {
    let selected = q.region.as_deref().and_then(|r| r.parse::<Region>().ok()).filter(|r| *r != Region::Chest);
    if q.region.as_deref() == Some("chest") {
        return Ok(Redirect::to("/pain/chest").into_response());
    }
    let now = Timestamp::now();
    let from = now.checked_sub(SignedDuration::from_hours(24 * 30)).unwrap_or(now);
    let until = now.checked_add(SignedDuration::from_hours(1)).unwrap_or(now);
    // The units come with the data in one trip to the database (this page needs nothing else of the snapshot).
    let (units, runs, reports) = st
        .db
        .run(move |store| {
            let units = store.profile()?.unwrap_or_default().units;
            Ok((units, recent_runs(store)?, store.pain_reports(from, until)?))
        })
        .await?;
    let logged = q.logged.and_then(|id| reports.iter().find(|r| r.id == Some(id)).cloned());
    let form = PainForm { selected, run: q.run, form: None, errors: Errors::default() };
    let body = html! {
        h1 { "Log pain" }
        @if q.deleted.is_some() { div class="notice ok" role="status" { p { "Report deleted." } } }
        @if let Some(r) = &logged {
            div class="notice ok" role="status" {
                p { "Logged: " (r.region.short_label()) " " (r.intensity.get()) "/10, " (r.timing.label())
                    @match r.run_id { Some(id) => { ", linked to " a href={ "/runs/" (id) } { "run #" (id) } "." }
                        None if r.timing.is_about_a_run() => { " (no run near that time to link)." } None => { "." } } }
                @if r.intensity.get() > 5.0 {
                    p { "Above 5/10 is more than the program aims for: ease the next run, and see " a href="/habits?area=load" { "the load habits" } "." }
                }
            }
        }
        (pain_form(&session, &runs, units, &form))
        (recent_list(&session, &reports))
    };
    Ok(Page::new("Log pain", Nav::Pain, body).render(&session))
}

/// A local `YYYY-MM-DDTHH:MM` (datetime-local) or RFC 3339 time.
fn parse_time(s: &str) -> Option<Timestamp> {
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    let civil: DateTime = s.replace(' ', "T").parse().ok()?;
    civil.to_zoned(TimeZone::system()).ok().map(|z| z.timestamp())
}

/// Stores a checked report, linking it to a run when none was given and the timing is about a run.
fn save_pain(store: &dyn Store, report: PainReport) -> Result<PainReport, HttpError> {
    Ok(runtall_app::journal::log_pain(store, report, Timestamp::now())?)
}

async fn pain_submit(State(st): State<AppState>, session: Session, form: FormData) -> Result<Response, HttpError> {
    if form.get("region") == Some("chest") {
        return Ok(Redirect::to("/pain/chest").into_response());
    }
    let mut e = Errors::default();
    let region = match form.get("region") {
        None => {
            e.add("region", "tap where it hurts");
            None
        }
        Some(r) => r.parse::<Region>().ok().or_else(|| {
            e.add("region", "not one of the regions");
            None
        }),
    };
    let intensity = e.required(&form, "intensity", 0.0, 10.0, "").and_then(|v| Score::new(v).ok());
    let timing = form.get("timing").and_then(|t| t.parse::<PainTiming>().ok());
    if timing.is_none() {
        e.add("timing", "choose when it hurt");
    }
    let at = match form.get("at") {
        None => Some(Timestamp::now()),
        Some(s) => parse_time(s).or_else(|| {
            e.add("at", "not a date and time");
            None
        }),
    };
    let run = match form.get("run") {
        None => None,
        Some(v) => v.parse::<i64>().ok().or_else(|| {
            e.add("run", "not a run");
            None
        }),
    };
    let notes = form.get("notes").map(str::to_string);
    let max = runtall_domain::text::NOTES_MAX_CHARS;
    if notes.as_ref().is_some_and(|n| runtall_domain::text::longer_than(n, max)) {
        e.add("notes", format!("at most {max} characters"));
    }
    let (Some(region), Some(intensity), Some(timing), Some(at), true) = (region, intensity, timing, at, e.is_empty())
    else {
        return invalid_pain(&st, &session, &form, e).await;
    };
    let report = PainReport { id: None, at, timing, region, intensity, run_id: run, notes };
    match st.db.run(move |store| save_pain(store, report)).await {
        Ok(saved) => Ok(Redirect::to(&format!("/pain?logged={}", saved.id.unwrap_or(0))).into_response()),
        Err(HttpError::Invalid(fields)) => invalid_pain(&st, &session, &form, Errors(fields)).await,
        Err(other) => Err(other),
    }
}

async fn invalid_pain(
    st: &AppState,
    session: &Session,
    form: &FormData,
    errors: Errors,
) -> Result<Response, HttpError> {
    let s = snapshot(st).await?;
    let runs = st.db.run(|store| recent_runs(store)).await?;
    let selected = form.get("region").and_then(|r| r.parse::<Region>().ok());
    let run = form.get("run").and_then(|v| v.parse().ok());
    let f = PainForm { selected, run, form: Some(form), errors };
    let body = html! { h1 { "Log pain" } (pain_form(session, &runs, s.profile.units, &f)) };
    let mut r = Page::new("Log pain", Nav::Pain, body).render(session);
    *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

async fn chest(State(st): State<AppState>, session: Session) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    let body = html! {
        section class="emergency" role="alert" {
            h1 { "Chest pain goes to the safety check" }
            p { "Chest or rib pain with effort, or after eating, can come from the heart. It is never logged as an "
                "ache or explained away as a side stitch." }
            p class="call" { "Pain, pressure or breathlessness right now? Call " strong class="number" { (s.profile.emergency_number()) } }
        }
        p { a class="button primary" href="/screen?from=chest" { "Take the safety check" } " " a class="button" href="/pain" { "Back to the pain log" } }
    };
    Ok(Page::bare("Chest pain", body).render(&session))
}

// ------------------------------------------------------------------------------------------------- day

#[derive(Deserialize, Default)]
struct DayQuery {
    date: Option<String>,
    saved: Option<String>,
}

const RELIEF: [(ReliefUse, &str); 5] = [
    (ReliefUse::Heat, "heat"),
    (ReliefUse::Ice, "ice"),
    (ReliefUse::Topical, "a topical gel or cream"),
    (ReliefUse::Magnesium, "magnesium"),
    (ReliefUse::Tape, "tape"),
];

const HOURS: [(&str, &str); 4] = [
    ("sitting_h", "Hours sitting in total"),
    ("longest_sitting_h", "Longest unbroken sitting (h)"),
    ("car_h", "Hours in a car (empty: no driving)"),
    ("sleep_h", "Hours of sleep last night"),
];

fn day_form(session: &Session, log: &DayLog, form: Option<&FormData>, errors: &Errors) -> Markup {
    let shown = |name: &str, stored: Option<f64>| -> String {
        match form {
            Some(f) => f.get(name).unwrap_or("").to_string(),
            None => stored.map(|v| format!("{v}")).unwrap_or_default(),
        }
    };
    let stored = |name: &str| match name {
        "sitting_h" => log.sitting_h.map(|h| h.get()),
        "longest_sitting_h" => log.longest_sitting_h.map(|h| h.get()),
        "car_h" => log.car_h.map(|h| h.get()),
        "sleep_h" => log.sleep_h.map(|h| h.get()),
        _ => None,
    };
    html! {
        (error_summary(errors))
        form method="post" action="/day" class="stack" novalidate {
            (csrf_field(session))
            input type="hidden" name="date" value=(log.date);
            div class="grid2" {
                @for (name, label) in HOURS {
                    div class={ "field" @if errors.get(name).is_some() { " has-error" } } {
                        label for={ "f-" (name) } { (label) }
                        (field_error(errors, name))
                        input id={ "f-" (name) } name=(name) type="number" min="0" max="24" step="any" inputmode="decimal"
                            value=(shown(name, stored(name))) aria-describedby=[described(errors, name)];
                    }
                }
                div class={ "field" @if errors.get("stress").is_some() { " has-error" } } {
                    label for="f-stress" { "Stress 0–10" }
                    (field_error(errors, "stress"))
                    input id="f-stress" name="stress" type="number" min="0" max="10" step="any" inputmode="decimal"
                        value=(shown("stress", log.stress.map(|s| s.get()))) aria-describedby=[described(errors, "stress")];
                }
            }
            fieldset class="group" {
                legend { "Done today" }
                div class="options" {
                    label class="check" { input type="checkbox" name="mobility_done" value="yes" checked[form.map(|f| f.has("mobility_done")).unwrap_or(log.mobility_done)]; " Daily mobility" }
                    label class="check" { input type="checkbox" name="strength_done" value="yes" checked[form.map(|f| f.has("strength_done")).unwrap_or(log.strength_done)]; " Strength routine" }
                }
            }
            fieldset class="group" id="f-relief" {
                legend { "Relief used" }
                (field_error(errors, "relief"))
                div class="options" {
                    @for (r, label) in RELIEF {
                        @let id = id_of(&r);
                        label class="check" { input type="checkbox" name="relief" value=(id)
                            checked[form.map(|f| f.all("relief").contains(&id.as_str())).unwrap_or(log.relief.contains(&r))]; " " (label) }
                    }
                }
            }
            div class={ "field" @if errors.get("magnesium_mg").is_some() { " has-error" } } {
                label for="f-magnesium_mg" { "Supplemental magnesium (mg)" }
                p class="hint" id="h-mg" { "The upper limit from supplements is 350 mg a day. Magnesium is not a pain treatment." }
                (field_error(errors, "magnesium_mg"))
                input id="f-magnesium_mg" name="magnesium_mg" type="number" min="0" max="5000" step="1"
                    value=(shown("magnesium_mg", log.magnesium_mg.map(f64::from))) aria-describedby="h-mg";
            }
            button type="submit" class="button primary" { "Save the day" }
        }
    }
}

fn parse_date(s: Option<&str>) -> Result<Date, HttpError> {
    match s {
        None => Ok(today()),
        Some(s) => {
            s.parse::<Date>().map_err(|_| HttpError::field("date", format!("'{s}' is not a date like 2026-11-21")))
        }
    }
}

async fn day_page(
    State(st): State<AppState>,
    session: Session,
    Query(q): Query<DayQuery>,
) -> Result<Response, HttpError> {
    let date = parse_date(q.date.as_deref())?;
    let log = st
        .db
        .run(move |store| Ok(runtall_app::journal::day(store, date)?.unwrap_or_else(|| super::guided::empty_day(date))))
        .await?;
    let warnings = log.check(today()).unwrap_or_default();
    let prev = date.yesterday().ok();
    let next = date.tomorrow().ok().filter(|d| *d <= today());
    let body = html! {
        h1 { "My day" }
        nav class="daynav" aria-label="Day" {
            @if let Some(p) = prev { a href={ "/day?date=" (p) } { "← " (p.strftime("%a %d %b")) } }
            strong { (date.strftime("%A %d %B %Y")) }
            @if let Some(n) = next { a href={ "/day?date=" (n) } { (n.strftime("%a %d %b")) " →" } }
        }
        @if q.saved.is_some() { div class="notice ok" role="status" { p { "Saved." } } }
        @for w in &warnings { div class="notice warn" { p { (w) } } }
        p class="muted" { "One short entry a day: leave anything you don't know empty." }
        (day_form(&session, &log, None, &Errors::default()))
    };
    Ok(Page::new("My day", Nav::Day, body).render(&session))
}

fn day_from_form(form: &FormData) -> Result<DayLog, Errors> {
    let mut e = Errors::default();
    let date = match parse_date(form.get("date")) {
        Ok(d) => d,
        Err(_) => {
            e.add("date", "not a date");
            today()
        }
    };
    let mut hours = |name: &str| e.number(form, name, 0.0, 24.0, " h").and_then(|v| DayHours::new(v).ok());
    let (sitting_h, longest_sitting_h, car_h, sleep_h) =
        (hours("sitting_h"), hours("longest_sitting_h"), hours("car_h"), hours("sleep_h"));
    let stress = e.number(form, "stress", 0.0, 10.0, "").and_then(|v| Score::new(v).ok());
    let magnesium_mg = e.number(form, "magnesium_mg", 0.0, 5000.0, " mg").map(|v| v.round() as u32);
    let mut relief = Vec::new();
    for r in form.all("relief") {
        match enum_id::<ReliefUse>(r) {
            Some(x) if !relief.contains(&x) => relief.push(x),
            Some(_) => {}
            None => e.add("relief", format!("'{r}' is not a relief option")),
        }
    }
    if magnesium_mg.is_some_and(|m| m > 0) && !relief.contains(&ReliefUse::Magnesium) {
        relief.push(ReliefUse::Magnesium);
    }
    let log = DayLog {
        date,
        sitting_h,
        longest_sitting_h,
        car_h,
        sleep_h,
        stress,
        strength_done: form.has("strength_done"),
        mobility_done: form.has("mobility_done"),
        relief,
        magnesium_mg,
    };
    if let Err(err) = log.check(today()) {
        e.add(&err.field, err.message);
    }
    if e.is_empty() { Ok(log) } else { Err(e) }
}

async fn day_submit(State(st): State<AppState>, session: Session, form: FormData) -> Result<Response, HttpError> {
    match day_from_form(&form) {
        Ok(log) => {
            let date = log.date;
            st.db.run(move |store| Ok(runtall_app::journal::save_day(store, &log, today())?)).await?;
            Ok(Redirect::to(&format!("/day?date={date}&saved=1")).into_response())
        }
        Err(errors) => {
            let date = parse_date(form.get("date")).unwrap_or_else(|_| today());
            let log = super::guided::empty_day(date);
            let body = html! { h1 { "My day" } (day_form(&session, &log, Some(&form), &errors)) };
            let mut r = Page::new("My day", Nav::Day, body).render(&session);
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
    }
}

// ---------------------------------------------------------------------------------------------- export

/// The journal as a download: `journal.jsonl`, or one of `runs.csv`, `pain.csv`, `days.csv`.
async fn export_file(st: &AppState, file: &str) -> Result<Response, HttpError> {
    let (content_type, pick): (&'static str, fn(&journal_format::Journal) -> String) = match file {
        "journal.jsonl" => ("application/x-ndjson", journal_format::to_jsonl),
        "runs.csv" => ("text/csv; charset=utf-8", |j| journal_format::to_csv(j).0),
        "pain.csv" => ("text/csv; charset=utf-8", |j| journal_format::to_csv(j).1),
        "days.csv" => ("text/csv; charset=utf-8", |j| journal_format::to_csv(j).2),
        _ => return Err(HttpError::NotFound),
    };
    let journal = st.db.run(|store| Ok(runtall_app::journal_file::export(store)?)).await?;
    let text = pick(&journal);
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"runtall-{file}\"")).map_err(HttpError::internal)?;
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type)), (header::CONTENT_DISPOSITION, disposition)],
        text,
    )
        .into_response())
}

async fn export(State(st): State<AppState>, Path(file): Path<String>) -> Result<Response, HttpError> {
    export_file(&st, &file).await
}

#[derive(Deserialize)]
struct ExportQuery {
    format: Option<String>,
}

async fn api_export(State(st): State<AppState>, Query(q): Query<ExportQuery>) -> Result<Response, HttpError> {
    let file = match q.format.as_deref().unwrap_or("jsonl") {
        "jsonl" => "journal.jsonl",
        "runs-csv" => "runs.csv",
        "pain-csv" => "pain.csv",
        "days-csv" => "days.csv",
        other => return Err(HttpError::bad(format!("unknown format '{other}' (jsonl, runs-csv, pain-csv, days-csv)"))),
    };
    export_file(&st, file).await
}

// ------------------------------------------------------------------------------------------------- API

#[derive(Deserialize)]
struct ListQuery {
    days: Option<u32>,
}

/// Deletes one mistaken report; the page shows the list without it.
async fn pain_delete_form(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Response, HttpError> {
    delete_report(&st, id).await?;
    Ok(Redirect::to("/pain?deleted=1").into_response())
}

async fn api_pain_delete(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Response, HttpError> {
    delete_report(&st, id).await?;
    Ok(json(json!({ "deleted": id })))
}

async fn delete_report(st: &AppState, id: i64) -> Result<(), HttpError> {
    let deleted = st.db.run(move |store| Ok(runtall_app::journal::delete_pain_report(store, id)?)).await?;
    if deleted { Ok(()) } else { Err(HttpError::NotFound) }
}

async fn api_pain_list(State(st): State<AppState>, Query(q): Query<ListQuery>) -> Result<Response, HttpError> {
    let days = q.days.unwrap_or(30).clamp(1, 3660);
    let now = Timestamp::now();
    let from = now.checked_sub(SignedDuration::from_hours(24 * i64::from(days))).unwrap_or(now);
    let until = now.checked_add(SignedDuration::from_hours(1)).unwrap_or(now);
    Ok(json(st.db.run(move |store| Ok(store.pain_reports(from, until)?)).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PainBody {
    #[serde(default)]
    at: Option<Timestamp>,
    timing: PainTiming,
    region: Region,
    intensity: Score,
    #[serde(default)]
    run_id: Option<i64>,
    #[serde(default)]
    notes: Option<String>,
}

async fn api_pain(State(st): State<AppState>, axum::Json(b): axum::Json<PainBody>) -> Result<Response, HttpError> {
    let report = PainReport {
        id: None,
        at: b.at.unwrap_or_else(Timestamp::now),
        timing: b.timing,
        region: b.region,
        intensity: b.intensity,
        run_id: b.run_id,
        notes: b.notes,
    };
    // Chest is refused by `PainReport::check` with the message that sends the runner to the screen.
    let saved = st.db.run(move |store| save_pain(store, report)).await?;
    Ok(json(saved))
}

#[derive(Deserialize)]
struct DateQuery {
    date: Option<String>,
}

async fn api_day(State(st): State<AppState>, Query(q): Query<DateQuery>) -> Result<Response, HttpError> {
    let date = parse_date(q.date.as_deref())?;
    Ok(json(st.db.run(move |store| Ok(runtall_app::journal::day(store, date)?)).await?))
}

async fn api_day_put(State(st): State<AppState>, axum::Json(log): axum::Json<DayLog>) -> Result<Response, HttpError> {
    let saved = log.clone();
    let warnings = st.db.run(move |store| Ok(runtall_app::journal::save_day(store, &log, today())?)).await?;
    Ok(json(json!({ "day": saved, "warnings": warnings })))
}
