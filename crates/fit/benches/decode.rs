//! Throughput of our decoder against rustyfit 0.11 and fitparser 0.11 on the shared corpus.
//!
//! `cargo bench -p runtall-fit` decodes every `corpus/fit/*.fit` file in passes, with each
//! decoder in the same run, and prints MB/s, messages/s and our speed ratios. Each decoder runs
//! at least `FIT_BENCH_ITERS` passes (default 5) and at least `FIT_BENCH_MIN_SECS` seconds
//! (default 2), after one warm-up pass. fitparser is used here only, never in library code.
//!
//! Besides wall-clock MB/s, the CPU time of the benchmark thread is read from
//! `/proc/thread-self/stat` (Linux, 100 ticks/s) so that figures taken while other jobs share
//! the machine stay comparable: "cpu MB/s" is MB per second of CPU actually given to us.
//! fitparser prints warnings to stderr for the COROS file; run with `2>/dev/null` to hide them.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

struct Result {
    name: &'static str,
    mb_per_s: f64,
    cpu_mb_per_s: Option<f64>,
    msgs_per_s: f64,
    messages_per_pass: usize,
    failures_per_pass: usize,
}

fn corpus_dir() -> Option<PathBuf> {
    let p = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/fit"));
    p.is_dir().then(|| p.to_path_buf())
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// CPU seconds used by this thread so far (user + system), if the OS tells.
fn thread_cpu_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    // After the command name: state is field 3 of the full line, utime 14, stime 15.
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Run `pass` (one decode of every file; returns (messages, failures)) repeatedly and time it.
fn measure(name: &'static str, bytes: usize, mut pass: impl FnMut() -> (usize, usize)) -> Result {
    let iters: u32 = env_or("FIT_BENCH_ITERS", 5);
    let min = Duration::from_secs_f64(env_or("FIT_BENCH_MIN_SECS", 2.0));
    let (messages_per_pass, failures_per_pass) = pass(); // warm-up
    let cpu0 = thread_cpu_s();
    let start = Instant::now();
    let mut n = 0u32;
    let mut messages = 0usize;
    while n < iters || start.elapsed() < min {
        let (m, _) = black_box(pass());
        messages += m;
        n += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = match (cpu0, thread_cpu_s()) {
        (Some(a), Some(b)) if b > a => Some(b - a),
        _ => None,
    };
    let r = Result {
        name,
        mb_per_s: bytes as f64 * f64::from(n) / secs / 1e6,
        cpu_mb_per_s: cpu.map(|c| bytes as f64 * f64::from(n) / c / 1e6),
        msgs_per_s: messages as f64 / secs,
        messages_per_pass,
        failures_per_pass,
    };
    let cpu_col = r.cpu_mb_per_s.map_or_else(|| "       n/a".to_string(), |v| format!("{v:>10.1}"));
    println!(
        "{:<34} {:>9.1} MB/s {cpu_col} cpu MB/s {:>11.0} msg/s  ({} passes in {:.2} s, {} msgs/pass, {} files failed/pass)",
        r.name, r.mb_per_s, r.msgs_per_s, n, secs, r.messages_per_pass, r.failures_per_pass
    );
    r
}

fn rustyfit_count(bytes: &[u8]) -> Option<usize> {
    let mut dec = rustyfit::Decoder::new();
    let mut reader: &[u8] = bytes;
    let mut n = 0;
    loop {
        match dec.decode(&mut reader) {
            Ok(Some(fit)) => n += fit.messages.len(),
            Ok(None) => return Some(n),
            Err(_) => return None,
        }
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument, if any, is ignored.
    let Some(dir) = corpus_dir() else {
        println!("skipped: corpus not found");
        return;
    };
    let mut paths: Vec<PathBuf> =
        std::fs::read_dir(&dir).map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "fit"));
    paths.sort();
    let files: Vec<Vec<u8>> = paths.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    let bytes: usize = files.iter().map(Vec::len).sum();
    println!("corpus: {} FIT files, {:.2} MB", files.len(), bytes as f64 / 1e6);

    let ours = measure("runtall-fit decode (typed)", bytes, || {
        let mut msgs = 0;
        let mut fail = 0;
        for f in &files {
            match runtall_fit::decode(f) {
                Ok(a) => msgs += a.stats.data_messages,
                Err(_) => fail += 1,
            }
        }
        (msgs, fail)
    });
    let raw = measure("runtall-fit count_messages (raw)", bytes, || {
        let mut msgs = 0;
        let mut fail = 0;
        for f in &files {
            match runtall_fit::count_messages(f) {
                Ok(c) => msgs += c.summary.stats.data_messages,
                Err(_) => fail += 1,
            }
        }
        (msgs, fail)
    });
    let rusty = measure("rustyfit 0.11 decode", bytes, || {
        let mut msgs = 0;
        let mut fail = 0;
        for f in &files {
            match rustyfit_count(f) {
                Some(n) => msgs += n,
                None => fail += 1,
            }
        }
        (msgs, fail)
    });
    let fitp = measure("fitparser 0.11 from_bytes", bytes, || {
        let mut msgs = 0;
        let mut fail = 0;
        for f in &files {
            match fitparser::from_bytes(f) {
                Ok(v) => msgs += v.len(),
                Err(_) => fail += 1,
            }
        }
        (msgs, fail)
    });
    println!();
    let ratio = |a: &Result, b: &Result| {
        let cpu = match (a.cpu_mb_per_s, b.cpu_mb_per_s) {
            (Some(x), Some(y)) => format!("{:>6.1}x", x / y),
            _ => "n/a".to_string(),
        };
        format!("{:>6.1}x wall, {cpu} cpu", a.mb_per_s / b.mb_per_s)
    };
    println!("ours (typed) / rustyfit:  {}", ratio(&ours, &rusty));
    println!("ours (typed) / fitparser: {}", ratio(&ours, &fitp));
    println!("ours (raw)   / rustyfit:  {}", ratio(&raw, &rusty));
    println!("ours (raw)   / fitparser: {}", ratio(&raw, &fitp));
}
