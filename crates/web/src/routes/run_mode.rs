//! Run mode: the mid-run cues spoken on schedule by the phone (Web Speech API), for runners without a watch that
//! takes workout files — the same cue plan as `runtall cues`, with the screen kept awake while it runs.

use super::{needs_first, snapshot};
use crate::AppState;
use crate::error::HttpError;
use crate::layout::{Nav, Page, sources};
use crate::session::Session;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::{PreEscaped, html};
use runtall_companion::cues::{CueOptions, Spec, plan_run};
use runtall_content::RunType;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/run-mode", get(page)).route("/api/run-mode", get(api))
}

#[derive(Deserialize)]
struct RunModeQuery {
    run: Option<String>,
    minutes: Option<u32>,
    pack: Option<String>,
}

fn plan(st: &AppState, q: &RunModeQuery) -> Result<Option<runtall_companion::cues::RunPlan>, HttpError> {
    let (Some(run), Some(minutes)) = (&q.run, q.minutes) else { return Ok(None) };
    let run: RunType = run.parse().map_err(|e: String| HttpError::field("run", e))?;
    let options = CueOptions { pack: q.pack.as_deref() == Some("on"), ..CueOptions::default() };
    plan_run(st.program, run, &Spec::Minutes(minutes), &options)
        .map(Some)
        .map_err(|e| HttpError::field("minutes", e.to_string()))
}

async fn page(
    State(st): State<AppState>,
    session: Session,
    Query(q): Query<RunModeQuery>,
) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    if let Some(to) = needs_first(&s) {
        return Ok(Redirect::to(to).into_response());
    }
    let plan = plan(&st, &q)?;
    let selected = q.run.as_deref().unwrap_or("easy");
    let body = html! {
        h1 { "Run mode" }
        p class="lead" { "Your phone reads the posture and breathing cues aloud at the right moments. Start it as you start running; keep the screen on." }
        form method="get" action="/run-mode" class="card stack" {
            label for="run" { "Run type" }
            select id="run" name="run" {
                @for r in RunType::ALL {
                    option value=(r.as_str()) selected[r.as_str() == selected] { (r.as_str()) }
                }
            }
            label for="minutes" { "Minutes" }
            input id="minutes" name="minutes" type="number" min="1" max="360" required value=(q.minutes.unwrap_or(45));
            label class="check" { input type="checkbox" name="pack" value="on" checked[q.pack.as_deref() == Some("on")]; " Wearing a pack or vest" }
            button type="submit" class="button" { "Plan the cues" }
        }
        @if let Some(p) = &plan {
            section id="run-mode" class="card" {
                h2 { (p.cues.len()) " cues over " (p.total_s / 60) " min" }
                p id="rm-status" class="phase" aria-live="assertive" { "Press Start when you set off" }
                p id="rm-clock" class="count" { "0:00" }
                p id="rm-next" class="detail" {}
                div class="controls" {
                    button type="button" id="rm-start" class="button primary" { "Start" }
                    button type="button" id="rm-stop" class="button" disabled { "Stop" }
                }
                ol class="steps-list" {
                    @for c in &p.cues {
                        li { strong { (c.at_s / 60) ":" (format!("{:02}", c.at_s % 60)) } " — " (c.text) }
                    }
                }
                @for n in &p.notes { p class="hint" { (n) } }
                (sources(st.program, &p.cite, p.evidence))
            }
            script type="application/json" id="run-cues" {
                (PreEscaped(serde_json::to_string(&p.cues).map_err(HttpError::internal)?.replace("</", "<\\/")))
            }
        }
    };
    Ok(Page::new("Run mode", Nav::Today, body).script("runmode.js").render(&session))
}

/// Without parameters: a 45-minute easy run, the most common case.
async fn api(State(st): State<AppState>, Query(mut q): Query<RunModeQuery>) -> Result<Response, HttpError> {
    q.run.get_or_insert_with(|| "easy".into());
    q.minutes.get_or_insert(45);
    let plan = plan(&st, &q)?.ok_or_else(|| HttpError::bad("give run and minutes"))?;
    Ok(axum::Json(plan).into_response())
}
