//! A pooled connection that keeps its statements prepared.
//!
//! `postgres::Client::query` with SQL text prepares the statement first (Parse and Describe: a round trip of its
//! own, and a parse, analysis and rewrite in the server every time) and only then binds and runs it (a second round
//! trip). The store sends the same few dozen statements over and over, so each connection here prepares a statement
//! the first time it sends it and keeps it: from then on a statement is one round trip, with no parse in the server.
//! PostgreSQL plans a kept statement again when a table it reads changes (an `ALTER`, an index), and row-level
//! security's `current_setting('app.athlete_id')` is read when the statement runs, not when it was planned, so a
//! kept statement sees the athlete its transaction names like any other. A statement that fails keeps working for
//! the next call; should the server have forgotten it (a `DISCARD ALL`, a changed result type), that call fails and
//! the next prepares it again.

use postgres::error::SqlState;
use postgres::types::{ToSql, Type};
use postgres::{Client, Config, Error, NoTls, Row, Statement};
use r2d2::ManageConnection;
use std::collections::{HashMap, HashSet};
use std::ops::{Deref, DerefMut};

/// Statements kept per connection at most. The store's statement texts are a fixed set (a few are formatted from
/// table names, still a fixed set), well under this; the bound only guards against a caller formatting values into
/// SQL text, which would otherwise grow the map for good.
const MAX_KEPT: usize = 512;

/// A connection of the pool and the statements prepared on it.
pub(crate) struct PgConn {
    client: Client,
    kept: HashMap<Box<str>, Statement>,
    /// Statements prepared with SQL's own `PREPARE`, by name: a simple query runs them with `EXECUTE`, in the same
    /// round trip as its other statements (naming the athlete), where the protocol's prepared statements need a
    /// round trip of their own.
    named: HashSet<&'static str>,
    /// A transaction on it could not be ended (its `ROLLBACK` failed): the pool drops it rather than lend it again
    /// mid-transaction, naming an athlete.
    broken: bool,
}

impl PgConn {
    fn new(client: Client) -> PgConn {
        PgConn { client, kept: HashMap::new(), named: HashSet::new(), broken: false }
    }

    /// Tells the pool not to lend this connection again (see `broken`).
    pub fn mark_broken(&mut self) {
        self.broken = true;
    }

    /// `sql` prepared on this connection: kept from an earlier call, or prepared now (one round trip) and kept.
    /// `types` names parameters' types where the server would infer others than the values sent (text compared as
    /// times); empty, the server infers them all. The types belong to the text: one text, one set of types.
    fn statement(&mut self, sql: &str, types: &[Type]) -> Result<Statement, Error> {
        if let Some(s) = self.kept.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare_typed(sql, types)?;
        if self.kept.len() >= MAX_KEPT {
            self.kept.clear();
        }
        self.kept.insert(sql.into(), s.clone());
        Ok(s)
    }

    /// [`query_opt`](Self::query_opt) of a statement prepared with its parameters' types.
    pub fn query_opt_typed(
        &mut self,
        sql: &str,
        types: &[Type],
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, Error> {
        self.with_typed(sql, types, |c, s| c.query_opt(s, params))
    }

    /// Runs `run` with `sql` prepared. When the server no longer knows the kept statement (something ran
    /// `DISCARD ALL` or `DEALLOCATE ALL` on the connection: all are gone then) or its result's shape changed under it
    /// (a schema change by another program), what is kept is forgotten and this call fails: the next prepares again.
    /// Not run again here: inside a transaction the error has already aborted it.
    fn with<T>(&mut self, sql: &str, run: impl Fn(&mut Client, &Statement) -> Result<T, Error>) -> Result<T, Error> {
        self.with_typed(sql, &[], run)
    }

    /// [`with`](Self::with) for a statement prepared with its parameters' types.
    fn with_typed<T>(
        &mut self,
        sql: &str,
        types: &[Type],
        run: impl Fn(&mut Client, &Statement) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let s = self.statement(sql, types)?;
        let out = run(&mut self.client, &s);
        if let Err(e) = &out {
            self.forget(sql, e);
        }
        out
    }

    /// Prepares `definition` (`PREPARE name … AS …`) on this connection unless it already was.
    pub fn prepare_named(&mut self, name: &'static str, definition: &str) -> Result<(), Error> {
        if !self.named.contains(name) {
            self.client.batch_execute(definition)?;
            self.named.insert(name);
        }
        Ok(())
    }

    /// After an error of a simple query that ran a named statement: forgets what the server no longer has.
    pub fn forget_if_gone(&mut self, e: &Error) {
        self.forget("", e);
    }

    fn forget(&mut self, sql: &str, e: &Error) {
        match e.code() {
            Some(c) if *c == SqlState::INVALID_SQL_STATEMENT_NAME => {
                self.kept.clear();
                self.named.clear();
            }
            Some(c) if *c == SqlState::FEATURE_NOT_SUPPORTED => {
                self.kept.remove(sql);
            }
            _ => {}
        }
    }

    pub fn query(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, Error> {
        self.with(sql, |c, s| c.query(s, params))
    }

    pub fn query_one(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Row, Error> {
        self.with(sql, |c, s| c.query_one(s, params))
    }

    pub fn query_opt(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>, Error> {
        self.with(sql, |c, s| c.query_opt(s, params))
    }

    pub fn execute(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, Error> {
        self.with(sql, |c, s| c.execute(s, params))
    }
}

/// The rest of the client (simple queries, transactions of the accounts, typed queries) as it is.
impl Deref for PgConn {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl DerefMut for PgConn {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.client
    }
}

/// Opens the pool's connections: plain clients (no TLS, see `Cargo.toml`) with nothing prepared yet.
#[derive(Debug)]
pub(crate) struct Manager {
    config: Config,
}

impl Manager {
    pub fn new(config: Config) -> Manager {
        Manager { config }
    }
}

impl ManageConnection for Manager {
    type Connection = PgConn;
    type Error = Error;

    fn connect(&self) -> Result<PgConn, Error> {
        Ok(PgConn::new(self.config.connect(NoTls)?))
    }

    fn is_valid(&self, conn: &mut PgConn) -> Result<(), Error> {
        conn.client.simple_query("").map(|_| ())
    }

    fn has_broken(&self, conn: &mut PgConn) -> bool {
        conn.broken || conn.client.is_closed()
    }
}
