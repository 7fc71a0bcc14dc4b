//! The athlete's most asked-for pages on a clinic server's PostgreSQL database: every store call of one request goes
//! through one scoped store (one connection, one transaction naming the athlete), other pages keep a store per call,
//! and the connection goes back to the pool with the transaction ended, naming nobody.

#[macro_use]
mod clinic_support;

use axum::http::StatusCode;
use clinic_support::*;
use runtall_store::accounts::Accounts;
use runtall_store::dashboard::Dashboards;
use runtall_store::{AthleteId, Store, StoreError};
use runtall_store_postgres::PgDatabase;
use runtall_web::SharedDatabase;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many scoped stores and plain stores the server asked for.
#[derive(Default)]
struct Counts {
    scopes: AtomicUsize,
    stores: AtomicUsize,
}

impl Counts {
    /// The counts so far, counting again from zero.
    fn take(&self) -> (usize, usize) {
        (self.scopes.swap(0, Ordering::SeqCst), self.stores.swap(0, Ordering::SeqCst))
    }
}

/// The PostgreSQL database as the server sees it, counting the stores it hands out.
struct Counting {
    db: PgDatabase,
    counts: Arc<Counts>,
}

impl SharedDatabase for Counting {
    fn store(&self, athlete: AthleteId) -> Result<Box<dyn Store>, StoreError> {
        self.counts.stores.fetch_add(1, Ordering::SeqCst);
        SharedDatabase::store(&self.db, athlete)
    }

    fn scope(&self, athlete: AthleteId) -> Result<Box<dyn Store + Send>, StoreError> {
        self.counts.scopes.fetch_add(1, Ordering::SeqCst);
        SharedDatabase::scope(&self.db, athlete)
    }

    fn accounts(&self) -> &dyn Accounts {
        &self.db
    }

    fn dashboards(&self) -> &dyn Dashboards {
        &self.db
    }

    fn describe(&self) -> String {
        SharedDatabase::describe(&self.db)
    }

    fn settle_labels(&self) {
        SharedDatabase::settle_labels(&self.db)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn today_and_the_state_run_in_one_transaction_on_the_pools_only_connection() {
    // One connection in the pool: a page that asked for a second while its scope held the first would wait for
    // itself (and fail after the pool's timeout).
    let Some((clinic, counts, pool, _, ana)) = counted_clinic(1).await else { return };
    counts.take();
    let today = clinic.get(&ana, "/today?run=easy").await;
    assert_eq!(today.status, StatusCode::OK, "{}", today.body);
    assert!(today.has("Chin tuck"), "Ana's plan for today: {}", today.body);
    assert_eq!(counts.take(), (1, 0), "Today: one scope, no store of its own per call");
    let state = clinic.get(&ana, "/api/state").await;
    assert_eq!(state.status, StatusCode::OK, "{}", state.body);
    assert_eq!(state.json()["next"], "/today", "{}", state.body);
    assert_eq!(counts.take(), (1, 0), "/api/state: one scope");
    assert_eq!(clinic.get(&ana, "/").await.location(), "/today");
    assert_eq!(counts.take(), (1, 0), "the start page: one scope");
    // Other pages are unchanged: a store per run.
    assert_eq!(clinic.get(&ana, "/plan").await.status, StatusCode::OK);
    let (scopes, stores) = counts.take();
    assert_eq!(scopes, 0);
    assert!(stores >= 1);

    // The only connection, after those requests: no transaction left open, nobody named.
    let (named, in_transaction) = off_runtime(move || pg::pooled_connection_state(&pool));
    assert_eq!((named.as_str(), in_transaction), ("", false));
}

/// A clinic on PostgreSQL whose stores are counted, with Pat the clinician and Ana, onboarded, following each other;
/// the pool has `connections` connections.
async fn counted_clinic(connections: u32) -> Option<(Clinic, Arc<Counts>, PgDatabase, Client, Client)> {
    let Some(server) = off_runtime(pg::server) else {
        pg::skipped("one transaction per page");
        return None;
    };
    let (database, pool) = off_runtime(move || {
        let database = server.fresh_database();
        let pool = database.connect().reconnect(connections).expect("a pool");
        (database, pool)
    });
    let counts = Arc::new(Counts::default());
    let dir = tempfile::tempdir().expect("temp dir");
    let shared = Counting { db: pool.clone(), counts: counts.clone() };
    let db = runtall_web::ClinicDatabase::Shared { database: Box::new(shared), files: dir.path().to_path_buf() }
        .open()
        .expect("clinic database");
    let clinic = Clinic::over(db, dir, Some(database));
    let pat = clinic.clinician("pat@example.org", "Pat Physio").await;
    let ana = clinic.athlete(&clinic.invite(&pat).await, "ana@example.org", "Ana").await;
    clinic.onboard(&ana).await;
    Some((clinic, counts, pool, pat, ana))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_today_that_fails_keeps_none_of_its_writes_nor_what_its_caches_made_of_them() {
    let Some((clinic, _, _, pat, ana)) = counted_clinic(2).await else { return };
    let athlete = clinic.account("ana@example.org").athlete.expect("Ana's athlete");
    let plans = || clinic.with_db(move |db| db.blocking_store(athlete, |s| s.plans().map(|p| p.len())));
    // A dose set by the clinician: Ana's next Today builds a plan that differs from the stored one and stores it.
    let path = format!("/clinic/athletes/{athlete}/program");
    let pairs = [("kind", "dose"), ("exercise", "chin-tuck"), ("sets", "2"), ("reps", "8"), ("note", "slowly")];
    assert_eq!(clinic.form(&pat, &path, &pairs).await.status, StatusCode::SEE_OTHER);
    let before = plans().expect("store").expect("plans");

    // Today stores the new plan, then refuses the run it was asked for (400): nothing of the request is kept.
    let refused = clinic.get(&ana, "/today?run=no-such-run").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(plans().expect("store").expect("plans"), before, "the failed page's plan was rolled back");

    // A write that moves the journal revision to the number the rolled-back plan had, with the same plan inputs:
    // a plan kept from the failed request would now pass for current and never be stored.
    let day = serde_json::json!({ "date": "2026-11-02" });
    assert_eq!(clinic.api(&ana, "/api/day", day).await.status, StatusCode::OK);
    let today = clinic.get(&ana, "/today?run=easy").await;
    assert_eq!(today.status, StatusCode::OK, "{}", today.body);
    assert!(today.has("Chin tuck</a> — 2 × 8, hold 10 s"), "the clinician's dose: {}", today.body);
    assert_eq!(plans().expect("store").expect("plans"), before + 1, "this Today's plan is stored, and committed");
}
