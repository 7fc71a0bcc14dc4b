//! Sources and the pipeline: single files, folders, Strava and Garmin export zips, hostile archives, limits,
//! ordering, progress and cancellation. Every fixture is generated here.

mod support;

use std::ops::ControlFlow;
use std::path::Path;
use std::time::Duration;

use runtall_domain::activity::Sport;
use runtall_import::{ErrorKind, ImportError, ImportOptions, Importer, JobResult, Progress, decode_bytes};
use support::{Method, T0, blocks_run, fit_run, gpx_run, gz, steady_run, tcx_run, zip};

fn options() -> ImportOptions {
    ImportOptions { workers: 3, now: Some("2026-06-01T00:00:00Z".parse().expect("now")), ..ImportOptions::default() }
}

fn run_all(paths: &[&Path], opts: ImportOptions) -> (Vec<JobResult>, Progress) {
    let plan = Importer::new(opts).plan(paths);
    let mut out = Vec::new();
    let summary = plan.run(|r, _| {
        out.push(r);
        ControlFlow::Continue(())
    });
    (out, summary)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&p, bytes).expect("write");
    p
}

fn ok_acts(r: &JobResult) -> &[runtall_domain::activity::Activity] {
    r.result.as_deref().unwrap_or_else(|e| panic!("{}: {e}", r.source))
}

// ------------------------------------------------------------------------------------------------ single files

#[test]
fn generated_fit_gpx_tcx_and_gz_decode_to_the_same_run() {
    let samples = steady_run(T0, 1800, 3.0);
    let fit = fit_run(&samples, 600);
    let gpx = gpx_run(&samples, "Lunch run", "running");
    let tcx = tcx_run(&samples, "Running", 600);
    let o = options();
    let f = decode_bytes(&fit, "a.fit", &o).expect("fit");
    let g = decode_bytes(gpx.as_bytes(), "a.gpx", &o).expect("gpx");
    let t = decode_bytes(tcx.as_bytes(), "a.tcx", &o).expect("tcx");
    let fz = decode_bytes(&gz(&fit), "a.fit.gz", &o).expect("fit.gz");
    for (d, fmt) in [(&f, "fit"), (&g, "gpx"), (&t, "tcx"), (&fz, "fit")] {
        let a = &d.activities[0];
        assert_eq!(a.source.format, fmt);
        assert_eq!(a.sport, Sport::Running, "{fmt}");
        assert_eq!(a.start.as_second(), T0, "{fmt}");
        assert!((a.distance_m - 5400.0).abs() < 10.0, "{fmt}: {}", a.distance_m);
        assert!((a.elapsed_s - 1800.0).abs() <= 1.0, "{fmt}: {}", a.elapsed_s);
        assert_eq!(a.samples.len(), 1800, "{fmt}");
        // 85 strides/min stored → 170 steps/min.
        if fmt != "tcx" {
            assert_eq!(a.avg_cadence_spm.map(f64::round), Some(170.0), "{fmt}");
        }
        assert!(a.warnings.is_empty(), "{fmt}: {:?}", a.warnings);
        assert!(runtall_import::same_run(a, &(&f.activities[0]).into()), "{fmt}");
    }
    assert_eq!(f.activities[0].laps.len(), 3);
    assert_eq!(t.activities[0].laps.len(), 3);
    assert_eq!(f.activities[0].utc_offset_s, Some(7200));
    assert_eq!(g.activities[0].name.as_deref(), Some("Lunch run"));
    // Hash of the decoded bytes: the gzipped file is the same file.
    assert_eq!(f.activities[0].source.content_hash, fz.activities[0].source.content_hash);
}

#[test]
fn non_activity_fit_files_are_refused_with_the_reason() {
    let mut w = support::FitWriter::new();
    w.file_id(5, T0); // a workout file
    let e = decode_bytes(&w.finish(), "plan.fit", &options()).expect_err("workout");
    assert_eq!(e.kind(), ErrorKind::NotActivity);
    assert!(e.to_string().contains("workout"), "{e}");
    let mut w = support::FitWriter::new();
    w.file_id(2, T0);
    let e = decode_bytes(&w.finish(), "settings.fit", &options()).expect_err("settings");
    assert!(e.to_string().contains("settings"), "{e}");
}

#[test]
fn names_are_only_hints_and_junk_gets_a_clear_error() {
    let o = options();
    let samples = steady_run(T0, 120, 3.0);
    // GPX content named .fit is read as GPX, with a note.
    let d = decode_bytes(gpx_run(&samples, "x", "running").as_bytes(), "x.fit", &o).expect("gpx as fit");
    assert_eq!(d.activities[0].source.format, "gpx");
    assert!(d.activities[0].warnings.iter().any(|w| w.contains("named .fit")));
    // Binary junk named .gpx.
    let junk: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let e = decode_bytes(&junk, "x.gpx", &o).expect_err("junk");
    assert!(matches!(e, ImportError::Gpx(_)), "{e}");
    assert!(e.to_string().contains("binary"), "{e}");
    // Unknown name and unknown content.
    let e = decode_bytes(b"id,name\n1,run\n", "x.txt", &o).expect_err("csv");
    assert!(matches!(e, ImportError::UnknownFormat { .. }), "{e}");
    // HTML saved as .tcx.
    let e = decode_bytes(b"<html><body>404</body></html>", "x.tcx", &o).expect_err("html");
    assert!(matches!(e, ImportError::Tcx(_)), "{e}");
    // XML entity tricks are refused by the reader.
    let bomb =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><gpx>&lol2;</gpx>";
    let e = decode_bytes(bomb.as_bytes(), "x.gpx", &o).expect_err("doctype");
    assert!(e.to_string().contains("DOCTYPE"), "{e}");
}

#[test]
fn impossible_times_and_values_are_dropped_or_refused() {
    let o = options();
    // Times in 1970 and 2100 only: nothing usable.
    let mut s = steady_run(0, 60, 3.0);
    s.extend(steady_run(4_102_444_800, 60, 3.0));
    let e = decode_bytes(gpx_run(&s, "x", "running").as_bytes(), "x.gpx", &o).expect_err("no valid time");
    assert!(!e.to_string().is_empty());
    // A run with a few absurd values keeps the run and drops the values.
    let mut s = steady_run(T0, 600, 3.0);
    s[100].hr = 255; // FIT invalid → absent
    s[200].speed_mps = 40.0; // 144 km/h running
    let d = decode_bytes(&fit_run(&s, 600), "x.fit", &o).expect("fit");
    let a = &d.activities[0];
    assert_eq!(a.samples.len(), 600);
    assert_eq!(a.samples.speed_mps[200], None);
    assert!(a.warnings.iter().any(|w| w.contains("speed")), "{:?}", a.warnings);
    // Heart rate 0 is "no strap", not a warning.
    let mut s = steady_run(T0, 60, 3.0);
    for p in &mut s {
        p.hr = 0;
    }
    let d = decode_bytes(&fit_run(&s, 60), "x.fit", &o).expect("fit");
    assert_eq!(d.activities[0].avg_hr_bpm, None);
    assert!(d.activities[0].warnings.is_empty(), "{:?}", d.activities[0].warnings);
}

#[test]
fn multisport_fit_gives_one_activity_per_session() {
    let swim = blocks_run(T0, &[(600, 1.0)]);
    let run = blocks_run(T0 + 700, &[(900, 3.0)]);
    let mut w = support::FitWriter::new();
    w.file_id(4, T0).records(&swim).records(&run);
    w.lap(T0, 600.0, 600.0).session(T0, 600.0, 600.0, 5, 18);
    w.lap(T0 + 700, 900.0, 2700.0).session(T0 + 700, 900.0, 2700.0, 1, 3);
    w.activity(T0 + 1600, 0);
    let d = decode_bytes(&w.finish(), "tri.fit", &options()).expect("multisport");
    assert_eq!(d.activities.len(), 2);
    assert_eq!(d.activities[0].sport, Sport::Swimming);
    assert_eq!(d.activities[0].sub_sport.as_deref(), Some("open_water"));
    assert_eq!(d.activities[1].sport, Sport::TrailRunning);
    assert_eq!(d.activities[0].samples.len(), 600);
    assert_eq!(d.activities[1].samples.len(), 900);
    assert_eq!(d.activities[1].laps.len(), 1);
    assert!(d.activities[0].avg_cadence_spm.is_none(), "swim cadence is not steps");
}

// ------------------------------------------------------------------------------------------------ folders

#[test]
fn folders_are_walked_in_order_skipping_hidden_and_unknown_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let s = steady_run(T0, 600, 3.0);
    write(d, "a.fit", &fit_run(&s, 300));
    write(d, "b.GPX", gpx_run(&steady_run(T0 + 86_400, 600, 3.0), "b", "running").as_bytes());
    write(d, "notes.txt", b"hello");
    write(d, ".hidden.gpx", b"<gpx/>");
    write(d, ".git/config.fit", b"x");
    write(d, "sub/c.tcx.gz", &gz(tcx_run(&steady_run(T0 + 2 * 86_400, 600, 3.0), "Running", 300).as_bytes()));
    write(d, "sub/d.gpx", b"\x00\x01\x02binary junk");
    #[cfg(unix)]
    std::os::unix::fs::symlink(d, d.join("sub/loop")).expect("symlink");

    let plan = Importer::new(options()).plan([d]);
    assert_eq!(plan.files(), 4);
    let sk = plan.skipped();
    assert_eq!((sk.hidden, sk.unknown_extension), (2, 1));
    #[cfg(unix)]
    assert_eq!(sk.symlinked_dirs, 1);
    let (results, p) = run_all(&[d], options());
    let names: Vec<String> = results
        .iter()
        .map(|r| Path::new(&r.source).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
        .collect();
    assert_eq!(names, ["a.fit", "b.GPX", "c.tcx.gz", "d.gpx"]);
    assert_eq!(results.iter().map(|r| r.seq).collect::<Vec<_>>(), [0, 1, 2, 3]);
    assert!(results[..3].iter().all(|r| r.result.is_ok()));
    assert!(
        results[3].failure().is_some_and(|f| f.contains("d.gpx") && f.contains("binary")),
        "{:?}",
        results[3].failure()
    );
    assert_eq!((p.files_done, p.files_total, p.activities, p.failed), (4, 4, 3, 1));
    assert!(p.bytes_done > 0 && p.input_bytes_done == p.input_bytes_total);
}

#[test]
fn a_missing_path_is_one_failed_job_not_a_failed_import() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = write(dir.path(), "a.fit", &fit_run(&steady_run(T0, 300, 3.0), 300));
    let missing = dir.path().join("nope.fit");
    let (results, p) = run_all(&[missing.as_path(), good.as_path()], options());
    assert_eq!(results.len(), 2);
    assert!(matches!(results[0].result, Err(ImportError::Io(_))));
    assert!(results[1].result.is_ok());
    assert_eq!((p.failed, p.activities), (1, 1));
}

#[test]
fn results_keep_plan_order_with_many_workers_and_cancel_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Files of very different sizes so workers finish out of order.
    for i in 0..40i64 {
        let secs = if i % 5 == 0 { 7200 } else { 60 };
        write(dir.path(), &format!("{i:03}.fit"), &fit_run(&steady_run(T0 + i * 86_400, secs, 3.0), 600));
    }
    let opts = ImportOptions { workers: 4, window: 3, ..options() };
    let (results, p) = run_all(&[dir.path()], opts.clone());
    let names: Vec<String> = results.iter().map(|r| r.source.clone()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(p.activities, 40);
    // Stop after two results: threads are joined when the iterator is dropped (a hang would fail here, after a
    // minute, rather than stall the test run).
    let mut running = Importer::new(opts).plan([dir.path()]).start();
    let first: Vec<JobResult> = running.by_ref().take(2).collect();
    assert_eq!(first.len(), 2);
    assert_eq!(running.progress().files_done, 2);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        drop(running);
        let _ = tx.send(());
    });
    rx.recv_timeout(Duration::from_secs(60)).expect("dropping a running import joins its threads");
}

#[test]
fn prepared_work_comes_with_each_activity_in_plan_order_and_a_panic_in_it_fails_that_file_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..30i64 {
        let secs = match i {
            13 => 3_333,
            _ if i % 4 == 0 => 5400,
            _ => 90,
        };
        write(dir.path(), &format!("{i:03}.fit"), &fit_run(&steady_run(T0 + i * 86_400, secs, 3.0), 600));
    }
    let opts = ImportOptions { workers: 2, window: 4, ..options() };
    let plan = Importer::new(opts).plan([dir.path()]);
    let mut running = plan.start_prepared(runtall_import::CancelToken::new(), |a| {
        assert!((a.elapsed_s - 3_333.0).abs() > 1.0, "this one is refused by the caller's own step");
        (a.source.content_hash.clone(), a.samples.len(), std::thread::current().name().map(str::to_string))
    });
    let mut results = Vec::new();
    // Polled with a wait, as the importer does: the caller may decode small files itself meanwhile.
    loop {
        match running.poll(Duration::from_secs(5)) {
            runtall_import::Poll::Ready(r) => results.push(r),
            runtall_import::Poll::Pending => {}
            runtall_import::Poll::Done => break,
        }
    }
    let names: Vec<&str> = results.iter().map(|r| r.source.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "plan order");
    assert_eq!(results.len(), 30);
    for r in &results {
        match &r.result {
            Ok(acts) => {
                assert_eq!(r.prepared.len(), acts.len(), "{}", r.source);
                for (a, (hash, samples, thread)) in acts.iter().zip(&r.prepared) {
                    assert_eq!((hash, *samples), (&a.source.content_hash, a.samples.len()), "{}", r.source);
                    assert_ne!(thread.as_deref(), Some("import-reader"), "decoded by a worker or the caller");
                }
            }
            Err(e) => {
                assert!(r.source.ends_with("013.fit"), "only the refused one fails: {} {e}", r.source);
                assert!(matches!(e, ImportError::Internal { .. }) && e.to_string().contains("refused"), "{e}");
                assert!(r.prepared.is_empty());
            }
        }
    }
    let p = running.progress();
    assert_eq!((p.activities, p.failed), (29, 1));
}

// ------------------------------------------------------------------------------------------------ archives

const STRAVA_CSV: &str = "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,Filename,Distance\n\
101,\"May 1, 2024, 7:00:00 AM\",Morning Run,Run,\"easy, legs ok\",1800,5.4,activities/101.fit.gz,5400\n\
102,\"May 2, 2024, 7:00:00 AM\",\"Ridge \"\"loop\"\"\",Trail Run,\"line one\nline two\",1800,5.4,activities/102.gpx.gz,5400\n\
103,\"May 3, 2024, 7:00:00 AM\",Track session,Run,,1800,5.4,activities/103.tcx.gz,5400\n\
104,\"May 4, 2024, 7:00:00 AM\",Yoga,Yoga,,600,0,,0\n";

fn strava_zip() -> Vec<u8> {
    let fit = gz(&fit_run(&steady_run(T0, 1800, 3.0), 600));
    // Strava writes its numeric type in GPX: 1 would be a ride; the index says Trail Run.
    let gpx = gz(gpx_run(&steady_run(T0 + 86_400, 1800, 3.0), "Afternoon Ride", "1").as_bytes());
    let tcx = gz(tcx_run(&steady_run(T0 + 2 * 86_400, 1800, 3.0), "Running", 600).as_bytes());
    zip(&[
        ("activities.csv", STRAVA_CSV.as_bytes(), Method::Deflated),
        ("activities/", b"", Method::Stored),
        ("activities/101.fit.gz", &fit, Method::Stored),
        ("activities/102.gpx.gz", &gpx, Method::Deflated),
        ("activities/103.tcx.gz", &tcx, Method::Stored),
        ("profile.csv", b"a,b\n", Method::Deflated),
        ("media/photo.jpg", &[0xff, 0xd8, 0xff], Method::Stored),
        ("__MACOSX/activities/._101.fit.gz", b"junk", Method::Stored),
    ])
}

#[test]
fn strava_export_uses_the_index_names_and_types() {
    let dir = tempfile::tempdir().expect("tempdir");
    let z = write(dir.path(), "export_12345.zip", &strava_zip());
    let plan = Importer::new(options()).plan([&z]);
    assert_eq!(plan.files(), 3);
    assert!(plan.jobs()[0].is_archive());
    let (results, p) = run_all(&[z.as_path()], options());
    assert_eq!(results.len(), 3, "{results:#?}");
    let zs = z.display().to_string();
    assert_eq!(results[0].source, format!("{zs}!activities/101.fit.gz"));
    let a = &ok_acts(&results[0])[0];
    assert_eq!(a.name.as_deref(), Some("Morning Run"));
    assert_eq!(a.sport, Sport::Running);
    assert_eq!(a.source.path, format!("{zs}!activities/101.fit.gz"));
    let b = &ok_acts(&results[1])[0];
    assert_eq!(b.name.as_deref(), Some("Ridge \"loop\""));
    assert_eq!(b.sport, Sport::TrailRunning, "the index's type wins over the file's");
    let c = &ok_acts(&results[2])[0];
    assert_eq!(c.name.as_deref(), Some("Track session"));
    assert_eq!((p.activities, p.failed, p.files_done), (3, 0, 3));
    // profile.csv and the photo are unknown; __MACOSX is hidden; activities.csv is the index, not skipped.
    assert_eq!((p.skipped.unknown_extension, p.skipped.hidden), (2, 1));
}

#[test]
fn strava_export_in_a_folder_inside_the_zip() {
    let fit = gz(&fit_run(&steady_run(T0, 600, 3.0), 600));
    let csv = "Activity ID,Activity Name,Activity Type,Filename\n1,Parkrun,Run,activities/1.fit.gz\n";
    let z = zip(&[
        ("export_9/activities.csv", csv.as_bytes(), Method::Deflated),
        ("export_9/activities/1.fit.gz", &fit, Method::Deflated),
    ]);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "e.zip", &z);
    let (results, _) = run_all(&[p.as_path()], options());
    assert_eq!(ok_acts(&results[0])[0].name.as_deref(), Some("Parkrun"));
}

fn garmin_zip(nested: Method) -> Vec<u8> {
    let mut inner = Vec::new();
    let files: Vec<(String, Vec<u8>)> = (0..5i64)
        .map(|i| (format!("runner@example.com_{}.fit", 1000 + i), fit_run(&steady_run(T0 + i * 86_400, 900, 3.0), 300)))
        .collect();
    for (n, b) in &files {
        inner.push((n.as_str(), b.as_slice(), Method::Deflated));
    }
    let part1 = zip(&inner);
    zip(&[
        ("DI_CONNECT/DI-Connect-User/user_profile.json", b"{}", Method::Deflated),
        ("DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip", &part1, nested),
        ("DI_CONNECT/DI-Connect-Fitness/summarizedActivities.json", b"[]", Method::Deflated),
    ])
}

#[test]
fn garmin_export_reads_nested_zips_stored_or_compressed() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (method, name) in [(Method::Stored, "stored.zip"), (Method::Deflated, "deflated.zip")] {
        let z = write(dir.path(), name, &garmin_zip(method));
        let plan = Importer::new(options()).plan([&z]);
        assert_eq!(plan.files(), 1, "the nested zip counts as one until opened");
        let (results, p) = run_all(&[z.as_path()], options());
        assert_eq!(results.len(), 5, "{name}: {results:#?}");
        assert!(
            results[0].source.ends_with("UploadedFiles_0-_Part1.zip!runner@example.com_1000.fit"),
            "{}",
            results[0].source
        );
        assert_eq!((p.activities, p.files_total, p.skipped.unknown_extension), (5, 5, 2), "{name}");
    }
    // A nested zip larger than the single-file limit goes through an anonymous temporary file.
    let z = write(dir.path(), "big.zip", &garmin_zip(Method::Deflated));
    let small = ImportOptions { max_file_bytes: 40_000, ..options() };
    let (results, p) = run_all(&[z.as_path()], small);
    assert_eq!(p.activities, 5, "{results:#?}");
}

#[test]
fn nesting_deeper_than_the_limit_is_refused() {
    let fit = fit_run(&steady_run(T0, 300, 3.0), 300);
    let level3 = zip(&[("a.fit", &fit, Method::Deflated)]);
    let level2 = zip(&[("inner.zip", &level3, Method::Deflated), ("b.fit", &fit, Method::Deflated)]);
    let level1 = zip(&[("outer.zip", &level2, Method::Stored)]);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "deep.zip", &level1);
    let (results, _) = run_all(&[p.as_path()], options());
    assert_eq!(results.len(), 2, "{results:#?}");
    assert!(matches!(results[0].result, Err(ImportError::NestingTooDeep { limit: 2 })), "{results:#?}");
    assert!(results[0].source.ends_with("deep.zip!outer.zip!inner.zip"));
    assert!(results[1].result.is_ok());
}

/// Overwrite the uncompressed size of every entry named `name` in both the local and central headers, as a
/// crafted archive would, to lie about its size.
fn patch_declared_size(z: &mut [u8], name: &str, size: u32) {
    let n = name.as_bytes();
    let mut i = 0;
    while i + 46 < z.len() {
        if z[i..].starts_with(b"PK\x03\x04") && z[i + 30..].starts_with(n) {
            z[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
        }
        if z[i..].starts_with(b"PK\x01\x02") && z[i + 46..].starts_with(n) {
            z[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
        }
        i += 1;
    }
}

#[test]
fn zip_bombs_are_refused_quickly() {
    let zeros = vec![0u8; 64 << 20];
    let good = fit_run(&steady_run(T0, 300, 3.0), 300);
    let honest = zip(&[("bomb.gpx", &zeros, Method::Deflated), ("ok.fit", &good, Method::Deflated)]);
    assert!(honest.len() < 1 << 20, "{} bytes", honest.len());
    let mut lying = honest.clone();
    patch_declared_size(&mut lying, "bomb.gpx", 5_000);
    let dir = tempfile::tempdir().expect("tempdir");
    for (bytes, name) in [(honest, "honest.zip"), (lying, "lying.zip")] {
        let p = write(dir.path(), name, &bytes);
        let (results, summary) = run_all(&[p.as_path()], options());
        assert_eq!(results.len(), 2);
        let e = results[0].result.as_ref().expect_err("bomb");
        match (name, e) {
            // Refused from the central directory before reading a byte.
            ("honest.zip", ImportError::CompressionRatio { .. }) => {}
            // The header claims 5 kB: reading counts what actually comes out and stops at the ratio (or at the
            // 1 MiB every small entry may reach): quick because bounded, not because this machine is fast.
            (_, ImportError::CompressionRatio { expanded, compressed, limit }) if name == "lying.zip" => {
                assert!(*expanded <= (limit * compressed).max(1 << 20), "{name}: read {expanded} bytes");
            }
            (_, ImportError::Zip { .. }) if name == "lying.zip" => {}
            _ => panic!("{name}: {e}"),
        }
        assert!(results[1].result.is_ok(), "{name}: the rest of the archive is still read");
        assert_eq!(summary.activities, 1);
    }
}

#[test]
fn gzip_bomb_inside_an_archive_is_refused() {
    let bomb = support::gz_best(&vec![0u8; 32 << 20]);
    let z = zip(&[("activities/1.gpx.gz", &bomb, Method::Stored)]);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "e.zip", &z);
    let (results, p) = run_all(&[p.as_path()], options());
    assert!(matches!(results[0].result, Err(ImportError::CompressionRatio { .. })), "{:?}", results[0].result);
    assert_eq!(p.refused, 1);
}

#[test]
fn archive_limits_stop_that_archive_only() {
    let fit = fit_run(&steady_run(T0, 600, 3.0), 600);
    let entries: Vec<(String, Vec<u8>)> = (0..6).map(|i| (format!("{i}.fit"), fit.clone())).collect();
    let refs: Vec<(&str, &[u8], Method)> =
        entries.iter().map(|(n, b)| (n.as_str(), b.as_slice(), Method::Deflated)).collect();
    let z = zip(&refs);
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write(dir.path(), "a.zip", &z);
    let b = write(dir.path(), "b.fit", &fit);
    // Total size: room for two files.
    let opts = ImportOptions { max_archive_bytes: (fit.len() * 2 + 10) as u64, ..options() };
    let (results, _) = run_all(&[a.as_path(), b.as_path()], opts);
    assert_eq!(results.len(), 4, "{results:#?}");
    assert!(results[..2].iter().all(|r| r.result.is_ok()));
    assert!(matches!(results[2].result, Err(ImportError::ArchiveTooLarge { .. })));
    assert!(results[3].result.is_ok(), "the next path is still imported");
    // Entry count.
    let opts = ImportOptions { max_entries: 3, ..options() };
    let (results, _) = run_all(&[a.as_path()], opts);
    assert_eq!(results.len(), 4);
    assert!(matches!(results[3].result, Err(ImportError::TooManyEntries { limit: 3 })));
    // Single-file size, refused from the header.
    let opts = ImportOptions { max_file_bytes: 1000, ..options() };
    let (results, _) = run_all(&[a.as_path()], opts);
    assert!(results.iter().all(|r| matches!(r.result, Err(ImportError::TooLarge { declared: Some(_), .. }))));
}

#[test]
fn path_traversal_names_are_refused_and_the_rest_imported() {
    let fit = fit_run(&steady_run(T0, 300, 3.0), 300);
    let z = zip(&[
        ("../../etc/evil.fit", &fit, Method::Deflated),
        ("/abs/evil.fit", &fit, Method::Deflated),
        ("ok/../../up.fit", &fit, Method::Deflated),
        ("good.fit", &fit, Method::Deflated),
    ]);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "t.zip", &z);
    let (results, p) = run_all(&[p.as_path()], options());
    assert_eq!(results.len(), 4);
    for r in &results[..3] {
        assert!(matches!(r.result, Err(ImportError::UnsafePath { .. })), "{r:?}");
        assert_eq!(r.result.as_ref().err().map(ImportError::kind), Some(ErrorKind::Refused));
    }
    assert!(results[3].result.is_ok());
    assert_eq!((p.refused, p.activities), (3, 1));
    // Nothing was written next to the archive.
    assert!(!dir.path().join("evil.fit").exists() && !dir.path().join("up.fit").exists());
}

#[test]
fn corrupt_archives_and_entries_fail_by_name() {
    let fit = fit_run(&steady_run(T0, 600, 3.0), 600);
    let z = zip(&[("a.fit", &fit, Method::Deflated), ("b.fit", &fit, Method::Deflated)]);
    let dir = tempfile::tempdir().expect("tempdir");
    // Not a zip at all.
    let junk = write(dir.path(), "junk.zip", b"PK\x03\x04 this is not really a zip file");
    // Cut in half: no central directory.
    let cut = write(dir.path(), "cut.zip", &z[..z.len() / 2]);
    // Damage the first entry's compressed data.
    let mut damaged = z.clone();
    for b in &mut damaged[60..200] {
        *b ^= 0x5a;
    }
    let dmg = write(dir.path(), "damaged.zip", &damaged);
    let (results, p) = run_all(&[junk.as_path(), cut.as_path(), dmg.as_path()], options());
    assert_eq!(results.len(), 4, "{results:#?}");
    assert!(matches!(results[0].result, Err(ImportError::Zip { .. })) && results[0].source.ends_with("junk.zip"));
    assert!(matches!(results[1].result, Err(ImportError::Zip { .. })) && results[1].source.ends_with("cut.zip"));
    assert!(results[2].failure().is_some_and(|f| f.contains("damaged.zip!a.fit")), "{:?}", results[2]);
    assert!(results[3].result.is_ok(), "the undamaged entry is read: {:?}", results[3].result);
    assert_eq!((p.failed, p.activities), (3, 1));
}

#[test]
fn a_zip_given_under_another_name_is_read_as_an_archive() {
    let fit = fit_run(&steady_run(T0, 300, 3.0), 300);
    let z = zip(&[("a.fit", &fit, Method::Deflated)]);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "download", &z);
    let (results, _) = run_all(&[p.as_path()], options());
    assert!(results[0].source.ends_with("download!a.fit"), "{}", results[0].source);
    assert!(results[0].result.is_ok());
}
