//! Decode every FIT file of a directory in a loop, for profiling with perf or callgrind:
//! `cargo run --release -p runtall-fit --example profile_decode -- DIR [PASSES]`.
//! Set `CRC_ONLY=1` to time the CRC alone.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).cloned().unwrap_or_else(|| "../shared/corpus/fit".to_string());
    let passes: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(50);
    let mut files = Vec::new();
    if let Ok(rd) = std::fs::read_dir(&dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "fit")
                && let Ok(b) = std::fs::read(&p)
            {
                files.push(b);
            }
        }
    }
    let bytes: usize = files.iter().map(Vec::len).sum();
    let start = std::time::Instant::now();
    let mut count = 0usize;
    let crc_only = std::env::var_os("CRC_ONLY").is_some();
    for _ in 0..passes {
        for f in &files {
            if crc_only {
                count += usize::from(runtall_fit::crc16(f));
            } else if let Ok(a) = runtall_fit::decode(f) {
                count += a.stats.data_messages;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!("{:.1} MB/s ({count})", (bytes * passes) as f64 / secs / 1e6);
}
