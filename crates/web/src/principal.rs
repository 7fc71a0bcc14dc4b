//! Who a request is from, and whose records it may touch.
//!
//! `runtall serve` has one runner, the [`Principal::Owner`]. `runtall server` has accounts: an athlete signed in
//! (session cookie) or one of their devices (`Authorization: Bearer` on `/api/*`) is [`Principal::Athlete`]; a
//! physiotherapist or coach is [`Principal::Clinician`]. The session middleware resolves it once per request,
//! puts it in the request's extensions (handlers take it as an extractor) and runs the rest of the request with
//! the athlete it serves set for [`crate::db::Db::run`] — a task-local rather than a parameter, so every existing
//! handler serves the signed-in athlete's own records without a change, and a request about nobody (a clinician)
//! reaches no athlete's store by accident.
//!
//! A clinician reaches an athlete's records only through [`clinician_access`], which checks the link the athlete
//! accepted (404 otherwise, the same answer as an id that does not exist).
//!
//! Secrets (session and device tokens, invitation and reset codes) are random and reach the database only as their
//! SHA-256 ([`hash_secret`]): unlike passwords they carry 256 bits, so a fast hash is enough and a stolen database
//! holds nothing that works.

use crate::AppState;
use crate::error::HttpError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use runtall_store::AthleteId;
use runtall_store::accounts::{AccountId, ClinicianView, LinkedAthlete};

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// The one runner of `runtall serve`.
    Owner,
    /// An athlete signed in to `runtall server` (in a browser, or through a device token).
    Athlete { account: AccountId, athlete: AthleteId },
    /// A physiotherapist or coach signed in to `runtall server`.
    Clinician { account: AccountId, name: String },
}

impl Principal {
    /// The athlete whose own records this principal works on; `None` for a clinician.
    pub fn athlete(&self) -> Option<AthleteId> {
        match self {
            Principal::Owner => Some(AthleteId::LOCAL),
            Principal::Athlete { athlete, .. } => Some(*athlete),
            Principal::Clinician { .. } => None,
        }
    }

    pub fn account(&self) -> Option<AccountId> {
        match self {
            Principal::Owner => None,
            Principal::Athlete { account, .. } | Principal::Clinician { account, .. } => Some(*account),
        }
    }

    pub fn is_clinician(&self) -> bool {
        matches!(self, Principal::Clinician { .. })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // Absent only before sign-in (public pages): nobody's records are reachable from there.
        parts.extensions.get::<Principal>().cloned().ok_or(HttpError::NotFound)
    }
}

/// The signed-in clinician's dashboard version as the session look-up read it
/// ([`SignedIn::dashboard_version`](runtall_store::accounts::SignedIn::dashboard_version)), at the start of the
/// request: the dashboard compares it with the version of the dashboard it keeps, so a repeat view needs no read of
/// its own. `None` when the request has none (not a clinician's session); the dashboard then reads it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DashboardVersion(pub Option<u64>);

impl<S: Send + Sync> FromRequestParts<S> for DashboardVersion {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<DashboardVersion>().copied().unwrap_or_default())
    }
}

tokio::task_local! {
    static SERVING: Option<AthleteId>;
}

/// The athlete the current request serves (set by the session middleware for the whole request).
pub(crate) fn serving() -> Option<AthleteId> {
    SERVING.try_with(|a| *a).ok().flatten()
}

/// Runs `fut` (the rest of a request) serving `athlete`.
pub(crate) async fn scope<F: std::future::Future>(athlete: Option<AthleteId>, fut: F) -> F::Output {
    SERVING.scope(athlete, fut).await
}

/// The one check in front of a clinician's view of an athlete: the athlete accepted this clinician's invitation and
/// has not revoked it. Anything else — another clinician's athlete, an id that does not exist, an athlete asking —
/// is 404, so ids reveal nothing.
pub async fn clinician_access(st: &AppState, who: &Principal, athlete: AthleteId) -> Result<AccountId, HttpError> {
    Ok(clinician_link(st, who, athlete).await?.0)
}

/// [`clinician_access`] with the link it found: the athlete's name and since when they share, as the clinician's
/// pages show them (one keyed look-up).
pub async fn clinician_link(
    st: &AppState,
    who: &Principal,
    athlete: AthleteId,
) -> Result<(AccountId, LinkedAthlete), HttpError> {
    let Principal::Clinician { account, .. } = who else { return Err(HttpError::NotFound) };
    let account = *account;
    let link = st.db.accounts(move |accounts| Ok(accounts.link(account, athlete)?)).await?;
    link.map(|l| (account, l)).ok_or(HttpError::NotFound)
}

/// [`clinician_access`] with where the clinician's view of the athlete starts — the link, the athlete's journal
/// revision and this clinician's last visit among `visits` — in one look-up
/// ([`Accounts::clinician_view`](runtall_store::accounts::Accounts::clinician_view)): the same check, the same 404.
pub async fn clinician_view(
    st: &AppState,
    who: &Principal,
    athlete: AthleteId,
    visits: &'static [&'static str],
) -> Result<(AccountId, ClinicianView), HttpError> {
    let Principal::Clinician { account, .. } = who else { return Err(HttpError::NotFound) };
    let account = *account;
    let view = st.db.accounts(move |accounts| Ok(accounts.clinician_view(account, athlete, visits)?)).await?;
    view.map(|v| (account, v)).ok_or(HttpError::NotFound)
}

/// A new random secret (32 bytes as hex) and the hash the database keeps of it.
pub fn new_secret() -> (String, String) {
    let secret = crate::session::random_token();
    let hash = hash_secret(&secret);
    (secret, hash)
}

/// The lowercase hex SHA-256 of a secret, as [`runtall_store::accounts::Accounts`] stores it.
pub fn hash_secret(secret: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, secret.trim().as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_kept_as_their_sha256() {
        assert_eq!(hash_secret("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let (a, ha) = new_secret();
        let (b, hb) = new_secret();
        assert_ne!(a, b);
        assert_eq!((hash_secret(&a), hash_secret(&b)), (ha.clone(), hb));
        assert_ne!(a, ha, "the secret itself is never what is stored");
        assert_eq!(hash_secret(&format!(" {a}\n")), ha, "a pasted code with spaces still matches");
    }
}
