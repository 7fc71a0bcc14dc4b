//! One transaction for the calls of one request (`Database::scope`): the handle keeps one pooled connection with a
//! transaction open that names the athlete, from the scope's start to `Store::end_scope`.
//!
//! Why: a server page makes a dozen store calls, and each call on its own takes a connection, opens a transaction
//! naming the athlete (one round trip), runs its statements and commits (another). Measured on the clinic bench
//! (`docs/scaling.md`, session 10), Today ran 15.8 transactions a request, 10.4 of them only to name the athlete.
//! In a scope the naming and the commit happen once.
//!
//! What stays true of each call: it is all or nothing. A write runs under a savepoint, rolled back to when the write
//! fails, so a failed write leaves nothing of itself and the transaction goes on. A read has no savepoint (it would
//! cost the round trips the scope saves); when one fails, PostgreSQL may have aborted the transaction, so the scope
//! can no longer commit: every later call fails, and `end_scope` rolls back and says why. Nothing of a scope is
//! kept unless `end_scope(true)` commits it, so a request that fails keeps none of its writes.
//!
//! The connection goes back to the pool only with its transaction ended, naming nobody (`set_config(…, true)` lasts
//! until the transaction ends): `end_scope` commits or rolls back, and a handle dropped without it (a panic, a
//! cancelled request) rolls back when its last clone goes. A `ROLLBACK` that fails marks the connection broken and
//! the pool drops it.

use crate::athlete_tx::AthleteTx;
use crate::{Conn, classify};
use runtall_domain::assess::AssessmentRecord;
use runtall_domain::screen::ScreeningRecord;
use runtall_store::{Result, StoreError};
use std::sync::{Mutex, MutexGuard};

/// The savepoint each write of a scope runs under.
const SAVEPOINT: &str = "store_call";

/// The connection and transaction a scoped [`PgStore`](crate::PgStore) shares between its clones.
pub(crate) struct Scope {
    state: Mutex<State>,
    /// For messages.
    target: std::sync::Arc<str>,
}

struct State {
    /// The connection with the scope's transaction open; `None` once the scope has ended.
    conn: Option<Conn>,
    /// Why the transaction can no longer be committed (a call failed in a way that may have aborted it).
    failed: Option<String>,
    memo: Memo,
}

/// Reads a scope answers from memory until its next write. A page asks for a few things more than once: the latest
/// screen (the emergency lock, then the page's snapshot), the latest assessment, and the journal revision (each
/// kept result, the plan, the insights and the doses, checks its own). Forgotten at every write of the scope, so
/// the scope always reads its own writes; another transaction's commit in between is not seen, as if the read had
/// come first (a kept result keyed by an older revision is only worked out again).
#[derive(Default)]
pub(crate) struct Memo {
    pub screening: Option<Option<ScreeningRecord>>,
    pub assessment: Option<Option<AssessmentRecord>>,
    pub revision: Option<u64>,
}

impl Scope {
    /// Opens the scope's transaction on `conn`, naming `athlete`, and checks that the athlete exists, in one round
    /// trip. [`StoreError::NotFound`] when there is no such athlete (the transaction is rolled back).
    pub fn open(mut conn: Conn, athlete: i64, target: std::sync::Arc<str>) -> Result<Scope> {
        let sql = format!(
            "BEGIN; SELECT set_config('app.athlete_id', '{athlete}', true); SELECT 1 FROM athletes WHERE id = {athlete}"
        );
        let opened = conn.simple_query(&sql);
        // From here, dropping the scope rolls back whatever `BEGIN` opened.
        let scope =
            Scope { state: Mutex::new(State { conn: Some(conn), failed: None, memo: Memo::default() }), target };
        let messages = opened.map_err(|e| classify(&scope.target, e))?;
        if messages.iter().filter(|m| matches!(m, postgres::SimpleQueryMessage::Row(_))).count() != 2 {
            return Err(StoreError::NotFound { what: "athlete", id: athlete });
        }
        Ok(scope)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        match self.state.lock() {
            Ok(state) => state,
            // A call panicked half-way: whatever it did cannot be vouched for.
            Err(poisoned) => {
                let mut state = poisoned.into_inner();
                state.failed.get_or_insert_with(|| "a call panicked".into());
                state
            }
        }
    }

    /// Runs one call of the scope: a read as it is, a write (`write`) under a savepoint. See the module's comment.
    pub fn call<T>(&self, write: bool, f: impl FnOnce(&mut AthleteTx<'_>) -> Result<T>) -> Result<T> {
        self.call_in(&mut self.lock(), write, f)
    }

    /// A read the scope keeps in `slot` of its [`Memo`] until its next write: answered from there when it is kept.
    pub fn remembered<T: Clone>(
        &self,
        slot: fn(&mut Memo) -> &mut Option<T>,
        f: impl FnOnce(&mut AthleteTx<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut state = self.lock();
        // A scope that failed or ended answers nothing, from memory or not.
        if state.failed.is_none()
            && state.conn.is_some()
            && let Some(kept) = slot(&mut state.memo)
        {
            return Ok(kept.clone());
        }
        let value = self.call_in(&mut state, false, f)?;
        *slot(&mut state.memo) = Some(value.clone());
        Ok(value)
    }

    fn call_in<T>(&self, state: &mut State, write: bool, f: impl FnOnce(&mut AthleteTx<'_>) -> Result<T>) -> Result<T> {
        let State { conn, failed, memo } = state;
        if write {
            *memo = Memo::default();
        }
        if let Some(why) = failed {
            return Err(StoreError::Sql(format!(
                "an earlier call of this request failed ({why}); nothing of the request will be kept"
            )));
        }
        let Some(conn) = conn.as_mut() else {
            return Err(StoreError::Sql("this request's transaction has ended".into()));
        };
        if write && let Err(e) = conn.batch_execute(&format!("SAVEPOINT {SAVEPOINT}")) {
            let e = classify(&self.target, e);
            *failed = Some(e.to_string());
            return Err(e);
        }
        let out = f(&mut AthleteTx::within(conn));
        let end = match (&out, write) {
            (Ok(_), true) => format!("RELEASE SAVEPOINT {SAVEPOINT}"),
            (Err(_), true) => format!("ROLLBACK TO SAVEPOINT {SAVEPOINT}; RELEASE SAVEPOINT {SAVEPOINT}"),
            (Err(e), false) => {
                *failed = Some(e.to_string());
                return out;
            }
            (Ok(_), false) => return out,
        };
        if let Err(e) = conn.batch_execute(&end) {
            let e = classify(&self.target, e);
            *failed = Some(e.to_string());
            // The call's own error says more than the savepoint's, when it had one.
            return out.and(Err(e));
        }
        out
    }

    /// Commits (`commit`, and no call failed in a way that spoiled the transaction) or rolls back, and gives the
    /// connection back to the pool. Ending an ended scope does nothing.
    pub fn end(&self, commit: bool) -> Result<()> {
        let mut state = self.lock();
        let Some(mut conn) = state.conn.take() else { return Ok(()) };
        let failed = state.failed.take();
        drop(state);
        match (commit, failed) {
            (true, None) => conn.batch_execute("COMMIT").map_err(|e| {
                // A failed COMMIT has ended the transaction (rolled back) unless the connection is gone.
                classify(&self.target, e)
            }),
            (true, Some(why)) => {
                rollback(&mut conn);
                Err(StoreError::Sql(format!("a call of this request failed ({why}); none of its changes were kept")))
            }
            (false, _) => {
                rollback(&mut conn);
                Ok(())
            }
        }
    }
}

impl Drop for Scope {
    /// A scope nobody ended (a panic, a cancelled request): rolled back before its connection goes back.
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Some(mut conn) = state.conn.take() {
            rollback(&mut conn);
        }
    }
}

/// Rolls back; a connection on which that fails is not lent again.
fn rollback(conn: &mut Conn) {
    if conn.batch_execute("ROLLBACK").is_err() {
        conn.mark_broken();
    }
}
