//! Throughput of our GPX reader against the `gpx` crate (0.10) on the same corpus files, in the
//! same run, plus our TCX reader on its own.
//!
//! Run with `cargo bench -p runtall-trackxml --bench parse`. Each file is parsed repeatedly and
//! the fastest pass is kept (least disturbed by other work on the machine). The ratio is
//! computed over the files both readers accept; files the `gpx` crate refuses are listed.
//! Set `TRACKXML_BENCH_ROUNDS` to change the number of passes (default 15 for ours, 5 for gpx).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

fn files(dir: &Path, ext: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Fastest of `rounds` passes of `f`.
fn best<F: FnMut()>(rounds: usize, mut f: F) -> Duration {
    (0..rounds)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn mb_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64().max(1e-12)
}

fn main() {
    let corpus = Path::new(CORPUS);
    if !corpus.exists() {
        println!("skipped: corpus not found");
        return;
    }
    let rounds: usize = std::env::var("TRACKXML_BENCH_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(15);
    let peer_rounds = (rounds / 3).max(1);

    let gpx_files = files(&corpus.join("gpx"), "gpx");
    println!("GPX: ours vs gpx crate 0.10, best of {rounds} / {peer_rounds} passes per file");
    println!("{:<42} {:>9} {:>10} {:>10} {:>7}", "file", "bytes", "ours MB/s", "gpx MB/s", "ratio");
    let (mut both_bytes, mut ours_time, mut peer_time) = (0usize, Duration::ZERO, Duration::ZERO);
    let (mut all_bytes, mut ours_all_time) = (0usize, Duration::ZERO);
    for (path, bytes) in &gpx_files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let ours_ok = runtall_trackxml::parse_gpx(bytes).is_ok();
        let ours = best(rounds, || {
            let _ = black_box(runtall_trackxml::parse_gpx(black_box(bytes)));
        });
        all_bytes += bytes.len();
        ours_all_time += ours;
        let peer_ok = gpx::read(&bytes[..]).is_ok();
        if !peer_ok {
            println!("{name:<42} {:>9} {:>10.1} {:>10} {:>7}", bytes.len(), mb_s(bytes.len(), ours), "refused", "-");
            continue;
        }
        let peer = best(peer_rounds, || {
            let _ = black_box(gpx::read(black_box(&bytes[..])));
        });
        assert!(ours_ok, "{name}: our reader failed on a file the gpx crate reads");
        both_bytes += bytes.len();
        ours_time += ours;
        peer_time += peer;
        println!(
            "{name:<42} {:>9} {:>10.1} {:>10.1} {:>6.1}x",
            bytes.len(),
            mb_s(bytes.len(), ours),
            mb_s(bytes.len(), peer),
            peer.as_secs_f64() / ours.as_secs_f64().max(1e-12)
        );
    }
    let ours_rate = mb_s(both_bytes, ours_time);
    let peer_rate = mb_s(both_bytes, peer_time);
    println!(
        "GPX total over {both_bytes} bytes both accept: ours {ours_rate:.1} MB/s, gpx crate {peer_rate:.1} MB/s, ratio {:.1}x",
        ours_rate / peer_rate.max(1e-12)
    );
    println!("GPX total over all {all_bytes} bytes: ours {:.1} MB/s", mb_s(all_bytes, ours_all_time));

    time_parsing(rounds);

    let tcx_files = files(&corpus.join("tcx"), "tcx");
    let (mut tcx_bytes, mut tcx_time) = (0usize, Duration::ZERO);
    for (_, bytes) in &tcx_files {
        tcx_time += best(rounds, || {
            let _ = black_box(runtall_trackxml::parse_tcx(black_box(bytes)));
        });
        tcx_bytes += bytes.len();
    }
    println!(
        "TCX total over {tcx_bytes} bytes ({} files): ours {:.1} MB/s",
        tcx_files.len(),
        mb_s(tcx_bytes, tcx_time)
    );
}

/// Our date-time parser against jiff's RFC 3339 parser on the same strings.
fn time_parsing(rounds: usize) {
    let times: Vec<String> = (0..100_000u32)
        .map(|i| {
            format!(
                "2024-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                1 + i % 12,
                1 + i % 28,
                i % 24,
                i % 60,
                (i / 60) % 60,
                i % 1000
            )
        })
        .collect();
    let ours = best(rounds, || {
        for t in &times {
            let _ = black_box(runtall_trackxml::parse_time(black_box(t)));
        }
    });
    let theirs = best(rounds, || {
        for t in &times {
            let _ = black_box(black_box(t.as_str()).parse::<jiff::Timestamp>());
        }
    });
    let per = |d: Duration| d.as_secs_f64() * 1e9 / times.len() as f64;
    println!(
        "time parsing: ours {:.1} ns, jiff 0.2 {:.1} ns per timestamp ({:.1}x)",
        per(ours),
        per(theirs),
        per(theirs) / per(ours).max(1e-12)
    );
}
