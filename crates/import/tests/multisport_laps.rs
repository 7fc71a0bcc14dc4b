//! Which session of a multisport FIT file each lap belongs to (issue 14, item 8: a triathlon file gave its second
//! transition's lap to the run). The sessions' own lap indexes decide when every session has them; otherwise the
//! middle of the lap does, since a lap may start a second or two off its session's start.

mod support;

use runtall_domain::activity::{Activity, Sport};
use runtall_import::{ImportOptions, decode_bytes, decode_path};
use support::{FitWriter, T0, blocks_run};

fn options() -> ImportOptions {
    ImportOptions { workers: 1, now: Some("2026-06-01T00:00:00Z".parse().expect("now")), ..ImportOptions::default() }
}

/// Swim, first transition, bike, second transition, run: (start offset from T0, seconds, speed, FIT sport).
const LEGS: [(i64, i64, f64, u8); 5] =
    [(0, 1200, 1.0, 5), (1200, 180, 1.5, 3), (1380, 3600, 8.0, 2), (4980, 120, 1.5, 3), (5100, 1800, 3.2, 1)];

/// The laps of a leg: (start offset, seconds). The bike has three, the run two, the others one.
fn leg_laps(leg: usize) -> Vec<(i64, i64)> {
    let (start, secs, _, _) = LEGS[leg];
    let n = match leg {
        2 => 3,
        4 => 2,
        _ => 1,
    };
    (0..n).map(|k| (start + k * secs / n, secs / n)).collect()
}

/// A triathlon file: the records of every leg, then the laps (in time order, as watches write them), then one
/// session per leg. `t2_lap` overrides the second transition's lap; `indexes` writes each session's
/// `first_lap_index` and `num_laps`; `t2_session_late` moves the second transition's session start later than
/// its lap's.
fn triathlon(t2_lap: Option<(i64, i64)>, indexes: bool, t2_session_late: i64) -> Vec<u8> {
    let mut w = FitWriter::new();
    w.file_id(4, T0);
    for &(start, secs, speed, _) in &LEGS {
        w.records(&blocks_run(T0 + start, &[(secs, speed)]));
    }
    let mut first = 0u16;
    let mut firsts = Vec::new();
    for (leg, &(_, _, speed, _)) in LEGS.iter().enumerate() {
        let mut laps = leg_laps(leg);
        if leg == 3
            && let Some(l) = t2_lap
        {
            laps = vec![l];
        }
        firsts.push((first, laps.len() as u16));
        for (start, secs) in laps {
            w.lap(T0 + start, secs as f64, secs as f64 * speed);
            first += 1;
        }
    }
    for (leg, &(start, secs, speed, sport)) in LEGS.iter().enumerate() {
        let late = if leg == 3 { t2_session_late } else { 0 };
        let (start, secs) = (T0 + start + late, (secs - late) as f64);
        let sub = if sport == 5 { 18 } else { 0 };
        if indexes {
            let (f, n) = firsts[leg];
            w.session_with_laps(start, secs, secs * speed, sport, sub, f, n);
        } else {
            w.session(start, secs, secs * speed, sport, sub);
        }
    }
    w.activity(T0 + 6900, 0);
    w.finish()
}

fn legs(bytes: &[u8]) -> Vec<Activity> {
    let d = decode_bytes(bytes, "tri.fit", &options()).expect("triathlon");
    assert_eq!(d.activities.len(), 5, "one activity per session");
    d.activities
}

/// Every lap of `a` starts within its samples' time span, give or take the few seconds a watch is off (samples on
/// a session boundary go to the next session, so a transition's last-second lap can start just past its samples).
fn laps_within_samples(a: &Activity) -> bool {
    let Some(last) = a.samples.t_s.last() else { return a.laps.is_empty() };
    let first = a.samples.t_s[0];
    a.laps.iter().all(|l| l.start_offset_s >= first - 5.0 && l.start_offset_s <= *last + 5.0)
}

#[test]
fn a_transition_lap_starting_on_the_runs_first_second_stays_with_the_transition_when_sessions_name_their_laps() {
    // The second transition's lap is written as starting one second before the run and lasting one second (a
    // lap button pressed on the way out): by its start, or its middle, it falls in the run's first second.
    let tri = triathlon(Some((5099, 1)), true, 0);
    let a = legs(&tri);
    let sports: Vec<Sport> = a.iter().map(|a| a.sport).collect();
    assert_eq!(sports, [Sport::Swimming, Sport::Other, Sport::Cycling, Sport::Other, Sport::Running]);
    let laps: Vec<usize> = a.iter().map(|a| a.laps.len()).collect();
    assert_eq!(laps, [1, 1, 3, 1, 2], "each session keeps exactly the laps it names");
    assert!(a.iter().all(laps_within_samples), "laps attach to the samples of their own leg");
    // The run's laps are its own two halves.
    let run = &a[4];
    assert_eq!(run.laps[0].start_offset_s, 0.0);
    assert_eq!(run.laps[1].start_offset_s, 900.0);

    // Without the indexes the same file gives that lap to the run: this is the case the indexes are for.
    let a = legs(&triathlon(Some((5099, 1)), false, 0));
    let laps: Vec<usize> = a.iter().map(|a| a.laps.len()).collect();
    assert_eq!(laps, [1, 1, 3, 0, 3]);
}

#[test]
fn without_lap_indexes_a_lap_belongs_to_the_session_its_middle_falls_in() {
    // The second transition's session starts 3 s after its lap (the lap was opened as the bike stopped): by its
    // start the lap would go to the bike, by its middle it is the transition's.
    let a = legs(&triathlon(None, false, 3));
    let laps: Vec<usize> = a.iter().map(|a| a.laps.len()).collect();
    assert_eq!(laps, [1, 1, 3, 1, 2]);
    assert!(a.iter().all(laps_within_samples), "laps attach to the samples of their own leg");
    assert_eq!(a[2].laps.iter().map(|l| l.elapsed_s).sum::<f64>(), 3600.0, "the bike keeps its own three laps");
}

#[test]
fn lap_indexes_that_overlap_are_not_trusted() {
    // Two sessions claiming the same lap: the indexes are wrong somewhere, so time decides for every lap.
    let mut w = FitWriter::new();
    w.file_id(4, T0);
    w.records(&blocks_run(T0, &[(1200, 8.0)])).records(&blocks_run(T0 + 1200, &[(1200, 3.0)]));
    w.lap(T0, 1200.0, 9600.0).lap(T0 + 1200, 600.0, 1800.0).lap(T0 + 1800, 600.0, 1800.0);
    w.session_with_laps(T0, 1200.0, 9600.0, 2, 0, 0, 2);
    w.session_with_laps(T0 + 1200, 1200.0, 3600.0, 1, 0, 1, 2);
    w.activity(T0 + 2400, 0);
    let d = decode_bytes(&w.finish(), "brick.fit", &options()).expect("brick");
    let laps: Vec<usize> = d.activities.iter().map(|a| a.laps.len()).collect();
    assert_eq!(laps, [1, 2]);
}

/// The largest multisport file of the shared corpus (a 14-hour triathlon): every session gets exactly the laps
/// its own `first_lap_index` and `num_laps` name, and no lap is lost or given twice.
#[test]
fn corpus_triathlon_laps_follow_the_sessions_lap_indexes() {
    let Some(corpus) = support::corpus_or_skip() else { return };
    let path = corpus.join("fit/multisport-2019-11-24.fit");
    if !path.exists() {
        println!("skipped: {} not in the corpus", path.display());
        return;
    }
    let bytes = std::fs::read(&path).expect("read");
    let fit = runtall_fit::decode(&bytes).expect("decodes");
    let mut sessions = fit.sessions.clone();
    sessions.sort_by_key(|s| s.start_time_s);
    let named: Vec<usize> = sessions.iter().map(|s| usize::from(s.num_laps.expect("num_laps"))).collect();
    assert_eq!(named.iter().sum::<usize>(), fit.laps.len(), "the file's sessions name every lap once");
    let d = decode_path(&path, &ImportOptions::default()).expect("import");
    let got: Vec<usize> = d.activities.iter().map(|a| a.laps.len()).collect();
    assert_eq!(got, named);
    assert!(d.activities.iter().all(laps_within_samples), "laps attach to the samples of their own leg");
}
