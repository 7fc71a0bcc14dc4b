//! Insights: is the program working (pain against the baseline, the functional scale), weekly distance against
//! weekly pain, and which factors go with pain after runs — in plain words, as a forest plot, and as numbers.
//!
//! The same calls as `runtall insights` and `runtall progress` (`runtall_app::{report, progress}`), so the page and
//! the CLI never disagree. Associations only: the page says "goes with", never "causes", and offers the experiment
//! that would tell.

use super::{json, snapshot, today};
use crate::AppState;
use crate::error::HttpError;
use crate::insight_charts::{WeekPoint, adherence_chart, forest_axis, forest_row, trend_chart, weekly_series};
use crate::insights_cache::{InsightsCache, View};
use crate::layout::{Nav, Page, csrf_field};
use crate::session::Session;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use jiff::civil::Date;
use maud::{Markup, html};
use runtall_app::observations::local_date;
use runtall_app::progress::{Progress, daily_pain_from};
use runtall_domain::profile::Units;
use runtall_insights::measures::ChangeCategory;
use runtall_insights::{InsightsReport, Verdict, ratio_text};
use runtall_store::{ActivityFilter, ActivityKind, Store};
use serde::Deserialize;
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/insights", get(page))
        .route("/api/insights", get(api_report))
        .route("/api/insights/weekly", get(api_weekly))
        .route("/api/progress", get(api_progress))
}

#[derive(Deserialize)]
struct WeeksQuery {
    weeks: Option<usize>,
}

/// Weeks on the trend chart as asked (4 to 104), or None for the default.
fn weeks(q: &WeeksQuery) -> Result<Option<usize>, HttpError> {
    match q.weeks {
        None => Ok(None),
        Some(w @ 4..=104) => Ok(Some(w)),
        Some(w) => Err(HttpError::field("weeks", format!("{w} weeks: choose 4 to 104"))),
    }
}

/// By default the chart covers the journal, between 8 weeks and half a year, so a new runner's few weeks are not
/// squeezed into one corner of an empty chart.
fn default_weeks(first_run: Option<Date>, today: Date) -> usize {
    let span = first_run.map(|d| (today - d).get_days().max(0) as usize / 7 + 1).unwrap_or(8);
    span.clamp(8, 26)
}

/// The last `weeks` weeks of distance and pain. Only the runs and pain reports that can fall in them are read (from
/// two days before the first week, in UTC, which covers any local date's offset): a year's journal otherwise costs
/// every page that shows the chart a read of every run.
pub(crate) fn weekly(store: &dyn Store, today: Date, weeks: usize) -> Result<Vec<WeekPoint>, HttpError> {
    let first = crate::insight_charts::week_start(today)
        .checked_sub(jiff::Span::new().weeks(weeks.saturating_sub(1) as i64).days(2))
        .unwrap_or(Date::MIN);
    let from = first.to_zoned(jiff::tz::TimeZone::UTC).map(|z| z.timestamp()).unwrap_or(jiff::Timestamp::MIN);
    let filter = ActivityFilter { from: Some(from), kind: ActivityKind::Runs, ..ActivityFilter::default() };
    let runs: Vec<(Date, f64)> = store
        .activities(&filter)?
        .into_iter()
        .filter(|r| r.sport.is_run())
        .map(|r| (local_date(r.start, r.utc_offset_s), r.distance_m / 1000.0))
        .collect();
    let pain: Vec<(Date, u8)> = daily_pain_from(store, from)?.into_iter().map(|p| (p.date, p.intensity)).collect();
    Ok(weekly_series(&runs, &pain, today, weeks))
}

/// Progress needs an assessment (the baseline); without one the page says so instead of failing.
fn progress_if_any(store: &dyn Store, today: Date) -> Result<Option<Progress>, HttpError> {
    if store.latest_assessment()?.is_none() {
        return Ok(None);
    }
    Ok(Some(runtall_app::progress::progress(store, today)?))
}

/// The report for the journal as it is now, reused while the store's revision is unchanged. A write between
/// reading the revision and computing only makes the next request recompute.
fn cached_report(cache: &InsightsCache, store: &dyn Store) -> Result<Arc<InsightsReport>, HttpError> {
    let revision = store.journal_revision()?;
    cache.report(revision, || Ok(runtall_app::report(store)?))
}

/// Progress and the weekly chart for `today` and `weeks`, reused like the report.
pub(super) fn cached_view(
    cache: &InsightsCache,
    store: &dyn Store,
    today: Date,
    weeks: usize,
) -> Result<Arc<View>, HttpError> {
    let revision = store.journal_revision()?;
    cache.view((revision, today, weeks), || {
        Ok(View { progress: progress_if_any(store, today)?, weeks: weekly(store, today, weeks)? })
    })
}

struct Data {
    report: Arc<InsightsReport>,
    view: Arc<View>,
    experiment_running: bool,
}

fn category_class(c: ChangeCategory) -> &'static str {
    match c {
        ChangeCategory::MeaningfullyBetter | ChangeCategory::SlightlyBetter => "notice ok",
        ChangeCategory::MeaningfullyWorse | ChangeCategory::SlightlyWorse => "notice warn",
        ChangeCategory::NoClearChange | ChangeCategory::NotEnoughData => "notice",
    }
}

fn progress_card(p: &Option<Progress>) -> Markup {
    html! {
        section class="card" aria-labelledby="h-progress" {
            h2 id="h-progress" { "Is the program working?" }
            @match p {
                None => {
                    p { "Answer the assessment first: it records your starting pain and the activities you want back, "
                        "which everything here is compared with." }
                    p { a class="button" href="/assess" { "Answer the assessment" } }
                }
                Some(p) => {
                    @if let Some(e) = &p.escalation {
                        div class="notice warn" role="status" {
                            p { strong { "Time to see a physical therapist. " } (e.sentence) " "
                                a href={ "/habits?area=care#" (e.habit) } { "Why, and how to find one" } }
                        }
                    }
                    div class=(category_class(p.pain.category)) { p { (p.pain.sentence) } }
                    p { "Function (the activities you chose): " strong { (format!("{:.1}", p.psfs.baseline)) } "/10 at the start, "
                        strong { (format!("{:.1}", p.psfs.latest)) } "/10 at the latest re-score (" (p.psfs.latest_date) "). "
                        @if p.psfs.next.due_now { strong { "A re-score is due: " } a href="/rescore" { "rate your activities again" } "." }
                        @else { "Next re-score " (p.psfs.next.next_due) "." } }
                    @if let Some(c) = &p.psfs.change { p { (c.sentence) } }
                    p class="muted" { "A change counts as meaningful at about 2 points or 30% on the pain scale; smaller "
                        "changes are within the day-to-day wobble of ratings." }
                    h3 { "Routines done" }
                    p { (p.adherence.sentence) }
                    @if let Some(sum) = &p.adherence.summary { (adherence_chart(&sum.weeks)) }
                    @for n in &p.adherence.notes { p class="muted" { (n) } }
                }
            }
        }
    }
}

/// The chart card; `longer` is the page that shows more weeks (`?weeks=N` is added), if the viewer may open it.
pub(crate) fn trend_card(weeks: &[WeekPoint], units: Units, longer: Option<&str>) -> Markup {
    let (svg, text) = trend_chart(weeks, units == Units::Km);
    html! {
        section class="card" aria-labelledby="h-trend" {
            h2 id="h-trend" { "Pain and weekly distance" }
            figure class="chart-figure" {
                (svg)
                figcaption {
                    ul class="legend" {
                        li { span class="swatch km" {} "distance per week (left axis)" }
                        li { span class="swatch pain" {} "average daily worst pain (right axis, 0–10)" }
                    }
                    p class="muted" { (text) }
                }
            }
            @if let Some(page) = longer {
                p class="muted" { "Show " a href={ (page) "?weeks=13" } { "3 months" } ", " a href={ (page) "?weeks=26" } { "6 months" } " or "
                    a href={ (page) "?weeks=52" } { "a year" } "." }
            }
        }
    }
}

fn verdict_text(v: Verdict) -> &'static str {
    v.label()
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn factors_card(r: &InsightsReport) -> Markup {
    html! {
        section class="card" aria-labelledby="h-factors" {
            h2 id="h-factors" { "What goes with pain after your runs" }
            p { (runtall_domain::text::count(r.runs, "run", "runs")) "; pain followed " (r.runs_with_pain) " of them. These are associations in your own journal, "
                "not causes — the way to know is to change one thing at a time." }
            @if r.summary.is_empty() {
                p class="empty" { "Nothing to say yet." }
            } @else {
                ul class="summary-lines" { @for line in &r.summary { li { (line) } } }
            }
            @for e in &r.entangled {
                div class="notice warn" { p { (e.sentence) } }
            }
            h3 { "Each factor: how much more often pain followed" }
            p class="muted" { "Dot: runs with the factor against runs without it (risk ratio; right of the dashed line = more "
                "pain with it, left = less). Bar: the range the data allow (95% interval, wider where a cut point was searched "
                "for). A factor needs at least 3 runs with and 3 without before it is judged, and the bar for "
                "\u{201c}likely\u{201d} is set high because " (r.method.factors_judged) " factors are tested at once." }
            ul class="legend" {
                li { span class="swatch likely" {} "likely link" }
                li { span class="swatch possible" {} "possible link" }
                li { span class="swatch none" {} "no clear link" }
                li { span class="swatch less" {} "goes with less pain" }
            }
            (forest_axis())
            ol class="forest" {
                @for f in &r.factors {
                    li {
                        div class="forest-label" {
                            strong { (f.label) } " "
                            span class={ "verdict " (serde_json::to_value(f.verdict).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()) } { "— " (verdict_text(f.verdict)) }
                        }
                        (forest_row(f))
                        p class="forest-text" {
                            @if let Some(p) = &f.pattern { strong { (capitalized(p)) "." } " " }
                            (f.counts_sentence)
                            @match (&f.risk_ratio, f.verdict) {
                                (_, Verdict::NoPainYet) => " No pain events yet, so nothing to compare.",
                                (Some(rr), _) => {
                                    " Risk ratio " (ratio_text(rr.estimate)) " (" (format!("{:.0}", (100.0 * rr.level).floor())) "% interval "
                                    (ratio_text(rr.lower)) "–" (ratio_text(rr.upper)) ")."
                                }
                                (None, _) => "",
                            }
                            @if let Some(m) = &f.more_runs_needed {
                                " Needs " (m.with_factor) " more with and " (m.without_factor) " more without"
                                @if let Some(n) = m.estimated_runs { " (about " (n) " more runs at your usual mix)" } "."
                            }
                        }
                    }
                }
            }
            (forest_axis())
            p class="muted" { "Every number is in " a href="/api/insights" { "the JSON report" } " (the same as " code { "runtall insights --json" } ")." }
        }
    }
}

fn suggestion_card(session: &Session, r: &InsightsReport, running: bool) -> Markup {
    html! {
        @if let Some(s) = &r.suggestion {
            section class="card" aria-labelledby="h-next" {
                h2 id="h-next" { "Test it" }
                p { (s.sentence) }
                @if running {
                    p { "An experiment is already running: " a href="/experiments" { "see how it is going" } "." }
                } @else {
                    form method="post" action="/experiments" {
                        (csrf_field(session))
                        input type="hidden" name="factor" value=(s.factor.id());
                        button type="submit" class="button primary" { "Start this experiment" }
                    }
                }
            }
        }
    }
}

async fn load(st: &AppState, weeks_shown: Option<usize>) -> Result<Data, HttpError> {
    let today = today();
    let cache = st.mine()?.insights.clone();
    st.db
        .run(move |store| {
            let report = cached_report(&cache, store)?;
            let n = weeks_shown.unwrap_or_else(|| default_weeks(report.first_run, today));
            Ok(Data {
                view: cached_view(&cache, store, today, n)?,
                experiment_running: store.active_experiment()?.is_some(),
                report,
            })
        })
        .await
}

async fn page(
    State(st): State<AppState>,
    session: Session,
    Query(q): Query<WeeksQuery>,
) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    let d = load(&st, weeks(&q)?).await?;
    let posture = st.db.run(|store| Ok(runtall_app::posture::report(store)?)).await?;
    let body = html! {
        h1 { "Insights" }
        (progress_card(&d.view.progress))
        (super::posture::insights_card(&posture))
        @if d.report.runs == 0 {
            div class="empty card" {
                h2 { "Import your first run" }
                p { "Insights compare your runs with the pain you log after them. Import your watch files, then log pain "
                    "(even \u{201c}0\u{201d}) and a little context after each run." }
                p { a class="button primary" href="/import" { "Import runs" } " " a class="button" href="/pain" { "Log pain" } }
            }
        } @else {
            (trend_card(&d.view.weeks, s.profile.units, Some("/insights")))
            (factors_card(&d.report))
            (suggestion_card(&session, &d.report, d.experiment_running))
        }
        p { a href="/experiments" { "Self-experiments →" } }
        p { a href="/report" { "A report for your physical therapist (page or PDF) →" } }
    };
    Ok(Page::new("Insights", Nav::Insights, body).render(&session))
}

async fn api_report(State(st): State<AppState>) -> Result<Response, HttpError> {
    let cache = st.mine()?.insights.clone();
    let report = st.db.run(move |store| cached_report(&cache, store)).await?;
    Ok(json(&*report))
}

async fn api_weekly(State(st): State<AppState>, Query(q): Query<WeeksQuery>) -> Result<Response, HttpError> {
    let n = weeks(&q)?.unwrap_or(26);
    let today = today();
    let cache = st.mine()?.insights.clone();
    let view = st.db.run(move |store| cached_view(&cache, store, today, n)).await?;
    Ok(json(&view.weeks))
}

async fn api_progress(State(st): State<AppState>) -> Result<Response, HttpError> {
    let today = today();
    let (p, posture) = st
        .db
        .run(move |store| Ok((runtall_app::progress::progress(store, today)?, runtall_app::posture::report(store)?)))
        .await?;
    // Posture is an outcome beside pain and function: the same report as `runtall progress --json`.
    let mut v = serde_json::to_value(&p).map_err(HttpError::internal)?;
    v["posture"] = serde_json::to_value(&posture).map_err(HttpError::internal)?;
    Ok(json(v))
}
