//! Runs: the list with type badges, one run with its chart, laps, classification reasons, context and pain.
//!
//! Same store calls as `runtall runs` and `runtall log run`. The chart is server-side SVG (also served alone at
//! `/runs/{id}/chart.svg`, so it works in exports), with a text alternative.

use super::import::original_name;
use super::json;
use crate::AppState;
use crate::charts::{self, run_chart};
use crate::error::HttpError;
use crate::form::{FormData, enum_id, id_of, tri};
use crate::layout::{Nav, Page, csrf_field, maud_response};
use crate::route_map::route_map;
use crate::session::Session;
use crate::units::{distance, duration, speed};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use jiff::SignedDuration;
use maud::{Markup, html};
use runtall_content::RunType;
use runtall_domain::activity::SpeedUnit;
use runtall_domain::assess::Surface;
use runtall_domain::classify::RunLabel;
use runtall_domain::clinic::Comment;
use runtall_domain::journal::{PainReport, RunContext};
use runtall_domain::profile::Units;
use runtall_store::{ActivityFilter, ActivityKind, ActivityRow, Store, StoredActivity};
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/runs", get(list))
        .route("/runs/{id}", get(detail))
        .route("/runs/{id}/context", axum::routing::post(context_form))
        .route("/runs/{id}/delete", axum::routing::post(delete_form))
        .route("/api/runs/{id}/delete", axum::routing::post(api_delete))
        .route("/runs/{id}/chart.svg", get(chart_svg))
        .route("/api/runs", get(api_list))
        .route("/api/runs/{id}", get(api_detail))
        .route("/api/runs/{id}/context", get(api_context).post(api_context_put))
        .route("/api/runs/{id}/comments", get(api_comments))
}

pub const LABELS: [RunLabel; 6] =
    [RunLabel::Easy, RunLabel::Long, RunLabel::Intervals, RunLabel::Tempo, RunLabel::Race, RunLabel::Trail];

fn badge(label: Option<RunLabel>) -> Markup {
    match label {
        Some(l) => html! { span class={ "badge run-" (id_of(&l)) } { (id_of(&l)) } },
        None => html! { span class="badge" { "unclassified" } },
    }
}

/// The program's run type for a classified run: its pre- and post-run routines.
pub fn run_type(label: Option<RunLabel>) -> RunType {
    match label {
        Some(RunLabel::Long) => RunType::Long,
        Some(RunLabel::Intervals | RunLabel::Tempo) => RunType::Speed,
        Some(RunLabel::Race) => RunType::Race,
        Some(RunLabel::Trail) => RunType::Trail,
        Some(RunLabel::Easy) | None => RunType::Easy,
    }
}

#[derive(Deserialize)]
struct ListQuery {
    label: Option<String>,
    /// `runs` (the default), `cross-training` (other sports) or `all`.
    kind: Option<String>,
    limit: Option<usize>,
    /// Only runs that started before this Unix time (seconds): the next page of a long journal.
    before: Option<i64>,
    /// Set after a run was deleted, for the notice.
    deleted: Option<u8>,
}

fn filter(q: &ListQuery) -> Result<ActivityFilter, HttpError> {
    let label = match q.label.as_deref() {
        None | Some("") => None,
        Some(l) => Some(enum_id::<RunLabel>(l).ok_or_else(|| {
            HttpError::bad(format!("unknown run type '{l}' (easy, long, intervals, tempo, race, trail)"))
        })?),
    };
    let to = match q.before {
        None => None,
        Some(s) => Some(
            jiff::Timestamp::from_second(s)
                .map_err(|_| HttpError::field("before", format!("{s} is not a time (Unix seconds)")))?,
        ),
    };
    let kind = match q.kind.as_deref() {
        None | Some("" | "runs") => ActivityKind::Runs,
        Some("cross-training") => ActivityKind::CrossTraining,
        Some("all") => ActivityKind::All,
        Some(k) => return Err(HttpError::field("kind", format!("'{k}' is not runs, cross-training or all"))),
    };
    Ok(ActivityFilter { label, to, limit: Some(q.limit.unwrap_or(200).clamp(1, 5000)), kind, ..Default::default() })
}

fn kind_id(kind: ActivityKind) -> Option<&'static str> {
    match kind {
        ActivityKind::Runs => None,
        ActivityKind::CrossTraining => Some("cross-training"),
        ActivityKind::All => Some("all"),
    }
}

/// The list's address for a kind, a run type and a page (runs before `before`, Unix seconds).
fn page_href(kind: ActivityKind, label: Option<RunLabel>, before: Option<i64>) -> String {
    let mut q = Vec::new();
    if let Some(k) = kind_id(kind) {
        q.push(format!("kind={k}"));
    }
    if let Some(l) = label {
        q.push(format!("label={}", id_of(&l)));
    }
    if let Some(b) = before {
        q.push(format!("before={b}"));
    }
    if q.is_empty() { "/runs".into() } else { format!("/runs?{}", q.join("&")) }
}

fn local_time(r: &ActivityRow) -> String {
    r.start
        .checked_add(SignedDuration::from_secs(i64::from(r.utc_offset_s.unwrap_or(0))))
        .map(|t| t.strftime("%a %d %b %Y %H:%M").to_string())
        .unwrap_or_default()
}

/// The runner's units: all the run pages need of the profile, read with their data in one trip to the database
/// (each trip is a hop to a blocking thread, and the full [`super::snapshot`] also decodes the screen and the
/// assessment, which these pages do not use).
fn profile_units(store: &dyn Store) -> Result<Units, HttpError> {
    Ok(store.profile()?.unwrap_or_default().units)
}

/// The worst pain logged with each run of the list, by run id.
fn pain_by_run(store: &dyn Store, rows: &[ActivityRow]) -> Result<HashMap<i64, f64>, HttpError> {
    let (Some(last), Some(first)) = (rows.first(), rows.last()) else { return Ok(HashMap::new()) };
    let from = first.start.checked_sub(SignedDuration::from_hours(6)).unwrap_or(first.start);
    let to = last.start.checked_add(SignedDuration::from_hours(48)).unwrap_or(last.start);
    let mut worst = HashMap::new();
    for p in store.pain_reports(from, to)? {
        if let Some(id) = p.run_id {
            let e = worst.entry(id).or_insert(0.0_f64);
            *e = e.max(p.intensity.get());
        }
    }
    Ok(worst)
}

async fn list(State(st): State<AppState>, session: Session, Query(q): Query<ListQuery>) -> Result<Response, HttpError> {
    let f = filter(&q)?;
    let (current, kind) = (f.label, f.kind);
    let (f_before, f_limit) = (f.to, f.limit.unwrap_or(usize::MAX));
    let (units, rows, pain) = st
        .db
        .run(move |store| {
            let rows = store.activities(&f)?;
            Ok((profile_units(store)?, pain_by_run(store, &rows)?, rows))
        })
        .await
        .map(|(u, p, r)| (u, r, p))?;
    let (what, heading) = match kind {
        ActivityKind::Runs => (("run", "runs"), "Runs"),
        ActivityKind::CrossTraining => (("other activity", "other activities"), "Cross-training"),
        ActivityKind::All => (("activity", "activities"), "All activities"),
    };
    let body = html! {
        h1 { (heading) }
        p { a class="button small" href="/import" { "Import runs" } }
        @if q.deleted.is_some() { div class="notice ok" role="status" { p { "Run deleted." } } }
        nav aria-label="Runs or other sports" {
            ul class="picker" {
                li { a class="pill" href="/runs" aria-current=[(kind == ActivityKind::Runs && current.is_none()).then_some("true")] { "runs" } }
                li { a class="pill" href="/runs?kind=cross-training" aria-current=[(kind == ActivityKind::CrossTraining).then_some("true")] { "cross-training" } }
                li { a class="pill" href="/runs?kind=all" aria-current=[(kind == ActivityKind::All).then_some("true")] { "everything" } }
            }
        }
        @if kind == ActivityKind::Runs {
            nav aria-label="Filter by type" {
                ul class="picker" {
                    @for l in LABELS {
                        li { a class={ "pill run-" (id_of(&l)) } href={ "/runs?label=" (id_of(&l)) } aria-current=[(current == Some(l)).then_some("true")] { (id_of(&l)) } }
                    }
                }
            }
        }
        @if kind == ActivityKind::CrossTraining {
            p class="muted" { "Rides, swims, walks and other sports from your watch files. They get no run label or "
                "run routine, but the insights count them (a long ride the day before a run, for example)." }
        }
        @if rows.is_empty() && f_before.is_some() {
            // Paging back past the oldest run (the last page was exactly full): the journal is not empty.
            div class="empty card" {
                h2 { "No older " (what.1) }
                p { a href=(page_href(kind, current, None)) { "← Newest " (what.1) } }
            }
        } @else if rows.is_empty() {
            div class="empty card" {
                h2 { @if current.is_some() { "No runs of this type yet" } @else if kind == ActivityKind::CrossTraining { "No other sports imported" } @else { "Import your first run" } }
                p { "Runs come from your watch files (FIT, GPX or TCX, or a Strava or Garmin export). Drop them on "
                    "the import page; your runs then show here with their charts." }
                p { a class="button primary" href="/import" { "Import runs" } }
            }
        } @else {
            ul class="runs" {
                @for r in &rows {
                    li {
                        a href={ "/runs/" (r.id) } class="run-row" {
                            span class="when" { (local_time(r)) }
                            @if r.sport.is_run() { (badge(r.label)) } @else { span class="badge sport" { (r.sport.noun()) } }
                            span class="num" { (distance(r.distance_m, units)) }
                            span class="num" { (duration(r.moving_s)) }
                            span class="num" { (speed(r.sport, r.moving_s, r.distance_m, units)) }
                            @if let Some(p) = pain.get(&r.id) {
                                span class="badge pain" title="Pain logged with this run" { "pain " (format!("{p:.0}")) "/10" }
                            }
                            @if let Some(n) = &r.name { span class="name" { (n) } }
                        }
                    }
                }
            }
            p class="muted" { (runtall_domain::text::count(rows.len(), what.0, what.1))
                @if f_before.is_some() { ", from " (rows.first().map(local_time).unwrap_or_default()) " back" } "." }
            nav aria-label="More runs" class="pager" {
                @if f_before.is_some() { a href=(page_href(kind, current, None)) { "← Newest runs" } " " }
                @if rows.len() == f_limit {
                    @if let Some(last) = rows.last() { a href=(page_href(kind, current, Some(last.start.as_second()))) { "Older runs →" } }
                }
            }
        }
    };
    Ok(Page::new(heading, Nav::Runs, body).render(&session))
}

fn yes_no_unknown(name: &str, legend: &str, value: Option<bool>) -> Markup {
    html! {
        fieldset class="group" {
            legend { (legend) }
            div class="options" {
                label class="check" { input type="radio" name=(name) value="yes" checked[value == Some(true)]; " Yes" }
                label class="check" { input type="radio" name=(name) value="no" checked[value == Some(false)]; " No" }
                label class="check" { input type="radio" name=(name) value="" checked[value.is_none()]; " Don't know" }
            }
        }
    }
}

fn context_section(session: &Session, id: i64, ctx: &RunContext) -> Markup {
    html! {
        section class="card" id="context" {
            h2 { "Context of this run" }
            form method="post" action={ "/runs/" (id) "/context" } class="stack" {
                (csrf_field(session))
                (yes_no_unknown("pack", "Hydration pack or vest worn?", ctx.pack))
                div class="field" {
                    label for="f-surface" { "Surface" }
                    select id="f-surface" name="surface" {
                        option value="" selected[ctx.surface.is_none()] { "Not said" }
                        @for s in Surface::ALL { option value=(s.id()) selected[ctx.surface == Some(s)] { (s.label()) } }
                    }
                }
                (yes_no_unknown("ate_within_2h", "Ate within 2 hours before?", ctx.ate_within_2h))
                (yes_no_unknown("pre_run_done", "Pre-run routine done?", ctx.pre_run_done))
                (yes_no_unknown("post_run_done", "Post-run reset done?", ctx.post_run_done))
                button type="submit" class="button primary" { "Save context" }
            }
        }
    }
}

async fn detail(State(st): State<AppState>, session: Session, Path(id): Path<i64>) -> Result<Response, HttpError> {
    let (units, (run, ctx, pain, comments)) =
        st.db.run(move |store| Ok((profile_units(store)?, load_run(store, id)?))).await?;
    let a = &run.activity;
    let is_run = a.sport.is_run();
    let label = run.classification.as_ref().map(|c| c.label);
    let chart = run_chart(&a.samples, units);
    let map = route_map(&a.samples, units);
    // Other sports get no run routine and no run-context form: a ride is cross-training, not a run to reset after.
    let post = if is_run { st.program.post_run_routine(run_type(label)) } else { None };
    let noun = a.sport.noun();
    let title = a.name.clone().unwrap_or_else(|| {
        let mut n = noun.to_string();
        n[..1].make_ascii_uppercase();
        format!("{n} #{id}")
    });
    let speed_name = match a.sport.speed_unit() {
        SpeedUnit::Pace => "Pace",
        SpeedUnit::PerHour => "Speed",
        SpeedUnit::Per100m => "Pace per 100 m",
    };
    let body = html! {
        p { @if is_run { a href="/runs" { "← All runs" } } @else { a href="/runs?kind=cross-training" { "← Cross-training" } } }
        h1 { (title) " " @if is_run { (badge(label)) } @else { span class="badge sport" { "cross-training" } } }
        dl class="facts" {
            div { dt { "Start" } dd { (a.start.checked_add(SignedDuration::from_secs(i64::from(a.utc_offset_s.unwrap_or(0)))).map(|t| t.strftime("%a %d %b %Y %H:%M").to_string()).unwrap_or_default()) } }
            div { dt { "Distance" } dd { (distance(a.distance_m, units)) } }
            div { dt { "Moving time" } dd { (duration(a.moving_s)) } }
            div { dt { (speed_name) } dd { (speed(a.sport, a.moving_s, a.distance_m, units)) } }
            @if let Some(hr) = a.avg_hr_bpm { div { dt { "Heart rate" } dd { (format!("{hr:.0}")) @if let Some(m) = a.max_hr_bpm { " / max " (format!("{m:.0}")) } " bpm" } } }
            @if let Some(up) = a.ascent_m { div { dt { "Climb" } dd { "+" (format!("{up:.0}")) " m" } } }
            @if let Some(c) = a.avg_cadence_spm { div { dt { "Cadence" } dd { (format!("{c:.0}")) @if is_run || a.sport.speed_unit() == SpeedUnit::Pace { " steps/min" } @else { " rpm" } } } }
            div { dt { "Sport" } dd { (a.sport.as_str()) @if let Some(why) = &a.quality.sport_reason { br; span class="muted" { (why) } } } }
        }
        @if !a.quality.implausible.is_empty() {
            div class="notice warn" role="note" {
                p { "Some values of this recording cannot be true ("
                    @for (i, x) in a.quality.implausible.iter().enumerate() { @if i > 0 { ", " } (x.as_str()) }
                    "): they are shown, but left out of labels and insights. The warnings below say more." }
            }
        }
        @if let Some((svg, text)) = &map {
            figure class="route-figure" {
                (svg)
                figcaption { (text) }
            }
        }
        @match &chart {
            Some((svg, text)) => {
                figure class="chart-figure" {
                    (svg)
                    figcaption { (text) }
                }
            }
            None => { p class="empty" { "No sample stream for this run (a journal entry, or a file without samples), so no chart." } }
        }
        @if let Some(c) = &run.classification {
            section class="card" {
                h2 { "Why “" (id_of(&c.label)) "”" }
                @if c.reasons.is_empty() { p class="muted" { "No reasons recorded for this label." } }
                ul { @for f in &c.reasons { li { strong { (f.name) } ": " (f.value) " — " (f.note) } } }
                @if !c.also.is_empty() { p { "Also: " @for (i, l) in c.also.iter().enumerate() { @if i > 0 { ", " } (id_of(l)) } } }
            }
        }
        @if !a.laps.is_empty() {
            section class="card" {
                h2 { "Laps" }
                // On a phone each lap is a small card (the column names move next to the values, see `table.stack`
                // in app.css); the roles keep it a table for screen readers whatever the CSS display.
                table class="stack laps" role="table" {
                    thead role="rowgroup" { tr role="row" {
                        th scope="col" role="columnheader" { "Lap" } th scope="col" role="columnheader" { "Distance" }
                        th scope="col" role="columnheader" { "Time" } th scope="col" role="columnheader" { "Pace" }
                        th scope="col" role="columnheader" { "HR" } th scope="col" role="columnheader" { "Type" }
                    } }
                    tbody role="rowgroup" {
                        @for (i, l) in a.laps.iter().enumerate() {
                            @let t = l.moving_s.unwrap_or(l.elapsed_s);
                            tr role="row" {
                                td role="cell" class="lap" data-label="Lap" { (i + 1) }
                                td role="cell" data-label="Distance" { (distance(l.distance_m, units)) }
                                td role="cell" data-label="Time" { (duration(t)) }
                                td role="cell" data-label="Pace" { (speed(a.sport, t, l.distance_m, units)) }
                                td role="cell" data-label="HR" { (l.avg_hr_bpm.map(|h| format!("{h:.0}")).unwrap_or_else(|| "–".into())) }
                                td role="cell" data-label="Type" { (l.intensity.map(|x| id_of(&x)).unwrap_or_else(|| "–".into())) }
                            }
                        }
                    }
                }
            }
        }
        section class="card" {
            h2 { "Pain with this " (noun) }
            @if pain.is_empty() { p class="empty" { "None logged." } }
            ul { @for p in &pain { li { (p.region.label()) " " (p.intensity.get()) "/10 · " (p.timing.id()) } } }
            p {
                a class="button" href={ "/pain?run=" (id) } { "Log pain for this run" }
                @if let Some(r) = post { " " a class="button" href={ "/session/" (r.id) "?run=" (id) } { "Do the post-run reset" } }
            }
        }
        (crate::comments::block("From your clinician", &comments))
        @if is_run { (context_section(&session, id, &ctx)) }
        @if !a.warnings.is_empty() {
            details { summary { "Read with warnings" } ul { @for w in &a.warnings { li { (w) } } } }
        }
        details class="card" {
            summary { "Delete this run" }
            p { "For a wrongly imported file or someone else's activity. Its context goes with it; pain reports stay in "
                "your journal, no longer linked. Importing the same file again brings it back." }
            form method="post" action={ "/runs/" (id) "/delete" } class="stack" {
                (csrf_field(&session))
                label class="check" { input type="checkbox" name="confirm" value="yes" required; " Yes, delete this run" }
                button type="submit" class="button danger" { "Delete run" }
            }
        }
    };
    Ok(Page::new(title, Nav::Runs, body).render(&session))
}

/// Deletes a run after the explicit confirmation box; the list then says so.
async fn delete_form(State(st): State<AppState>, Path(id): Path<i64>, form: FormData) -> Result<Response, HttpError> {
    if form.get("confirm") != Some("yes") {
        return Err(HttpError::field("confirm", "tick the box to confirm"));
    }
    delete_run(&st, id).await?;
    Ok(Redirect::to("/runs?deleted=1").into_response())
}

#[derive(Deserialize)]
struct DeleteBody {
    confirm: bool,
}

async fn api_delete(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    axum::Json(b): axum::Json<DeleteBody>,
) -> Result<Response, HttpError> {
    if !b.confirm {
        return Err(HttpError::field("confirm", "must be true"));
    }
    delete_run(&st, id).await?;
    Ok(json(serde_json::json!({ "deleted": id })))
}

async fn delete_run(st: &AppState, id: i64) -> Result<(), HttpError> {
    let deleted = st.db.run(move |store| Ok(runtall_app::journal::delete_run(store, id)?)).await?;
    if deleted { Ok(()) } else { Err(HttpError::NotFound) }
}

type Loaded = (StoredActivity, RunContext, Vec<PainReport>, Vec<Comment>);

fn load_run(store: &dyn Store, id: i64) -> Result<Loaded, HttpError> {
    let run = store.activity(id)?.ok_or(HttpError::NotFound)?;
    let ctx = store.run_context(id)?.unwrap_or_else(|| empty_context(id));
    let start = run.activity.start;
    let from = start.checked_sub(SignedDuration::from_hours(6)).unwrap_or(start);
    let to = start.checked_add(SignedDuration::from_hours(48)).unwrap_or(start);
    let pain = store.pain_reports(from, to)?.into_iter().filter(|p| p.run_id == Some(id)).collect();
    let comments = runtall_app::clinic::comments_on_run(store, &run.activity.source.content_hash)?;
    Ok((run, ctx, pain, comments))
}

fn empty_context(run_id: i64) -> RunContext {
    RunContext::empty(run_id)
}

async fn context_form(State(st): State<AppState>, Path(id): Path<i64>, form: FormData) -> Result<Response, HttpError> {
    let surface = match form.get("surface") {
        None => None,
        Some(s) => Some(
            Surface::ALL
                .into_iter()
                .find(|x| x.id() == s)
                .ok_or_else(|| HttpError::field("surface", "not one of the surfaces"))?,
        ),
    };
    let ctx = RunContext {
        run_id: id,
        pack: tri(&form, "pack"),
        surface,
        ate_within_2h: tri(&form, "ate_within_2h"),
        pre_run_done: tri(&form, "pre_run_done"),
        post_run_done: tri(&form, "post_run_done"),
    };
    st.db.run(move |store| Ok(runtall_app::journal::save_run_context(store, &ctx)?)).await?;
    Ok(Redirect::to(&format!("/runs/{id}#context")).into_response())
}

async fn chart_svg(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Response, HttpError> {
    let (units, run) =
        st.db.run(move |store| Ok((profile_units(store)?, store.activity(id)?.ok_or(HttpError::NotFound)?))).await?;
    let (svg, _) = charts::chart_svg(&run.activity.samples, units, charts::WIDE, "wide").ok_or(HttpError::NotFound)?;
    let mut r = maud_response(svg);
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    Ok(r)
}

/// The API shows where a run came from by its file name only: the stored path is the server's (the upload
/// folder, the runner's home directory) and is none of a client's business.
async fn api_list(State(st): State<AppState>, Query(q): Query<ListQuery>) -> Result<Response, HttpError> {
    let f = filter(&q)?;
    let mut rows = st.db.run(move |store| Ok(store.activities(&f)?)).await?;
    for row in &mut rows {
        row.source_path = original_name(&row.source_path);
    }
    Ok(json(rows))
}

async fn api_detail(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Response, HttpError> {
    let mut run = st.db.run(move |store| store.activity(id)?.ok_or(HttpError::NotFound)).await?;
    run.activity.source.path = original_name(&run.activity.source.path);
    Ok(json(run))
}

/// A clinician's comments on the run, oldest first.
async fn api_comments(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Response, HttpError> {
    Ok(json(
        st.db
            .run(move |store| {
                let run = store.activity(id)?.ok_or(HttpError::NotFound)?;
                Ok(runtall_app::clinic::comments_on_run(store, &run.activity.source.content_hash)?)
            })
            .await?,
    ))
}

async fn api_context(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Response, HttpError> {
    Ok(json(
        st.db
            .run(move |store| {
                store.activity(id)?.ok_or(HttpError::NotFound)?;
                Ok(store.run_context(id)?.unwrap_or_else(|| empty_context(id)))
            })
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextBody {
    #[serde(default)]
    pack: Option<bool>,
    #[serde(default)]
    surface: Option<Surface>,
    #[serde(default)]
    ate_within_2h: Option<bool>,
    #[serde(default)]
    pre_run_done: Option<bool>,
    #[serde(default)]
    post_run_done: Option<bool>,
}

async fn api_context_put(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    axum::Json(b): axum::Json<ContextBody>,
) -> Result<Response, HttpError> {
    let ctx = RunContext {
        run_id: id,
        pack: b.pack,
        surface: b.surface,
        ate_within_2h: b.ate_within_2h,
        pre_run_done: b.pre_run_done,
        post_run_done: b.post_run_done,
    };
    let saved = ctx.clone();
    st.db.run(move |store| Ok(runtall_app::journal::save_run_context(store, &ctx)?)).await?;
    Ok(json(saved))
}
