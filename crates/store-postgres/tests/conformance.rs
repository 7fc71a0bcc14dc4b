//! The conformance suite on the PostgreSQL store, each case in a database of its own, connected as the application
//! role (so row-level security is on for every statement the suite makes). See `support` for the server.

mod support;

use runtall_store_postgres::PgDatabase;
use runtall_store_tests::Backend;
use std::sync::Mutex;

/// The databases of one case; dropped with it.
struct Postgres {
    server: &'static support::Server,
    made: Mutex<Vec<support::TestDatabase>>,
}

impl Postgres {
    /// The backend, or `None` (after saying "skipped") when there is no PostgreSQL outside CI.
    fn new(test: &str) -> Option<Postgres> {
        let Some(server) = support::server() else {
            support::skipped(test);
            return None;
        };
        Some(Postgres { server, made: Mutex::new(Vec::new()) })
    }
}

impl Backend for Postgres {
    type Db = PgDatabase;

    fn fresh(&self) -> PgDatabase {
        let database = self.server.fresh_database();
        let db = database.connect();
        self.made.lock().expect("databases").push(database);
        db
    }

    fn connect(&self, db: &PgDatabase) -> PgDatabase {
        db.reconnect(4).expect("second pool")
    }
}

runtall_store_tests::conformance_suite!(match Postgres::new(module_path!()) {
    Some(backend) => backend,
    None => return,
});

runtall_store_tests::accounts_suite!(match Postgres::new(module_path!()) {
    Some(backend) => backend,
    None => return,
});
