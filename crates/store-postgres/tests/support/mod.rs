//! A PostgreSQL server for the tests: the one `RUNTALL_TEST_DATABASE_URL` names (as a role that may create
//! databases and roles), or else a throwaway PostgreSQL 15 cluster this test binary starts itself from Debian's
//! binaries (`initdb` in a temporary folder as the `postgres` user, a random loopback port, the socket in that
//! folder), stopped and deleted by a watchdog once the test binary has exited.
//!
//! Each case gets a database of its own (created, migrated as the owner, dropped when the case ends) and connects
//! to it as the application role, which does not own the tables. Without PostgreSQL the tests say "skipped" and
//! pass, except under CI (`CI` set), where they fail: CI installs PostgreSQL (`.ci/run`).

#![allow(dead_code)] // Each test binary uses its own part of this module.

use postgres::{Client, Config, NoTls};
use runtall_store_postgres::PgDatabase;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where Debian installs PostgreSQL 15's server programs (`RUNTALL_TEST_PG_BIN` names another folder, for other
/// systems' layouts).
const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

fn pg_bin() -> String {
    std::env::var("RUNTALL_TEST_PG_BIN").ok().filter(|d| !d.is_empty()).unwrap_or_else(|| PG_BIN.to_string())
}
/// The application role the tests connect as (created when missing; never the tables' owner).
pub const APP_ROLE: &str = "runtall_app_test";
const APP_PASSWORD: &str = "runtall-app-test";

/// A running server and a role that may create databases on it.
pub struct Server {
    admin: Config,
}

/// The test server, started on first use; `None` (after printing "skipped") when there is none outside CI.
pub fn server() -> Option<&'static Server> {
    static SERVER: OnceLock<Option<Server>> = OnceLock::new();
    SERVER.get_or_init(start).as_ref()
}

fn start() -> Option<Server> {
    let admin = match std::env::var("RUNTALL_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            url.parse::<Config>().expect("RUNTALL_TEST_DATABASE_URL is not a connection string")
        }
        _ => {
            if !Path::new(&pg_bin()).join("initdb").exists() {
                let why = format!("PostgreSQL 15 is not installed ({}/initdb is missing)", pg_bin());
                assert!(std::env::var_os("CI").is_none(), "{why}; CI must run the PostgreSQL store's tests");
                return None;
            }
            Cluster::start()
        }
    };
    let server = Server { admin };
    server.ensure_app_role();
    Some(server)
}

/// The message a skipped test prints.
pub fn skipped(test: &str) {
    println!("skipped: {test} needs PostgreSQL 15 (install postgresql-15 or set RUNTALL_TEST_DATABASE_URL)");
}

impl Server {
    /// A connection as the administrating role, to its own database.
    pub fn admin_client(&self) -> Client {
        self.admin.connect(NoTls).expect("connect as the test server's administrator")
    }

    fn ensure_app_role(&self) {
        let mut c = self.admin_client();
        let exists = c.query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&APP_ROLE]).expect("roles");
        if exists.is_none() {
            c.batch_execute(&format!("CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_PASSWORD}'")).expect("create role");
        }
    }

    /// A new, empty, migrated database: its name, the owner's configuration and the application role's.
    pub fn fresh_database(&'static self) -> TestDatabase {
        static MADE: AtomicUsize = AtomicUsize::new(0);
        let name = format!("runtall_test_{}_{}", std::process::id(), MADE.fetch_add(1, Ordering::Relaxed));
        self.admin_client().batch_execute(&format!("CREATE DATABASE {name}")).expect("create database");
        let mut owner = self.admin.clone();
        owner.dbname(&name);
        PgDatabase::migrate_config(&owner, APP_ROLE).expect("migrate as the owner");
        let mut app = owner.clone();
        app.user(APP_ROLE).password(APP_PASSWORD);
        TestDatabase { server: self, name, owner, app }
    }
}

/// One case's database, dropped (with any connection still open to it) when the case ends.
pub struct TestDatabase {
    server: &'static Server,
    pub name: String,
    pub owner: Config,
    pub app: Config,
}

impl TestDatabase {
    /// The store as the application connects to it.
    pub fn connect(&self) -> PgDatabase {
        PgDatabase::connect_config(self.app.clone(), 4).expect("connect as the application role")
    }

    /// How many rows of `table` the application role reads on a connection of its own that named no athlete
    /// (row-level security's answer: none, whatever the table holds).
    pub fn rows_as_app_role_without_athlete(&self, table: &str) -> i64 {
        let mut c = self.app.connect(NoTls).expect("connect as the application role");
        c.query_one(&format!("SELECT count(*) FROM {table}"), &[]).expect("count").get(0)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Err(e) = self.server.admin_client().batch_execute(&drop) {
            eprintln!("could not drop test database {}: {e}", self.name);
        }
    }
}

/// A throwaway cluster in a temporary folder.
struct Cluster;

impl Cluster {
    /// Starts the cluster and a watchdog that stops it and deletes its folder once this process has exited (test
    /// binaries have no hook that runs after the last test).
    fn start() -> Config {
        let dir = PathBuf::from(as_postgres("mktemp", &["-d", "-t", "runtall-pg-XXXXXX"]).trim());
        let data = dir.join("data");
        let (d, data_s) = (dir.display().to_string(), data.display().to_string());
        let bin = pg_bin();
        let pg = |program: &str| format!("{bin}/{program}");
        as_postgres(
            &pg("initdb"),
            &["-D", &data_s, "--auth=trust", "--username=postgres", "--encoding=UTF8", "--locale=C", "--no-sync"],
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
        // Durability is not what these tests are about: without fsync a case's database is created in milliseconds.
        // `RUNTALL_TEST_PG_OPTIONS` adds server settings, for profiling (the clinic benchmark's `--statements`
        // wants `-c shared_preload_libraries=pg_stat_statements`).
        let extra = std::env::var("RUNTALL_TEST_PG_OPTIONS").unwrap_or_default();
        let options = format!(
            "-p {port} -k {d} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200 {extra}"
        );
        let log = format!("{d}/server.log");
        as_postgres(&pg("pg_ctl"), &["-D", &data_s, "-o", &options, "-l", &log, "-w", "start"]);
        let stop = if running_as_root() {
            format!("runuser -u postgres -- {} -D {data_s} -m immediate stop", pg("pg_ctl"))
        } else {
            format!("{} -D {data_s} -m immediate stop", pg("pg_ctl"))
        };
        let watchdog =
            format!("while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop}; rm -rf {d}", pid = std::process::id());
        // In a session of its own (so an interrupted `cargo test` does not take it down with the test binary), and
        // started by a process that exits at once, so it belongs to init rather than to us.
        let started = Command::new("setsid")
            .args(["-f", "sh", "-c", &watchdog])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("start the cluster's watchdog");
        assert!(started.success(), "cannot start the cluster's watchdog");
        let mut config = Config::new();
        config.host("127.0.0.1").port(port).user("postgres").dbname("postgres");
        config
    }
}

fn running_as_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// Runs a program as the `postgres` user when the tests run as root (PostgreSQL refuses to run as root), and
/// returns what it printed; panics with its output when it fails.
fn as_postgres(program: &str, args: &[&str]) -> String {
    let mut cmd = if running_as_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", program]);
        c
    } else {
        Command::new(program)
    };
    let out = cmd.args(args).stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What a connection of `db`'s pool carries as the pool lends it: the athlete it names (empty: nobody), and whether
/// an earlier query left a transaction block open on it (`now()` is the block's start, so it differs from the time
/// this query arrived; the `pg_sleep` makes sure the clock moved). For tests that a connection goes back clean.
pub fn pooled_connection_state(db: &PgDatabase) -> (String, bool) {
    let last = |sql: &str| {
        let rows = db.on_pooled_connection(sql).expect("query on a pooled connection");
        rows.into_iter().last().and_then(|r| r.into_iter().next().flatten()).unwrap_or_default()
    };
    let named = last("SELECT current_setting('app.athlete_id', true)");
    let in_transaction = last("SELECT pg_sleep(0.002); SELECT now() <> statement_timestamp()") == "t";
    (named, in_transaction)
}
