//! One athlete's page for their clinician: what needs attention and why, where the program stands (the safety
//! gate's mode and the clinician's changes, with forms to adjust it), trends, the latest runs with comments, the
//! last month's journal, and the report (`/clinic/athletes/{id}/report`, the same `app::pt_report` the athlete
//! prints). Each view's look is written to the athlete's audit log (together with other views', see
//! `crate::audit_writer`) before the page is shown; what the page shows whoever looks is kept between views
//! ([`super::kept_page`]).

use super::kept_page::Key;
use super::{access_linked, parse_id, program};
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
use maud::{Markup, PreEscaped, html};
use runtall_app::clinic::{AttentionCache, SinceInputs, actions, comments_on_reports};
use runtall_app::progress::Progress;
use runtall_app::pt_report::{ReportData, ReportOptions, gather};
use runtall_domain::clinic::attention::Attention;
use runtall_domain::clinic::{Comment, CommentOn, ProgramChange};
use runtall_domain::journal::{DayLog, PainReport};
use runtall_domain::safety::clinician::ClinicianChanges;
use runtall_domain::safety::{ExerciseDecision, Mode};
use runtall_store::{ActivityFilter, ActivityKind, ActivityRow, AthleteId, Store};
use serde::Serialize;
use std::sync::{Arc, OnceLock};

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

/// Everything the athlete's page shows, as its JSON twin gives it: who is looked at and what concerns this
/// clinician (their last visit, the attention counted from it), and the rest, the same whoever looks ([`Shown`]).
#[derive(Debug, Clone, Serialize)]
pub(super) struct AthleteView {
    pub athlete: AthleteId,
    pub name: String,
    pub sharing_since: Timestamp,
    /// The clinician's previous visit (this one not counted).
    pub last_visit: Option<Timestamp>,
    pub attention: Attention,
    #[serde(flatten)]
    pub shown: KeptShown,
}

/// A kept [`Shown`], shared by the views that show it.
#[derive(Debug, Clone)]
pub(super) struct KeptShown(pub Arc<Shown>);

impl std::ops::Deref for KeptShown {
    type Target = Shown;
    fn deref(&self) -> &Shown {
        &self.0
    }
}

impl Serialize for KeptShown {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// What the athlete's page shows that does not depend on who looks, kept between views (see [`super::kept_page`]).
#[derive(Debug, Serialize)]
pub(super) struct Shown {
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
    /// What the attention rule counts from a visit, so each view works out its clinician's attention in memory.
    #[serde(skip)]
    since_inputs: SinceInputs,
    /// The sections without a form (trends, the chart, the journal), rendered by the first view that shows HTML:
    /// they carry no session's token and nothing of the clinician looking.
    #[serde(skip)]
    html: OnceLock<(String, String)>,
}

impl Shown {
    /// An athlete with no records, for tests of the keeping.
    #[cfg(test)]
    pub fn empty() -> Shown {
        Shown {
            mode: Mode::Full,
            headline: String::new(),
            clinician: ClinicianChanges::default(),
            exercises: Vec::new(),
            program_changes: Vec::new(),
            progress: None,
            runs: Vec::new(),
            pain: Vec::new(),
            days: Vec::new(),
            report_comments: Vec::new(),
            weekly: Vec::new(),
            units: runtall_domain::profile::Units::default(),
            since_inputs: SinceInputs::default(),
            html: OnceLock::new(),
        }
    }

    /// The sections without a form — trends with the chart, and the journal — rendered once per kept page.
    fn sections(&self) -> (PreEscaped<&str>, PreEscaped<&str>) {
        let (trends_and_chart, journal_part) = self.html.get_or_init(|| {
            let first = html! {
                (trends(self))
                (crate::routes::insights::trend_card(&self.weekly, self.units, None))
            };
            (first.into_string(), journal(self).into_string())
        });
        (PreEscaped(trends_and_chart), PreEscaped(journal_part))
    }
}

/// The athlete's page as the journal stands at `now` (the revision read before anything else, see
/// [`super::kept_page`]), with the time after which it reads differently even with no new record.
fn gather_shown(
    program: &runtall_domain::content::Program,
    kept: &AttentionCache,
    store: &dyn Store,
    now: Timestamp,
    today: jiff::civil::Date,
    tz: &TimeZone,
) -> Result<(Shown, Option<Timestamp>), HttpError> {
    let changes = store.program_changes()?;
    let permissions = runtall_app::safety::with_records(
        program,
        store,
        store.latest_screening()?.as_ref(),
        store.latest_assessment()?.as_ref(),
        now,
    )?;
    let until = runtall_domain::safety::clinician::next_step(&changes, now);
    let progress = kept.progress(store, today, tz)?;
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
    // Whole days, as the day logs beside them: what is listed changes when the day turns, not every second.
    let day_from = today.checked_sub(jiff::Span::new().days(JOURNAL_DAYS)).unwrap_or(today);
    let from = day_from.to_zoned(tz.clone()).map(|z| z.timestamp()).unwrap_or(Timestamp::MIN);
    let mut pain = store.pain_reports(from, Timestamp::MAX)?;
    pain.reverse();
    let mut days = store.day_logs(day_from, today)?;
    days.reverse();
    let report_comments = comments_on_reports(store, jiff::civil::Date::MIN, jiff::civil::Date::MAX)?;
    let weekly = crate::routes::insights::weekly(store, today, TREND_WEEKS)?;
    let units = store.profile()?.unwrap_or_default().units;
    let shown = Shown {
        mode: permissions.mode,
        headline: permissions.headline,
        clinician: permissions.clinician,
        exercises: permissions.exercises,
        program_changes: changes,
        progress,
        runs,
        pain,
        days,
        report_comments,
        weekly,
        units,
        since_inputs: SinceInputs::read(store)?,
        html: OnceLock::new(),
    };
    Ok((shown, until))
}

/// Gathers the athlete's page before any clinician asks (the warming pass of
/// [`crate::attention_warming`]), unless the page kept for them still holds for the journal as it stands: a
/// clinician going through their athletes then finds each page ready, as the dashboard finds attention ready.
/// Returns whether it gathered. Blocking.
pub(crate) fn warm_page(st: &AppState, store: &dyn Store) -> Result<bool, HttpError> {
    let athlete = store.athlete_id();
    let now = Timestamp::now();
    let tz = TimeZone::system();
    let today = now.to_zoned(tz.clone()).date();
    let key = Key { revision: store.journal_revision()?, day: today };
    if st.derived.pages.get(athlete, key, now).is_some() {
        return Ok(false);
    }
    let kept = st.derived.attention(athlete);
    let (shown, until) = gather_shown(st.program, &kept, store, now, today, &tz)?;
    st.derived.pages.keep(athlete, key, until, Arc::new(shown));
    Ok(true)
}

/// The athlete's page data after the access check, with this look written to their audit log before it is
/// returned. The check, the journal revision and the clinician's last visit come in one look-up
/// ([`crate::principal::clinician_view`], read before this look is written); what does not depend on the clinician
/// comes from the kept page while the revision and the day are the same, so a repeat view reads nothing more of the
/// athlete's records. Otherwise the records are read after that revision (see [`super::kept_page`]).
pub(super) async fn load(st: &AppState, who: &Principal, athlete: AthleteId) -> Result<AthleteView, HttpError> {
    let (_, name) = super::clinician(st, who)?;
    let (account, view) = crate::principal::clinician_view(st, who, athlete, &actions::VISITS).await?;
    let viewer = super::Viewer { account, name };
    let now = Timestamp::now();
    let tz = TimeZone::system();
    let today = now.to_zoned(tz.clone()).date();
    let key = Key { revision: view.revision, day: today };
    let shown = match st.derived.pages.get(athlete, key, now) {
        Some(shown) => shown,
        None => {
            let (program, kept, derived) = (st.program, st.derived.attention(athlete), st.derived.clone());
            let tz = tz.clone();
            st.db
                .run_for(athlete, move |store| {
                    let (shown, until) = gather_shown(program, &kept, store, now, today, &tz)?;
                    let shown = Arc::new(shown);
                    derived.pages.keep(athlete, key, until, shown.clone());
                    Ok(shown)
                })
                .await?
        }
    };
    let link = view.link;
    let since = view.last_visit.unwrap_or(link.since);
    let attention = shown.since_inputs.attention(now, since, &tz, shown.progress.as_ref());
    let out = AthleteView {
        athlete,
        name: link.name,
        sharing_since: link.since,
        last_visit: view.last_visit,
        attention,
        shown: KeptShown(shown),
    };
    st.audit.write(athlete, viewer.entry(actions::ATHLETE, "your page: trends, runs, journal and program")).await?;
    Ok(out)
}

async fn page(
    State(st): State<AppState>,
    session: Session,
    who: Principal,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    let athlete = parse_id(&id)?;
    let v = load(&st, &who, athlete).await?;
    let (trends_and_chart, journal_part) = v.shown.sections();
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
        (trends_and_chart)
        (runs(&session, &v))
        (journal_part)
    };
    Ok(Page::bare(format!("{} — athlete", v.name), body).render(&session))
}

fn trends(v: &Shown) -> Markup {
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
            @if v.shown.runs.is_empty() { p class="empty" { "No runs yet." } }
            ul class="run-lines" {
                @for r in &v.shown.runs {
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

fn journal(v: &Shown) -> Markup {
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
    let (viewer, link) = access_linked(st, who, athlete).await?;
    let today = today();
    let (data, comments) = st
        .db
        .run_for(athlete, move |store| {
            let data = gather(store, &ReportOptions::default(), today, &TimeZone::system())?;
            let comments = comments_on_reports(store, data.who.from, data.who.to)?;
            Ok((data, comments))
        })
        .await?;
    let entry = viewer.entry(actions::REPORT, format!("your report ({} to {})", data.who.from, data.who.to));
    st.audit.write(athlete, entry).await?;
    Ok((link.name, data, comments))
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
    let (viewer, link) = access_linked(&st, &who, athlete).await?;
    let name = link.name;
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
            Ok((stored, units, comments, pain))
        })
        .await?;
    let when = stored.activity.start.strftime("%Y-%m-%d").to_string();
    st.audit.write(athlete, viewer.entry(actions::RUN, format!("your run of {when}"))).await?;
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
