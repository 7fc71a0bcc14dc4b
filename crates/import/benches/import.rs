//! End-to-end import throughput without a database: a generated Strava-style export of ~3,000 runs (two thirds
//! gzipped FIT, one third gzipped GPX, 1-s samples, 30–60 min each) is written to a temporary zip, then planned,
//! decoded on the worker threads, mapped and classified on the caller's thread, as `runtall import` does.
//!
//! `cargo bench -p runtall-import` (release). `RUNTALL_BENCH_ACTIVITIES=N` changes the count.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::ops::ControlFlow;
use std::time::Instant;

use runtall_domain::classify::{RunSummary, classify};
use runtall_import::{ImportOptions, Importer, decode_bytes};
use support::{T0, blocks_run, fit_run, gpx_run, gz};

fn build_archive(n: usize) -> (Vec<u8>, u64) {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut csv = String::from("Activity ID,Activity Name,Activity Type,Filename\n");
    let mut raw_bytes = 0u64;
    for i in 0..n {
        let start = T0 - (n - i) as i64 * 86_400 / 2;
        let minutes = 30 + (i * 7 % 31) as i64;
        let easy = 2.6 + (i % 5) as f64 * 0.2;
        let blocks: Vec<(i64, f64)> = if i % 7 == 3 {
            let mut b = vec![(900, easy)];
            for _ in 0..6 {
                b.extend([(180, easy * 1.4), (120, easy * 0.8)]);
            }
            b.push((600, easy));
            b
        } else {
            vec![(minutes * 60, easy)]
        };
        let samples = blocks_run(start, &blocks);
        let (name, bytes) = if i % 3 == 2 {
            let g = gpx_run(&samples, &format!("Run {i}"), "running");
            raw_bytes += g.len() as u64;
            (format!("activities/{i}.gpx.gz"), gz(g.as_bytes()))
        } else {
            let f = fit_run(&samples, 1000);
            raw_bytes += f.len() as u64;
            (format!("activities/{i}.fit.gz"), gz(&f))
        };
        csv.push_str(&format!("{i},Run {i},Run,{name}\n"));
        w.start_file(name, stored).expect("entry");
        w.write_all(&bytes).expect("write");
    }
    w.start_file("activities.csv", zip::write::SimpleFileOptions::default()).expect("csv");
    w.write_all(csv.as_bytes()).expect("csv");
    (w.finish().expect("zip").into_inner(), raw_bytes)
}

fn main() {
    let n: usize = std::env::var("RUNTALL_BENCH_ACTIVITIES").ok().and_then(|s| s.parse().ok()).unwrap_or(3000);
    let t = Instant::now();
    let (archive, raw) = build_archive(n);
    println!(
        "generated {n} activities: archive {:.1} MB, {:.1} MB decoded, in {:.1} s",
        archive.len() as f64 / 1e6,
        raw as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("export.zip");
    std::fs::write(&path, &archive).expect("write archive");
    // Keep a copy for an end-to-end run into SQLite: `time runtall --db x.db import "$RUNTALL_BENCH_KEEP"`.
    if let Ok(keep) = std::env::var("RUNTALL_BENCH_KEEP") {
        std::fs::write(&keep, &archive).expect("write the kept archive");
        println!("archive kept at {keep}");
    }

    // Single-thread decode+map of the first FIT and GPX files, for per-format rates.
    let sample = |ext: &str| {
        let s = blocks_run(T0, &[(2400, 3.0)]);
        if ext == "fit" { fit_run(&s, 1000) } else { gpx_run(&s, "x", "running").into_bytes() }
    };
    for ext in ["fit", "gpx"] {
        let bytes = sample(ext);
        let opts = ImportOptions::default();
        let reps = if ext == "fit" { 400 } else { 60 };
        let t = Instant::now();
        for _ in 0..reps {
            let d = decode_bytes(&bytes, &format!("x.{ext}"), &opts).expect("decode");
            std::hint::black_box(d);
        }
        let s = t.elapsed().as_secs_f64();
        println!(
            "decode+map {ext}: {:.0} activities/s, {:.0} MB/s on one core ({} bytes per 40-min run)",
            reps as f64 / s,
            (bytes.len() * reps) as f64 / 1e6 / s,
            bytes.len()
        );
    }

    for workers in [1, 0] {
        let opts = ImportOptions { workers, ..ImportOptions::default() };
        let shown = opts.worker_count();
        let t = Instant::now();
        let plan = Importer::new(opts).plan([&path]);
        let mut history: Vec<RunSummary> = Vec::new();
        let mut labels = std::collections::BTreeMap::new();
        let summary = plan.run(|r, _| {
            if let Ok(acts) = &r.result {
                for a in acts {
                    let c = classify(a, &history);
                    *labels.entry(c.label.as_str()).or_insert(0usize) += 1;
                    history.push(RunSummary::of(a));
                    if history.len() > 64 {
                        history.remove(0);
                    }
                }
            }
            ControlFlow::Continue(())
        });
        let s = t.elapsed().as_secs_f64();
        println!(
            "import+classify, {shown} worker(s): {} activities in {s:.2} s = {:.0} activities/s, {:.0} MB/s decoded, {:.0} MB/s archive; failed {}; labels {labels:?}",
            summary.activities,
            summary.activities as f64 / s,
            summary.bytes_done as f64 / 1e6 / s,
            archive.len() as f64 / 1e6 / s,
            summary.failed,
        );
    }
}
