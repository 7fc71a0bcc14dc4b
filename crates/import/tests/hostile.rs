//! Inputs an attacker (or an unlucky disk) hands the importer: named pipes, files that would take too long,
//! a cancel in the middle, files holding thousands of activities, huge names. Each test generates its input and
//! bounds its own wait, so a regression fails instead of hanging the test run.

mod support;

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use runtall_import::{
    CancelToken, ImportError, ImportOptions, Importer, JobResult, MAX_ACTIVITIES_PER_FILE, Poll, Progress,
    decode_archive_in_memory, decode_bytes,
};
use support::{Method, T0, blocks_run, fit_run, gpx_run, steady_run, zip};

fn options() -> ImportOptions {
    ImportOptions { workers: 2, now: Some("2026-06-01T00:00:00Z".parse().expect("now")), ..ImportOptions::default() }
}

/// Runs a plan on another thread and waits at most `limit` for it: `None` if it did not finish (a hang).
fn run_within(paths: Vec<PathBuf>, opts: ImportOptions, limit: Duration) -> Option<(Vec<JobResult>, Progress)> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let plan = Importer::new(opts).plan(&paths);
        let mut out = Vec::new();
        let p = plan.run(|r, _| {
            out.push(r);
            ControlFlow::Continue(())
        });
        let _ = tx.send((out, p));
    });
    rx.recv_timeout(limit).ok()
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo").arg(path).status().is_ok_and(|s| s.success());
    assert!(ok, "mkfifo {}", path.display());
}

/// A GPX of `points` one-second points: large enough to take a while to read.
fn big_gpx(points: i64) -> Vec<u8> {
    gpx_run(&steady_run(T0, points, 3.0), "Long one", "running").into_bytes()
}

#[cfg(unix)]
#[test]
fn named_pipes_are_skipped_with_a_count_and_never_block() {
    let dir = tempfile::tempdir().expect("tempdir");
    let watch = dir.path().join("watch");
    std::fs::create_dir(&watch).expect("dir");
    std::fs::write(watch.join("a-run.fit"), fit_run(&steady_run(T0, 600, 3.0), 300)).expect("write");
    mkfifo(&watch.join("x.fit"));
    mkfifo(&watch.join("y.gpx.gz"));
    let fifo = dir.path().join("given.fit");
    mkfifo(&fifo);

    let (results, progress) = run_within(vec![watch, fifo.clone()], options(), Duration::from_secs(60))
        .expect("the import finished instead of waiting on a pipe");
    assert_eq!(progress.skipped.not_regular, 2, "the two pipes in the folder are counted");
    assert_eq!(progress.activities, 1);
    let given = results.iter().find(|r| r.source == fifo.display().to_string()).expect("the named pipe's result");
    assert!(matches!(given.result, Err(ImportError::NotRegularFile)), "{:?}", given.result);
}

#[test]
fn a_file_over_the_time_limit_is_given_up_and_the_rest_imported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.gpx");
    std::fs::write(&big, big_gpx(20_000)).expect("write");
    let small = dir.path().join("small.fit");
    std::fs::write(&small, fit_run(&steady_run(T0 + 86_400, 600, 3.0), 300)).expect("write");
    // No time at all: the first check (after 64 KiB of the big file) is already past it. The small FIT file is
    // under 64 KiB, so it is never checked and always gets through.
    let opts = ImportOptions { file_time_limit: Some(Duration::ZERO), ..options() };
    let (results, progress) = run_within(vec![big, small], opts, Duration::from_secs(60)).expect("finished");
    assert!(matches!(results[0].result, Err(ImportError::TimedOut { seconds: 0 })), "{:?}", results[0].result);
    assert!(results[0].result.as_ref().err().is_some_and(|e| e.to_string().contains("time limit")));
    assert_eq!(progress.activities, 1, "the other file is imported");
    assert_eq!(progress.refused, 1);
}

#[test]
fn a_cancel_stops_the_run_promptly_and_keeps_what_was_delivered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths: Vec<PathBuf> = (0..40)
        .map(|i| {
            let p = dir.path().join(format!("{i:02}.gpx"));
            std::fs::write(&p, big_gpx(6_000 + i)).expect("write");
            p
        })
        .collect();
    let token = CancelToken::new();
    let (tx, rx) = mpsc::channel();
    let t = token.clone();
    std::thread::spawn(move || {
        let mut running = Importer::new(options()).plan(&paths).start_cancellable(t);
        let mut got = 0;
        loop {
            match running.poll(Duration::from_millis(5)) {
                Poll::Ready(_) => got += 1,
                Poll::Pending => {}
                Poll::Done => break,
            }
            if running.cancel_token().is_cancelled() {
                break;
            }
        }
        drop(running); // joins the threads
        let _ = tx.send(got);
    });
    std::thread::sleep(Duration::from_millis(200));
    token.cancel();
    let got = rx.recv_timeout(Duration::from_secs(30)).expect("the run ended after the cancel");
    assert!(got < 40, "cancelled before the end ({got} results)");
}

#[test]
fn progress_shows_how_far_into_a_large_file_the_decoder_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.gpx");
    std::fs::write(&big, big_gpx(120_000)).expect("write");
    let mut running = Importer::new(options()).plan([&big]).start();
    let mut seen_partial = None;
    loop {
        match running.poll(Duration::from_millis(2)) {
            Poll::Ready(r) => assert!(r.result.is_ok(), "{:?}", r.result),
            Poll::Pending => {
                let p = running.progress();
                if p.partial_bytes_done > 0 && p.partial_bytes_done < p.partial_bytes_total {
                    seen_partial.get_or_insert((p.partial_bytes_done, p.partial_bytes_total));
                }
            }
            Poll::Done => break,
        }
    }
    let (done, total) = seen_partial.expect("a position inside the file was reported while it was read");
    assert_eq!(total, std::fs::metadata(&big).expect("size").len());
    assert!(done < total);
}

#[test]
fn a_file_with_thousands_of_sessions_gives_at_most_the_cap_with_a_warning() {
    let mut w = support::FitWriter::new();
    w.file_id(4, T0);
    for i in 0..400 {
        let start = T0 + i * 120;
        w.records(&blocks_run(start, &[(60, 3.0)]));
        w.lap(start, 60.0, 180.0).session(start, 60.0, 180.0, 1, 0);
    }
    let d = decode_bytes(&w.finish(), "many.fit", &options()).expect("decoded");
    assert_eq!(d.activities.len(), MAX_ACTIVITIES_PER_FILE);
    assert!(
        d.activities[0].warnings.iter().any(|w| w.contains("holds 400 activities")),
        "{:?}",
        d.activities[0].warnings
    );
}

#[test]
fn huge_names_are_cut_with_a_warning() {
    let name = "N".repeat(2 << 20);
    let gpx = gpx_run(&steady_run(T0, 120, 3.0), &name, "running");
    let d = decode_bytes(gpx.as_bytes(), "huge.gpx", &options()).expect("decoded");
    let a = &d.activities[0];
    let kept = a.name.as_deref().expect("a name");
    assert_eq!(kept.chars().count(), runtall_domain::text::ACTIVITY_NAME_MAX_CHARS);
    assert!(a.warnings.iter().any(|w| w.contains("activity name") && w.contains("first 200")), "{:?}", a.warnings);
}

#[test]
fn an_archive_decodes_in_memory_on_the_calling_thread() {
    let run = fit_run(&steady_run(T0, 600, 3.0), 300);
    let bytes = zip(&[("a/1.fit", &run, Method::Deflated), ("a/notes.txt", b"x", Method::Stored)]);
    let mut results = Vec::new();
    let p = decode_archive_in_memory(&bytes, "export.zip", &options(), |r| results.push(r));
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].source, "export.zip!a/1.fit");
    assert_eq!(p.activities, 1);
    assert_eq!(p.skipped.unknown_extension, 1);
    let p = decode_archive_in_memory(b"PK\x03\x04 not a zip", "bad.zip", &options(), |r| results.push(r));
    assert_eq!((p.failed, results.len()), (1, 2));
}
