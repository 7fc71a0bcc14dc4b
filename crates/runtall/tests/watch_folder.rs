//! `runtall import --watch DIR` imports files as they appear, a line per file; `--device` finds a mounted
//! Garmin-style volume; `export workout --device` writes to its GARMIN/NewFiles.

use runtall_sample::fit::{LapKind, SimLap, SimRun, SimSample, encode};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_runtall");

/// A 20-minute run starting `days_ago` days before 1 October 2026.
fn fit_run(days_ago: i64) -> Vec<u8> {
    let first: jiff::Timestamp = "2026-10-01T07:00:00Z".parse().expect("time");
    let start = first.checked_sub(jiff::SignedDuration::from_hours(24 * days_ago)).expect("time");
    let samples: Vec<SimSample> = (0..240u32)
        .map(|t| SimSample {
            t_s: t * 5,
            distance_m: f64::from(t * 5) * 3.0,
            speed_mps: 3.0,
            hr_bpm: 140,
            cadence_spm: 170.0,
            altitude_m: 20.0,
            lat_deg: 48.0 + f64::from(t) * 1e-4,
            lon_deg: 2.0,
        })
        .collect();
    let laps = vec![SimLap { start: 0, end: samples.len(), kind: LapKind::Active }];
    encode(&SimRun { start, utc_offset_s: 0, trail: false, samples, laps }).expect("encode")
}

/// Kills the child when dropped, so a failing assertion does not leave the watcher running.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_watched_folder_imports_new_files_with_a_line_each() {
    let dir = tempfile::tempdir().expect("dir");
    let (db, watched) = (dir.path().join("j.db"), dir.path().join("Activity"));
    std::fs::create_dir(&watched).expect("mkdir");
    std::fs::write(watched.join("old.fit"), fit_run(3)).expect("write");
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .arg("import")
        .arg("--watch")
        .arg(&watched)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start");
    let out = child.stdout.take().expect("stdout");
    let child = Killed(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let wait_for = |what: &str| -> String {
        loop {
            // A generous bound so a loaded machine does not fail the test; the lines come within seconds.
            let l = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| panic!("no line with {what:?}"));
            if l.contains(what) {
                return l;
            }
        }
    };
    let first = wait_for("old.fit");
    assert!(first.contains("added as #1"), "{first}");
    // A new file, written in two pieces as a watch copying over USB would.
    let bytes = fit_run(1);
    let (a, b) = bytes.split_at(bytes.len() / 2);
    let path = watched.join("new.fit");
    std::fs::write(&path, a).expect("write");
    std::thread::sleep(Duration::from_millis(300));
    let mut f = std::fs::OpenOptions::new().append(true).open(&path).expect("open");
    std::io::Write::write_all(&mut f, b).expect("append");
    drop(f);
    let line = wait_for("new.fit");
    assert!(line.contains("added as #2"), "imported once, whole: {line}");
    // The same run again under another name is recognised.
    std::fs::write(watched.join("copy.fit"), fit_run(1)).expect("write");
    let line = wait_for("copy.fit");
    assert!(line.contains("already in the journal as #2"), "{line}");
    drop(child);
}

#[test]
fn a_mounted_watch_is_found_and_gets_the_workout() {
    let dir = tempfile::tempdir().expect("dir");
    let roots = dir.path().join("media");
    let activity = roots.join("GARMIN-FR945").join("Garmin").join("Activity");
    std::fs::create_dir_all(&activity).expect("mkdir");
    std::fs::write(activity.join("2026-09-30.fit"), fit_run(1)).expect("write");
    let db = dir.path().join("j.db");
    let run = |args: &[&str], roots: &Path| {
        Command::new(BIN).arg("--db").arg(&db).args(args).env("RUNTALL_DEVICE_ROOTS", roots).output().expect("run")
    };
    let out = run(&["import", "--device"], &roots);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text} {}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("Imported 1 activity"), "{text}");
    assert!(text.contains("Activity"), "says where it imported from: {text}");
    // The workout goes to GARMIN/NewFiles (created on the volume); cues need the safety screen first.
    let clear = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/screen-clear.toml");
    let out = run(&["screen", "--answers", clear.to_str().expect("path")], &roots);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&["export", "workout", "--run", "easy", "--minutes", "30", "--device"], &roots);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let new_files = roots.join("GARMIN-FR945").join("Garmin").join("NewFiles");
    let written: Vec<_> = std::fs::read_dir(&new_files).expect("NewFiles").filter_map(Result::ok).collect();
    assert_eq!(written.len(), 1);
    assert!(written[0].file_name().to_string_lossy().ends_with(".fit"));
    // No watch mounted: a clear error naming where it looked.
    let empty = dir.path().join("nothing");
    std::fs::create_dir(&empty).expect("mkdir");
    let out = run(&["import", "--device"], &empty);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no mounted watch") && err.contains("nothing"), "{err}");
}
