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
//!
//! The ratios are printed per size class as well: the corpus files under 200 KB (where per-file set-up costs
//! dominate), those from 200 KB, and a generated file of 100,000 records (2.4 MB, a long ultra at 1 s).

#[path = "../tests/support/mod.rs"]
mod support;

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
    let small: Vec<Vec<u8>> = files.iter().filter(|f| f.len() < 200_000).cloned().collect();
    let large: Vec<Vec<u8>> = files.iter().filter(|f| f.len() >= 200_000).cloned().collect();
    let only = std::env::var("FIT_BENCH_CLASS").unwrap_or_default();
    for (label, set) in [
        ("whole corpus", files),
        ("corpus files under 200 KB", small),
        ("corpus files from 200 KB", large),
        ("generated 100,000-record file", vec![hundred_k_records()]),
    ] {
        if !only.is_empty() && !label.contains(only.as_str()) {
            continue;
        }
        compare(label, &set);
    }
}

/// A file_id and 100,000 records of eight fields at 1 s, as a watch writes a long activity.
fn hundred_k_records() -> Vec<u8> {
    use support::{Body, FitWriter, SINT32, UINT8, UINT16, UINT32, fit_time};
    let t0 = fit_time(1_700_000_000);
    let mut w = FitWriter::new();
    w.define(0, 0, false, &[(0, 1, 0), (1, 2, UINT16), (2, 2, UINT16), (4, 4, UINT32)], &[]);
    w.data(0, &Body::le().u8(4).u16(1).u16(2697).u32(t0).done());
    let fields = [
        (253, 4, UINT32),
        (0, 4, SINT32),
        (1, 4, SINT32),
        (2, 2, UINT16),
        (3, 1, UINT8),
        (4, 1, UINT8),
        (5, 4, UINT32),
        (6, 2, UINT16),
    ];
    w.define(1, 20, false, &fields, &[]);
    for i in 0..100_000u32 {
        let body = Body::le()
            .u32(t0 + i)
            .i32(536_870_912 + i as i32 * 10)
            .i32(-1_073_741_824)
            .u16(2500 + (i % 500) as u16)
            .u8(140 + (i % 30) as u8)
            .u8(85)
            .u32(300 * i)
            .u16(3000)
            .done();
        w.data(1, &body);
    }
    w.finish(14)
}

fn compare(label: &str, files: &[Vec<u8>]) {
    let bytes: usize = files.iter().map(Vec::len).sum();
    println!("\n== {label}: {} FIT files, {:.2} MB", files.len(), bytes as f64 / 1e6);

    let ours = measure("runtall-fit decode (typed)", bytes, || {
        let mut msgs = 0;
        let mut fail = 0;
        for f in files {
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
        for f in files {
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
        for f in files {
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
        for f in files {
            match fitparser::from_bytes(f) {
                Ok(v) => msgs += v.len(),
                Err(_) => fail += 1,
            }
        }
        (msgs, fail)
    });
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
