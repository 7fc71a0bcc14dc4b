//! How long one athlete's ten-year journal takes to sync to a clinic server (issue 19 asks for under 10 s on
//! loopback), and how many bytes it sends.
//!
//! The journal is the web latency benchmark's seeded ten years (about 2,900 runs with 1 Hz streams, pain, day
//! logs, run context, monthly screens, quarterly assessments and plans), written to a temporary SQLite file. Then:
//!
//! 1. **protocol**: the two halves in one process, no network — the client collects and encodes every batch,
//!    the server half applies each to a fresh SQLite database;
//! 2. **second sync**: nothing changed, so nothing is sent (the cost of finding that out).
//!
//! ```sh
//! cargo bench -p runtall --bench sync
//! RUNTALL_BENCH_DB=/tmp/ten.db cargo bench -p runtall --bench sync   # reuse or keep the journal
//! ```

#[allow(dead_code)]
#[path = "../../web/benches/latency/journal.rs"]
mod journal;

use runtall_app::sync;
use runtall_store::{SqliteStore, Store};
use std::time::{Duration, Instant};

const SEED: u64 = 20_261_206;

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn main() {
    let temp = tempfile::tempdir().expect("temp dir");
    let path = std::env::var_os("RUNTALL_BENCH_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| temp.path().join("ten.db"));
    let fresh = !path.exists();
    let local = SqliteStore::open(&path).expect("database");
    if fresh {
        let t = Instant::now();
        let w = journal::generate(&local, 10, SEED).expect("journal");
        println!(
            "generated {} runs ({} samples), {} pain reports, {} screens, {} plans in {:.1} s",
            w.run_ids.len(),
            w.samples,
            w.pain_reports,
            w.screenings,
            w.plans,
            t.elapsed().as_secs_f64()
        );
    }
    // Start from "never synced" even when the journal is reused.
    local.put_setting(sync::SETTING, &serde_json::json!({})).expect("reset the cursor");
    let runs = local.activities(&Default::default()).expect("runs").len();
    println!("journal: {runs} activities in {}", path.display());

    let server_db = temp.path().join("server.db");
    let server = SqliteStore::open(&server_db).expect("server database");

    let t = Instant::now();
    let out = sync::outgoing(&local).expect("outgoing");
    let collect = t.elapsed();
    let (mut encode, mut apply, mut bytes) = (Duration::ZERO, Duration::ZERO, 0usize);
    let mut largest = 0usize;
    for (i, batch) in out.batches.iter().enumerate() {
        let t = Instant::now();
        let body = sync::encode_batch(&local, batch, i + 1 == out.batches.len()).expect("encode");
        encode += t.elapsed();
        bytes += body.len();
        largest = largest.max(body.len());
        let t = Instant::now();
        sync::apply_batch(&server, &body, jiff::Timestamp::now()).expect("apply");
        apply += t.elapsed();
        let t = Instant::now();
        sync::acknowledge(&local, "bench", batch).expect("ack");
        encode += t.elapsed();
    }
    let total = collect + encode + apply;
    println!(
        "protocol (in process): {} records in {} batches, {:.1} MB sent (largest batch {:.1} MB)",
        out.pending_records(),
        out.batches.len(),
        bytes as f64 / 1e6,
        largest as f64 / 1e6
    );
    println!(
        "  collect {} + encode and acknowledge {} + server applies {} = {} (target < 10 s: {:.2} of it)",
        secs(collect),
        secs(encode),
        secs(apply),
        secs(total),
        total.as_secs_f64() / 10.0
    );
    let server_runs = server.activities(&Default::default()).expect("runs").len();
    assert_eq!(server_runs, runs, "every run arrived");

    let t = Instant::now();
    let again = sync::outgoing(&local).expect("outgoing");
    println!(
        "second sync, nothing changed: {} records to send, found in {}",
        again.pending_records(),
        secs(t.elapsed())
    );
}
