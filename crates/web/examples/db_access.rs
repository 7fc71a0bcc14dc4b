//! Measures the two ways of reaching SQLite from the handlers: opening a store per request, or reusing pooled
//! connections (what `runtall_web::Db` does). `cargo run --release -p runtall-web --example db_access`.

use runtall_store::{SqliteStore, Store};
use std::time::Instant;

fn snapshot(store: &SqliteStore) {
    let _ = store.latest_screening().map(|s| s.is_some());
    let _ = store.profile();
    let _ = store.latest_assessment();
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("runtall-db-access-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("bench.db");
    drop(SqliteStore::open(&path)?);
    let n = 2000;
    let t = Instant::now();
    for _ in 0..n {
        let store = SqliteStore::open(&path)?;
        snapshot(&store);
    }
    let per_open = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    let pooled = SqliteStore::open(&path)?;
    let t = Instant::now();
    for _ in 0..n {
        snapshot(&pooled);
    }
    let per_pooled = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!("open per request: {per_open:.0} µs per page snapshot; pooled connection: {per_pooled:.0} µs");
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
