//! What an import stores, pinned: a generated export (gzipped FIT and GPX, a plain TCX, intervals and steady
//! runs, a GPX copy of a FIT run) is imported into SQLite, and a digest of every stored activity (its summary,
//! laps, warnings, label, and the sample stream's bytes) must not change when the import gets faster. The digest
//! was taken with the import before the speed work of issue 14 (commit 30fa569); a change here means the import
//! now stores something else, which a speed change must never do.

#[path = "../../import/tests/support/mod.rs"]
mod support;

use runtall_app::import::import_paths;
use runtall_store::{ActivityFilter, SqliteStore, Store};
use sha2::{Digest, Sha256};
use support::{Method, T0, blocks_run, fit_run, gpx_run, gz, tcx_run, zip};

fn archive() -> Vec<u8> {
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    let mut csv = String::from("Activity ID,Activity Name,Activity Type,Filename\n");
    for i in 0..18usize {
        let start = T0 - (18 - i as i64) * 86_400 / 2;
        let easy = 2.6 + (i % 5) as f64 * 0.2;
        let blocks: Vec<(i64, f64)> = if i % 4 == 1 {
            let mut b = vec![(600, easy)];
            for _ in 0..5 {
                b.extend([(180, easy * 1.4), (120, easy * 0.8)]);
            }
            b
        } else {
            vec![((25 + i as i64 * 3) * 60, easy)]
        };
        let samples = blocks_run(start, &blocks);
        let (name, bytes) = match i % 3 {
            0 => (format!("activities/{i}.fit.gz"), gz(&fit_run(&samples, 1000))),
            1 => (format!("activities/{i}.gpx.gz"), gz(gpx_run(&samples, &format!("Run {i}"), "running").as_bytes())),
            _ => (format!("activities/{i}.tcx"), tcx_run(&samples, "Running", 600).into_bytes()),
        };
        csv.push_str(&format!("{i},Run {i} & more,Run,{name}\n"));
        entries.push((name, bytes));
        if i == 6 {
            // The same run again as GPX: recognised as the same recording, the FIT copy stays.
            let copy = gpx_run(&samples, "copy", "running");
            entries.push(("activities/6-copy.gpx".into(), copy.into_bytes()));
        }
    }
    entries.push(("activities.csv".into(), csv.into_bytes()));
    let refs: Vec<(&str, &[u8], Method)> =
        entries.iter().map(|(n, b)| (n.as_str(), b.as_slice(), Method::Deflated)).collect();
    zip(&refs)
}

#[test]
fn an_import_stores_exactly_what_it_stored_before_the_speed_work() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("export.zip");
    std::fs::write(&path, archive()).expect("write archive");
    let store = SqliteStore::in_memory().expect("store");
    let summary = import_paths(&store, std::slice::from_ref(&path), 2, |_, _, _| {}).expect("import");
    assert_eq!((summary.imported, summary.duplicate_count, summary.failed_count), (18, 1, 0), "{summary:?}");

    let mut rows = store.activities(&ActivityFilter::default()).expect("rows");
    rows.sort_by_key(|r| r.id);
    // Source paths name the temporary directory, which differs from run to run.
    let dir_name = dir.path().display().to_string();
    let mut digest = Sha256::new();
    for row in &rows {
        let stored = store.activity(row.id).expect("read").expect("stored");
        let encoded = store.activity_encoded(row.id).expect("read").expect("stored");
        let mut activity = stored.activity.clone();
        activity.samples = Default::default();
        let json = serde_json::to_string(&activity).expect("json").replace(&dir_name, "DIR");
        digest.update(json.as_bytes());
        digest.update(serde_json::to_vec(&stored.classification).expect("json"));
        digest.update(&encoded.samples_blob);
        let row_text = format!("{:?}|{:?}|{}", row.label, row.name, row.source_path).replace(&dir_name, "DIR");
        digest.update(row_text.as_bytes());
    }
    let hex: String = digest.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, "e2d31eb51b36465c5c3b27fb254927520b2166eb59b7392a541ea4c59fb24718", "stored content changed");
}
