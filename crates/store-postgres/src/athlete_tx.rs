//! The transaction of one [`PgStore`](crate::PgStore) call: it names the call's athlete for row-level security and
//! lasts until the call commits (or fails, and is rolled back).
//!
//! `postgres::Transaction` sends `BEGIN` on its own and the naming would follow as a second statement: two round
//! trips before the call's first statement, on every call of every page. Here `BEGIN` and the naming go as one
//! simple query of two statements (a `BEGIN` in such a query opens a transaction block that outlasts it), so a
//! call costs one round trip less. The naming is `set_config(…, true)`, undone when the transaction ends, so a
//! connection goes back to the pool naming nobody.

use crate::conn::PgConn;
use postgres::types::ToSql;
use postgres::{Error, Row};

/// An open transaction naming one athlete, on a connection of the pool.
pub(crate) struct AthleteTx<'a> {
    client: &'a mut PgConn,
    /// Not yet committed: dropping it rolls it back.
    open: bool,
}

impl<'a> AthleteTx<'a> {
    /// Opens a transaction naming `athlete` (one round trip).
    pub fn begin(client: &'a mut PgConn, athlete: i64) -> Result<AthleteTx<'a>, Error> {
        // Made before the query: should the naming fail after `BEGIN`, dropping it rolls the block back.
        let tx = AthleteTx { client, open: true };
        tx.client.batch_execute(&format!("BEGIN; SELECT set_config('app.athlete_id', '{athlete}', true)"))?;
        Ok(tx)
    }

    /// The calls of a scope (`crate::scope`) on the transaction the scope opened and ends: neither begun nor ended
    /// here.
    pub fn within(client: &'a mut PgConn) -> AthleteTx<'a> {
        AthleteTx { client, open: false }
    }

    /// Commits; the transaction is over whether or not this succeeds (a failed `COMMIT` rolls back).
    pub fn commit(mut self) -> Result<(), Error> {
        self.open = false;
        self.client.batch_execute("COMMIT")
    }

    pub fn execute(&mut self, query: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, Error> {
        self.client.execute(query, params)
    }

    pub fn query(&mut self, query: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, Error> {
        self.client.query(query, params)
    }

    pub fn query_one(&mut self, query: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Row, Error> {
        self.client.query_one(query, params)
    }

    pub fn query_opt(&mut self, query: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>, Error> {
        self.client.query_opt(query, params)
    }
}

impl Drop for AthleteTx<'_> {
    /// A call that failed or panicked: rolled back before the connection goes back to the pool. Should that fail,
    /// the connection is marked broken, and the pool drops it rather than lend it again.
    fn drop(&mut self) {
        if self.open && self.client.batch_execute("ROLLBACK").is_err() {
            self.client.mark_broken();
        }
    }
}
