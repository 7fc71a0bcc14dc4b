//! Seeding many athletes in bulk (the clinic benchmark's, `crates/web/benches/clinic`; SQL stays in the store
//! crates): the first athlete's year (written through the `Store` trait) is copied to every
//! other athlete inside the database, with one `INSERT … SELECT` per table and slice of athletes — the rows never
//! leave the database server, which is faster than streaming them back in with `COPY` — on SQLite in one
//! transaction, on PostgreSQL one transaction per slice with triggers and foreign-key checks off
//! (`session_replication_role = replica`, as `pg_restore` does).
//!
//! Every copy is the template's year with its ids moved by `k × STRIDE` (k is the copy's ordinal), so references
//! between one athlete's records (a pain report's run, a plan's screen) stay inside the copy. Copies keep every
//! other run (alternating with k, so athletes differ) without their 1 Hz sample streams and (unless asked) without
//! their laps: about 150 runs a year as run summaries and labels, the 1.5 M runs at 10,000 athletes (laps
//! were two thirds of a stored summary, and 10,000 athletes with them did not fit the disk). Of each year's
//! quarterly plans, copies keep the first (the program's week counts from it) and the newest. The first `full`
//! athletes keep everything, so the athlete pages of a few still draw charts from real streams and laps.

/// How far the ids of one copy are moved from the next: larger than any id the template uses.
pub const STRIDE: i64 = 1 << 24;

/// Per-athlete tables copied from the template, parents before children; the revision last, so every copy ends at
/// the template's revision whatever triggers counted on the way.
pub const COPIED: &[&str] = &[
    "profile",
    "screenings",
    "assessments",
    "plans",
    "activities",
    "pain_reports",
    "day_logs",
    "run_context",
    "routine_sessions",
    "break_events",
    "experiments",
    "lesson_progress",
    "settings",
    "posture_checks",
    "label_pass",
    "journal_revision",
];

/// Per-athlete tables that start empty: what clinicians and the server write during the benchmark.
pub const NOT_COPIED: &[&str] =
    &["athletes", "accounts", "clinician_links", "audit_log", "program_changes", "clinician_comments"];

/// Tables holding one row per athlete from the start (made with the athlete): replaced, not added to.
const ONE_ROW: &[&str] = &["profile", "settings", "label_pass", "journal_revision"];

/// Columns that hold an id of the athlete's own records, moved with the copy.
const IDS: &[&str] = &["id", "run_id", "screening_id", "assessment_id"];

/// The few things the copy needs from a database.
pub trait Sql {
    fn execute(&mut self, sql: &str) -> Result<u64, String>;
    fn query_i64(&mut self, sql: &str) -> Result<Option<i64>, String>;
    /// Rows of an id and a text.
    fn id_texts(&mut self, sql: &str) -> Result<Vec<(i64, String)>, String>;
    /// The columns of `table` that an insert may name (not those the database always generates).
    fn columns(&mut self, table: &str) -> Result<Vec<String>, String>;
    /// Tables with an `athlete_id` column.
    fn per_athlete_tables(&mut self) -> Result<Vec<String>, String>;
    fn blob(&self, bytes: &[u8]) -> String;
    fn begin(&mut self) -> Result<(), String> {
        self.execute("BEGIN").map(|_| ())
    }
    fn commit(&mut self) -> Result<(), String> {
        self.execute("COMMIT").map(|_| ())
    }
    /// After the copies (sequences past the copied ids, statistics).
    fn finish(&mut self, copied: &[String]) -> Result<(), String>;
    /// The largest tables (with their indexes where the database counts them so) and their bytes.
    fn largest_tables(&mut self) -> Result<Vec<(String, i64)>, String>;
    /// How many runs the database holds, all athletes together.
    fn runs(&mut self) -> Result<i64, String> {
        Ok(self.query_i64("SELECT count(*) FROM activities")?.unwrap_or(0))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SQLite through its own connection to the clinic file.
pub struct Sqlite(pub rusqlite::Connection);

impl Sqlite {
    pub fn open(path: &std::path::Path) -> Result<Sqlite, String> {
        rusqlite::Connection::open(path).map(Sqlite).map_err(|e| e.to_string())
    }

    /// Makes the database refuse every new audit entry (`refuse`), as a full disk or a broken file would, or take
    /// them again: for tests of what a server does when it cannot record a look.
    pub fn refuse_audit_entries(&mut self, refuse: bool) -> Result<(), String> {
        self.execute(if refuse {
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'refused'); END;"
        } else {
            "DROP TRIGGER refuse_audit"
        })
        .map(|_| ())
    }
}

impl Sql for Sqlite {
    fn execute(&mut self, sql: &str) -> Result<u64, String> {
        let before = self.0.total_changes();
        self.0.execute_batch(sql).map_err(|e| format!("{e}: {sql}"))?;
        Ok(self.0.total_changes() - before)
    }
    fn id_texts(&mut self, sql: &str) -> Result<Vec<(i64, String)>, String> {
        let mut stmt = self.0.prepare(sql).map_err(|e| e.to_string())?;
        let rows =
            stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))).map_err(|e| e.to_string())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())
    }
    fn query_i64(&mut self, sql: &str) -> Result<Option<i64>, String> {
        self.0.query_row(sql, [], |r| r.get::<_, Option<i64>>(0)).map_err(|e| format!("{e}: {sql}"))
    }
    fn columns(&mut self, table: &str) -> Result<Vec<String>, String> {
        let mut stmt = self.0.prepare("SELECT name FROM pragma_table_info(?1)").map_err(|e| e.to_string())?;
        let rows = stmt.query_map([table], |r| r.get::<_, String>(0)).map_err(|e| e.to_string())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())
    }
    fn per_athlete_tables(&mut self) -> Result<Vec<String>, String> {
        let mut stmt = self
            .0
            .prepare(
                "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c \
                 WHERE m.type = 'table' AND c.name = 'athlete_id'",
            )
            .map_err(|e| e.to_string())?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(|e| e.to_string())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())
    }
    fn blob(&self, bytes: &[u8]) -> String {
        format!("X'{}'", hex(bytes))
    }
    // The whole copy is one transaction (the caller's); each slice a savepoint inside it.
    fn begin(&mut self) -> Result<(), String> {
        self.execute("SAVEPOINT slice").map(|_| ())
    }
    fn commit(&mut self) -> Result<(), String> {
        self.execute("RELEASE slice").map(|_| ())
    }
    fn finish(&mut self, _copied: &[String]) -> Result<(), String> {
        // INTEGER PRIMARY KEY takes the largest id + 1 by itself; the planner's statistics. Only the table-level
        // ones (`sqlite_stat1`): the store never runs ANALYZE, so a clinic's database has no `sqlite_stat4`, and
        // with its samples present (this SQLite build has SQLITE_ENABLE_STAT4) every prepared statement whose
        // parameter meets an indexed column is prepared again on every call, which a server never pays.
        self.execute("ANALYZE")?;
        self.execute("DELETE FROM sqlite_stat4").map(|_| ())
    }
    fn largest_tables(&mut self) -> Result<Vec<(String, i64)>, String> {
        let mut stmt = self
            .0
            .prepare("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 6")
            .map_err(|e| e.to_string())?;
        let rows =
            stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).map_err(|e| e.to_string())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())
    }
}

/// PostgreSQL as the tables' owner (a superuser on the benchmark's throwaway cluster).
pub struct Postgres(pub postgres::Client);

impl Postgres {
    pub fn connect(config: &postgres::Config) -> Result<Postgres, String> {
        config.connect(postgres::NoTls).map(Postgres).map_err(|e| e.to_string())
    }
}

impl Sql for Postgres {
    fn execute(&mut self, sql: &str) -> Result<u64, String> {
        self.0.execute(sql, &[]).map_err(|e| format!("{e}: {sql}"))
    }
    fn id_texts(&mut self, sql: &str) -> Result<Vec<(i64, String)>, String> {
        let rows = self.0.query(sql, &[]).map_err(|e| format!("{e}: {sql}"))?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }
    fn query_i64(&mut self, sql: &str) -> Result<Option<i64>, String> {
        let row = self.0.query_one(sql, &[]).map_err(|e| format!("{e}: {sql}"))?;
        row.try_get::<_, Option<i64>>(0).map_err(|e| e.to_string())
    }
    fn columns(&mut self, table: &str) -> Result<Vec<String>, String> {
        let rows = self
            .0
            .query(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name = $1 AND coalesce(identity_generation, '') <> 'ALWAYS' \
                 ORDER BY ordinal_position",
                &[&table],
            )
            .map_err(|e| e.to_string())?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }
    fn per_athlete_tables(&mut self) -> Result<Vec<String>, String> {
        let rows = self
            .0
            .query(
                "SELECT table_name::text FROM information_schema.columns \
                 WHERE table_schema = 'public' AND column_name = 'athlete_id'",
                &[],
            )
            .map_err(|e| e.to_string())?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }
    fn blob(&self, bytes: &[u8]) -> String {
        format!("'\\x{}'::bytea", hex(bytes))
    }
    fn begin(&mut self) -> Result<(), String> {
        // Triggers (the revision counter) and foreign-key checks off for this session's copies: the rows are the
        // template's, consistent by construction, and `journal_revision` is copied last.
        self.0.batch_execute("BEGIN; SET LOCAL session_replication_role = replica").map_err(|e| e.to_string())
    }
    fn commit(&mut self) -> Result<(), String> {
        self.0.batch_execute("COMMIT").map_err(|e| e.to_string())
    }
    fn finish(&mut self, copied: &[String]) -> Result<(), String> {
        for table in copied {
            if self.columns(table)?.iter().any(|c| c == "id") {
                self.execute(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                ))?;
            }
        }
        self.execute("ANALYZE").map(|_| ())
    }
    fn largest_tables(&mut self) -> Result<Vec<(String, i64)>, String> {
        let rows = self
            .0
            .query(
                "SELECT relname::text, pg_total_relation_size(oid) FROM pg_class \
                 WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 2 DESC LIMIT 6",
                &[],
            )
            .map_err(|e| e.to_string())?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}

impl Postgres {
    /// The database's size in bytes.
    pub fn database_bytes(&mut self) -> Result<i64, String> {
        Ok(self.query_i64("SELECT pg_database_size(current_database())")?.unwrap_or(0))
    }
}

/// Copies athlete `template`'s records to each of `targets` (their ordinals k are 1, 2, …), the first `full` − 1 of
/// them with every run and its samples; `progress(done)` after each slice. Returns the tables copied.
pub fn copy_template(
    sql: &mut dyn Sql,
    template: i64,
    targets: &[i64],
    full: usize,
    laps: bool,
    empty_samples: &[u8],
    mut progress: impl FnMut(usize),
) -> Result<Vec<String>, String> {
    let present = sql.per_athlete_tables()?;
    for table in &present {
        if !COPIED.contains(&table.as_str()) && !NOT_COPIED.contains(&table.as_str()) {
            return Err(format!("table {table} is per athlete but neither copied nor left empty: add it to bulk.rs"));
        }
    }
    let tables: Vec<String> =
        COPIED.iter().filter(|t| present.iter().any(|p| p == *t)).map(|t| t.to_string()).collect();
    for table in &tables {
        if sql.columns(table)?.iter().any(|c| c == "id") {
            let max = sql.query_i64(&format!("SELECT max(id) FROM {table}"))?.unwrap_or(0);
            if max >= STRIDE {
                return Err(format!("{table} has ids up to {max}, beyond the copies' stride {STRIDE}"));
            }
        }
    }
    sql.execute("CREATE TEMP TABLE bench_targets (k BIGINT PRIMARY KEY, athlete_id BIGINT NOT NULL)")?;
    // The template's run summaries without laps, for the copies.
    sql.execute("CREATE TEMP TABLE bench_summaries (id BIGINT PRIMARY KEY, summary TEXT NOT NULL)")?;
    if !laps {
        let summaries = sql.id_texts(&format!("SELECT id, summary FROM activities WHERE athlete_id = {template}"))?;
        for chunk in summaries.chunks(50) {
            let values: Vec<String> = chunk
                .iter()
                .map(|(id, summary)| format!("({id}, '{}')", without_laps(summary).replace('\'', "''")))
                .collect();
            sql.execute(&format!("INSERT INTO bench_summaries (id, summary) VALUES {}", values.join(", ")))?;
        }
    }
    let plans_kept = format!(
        "(SELECT min(id) FROM plans WHERE athlete_id = {template}), (SELECT max(id) FROM plans WHERE athlete_id = {template})"
    );
    for (chunk_no, chunk) in targets.chunks(500).enumerate() {
        let values: Vec<String> =
            chunk.iter().enumerate().map(|(i, a)| format!("({}, {a})", chunk_no * 500 + i + 1)).collect();
        sql.execute(&format!("INSERT INTO bench_targets (k, athlete_id) VALUES {}", values.join(", ")))?;
    }
    let statements: Vec<(String, String, String)> = tables
        .iter()
        .map(|table| {
            let columns = sql.columns(table)?;
            let exprs: Vec<String> =
                columns.iter().map(|c| copy_expr(table, c, full, laps, &sql.blob(empty_samples))).collect();
            let names: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
            let keep = match table.as_str() {
                "activities" => format!(" AND (b.k < {full} OR (s.id + b.k) % 2 = 0)"),
                "run_context" => format!(" AND (b.k < {full} OR (s.run_id + b.k) % 2 = 0)"),
                "plans" => format!(" AND (b.k < {full} OR s.id IN ({plans_kept}))"),
                _ => String::new(),
            };
            let insert = format!(
                "INSERT INTO {table} ({}) SELECT {} FROM {table} s, bench_targets b \
                 WHERE s.athlete_id = {template} AND b.k BETWEEN $LO AND $HI{keep}",
                names.join(", "),
                exprs.join(", ")
            );
            let delete = if ONE_ROW.contains(&table.as_str()) {
                format!(
                    "DELETE FROM {table} WHERE athlete_id IN \
                     (SELECT athlete_id FROM bench_targets WHERE k BETWEEN $LO AND $HI)"
                )
            } else {
                String::new()
            };
            Ok((table.clone(), delete, insert))
        })
        .collect::<Result<_, String>>()?;
    const SLICE: usize = 100;
    let mut done = 0;
    for lo in (1..=targets.len()).step_by(SLICE) {
        let hi = (lo + SLICE - 1).min(targets.len());
        sql.begin()?;
        for (_, delete, insert) in &statements {
            let bind = |s: &str| s.replace("$LO", &lo.to_string()).replace("$HI", &hi.to_string());
            if !delete.is_empty() {
                sql.execute(&bind(delete))?;
            }
            sql.execute(&bind(insert))?;
        }
        sql.commit()?;
        done = hi;
        progress(done);
    }
    debug_assert_eq!(done, targets.len());
    sql.execute("DROP TABLE bench_targets")?;
    sql.execute("DROP TABLE bench_summaries")?;
    sql.finish(&tables)?;
    Ok(tables)
}

/// The value of `column` in athlete k's copy of a row `s` of `table`.
fn copy_expr(table: &str, column: &str, full: usize, laps: bool, empty_samples: &str) -> String {
    let moved = |c: &str| format!("s.\"{c}\" + b.k * {STRIDE}");
    match (table, column) {
        (_, "athlete_id") => "b.athlete_id".to_string(),
        // A pain report after a run the copy left out is kept, about no run.
        ("pain_reports", "run_id") => {
            format!("CASE WHEN b.k < {full} OR (s.run_id + b.k) % 2 = 0 THEN {} END", moved("run_id"))
        }
        ("activities", "samples") => format!("CASE WHEN b.k < {full} THEN s.samples ELSE {empty_samples} END"),
        ("activities", "summary") if !laps => format!(
            "CASE WHEN b.k < {full} THEN s.summary ELSE (SELECT t.summary FROM bench_summaries t WHERE t.id = s.id) END"
        ),
        (_, c) if IDS.contains(&c) => moved(c),
        (_, c) => format!("s.\"{c}\""),
    }
}

/// A stored summary document with its `"laps"` array emptied, the rest byte for byte (key order included).
pub fn without_laps(summary: &str) -> String {
    const KEY: &str = "\"laps\":[";
    let Some(at) = summary.find(KEY) else { return summary.to_string() };
    let open = at + KEY.len() - 1;
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, c) in summary[open..].char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => depth += 1,
            ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return format!("{}[]{}", &summary[..open], &summary[open + i + 1..]);
                }
            }
            _ => {}
        }
    }
    summary.to_string()
}
