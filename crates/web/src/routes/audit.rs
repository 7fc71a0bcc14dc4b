//! `/settings/audit`: the athlete's own audit log — every view or change of their records by a clinician they
//! share them with (written by the clinician pages), newest first. `/api/settings/audit` is the same as JSON. Only
//! the athlete's own log is reachable: the store handle of the request is theirs.

use super::json;
use crate::AppState;
use crate::error::HttpError;
use crate::layout::{Nav, Page};
use crate::session::Session;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use jiff::{SignedDuration, Timestamp};
use maud::html;
use runtall_domain::clinic::AuditEntry;
use serde::Deserialize;

/// Entries shown per page: a clinician who looks every day fills a year in a few hundred.
const PAGE: usize = 200;

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/audit", get(page)).route("/api/settings/audit", get(api))
}

#[derive(Debug, Default, Deserialize)]
struct AuditQuery {
    /// Days back from now (default 365).
    days: Option<u32>,
}

async fn load(st: &AppState, q: &AuditQuery) -> Result<Vec<AuditEntry>, HttpError> {
    let days = q.days.unwrap_or(365).clamp(1, 3650);
    let now = Timestamp::now();
    let from = now.checked_sub(SignedDuration::from_hours(24 * i64::from(days))).unwrap_or(Timestamp::MIN);
    let mut entries = st.db.run(move |store| Ok(store.audit_log(from, Timestamp::MAX)?)).await?;
    entries.reverse();
    Ok(entries)
}

async fn page(
    State(st): State<AppState>,
    session: Session,
    Query(q): Query<AuditQuery>,
) -> Result<Response, HttpError> {
    let entries = load(&st, &q).await?;
    let shown = &entries[..entries.len().min(PAGE)];
    let body = html! {
        p { a href="/settings" { "← Settings" } }
        h1 { "Who has looked at your data" }
        p { "Each time a clinician you share your records with opens one of your pages or changes your program, it is "
            "written here. Stop sharing at any time on your account page." }
        @if shown.is_empty() {
            p class="empty" { "Nobody has looked at your data." }
        } @else {
            div class="table-wrap" tabindex="0" role="region" aria-label="Audit log (scrolls sideways)" {
                table {
                    thead { tr { th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "What" } } }
                    tbody {
                        @for e in shown {
                            tr { td { (e.at.strftime("%Y-%m-%d %H:%M")) } td { (e.actor_name) } td { (e.detail) } }
                        }
                    }
                }
            }
            @if entries.len() > shown.len() {
                p class="muted" { "The latest " (PAGE) " of " (entries.len()) " are shown; " a href="/api/settings/audit" { "all of them as JSON" } "." }
            }
        }
    };
    Ok(Page::new("Who has looked at your data", Nav::Settings, body).render(&session))
}

async fn api(State(st): State<AppState>, Query(q): Query<AuditQuery>) -> Result<Response, HttpError> {
    Ok(json(load(&st, &q).await?))
}
