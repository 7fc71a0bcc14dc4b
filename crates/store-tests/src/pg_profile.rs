//! What PostgreSQL itself spends per request, for the PostgreSQL runs of the clinic benchmark: the CPU of the
//! cluster's processes (the server's backends share the two cores with the bench process, whose own CPU the bench
//! prints beside), and, with `--statements`, the statements each level ran (`pg_stat_statements`) and how many
//! transactions it committed.
//!
//! The CPU is read from `/proc`: the postmaster's own and its waited-for children's (`cutime`, `cstime`: backends
//! that have exited) plus every live child's. Counted only on a throwaway cluster on this machine (the benchmark's
//! own), where the postmaster's id is in its data folder. It lives here, in a store crate, because it speaks SQL
//! (the architecture test keeps SQL inside the store crates).

use crate::bulk;
use std::time::Duration;

/// The cluster's processes, found through its postmaster.
pub struct Cluster {
    postmaster: u32,
}

/// Fields 14–17 of `/proc/<pid>/stat` (utime, stime, cutime, cstime) and the parent (field 4), in clock ticks.
fn stat(pid: u32) -> Option<(u32, u64, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name (in parentheses, may hold spaces): state, ppid, … utime is the 12th field from there.
    let rest = text.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let n = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    Some((n(1) as u32, n(11) + n(12), n(13) + n(14)))
}

impl Cluster {
    /// The cluster behind `owner` (a superuser on the benchmark's throwaway cluster), when it runs on this machine.
    pub fn find(owner: &postgres::Config) -> Option<Cluster> {
        let mut sql = bulk::Postgres::connect(owner).ok()?;
        let dir: String = sql.0.query_one("SHOW data_directory", &[]).ok()?.get(0);
        let pid = std::fs::read_to_string(format!("{dir}/postmaster.pid")).ok()?;
        let postmaster = pid.lines().next()?.trim().parse().ok()?;
        Some(Cluster { postmaster })
    }

    /// CPU the cluster's processes have used so far.
    pub fn cpu(&self) -> Duration {
        let mut ticks = stat(self.postmaster).map(|(_, own, children)| own + children).unwrap_or(0);
        if let Ok(entries) = std::fs::read_dir("/proc") {
            for pid in entries.flatten().filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok()) {
                if let Some((parent, own, _)) = stat(pid)
                    && parent == self.postmaster
                {
                    ticks += own;
                }
            }
        }
        Duration::from_millis(ticks * 10)
    }
}

/// `pg_stat_statements` on the benchmark's database (the cluster must preload it:
/// `RUNTALL_TEST_PG_OPTIONS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on"`).
pub struct Statements {
    sql: bulk::Postgres,
}

impl Statements {
    /// Counts from now on, on the database `owner` connects to.
    pub fn open(owner: &postgres::Config) -> Result<Statements, String> {
        let mut sql = bulk::Postgres::connect(owner)?;
        sql.0.batch_execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").map_err(|e| e.to_string())?;
        let mut s = Statements { sql };
        s.reset();
        Ok(s)
    }

    /// Starts counting again.
    pub fn reset(&mut self) {
        let _ = self.sql.0.batch_execute("SELECT pg_stat_statements_reset(); SELECT pg_stat_reset()");
    }

    /// Prints what the level's `requests` ran: statements per request, transactions per request, and the statements
    /// that took most of the time, then starts counting again.
    pub fn print(&mut self, requests: usize) {
        let per = |n: f64| n / requests.max(1) as f64;
        let dbname: String =
            self.sql.0.query_one("SELECT current_database()", &[]).map(|r| r.get(0)).unwrap_or_default();
        let totals = self.sql.0.query_one(
            "SELECT sum(calls)::float8, sum(total_exec_time)::float8, sum(total_plan_time)::float8, sum(plans)::float8
             FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1",
            &[&dbname],
        );
        let xacts = self.sql.0.query_one(
            "SELECT (xact_commit + xact_rollback)::float8 FROM pg_stat_database WHERE datname = $1",
            &[&dbname],
        );
        if let (Ok(t), Ok(x)) = (totals, xacts) {
            let (calls, exec, plan, plans) = (
                t.get::<_, Option<f64>>(0).unwrap_or(0.0),
                t.get::<_, Option<f64>>(1).unwrap_or(0.0),
                t.get::<_, Option<f64>>(2).unwrap_or(0.0),
                t.get::<_, Option<f64>>(3).unwrap_or(0.0),
            );
            println!(
                "    PostgreSQL per request: {:.1} statements, {:.1} planned, {:.1} transactions, {:.3} ms executing",
                per(calls),
                per(plans),
                per(x.get::<_, f64>(0)),
                per(exec + plan)
            );
        }
        let top = self.sql.0.query(
            "SELECT calls::float8, plans::float8, total_exec_time::float8, total_plan_time::float8,
                    left(regexp_replace(query, '\\s+', ' ', 'g'), 90)
             FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1
             ORDER BY total_exec_time + total_plan_time DESC LIMIT 10",
            &[&dbname],
        );
        for r in top.iter().flatten() {
            let (calls, plans, total, planning): (f64, f64, f64, f64) = (r.get(0), r.get(1), r.get(2), r.get(3));
            println!(
                "      {:>6.2}/req planned {:>6.2}/req {:>7.1} µs each (+{:>5.1} planning)  {}",
                per(calls),
                per(plans),
                if calls > 0.0 { total * 1e3 / calls } else { 0.0 },
                if plans > 0.0 { planning * 1e3 / plans } else { 0.0 },
                r.get::<_, String>(4)
            );
        }
        self.reset();
    }
}
