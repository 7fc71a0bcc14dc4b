//! The Sources page (`/sources`, as `runtall sources`): every source named in full — title, who, when, what kind —
//! and what the evidence levels mean. Every "From:" line in the app links here.

use super::json;
use crate::AppState;
use crate::layout::{Nav, Page, evidence_class};
use crate::session::Session;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use maud::html;
use runtall_content::Evidence;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new().route("/sources", get(page)).route("/api/sources", get(api))
}

async fn page(State(st): State<AppState>, session: Session) -> Response {
    let p = st.program;
    let body = html! {
        h1 { "Sources" }
        p class="lead" { "Where runtall's advice comes from. Every item names its source and the part of it (a "
            "source text's own heading, or a section of the evidence brief), and how strong the support is." }
        @for s in &p.sources {
            section class="card" id=(s.id) {
                h2 { (s.title) }
                ul class="source-facts" {
                    li { span class="label" { "Who: " } (s.who) }
                    li { span class="label" { "When: " } (s.date) }
                    li { span class="label" { "What: " } (s.form) " (" (s.kind.label()) ")" }
                }
                p { (s.description) }
                @if !s.sections.is_empty() {
                    details {
                        summary { "Parts cited (" (s.sections.len()) ")" }
                        ul { @for sec in &s.sections { li { (sec) } } }
                    }
                }
                @if !s.works.is_empty() {
                    details {
                        summary { "Studies and guidelines it names (" (s.works.len()) ")" }
                        ul { @for w in &s.works { li { (w) } } }
                    }
                }
            }
        }
        section class="card" id="evidence" {
            h2 { "Evidence levels" }
            dl {
                @for e in Evidence::ALL {
                    dt { span class=(evidence_class(e)) { (e.label()) } }
                    dd { (e.explanation()) }
                }
            }
        }
    };
    Page::new("Sources", Nav::Library, body).render(&session)
}

async fn api(State(st): State<AppState>) -> Response {
    let levels: Vec<serde_json::Value> =
        Evidence::ALL.iter().map(|e| json!({ "level": e, "label": e.label(), "meaning": e.explanation() })).collect();
    json(json!({ "sources": st.program.sources, "evidence_levels": levels }))
}
