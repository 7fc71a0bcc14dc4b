//! The plan (`plan::build`) and Today (`plan::for_run`): what `runtall plan` and `runtall plan --for-run` show.
//!
//! Every item is rendered with why it is there (the answer that triggered it) and where the advice comes from
//! (source, section, evidence strength). Showing a plan saves it when it differs from the latest stored one, so
//! the plan history holds every plan the runner was shown, as with the CLI. What either page offers is what the
//! safety gate (`runtall_domain::safety`, in [`Snapshot::safety`]) allows, with its reason for the rest.

use super::{Snapshot, api_needs_first, json, needs_first, snapshot};
use crate::AppState;
use crate::error::HttpError;
use crate::layout::{Nav, Page, csrf_field, minutes, sources};
use crate::session::Session;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use jiff::Timestamp;
use maud::{Markup, html};
use runtall_app::plan::PlanInputs;
use runtall_content::{CuePhase, Program, ReliefKind, RunType};
use runtall_domain::plan::{self, Mode, PlanItem, PlanRecord, Priority, RefKind, RunDay, Weekday};
use runtall_domain::safety::clinician::ClinicianChanges;
use runtall_domain::screen::is_stale;
use serde::Deserialize;
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plan", get(plan_page))
        .route("/today", get(today_page))
        .route("/api/plan", get(api_plan))
        .route("/api/plan/history", get(api_plan_history))
        .route("/api/plan/for-run/{run}", get(api_for_run))
        .route("/api/safety", get(api_safety))
}

/// The plan for the latest screen and assessment, by the one storage rule (stored when its inputs changed), kept
/// per journal revision so a page view neither rebuilds it nor decodes the stored one.
pub async fn current_plan(st: &AppState, s: &Snapshot) -> Result<Arc<PlanRecord>, HttpError> {
    let a = api_needs_first(s)?.clone();
    let inputs = PlanInputs::of(s.screening.as_ref(), &a, &s.safety);
    let (program, safety, cache) = (st.program, s.safety.clone(), st.mine()?.plans.clone());
    st.db
        .run(move |store| {
            let build = || plan::build(program, &a.assessment, &safety).map_err(HttpError::from);
            cache.current(store, inputs, build, Timestamp::now())
        })
        .await
}

fn item_href(item: &PlanItem) -> Option<String> {
    let id = &item.id;
    Some(match item.kind {
        RefKind::Routine => format!("/library/routines/{id}"),
        RefKind::Exercise => format!("/library/exercises/{id}"),
        RefKind::Schedule => format!("/today?run={id}"),
        RefKind::Habit => format!("/habits#{id}"),
        RefKind::Relief | RefKind::Alternative => format!("/relief#{id}"),
        RefKind::Lesson => format!("/learn/{id}"),
        RefKind::RedFlag => "/screen".to_string(),
    })
}

/// The readable name of an exercise or routine id (as exclusions and substitutions name them), else the id.
fn priority(p: Priority) -> (&'static str, &'static str) {
    match p {
        Priority::Core => ("core", "badge core"),
        Priority::Recommended => ("recommended", "badge rec"),
        Priority::Optional => ("optional", "badge opt"),
    }
}

pub fn plan_item(program: &Program, item: &PlanItem) -> Markup {
    let (label, class) = priority(item.priority);
    html! {
        article class="item" {
            h3 {
                @if let Some(href) = item_href(item) { a href=(href) { (item.title) } } @else { (item.title) }
                " " span class=(class) { (label) }
            }
            @if !item.summary.is_empty() { p { (item.summary) } }
            ul class="why" {
                @for r in &item.why { li { span class="label" { "Why: " } (r.text) " " span class="answer" { "(" (r.answer_words()) ")" } } }
            }
            @if !item.limits.is_empty() {
                p class="label" { "Limits" }
                ul class="limits" { @for l in &item.limits { li { (l) } } }
            }
            (sources(program, &item.cite, item.evidence))
        }
    }
}

/// Reduced program or no running: the gate's headline, and the plan asks again whether a clinician has checked.
fn reduced_banner(session: &Session, s: &Snapshot) -> Markup {
    let perm = &s.safety;
    html! {
        @if matches!(perm.mode, Mode::Reduced | Mode::NoRunning) {
            div class="notice warn" role="status" {
                p { strong { @if perm.mode == Mode::NoRunning { "No running. " } @else { "Reduced program. " } } (perm.headline) }
                @for h in &perm.holds { p { (h.text) " " span class="answer" { "(" (h.answer_words()) ")" } } }
                @if perm.mode == Mode::NoRunning {
                    p { "If the pain lasts more than a few minutes, comes at rest or spreads to your arm, jaw, neck or back, call "
                        (crate::routes::onboarding::call_links_inline(&s.profile)) "." }
                }
                form method="post" action="/screen/clinician-checked" class="inline-form" {
                    (csrf_field(session))
                    label class="check" { input type="checkbox" name="confirm" value="yes" required; " A clinician has checked me" }
                    button type="submit" class="button small" { "Open the full program" }
                }
            }
        }
        @if s.screening.as_ref().is_some_and(|r| is_stale(r.taken_at, Timestamp::now())) {
            div class="notice" { p { "Your last safety check is more than 4 weeks old. " a href="/screen" { "Take it again" } " — it takes 2 minutes." } }
        }
    }
}

fn week(program: &Program, record: &PlanRecord) -> Markup {
    html! {
        ol class="week" {
            @for d in &record.plan.week {
                li {
                    div class="day" {
                        span class="dayname" { (d.day.name()) }
                        @match d.run {
                            Some(r) => { a class={ "badge run-" (r.as_str()) } href={ "/today?run=" (r.as_str()) } { (r.as_str()) " run" } }
                            None => { span class="badge rest" { "rest" } }
                        }
                    }
                    ul class="routines" {
                        @for id in &d.routines {
                            @if let Some(r) = program.routine(id) {
                                @let seconds = record.plan.routine_seconds.get(id).copied().unwrap_or_else(|| program.routine_seconds(r));
                    li { a href={ "/library/routines/" (id) } { (r.name) } " " span class="muted" { "~" (minutes(seconds)) } }
                            }
                        }
                    }
                    @for n in &d.notes { p class="note" { (n) } }
                }
            }
        }
    }
}

async fn plan_page(State(st): State<AppState>, session: Session) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    if let Some(to) = needs_first(&s) {
        return Ok(Redirect::to(to).into_response());
    }
    let record = current_plan(&st, &s).await?;
    let p = &record.plan;
    let program = st.program;
    let who = if s.profile.name.is_empty() { String::new() } else { format!(" for {}", s.profile.name) };
    let weekday = today_weekday();
    let run = p.week.iter().find(|d| d.day == weekday).and_then(|d| d.run);
    let progress = {
        let doses = st.mine()?.doses.clone();
        st.db.run(move |store| Ok(doses.progress(store, program, Timestamp::now())?)).await?
    };
    let today = plan::today(program, p, &s.safety, weekday, run, s.profile.budget(), &progress);
    let body = html! {
        h1 { "Your plan" (who) }
        p class="lead" { "Baseline: pain " (p.baseline_pain) "/10, function " (format!("{:.1}", p.baseline_psfs)) "/10. "
            "Review in " (p.review_in_days) " days: re-rate your pain and your activities." }
        p class="muted" { "Posture and breathing habits for running: wellness guidance, not treatment or diagnosis. "
            "Every item says why it is here and where the advice comes from." }
        (reduced_banner(&session, &s))
        (today_summary(&today))
        nav class="toc" aria-label="Plan sections" {
            ul { @for (section, _) in p.sections() { li { a href={ "#s-" (crate::form::id_of(&section)) } { (section.title()) } } } li { a href="#week" { "Your week" } } }
        }
        @for (section, items) in p.sections() {
            section class="plan-section" id={ "s-" (crate::form::id_of(&section)) } {
                h2 { (section.title()) }
                @for i in items { (plan_item(program, i)) }
            }
        }
        section id="week" {
            h2 { "Your week" }
            (week(program, &record))
        }
        (clinician_changes(program, &p.clinician))
        @if !p.excluded.is_empty() {
            section {
                h2 { "Left out or swapped for you" }
                ul {
                    @for e in &p.excluded {
                        li { strong { (program.title_of(&e.id)) } ": " (e.reason) @if let Some(i) = &e.instead { " — instead: " (program.title_of(i)) } }
                    }
                }
            }
        }
        p class="notice" { "Stop any exercise that brings sharp, spreading or chest pain. Pain up to 3/10 is fine, 4–5 "
            "acceptable, more is too much." }
        p { a class="button" href="/assess" { "Update my answers" } " " a class="button" href="/screen" { "Take the safety check again" }
            " " a class="button" href="/posture" { "Check my posture" } }
    };
    Ok(Page::new("Your plan", Nav::Plan, body).render(&session))
}

#[derive(Deserialize)]
struct TodayQuery {
    run: Option<String>,
}

pub(super) fn today_weekday() -> Weekday {
    use jiff::civil::Weekday as W;
    match super::today().weekday() {
        W::Monday => Weekday::Mon,
        W::Tuesday => Weekday::Tue,
        W::Wednesday => Weekday::Wed,
        W::Thursday => Weekday::Thu,
        W::Friday => Weekday::Fri,
        W::Saturday => Weekday::Sat,
        W::Sunday => Weekday::Sun,
    }
}

fn phase_label(p: CuePhase) -> &'static str {
    match p {
        CuePhase::Start => "start",
        CuePhase::Steady => "steady running",
        CuePhase::LastThird => "last third",
        CuePhase::BeforeRep => "before each rep",
        CuePhase::Recovery => "recoveries",
        CuePhase::Finish => "finish",
        CuePhase::After => "after",
    }
}

/// The clinician's note for Today.
pub fn clinician_note(c: &ClinicianChanges) -> Markup {
    html! {
        @if let Some(n) = &c.note {
            div class="notice clinician-note" role="note" {
                p { strong { "Note from " (n.by) } span class="muted" { " · " (n.at.strftime("%Y-%m-%d")) } }
                p { (n.text) }
            }
        }
    }
}

/// What a clinician changed in the plan: exercises switched off or on and the doses they set, with their notes.
fn clinician_changes(program: &Program, c: &ClinicianChanges) -> Markup {
    let note = |n: &Option<String>| n.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
    html! {
        @if !(c.off.is_empty() && c.on.is_empty() && c.doses.is_empty()) {
            section class="card" aria-labelledby="clinician-changes" {
                h2 id="clinician-changes" { "Changed by your clinician" }
                ul {
                    @for s in &c.off { li { (program.title_of(&s.exercise)) " — switched off by " (s.by) (note(&s.note)) } }
                    @for s in &c.on { li { (program.title_of(&s.exercise)) " — switched on by " (s.by) (note(&s.note)) } }
                    @for d in &c.doses {
                        @if let Some(ex) = program.exercise(&d.exercise) {
                            @if let Some((dose, words)) = c.dose_for(&d.exercise, &ex.dose) {
                                li { (ex.name) " — " (dose.line()) ". " (words) }
                            }
                        }
                    }
                }
                p class="muted" { "The safety check still decides first: a change it does not allow is not applied." }
            }
        }
    }
}

/// The top of the plan: today's few things in one card, one tap from Today.
fn today_summary(t: &plan::Today) -> Markup {
    html! {
        section class="card today-summary" aria-labelledby="plan-today" {
            h2 id="plan-today" { "Today, " (t.day.name()) ": " (minutes(t.seconds)) span class="muted" { " of your " (t.budget_min) " min" } }
            ol {
                @for b in &t.blocks {
                    li { strong { (b.moment.title()) } ": " (b.title) @if b.seconds > 0 { " " span class="muted" { "~" (minutes(b.seconds)) } } }
                }
            }
            @for s in t.exercises().filter(|s| s.progression.is_some()) {
                p class="note progression" { (s.name) ", " (s.progression.as_deref().unwrap_or_default()) }
            }
            p { a class="button primary" href="/today" { "Do today's" } " " span class="muted" { "The whole plan, every item with its reason, follows." } }
        }
    }
}

/// Today's blocks in the day's order, each with its minutes and a guided start that plays only Today's steps;
/// the day's total against the budget, what was rested, and the full plan one tap away.
fn today_blocks(program: &Program, t: &plan::Today, day: Option<&RunDay>) -> Markup {
    html! {
        section class="today" aria-labelledby="today-total" {
            h2 id="today-total" { "Your few things today: " (minutes(t.seconds)) span class="muted" { " of your " (t.budget_min) " min" } }
            @for b in &t.blocks {
                section class={ "routine card moment-" (crate::form::id_of(&b.moment)) } {
                    h3 { (b.moment.title()) ": " (b.title) @if b.seconds > 0 { " " span class="muted" { "~" (minutes(b.seconds)) } } }
                    @if let Some(d) = &b.detail { p class="note" { (crate::layout::capitalised(d)) } }
                    @if b.moment == plan::Moment::DuringRun && let Some(day) = day {
                        @for n in &day.during.notes { p class="note" { (n) } }
                        ul class="cues" {
                            @for c in &day.during.cues {
                                li { strong { (c.text) } " " span class="muted" { "(" @for (i, p) in c.phases.iter().enumerate() { @if i > 0 { ", " } (phase_label(*p)) } ")" } }
                            }
                        }
                        p { a class="button" href={ "/run-mode?run=" (day.run_type.as_str()) } { "Have your phone speak the cues (run mode)" } }
                    }
                    @if !b.steps.is_empty() {
                        ol class="steps-list" {
                            @for s in &b.steps {
                                li class="with-figure" {
                                    (crate::layout::figure_img(program, &s.exercise, "thumb"))
                                    div {
                                        a href={ "/library/exercises/" (s.exercise) } { (s.name) } " — " (s.dose.line())
                                        " " span class="muted" { "(~" (minutes(s.seconds)) ")" }
                                        @if t.priorities.contains(&s.exercise) { br; span class="note" { "For what your assessment found" } }
                                        @if let Some(p) = &s.progression { br; span class="note progression" { "Progressed, " (p) } }
                                        @if let Some(c) = &s.clinician { br; span class="note clinician" { (c) } }
                                        @for c in &s.cautions { br; span class="note" { strong { "Caution: " } (c) } }
                                    }
                                }
                            }
                        }
                    }
                    @if let Some(r) = &b.routine {
                        @let for_run = match (b.moment, t.run) {
                            (plan::Moment::BeforeRun | plan::Moment::AfterRun, Some(run)) => format!("&for={}", run.as_str()),
                            _ => String::new(),
                        };
                        p { a class="button primary" href={ "/session/" (r) "?today=1" (for_run) } { "Start guided session" } }
                    }
                }
            }
            @if let Some(m) = &t.dropped { p class="note" { (m.words(program)) } }
            @if !t.rested.is_empty() {
                p class="muted" { "Rested today to keep to your minutes, back on other days: "
                    @for (i, id) in t.rested.iter().enumerate() { @if i > 0 { ", " } (program.title_of(id)) } "." }
            }
            p { a class="button" href="/plan" { "The full plan" } " " a class="button" href="/settings#f-run-min" { "More or fewer minutes a day" } }
        }
    }
}

/// Paused (a level B answer): Today says so plainly, with nothing to do but see a clinician today.
fn paused_today(session: &Session, s: &Snapshot) -> Response {
    let body = html! {
        h1 { "Today" }
        div class="notice warn" role="status" {
            p { strong { "No running or training today. " } (s.safety.headline) }
            @if !s.safety.open_flags.is_empty() {
                ul { @for f in &s.safety.open_flags { li { (f.short) } } }
            }
            p { "If things get worse while you wait, call " (crate::routes::onboarding::call_links_inline(&s.profile)) "." }
            p { a class="button" href="/screen/result" { "What to do and how to reopen the program" } }
        }
    };
    Page::new("Today", Nav::Today, body).render(session)
}

async fn today_page(
    State(st): State<AppState>,
    session: Session,
    Query(q): Query<TodayQuery>,
) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    if s.safety.mode == Mode::Paused {
        return Ok(paused_today(&session, &s));
    }
    if let Some(to) = needs_first(&s) {
        return Ok(Redirect::to(to).into_response());
    }
    let record = current_plan(&st, &s).await?;
    let a = api_needs_first(&s)?;
    let perm = &s.safety;
    // What the journal adds to today, in one database call: the re-score prompt (every 14 days), the reason to see
    // a physical therapist if any (from the insights cache, recomputed only when the journal changes), and what a
    // running self-experiment asks of today's run (or why it is on hold).
    let cache = st.mine()?.insights.clone();
    let (rescore_due, escalation, (experiment, pack_off)) = st
        .db
        .run(move |store| {
            let today = super::today();
            let due = runtall_app::progress::psfs_due(store, today, &jiff::tz::TimeZone::system())?;
            let escalation = match due {
                None => None,
                Some(_) => {
                    let view = super::insights::cached_view(&cache, store, today, 26)?;
                    view.progress.as_ref().and_then(|p| p.escalation.clone())
                }
            };
            let status = runtall_app::experiments::status(store, today, false)?;
            let pack_off = status.as_ref().is_some_and(runtall_app::experiments::pack_off_today);
            let experiment = status.and_then(|e| match e.hold {
                Some(hold) => Some((e.experiment.design.unit, hold)),
                None => e.next.map(|a| (e.experiment.design.unit, a.instruction.to_string())),
            });
            Ok((due.is_some_and(|d| d.due_now), escalation, (experiment, pack_off)))
        })
        .await?;
    let program = st.program;
    let weekday = today_weekday();
    let planned = record.plan.week.iter().find(|d| d.day == weekday);
    let chosen: Option<RunType> = match q.run.as_deref() {
        Some("none") => None,
        Some(r) => Some(r.parse().map_err(HttpError::bad)?),
        None => planned.and_then(|d| d.run),
    };
    // A run the gate holds back shows its reason in place of the routines.
    let (day, refused) = match chosen.map(|r| plan::for_run(program, &a.assessment, perm, r)) {
        None => (None, None),
        Some(Ok(mut day)) => {
            runtall_app::experiments::fit_run_day(program, &mut day, pack_off);
            (Some(day), None)
        }
        Some(Err(plan::PlanError::RunNotAllowed { run, reason })) => (None, Some((run, reason))),
        Some(Err(e)) => return Err(e.into()),
    };
    // The day's few things within the runner's daily minutes; a run the gate refused adds none.
    let progress = {
        let doses = st.mine()?.doses.clone();
        st.db.run(move |store| Ok(doses.progress(store, program, Timestamp::now())?)).await?
    };
    let today = plan::today(program, &record.plan, perm, weekday, chosen, s.profile.budget(), &progress);
    let comfort: Vec<(&runtall_content::Relief, &runtall_domain::safety::ReliefDecision)> = perm
        .relief
        .iter()
        .filter(|d| d.allowed)
        .filter_map(|d| program.relief_option(&d.id).map(|r| (r, d)))
        .filter(|(r, _)| matches!(r.kind, ReliefKind::Comfort | ReliefKind::Topical | ReliefKind::Support))
        .collect();
    let body = html! {
        h1 { "Today" span class="muted" { " · " (weekday.name()) } }
        (reduced_banner(&session, &s))
        (clinician_note(&perm.clinician))
        @if rescore_due {
            div class="notice" { p { a href="/rescore" { "Time to re-rate your activities (every 2 weeks)" }
                " — about a minute, and it shows whether the plan is helping." } }
        }
        @if let Some(e) = &escalation {
            div class="notice warn" role="status" {
                p { strong { "Time to see a physical therapist. " } (e.sentence) " "
                    a href={ "/habits?area=care#" (e.habit) } { "Why, and how to find one" } }
            }
        }
        @if let Some((unit, text)) = &experiment {
            div class="notice warn" {
                p { strong { "Your experiment, "
                    @if *unit == runtall_insights::ExperimentUnit::Runs { "next run" } @else { "today" } ": " }
                    (text) " " a href="/experiments" { "Schedule and result" } }
            }
        }
        section aria-labelledby="pick" {
            h2 id="pick" { "What are you running today?" }
            ul class="picker" {
                @for r in RunType::ALL {
                    @let d = perm.run(r);
                    li {
                        @if d.allowed {
                            a class={ "pill run-" (r.as_str()) } href={ "/today?run=" (r.as_str()) } aria-current=[(chosen == Some(r)).then_some("true")] {
                                (r.as_str()) @if planned.and_then(|d| d.run) == Some(r) { " · planned" } }
                        } @else {
                            span class="pill off" title=[d.reason.as_deref()] { (r.as_str()) " · not now" }
                        }
                    }
                }
                li { a class="pill" href="/today?run=none" aria-current=[chosen.is_none().then_some("true")] { "no run" } }
            }
        }
        @if let Some((run, reason)) = &refused {
            div class="notice warn" role="status" {
                p { strong { "No " (run.as_str()) " run now. " } (crate::layout::capitalised(reason)) "." }
                @if let Some(instead) = perm.run(*run).instead.filter(|i| perm.run(*i).allowed) {
                    p { a class="button" href={ "/today?run=" (instead.as_str()) } { "An " (instead.as_str()) " run instead" } }
                }
            }
        }
        @if let Some(day) = &day {
            @if day.mode == Mode::Reduced { p class="notice warn" { "Reduced program: keep this run short and easy." } }
            ul class="why" { @for n in &day.notes { li { (n.text) " " span class="answer" { "(" (n.answer_words()) ")" } } } }
        }
        @else if refused.is_none() {
            @if perm.allowed_runs().is_empty() {
                p class="empty" { "No running for now. The gentle routines below are what your plan offers today." }
            } @else {
                p class="empty" { "A rest day from running. The routines below keep your back and neck moving." }
            }
        }
        (today_blocks(program, &today, day.as_ref()))
        @if !comfort.is_empty() {
            section class="card" {
                h2 { "If you want comfort" }
                p class="muted" { "Optional, and never a fix: the routines do the long-term work. Each with its limits." }
                @for (r, d) in &comfort {
                    details {
                        summary { (r.name) }
                        ul class="limits" { @for l in &d.limits { li { (l) } } }
                        p { a href={ "/relief#" (r.id) } { "More about " (r.name.to_lowercase()) } }
                    }
                }
            }
        }
        section class="quick card" {
            h2 { "After your run" }
            p { "Logging takes ten seconds and is what shows, over weeks, what goes with your pain." }
            p { a class="button" href="/pain" { "Log pain" } " " a class="button" href="/day" { "Log my day" } " " a class="button" href="/runs" { "My runs" }
                " " a class="button" href="/posture" { "Posture check" } }
        }
    };
    Ok(Page::new("Today", Nav::Today, body).render(&session))
}

async fn api_plan(State(st): State<AppState>) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    Ok(json(&*current_plan(&st, &s).await?))
}

async fn api_plan_history(State(st): State<AppState>) -> Result<Response, HttpError> {
    Ok(json(st.db.run(|store| Ok(store.plans()?)).await?))
}

async fn api_for_run(State(st): State<AppState>, Path(run): Path<String>) -> Result<Response, HttpError> {
    let run: RunType = run.parse().map_err(HttpError::bad)?;
    let s = snapshot(&st).await?;
    let a = api_needs_first(&s)?;
    Ok(json(plan::for_run(st.program, &a.assessment, &s.safety, run)?))
}

/// What the safety gate allows now, with every decision and its reason (as `runtall status --json` shows).
async fn api_safety(State(st): State<AppState>) -> Result<Response, HttpError> {
    Ok(json(snapshot(&st).await?.safety))
}
