//! One athlete's page for their clinician: what needs attention and why, where the program stands (the safety
//! gate's mode and the clinician's changes, with forms to adjust it), trends, the latest runs with comments, the
//! last month's journal, and the report (`/clinic/athletes/{id}/report`, the same `app::pt_report` the athlete
//! prints). Each view is one store call that reads and writes the audit entry.

use super::{Viewer, access, parse_id, program};
use crate::AppState;
use crate::error::HttpError;
use crate::layout::Page;
use crate::principal::Principal;
use crate::report_page;
use crate::routes::{json, today};
use crate::session::Session;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use maud::{Markup, html};
use runtall_app::clinic::{AttentionCache, actions, comments_on_reports, last_visit};
use runtall_app::progress::{Progress, progress_in};
use runtall_app::pt_report::{ReportData, ReportOptions, gather};
use runtall_domain::clinic::attention::Attention;
use runtall_domain::clinic::{Comment, CommentOn, ProgramChange};
use runtall_domain::journal::{DayLog, PainReport};
use runtall_domain::safety::clinician::ClinicianChanges;
use runtall_domain::safety::{ExerciseDecision, Mode};
use runtall_store::{ActivityFilter, ActivityKind, ActivityRow, AthleteId, Store};
use serde::Serialize;

/// Runs listed on the page, newest first.
const RUNS_SHOWN: usize = 20;
/// Days of journal listed on the page.
const JOURNAL_DAYS: i64 = 30;
/// Weeks of the pain and distance chart.
const TREND_WEEKS: usize = 12;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/clinic/athletes/{id}", get(page))
        .route("/clinic/athletes/{id}/report", get(report_page))
        .route("/api/clinic/athletes/{id}", get(api_athlete))
        .route("/api/clinic/athletes/{id}/report", get(api_report))
        .route("/clinic/athletes/{id}/runs/{run}", get(run_page))
}

/// A run with the clinician's comments on it.
#[derive(Debug, Clone, Serialize)]
pub(super) struct RunLine {
    #[serde(flatten)]
    pub row: ActivityRow,
    pub comments: Vec<Comment>,
}

/// Everything the athlete's page shows, as its JSON twin gives it.
#[derive(Debug, Clone, Serialize)]
pub(super) struct AthleteView {
    pub athlete: AthleteId,
    pub name: String,
    pub sharing_since: Timestamp,
    /// The clinician's previous visit (this one not counted).
    pub last_visit: Option<Timestamp>,
    pub attention: Attention,
    pub mode: Mode,
    pub headline: String,
    /// The changes in force as the gate applied them, and those it kept out or capped.
    pub clinician: ClinicianChanges,
    /// Every exercise's verdict from the gate (after the changes), for the adjust forms.
    pub exercises: Vec<ExerciseDecision>,
    /// Every program change made, oldest first.
    pub program_changes: Vec<ProgramChange>,
    pub progress: Option<Progress>,
    pub runs: Vec<RunLine>,
    pub pain: Vec<PainReport>,
    pub days: Vec<DayLog>,
    pub report_comments: Vec<Comment>,
    /// Weekly distance and pain for the chart (the last 12 weeks).
    pub weekly: Vec<crate::insight_charts::WeekPoint>,
    #[serde(skip)]
    pub units: runtall_domain::profile::Units,
}

/// The athlete's name and when they started sharing, as this clinician's list has them.
async fn linked(st: &AppState, viewer: &Viewer, athlete: AthleteId) -> Result<(String, Timestamp), HttpError> {
    let account = viewer.account;
    let list = st.db.accounts(move |a| Ok(a.athletes_of(account)?)).await?;
    list.into_iter().find(|l| l.id == athlete).map(|l| (l.name, l.since)).ok_or(HttpError::NotFound)
}

fn gather_view(
    program: &runtall_domain::content::Program,
    attention: &AttentionCache,
    store: &dyn Store,
    viewer: &Viewer,
    (name, since): (String, Timestamp),
) -> Result<AthleteView, HttpError> {
    let now = Timestamp::now();
    let tz = TimeZone::system();
    let today = now.to_zoned(tz.clone()).date();
    let last = last_visit(store, viewer.account.get())?;
    // The dashboard's kept answer when it has one for this "since" (the same last visit).
    let attention = attention.attention(store, now, last.unwrap_or(since))?;
    let permissions = runtall_app::safety::permissions_at(program, store, now)?;
    let progress = match store.latest_assessment()? {
        Some(_) => Some(progress_in(store, today, &tz)?),
        None => None,
    };
    let comments = store.comments()?;
    let filter = ActivityFilter { limit: Some(RUNS_SHOWN), kind: ActivityKind::Runs, ..ActivityFilter::default() };
    let runs = store
        .activities(&filter)?
        .into_iter()
        .map(|row| {
            let on = CommentOn::Run { run: row.key.clone() };
            RunLine { comments: comments.iter().filter(|c| c.on == on).cloned().collect(), row }
        })
        .collect();
    let from = now.checked_sub(SignedDuration::from_hours(24 * JOURNAL_DAYS)).unwrap_or(Timestamp::MIN);
    let day_from = today.checked_sub(jiff::Span::new().days(JOURNAL_DAYS)).unwrap_or(today);
    let mut pain = store.pain_reports(from, Timestamp::MAX)?;
    pain.reverse();
    let mut days = store.day_logs(day_from, today)?;
    days.reverse();
    let report_comments = comments_on_reports(store, jiff::civil::Date::MIN, jiff::civil::Date::MAX)?;
    let weekly = crate::routes::insights::weekly(store, today, TREND_WEEKS)?;
    let units = store.profile()?.unwrap_or_default().units;
    Ok(AthleteView {
        athlete: store.athlete_id(),
        name,
        sharing_since: since,
        last_visit: last,
        attention,
        mode: permissions.mode,
        headline: permissions.headline.clone(),
        clinician: permissions.clinician.clone(),
        exercises: permissions.exercises.clone(),
        program_changes: store.program_changes()?,
        progress,
        runs,
        pain,
        days,
        report_comments,
        weekly,
        units,
    })
}

/// The athlete's page data after the access check, with this look written to their audit log.
pub(super) async fn load(st: &AppState, who: &Principal, athlete: AthleteId) -> Result<AthleteView, HttpError> {
    let viewer = access(st, who, athlete).await?;
    let linked = linked(st, &viewer, athlete).await?;
    let program = st.program;
    let attention = st.derived.attention(athlete);
    st.db
        .run_for(athlete, move |store| {
            let view = gather_view(program, &attention, store, &viewer, linked)?;
            runtall_app::clinic::audit(
                store,
                &viewer.entry(actions::ATHLETE, "your page: trends, runs, journal and program"),
            )?;
            Ok(view)
        })
        .await
}

async fn page(
    State(st): State<AppState>,
    session: Session,
    who: Principal,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    let athlete = parse_id(&id)?;
    let v = load(&st, &who, athlete).await?;
    let body = html! {
        p { a href="/clinic" { "← Your athletes" } }
        h1 { (v.name) }
        p class="muted" { "Sharing since " (v.sharing_since.strftime("%Y-%m-%d")) " · your last visit: "
            @match v.last_visit { Some(t) => { (t.strftime("%Y-%m-%d %H:%M")) } None => { "never" } } }
        section class="card" aria-labelledby="attention" {
            h2 id="attention" { "What needs attention" }
            @if v.attention.reasons.is_empty() { p { "Nothing needs a look now." } }
            ul class="reasons" { @for r in &v.attention.reasons { li { (r.text) } } }
            p { a class="button" href={ "/clinic/athletes/" (v.athlete) "/report" } { "The report" } }
        }
        (program::section(&session, &st, &v))
        (trends(&v))
        (crate::routes::insights::trend_card(&v.weekly, v.units, None))
        (runs(&session, &v))
        (journal(&v))
    };
    Ok(Page::bare(format!("{} — athlete", v.name), body).render(&session))
}

fn trends(v: &AthleteView) -> Markup {
    html! {
        section class="card" aria-labelledby="trends" {
            h2 id="trends" { "Trends" }
            @match &v.progress {
                None => { p class="empty" { "No assessment yet, so no baseline to compare with." } }
                Some(p) => {
                    p { strong { "Pain: " } (p.pain.sentence) }
                    @if !p.pain.weekly.is_empty() {
                        div class="table-wrap" tabindex="0" role="region" aria-label="Pain by week (scrolls sideways)" {
                            table {
                                thead { tr { th scope="col" { "Week of" } th scope="col" { "Mean daily worst pain" } th scope="col" { "Days with reports" } } }
                                tbody { @for w in p.pain.weekly.iter().rev().take(8) {
                                    tr { td { (w.week_start) } td { (format!("{:.1}", w.mean_daily_max)) } td { (w.days_with_reports) } }
                                } }
                            }
                        }
                    }
                    p { strong { "Function (PSFS): " } (format!("{:.1}", p.psfs.baseline)) " at the start, "
                        (format!("{:.1}", p.psfs.latest)) " now"
                        @if let Some(c) = &p.psfs.change { " — " (c.sentence) } }
                    p { strong { "Adherence: " } (p.adherence.sentence) }
                    @if let Some(e) = &p.escalation { p class="notice warn" { "The runner is shown: " (e.sentence) } }
                }
            }
        }
    }
}

fn runs(session: &Session, v: &AthleteView) -> Markup {
    html! {
        section class="card" aria-labelledby="runs" {
            h2 id="runs" { "Latest runs" }
            @if v.runs.is_empty() { p class="empty" { "No runs yet." } }
            ul class="run-lines" {
                @for r in &v.runs {
                    li {
                        a href={ "/clinic/athletes/" (v.athlete) "/runs/" (r.row.id) } { (r.row.start.strftime("%Y-%m-%d")) }
                        " · " (format!("{:.1} km", r.row.distance_m / 1000.0))
                        " · " (format!("{:.0} min", r.row.moving_s / 60.0))
                        @if let Some(l) = r.row.label { " · " (crate::form::id_of(&l)) }
                        @for c in &r.comments { br; span class="note" { strong { (c.by) ": " } (c.text) } }
                        details {
                            summary { "Comment on this run" }
                            (program::comment_form(session, v.athlete, "run", &r.row.id.to_string()))
                        }
                    }
                }
            }
        }
    }
}

fn journal(v: &AthleteView) -> Markup {
    html! {
        section class="card" aria-labelledby="journal" {
            h2 id="journal" { "The last " (JOURNAL_DAYS) " days of the journal" }
            h3 { "Pain" }
            @if v.pain.is_empty() { p class="empty" { "None logged." } }
            ul { @for p in &v.pain {
                li { (p.at.strftime("%Y-%m-%d")) " · " (p.region.label()) " " (p.intensity.get()) "/10 · " (p.timing.id())
                     @if let Some(n) = &p.notes { " — " (n) } }
            } }
            h3 { "Days" }
            @if v.days.is_empty() { p class="empty" { "No day logged." } }
            ul { @for d in &v.days {
                li { (d.date) ": "
                     @if let Some(h) = d.sitting_h { "sitting " (h.get()) " h · " }
                     @if let Some(h) = d.sleep_h { "sleep " (h.get()) " h · " }
                     "strength " @if d.strength_done { "done" } @else { "not done" }
                     " · mobility " @if d.mobility_done { "done" } @else { "not done" } }
            } }
        }
    }
}

async fn api_athlete(
    State(st): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    Ok(json(load(&st, &who, parse_id(&id)?).await?))
}

/// The report as the athlete would print it (default period), with this look written to their audit log.
async fn load_report(
    st: &AppState,
    who: &Principal,
    athlete: AthleteId,
) -> Result<(String, ReportData, Vec<Comment>), HttpError> {
    let viewer = access(st, who, athlete).await?;
    let (name, _) = linked(st, &viewer, athlete).await?;
    let today = today();
    st.db
        .run_for(athlete, move |store| {
            let data = gather(store, &ReportOptions::default(), today, &TimeZone::system())?;
            let comments = comments_on_reports(store, data.who.from, data.who.to)?;
            runtall_app::clinic::audit(
                store,
                &viewer.entry(actions::REPORT, format!("your report ({} to {})", data.who.from, data.who.to)),
            )?;
            Ok((name, data, comments))
        })
        .await
}

async fn report_page(
    State(st): State<AppState>,
    session: Session,
    who: Principal,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    let athlete = parse_id(&id)?;
    let (name, data, comments) = load_report(&st, &who, athlete).await?;
    let paper = match data.who.paper {
        runtall_app::pt_report::Paper::A4 => "a4",
        runtall_app::pt_report::Paper::Letter => "letter",
    };
    // The week a comment is about: the one the report ends in.
    let week = runtall_app::clinic::week_of(data.who.to);
    let body = html! {
        link rel="stylesheet" href={ "/report/report.css?paper=" (paper) "&v=" (env!("CARGO_PKG_VERSION")) };
        p class="report-tools" { a href={ "/clinic/athletes/" (athlete) } { "← " (name) } }
        section class="card report-tools" aria-labelledby="report-comments" {
            h2 id="report-comments" { "Comments on the report" }
            @for c in &comments { p { strong { (c.by) } " · week of " (match &c.on { CommentOn::Report { week } => week.to_string(), CommentOn::Run { .. } => String::new() }) ": " (c.text) } }
            (program::comment_form(&session, athlete, "report", &week.to_string()))
        }
        (report_page::body(&data))
    };
    Ok(Page::bare(format!("{name} — report"), body).render(&session))
}

async fn api_report(State(st): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<Response, HttpError> {
    let (_, data, comments) = load_report(&st, &who, parse_id(&id)?).await?;
    Ok(json(serde_json::json!({ "report": data, "comments": comments })))
}

/// One run for the clinician: its facts, the chart of pace, heart rate and elevation, the pain logged with it, and
/// the comments with a form to add one.
async fn run_page(
    State(st): State<AppState>,
    session: Session,
    who: Principal,
    Path((id, run)): Path<(String, i64)>,
) -> Result<Response, HttpError> {
    let athlete = parse_id(&id)?;
    let viewer = access(&st, &who, athlete).await?;
    let (name, _) = linked(&st, &viewer, athlete).await?;
    let (stored, units, comments, pain) = st
        .db
        .run_for(athlete, move |store| {
            let stored = store.activity(run)?.ok_or(HttpError::NotFound)?;
            let units = store.profile()?.unwrap_or_default().units;
            let comments = runtall_app::clinic::comments_on_run(store, &stored.activity.source.content_hash)?;
            let start = stored.activity.start;
            let to = start.checked_add(SignedDuration::from_hours(48)).unwrap_or(start);
            let pain: Vec<PainReport> =
                store.pain_reports(start, to)?.into_iter().filter(|p| p.run_id == Some(run)).collect();
            let when = start.strftime("%Y-%m-%d").to_string();
            runtall_app::clinic::audit(store, &viewer.entry(actions::RUN, format!("your run of {when}")))?;
            Ok((stored, units, comments, pain))
        })
        .await?;
    let a = &stored.activity;
    let chart = crate::charts::run_chart(&a.samples, units);
    let body = html! {
        p { a href={ "/clinic/athletes/" (athlete) "#runs" } { "← " (name) } }
        h1 { (a.name.clone().unwrap_or_else(|| format!("Run of {}", a.start.strftime("%Y-%m-%d")))) }
        dl class="facts" {
            div { dt { "Start" } dd { (a.start.strftime("%Y-%m-%d %H:%M UTC")) } }
            div { dt { "Distance" } dd { (crate::units::distance(a.distance_m, units)) } }
            div { dt { "Moving time" } dd { (crate::units::duration(a.moving_s)) } }
            div { dt { "Pace" } dd { (crate::units::speed(a.sport, a.moving_s, a.distance_m, units)) } }
            @if let Some(hr) = a.avg_hr_bpm { div { dt { "Heart rate" } dd { (format!("{hr:.0}")) " bpm" } } }
            @if let Some(c) = &stored.classification { div { dt { "Label" } dd { (crate::form::id_of(&c.label)) } } }
        }
        @match &chart {
            Some((svg, text)) => { figure class="chart-figure" { (svg) figcaption { (text) } } }
            None => { p class="empty" { "No sample stream for this run, so no chart." } }
        }
        section class="card" aria-labelledby="run-pain" {
            h2 id="run-pain" { "Pain with this run" }
            @if pain.is_empty() { p class="empty" { "None logged." } }
            ul { @for p in &pain { li { (p.region.label()) " " (p.intensity.get()) "/10 · " (p.timing.id()) } } }
        }
        section class="card" aria-labelledby="run-comments" {
            h2 id="run-comments" { "Comments" }
            @for c in &comments { p { strong { (c.by) } " · " (c.at.strftime("%Y-%m-%d")) ": " (c.text) } }
            (program::comment_form(&session, athlete, "run", &run.to_string()))
        }
    };
    Ok(Page::bare(format!("{name} — run"), body).render(&session))
}
