//! Runs the web app without the `runtall` binary, for development and the end-to-end tests:
//!
//! ```sh
//! cargo run -p runtall-web --example serve -- --db /tmp/web.db --addr 127.0.0.1:8080 [--seed-runs]
//! ```
//!
//! `--seed-runs` stores a few synthetic runs with sample streams and laps, so the runs pages and charts have
//! something to show at once. `--write-fit DIR` writes watch files for the upload test: a real FIT activity (a
//! 5 km run yesterday morning, encoded by `runtall-sample`) and a damaged one. `--break-due` switches the
//! sitting-break reminders on at any time of day and stores a walk taken in the terminal 40 minutes ago, so the
//! break page shows a break due at once. The password, for a non-loopback address, comes from
//! `RUNTALL_WEB_PASSWORD`.

use jiff::{SignedDuration, Timestamp};
use runtall_domain::activity::{Activity, Lap, LapIntensity, Samples, SourceFile, Sport};
use runtall_domain::classify::Classification;
use runtall_store::{SqliteStore, Store};
use runtall_web::{ServeConfig, serve};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut config = ServeConfig::default();
    let mut seed = false;
    let mut break_due = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--db" => config.db_path = args.next().map(PathBuf::from).unwrap_or(config.db_path),
            "--addr" => match args.next().map(|s| s.parse()) {
                Some(Ok(addr)) => config.addr = addr,
                _ => {
                    eprintln!("--addr needs an address like 127.0.0.1:8080");
                    return ExitCode::from(1);
                }
            },
            "--seed-runs" => seed = true,
            "--break-due" => break_due = true,
            "--write-fit" => {
                let Some(dir) = args.next().map(PathBuf::from) else {
                    eprintln!("--write-fit needs a directory");
                    return ExitCode::from(1);
                };
                if let Err(e) = write_fit(&dir) {
                    eprintln!("writing FIT files failed: {e}");
                    return ExitCode::from(2);
                }
            }
            other => {
                eprintln!(
                    "unknown argument {other}; use --db PATH --addr IP:PORT [--seed-runs] [--write-fit DIR] [--break-due]"
                );
                return ExitCode::from(1);
            }
        }
    }
    config.password = std::env::var("RUNTALL_WEB_PASSWORD").ok().filter(|p| !p.is_empty());
    if seed && let Err(e) = seed_runs(&config.db_path) {
        eprintln!("seeding failed: {e}");
        return ExitCode::from(2);
    }
    if break_due && let Err(e) = seed_break_due(&config.db_path) {
        eprintln!("seeding the break failed: {e}");
        return ExitCode::from(2);
    }
    match serve(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("runtall web: {e}");
            ExitCode::from(1)
        }
    }
}

/// Reminders on at any time of day, and a walk taken in the terminal 40 minutes ago: a break is due now.
fn seed_break_due(db: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    use runtall_companion::remind::{BreakEvent, BreakOutcome, PromptKind};
    let store = SqliteStore::open(db)?;
    store.put_setting(
        runtall_companion::remind::settings::KEY,
        &serde_json::json!({ "enabled": true, "walk_every_min": 30, "shift_every_min": 20, "max_skips_per_day": 3, "working_hours": null }),
    )?;
    let walk = BreakEvent {
        at: Timestamp::now().checked_sub(SignedDuration::from_mins(40))?,
        outcome: BreakOutcome::Taken,
        kind: Some(PromptKind::Walk),
        prompt: Some(1),
        exercise: None,
        source: Some("terminal".into()),
    };
    runtall_app::breaks::store_event(&store, &walk)?;
    Ok(())
}

/// Runs written to `season/` by `--write-fit`.
const SEASON_FILES: u32 = 400;

/// A 5 km run at 5:30/km starting yesterday at 07:00 UTC, one record a second, and a file that is not a FIT file.
fn write_fit(dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    use runtall_sample::fit::{LapKind, SimLap, SimRun, SimSample, encode};
    let yesterday = Timestamp::now().checked_sub(SignedDuration::from_hours(24))?;
    let start = yesterday.to_zoned(jiff::tz::TimeZone::UTC).date().at(7, 0, 0, 0).to_zoned(jiff::tz::TimeZone::UTC)?;
    let speed = 1000.0 / 330.0;
    let samples: Vec<SimSample> = (0..1650u32)
        .map(|t| SimSample {
            t_s: t,
            distance_m: f64::from(t) * speed,
            speed_mps: speed,
            hr_bpm: 140 + (t / 200) as u8,
            cadence_spm: 172.0,
            altitude_m: 30.0 + (f64::from(t) / 300.0).sin() * 6.0,
            lat_deg: 51.5 + f64::from(t) * 1e-5,
            lon_deg: -0.12,
        })
        .collect();
    let laps = vec![SimLap { start: 0, end: samples.len(), kind: LapKind::Active }];
    let run = SimRun { start: start.timestamp(), utc_offset_s: 0, trail: false, samples, laps };
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("morning-run.fit"), encode(&run)?)?;
    // A season of distinct runs (one every day from 30 days back), enough for the import page to be seen working.
    let season = dir.join("season");
    std::fs::create_dir_all(&season)?;
    for i in 0..SEASON_FILES {
        let start = run.start.checked_sub(SignedDuration::from_hours(24 * (30 + i64::from(i))))?;
        let day = SimRun { start, ..run.clone() };
        std::fs::write(season.join(format!("run-{i:03}.fit")), encode(&day)?)?;
    }
    std::fs::write(dir.join("broken.fit"), b"\x0e\x10this is not a watch file at all")?;
    Ok(())
}

/// (days ago, km, label, sport, pace s/km, name)
const RUNS: [(i64, f64, &str, Sport, f64, &str); 6] = [
    (1, 8.0, "easy", Sport::Running, 345.0, "Easy loop"),
    (3, 10.0, "intervals", Sport::TrackRunning, 300.0, "6 × 800 m"),
    (6, 21.0, "long", Sport::Running, 355.0, "Sunday long run with vest"),
    (8, 7.0, "easy", Sport::Running, 350.0, "Recovery jog"),
    (10, 14.0, "trail", Sport::TrailRunning, 410.0, "Hill trail"),
    (13, 9.0, "tempo", Sport::Running, 290.0, "Tempo 3 × 2 km"),
];

fn seed_runs(db: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let store = SqliteStore::open(db)?;
    let now = Timestamp::now();
    for (i, (days, km, label, sport, pace, name)) in RUNS.iter().enumerate() {
        // At 18:00 UTC of its day, whatever the time now: a seeded run must never overlap `--write-fit`'s
        // morning run (yesterday 07:00 UTC), or the import would rightly take that file as the same recording.
        let day = now.checked_sub(SignedDuration::from_hours(24 * days))?.to_zoned(jiff::tz::TimeZone::UTC).date();
        let start = day.at(18, 0, 0, 0).to_zoned(jiff::tz::TimeZone::UTC)?.timestamp();
        let distance = km * 1000.0;
        let moving = distance / 1000.0 * pace;
        let mut samples = Samples::default();
        let n = (moving / 5.0) as usize;
        let mut dist = 0.0;
        for k in 0..n {
            let t = k as f64 * 5.0;
            let wave = (t / 120.0).sin();
            let fast = *label == "intervals" && (t / 240.0) as i64 % 2 == 1;
            let speed = 1000.0 / pace * (1.0 + 0.04 * wave + if fast { 0.25 } else { 0.0 });
            dist += speed * 5.0;
            let hr = 135.0 + 20.0 * (t / moving) + if fast { 18.0 } else { 0.0 } + 3.0 * wave;
            let alt =
                40.0 + if *label == "trail" { 120.0 * (t / moving * 3.1).sin().abs() } else { 8.0 * (t / 600.0).sin() };
            let gap = (n / 2..n / 2 + 6).contains(&k) && i == 0;
            samples.push(
                t,
                Some(dist),
                if gap { None } else { Some(speed) },
                Some(hr),
                Some(172.0),
                Some(alt),
                None,
                None,
            );
        }
        let laps: Vec<Lap> = (0..km.floor() as usize)
            .map(|l| Lap {
                start_offset_s: l as f64 * pace,
                elapsed_s: *pace,
                moving_s: Some(*pace),
                distance_m: 1000.0,
                avg_speed_mps: Some(1000.0 / pace),
                max_speed_mps: None,
                avg_hr_bpm: Some(140.0 + l as f64),
                max_hr_bpm: None,
                avg_cadence_spm: Some(172.0),
                intensity: Some(LapIntensity::Active),
                trigger: Some("distance".into()),
            })
            .collect();
        let activity = Activity {
            sport: *sport,
            sub_sport: None,
            name: Some((*name).to_string()),
            start,
            utc_offset_s: Some(3600),
            elapsed_s: moving + 60.0,
            moving_s: moving,
            distance_m: distance,
            ascent_m: Some(if *label == "trail" { 420.0 } else { 35.0 }),
            descent_m: Some(if *label == "trail" { 410.0 } else { 35.0 }),
            avg_hr_bpm: Some(148.0),
            max_hr_bpm: Some(176.0),
            avg_cadence_spm: Some(172.0),
            avg_respiration_brpm: None,
            dynamics: None,
            device: Some("Synthetic watch".into()),
            quality: Default::default(),
            laps,
            samples,
            source: SourceFile {
                path: format!("seed/run-{i}.fit"),
                format: "fit".into(),
                content_hash: format!("seed-{i:02}-{label}"),
            },
            warnings: vec![],
        };
        // Built through serde so the example keeps compiling while the classification type grows fields.
        let classification: Classification = serde_json::from_value(serde_json::json!({
            "label": label,
            "also": [],
            "reasons": [
                { "name": "distance", "value": format!("{km} km"), "note": "compared with your recent runs" },
                { "name": "pace", "value": format!("{}:{:02}/km", *pace as i64 / 60, *pace as i64 % 60), "note": "average moving pace" }
            ]
        }))?;
        store.add_activity(&activity, Some(&classification))?;
    }
    Ok(())
}
