//! The library: exercises (dose, cues, mistakes, stop-if, contraindications, progression), routines, the breathing
//! course, relief options with their limits, and habits — `runtall exercises|routines|learn|relief|habits`.
//!
//! Content comes straight from `runtall_content::program()`; every item shows its source and evidence strength.
//! Lesson progress is stored in the database, shared with `runtall learn` (reading a lesson there marks it done):
//! "Mark as done" is a plain form (and `/api/lessons/{id}/done` its JSON twin), so it works without JavaScript.

use super::json;
use crate::AppState;
use crate::error::HttpError;
use crate::form::{FormData, id_of};
use crate::layout::{Nav, Page, bullets, csrf_field, figure_img, minutes, sources};
use crate::session::Session;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use runtall_app::completion::{self, CourseProgress};
use runtall_content::{ExerciseCategory, HabitArea, ReliefKind, step_dose};
use runtall_domain::plan::equipment_label;
use runtall_domain::profile::condition_label;
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/library", get(index))
        .route("/library/exercises/{id}", get(exercise))
        .route("/library/routines/{id}", get(routine))
        .route("/learn", get(course))
        .route("/learn/{id}", get(lesson))
        .route("/learn/{id}/done", post(mark_form))
        .route("/relief", get(relief))
        .route("/habits", get(habits))
        .route("/api/exercises", get(api_exercises))
        .route("/api/exercises/{id}", get(api_exercise))
        .route("/api/routines", get(api_routines))
        .route("/api/routines/{id}", get(api_routine))
        .route("/api/lessons", get(api_lessons))
        .route("/api/lessons/progress", get(api_progress))
        .route("/api/lessons/{id}", get(api_lesson))
        .route("/api/lessons/{id}/done", post(api_mark))
        .route("/api/relief", get(api_relief))
        .route("/api/habits", get(api_habits))
}

fn category(c: ExerciseCategory) -> &'static str {
    c.label()
}

async fn progress(st: &AppState) -> Result<CourseProgress, HttpError> {
    let program = st.program;
    st.db.run(move |store| completion::course_progress(store, program).map_err(app_error)).await
}

fn app_error(e: runtall_app::AppError) -> HttpError {
    match e {
        runtall_app::AppError::Store(e) => e.into(),
        other => HttpError::internal(other),
    }
}

/// "3 of 8 lessons done" with a bar, and the next lesson to read.
fn progress_summary(c: &CourseProgress) -> Markup {
    html! {
        p id="course-progress" class="progress-text" {
            label for="course-bar" { (c.summary()) }
            " " progress id="course-bar" max=(c.total) value=(c.done) { (c.done) "/" (c.total) }
        }
        @match &c.next {
            Some(n) => p { "Next: " a href={ "/learn/" (n.id) } { "Lesson " (n.number) ": " (n.title) } },
            None => p class="notice ok" { "Every lesson done — well done." },
        }
    }
}

async fn index(State(st): State<AppState>, session: Session) -> Result<Response, HttpError> {
    let p = st.program;
    let course = progress(&st).await?;
    let mut cats: Vec<ExerciseCategory> = p.exercises.iter().map(|e| e.category).collect();
    cats.dedup();
    let body = html! {
        h1 { "Library" }
        nav class="toc" aria-label="Library sections" {
            ul { li { a href="#exercises" { "Exercises" } } li { a href="#routines" { "Routines" } } li { a href="/learn" { "Breathing course" } }
                 li { a href="/breathe" { "Breathe now" } } li { a href="/breaks" { "Sitting breaks" } }
                 li { a href="/relief" { "Relief options" } } li { a href="/habits" { "Habits" } }
                 li { a href="/sources" { "Sources" } } }
        }
        section id="exercises" {
            h2 { "Exercises" }
            @for c in cats {
                h3 { (category(c)) }
                ul class="cards" {
                    @for e in p.exercises.iter().filter(|e| e.category == c) {
                        li class="with-figure" {
                            (figure_img(p, &e.id, "thumb"))
                            div { a href={ "/library/exercises/" (e.id) } { strong { (e.name) } } br; span class="muted" { (e.dose.line()) } }
                        }
                    }
                }
            }
        }
        section id="routines" {
            h2 { "Routines" }
            ul class="cards" {
                @for r in &p.routines {
                    li {
                        a href={ "/library/routines/" (r.id) } { strong { (r.name) } }
                        " " span class="muted" { "~" (minutes(p.routine_seconds(r))) }
                        br; span class="muted" { (r.frequency) }
                    }
                }
            }
        }
        section {
            h2 { "Breathing course" }
            p { (p.lessons.len()) " short lessons. " a href="/learn" { "Open the course" } " · "
                a href="/breathe" { "A breathing session on its own" } }
            (progress_summary(&course))
        }
    };
    Ok(Page::new("Library", Nav::Library, body).render(&session))
}

async fn exercise(State(st): State<AppState>, session: Session, Path(id): Path<String>) -> Result<Response, HttpError> {
    let p = st.program;
    let e = p.exercise(&id).ok_or(HttpError::NotFound)?;
    let body = html! {
        p { a href="/library#exercises" { "← Library" } }
        h1 { (e.name) }
        p class="lead" { (e.summary) }
        (crate::layout::figure_panels(p, &e.id))
        dl class="facts" {
            div { dt { "Dose" } dd { (e.dose.line()) " — " (e.dose.frequency) } }
            div { dt { "Takes" } dd { "~" (minutes(e.dose.estimated_seconds())) } }
            div { dt { "Position" } dd { (e.position) } }
            div { dt { "Equipment" } dd { @for (i, q) in e.equipment.iter().enumerate() { @if i > 0 { ", " } (equipment_label(*q)) } } }
        }
        (bullets("Steps", &e.steps))
        (bullets("Cues", &e.cues))
        (feel(&e.feel))
        (bullets("Common mistakes", &e.mistakes))
        div class="notice warn" { (bullets("Stop if", &e.stop_if)) }
        @if !e.contraindicated_with.is_empty() {
            h3 class="small" { "Not offered with" }
            ul { @for c in &e.contraindicated_with { li { (condition_label(*c)) } } }
        }
        (bullets("Cautions", &e.cautions))
        (bullets("Progression (one change a week)", &e.progression))
        @if let Some(alt) = e.alternative.as_deref().and_then(|a| p.exercise(a)) {
            p { "Alternative: " a href={ "/library/exercises/" (alt.id) } { (alt.name) } }
        }
        (sources(p, &e.cite, e.evidence))
    };
    Ok(Page::new(e.name.clone(), Nav::Library, body).render(&session))
}

/// "What you should feel": where, and what it feels like when done well (the stop-if list says when it is not).
pub fn feel(f: &runtall_content::Feel) -> Markup {
    html! {
        div class="feel" {
            h3 class="small" { "What you should feel" }
            p { span class="label" { "Where: " } (f.place) }
            p { (f.what) }
        }
    }
}

async fn routine(State(st): State<AppState>, session: Session, Path(id): Path<String>) -> Result<Response, HttpError> {
    let p = st.program;
    let r = p.routine(&id).ok_or(HttpError::NotFound)?;
    let body = html! {
        p { a href="/library#routines" { "← Library" } }
        h1 { (r.name) }
        p class="lead" { (r.summary) }
        p { "~" (minutes(p.routine_seconds(r))) " · " (r.frequency) }
        ol class="steps-list" {
            @for s in &r.steps {
                @if let Some(ex) = p.exercise(&s.exercise) {
                    li class="with-figure" {
                        (figure_img(p, &ex.id, "thumb"))
                        div { a href={ "/library/exercises/" (ex.id) } { (ex.name) } " — " (step_dose(ex, s).line())
                            @if let Some(n) = &s.note { br; span class="note" { (n) } } }
                    }
                }
            }
        }
        p { a class="button primary" href={ "/session/" (r.id) } { "Start guided session" } }
        p class="hint" { "The guided session adapts the steps to your answers (conditions, equipment, reduced program)." }
        (sources(p, &r.cite, r.evidence))
    };
    Ok(Page::new(r.name.clone(), Nav::Library, body).render(&session))
}

async fn course(State(st): State<AppState>, session: Session) -> Result<Response, HttpError> {
    let p = st.program;
    let c = progress(&st).await?;
    let next = c.next.as_ref().map(|n| n.id.as_str());
    let body = html! {
        h1 { "Breathing course" }
        p class="lead" { (p.lessons.len()) " short lessons on how posture and breathing work together while you run." }
        (progress_summary(&c))
        ol class="lessons" data-total=(c.total) data-done=(c.done) {
            @for l in &c.lessons {
                @let is_next = next == Some(l.id.as_str());
                li data-lesson=(l.id) class=[is_next.then_some("card")] aria-current=[is_next.then_some("step")] {
                    a href={ "/learn/" (l.id) } { (l.title) } " " span class="muted" { (l.minutes) " min" }
                    @if l.done_at.is_some() { " " span class="done-mark" { "✓ done" } }
                    @if is_next { " " span class="badge core" { "Next" } }
                }
            }
        }
    };
    Ok(Page::new("Breathing course", Nav::Library, body).render(&session))
}

#[derive(Deserialize, Default)]
struct MarkedQuery {
    marked: Option<String>,
}

async fn lesson(
    State(st): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Query(q): Query<MarkedQuery>,
) -> Result<Response, HttpError> {
    let p = st.program;
    let l = completion::find_lesson(p, &id).ok_or(HttpError::NotFound)?;
    let c = progress(&st).await?;
    let done = c.lessons.iter().any(|m| m.id == l.id && m.done_at.is_some());
    let next = p.lessons.iter().find(|n| n.number == l.number + 1);
    let body = html! {
        p { a href="/learn" { "← Breathing course" } }
        p class="muted" { "Lesson " (l.number) " of " (p.lessons.len()) " · " (l.minutes) " min" }
        h1 { (l.title) }
        @for para in &l.body { p { (para) } }
        (bullets("Key points", &l.key_points))
        @if let Some(ex) = l.practice.as_deref().and_then(|x| p.exercise(x)) {
            p { "Practise: " a href={ "/library/exercises/" (ex.id) } { (ex.name) } }
        }
        (sources(p, &l.cite, l.evidence))
        @if q.marked.is_some() && done {
            div class="notice ok" role="status" { p { "Marked as done: " (c.summary()) "." } }
        }
        form method="post" action={ "/learn/" (l.id) "/done" } class="inline-form" {
            (csrf_field(&session))
            @if done {
                input type="hidden" name="done" value="no";
                p { span class="done-mark" { "✓ Done" } " " button type="submit" class="button small" { "Mark as not done" } }
            } @else {
                input type="hidden" name="done" value="yes";
                button type="submit" class="button primary" { "Mark lesson done" }
            }
        }
        p {
            @if let Some(n) = next { a class="button" href={ "/learn/" (n.id) } { "Next: " (n.title) } " " }
            a href="/learn" { "All lessons (" (c.summary()) ")" }
        }
    };
    Ok(Page::new(l.title.clone(), Nav::Library, body).render(&session))
}

fn relief_kind(k: ReliefKind) -> &'static str {
    match k {
        ReliefKind::Comfort => "comfort",
        ReliefKind::Topical => "topical",
        ReliefKind::Supplement => "nutrition, not a pain treatment — only after a pharmacist or doctor agreed",
        ReliefKind::Support => "support",
        ReliefKind::NotRecommended => "not recommended",
    }
}

async fn relief(State(st): State<AppState>, session: Session) -> Response {
    let p = st.program;
    let body = html! {
        h1 { "Relief options" }
        p class="lead" { "For comfort while the real work — mobility and strength — happens. None of these fixes the cause." }
        // Magnesium is general nutrition, not relief: it gets its own heading after the comfort options.
        @for (i, r) in p.relief.iter().filter(|r| r.kind != ReliefKind::Supplement)
            .chain(p.relief.iter().filter(|r| r.kind == ReliefKind::Supplement)).enumerate() {
            @if r.kind == ReliefKind::Supplement && p.relief.iter().filter(|r| r.kind != ReliefKind::Supplement).count() == i {
                h2 { "Food and supplements (general nutrition, not for pain)" }
            }
            article class="item" id=(r.id) {
                h2 { (r.name) " " span class="badge" { (relief_kind(r.kind)) } }
                p { (r.what) }
                (bullets("How", &r.how))
                div class="notice warn" {
                    (bullets("Limits", &r.limits))
                    @if let Some(mg) = r.max_daily_mg { p { strong { "Upper limit: " (mg) " mg a day from supplements" } " (food not counted)." } }
                    @if let Some(mg) = r.start_mg { p { "Starting amount: " (mg) " mg." } }
                    @if let Some(d) = r.max_days { p { "Use for at most " (d) " days at a time." } }
                }
                @if !r.avoid_with.is_empty() {
                    p { "Not without advice if you have: " @for (i, c) in r.avoid_with.iter().enumerate() { @if i > 0 { "; " } (condition_label(*c)) } "." }
                }
                (bullets("Ask first", &r.refer))
                (sources(p, &r.cite, r.evidence))
            }
        }
        h2 { "Cardio that feels close to running" }
        p { "For weeks when running hurts: taper rather than stop." }
        @for a in &p.alternatives {
            article class="item" id=(a.id) {
                h3 { (a.name) }
                p { (a.how) }
                p { span class="label" { "Why: " } (a.why) }
                (sources(p, &a.cite, a.evidence))
            }
        }
    };
    Page::new("Relief options", Nav::Library, body).render(&session)
}

#[derive(Deserialize)]
struct AreaQuery {
    area: Option<String>,
}

const AREAS: [(HabitArea, &str); 6] = {
    let a = HabitArea::ALL;
    [
        (a[0], a[0].label()),
        (a[1], a[1].label()),
        (a[2], a[2].label()),
        (a[3], a[3].label()),
        (a[4], a[4].label()),
        (a[5], a[5].label()),
    ]
};

fn area_of(q: &AreaQuery) -> Result<Option<HabitArea>, HttpError> {
    match q.area.as_deref() {
        None | Some("") => Ok(None),
        Some(a) => {
            AREAS.iter().find(|(x, _)| id_of(x) == a).map(|(x, _)| Some(*x)).ok_or_else(|| {
                HttpError::bad(format!("unknown area '{a}' (sitting, travel, pack, load, posture, care)"))
            })
        }
    }
}

async fn habits(
    State(st): State<AppState>,
    session: Session,
    Query(q): Query<AreaQuery>,
) -> Result<Response, HttpError> {
    let p = st.program;
    let area = area_of(&q)?;
    let body = html! {
        h1 { "Habits" }
        nav aria-label="Areas" {
            ul class="picker" {
                li { a class="pill" href="/habits" aria-current=[area.is_none().then_some("true")] { "all" } }
                @for (a, label) in AREAS { li { a class="pill" href={ "/habits?area=" (id_of(&a)) } aria-current=[(area == Some(a)).then_some("true")] { (label) } } }
            }
        }
        @for (a, label) in AREAS.iter().filter(|(a, _)| area.is_none_or(|x| x == *a)) {
            h2 { (label) }
            @if *a == HabitArea::Travel { p { a class="button" href="/travel" { "Plan a race trip day by day" } } }
            @for h in p.habits.iter().filter(|h| h.area == *a) {
                article class="item" id=(h.id) {
                    h3 { (h.title) }
                    p { (h.what) }
                    p { span class="label" { "Why: " } (h.why) }
                    (sources(p, &h.cite, h.evidence))
                }
            }
        }
    };
    Ok(Page::new("Habits", Nav::Library, body).render(&session))
}

async fn api_exercises(State(st): State<AppState>) -> Response {
    json(&st.program.exercises)
}

async fn api_exercise(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, HttpError> {
    Ok(json(st.program.exercise(&id).ok_or(HttpError::NotFound)?))
}

async fn api_routines(State(st): State<AppState>) -> Response {
    let p = st.program;
    json(p.routines.iter().map(|r| json!({ "routine": r, "seconds": p.routine_seconds(r) })).collect::<Vec<_>>())
}

async fn api_routine(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, HttpError> {
    let r = st.program.routine(&id).ok_or(HttpError::NotFound)?;
    Ok(json(json!({ "routine": r, "seconds": st.program.routine_seconds(r) })))
}

async fn api_lessons(State(st): State<AppState>) -> Response {
    json(&st.program.lessons)
}

async fn api_lesson(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, HttpError> {
    Ok(json(completion::find_lesson(st.program, &id).ok_or(HttpError::NotFound)?))
}

async fn api_progress(State(st): State<AppState>) -> Result<Response, HttpError> {
    Ok(json(progress(&st).await?))
}

/// Marks a lesson done (or not) and returns the course progress after it.
async fn mark(st: &AppState, id: &str, done: bool) -> Result<CourseProgress, HttpError> {
    let program = st.program;
    let lesson = completion::find_lesson(program, id).ok_or(HttpError::NotFound)?;
    st.db
        .run(move |store| {
            completion::mark_lesson(store, program, lesson, done, jiff::Timestamp::now()).map_err(app_error)
        })
        .await
}

async fn mark_form(State(st): State<AppState>, Path(id): Path<String>, f: FormData) -> Result<Response, HttpError> {
    let done = match f.get("done") {
        None | Some("yes") => true,
        Some("no") => false,
        Some(other) => return Err(HttpError::field("done", format!("'{other}' is not yes or no"))),
    };
    let lesson = completion::find_lesson(st.program, &id).ok_or(HttpError::NotFound)?;
    let lesson_id = lesson.id.clone();
    mark(&st, &id, done).await?;
    let to = if done { format!("/learn/{lesson_id}?marked=1") } else { format!("/learn/{lesson_id}") };
    Ok(Redirect::to(&to).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MarkBody {
    #[serde(default = "yes")]
    done: bool,
}

fn yes() -> bool {
    true
}

async fn api_mark(
    State(st): State<AppState>,
    Path(id): Path<String>,
    body: Option<axum::Json<MarkBody>>,
) -> Result<Response, HttpError> {
    let done = body.is_none_or(|b| b.0.done);
    Ok(json(mark(&st, &id, done).await?))
}

async fn api_relief(State(st): State<AppState>) -> Response {
    json(json!({ "relief": st.program.relief, "alternatives": st.program.alternatives }))
}

async fn api_habits(State(st): State<AppState>, Query(q): Query<AreaQuery>) -> Result<Response, HttpError> {
    let area = area_of(&q)?;
    let habits: Vec<_> = st.program.habits.iter().filter(|h| area.is_none_or(|a| h.area == a)).collect();
    Ok(json(json!({ "defaults": st.program.habit_defaults, "habits": habits })))
}
