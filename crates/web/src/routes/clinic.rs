//! The clinician's start page on a clinic server: the athletes who share their records with them, and invitations
//! to make. Athletes and the one-runner app get 404 here. (The dashboard ranking athletes by what needs attention
//! and one athlete's page build on this; each view of an athlete goes through `principal::clinician_access`.)

use crate::AppState;
use crate::error::HttpError;
use crate::layout::{self, Page};
use crate::principal::{Principal, new_secret};
use crate::session::Session;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use jiff::{SignedDuration, Timestamp};
use maud::{Markup, html};
use runtall_store::accounts::{AccountId, LinkedAthlete};

/// How long an invitation works.
pub const INVITATION_VALID: SignedDuration = SignedDuration::from_hours(14 * 24);

pub fn router() -> Router<AppState> {
    Router::new().route("/clinic", get(page)).route("/clinic/invitations", post(invite))
}

fn clinician(st: &AppState, who: &Principal) -> Result<AccountId, HttpError> {
    match who {
        Principal::Clinician { account, .. } if st.db.is_multi_user() => Ok(*account),
        _ => Err(HttpError::NotFound),
    }
}

fn body(session: &Session, name: &str, athletes: &[LinkedAthlete], invitation: Option<&str>) -> Markup {
    html! {
        p { a href="/account" { "Your account" } }
        h1 { "Your athletes" }
        p class="muted" { "Signed in as " (name) ". You see the records of the athletes who accepted your invitation, "
            "for as long as they share them; each look is written to their audit log." }
        @if let Some(code) = invitation {
            section class="card" role="status" id="invitation" {
                h2 { "New invitation" }
                p { "Give this code to the athlete (it works once, for 14 days, and is shown only now). A new athlete "
                    "opens " code { "/signup?code=" (code) } " on this server to create an account; an athlete who "
                    "has one enters the code on their account page." }
                p { code class="token" { (code) } }
            }
        }
        section class="card" {
            @if athletes.is_empty() {
                p { "No athletes yet. Invite one below." }
            } @else {
                table {
                    thead { tr { th { "Athlete" } th { "Sharing since" } } }
                    tbody {
                        @for a in athletes {
                            tr { td { (a.name) } td { (a.since.strftime("%Y-%m-%d")) } }
                        }
                    }
                }
            }
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
    invitation: Option<&str>,
) -> Result<Response, HttpError> {
    let account = clinician(st, who)?;
    let athletes = st.db.accounts(move |a| Ok(a.athletes_of(account)?)).await?;
    let name = match who {
        Principal::Clinician { name, .. } => name.as_str(),
        _ => "",
    };
    Ok(Page::bare("Your athletes", body(session, name, &athletes, invitation)).render(session))
}

async fn page(State(st): State<AppState>, session: Session, who: Principal) -> Result<Response, HttpError> {
    render(&st, &session, &who, None).await
}

async fn invite(State(st): State<AppState>, session: Session, who: Principal) -> Result<Response, HttpError> {
    let account = clinician(&st, &who)?;
    let (code, hash) = new_secret();
    st.db
        .accounts(move |a| {
            let now = Timestamp::now();
            Ok(a.add_invitation(&hash, account, now, now + INVITATION_VALID)?)
        })
        .await?;
    render(&st, &session, &who, Some(&code)).await
}
