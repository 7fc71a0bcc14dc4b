//! The clinician's pages on a clinic server: the dashboard (athletes who share their records, most in need of a
//! look first, with the reasons), invitations, one athlete's page ([`athlete`]) and adjusting their program or
//! commenting ([`program`]). Athletes and the one-runner app get 404 here.
//!
//! Every view of an athlete's data goes through [`access`] (part of the accounts: the athlete accepted this
//! clinician and has not revoked) and writes an entry to that athlete's audit log, which the athlete reads at
//! `/settings/audit`. JSON twins live under `/api/clinic/...`.

mod athlete;
mod kept_page;
mod program;

pub(crate) use athlete::warm_page;
pub(crate) use kept_page::KeptPages;

use super::json;
use crate::AppState;
use crate::error::HttpError;
use crate::layout::{self, Page};
use crate::principal::{DashboardVersion, Principal, clinician_access, clinician_link, new_secret};
use crate::session::Session;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use jiff::{SignedDuration, Timestamp};
use maud::{Markup, PreEscaped, html};
use runtall_app::clinic::{
    DashboardRow, KeptDashboard, actions, attention_day, dashboard, fresh_row, kept_row, record_dashboard_looks,
};
use runtall_domain::clinic::AuditEntry;
use runtall_domain::clinic::attention::Level;
use runtall_store::AthleteId;
use runtall_store::accounts::{AccountId, LinkedAthlete};
use std::sync::Arc;

/// How long an invitation works.
pub const INVITATION_VALID: SignedDuration = SignedDuration::from_hours(14 * 24);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/clinic", get(page))
        .route("/clinic/invitations", post(invite))
        .route("/api/clinic/dashboard", get(api_dashboard))
        .merge(athlete::router())
        .merge(program::router())
}

/// The signed-in clinician, or 404 for anyone else (athletes, the one-runner app, visitors).
fn clinician(st: &AppState, who: &Principal) -> Result<(AccountId, String), HttpError> {
    match who {
        Principal::Clinician { account, name } if st.db.is_multi_user() => Ok((*account, name.clone())),
        _ => Err(HttpError::NotFound),
    }
}

/// A clinician allowed to see one athlete: the access check passed.
#[derive(Debug, Clone)]
pub(super) struct Viewer {
    pub account: AccountId,
    pub name: String,
}

impl Viewer {
    /// The audit entry for what this clinician does now.
    pub fn entry(&self, action: &str, detail: impl Into<String>) -> AuditEntry {
        AuditEntry {
            at: Timestamp::now(),
            actor_account: self.account.get(),
            actor_name: self.name.clone(),
            action: action.to_string(),
            detail: detail.into(),
        }
    }
}

/// The athlete of a `/clinic/athletes/{id}` path; anything but a number is 404, like an id nobody shares.
pub(super) fn parse_id(id: &str) -> Result<AthleteId, HttpError> {
    id.parse::<i64>().map(AthleteId::new).map_err(|_| HttpError::NotFound)
}

/// The one way a clinician page reaches an athlete: the access check (404 for anything not shared with this
/// clinician, so ids reveal nothing). The handler writes [`Viewer::entry`] in the same store call as its read.
pub(super) async fn access(st: &AppState, who: &Principal, athlete: AthleteId) -> Result<Viewer, HttpError> {
    let (_, name) = clinician(st, who)?;
    let account = clinician_access(st, who, athlete).await?;
    Ok(Viewer { account, name })
}

/// [`access`] with the link it found: the athlete's name and since when they share (one keyed look-up, for the pages
/// that name the athlete).
pub(super) async fn access_linked(
    st: &AppState,
    who: &Principal,
    athlete: AthleteId,
) -> Result<(Viewer, LinkedAthlete), HttpError> {
    let (_, name) = clinician(st, who)?;
    let (account, link) = clinician_link(st, who, athlete).await?;
    Ok((Viewer { account, name }, link))
}

/// Every linked athlete's row, most urgent first, kept with what it was made from ([`KeptDashboards`]).
///
/// First the clinician's dashboard version (read with the session, [`DashboardVersion`], or else one primary-key
/// read, [`Dashboards::dashboard_version`]): the database
/// moves it in the same transaction as any write that could change these rows, whoever writes, so while it equals
/// the version of the kept dashboard, on the same day and with no hourly look due, the kept dashboard is shown as
/// it is. Otherwise, one read gives every athlete the clinician follows with their journal revision, this
/// clinician's last visit and last dashboard look ([`Dashboards::dashboard_state`]); the dashboard's look is written
/// to the audit log of each athlete not looked at this hour, in one transaction, before the rows are shown. An
/// athlete's attention comes from memory when it is kept for their revision, today and this clinician's "since"
/// (the background warming in `attention_warming` keeps it so); only the others are read from their stores, all
/// in one blocking task. The version is read before the state, so a dashboard is never kept under a version newer
/// than what it shows: a write between the two reads only makes the next view read the state again. The looks move
/// the version too; when they alone moved it, the dashboard is kept under the version after them.
///
/// [`KeptDashboards`]: runtall_app::clinic::KeptDashboards
/// [`Dashboards::dashboard_version`]: runtall_store::dashboard::Dashboards::dashboard_version
/// [`Dashboards::dashboard_state`]: runtall_store::dashboard::Dashboards::dashboard_state
async fn rows(
    st: &AppState,
    account: AccountId,
    name: &str,
    known: DashboardVersion,
) -> Result<Arc<KeptDashboard>, HttpError> {
    let now = Timestamp::now();
    let day = attention_day(now);
    let kept = st.derived.dashboards();
    // Read before anything else of this request, like the read here would be: a write after it only makes the next
    // view read the state again.
    let version = match known.0 {
        Some(version) => version,
        None => st.db.dashboards(move |d| Ok(d.dashboard_version(account)?)).await?,
    };
    if let Some(current) = kept.current(account.get(), version, day, now) {
        return Ok(current);
    }
    let viewer = Viewer { account, name: name.to_string() };
    let mut entry = viewer.entry(actions::DASHBOARD, "the dashboard: what needs attention, and why");
    entry.at = now;
    let (athletes, looks) = st
        .db
        .dashboards(move |d| {
            let athletes = d.dashboard_state(account, &actions::VISITS, actions::DASHBOARD)?;
            let looks = record_dashboard_looks(d, &athletes, &entry)?;
            Ok((athletes, looks))
        })
        .await?;
    // The looks just written moved the version; when nothing else did since it was read, the rows hold after them.
    let version = match looks {
        Some((before, after)) if before == version => after,
        _ => version,
    };
    if let Some(same) = kept.same(account.get(), &athletes, day) {
        return Ok(kept.keep_again(account.get(), version, &same, athletes, now));
    }
    let mut rows = Vec::with_capacity(athletes.len());
    let mut missing = Vec::new();
    for athlete in &athletes {
        let cache = st.derived.attention(athlete.id);
        match kept_row(athlete, &cache, day) {
            Some(row) => rows.push(row),
            None => missing.push((athlete.clone(), cache)),
        }
    }
    if !missing.is_empty() {
        let ids: Vec<AthleteId> = missing.iter().map(|(a, _)| a.id).collect();
        let mut missing = missing.into_iter();
        let fresh = st
            .db
            .run_for_each(ids, move |store| {
                let (athlete, cache) =
                    missing.next().ok_or_else(|| HttpError::internal("the dashboard's athletes ran out"))?;
                Ok(fresh_row(store, &cache, &athlete, now)?)
            })
            .await?;
        rows.extend(fresh);
    }
    Ok(kept.keep(account.get(), version, day, athletes, now, Arc::new(dashboard(rows))))
}

fn level_class(level: Level) -> &'static str {
    match level {
        Level::Urgent => "badge level-urgent",
        Level::Soon => "badge level-soon",
        Level::Watch => "badge level-watch",
        Level::Info => "badge level-info",
        Level::None => "badge level-none",
    }
}

/// The dashboard's rows: the same for every view of one kept dashboard, so rendered once
/// ([`KeptDashboard::rendered`]) and nothing of the session in them.
fn rows_html(rows: &[DashboardRow]) -> Markup {
    html! {
        @if rows.is_empty() {
            p { "No athletes yet. Invite one below." }
        } @else {
            ol class="dashboard" {
                @for r in rows {
                    li class="dashboard-row" {
                        p {
                            a href={ "/clinic/athletes/" (r.athlete) } { strong { (r.name) } }
                            " " span class=(level_class(r.attention.level)) { (r.attention.level.name()) }
                        }
                        @if r.attention.reasons.is_empty() {
                            p class="muted" { @if r.last_visit.is_some() { "Nothing new since your last visit." } @else { "Nothing needs a look now." } }
                        } @else {
                            ul class="reasons" { @for reason in &r.attention.reasons { li { (reason.text) } } }
                        }
                        p class="muted" { "Last visit: "
                            @match r.last_visit { Some(t) => { (t.strftime("%Y-%m-%d")) } None => { "never" } } }
                    }
                }
            }
        }
    }
}

fn body(session: &Session, name: &str, rows: PreEscaped<&str>, invitation: Option<&str>) -> Markup {
    html! {
        p { a href="/account" { "Your account" } }
        h1 { "Your athletes" }
        p class="muted" { "Signed in as " (name) ". Athletes who need a look come first, with the reason; red flags and "
            "finished experiments count from your last visit to the athlete's page. Each look is written to the "
            "athlete's audit log." }
        @if let Some(code) = invitation {
            section class="card" role="status" id="invitation" {
                h2 { "New invitation" }
                p { "Give this code to the athlete (it works once, for 14 days, and is shown only now). A new athlete "
                    "opens " code { "/signup?code=" (code) } " on this server to create an account; an athlete who "
                    "has one enters the code on their account page." }
                p { code class="token" { (code) } }
            }
        }
        section class="card" aria-labelledby="athletes" {
            h2 id="athletes" class="visually-hidden" { "Athletes by what needs attention" }
            (rows)
            form method="post" action="/clinic/invitations" {
                (layout::csrf_field(session))
                button type="submit" class="button primary" { "Invite an athlete" }
            }
        }
    }
}

async fn render(
    st: &AppState,
    session: &Session,
    who: &Principal,
    known: DashboardVersion,
    invitation: Option<&str>,
) -> Result<Response, HttpError> {
    let (account, name) = clinician(st, who)?;
    let kept = rows(st, account, &name, known).await?;
    let rows = PreEscaped(kept.rendered(|rows| rows_html(rows).into_string()));
    Ok(Page::bare("Your athletes", body(session, &name, rows, invitation)).render(session))
}

async fn page(
    State(st): State<AppState>,
    session: Session,
    who: Principal,
    known: DashboardVersion,
) -> Result<Response, HttpError> {
    render(&st, &session, &who, known, None).await
}

/// The dashboard as data: athletes most in need of a look first, each with the level, the reasons and the last
/// visit.
async fn api_dashboard(
    State(st): State<AppState>,
    who: Principal,
    known: DashboardVersion,
) -> Result<Response, HttpError> {
    let (account, name) = clinician(&st, &who)?;
    Ok(json(&**rows(&st, account, &name, known).await?.rows()))
}

async fn invite(
    State(st): State<AppState>,
    session: Session,
    who: Principal,
    known: DashboardVersion,
) -> Result<Response, HttpError> {
    let (account, _) = clinician(&st, &who)?;
    let (code, hash) = new_secret();
    st.db
        .accounts(move |a| {
            let now = Timestamp::now();
            Ok(a.add_invitation(&hash, account, now, now + INVITATION_VALID)?)
        })
        .await?;
    // The version the session look-up read came before the invitation was written (which does not move it).
    render(&st, &session, &who, known, Some(&code)).await
}
