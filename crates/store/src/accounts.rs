//! The clinic server's accounts: who may sign in, as what, and which athletes a clinician follows.
//!
//! Accounts are server-level, not one athlete's records, so they live beside the [`Store`](crate::Store) boundary
//! rather than behind it: a [`Database`](crate::Database) that serves many athletes also implements [`Accounts`]. On
//! PostgreSQL these tables sit outside row-level security (the app reads them before it knows whose request it is
//! serving); the application's own checks (`clinician_sees`) are what guard them.
//!
//! Secrets never reach the store in clear: session tokens, device tokens, invitation and reset codes arrive as the
//! hex SHA-256 of the secret (a stolen database reveals none that still work), passwords as argon2id PHC strings.
//! The front end makes and hashes them; the store only matches hashes.

use crate::{AthleteId, Result};
use jiff::{SignedDuration, Timestamp};

/// How stale a session's `last_seen` may be before a look-up writes it again. Every request of a signed-in person
/// looks their session up: writing the time each time would make every page view a write (SQLite's one write lock,
/// a commit on PostgreSQL) for a figure nobody needs to the second.
pub const LAST_SEEN_EVERY: SignedDuration = SignedDuration::from_secs(60);

/// Whether a session last seen at `last_seen` is written as seen at `now`: a minute or more old, or ahead of `now`
/// (a clock set back), so the stored time never passes the last look-up.
pub fn last_seen_is_stale(last_seen: Timestamp, now: Timestamp) -> bool {
    now.duration_since(last_seen) >= LAST_SEEN_EVERY || now < last_seen
}

/// An account's id (never an [`AthleteId`]: a clinician has no athlete, and ids of the two kinds must not mix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct AccountId(i64);

impl AccountId {
    pub const fn new(id: i64) -> AccountId {
        AccountId(id)
    }

    pub const fn get(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for AccountId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What an account may do: an athlete owns one athlete's records; a clinician (physiotherapist or coach) reads the
/// records of the athletes who accepted their invitation, while the link lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Athlete,
    Clinician,
}

impl Role {
    /// The name stored in the `role` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Athlete => "athlete",
            Role::Clinician => "clinician",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        match name {
            "athlete" => Some(Role::Athlete),
            "clinician" => Some(Role::Clinician),
            _ => None,
        }
    }
}

/// One account. An athlete account owns exactly one [`AthleteId`] (made in the same transaction as the account); a
/// clinician account owns none.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Account {
    pub id: AccountId,
    /// As the person typed it; matched without regard to case.
    pub email: String,
    pub name: String,
    pub role: Role,
    pub athlete: Option<AthleteId>,
}

/// A signed-in browser session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub account: AccountId,
    pub created_at: Timestamp,
    pub last_seen: Timestamp,
    pub expires_at: Timestamp,
}

/// A live session with its account: what every signed-in request needs first ([`Accounts::signed_in`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub session: SessionInfo,
    pub account: Account,
    /// The account's dashboard version ([`Dashboards::dashboard_version`](crate::dashboard::Dashboards::dashboard_version)),
    /// read in the same look-up: a clinician's dashboard kept in memory is then shown after one read, where a second
    /// read of the version would be a second round trip on a database server. 0 for an athlete's account and for
    /// a clinician nobody follows yet.
    pub dashboard_version: u64,
}

/// An athlete a clinician follows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LinkedAthlete {
    pub id: AthleteId,
    pub account: AccountId,
    pub name: String,
    /// When the athlete accepted the invitation.
    pub since: Timestamp,
}

/// Where a clinician's view of one athlete starts ([`Accounts::clinician_view`]): the link, and what the view needs
/// of the athlete's records before it can tell whether anything is kept for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicianView {
    pub link: LinkedAthlete,
    /// The athlete's journal revision ([`Store::journal_revision`](crate::Store::journal_revision)).
    pub revision: u64,
    /// The newest of this clinician's audit entries at the athlete among the actions asked for (as
    /// [`Store::last_audit`](crate::Store::last_audit) gives it).
    pub last_visit: Option<Timestamp>,
}

/// A clinician who follows an athlete, as the athlete's settings list them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LinkedClinician {
    pub account: AccountId,
    pub name: String,
    pub email: String,
    pub since: Timestamp,
}

/// A device token as its owner's "connect a device" page lists it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Device {
    pub id: i64,
    pub name: String,
    pub created_at: Timestamp,
    pub last_used: Option<Timestamp>,
}

/// What [`Accounts::purge_expired`] deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Purged {
    pub sessions: usize,
    pub invitations: usize,
    pub reset_codes: usize,
}

impl Purged {
    pub fn total(&self) -> usize {
        self.sessions + self.invitations + self.reset_codes
    }
}

/// What accepting an invitation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acceptance {
    /// The athlete now shares their records with this clinician (again, if they had revoked an earlier link).
    Linked { clinician: AccountId },
    /// No such code, expired, already used, or the account is not an athlete's: the same answer for each, so a
    /// guessed code learns nothing.
    Invalid,
}

/// The server's accounts, sessions, invitations, links, device tokens and reset codes. Each method is one
/// transaction. Every `*_hash` argument is the lowercase hex SHA-256 of a secret.
pub trait Accounts {
    /// Adds an account; an athlete account gets a new athlete named `name` in the same transaction. `password` is an
    /// argon2id PHC string, or `None` for an account that sets it later with a reset code (a clinician the admin
    /// command made). [`StoreError::Exists`](crate::StoreError::Exists) when the email is taken, in any case.
    fn create_account(&self, email: &str, name: &str, role: Role, password: Option<&str>) -> Result<Account>;
    fn account(&self, id: AccountId) -> Result<Option<Account>>;
    /// The account with this email (any case) and its password's PHC string, if one is set.
    fn account_by_email(&self, email: &str) -> Result<Option<(Account, Option<String>)>>;
    /// The PHC string of the account's password, if one is set.
    fn password_of(&self, id: AccountId) -> Result<Option<String>>;
    fn set_password(&self, id: AccountId, password: &str) -> Result<()>;
    /// Deletes the account with its sessions, devices, links, invitations and reset codes. An athlete account's
    /// athlete row stays (its records are deleted through its [`Store`](crate::Store) first) but loses its name.
    /// Returns whether it existed.
    fn delete_account(&self, id: AccountId) -> Result<bool>;

    /// Stores a new session, valid until `expires_at`.
    fn add_session(&self, token_hash: &str, account: AccountId, now: Timestamp, expires_at: Timestamp) -> Result<()>;
    /// The live session with this token (not expired at `now`), marking it seen at `now` when its `last_seen` is
    /// stale ([`last_seen_is_stale`]): written at most once a minute, never on every request.
    fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<SessionInfo>>;
    /// [`session`](Self::session), the account it belongs to and its dashboard version, in one look-up: the first
    /// thing every signed-in request asks, so on a database server one round trip rather than three. The same rules, with no copy kept
    /// anywhere: `None` at once when the session expired at `now`, was ended (sign out, sign out everywhere) or its
    /// account was deleted.
    fn signed_in(&self, token_hash: &str, now: Timestamp) -> Result<Option<SignedIn>>;
    /// Ends one session (sign out); returns whether it existed.
    fn delete_session(&self, token_hash: &str) -> Result<bool>;
    /// Ends every session of the account (sign out everywhere, a password change); returns how many.
    fn delete_sessions_of(&self, account: AccountId) -> Result<usize>;

    /// Stores an invitation a clinician made, usable once until `expires_at`.
    fn add_invitation(
        &self,
        code_hash: &str,
        clinician: AccountId,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()>;
    /// Uses an invitation for an athlete account: links the athlete to the clinician who made it and marks it used,
    /// in one transaction.
    fn accept_invitation(&self, code_hash: &str, athlete_account: AccountId, now: Timestamp) -> Result<Acceptance>;
    /// Whether the clinician follows the athlete now (a revoked link answers `false` at once).
    fn clinician_sees(&self, clinician: AccountId, athlete: AthleteId) -> Result<bool>;
    /// The athlete as the clinician follows them (name, since when), or `None` when the clinician does not follow
    /// them now: the access check and what the athlete's page names, in one keyed look-up.
    fn link(&self, clinician: AccountId, athlete: AthleteId) -> Result<Option<LinkedAthlete>>;
    /// The access check of a clinician's view of one athlete and the state the view starts from, read together (one
    /// round trip on a database server, where the link, the revision and the last visit asked one by one were a
    /// transaction each): the link as [`link`](Self::link) gives it, the athlete's journal revision, and the newest
    /// of this clinician's audit entries at the athlete whose action is one of `visits`. `None` when the clinician
    /// does not follow the athlete now; nothing of the athlete's records is returned then. Action names are the
    /// program's own words (letters, digits, `-`, `_`, `.`, `:`); any other is refused.
    fn clinician_view(
        &self,
        clinician: AccountId,
        athlete: AthleteId,
        visits: &[&str],
    ) -> Result<Option<ClinicianView>>;
    /// The athletes the clinician follows, by name.
    fn athletes_of(&self, clinician: AccountId) -> Result<Vec<LinkedAthlete>>;
    /// The clinicians who follow the athlete, oldest link first.
    fn clinicians_of(&self, athlete: AthleteId) -> Result<Vec<LinkedClinician>>;
    /// Ends a link (the athlete revokes it); returns whether there was one.
    fn revoke_link(&self, athlete: AthleteId, clinician: AccountId) -> Result<bool>;

    /// Stores a device token of an athlete account; returns its id.
    fn add_device(&self, token_hash: &str, account: AccountId, name: &str, now: Timestamp) -> Result<i64>;
    /// The athlete account and athlete a device token belongs to, marking it used now; `None` for an unknown or
    /// revoked token.
    fn device(&self, token_hash: &str) -> Result<Option<(AccountId, AthleteId)>>;
    /// The account's devices, oldest first.
    fn devices(&self, account: AccountId) -> Result<Vec<Device>>;
    /// Revokes one of the account's devices; `false` when it has no such device (another account's id included).
    fn revoke_device(&self, account: AccountId, id: i64) -> Result<bool>;

    /// Stores a password reset code for the account, usable once until `expires_at`.
    fn add_reset_code(&self, code_hash: &str, account: AccountId, expires_at: Timestamp) -> Result<()>;
    /// Uses a reset code: the account it was made for, if it is unused and not expired at `now`, and marks it used.
    fn use_reset_code(&self, code_hash: &str, now: Timestamp) -> Result<Option<AccountId>>;

    /// Deletes the secrets that can no longer be used at `now`: sessions, invitations (used or not: the link an
    /// invitation made keeps its own date) and reset codes past their expiry, and reset codes already used. Hashes
    /// of dead secrets are of no use to anyone and only grow the tables the server reads on every request. One
    /// transaction; returns how many of each.
    fn purge_expired(&self, now: Timestamp) -> Result<Purged>;
}

/// The form of an email the uniqueness rule compares: trimmed and lowercased.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Whether `action` is a word an audit action may be named with (see [`Accounts::clinician_view`]): a backend may
/// then write it into a statement as it is.
pub fn plain_action(action: &str) -> bool {
    !action.is_empty() && action.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}
