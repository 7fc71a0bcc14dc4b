//! `runtall posture` end to end: add from landmark files (photo and video), list, show, delete, bad files exit 1 and
//! store nothing, and `progress` carries the posture trend.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_runtall");

fn runtall(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN).arg("--db").arg(db).args(args).env_remove("RUNTALL_DB").output().expect("run runtall")
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: Output) -> serde_json::Value {
    serde_json::from_str(&ok(o)).expect("json")
}

/// A left-facing photo whose CVA is `cva` degrees.
fn photo(dir: &Path, name: &str, cva: f64) -> PathBuf {
    let (tx, ty) = (500.0 - 120.0 * cva.to_radians().cos(), 300.0 - 120.0 * cva.to_radians().sin());
    let text = format!(
        r#"{{"points":{{"tragus":{{"x":{tx},"y":{ty}}},"c7":{{"x":500,"y":300}},"shoulder":{{"x":480,"y":330}},
           "hip":{{"x":490,"y":760}},"ankle":{{"x":500,"y":1100}},"nose":{{"x":{},"y":{ty}}}}},
           "image":{{"width":1000,"height":1200}}}}"#,
        tx - 50.0
    );
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

/// A database with a clear red-flag screen: the gate every surface asks first.
fn screened(dir: &Path) -> PathBuf {
    let db = dir.join("p.db");
    ok(runtall(&db, &["screen", "--answers", s(&repo("examples/screen-clear.toml"))]));
    db
}

#[test]
fn add_list_show_delete_and_progress() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = screened(dir.path());
    let a = photo(dir.path(), "a.json", 42.0);
    let b = photo(dir.path(), "b.json", 51.0);

    let v = json(runtall(&db, &["posture", "add", "--landmarks", s(&a), "--photo-date", "2026-09-01", "--json"]));
    assert_eq!(v["kind"], "standing");
    assert_eq!(v["measures"]["facing"], "left");
    assert!((v["measures"]["cva_deg"].as_f64().unwrap() - 42.0).abs() < 1e-6);
    let text = ok(runtall(&db, &["posture", "add", "--landmarks", s(&b), "--photo-date", "2026-10-15"]));
    assert!(text.contains("CVA") && text.contains("51.0°"), "{text}");
    ok(runtall(&db, &["posture", "add", "--landmarks", s(&b), "--kind", "desk", "--photo-date", "2026-10-15"]));

    let list = ok(runtall(&db, &["posture", "list"]));
    assert_eq!(list.matches("\n#").count() + usize::from(list.starts_with('#')), 3, "{list}");
    assert!(list.contains("CVA 42.0° (2026-09-01) → 51.0° (2026-10-15): 9.0° larger"), "{list}");
    assert!(list.contains("beyond the ±5.5° measurement error"), "{list}");
    let all = json(runtall(&db, &["posture", "list", "--json"]));
    assert_eq!(all.as_array().map(Vec::len), Some(3));

    let shown = ok(runtall(&db, &["posture", "show", "3"]));
    assert!(shown.contains("at the desk") && shown.contains("not a diagnosis"), "{shown}");

    // progress (after the assessment) carries the posture trend, in text and JSON.
    ok(runtall(&db, &["assess", "--answers", s(&repo("examples/assessment.toml"))]));
    let progress = ok(runtall(&db, &["progress"]));
    assert!(progress.contains("Posture, relaxed standing (2 photos on 2 days)"), "{progress}");
    let pj = json(runtall(&db, &["progress", "--json"]));
    assert_eq!(pj["posture"]["histories"][0]["trends"][0]["change"]["verdict"], "up");
    assert!(pj["pain"].is_object(), "the progress fields stay");

    ok(runtall(&db, &["posture", "delete", "3"]));
    let gone = runtall(&db, &["posture", "show", "3"]);
    assert_eq!(gone.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&gone.stderr).contains("no posture check with id 3"));
    assert_eq!(runtall(&db, &["posture", "delete", "3"]).status.code(), Some(1));
}

#[test]
fn bad_files_exit_1_name_the_field_and_store_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Before the red-flag screen nothing is added.
    let unscreened = dir.path().join("new.db");
    let out = runtall(&unscreened, &["posture", "add", "--landmarks", s(&photo(dir.path(), "a.json", 45.0))]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("runtall screen"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = screened(dir.path());
    let cases: [(&str, &str); 4] = [
        ("notjson.json", "{ nope"),
        ("missing.json", r#"{"points":{"tragus":{"x":1,"y":2},"shoulder":{"x":1,"y":3}}}"#),
        (
            "flat.json",
            r#"{"points":{"tragus":{"x":5,"y":5},"c7":{"x":5,"y":5},"shoulder":{"x":9,"y":9},"hip":{"x":9,"y":90}}}"#,
        ),
        (
            "frames.json",
            r#"{"frames":[{"t":0,"ear":{"x":1,"y":1},"shoulder":{"x":1,"y":5},"hip":{"x":1,"y":9},"confidence":0.1}]}"#,
        ),
    ];
    for (name, text) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        let out = runtall(&db, &["posture", "add", "--landmarks", s(&p)]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(name), "the file is named: {err}");
    }
    let e = runtall(
        &db,
        &["posture", "add", "--landmarks", s(&photo(dir.path(), "a.json", 45.0)), "--photo-date", "2999-01-01"],
    );
    assert!(String::from_utf8_lossy(&e.stderr).contains("after today"));
    let e =
        runtall(&db, &["posture", "add", "--landmarks", s(&photo(dir.path(), "a.json", 45.0)), "--kind", "run-video"]);
    assert_eq!(e.status.code(), Some(1));
    assert!(ok(runtall(&db, &["posture", "list"])).contains("No posture checks yet"));
}

#[test]
fn a_video_file_gives_minutes_and_drift() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = screened(dir.path());
    let frames: Vec<String> = (0..900)
        .map(|i| {
            let t = f64::from(i) / 5.0;
            format!(
                r#"{{"t":{t},"ear":{{"x":{},"y":100}},"shoulder":{{"x":500,"y":200}},"hip":{{"x":500,"y":500}},"nose":{{"x":{},"y":100}},"confidence":0.9}}"#,
                530.0 + 0.25 * t,
                580.0 + 0.25 * t
            )
        })
        .collect();
    let p = dir.path().join("run.json");
    std::fs::write(&p, format!(r#"{{"frames":[{}]}}"#, frames.join(","))).expect("write");
    let text = ok(runtall(&db, &["posture", "add", "--landmarks", s(&p)]));
    assert!(text.contains("run video"), "{text}");
    assert!(text.contains("From minute 1 to minute 3: head forward"), "{text}");
    assert!(text.contains("further ahead"), "{text}");
    // The list gives the video's length; a short clip with few usable frames is not "0 min of video".
    let short = dir.path().join("short.json");
    std::fs::write(
        &short,
        r#"{"duration_s":95,"frames":[{"t":0,"ear":{"x":520,"y":210},"shoulder":{"x":500,"y":300},"hip":{"x":505,"y":560},"confidence":0.9},{"t":0.5,"ear":{"x":522,"y":211},"shoulder":{"x":501,"y":301},"hip":{"x":505,"y":561},"confidence":0.9}]}"#,
    )
    .expect("write");
    ok(runtall(&db, &["posture", "add", "--landmarks", s(&short)]));
    let list = ok(runtall(&db, &["posture", "list"]));
    assert!(list.contains("3:00 of video, drift measured"), "{list}");
    assert!(list.contains("1:35 of video, too short for drift"), "{list}");
}

#[test]
fn the_report_for_a_physical_therapist_carries_the_posture_trend() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = screened(dir.path());
    for (name, cva, day) in [("a.json", 44.0, "2026-09-01"), ("b.json", 54.0, "2026-10-15")] {
        ok(runtall(&db, &["posture", "add", "--landmarks", s(&photo(dir.path(), name, cva)), "--photo-date", day]));
    }
    let html = dir.path().join("r.html");
    ok(runtall(&db, &["report", "--from", "2026-09-01", "--to", "2026-10-31", "-o", s(&html)]));
    let page = std::fs::read_to_string(&html).expect("html written");
    assert!(page.contains("Posture, measured from photos and run videos"), "posture section in the HTML");
    assert!(page.contains("44.0° (2026-09-01) → 54.0° (2026-10-15)"), "the CVA trend in the HTML");
    let pdf = dir.path().join("r.pdf");
    ok(runtall(&db, &["report", "--from", "2026-09-01", "--to", "2026-10-31", "-o", s(&pdf)]));
    let Ok(out) = Command::new("pdftotext").arg(&pdf).arg("-").output() else {
        assert!(std::env::var_os("CI").is_none(), "pdftotext is needed in CI");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("Posture, measured from photos and run videos"), "{text}");
    assert!(text.contains("beyond the ±5.5° measurement error"), "{text}");
}
