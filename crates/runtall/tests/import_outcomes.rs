//! What `runtall import` tells a script: exit 0 when every file was imported (or was already there), 3 when some
//! were refused, 1 when nothing was imported or the disk filled up; `--quiet` prints one line whatever the number
//! of files; a full disk is named, with what was kept and how to go on (issue 12, item 10).

use runtall_sample::fit::{LapKind, SimLap, SimRun, SimSample, encode};
use runtall_store::{ActivityFilter, SqliteStore, Store};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_runtall");

fn import(db: &Path, args: &[&str], paths: &[&Path]) -> Output {
    Command::new(BIN).arg("--db").arg(db).arg("import").args(args).args(paths).output().expect("runs")
}

/// A run of `samples` 1-second samples, `day` days before 1 October 2026.
fn fit(day: u32, samples: u32) -> Vec<u8> {
    let start: jiff::Timestamp = "2026-10-01T07:00:00Z".parse().expect("time");
    let start = start.checked_sub(jiff::SignedDuration::from_hours(24 * i64::from(day))).expect("time");
    let samples: Vec<SimSample> = (0..samples)
        .map(|t| SimSample {
            t_s: t,
            distance_m: f64::from(t) * 3.0,
            speed_mps: 3.0 + f64::from(t % 7) * 0.01,
            hr_bpm: 140 + (t % 11) as u8,
            cadence_spm: 170.0,
            altitude_m: 20.0 + f64::from(t % 13),
            lat_deg: 48.0 + f64::from(t) * 1e-5,
            lon_deg: 2.0 + f64::from(t % 17) * 1e-6,
        })
        .collect();
    let laps = vec![SimLap { start: 0, end: samples.len(), kind: LapKind::Active }];
    encode(&SimRun { start, utc_offset_s: 0, trail: false, samples, laps }).expect("encode")
}

fn folder(dir: &Path, name: &str, good: u32, junk: u32) -> PathBuf {
    folder_of(dir, name, good, junk, 300)
}

fn folder_of(dir: &Path, name: &str, good: u32, junk: u32, samples: u32) -> PathBuf {
    let d = dir.join(name);
    std::fs::create_dir_all(&d).expect("dir");
    for i in 0..good {
        std::fs::write(d.join(format!("run-{i:03}.fit")), fit(i, samples)).expect("write");
    }
    for i in 0..junk {
        std::fs::write(d.join(format!("junk-{i:03}.fit")), b"not a watch file at all").expect("write");
    }
    d
}

#[test]
fn exit_codes_say_all_some_or_nothing_imported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("r.db");

    let all = folder(dir.path(), "all", 3, 0);
    let out = import(&db, &[], &[&all]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // Again: everything is already there, which is all imported too.
    assert_eq!(import(&db, &[], &[&all]).status.code(), Some(0));

    let some = folder(dir.path(), "some", 5, 2);
    let out = import(&db, &[], &[&some]);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 of the files were not imported"));

    let none = folder(dir.path(), "none", 0, 2);
    let out = import(&db, &[], &[&none]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing could be imported"));

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("dir");
    let out = import(&db, &[], &[&empty]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no watch files"));
}

#[test]
fn quiet_prints_one_line_for_an_archive_of_many_entries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("r.db");
    let zip_path = dir.path().join("export.zip");
    {
        let mut w = zip::ZipWriter::new(std::fs::File::create(&zip_path).expect("create"));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for i in 0..5_000 {
            w.start_file(format!("activities/{i}.fit"), opts).expect("entry");
            w.write_all(b"junk").expect("write");
        }
        w.start_file("activities/real.fit", opts).expect("entry");
        w.write_all(&fit(1, 120)).expect("write");
        w.finish().expect("finish");
    }
    let out = import(&db, &["--quiet"], &[&zip_path]);
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("1 imported") && text.contains("5000 could not be read"), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).lines().count() <= 1);
    // Without --quiet the lists are cut short too.
    let out = import(&dir.path().join("other.db"), &[], &[&zip_path]);
    assert!(String::from_utf8_lossy(&out.stdout).lines().count() < 40);
}

/// A database on a 3 MB file system, filled by an import: the message says the disk is full, what was kept and
/// what to do; the exit code is 1, the runs stored before are whole. Needs permission to mount a tmpfs (root in
/// CI containers); says it was skipped otherwise.
#[test]
fn a_full_disk_is_named_with_what_was_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let small = dir.path().join("small");
    std::fs::create_dir(&small).expect("dir");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=3m", "tmpfs"])
        .arg(&small)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        println!("skipped: cannot mount a small tmpfs here (not root)");
        return;
    }
    let files = folder_of(dir.path(), "season", 200, 0, 2_000);
    let db = small.join("r.db");
    let out = import(&db, &[], &[&files]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let stored = SqliteStore::open(&db).and_then(|s| s.activities(&ActivityFilter::default())).map(|a| a.len());
    let integrity = SqliteStore::open(&db).and_then(|s| s.integrity_check());
    let _ = Command::new("umount").arg(&small).status();

    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("is full"), "{err}");
    assert!(err.contains("everything saved before this point is kept"), "{err}");
    assert!(err.contains("Free some space"), "{err}");
    assert!(!err.contains("internal error"), "{err}");
    let stored = stored.expect("the database still opens");
    assert!(stored > 0 && stored < 200, "{stored} runs kept");
    assert_eq!(integrity.expect("check"), "ok");
}
