//! Posture: a side photo or a run video measured in the browser-found landmarks, stored as landmarks and measures.
//!
//! The page finds landmarks with MediaPipe Pose (vendored, served from `/assets/pose/`), runs it in the page, and
//! lets the runner drag the markers; every number comes from the server (`runtall_app::posture`, the same calls as
//! `runtall posture`), previewed with `/api/posture/measure` while markers move. The photo and the video stay in the
//! browser; the photo is uploaded only when "keep the photo" is ticked, to a private folder beside the database.

use super::{api_needs_first, json, needs_first, snapshot, today};
use crate::AppState;
use crate::error::HttpError;
use crate::layout::{Nav, Page, csrf_field};
use crate::posture_charts::{history_chart, video_chart};
use crate::session::Session;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::civil::Date;
use maud::{Markup, html};
use runtall_app::posture::{self, Detail, PhotoStore, PostureCheck, PostureReport};
use runtall_domain::posture::{LandmarkFile, PostureKind, QualityFlag, parse_landmarks};
use serde::Deserialize;

use crate::body_limits::{LANDMARKS_LIMIT, POSTURE_PHOTO_LIMIT};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/posture", get(api_list).post(api_add))
        .route("/api/posture/measure", post(api_measure))
        .layer(DefaultBodyLimit::max(LANDMARKS_LIMIT))
        .route("/api/posture/{id}/photo", post(api_photo))
        .layer(DefaultBodyLimit::max(POSTURE_PHOTO_LIMIT))
        .route("/posture", get(page))
        .route("/posture/{id}", get(check_page))
        .route("/posture/{id}/photo", get(photo))
        .route("/posture/{id}/delete", post(delete_form))
        .route("/api/posture/report", get(api_report))
        .route("/api/posture/{id}", get(api_get))
        .route("/api/posture/{id}/delete", post(api_delete))
}

fn photos(st: &AppState) -> Result<PhotoStore, HttpError> {
    st.photos()
}

/// What the page posts: a landmark file with the kind and date chosen on the page.
#[derive(Deserialize)]
struct AddBody {
    landmarks: serde_json::Value,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    taken_on: Option<String>,
}

fn landmark_file(v: &serde_json::Value) -> Result<LandmarkFile, HttpError> {
    Ok(parse_landmarks(&v.to_string())?)
}

async fn api_measure(body: Bytes) -> Result<Response, HttpError> {
    let text = std::str::from_utf8(&body).map_err(|_| HttpError::field("landmarks", "not UTF-8 text"))?;
    let file = parse_landmarks(text)?;
    let detail = tokio::task::spawn_blocking(move || posture::preview(&file)).await.map_err(HttpError::internal)??;
    // The quality flags in words too, so the page shows the same sentences as the CLI without its own copy.
    let quality: Vec<String> = match &detail {
        Detail::Photo { measures, .. } => measures.quality.iter().map(QualityFlag::describe).collect(),
        Detail::Video { .. } => Vec::new(),
    };
    let mut v = serde_json::to_value(&detail).map_err(HttpError::internal)?;
    v["quality_text"] = serde_json::json!(quality);
    v["cva_mdc_deg"] = serde_json::json!(runtall_domain::posture::CVA_MDC_DEG);
    Ok(json(v))
}

async fn api_add(State(st): State<AppState>, axum::Json(body): axum::Json<AddBody>) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    api_needs_first(&s)?;
    let file = landmark_file(&body.landmarks)?;
    let kind = match body.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(PostureKind::parse(k).ok_or_else(|| {
            HttpError::field("kind", format!("'{k}' is not one of standing, stacked, desk, run-video"))
        })?),
    };
    let date = match body.taken_on.as_deref().filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => Some(
            d.parse::<Date>()
                .map_err(|_| HttpError::field("taken_on", format!("'{d}' is not a date like 2026-05-31")))?,
        ),
    };
    let today = today();
    let check = st.db.run(move |store| Ok(posture::add(store, file, kind, date, today)?)).await?;
    Ok((StatusCode::CREATED, axum::Json(check)).into_response())
}

async fn api_photo(State(st): State<AppState>, Path(id): Path<i64>, body: Bytes) -> Result<Response, HttpError> {
    let photos = photos(&st)?;
    st.db.run(move |store| Ok(posture::keep_photo(store, &photos, id, &body)?)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn api_list(State(st): State<AppState>) -> Result<Response, HttpError> {
    Ok(json(st.db.run(|store| Ok(posture::list(store)?)).await?))
}

async fn api_get(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Response, HttpError> {
    Ok(json(st.db.run(move |store| Ok(posture::get(store, id)?)).await?))
}

async fn api_report(State(st): State<AppState>) -> Result<Response, HttpError> {
    Ok(json(st.db.run(|store| Ok(posture::report(store)?)).await?))
}

async fn delete(st: &AppState, id: i64) -> Result<(), HttpError> {
    let photos = photos(st)?;
    let existed = st.db.run(move |store| Ok(posture::delete(store, &photos, id)?)).await?;
    if existed { Ok(()) } else { Err(HttpError::NotFound) }
}

async fn api_delete(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Response, HttpError> {
    delete(&st, id).await?;
    Ok(json(serde_json::json!({ "deleted": id })))
}

async fn delete_form(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Response, HttpError> {
    delete(&st, id).await?;
    Ok(Redirect::to("/posture?deleted=1").into_response())
}

/// A kept photo, to its owner only (behind the same login as every page), never cached.
async fn photo(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Response, HttpError> {
    let row =
        st.db.run(move |store| Ok(runtall_store::Store::posture(store, id)?)).await?.ok_or(HttpError::NotFound)?;
    let name = row.photo.ok_or(HttpError::NotFound)?;
    let path = photos(&st)?.path(&name).ok_or(HttpError::NotFound)?;
    let bytes = tokio::fs::read(&path).await.map_err(|_| HttpError::NotFound)?;
    let kind = if name.ends_with(".png") { "image/png" } else { "image/jpeg" };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
struct PageQuery {
    deleted: Option<u8>,
}

fn quality_list(q: &[QualityFlag]) -> Markup {
    html! {
        @if !q.is_empty() {
            ul class="quality" { @for f in q { li { (f.describe()) } } }
        }
    }
}

fn history_section(r: &PostureReport, checks: &[PostureCheck]) -> Markup {
    html! {
        section class="card" aria-labelledby="h-history" id="history" {
            h2 id="h-history" { "Your posture over time" }
            @if checks.is_empty() {
                p { "No checks yet. Take your first side photo above; repeat it every few weeks, same place, same time of day." }
            }
            @for h in &r.histories {
                h3 { (h.kind.label()) " — " (h.photos) " photo" @if h.photos != 1 { "s" } " on " (h.days) " day" @if h.days != 1 { "s" } }
                @if let Some(cva) = h.measure("cva") { (history_chart(cva)) }
                ul class="trend" { @for t in &h.trends { li { (posture::trend_sentence(t)) } } }
            }
            @if !r.videos.is_empty() {
                h3 { "Run videos" }
                // The latest three; every one is in the list below.
                @for v in r.videos.iter().rev().take(3) {
                    p { a href={ "/posture/" (v.id) } { "Run video of " (v.taken_on) } ": " (posture::drift_sentence(&v.summary)) }
                }
            }
            @if !checks.is_empty() {
                h3 { "Every check" }
                ul class="checks" {
                    @for c in checks.iter().rev() {
                        li { a href={ "/posture/" (c.id) } { (c.taken_on) " · " (c.kind.label()) }
                            @if let Some(m) = c.measures() { " — CVA " (format!("{:.1}°", m.cva_deg)) }
                            @if c.photo_kept { " · photo kept" } }
                    }
                }
            }
            p class="muted" { "The error band is the smallest change that is more than measurement error: ±"
                (r.cva_mdc_deg) "° for the CVA (" (r.cva_mdc_source) "), or your own spread between photos taken on "
                "the same day when that is larger. A change inside it is \u{201c}no measurable change\u{201d}. CVA "
                "cut-offs are not validated: this is your own trend, not a diagnosis (evidence brief, §3)." }
        }
    }
}

async fn page(State(st): State<AppState>, session: Session, Query(q): Query<PageQuery>) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    if let Some(to) = needs_first(&s) {
        return Ok(Redirect::to(to).into_response());
    }
    let checks = st.db.run(|store| Ok(posture::list(store)?)).await?;
    let report = posture::report_of(&checks);
    let today = today();
    let body = html! {
        h1 { "Posture check" }
        @if q.deleted.is_some() { div class="notice ok" role="status" { p { "Check deleted." } } }
        p class="lead" { "A side photo measures how far your head sits ahead of your shoulders (the craniovertebral "
            "angle, CVA), how your trunk leans and how shoulder, hip and ankle stack. A side-view run video shows "
            "whether that fades late in the run." }
        p class="muted" { "Your photo and video stay in this browser: the landmarks are found here, and only the points "
            "and the measures are saved — unless you tick \u{201c}keep the photo\u{201d}." }
        details class="card guidance" {
            summary { "How to take a usable photo" }
            ul {
                li { "Stand side-on to the camera, relaxed, looking ahead; arms hanging." }
                li { "Camera at shoulder height, 2–3 m away, phone upright (not tilted)." }
                li { "Whole body in the picture, or at least head to hips; plain background, fitted top, hair off the ear." }
                li { "Optional: a second photo in your \u{201c}stacked\u{201d} position (ribs over pelvis, head over "
                    "shoulders), and one at your desk as you usually sit." }
                li { "Two photos on the same day tell how much your own measurements wobble." }
            }
        }
        section class="card" aria-labelledby="h-photo" id="photo-check" data-today=(today) {
            h2 id="h-photo" { "Side photo" }
            noscript { p class="notice" { "The photo check needs JavaScript. Without it, add landmark coordinates with "
                code { "runtall posture add --landmarks FILE.json" } "." } }
            div class="stack" {
                label for="photo-file" { "Take or choose a photo" }
                input type="file" id="photo-file" accept="image/*" capture="environment";
                div class="row" {
                    label for="photo-kind" { "What it shows" }
                    select id="photo-kind" {
                        option value="standing" selected { "Relaxed standing" }
                        option value="stacked" { "Stacked position" }
                        option value="desk" { "At the desk" }
                    }
                    label for="photo-date" { "Taken on" }
                    input type="date" id="photo-date" value=(today) max=(today);
                    label for="pose-model" { "Model" }
                    select id="pose-model" {
                        option value="lite" selected { "Lite (faster)" }
                        option value="full" { "Full (more precise)" }
                    }
                }
            }
            p id="photo-status" class="status" role="status" aria-live="polite" {}
            div id="photo-stage" class="pose-stage" hidden {
                canvas id="photo-canvas" hidden {}
                svg id="photo-markers" class="markers" role="group" aria-label="Your photo with landmark markers: drag them, or focus one and use the arrow keys (Shift moves 10 pixels)" {}
                p { button type="button" class="button small" id="photo-zoom" { "Zoom to head and shoulders" } }
            }
            div id="photo-result" hidden {
                p class="muted" { "Markers were placed by the model. " strong { "C7 is estimated" } " from your shoulder "
                    "and ear (pose models find the shoulder joint, not the spine): drag it onto the bony bump at the "
                    "base of your neck, and the tragus marker onto the small flap in front of the ear canal." }
                dl id="photo-measures" class="measures" aria-live="polite" {}
                ul id="photo-quality" class="quality" {}
                label class="check" { input type="checkbox" id="photo-keep"; " Keep the photo (stored privately beside your database; deleted with the check)" }
                p { button type="button" class="button primary" id="photo-save" { "Save this check" } }
            }
        }
        section class="card" aria-labelledby="h-video" id="video-check" {
            h2 id="h-video" { "Run video" }
            p { "A side-view video on a treadmill, or filmed by a friend alongside — a minute early in a long run and a "
                "minute late, or the whole run. Landmarks are found frame by frame here; only a per-minute summary is saved." }
            div class="stack" {
                label for="video-file" { "Choose a video" }
                input type="file" id="video-file" accept="video/*";
                div class="row" {
                    label for="video-date" { "Filmed on" }
                    input type="date" id="video-date" value=(today) max=(today);
                    label for="video-rate" { "Frames analysed" }
                    select id="video-rate" {
                        option value="auto" selected { "Automatic (what this device manages in real time)" }
                        option value="2" { "2 per second" }
                        option value="5" { "5 per second" }
                        option value="10" { "10 per second" }
                    }
                }
            }
            div id="video-progress-box" hidden {
                label for="video-progress" id="video-progress-label" { "Analysing…" }
                progress id="video-progress" max="100" value="0" {}
                p { button type="button" class="button" id="video-cancel" { "Cancel" } }
            }
            p id="video-status" class="status" role="status" aria-live="polite" {}
            video id="video-el" muted playsinline hidden {}
        }
        (history_section(&report, &checks))
        (csrf_field(&session))
    };
    Ok(Page::new("Posture check", Nav::Insights, body).script("posture.js").render(&session))
}

async fn check_page(State(st): State<AppState>, session: Session, Path(id): Path<i64>) -> Result<Response, HttpError> {
    let check = st.db.run(move |store| Ok(posture::get(store, id)?)).await?;
    let body = html! {
        p { a href="/posture" { "← Posture" } }
        h1 { (check.kind.label()) ", " (check.taken_on) }
        @match &check.detail {
            Detail::Photo { landmarks, measures: m } => {
                dl class="measures" id="check-measures" {
                    dt { "CVA" } dd { strong data-cva=(format!("{:.3}", m.cva_deg)) { (format!("{:.1}°", m.cva_deg)) }
                        " ± " (runtall_domain::posture::CVA_MDC_DEG) "° measurement error" }
                    dt { "Head forward" } dd { (format!("{:.2}", m.head_forward)) " trunk lengths of the tragus ahead of the shoulder" }
                    dt { "Trunk lean" } dd { (format!("{:.1}°", m.trunk_lean_deg)) @if m.trunk_lean_deg >= 0.0 { " forward" } @else { " backward" } }
                    dt { "Stack" } dd { "shoulder, hip" @if m.stack.hip_over_ankle.is_some() { " and ankle" } " within "
                        (format!("{:.2}", m.stack.spread)) " trunk lengths of one vertical line" }
                    dt { "Facing" } dd { (m.facing.name()) " (" (m.facing.name()) " side to the camera)" }
                }
                (quality_list(&m.quality))
                @if check.photo_kept {
                    figure class="chart-figure" {
                        img class="kept-photo" src={ "/posture/" (check.id) "/photo" } alt="Your kept photo";
                        figcaption { "Kept photo. Markers: tragus (" (format!("{:.0}, {:.0}", landmarks.points.tragus.x, landmarks.points.tragus.y))
                            "), C7 (" (format!("{:.0}, {:.0}", m.c7.x, m.c7.y)) ") in image pixels." }
                    }
                }
                p class="muted" { "A personal trend, not a diagnosis: CVA cut-offs are not validated." }
            }
            Detail::Video { summary } => {
                p { (summary.frames_used) " of " (summary.frames_total) " frames usable, "
                    (format!("{:.0}", summary.duration_s)) " s, facing " (summary.facing.name()) "." }
                (video_chart(summary))
                p id="drift" { (posture::drift_sentence(summary)) }
                table class="minutes" id="video-minutes" {
                    caption { "Median per minute (quartiles in brackets)" }
                    thead { tr { th scope="col" { "Minute" } th scope="col" { "Frames" } th scope="col" { "Head forward" } th scope="col" { "Trunk lean" } } }
                    tbody {
                        @for m in &summary.minutes {
                            tr { td { (m.minute + 1) } td { (m.frames) }
                                td { (format!("{:.2} ({:.2}–{:.2})", m.head_forward, m.head_forward_q1, m.head_forward_q3)) }
                                td { (format!("{:.1}° ({:.1}–{:.1})", m.trunk_lean_deg, m.trunk_lean_q1, m.trunk_lean_q3)) } }
                        }
                    }
                }
            }
        }
        form method="post" action={ "/posture/" (check.id) "/delete" } class="inline" {
            (csrf_field(&session))
            button type="submit" class="button danger" { "Delete this check" @if check.photo_kept { " and its photo" } }
        }
    };
    Ok(Page::new(format!("Posture check {}", check.taken_on), Nav::Insights, body).render(&session))
}

/// The posture card of the Insights page: posture as an outcome beside pain and function.
pub fn insights_card(r: &PostureReport) -> Markup {
    html! {
        section class="card" aria-labelledby="h-posture" {
            h2 id="h-posture" { "Posture" }
            @if r.checks == 0 {
                p { "No posture checks yet. " a href="/posture" { "Take a side photo" } " to follow your head and trunk position over time." }
            } @else {
                @if let Some(h) = r.history(PostureKind::Standing) {
                    @if let Some(cva) = h.measure("cva") { (history_chart(cva)) p { (posture::trend_sentence(cva)) } }
                }
                @if let Some(v) = r.videos.last() { p { "Latest run video (" (v.taken_on) "): " (posture::drift_sentence(&v.summary)) } }
                p { a href="/posture" { "Posture checks →" } }
            }
        }
    }
}
