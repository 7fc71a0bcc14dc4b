//! The functional-scale (PSFS) re-score: every two weeks the runner rates the activities they chose again.
//!
//! The same calls as `runtall assess --rescore` (`runtall_app::progress::{rescore_psfs, progress_in, psfs_due}`):
//! only the ratings change, everything else in the assessment is copied, so the plan stays as it was and the
//! change is measured activity by activity against the first scoring, with the meaningful-change rule. The page
//! posts, then redirects to the result (so reloading it never stores a second re-score).

use super::{api_needs_first, json, needs_first, snapshot, today};
use crate::AppState;
use crate::error::HttpError;
use crate::form::{Errors, FormData};
use crate::layout::{Nav, Page, csrf_field, described, error_summary, field_error};
use crate::session::Session;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use maud::{Markup, html};
use runtall_app::progress::{Progress, progress_in, psfs_due, rescore_psfs};
use runtall_domain::assess::{AssessmentRecord, PsfsItem};
use runtall_insights::measures::PsfsChange;
use runtall_store::Store;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rescore", get(page).post(submit))
        .route("/rescore/done", get(done))
        .route("/api/rescore", get(api_get).post(api_post))
}

/// Ratings are on the PSFS scale.
const MIN: f64 = 0.0;
const MAX: f64 = 10.0;

/// The form field of the n-th activity (1-based, so the error summary reads "rating 1", not "rating 0").
fn form_field(i: usize) -> String {
    format!("rating-{}", i + 1)
}

/// A rating as people write it: "6", not "6.0".
fn rating(v: f64) -> String {
    if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v}") }
}

/// The latest assessment, or where the runner has to go first (the screen, the assessment).
async fn latest_or_redirect(st: &AppState) -> Result<Result<AssessmentRecord, Response>, HttpError> {
    let s = snapshot(st).await?;
    if let Some(to) = needs_first(&s) {
        return Ok(Err(Redirect::to(to).into_response()));
    }
    Ok(Ok(api_needs_first(&s)?.clone()))
}

/// Reads the ratings, one per activity, every one required and 0–10; errors by field name.
fn read_form(items: &[PsfsItem], form: &FormData) -> Result<Vec<f64>, Errors> {
    let mut e = Errors::default();
    let ratings: Vec<Option<f64>> = (0..items.len()).map(|i| e.required(form, &form_field(i), MIN, MAX, "")).collect();
    if !e.is_empty() {
        return Err(e);
    }
    Ok(ratings.into_iter().flatten().collect())
}

/// The form: each activity with its last rating, and the scale's meaning once above them.
fn form(session: &Session, a: &AssessmentRecord, values: Option<&FormData>, errors: &Errors) -> Markup {
    let last_date = a.taken_at.to_zoned(TimeZone::system()).date();
    html! {
        h1 { "Re-rate your activities" }
        p class="lead" { "Every 2 weeks, rate again how well you can do the activities you chose. It takes about a "
            "minute and shows whether the plan is helping." }
        div class="notice" id="scale" {
            p { strong { "The scale: " } "0 = cannot do it at all, 10 = as well as before the problem. "
                "Rate how it is today, not how it was last time." }
        }
        (error_summary(errors))
        form method="post" action="/rescore" class="stack card" novalidate {
            (csrf_field(session))
            @for (i, item) in a.assessment.psfs.iter().enumerate() {
                @let name = form_field(i);
                @let hint = format!("h-{name}");
                div class={ "field" @if errors.get(&name).is_some() { " has-error" } } {
                    label for={ "f-" (name) } { (item.activity) }
                    p class="hint" id=(hint) { "Last rating " (rating(item.score.get())) "/10 (" (last_date) "). Now, 0–10:" }
                    (field_error(errors, &name))
                    input id={ "f-" (name) } name=(name) type="number" min="0" max="10" step="any" inputmode="decimal"
                        required value=(values.and_then(|v| v.get(&name)).unwrap_or(""))
                        aria-describedby={ (hint) " scale" @if let Some(e) = described(errors, &name) { " " (e) } };
                }
            }
            button type="submit" class="button primary" { "Save my ratings" }
        }
        p { "Want to change the activities themselves? " a href="/assess" { "Answer the full assessment again" } "." }
    }
}

async fn page(State(st): State<AppState>, session: Session) -> Result<Response, HttpError> {
    let a = match latest_or_redirect(&st).await? {
        Ok(a) => a,
        Err(to) => return Ok(to),
    };
    Ok(Page::new("Re-rate your activities", Nav::Insights, form(&session, &a, None, &Errors::default()))
        .render(&session))
}

async fn submit(State(st): State<AppState>, session: Session, data: FormData) -> Result<Response, HttpError> {
    let a = match latest_or_redirect(&st).await? {
        Ok(a) => a,
        Err(to) => return Ok(to),
    };
    let invalid = |errors: Errors| {
        let mut r = Page::new("Re-rate your activities", Nav::Insights, form(&session, &a, Some(&data), &errors))
            .render(&session);
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        r
    };
    let ratings = match read_form(&a.assessment.psfs, &data) {
        Ok(r) => r,
        Err(errors) => return Ok(invalid(errors)),
    };
    st.db.run(move |store| Ok(rescore_psfs(store, &ratings, Timestamp::now())?)).await?;
    Ok(Redirect::to("/rescore/done").into_response())
}

/// The latest two scorings (the one before, to show each activity's last → new rating) and the progress.
fn result(store: &dyn Store) -> Result<Option<(AssessmentRecord, AssessmentRecord, Progress)>, HttpError> {
    let mut all = store.assessments()?;
    let (Some(latest), Some(before)) = (all.pop(), all.pop()) else { return Ok(None) };
    let progress = progress_in(store, today(), &TimeZone::system())?;
    Ok(Some((before, latest, progress)))
}

/// Green or amber only when the average itself moved by the 2-point bar: a single activity changing by 3 is real
/// but says nothing about the direction of the whole.
fn change_class(c: &PsfsChange) -> &'static str {
    const BAR: f64 = 2.0 - 1e-9;
    match c.change {
        d if c.meaningful && d >= BAR => "notice ok",
        d if c.meaningful && d <= -BAR => "notice warn",
        _ => "notice",
    }
}

/// The result of the latest re-score: each activity's change, and the change against the first scoring judged by
/// the meaningful-change rule.
async fn done(State(st): State<AppState>, session: Session) -> Result<Response, HttpError> {
    if let Err(to) = latest_or_redirect(&st).await? {
        return Ok(to);
    }
    let Some((before, latest, p)) = st.db.run(|store| result(store)).await? else {
        return Ok(Redirect::to("/rescore").into_response());
    };
    let body = html! {
        h1 { "Ratings saved" }
        @match &p.psfs.change {
            Some(c) => {
                div class=(change_class(c)) role="status" {
                    p { (c.sentence) }
                    @if let Some(d) = p.psfs.compared_with { p { "Compared with your first rating of these activities, on " (d) "." } }
                }
            }
            None => div class="notice" role="status" { p { "Saved. The change shows once these activities have been rated twice." } }
        }
        section class="card" aria-labelledby="h-ratings" {
            h2 id="h-ratings" { "Your activities" }
            ul {
                @for item in &latest.assessment.psfs {
                    @let old = before.assessment.psfs.iter().find(|o| o.activity == item.activity);
                    li { strong { (item.activity) } ": "
                        @if let Some(o) = old { (rating(o.score.get())) " → " }
                        (rating(item.score.get())) "/10" }
                }
            }
            p { "Average " (format!("{:.1}", p.psfs.latest)) "/10. Next re-score due " (p.psfs.next.next_due) "." }
            p class="muted" { "A change counts as meaningful at 2 points on the average, or 3 on one activity; smaller "
                "changes are within the usual wobble of ratings." }
        }
        p { a class="button primary" href="/insights" { "See your insights" } " " a class="button" href="/today" { "Back to Today" } }
    };
    Ok(Page::new("Ratings saved", Nav::Insights, body).render(&session))
}

// ------------------------------------------------------------------------------------------------- api

async fn api_get(State(st): State<AppState>) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    let a = api_needs_first(&s)?.clone();
    let tz = TimeZone::system();
    let due = st.db.run(move |store| Ok(psfs_due(store, today(), &tz)?)).await?;
    let activities: Vec<Value> =
        a.assessment.psfs.iter().map(|i| json!({ "activity": i.activity, "last_rating": i.score.get() })).collect();
    Ok(json(json!({
        "activities": activities,
        "last_scored": a.taken_at,
        "due": due,
        "scale": "0 = cannot do it at all, 10 = as well as before the problem",
    })))
}

/// The body of `POST /api/rescore`. Ratings are read as raw JSON values so that a wrong one is reported by its
/// position (`ratings[1]`) rather than as a deserializer error for the whole body.
#[derive(Deserialize)]
struct RescoreBody {
    #[serde(default)]
    ratings: Option<Vec<Value>>,
}

/// One rating per activity, in the activities' order, each a number 0–10.
fn read_json(items: &[PsfsItem], raw: Option<&[Value]>) -> Result<Vec<f64>, HttpError> {
    let Some(raw) = raw else {
        return Err(HttpError::field(
            "ratings",
            format!("required: one rating (0–10) for each of the {} activities", items.len()),
        ));
    };
    if raw.len() != items.len() {
        return Err(HttpError::field(
            "ratings",
            format!("{} ratings given for {} activities; rate every activity, in order", raw.len(), items.len()),
        ));
    }
    let mut e = Errors::default();
    let ratings: Vec<f64> = raw
        .iter()
        .enumerate()
        .filter_map(|(i, v)| match v.as_f64() {
            Some(r) if r.is_finite() && (MIN..=MAX).contains(&r) => Some(r),
            Some(r) => {
                e.add(&format!("ratings[{i}]"), format!("{} — {r} is out of range (allowed 0–10)", items[i].activity));
                None
            }
            None => {
                e.add(&format!("ratings[{i}]"), format!("{} — {v} is not a number (allowed 0–10)", items[i].activity));
                None
            }
        })
        .collect();
    if !e.is_empty() {
        return Err(e.into_http());
    }
    Ok(ratings)
}

async fn api_post(
    State(st): State<AppState>,
    axum::Json(body): axum::Json<RescoreBody>,
) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    let a = api_needs_first(&s)?;
    let ratings = read_json(&a.assessment.psfs, body.ratings.as_deref())?;
    let (record, progress) = st
        .db
        .run(move |store| {
            let record = rescore_psfs(store, &ratings, Timestamp::now())?;
            Ok((record, progress_in(store, today(), &TimeZone::system())?))
        })
        .await?;
    Ok(json(json!({ "assessment": record, "psfs": progress.psfs })))
}
