//! The `runtall` binary end to end: the README's main job, screening levels, bad input and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_runtall");

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

fn runtall(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN).arg("--db").arg(db).args(args).env_remove("RUNTALL_DB").output().expect("run runtall")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

#[test]
fn demo_prints_a_plan_whose_every_item_says_why_and_where_from() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.db");
    let out = runtall(&db, &["demo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let items = text.matches("  ■ ").count();
    assert!(items >= 20, "only {items} plan items:\n{text}");
    // Each item block has at least one "why:" and exactly one "from:" line.
    for block in text.split("  ■ ").skip(1) {
        let block = block.split("\n\n").next().unwrap_or(block);
        assert!(block.contains("why: "), "item without a reason:\n{block}");
        assert!(block.contains("from: "), "item without a source:\n{block}");
    }
    assert!(text.contains("Your week"));
    // The plan shown is the one `runtall plan` shows next (today's screen, the re-scored assessment), today on top.
    let shown = text.lines().find(|l| l.starts_with("PLAN for ")).expect("a plan header");
    let plan = stdout(&runtall(&db, &["plan"]));
    assert_eq!(Some(shown), plan.lines().next(), "the demo showed another plan than `runtall plan`:\n{plan}");
    assert!(text.contains("function 7.0/10") && text.contains("\nToday, "), "{text}");
    // The demo filled the database through the normal path.
    let status = runtall(&db, &["status", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&status.stdout).expect("json");
    assert_eq!(v["state"]["state"], "open");
    assert!(v["latest_plan"].is_string());
}

#[test]
fn demo_refuses_a_real_runners_database_unless_forced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("real.db");
    assert!(runtall(&db, &["profile", "--name", "Ana"]).status.success());
    let clear = repo("examples/screen-clear.toml");
    assert!(runtall(&db, &["screen", "--answers", clear.to_str().expect("path")]).status.success());
    let out = runtall(&db, &["demo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("real runner"), "{}", stderr(&out));
    let profile = runtall(&db, &["profile", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&profile.stdout).expect("json");
    assert_eq!(v["profile"]["name"], "Ana", "the real profile survived");
    let forced = runtall(&db, &["demo", "--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    // A demo database can be re-filled without --force.
    assert!(runtall(&db, &["demo"]).status.success());
}

#[test]
fn the_full_flow_from_answer_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("flow.db");
    let plan = runtall(&db, &["plan"]);
    assert_eq!(plan.status.code(), Some(1));
    assert!(stderr(&plan).contains("runtall screen"), "{}", stderr(&plan));
    let clear = repo("examples/screen-clear.toml");
    let out = runtall(&db, &["screen", "--answers", clear.to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Screen clear"));
    let plan = runtall(&db, &["plan"]);
    assert_eq!(plan.status.code(), Some(1));
    assert!(stderr(&plan).contains("runtall assess"));
    let sample = repo("examples/assessment.toml");
    let out = runtall(&db, &["assess", "--answers", sample.to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = runtall(&db, &["plan", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["plan"]["mode"], "full");
    assert!(v["plan"]["items"].as_array().is_some_and(|a| a.len() > 10));
    for run in ["easy", "long", "speed", "race", "trail"] {
        let out = runtall(&db, &["plan", "--for-run", run]);
        assert!(out.status.success(), "{run}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("Before:") && text.contains("During:") && text.contains("After:"), "{text}");
    }
    // Viewing the plan again (as the web app does on every page) stores nothing new: the inputs did not change.
    for _ in 0..2 {
        let again = runtall(&db, &["plan"]);
        assert!(again.status.success(), "{}", stderr(&again));
    }
    // Screening again later: the assessment is stored, so the next step is the plan, not the assessment again.
    let out = runtall(&db, &["screen", "--answers", clear.to_str().expect("path")]);
    assert!(
        stdout(&out).contains("Next: `runtall plan`.") && !stdout(&out).contains("runtall assess"),
        "{}",
        stdout(&out)
    );
    let history = runtall(&db, &["plan", "--history", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&history.stdout).expect("json");
    assert_eq!(v.as_array().map(|a| a.len()), Some(1), "one plan for one screen and assessment");
}

#[test]
fn level_a_shows_the_emergency_number_and_locks_plans_until_a_clinician_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("a.db");
    assert!(runtall(&db, &["profile", "--country", "GB"]).status.success());
    let sample = repo("examples/assessment.toml");
    let answers = write(dir.path(), "a.toml", "yes = [\"chest-pain-during-or-after-run\"]\nothers = \"no\"\n");
    let out = runtall(&db, &["screen", "--answers", answers.to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("999"), "UK emergency number shown:\n{text}");
    assert!(text.contains("locked"), "{text}");
    assert!(!text.to_lowercase().contains("stitch") || text.to_lowercase().contains("not"), "{text}");
    assert!(runtall(&db, &["assess", "--answers", sample.to_str().expect("path")]).status.success());
    let plan = runtall(&db, &["plan"]);
    assert_eq!(plan.status.code(), Some(1));
    assert!(stderr(&plan).contains("locked"), "{}", stderr(&plan));
    let run = runtall(&db, &["plan", "--for-run", "easy"]);
    assert_eq!(run.status.code(), Some(1), "no run-day plan either");
    let race = jiff::Zoned::now().date().checked_add(jiff::Span::new().days(30)).expect("date").to_string();
    let trip = runtall(&db, &["travel", "--race", &race, "--drive-hours", "3"]);
    assert_eq!(trip.status.code(), Some(1), "no race trip either: {}", stdout(&trip));
    assert!(stderr(&trip).contains("locked"), "{}", stderr(&trip));
    assert!(runtall(&db, &["screen", "--clinician-checked"]).status.success());
    let plan = runtall(&db, &["plan"]);
    assert!(plan.status.success(), "{}", stderr(&plan));
}

#[test]
fn level_b_pauses_and_level_c_reduces() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sample = repo("examples/assessment.toml");
    let db = dir.path().join("b.db");
    let b = write(dir.path(), "b.toml", "yes = [\"pain-with-fever-or-feeling-unwell\"]\nothers = \"no\"\n");
    let out = runtall(&db, &["screen", "--answers", b.to_str().expect("path")]);
    assert!(stdout(&out).contains("today"), "{}", stdout(&out));
    assert!(runtall(&db, &["assess", "--answers", sample.to_str().expect("path")]).status.success());
    let plan = runtall(&db, &["plan"]);
    assert_eq!(plan.status.code(), Some(1));
    assert!(stderr(&plan).contains("paused"));

    let db = dir.path().join("c.db");
    let c = write(dir.path(), "c.toml", "yes = [\"night-pain-that-wakes\"]\nothers = \"no\"\n");
    assert!(runtall(&db, &["screen", "--answers", c.to_str().expect("path")]).status.success());
    assert!(runtall(&db, &["assess", "--answers", sample.to_str().expect("path")]).status.success());
    let plan = runtall(&db, &["plan"]);
    assert!(plan.status.success(), "{}", stderr(&plan));
    let text = stdout(&plan);
    assert!(text.contains("REDUCED PROGRAM"), "{text}");
    assert!(!text.contains("Rest-day upper-back strength ("), "no strength sessions in the week:\n{text}");
}

#[test]
fn bad_answer_files_name_the_file_line_field_and_range_and_store_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("bad.db");
    let sample = std::fs::read_to_string(repo("examples/assessment.toml")).expect("sample");
    let bad = write(dir.path(), "pain11.toml", &sample.replace("baseline_pain = 5", "baseline_pain = 11"));
    let out = runtall(&db, &["assess", "--answers", bad.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("pain11.toml") && err.contains("line ") && err.contains("baseline_pain") && err.contains("0–10"),
        "{err}"
    );

    let neg = write(dir.path(), "neg.toml", &sample.replace("car_hours_per_week = 4", "car_hours_per_week = -3"));
    let err = stderr(&runtall(&db, &["assess", "--answers", neg.to_str().expect("path")]));
    assert!(err.contains("car_hours_per_week") && err.contains("0–168"), "{err}");

    let broken = write(dir.path(), "broken.json", "{\"regions\": [\"neck\"],\n \"when\": [oops]}");
    let err = stderr(&runtall(&db, &["assess", "--answers", broken.to_str().expect("path")]));
    assert!(err.contains("broken.json") && err.contains("line 2"), "{err}");

    let chest =
        write(dir.path(), "chest.toml", &sample.replace("regions = [\"neck\",", "regions = [\"chest\", \"neck\","));
    let out = runtall(&db, &["assess", "--answers", chest.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("runtall screen"), "{}", stderr(&out));

    let missing = write(dir.path(), "partial.toml", "[answers]\nnight-pain-that-wakes = false\n");
    let err = stderr(&runtall(&db, &["screen", "--answers", missing.to_str().expect("path")]));
    assert!(err.contains("unanswered"), "{err}");

    let history = runtall(&db, &["assess", "--history", "--json"]);
    assert_eq!(stdout(&history).trim(), "[]", "failed commands stored nothing");
    let screens = runtall(&db, &["screen", "--history", "--json"]);
    assert_eq!(stdout(&screens).trim(), "[]");
}

#[test]
fn a_corrupt_database_is_refused_with_exit_1_and_left_as_it_was() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("corrupt.db");
    let junk = vec![0x5au8; 8192];
    std::fs::write(&db, &junk).expect("write");
    let out = runtall(&db, &["status"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not a runtall database"), "{}", stderr(&out));
    assert!(stderr(&out).contains("pass another file with --db"), "the CLI says what to do: {}", stderr(&out));
    assert_eq!(std::fs::read(&db).expect("read"), junk);
}

#[test]
fn db_location_comes_from_the_flag_the_env_or_xdg() {
    let dir = tempfile::tempdir().expect("tempdir");
    let xdg = dir.path().join("xdg");
    let out = Command::new(BIN)
        .args(["profile", "--json"])
        .env_remove("RUNTALL_DB")
        .env("XDG_DATA_HOME", &xdg)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let expected = xdg.join("runtall/runtall.db");
    assert_eq!(v["database"].as_str().map(PathBuf::from), Some(expected.clone()));
    let env_db = dir.path().join("from-env.db");
    let out = Command::new(BIN).args(["profile", "--json"]).env("RUNTALL_DB", &env_db).output().expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["database"].as_str().map(PathBuf::from), Some(env_db));
}

#[test]
fn every_subcommand_has_help_and_usage_errors_exit_1() {
    for sub in
        ["screen", "assess", "plan", "exercises", "routines", "learn", "relief", "habits", "profile", "demo", "status"]
    {
        let out = Command::new(BIN).args([sub, "--help"]).output().expect("run");
        assert!(out.status.success(), "{sub} --help");
        assert!(stdout(&out).contains("Usage:"), "{sub}");
    }
    let out = Command::new(BIN).args(["plan", "--for-run", "marathon"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_library_works_without_a_database_and_unknown_ids_exit_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("never-created.db");
    let out = runtall(&db, &["exercises", "foam-roller-thoracic-extension"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("Not offered with: osteoporosis"), "{text}");
    assert!(text.contains("Stop if"));
    let out = runtall(&db, &["relief", "magnesium"]);
    assert!(stdout(&out).contains("350 mg"), "{}", stdout(&out));
    let out = runtall(&db, &["learn", "3"]);
    assert!(out.status.success());
    let out = runtall(&db, &["exercises", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(v.as_array().is_some_and(|a| a.len() >= 16));
    let out = runtall(&db, &["exercises", "foam-roler"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("foam-roler"));
    assert!(!db.exists(), "browsing the library must not create a database");
}

const JOURNAL: &str = r#"{"type":"run","key":"r1","start":"2026-10-04T07:00:00Z","sport":"running","label":"long","distance_m":21000.0,"moving_s":7200.0,"elapsed_s":7300.0,"name":"Long with vest","pack":true,"surface":"trail","ate_within_2h":null,"pre_run_done":true,"post_run_done":false}
{"type":"run","key":"r2","start":"2026-10-06T18:00:00Z","sport":"running","label":"easy","distance_m":8000.0,"moving_s":2880.0,"elapsed_s":2900.0,"name":null,"pack":false,"surface":"road","ate_within_2h":true,"pre_run_done":null,"post_run_done":null}
{"type":"pain","at":"2026-10-04T10:00:00Z","timing":"right-after","region":"neck","intensity":5.0,"run":"r1","notes":"stiff"}
{"type":"pain","at":"2026-10-07T07:30:00Z","timing":"next-morning","region":"between-shoulder-blades","intensity":2.0,"run":"r2","notes":null}
{"type":"day","date":"2026-10-04","sitting_h":2.0,"longest_sitting_h":1.0,"car_h":3.0,"sleep_h":8.0,"stress":2.0,"strength_done":false,"mobility_done":true,"relief":["heat"],"magnesium_mg":null}
"#;

#[test]
fn the_journal_round_trips_through_jsonl_and_csv_and_bad_files_change_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("journal.db");
    let file = write(dir.path(), "in.jsonl", JOURNAL);
    let out = runtall(&db, &["journal", "import", file.to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("2 runs new"), "{}", stdout(&out));
    let exported = runtall(&db, &["journal", "export"]);
    assert_eq!(stdout(&exported), JOURNAL, "export after import is the same text");
    // Importing again adds nothing.
    let again = runtall(&db, &["journal", "import", file.to_str().expect("path"), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&again.stdout).expect("json");
    assert_eq!(
        (v["runs_added"].as_u64(), v["runs_matched"].as_u64(), v["pain_duplicates"].as_u64()),
        (Some(0), Some(2), Some(2))
    );
    // CSV: export to a folder, import into a fresh database, export JSONL again: identical.
    let csv_dir = dir.path().join("csv");
    assert!(
        runtall(&db, &["journal", "export", "--format", "csv", "--out", csv_dir.to_str().expect("path")])
            .status
            .success()
    );
    let db2 = dir.path().join("journal2.db");
    let out = runtall(&db2, &["journal", "import", csv_dir.to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&runtall(&db2, &["journal", "export"])), JOURNAL);
    // The runs show up in the run list.
    let runs = stdout(&runtall(&db2, &["runs"]));
    assert!(runs.contains("Long with vest") && runs.contains("long"), "{runs}");
    // A broken line names the line and field, and nothing is stored.
    let db3 = dir.path().join("journal3.db");
    let bad = write(dir.path(), "bad.jsonl", &JOURNAL.replace("\"intensity\":2.0", "\"intensity\":12.0"));
    let out = runtall(&db3, &["journal", "import", bad.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("line 4") && err.contains("0–10") && err.contains("nothing was imported"), "{err}");
    assert_eq!(stdout(&runtall(&db3, &["journal", "export"])), "");
}

#[test]
fn cues_follow_the_run_type_and_the_watch_workout_decodes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("c.db");
    // Cues ask the safety gate, like every surface: nothing before a screen.
    let out = runtall(&db, &["cues", "--run", "long", "--minutes", "90"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("runtall screen"), "{}", stderr(&out));
    let clear = repo("examples/screen-clear.toml");
    assert!(runtall(&db, &["screen", "--answers", clear.to_str().expect("path")]).status.success());
    let out = runtall(&db, &["cues", "--run", "long", "--minutes", "90", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let cues = v["cues"].as_array().expect("cues");
    let minutes: Vec<f64> = cues.iter().filter_map(|c| c["at_s"].as_f64()).map(|s| s / 60.0).collect();
    let late = minutes.iter().filter(|m| **m >= 60.0 && **m < 90.0).count();
    let early = minutes.iter().filter(|m| **m > 0.0 && **m < 30.0).count();
    assert!(late > early, "more cues in the last third: {minutes:?}");

    let fit = dir.path().join("speed.fit");
    let out = runtall(
        &db,
        &[
            "export",
            "workout",
            "--run",
            "speed",
            "--reps",
            "6x800m",
            "--recovery",
            "2min",
            "-o",
            fit.to_str().expect("path"),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&fit).expect("fit written");
    let decoded = runtall_fit::decode(&bytes).expect("our decoder reads the workout");
    assert!(decoded.stats.header_crc_ok && decoded.stats.file_crc_ok);
    assert!(decoded.workout_steps.len() >= 12, "6 reps and 6 recoveries at least: {}", decoded.workout_steps.len());

    let ssml = runtall(&db, &["export", "cues", "--run", "easy", "--minutes", "30", "--format", "ssml"]);
    assert!(stdout(&ssml).starts_with("<?xml") && stdout(&ssml).contains("<speak"));
    let ics = runtall(
        &db,
        &["export", "cues", "--run", "easy", "--minutes", "30", "--format", "ics", "--start", "2026-12-01T07:00:00Z"],
    );
    assert!(stdout(&ics).contains("BEGIN:VCALENDAR") && stdout(&ics).contains("BEGIN:VALARM"));
    // A start time that is not a time is named by the option that was typed.
    let bad =
        runtall(&db, &["export", "cues", "--run", "easy", "--minutes", "30", "--format", "ics", "--start", "soon"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("--start 'soon' is not a time"), "{}", stderr(&bad));

    // Left out, the run comes from today's plan or the last run (none here: an easy run of a usual length), and a
    // speed run starts as reps, so there is a cue before each of them.
    let out = runtall(&db, &["cues"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("An easy run; 45 minutes, a usual length."), "{}", stdout(&out));
    let out = stdout(&runtall(&db, &["cues", "--run", "speed"]));
    assert!(out.contains("6×3:00, 2:00 recovery") && out.contains("before rep 6"), "{out}");

    for bad in [
        vec!["cues", "--run", "easy", "--minutes", "0"],
        vec!["cues", "--run", "speed", "--reps", "200x400m"],
        vec!["cues", "--run", "sprint", "--minutes", "20"],
    ] {
        let out = runtall(&db, &bad);
        assert_eq!(out.status.code(), Some(1), "{bad:?}");
        assert!(!stderr(&out).is_empty());
    }
}

#[test]
fn travel_plans_arrive_early_and_keep_long_drives_away_from_the_race() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    let race = jiff::Zoned::now().date().checked_add(jiff::Span::new().days(60)).expect("date");
    let day = |n: i64| race.checked_sub(jiff::Span::new().days(n)).expect("date").to_string();
    // A race trip asks the safety gate like cues do: nothing before a screen.
    let out = runtall(&db, &["travel", "--race", &race.to_string(), "--drive-hours", "5"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("runtall screen"), "{}", stderr(&out));
    let clear = repo("examples/screen-clear.toml");
    assert!(runtall(&db, &["screen", "--answers", clear.to_str().expect("path")]).status.success());
    let out = runtall(&db, &["travel", "--race", &race.to_string(), "--drive-hours", "5", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let depart = v["depart"].as_str().expect("depart");
    assert!(depart == day(1) || depart == day(2), "arrives 1–2 days early: {depart}");
    assert_eq!(v["return_on"].as_str().map(str::to_string), Some(day(-1)), "home the day after the race");
    assert!(v["stops_min"].as_array().is_some_and(|s| !s.is_empty()), "a 5 h drive is broken up");
    let out = runtall(&db, &["travel", "--race", "2020-01-01", "--drive-hours", "5"]);
    assert_eq!(out.status.code(), Some(1), "a race in the past is refused");
    let out = runtall(&db, &["travel", "--race", &race.to_string(), "--drive-hours", "-3"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn guide_refuses_while_locked_and_names_unknown_ids() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("g.db");
    let out = runtall(&db, &["guide", "chin-tuck"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("runtall screen"), "{}", stderr(&out));
    let clear = repo("examples/screen-clear.toml");
    assert!(runtall(&db, &["screen", "--answers", clear.to_str().expect("path")]).status.success());
    let out = runtall(&db, &["guide", "chin-tuk"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("chin-tuck"), "suggests the right id: {}", stderr(&out));
}

#[test]
fn demo_season_gives_insights_with_numbers_and_an_experiment_in_progress() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("season.db");
    let out = runtall(&db, &["demo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("What goes with your pain"), "{text}");
    assert!(text.contains("Experiment: pack on and pack off"), "{text}");
    assert!(!text.to_lowercase().contains("causes pain"), "never 'causes'");
    let runs = runtall(&db, &["runs", "--json", "--limit", "100"]);
    let v: serde_json::Value = serde_json::from_slice(&runs.stdout).expect("json");
    let rows = v.as_array().expect("rows");
    assert_eq!(rows.len(), 48, "12 weeks × 4 runs imported from FIT files");
    for label in ["long", "intervals", "easy"] {
        assert!(rows.iter().any(|r| r["label"] == label), "some {label} runs");
    }
    // Runs but no other sports, and a filter that matches nothing: neither is an empty journal.
    let other = stdout(&runtall(&db, &["runs", "--cross-training"]));
    assert!(other.starts_with("No other sports yet") && !other.contains("import your watch files"), "{other}");
    let none = stdout(&runtall(&db, &["runs", "--from", "2099-01-01"]));
    assert!(none.starts_with("No activities match these filters"), "{none}");
    let zero = runtall(&db, &["runs", "--limit", "0"]);
    assert_eq!(zero.status.code(), Some(1), "{}", stdout(&zero));
    assert!(stderr(&zero).contains("--limit 0"), "{}", stderr(&zero));
    let out = runtall(&db, &["insights", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["runs"].as_u64(), Some(48));
    let pack =
        v["factors"].as_array().expect("factors").iter().find(|f| f["factor"] == "pack-worn").expect("pack factor");
    assert!(pack["risk_ratio"]["estimate"].as_f64().is_some_and(|rr| rr > 1.5), "{pack}");
    assert!(pack["rank"].as_u64().is_some_and(|r| r <= 2), "the planted pack pattern ranks near the top: {pack}");
    let status = runtall(&db, &["experiment", "status"]);
    assert!(status.status.success());
    assert!(stdout(&status).contains("Next:"), "{}", stdout(&status));
    let result = runtall(&db, &["experiment", "result"]);
    assert!(stdout(&result).contains("hidden"), "verdict hidden before the minimum: {}", stdout(&result));
    let progress = runtall(&db, &["progress"]);
    assert!(stdout(&progress).contains("baseline"), "{}", stdout(&progress));
    // Adherence: planned routines against what the season logged, per week.
    assert!(stdout(&progress).contains("planned routines done"), "{}", stdout(&progress));
    let p: serde_json::Value =
        serde_json::from_slice(&runtall(&db, &["progress", "--json"]).stdout).expect("progress json");
    let (planned, done) = (p["adherence"]["summary"]["planned"].as_u64(), p["adherence"]["summary"]["done"].as_u64());
    assert!(planned.is_some_and(|n| n > 100) && done.is_some_and(|d| d > 0 && d < planned.unwrap_or(0)), "{p}");
    // The running experiment's assignment is shown where the run is prepared.
    assert!(stdout(&runtall(&db, &["plan", "--for-run", "long"])).contains("Experiment, next run:"));
    // The functional scale was last scored weeks ago: status prompts, a re-score clears the prompt.
    let status = stdout(&runtall(&db, &["status"]));
    assert!(status.contains("re-score due") && status.contains("Experiment, next run:"), "{status}");
    let rescore = runtall(&db, &["assess", "--psfs", "1=8,2=8,3=8"]);
    assert!(rescore.status.success(), "{}", stderr(&rescore));
    assert!(!stdout(&runtall(&db, &["status"])).contains("re-score due"));
    let p: serde_json::Value =
        serde_json::from_slice(&runtall(&db, &["progress", "--json"]).stdout).expect("progress json");
    assert_eq!(p["psfs"]["latest"].as_f64(), Some(8.0), "{p}");
}

#[test]
fn reading_a_lesson_marks_it_done_and_undone_takes_it_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("learn.db");
    assert!(runtall(&db, &["status"]).status.success(), "creates the database");
    assert!(stdout(&runtall(&db, &["learn", "2"])).contains("1 of 8 lessons done"));
    let list = stdout(&runtall(&db, &["learn"]));
    assert!(list.contains("1 of 8 lessons done (✓ 2)") && list.contains("runtall learn 1"), "{list}");
    let undone = runtall(&db, &["learn", "2", "--undone"]);
    assert!(undone.status.success(), "{}", stderr(&undone));
    assert!(stdout(&undone).contains("0 of 8 lessons done"), "{}", stdout(&undone));
    assert!(!runtall(&db, &["learn", "--undone"]).status.success(), "--undone needs a lesson");
}

#[test]
fn mistaken_pain_reports_and_wrong_runs_can_be_deleted_and_only_with_yes_for_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("delete.db");
    let journal = write(dir.path(), "j.jsonl", JOURNAL);
    assert!(runtall(&db, &["journal", "import", journal.to_str().expect("path")]).status.success());
    let logged = stdout(&runtall(&db, &["log", "pain", "neck", "7", "--desk"]));
    let id: String = logged.trim_start_matches("Logged #").chars().take_while(char::is_ascii_digit).collect();
    assert!(!id.is_empty(), "{logged}");
    assert!(stdout(&runtall(&db, &["log", "list"])).contains(&format!("#{id}")));
    assert!(runtall(&db, &["log", "delete", &id]).status.success());
    assert!(!stdout(&runtall(&db, &["log", "list"])).contains(&format!("#{id} ")));
    assert_eq!(runtall(&db, &["log", "delete", &id]).status.code(), Some(1), "already gone");

    let runs: serde_json::Value = serde_json::from_slice(&runtall(&db, &["--json", "runs"]).stdout).expect("json");
    let run = runs[0]["id"].as_i64().expect("a run").to_string();
    let refused = runtall(&db, &["runs", "delete", &run]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("--yes"), "{}", stderr(&refused));
    assert!(runtall(&db, &["runs", "show", &run]).status.success(), "nothing deleted without --yes");
    assert!(runtall(&db, &["runs", "delete", &run, "--yes"]).status.success());
    assert_eq!(runtall(&db, &["runs", "show", &run]).status.code(), Some(1));
    let pain: serde_json::Value =
        serde_json::from_slice(&runtall(&db, &["--json", "log", "list", "--days", "3660"]).stdout).expect("json");
    assert_eq!(pain.as_array().map(Vec::len), Some(2), "the journal's two reports stay: {pain}");
}

/// `runtall today`: the sample runner's days stay within their minutes, each exercise once, and a budget raised in
/// the profile gives a longer day.
#[test]
fn today_keeps_the_demo_runners_days_within_their_minutes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("today.db");
    assert!(runtall(&db, &["demo"]).status.success());
    let day = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["--json", "today"];
        all.extend_from_slice(args);
        let out = runtall(&db, &all);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).expect("json")
    };
    for d in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        let t = day(&["--day", d]);
        let limit = if t["run"].is_null() { 20 * 60 } else { 15 * 60 };
        let seconds = t["seconds"].as_u64().expect("seconds");
        assert!(seconds <= limit && seconds >= 5 * 60, "{d}: {seconds} s");
        let mut ids: Vec<&str> = t["blocks"]
            .as_array()
            .expect("blocks")
            .iter()
            .flat_map(|b| b["steps"].as_array().expect("steps").iter().map(|s| s["exercise"].as_str().expect("id")))
            .collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "{d}: an exercise twice");
    }
    let text = stdout(
        &Command::new(BIN)
            .env("COLUMNS", "80")
            .args(["--db"])
            .arg(&db)
            .args(["today", "--day", "tue"])
            .output()
            .expect("run"),
    );
    assert!(text.starts_with("TODAY — Tue · "), "{text}");
    assert!(text.contains("Before the run") && text.contains("During the run") && text.contains("After the run"));
    assert!(text.lines().all(|l| l.chars().count() <= 80), "fits 80 columns:\n{text}");
    let short = day(&["--day", "mon"])["seconds"].as_u64().expect("seconds");
    let set = runtall(&db, &["profile", "--rest-day-minutes", "45"]);
    assert!(set.status.success(), "{}", stderr(&set));
    assert!(stdout(&set).contains("20") || stdout(&set).contains("45"));
    let long = day(&["--day", "mon"]);
    assert_eq!(long["budget_min"], 45);
    assert!(long["seconds"].as_u64().expect("seconds") > short, "a raised budget gives a longer rest day");
    let bad = runtall(&db, &["profile", "--run-day-minutes", "500"]);
    assert!(!bad.status.success() && stderr(&bad).contains("run-day minutes"), "{}", stderr(&bad));
}
