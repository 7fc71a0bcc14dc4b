//! `/report`: the report to bring to a physical therapist — shown as a page that prints cleanly, downloaded as the
//! PDF (`/report.pdf`, made by `runtall-report`), or as data (`/api/report`). The same call as `runtall report`
//! (`runtall_app::pt_report::gather`), so the page, the PDF and the CLI never disagree.

use super::{json, today};
use crate::AppState;
use crate::error::HttpError;
use crate::layout::{Nav, Page};
use crate::report_page;
use crate::session::Session;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use maud::html;
use runtall_app::pt_report::{NOTE_MAX_CHARS, Paper, ReportData, ReportOptions, gather};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/report", get(page))
        .route("/report.pdf", get(pdf))
        .route("/report/report.css", get(css))
        .route("/api/report", get(api_report))
}

/// The report's options as the form sends them (all optional; checkboxes are present when ticked).
#[derive(Debug, Default, Deserialize)]
struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
    initials: Option<String>,
    pain_notes: Option<String>,
    note: Option<String>,
}

fn date(field: &str, s: Option<&str>) -> Result<Option<Date>, HttpError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<Date>()
            .map(Some)
            .map_err(|_| HttpError::field(field, format!("'{s}' is not a date like 2026-05-31"))),
    }
}

fn options(q: &ReportQuery) -> Result<ReportOptions, HttpError> {
    Ok(ReportOptions {
        from: date("from", q.from.as_deref())?,
        to: date("to", q.to.as_deref())?,
        initials_only: q.initials.is_some(),
        notes: q.note.clone().into_iter().collect(),
        pain_notes: q.pain_notes.is_some(),
    })
}

/// The app names the option in front of its message ("from: …"): that becomes the form field's error.
fn field_error(e: runtall_app::AppError) -> HttpError {
    if let runtall_app::AppError::State(m) = &e {
        for field in ["from", "to", "note"] {
            if let Some(rest) = m.strip_prefix(field).and_then(|r| r.strip_prefix(": ")) {
                return HttpError::field(field, rest.to_string());
            }
        }
    }
    e.into()
}

async fn load(st: &AppState, options: ReportOptions) -> Result<ReportData, HttpError> {
    let today = today();
    st.db.run(move |store| gather(store, &options, today, &TimeZone::system()).map_err(field_error)).await
}

async fn page(
    State(st): State<AppState>,
    session: Session,
    Query(q): Query<ReportQuery>,
) -> Result<Response, HttpError> {
    let data = load(&st, options(&q)?).await?;
    let (from, to) = (data.who.from, data.who.to);
    let comments = st.db.run(move |store| Ok(runtall_app::clinic::comments_on_reports(store, from, to)?)).await?;
    let paper = match data.who.paper {
        Paper::A4 => "a4",
        Paper::Letter => "letter",
    };
    let checked = |v: &Option<String>| v.is_some();
    let body = html! {
        link rel="stylesheet" href={ "/report/report.css?paper=" (paper) "&v=" (env!("CARGO_PKG_VERSION")) };
        form class="report-tools card" method="get" action="/report" aria-label="Report options" {
            div { label for="r-from" { "From" } input id="r-from" type="date" name="from" value=(data.who.from.to_string()); }
            div { label for="r-to" { "To" } input id="r-to" type="date" name="to" value=(data.who.to.to_string()); }
            div { label { input type="checkbox" name="initials" value="1" checked[checked(&q.initials)]; " Initials only" } }
            div { label { input type="checkbox" name="pain_notes" value="1" checked[checked(&q.pain_notes)]; " Include my pain-log notes" } }
            div class="wide" {
                label for="r-note" { "A note for your physical therapist (optional, up to " (NOTE_MAX_CHARS) " characters)" }
                textarea id="r-note" name="note" maxlength=(NOTE_MAX_CHARS) { (q.note.clone().unwrap_or_default()) }
            }
            div class="wide" {
                button type="submit" class="button" { "Update the report" } " "
                button type="submit" class="button primary" formaction="/report.pdf" { "Download PDF" }
            }
            p class="hint wide" { "To print, use your browser's Print command: the menus and this form are left off the paper. "
                "The PDF is the same report, ready to e-mail or print (" (data.who.paper.name()) ", from your country setting)." }
        }
        (crate::comments::block("Comments from your clinician", &comments))
        (report_page::body(&data))
    };
    Ok(Page::new("Report for your physical therapist", Nav::Insights, body).render(&session))
}

async fn pdf(State(st): State<AppState>, Query(q): Query<ReportQuery>) -> Result<Response, HttpError> {
    let options = options(&q)?;
    let today = today();
    let (bytes, to) = st
        .db
        .run(move |store| {
            let data = gather(store, &options, today, &TimeZone::system()).map_err(field_error)?;
            let bytes = runtall_report::pdf(&data).map_err(HttpError::internal)?;
            Ok((bytes, data.who.to))
        })
        .await?;
    let disposition = format!("attachment; filename=\"runtall-report-{to}.pdf\"");
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/pdf")),
            (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).map_err(HttpError::internal)?),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
struct CssQuery {
    paper: Option<String>,
}

/// The report's style sheet, with the page size of the runner's paper for printing.
async fn css(Query(q): Query<CssQuery>) -> Response {
    let size = if q.paper.as_deref() == Some("letter") { "letter" } else { "A4" };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
        ],
        format!("{}\n@page {{ size: {size}; }}\n", report_page::CSS),
    )
        .into_response()
}

async fn api_report(State(st): State<AppState>, Query(q): Query<ReportQuery>) -> Result<Response, HttpError> {
    let data = load(&st, options(&q)?).await?;
    Ok(json(&data))
}
