//! One database transaction for the whole of a page the athlete asks for often (Today, `/api/state`, `/`), on a
//! clinic server's shared database (PostgreSQL).
//!
//! Each [`Db::run`](crate::Db::run) of a request would otherwise take its own store, and on PostgreSQL every store
//! call its own pooled connection and transaction naming the athlete: Today made 15.8 transactions a request (session
//! 9's `pg_stat_statements`). Here the first `Db::run` of such a request opens a scope
//! ([`runtall_store::Database::scope`]) and keeps it in the request's slot; later runs of the same request use it,
//! and when the response is ready this layer ends it: committed when the page answered with success or a redirect,
//! rolled back otherwise, so a request that fails keeps none of its writes. A commit that fails turns the answer
//! into the error (the page must not claim what was not kept). A request cancelled half-way (the client went) drops
//! its slot, and the scope is rolled back on a blocking thread (the database client blocks, which the async threads
//! must not). Whenever a scope is rolled back, the athlete's kept derived results are forgotten (see
//! [`rolled_back`]).
//!
//! Only the pages listed in [`shares_one_transaction`]: a scope holds its pooled connection from its first store
//! call to the end of the request, so a page that also asked the pool for a second connection (the accounts, the
//! dashboards) while holding it could, with every connection so held, wait for itself. These pages only read and
//! write the athlete's own store. SQLite backends ignore the slot: each run checks a connection of their own pool
//! out, and a call there costs no round trip.

use crate::AppState;
use crate::error::HttpError;
use crate::per_athlete::PerAthlete;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use runtall_store::{AthleteId, Store};
use std::sync::{Arc, Mutex, MutexGuard};

/// The scope of one request, once its first store call opened it: the athlete and the scoped store.
pub(crate) type Held = Option<(AthleteId, Box<dyn Store + Send>)>;

/// Where a request keeps its scope between its `Db::run` calls (each on a blocking thread of its own).
pub(crate) struct Slot {
    held: Mutex<Held>,
    /// The server's per-athlete caches: a scope rolled back makes its athlete's forgotten (see [`rolled_back`]).
    derived: Arc<PerAthlete>,
}

impl Slot {
    /// The held scope, if any. A run that panicked while holding it leaves it to be rolled back, never committed:
    /// see [`layer`], which only commits after a response.
    pub fn lock(&self) -> MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn take(&self) -> Held {
        self.lock().take()
    }
}

/// After a scope of `athlete` was rolled back: what the request's caches (the current plan, the insights, the doses)
/// kept from its writes is forgotten. They key on the journal revision, which the rollback takes back to a number
/// the athlete's next write reaches again, when the kept results would pass for current.
fn rolled_back(derived: &PerAthlete, athlete: AthleteId) {
    derived.forget(athlete);
}

impl Drop for Slot {
    /// A scope nobody ended (the request was cancelled, or a run panicked): rolled back off the async threads.
    fn drop(&mut self) {
        let held = self.held.get_mut().unwrap_or_else(|p| p.into_inner()).take();
        if let Some((athlete, store)) = held {
            rolled_back(&self.derived, athlete);
            let end = move || {
                let _ = store.end_scope(false);
            };
            match tokio::runtime::Handle::try_current() {
                Ok(handle) => drop(handle.spawn_blocking(end)),
                Err(_) => end(),
            }
        }
    }
}

tokio::task_local! {
    static SLOT: Arc<Slot>;
}

/// The slot of the request being answered, when its page shares one transaction.
pub(crate) fn current() -> Option<Arc<Slot>> {
    SLOT.try_with(Arc::clone).ok()
}

/// The pages whose store calls share one transaction: the athlete's most asked-for pages, which touch only the
/// athlete's own store (see the module's comment).
fn shares_one_transaction(request: &Request) -> bool {
    request.method() == Method::GET && matches!(request.uri().path(), "/" | "/today" | "/api/state")
}

/// Gives the pages of [`shares_one_transaction`] a slot for their scope and ends the scope with the response.
pub(crate) async fn layer(State(st): State<AppState>, request: Request, next: Next) -> Response {
    if !shares_one_transaction(&request) {
        return next.run(request).await;
    }
    let slot = Arc::new(Slot { held: Mutex::new(None), derived: st.derived.clone() });
    let response = SLOT.scope(slot.clone(), next.run(request)).await;
    let Some((athlete, store)) = slot.take() else { return response };
    let status = response.status();
    let commit = status.is_success() || status.is_redirection();
    let ended = tokio::task::spawn_blocking(move || store.end_scope(commit)).await;
    if !commit || !matches!(ended, Ok(Ok(()))) {
        rolled_back(&st.derived, athlete);
    }
    match ended {
        Ok(Ok(())) => response,
        Ok(Err(e)) => HttpError::from(e).into_response(),
        Err(e) => HttpError::internal(format!("database task failed: {e}")).into_response(),
    }
}
