//! The sync protocol's two halves over two real SQLite stores (a runner's and a clinic server's athlete), with
//! the bytes passed by hand: what the HTTP client and route do, minus the network.

use jiff::Timestamp;
use runtall_app::journal_file;
use runtall_app::sync::{self, SyncError, SyncState};
use runtall_domain::activity::Sport;
use runtall_domain::assess::{AssessmentRecord, Region, Score, parse_answers};
use runtall_domain::content::program;
use runtall_domain::journal::{DayLog, PainReport, PainTiming, RunContext};
use runtall_domain::journal_format::{Journal, JournalPain, JournalRun};
use runtall_domain::plan;
use runtall_domain::safety::{SafetyInputs, gate};
use runtall_domain::screen::{ScreenAnswers, ScreeningRecord};
use runtall_store::{SqliteStore, Store};

const SAMPLE: &str = include_str!("../../../examples/assessment.toml");
const SERVER: &str = "https://clinic.example";

fn at(s: &str) -> Timestamp {
    s.parse().expect("time")
}

fn now() -> Timestamp {
    at("2026-11-30T12:00:00Z")
}

fn open(dir: &tempfile::TempDir, name: &str) -> SqliteStore {
    SqliteStore::open(&dir.path().join(name)).expect("store")
}

fn run(i: usize) -> JournalRun {
    JournalRun {
        key: format!("run-{i:04}"),
        start: at("2026-01-01T07:00:00Z").checked_add(jiff::SignedDuration::from_hours(24 * i as i64)).expect("ts"),
        sport: Sport::Running,
        label: None,
        distance_m: 8_000.0 + i as f64,
        moving_s: 2_700.0,
        elapsed_s: 2_760.0,
        name: Some(format!("Run {i}")),
        pack: Some(i.is_multiple_of(2)),
        surface: None,
        ate_within_2h: None,
        pre_run_done: Some(true),
        post_run_done: None,
        utc_offset_s: Some(3_600),
        avg_hr_bpm: Some(148.5),
    }
}

/// A runner with `runs` runs (each with a pain report and a day), a screen, an assessment and its plan, a
/// session and a lesson.
fn runner(store: &dyn Store, runs: usize) {
    let mut j = Journal::default();
    for i in 0..runs {
        let r = run(i);
        j.pain.push(JournalPain {
            at: r.start.checked_add(jiff::SignedDuration::from_hours(2)).expect("ts"),
            timing: PainTiming::RightAfter,
            region: Region::Neck,
            intensity: Score::new((i % 7) as f64).expect("score"),
            run: Some(r.key.clone()),
            notes: None,
        });
        j.days.push(DayLog {
            date: r.start.to_zoned(jiff::tz::TimeZone::UTC).date(),
            sitting_h: None,
            longest_sitting_h: None,
            car_h: None,
            sleep_h: None,
            stress: None,
            strength_done: i.is_multiple_of(3),
            mobility_done: false,
            relief: vec![],
            magnesium_mg: None,
        });
        j.runs.push(r);
    }
    journal_file::import(store, &j).expect("runner's journal");
    let screening = ScreeningRecord::new(program(), ScreenAnswers::yes(program(), &[]), at("2026-01-01T06:00:00Z"))
        .expect("screen");
    store.add_screening(&screening).expect("screen");
    let assessment = parse_answers("a.toml", SAMPLE).expect("assessment");
    let record = AssessmentRecord { id: None, taken_at: at("2026-01-01T06:05:00Z"), assessment };
    let assessment_id = store.add_assessment(&record).expect("assessment");
    let screening = store.latest_screening().expect("read");
    let perm = gate(program(), &SafetyInputs { screening: screening.as_ref(), assessment: Some(&record.assessment) });
    let built = plan::build(program(), &record.assessment, &perm).expect("plan");
    store
        .add_plan(&plan::PlanRecord {
            id: None,
            created_at: at("2026-01-01T06:06:00Z"),
            screening_id: screening.and_then(|s| s.id),
            assessment_id: Some(assessment_id),
            plan: built,
        })
        .expect("plan");
    store
        .put_session(at("2026-01-02T06:40:00Z"), "pre-run-easy", true, &serde_json::json!({"steps": 4}))
        .expect("session");
    store.set_lesson_done("why-exhale", Some(at("2026-01-03T20:00:00Z"))).expect("lesson");
}

/// Runs a whole sync as `runtall sync` does, every batch acknowledged (an empty last batch when nothing is left to
/// send) and the inbox received; returns the acknowledgements.
fn sync_all(client: &dyn Store, server: &dyn Store) -> Vec<sync::Ack> {
    let out = sync::outgoing(client).expect("outgoing");
    let mut batches: Vec<&[sync::Pending]> = out.batches.iter().map(Vec::as_slice).collect();
    if batches.is_empty() {
        batches.push(&[]);
    }
    let mut acks = Vec::new();
    for (i, batch) in batches.iter().enumerate() {
        let last = i + 1 == batches.len();
        let body = sync::encode_batch(client, batch, last).expect("encode");
        let ack = sync::apply_batch(server, &body, now()).expect("apply");
        let ack = sync::decode_ack(&sync::encode_ack(&ack)).expect("ack travels");
        sync::acknowledge(client, SERVER, batch).expect("acknowledge");
        if last {
            sync::receive(client, &ack.inbox).expect("receive");
        }
        acks.push(ack);
    }
    sync::finish(client, SERVER, now()).expect("finish");
    acks
}

fn journal_text(store: &dyn Store) -> String {
    runtall_domain::journal_format::to_jsonl(&journal_file::export(store).expect("export"))
}

#[test]
fn a_first_sync_sends_everything_in_bounded_batches_and_the_server_holds_the_same_journal() {
    let dir = tempfile::tempdir().expect("dir");
    let (client, server) = (open(&dir, "local.db"), open(&dir, "server.db"));
    runner(&client, 300);
    let out = sync::outgoing(&client).expect("outgoing");
    assert_eq!(out.pending_records(), out.total_records, "nothing acknowledged yet");
    assert!(out.batches.len() >= 4, "300 runs, 300 pains, 300 days in batches of at most 250");
    assert!(out.batches.iter().all(|b| b.len() <= sync::BATCH_RECORDS));
    sync_all(&client, &server);
    assert_eq!(journal_text(&server), journal_text(&client), "the server's copy is the runner's journal");
    assert_eq!(sync::outgoing(&client).expect("again").pending_records(), 0, "nothing changed, nothing to send");
    let state = SyncState::load(&client).expect("state");
    assert_eq!((state.server.as_deref(), state.last_complete), (Some(SERVER), Some(now())));
}

#[test]
fn a_batch_applied_twice_is_stored_once() {
    let dir = tempfile::tempdir().expect("dir");
    let (client, server) = (open(&dir, "local.db"), open(&dir, "server.db"));
    runner(&client, 20);
    let out = sync::outgoing(&client).expect("outgoing");
    assert_eq!(out.batches.len(), 1);
    let body = sync::encode_batch(&client, &out.batches[0], true).expect("encode");
    let first = sync::apply_batch(&server, &body, now()).expect("first");
    // The acknowledgement was lost: the client sends the same batch again.
    let again = sync::apply_batch(&server, &body, now()).expect("again");
    assert_eq!((first.stats.runs_added, first.stats.pain_added), (20, 20));
    assert_eq!((again.stats.runs_added, again.stats.runs_matched), (0, 20));
    assert_eq!((again.stats.pain_added, again.stats.pain_duplicates), (0, 20));
    assert_eq!((again.stats.others_added, first.stats.others_added), (0, 5), "{again:?}");
    assert_eq!(server.activities(&Default::default()).expect("runs").len(), 20);
    assert_eq!(server.pain_reports(Timestamp::MIN, Timestamp::MAX).expect("pain").len(), 20);
    assert_eq!(server.screenings().expect("screens").len(), 1);
    assert_eq!(server.plans().expect("plans").len(), 1);
    assert_eq!(journal_text(&server), journal_text(&client));
}

#[test]
fn a_batch_cut_halfway_stores_nothing_and_the_resent_batch_stores_it_once() {
    let dir = tempfile::tempdir().expect("dir");
    let (client, server) = (open(&dir, "local.db"), open(&dir, "server.db"));
    runner(&client, 20);
    let out = sync::outgoing(&client).expect("outgoing");
    let body = sync::encode_batch(&client, &out.batches[0], true).expect("encode");
    let cut = &body[..body.len() / 2];
    let err = sync::apply_batch(&server, cut, now()).expect_err("cut batch");
    assert!(matches!(err, SyncError::Body(_)), "{err}");
    assert!(err.to_string().contains("nothing of it was stored"), "{err}");
    assert!(server.activities(&Default::default()).expect("runs").is_empty());
    sync::apply_batch(&server, &body, now()).expect("resent");
    sync::acknowledge(&client, SERVER, &out.batches[0]).expect("ack");
    assert_eq!(server.activities(&Default::default()).expect("runs").len(), 20);
    assert_eq!(journal_text(&server), journal_text(&client));
}

#[test]
fn a_sync_cut_between_batches_resumes_after_the_last_acknowledged_one() {
    let dir = tempfile::tempdir().expect("dir");
    let (client, server) = (open(&dir, "local.db"), open(&dir, "server.db"));
    runner(&client, 300);
    let out = sync::outgoing(&client).expect("outgoing");
    let first = &out.batches[0];
    sync::apply_batch(&server, &sync::encode_batch(&client, first, false).expect("encode"), now()).expect("apply");
    sync::acknowledge(&client, SERVER, first).expect("ack");
    // The connection drops here. Next time only the rest is sent.
    let rest = sync::outgoing(&client).expect("resume");
    assert_eq!(rest.pending_records(), out.pending_records() - first.len());
    let sent_first: std::collections::HashSet<&str> = first.iter().map(|p| p.id.as_str()).collect();
    assert!(rest.batches.iter().flatten().all(|p| !sent_first.contains(p.id.as_str())));
    sync_all(&client, &server);
    assert_eq!(journal_text(&server), journal_text(&client));
    assert_eq!(server.activities(&Default::default()).expect("runs").len(), 300, "no run twice");
}

#[test]
fn a_record_changed_after_a_sync_is_sent_again_and_only_it() {
    let dir = tempfile::tempdir().expect("dir");
    let (client, server) = (open(&dir, "local.db"), open(&dir, "server.db"));
    runner(&client, 30);
    sync_all(&client, &server);
    let run_id = client.activities(&Default::default()).expect("runs")[0].id;
    let ctx = client.run_context(run_id).expect("ctx").expect("has context");
    client.put_run_context(&RunContext { post_run_done: Some(true), ..ctx }).expect("change");
    client
        .add_pain_report(&PainReport {
            id: None,
            at: at("2026-11-29T09:00:00Z"),
            timing: PainTiming::AtDesk,
            region: Region::MidBack,
            intensity: Score::new(3.0).expect("score"),
            run_id: None,
            notes: Some("after the drive".into()),
        })
        .expect("new pain");
    let out = sync::outgoing(&client).expect("outgoing");
    let kinds: Vec<&str> = out.batches.iter().flatten().map(|p| p.record.kind()).collect();
    assert_eq!(kinds, ["run", "pain"], "the changed run and the new report, nothing else");
    sync_all(&client, &server);
    let key = &client.activities(&Default::default()).expect("runs")[0].key;
    let on_server = server.activities(&Default::default()).expect("runs").into_iter().find(|r| &r.key == key);
    let ctx = server.run_context(on_server.expect("run on the server").id).expect("ctx").expect("context");
    assert_eq!(ctx.post_run_done, Some(true), "the change arrived");
    assert_eq!(journal_text(&server), journal_text(&client));
}

/// A batch's bytes around a hand-written JSON header and raw sample bytes (the wire format of `Batch::encode`).
fn frame(header: &str, blobs: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(sync::MAGIC).expect("write");
    gz.write_all(&(header.len() as u64).to_le_bytes()).expect("write");
    gz.write_all(header.as_bytes()).expect("write");
    gz.write_all(blobs).expect("write");
    gz.finish().expect("gzip")
}

#[test]
fn a_newer_client_is_told_to_upgrade_and_junk_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("dir");
    let server = open(&dir, "server.db");
    let newer = frame(r#"{"protocol": 99, "records": [], "future": true}"#, b"");
    let err = sync::apply_batch(&server, &newer, now()).expect_err("newer");
    assert!(matches!(err, SyncError::Protocol { theirs: 99, ours: sync::PROTOCOL }), "{err}");
    assert!(err.to_string().contains("upgrade"), "{err}");
    let err = sync::apply_batch(&server, b"hello", now()).expect_err("junk");
    assert!(err.to_string().contains("gzip"), "{err}");
    let bad_line = frame(r#"{"protocol": 1, "records": ["{\"type\":\"pain\",\"at\":\"2026-11-01T00:00:00Z\"}"]}"#, b"");
    let err = sync::apply_batch(&server, &bad_line, now()).expect_err("bad record");
    assert!(matches!(err, SyncError::Record(_)), "{err}");
    assert!(err.to_string().contains("line 1"), "{err}");
    let stray = frame(r#"{"protocol": 1, "records": []}"#, b"trailing bytes");
    assert!(sync::apply_batch(&server, &stray, now()).expect_err("stray bytes").to_string().contains("after the last"));
}

#[test]
fn a_gzip_bomb_is_refused_in_bounded_memory() {
    let dir = tempfile::tempdir().expect("dir");
    let server = open(&dir, "server.db");
    let bomb = {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..(sync::MAX_BATCH_INFLATED >> 20) + 2 {
            gz.write_all(&zeros).expect("write");
        }
        gz.finish().expect("gzip")
    };
    assert!(bomb.len() < sync::MAX_BATCH_BYTES);
    let err = sync::apply_batch(&server, &bomb, now()).expect_err("bomb");
    assert!(err.to_string().contains("decompressed"), "{err}");
}

#[test]
fn damaged_samples_are_refused_naming_the_run_and_nothing_is_stored() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().expect("dir");
    let server = open(&dir, "server.db");
    let line = runtall_domain::journal_format::Record::Run(run(1));
    let mut activity = run(1).to_activity();
    activity.samples.t_s = (0..600).map(f64::from).collect();
    for column in [
        &mut activity.samples.distance_m,
        &mut activity.samples.speed_mps,
        &mut activity.samples.hr_bpm,
        &mut activity.samples.cadence_spm,
        &mut activity.samples.altitude_m,
        &mut activity.samples.lat_deg,
        &mut activity.samples.lon_deg,
    ] {
        *column = (0..600).map(|i| Some(f64::from(i) * 0.5)).collect();
    }
    let batch = sync::Batch {
        protocol: sync::PROTOCOL,
        records: vec![line.to_jsonl_line()],
        activities: vec![activity],
        sample_bytes: vec![],
        sample_blobs: vec![],
        want_inbox: false,
    };
    let good = batch.encode().expect("encode");
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(good.as_slice()).read_to_end(&mut raw).expect("gunzip");
    raw.truncate(raw.len() - 10);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&raw).expect("write");
    let cut = gz.finish().expect("gzip");
    let err = sync::apply_batch(&server, &cut, now()).expect_err("cut samples");
    assert!(err.to_string().contains("run run-0001"), "{err}");
    assert!(server.activities(&Default::default()).expect("runs").is_empty());
    let ack = sync::apply_batch(&server, &good, now()).expect("the whole batch");
    assert_eq!(ack.stats.runs_added, 1);
    let stored = server.activity(server.activities(&Default::default()).expect("runs")[0].id).expect("read");
    assert_eq!(stored.expect("run").activity.samples.len(), 600, "the samples arrived");
}

#[test]
fn the_clinicians_changes_and_comments_arrive_once_and_are_not_sent_back() {
    use runtall_domain::clinic::{Change, Comment, CommentOn, ProgramChange};
    let dir = tempfile::tempdir().expect("dir");
    let (client, server) = (open(&dir, "local.db"), open(&dir, "server.db"));
    runner(&client, 10);
    sync_all(&client, &server);
    let note = ProgramChange {
        key: "change-7-1".into(),
        at: at("2026-11-29T10:00:00Z"),
        by: "Pat Physio".into(),
        change: Change::Note { text: "Easy week: keep every run conversational.".into() },
    };
    server.add_program_change(&note).expect("change on the server");
    let comment = Comment {
        key: "comment-7-1".into(),
        at: at("2026-11-29T10:05:00Z"),
        by: "Pat Physio".into(),
        on: CommentOn::Run { run: run(3).key },
        text: "Nice negative split.".into(),
    };
    server.add_comment(&comment).expect("comment on the server");

    let acks = sync_all(&client, &server);
    assert_eq!(acks.len(), 1, "nothing to send: one empty batch brings the inbox");
    assert_eq!(acks[0].applied, 0);
    assert_eq!(client.program_changes().expect("changes"), vec![note.clone()]);
    assert_eq!(client.comments().expect("comments"), vec![comment]);
    sync_all(&client, &server);
    assert_eq!(client.program_changes().expect("changes").len(), 1, "received twice, stored once");
    assert_eq!(sync::outgoing(&client).expect("outgoing").pending_records(), 0, "the clinician's records stay theirs");
}

#[test]
fn a_cursor_about_another_server_or_records_the_server_lost_starts_over() {
    let dir = tempfile::tempdir().expect("dir");
    let (client, server) = (open(&dir, "local.db"), open(&dir, "server.db"));
    runner(&client, 5);
    sync_all(&client, &server);
    let same = sync::hello(&server).expect("hello").runs;
    assert_eq!(sync::check_cursor(&client, SERVER, same).expect("check"), None, "the cursor holds");
    assert_eq!(sync::outgoing(&client).expect("outgoing").pending_records(), 0);

    assert_eq!(sync::check_cursor(&client, SERVER, Some(2)).expect("check"), Some(sync::Restart::ServerLostRecords));
    let all = sync::outgoing(&client).expect("outgoing");
    assert_eq!(all.pending_records(), all.total_records, "everything goes again");
    sync_all(&client, &server);
    assert_eq!(server.activities(&Default::default()).expect("runs").len(), 5, "and nothing is doubled");

    let other = "https://other-clinic.example";
    assert_eq!(sync::check_cursor(&client, other, Some(0)).expect("check"), Some(sync::Restart::OtherServer));
    assert_eq!(SyncState::load(&client).expect("state").server.as_deref(), Some(other));
}

#[test]
fn a_runs_samples_arrive_as_the_runners_store_keeps_them() {
    let dir = tempfile::tempdir().expect("dir");
    let (client, server) = (open(&dir, "local.db"), open(&dir, "server.db"));
    let mut activity = run(3).to_activity();
    activity.source.path = "watch.fit".into();
    activity.samples.t_s = (0..2_760).map(f64::from).collect();
    activity.samples.distance_m = (0..2_760).map(|i| Some(f64::from(i) * 2.9)).collect();
    activity.samples.speed_mps = (0..2_760).map(|i| Some(2.9 + f64::from(i % 7) * 0.01)).collect();
    activity.samples.hr_bpm = (0..2_760).map(|i| (i % 50 != 0).then_some(140.0 + f64::from(i % 20))).collect();
    activity.samples.cadence_spm = vec![None; 2_760];
    activity.samples.altitude_m = (0..2_760).map(|i| Some(100.0 + f64::from(i % 30) * 0.1)).collect();
    activity.samples.lat_deg = (0..2_760).map(|i| Some(46.0 + f64::from(i) * 1e-5)).collect();
    activity.samples.lon_deg = (0..2_760).map(|i| Some(14.0 + f64::from(i) * 1e-5)).collect();
    client.add_activity(&activity, None).expect("the run from a watch");
    sync_all(&client, &server);
    let id = |s: &dyn Store| s.activities(&Default::default()).expect("runs")[0].id;
    let mine = client.activity_encoded(id(&client)).expect("read").expect("run");
    let theirs = server.activity_encoded(id(&server)).expect("read").expect("run");
    assert_eq!(theirs.samples_blob, mine.samples_blob, "the stream is stored on the server exactly as sent");
    let decoded = server.activity(id(&server)).expect("read").expect("run").activity.samples;
    assert_eq!(decoded, client.activity(id(&client)).expect("read").expect("run").activity.samples);
    assert_eq!(decoded.hr_bpm.iter().filter(|v| v.is_none()).count(), 56, "gaps stay gaps");
}
