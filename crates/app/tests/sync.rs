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

/// Runs a whole sync as `runtall sync` does: every batch acknowledged (the runner's deletions in the first, an
/// empty last batch when nothing is left to send), the inbox received, then pulls until the server has nothing
/// more; returns the acknowledgements.
fn sync_all(client: &dyn Store, server: &dyn Store) -> Vec<sync::Ack> {
    sync_all_pulled(client, server).0
}

/// [`sync_all`], with what the pulls brought.
fn sync_all_pulled(client: &dyn Store, server: &dyn Store) -> (Vec<sync::Ack>, sync::Pulled) {
    let out = sync::outgoing(client).expect("outgoing");
    let mut batches: Vec<&[sync::Pending]> = out.batches.iter().map(Vec::as_slice).collect();
    if batches.is_empty() {
        batches.push(&[]);
    }
    let mut acks = Vec::new();
    for (i, batch) in batches.iter().enumerate() {
        let last = i + 1 == batches.len();
        let deleted = if i == 0 { out.deleted.as_slice() } else { &[] };
        let body = sync::encode_batch(client, batch, last, deleted).expect("encode");
        let ack = sync::apply_batch(server, &body, now()).expect("apply");
        let ack = sync::decode_ack(&sync::encode_ack(&ack)).expect("ack travels");
        sync::acknowledge(client, SERVER, batch, deleted).expect("acknowledge");
        if last {
            sync::receive(client, &ack.inbox).expect("receive");
        }
        acks.push(ack);
    }
    let mut pulled = sync::Pulled::default();
    loop {
        let answer = sync::answer_pull(server, &sync::pull_request(client).expect("request"), now()).expect("pull");
        let page = sync::apply_pull(client, &answer, now()).expect("apply the pull");
        pulled.records += page.records;
        pulled.deleted += page.deleted;
        if !page.more {
            break;
        }
    }
    sync::finish(client, SERVER, now()).expect("finish");
    (acks, pulled)
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
    let body = sync::encode_batch(&client, &out.batches[0], true, &[]).expect("encode");
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
    let body = sync::encode_batch(&client, &out.batches[0], true, &[]).expect("encode");
    let cut = &body[..body.len() / 2];
    let err = sync::apply_batch(&server, cut, now()).expect_err("cut batch");
    assert!(matches!(err, SyncError::Body(_)), "{err}");
    assert!(err.to_string().contains("nothing of it was stored"), "{err}");
    assert!(server.activities(&Default::default()).expect("runs").is_empty());
    sync::apply_batch(&server, &body, now()).expect("resent");
    sync::acknowledge(&client, SERVER, &out.batches[0], &[]).expect("ack");
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
    sync::apply_batch(&server, &sync::encode_batch(&client, first, false, &[]).expect("encode"), now()).expect("apply");
    sync::acknowledge(&client, SERVER, first, &[]).expect("ack");
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
        deleted: vec![],
        more: false,
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

fn hours(h: f64) -> runtall_domain::assess::DayHours {
    runtall_domain::assess::DayHours::new(h).expect("hours")
}

/// A pain report at `when`, as a runner enters one (in the app or in the server's browser).
fn desk_pain(when: &str, intensity: f64) -> PainReport {
    PainReport {
        id: None,
        at: at(when),
        timing: PainTiming::AtDesk,
        region: Region::Neck,
        intensity: Score::new(intensity).expect("score"),
        run_id: None,
        notes: None,
    }
}

#[test]
fn what_the_runner_deletes_is_deleted_on_the_server_at_the_next_sync() {
    let dir = tempfile::tempdir().expect("dir");
    let (client, server) = (open(&dir, "local.db"), open(&dir, "server.db"));
    runner(&client, 12);
    client.add_pain_report(&desk_pain("2026-02-01T15:00:00Z", 2.0)).expect("pain");
    sync_all(&client, &server);
    assert_eq!(server.activities(&Default::default()).expect("runs").len(), 12);
    // The runner deletes a run (its pain report stays, unlinked), a desk pain report and a lesson's mark.
    let run = client.activities(&Default::default()).expect("runs").into_iter().find(|r| r.key == "run-0004");
    assert!(client.delete_activity(run.expect("run-0004").id).expect("delete run"));
    let desk = client.pain_reports(at("2026-02-01T00:00:00Z"), at("2026-02-02T00:00:00Z")).expect("pain");
    assert!(client.delete_pain_report(desk[0].id.expect("id")).expect("delete pain"));
    client.set_lesson_done("why-exhale", None).expect("unmark");
    let out = sync::outgoing(&client).expect("outgoing");
    let mut deleted = out.deleted.clone();
    deleted.sort();
    assert_eq!(deleted, ["lesson:why-exhale", "pain:2026-02-01T15:00:00Z:neck:at-desk", "run:run-0004"]);
    let (acks, pulled) = sync_all_pulled(&client, &server);
    assert_eq!(acks[0].deleted, 3, "{acks:?}");
    assert_eq!(pulled.records + pulled.deleted, 0, "nothing comes back down");
    assert!(server.activities(&Default::default()).expect("runs").iter().all(|r| r.key != "run-0004"));
    assert_eq!(server.pain_reports(Timestamp::MIN, Timestamp::MAX).expect("pain").len(), 12, "12 run reports");
    assert!(server.lessons_done().expect("lessons").is_empty());
    assert_eq!(journal_text(&server), journal_text(&client), "the same journal on both sides");
    let again = sync::outgoing(&client).expect("again");
    assert_eq!((again.pending_records(), again.deleted.len()), (0, 0), "a deletion travels once");
    // A deletion sent again (its acknowledgement lost) deletes nothing more.
    let body = sync::encode_batch(&client, &[], true, &["run:run-0004".into()]).expect("encode");
    assert_eq!(sync::apply_batch(&server, &body, now()).expect("again").deleted, 0);
}

#[test]
fn what_the_athlete_enters_on_the_server_comes_down_once_and_is_not_sent_back() {
    let dir = tempfile::tempdir().expect("dir");
    let (client, server) = (open(&dir, "local.db"), open(&dir, "server.db"));
    runner(&client, 10);
    sync_all(&client, &server);
    // In the server's browser: a pain report, a day log, the context of a run, a finished session.
    server.add_pain_report(&desk_pain("2026-03-02T16:30:00Z", 3.0)).expect("pain");
    let day = DayLog {
        date: "2026-03-02".parse().expect("date"),
        sitting_h: Some(hours(7.5)),
        longest_sitting_h: Some(hours(2.0)),
        car_h: None,
        sleep_h: Some(hours(7.0)),
        stress: None,
        strength_done: true,
        mobility_done: true,
        relief: vec![],
        magnesium_mg: None,
    };
    server.put_day_log(&day).expect("day");
    let run = server.activities(&Default::default()).expect("runs").into_iter().find(|r| r.key == "run-0002");
    let run_id = run.expect("run-0002").id;
    let ctx = server.run_context(run_id).expect("ctx").expect("context");
    server.put_run_context(&RunContext { ate_within_2h: Some(true), ..ctx }).expect("context");
    server
        .put_session(at("2026-03-02T06:30:00Z"), "pre-run-easy", true, &serde_json::json!({"steps": 4}))
        .expect("session");
    let (acks, pulled) = sync_all_pulled(&client, &server);
    assert_eq!(acks.iter().map(|a| a.applied).sum::<usize>(), 0, "the runner had nothing new to send");
    assert_eq!(pulled.records, 4, "the report, the day, the run's line and the session: {pulled:?}");
    assert_eq!(journal_text(&client), journal_text(&server), "the runner's machine holds what the server holds");
    let local = client.activities(&Default::default()).expect("runs").into_iter().find(|r| r.key == "run-0002");
    let local_ctx = client.run_context(local.expect("run").id).expect("ctx").expect("context");
    assert_eq!(local_ctx.ate_within_2h, Some(true));
    // Nothing is sent back up, nothing comes down twice, nothing is stored twice.
    assert_eq!(sync::outgoing(&client).expect("again").pending_records(), 0, "no echo");
    let (_, pulled) = sync_all_pulled(&client, &server);
    assert_eq!((pulled.records, pulled.deleted), (0, 0));
    assert_eq!(client.pain_reports(Timestamp::MIN, Timestamp::MAX).expect("pain").len(), 11);
}

#[test]
fn a_run_added_in_the_browser_comes_down_with_its_samples_in_pages() {
    let dir = tempfile::tempdir().expect("dir");
    let (client, server) = (open(&dir, "local.db"), open(&dir, "server.db"));
    runner(&client, 3);
    sync_all(&client, &server);
    for i in 20..25 {
        let mut a = run(i).to_activity();
        a.source.path = format!("watch-{i}.fit");
        a.samples.t_s = (0..600).map(f64::from).collect();
        for column in [&mut a.samples.distance_m, &mut a.samples.speed_mps, &mut a.samples.hr_bpm] {
            *column = (0..600).map(|s| Some(f64::from(s) * 0.5)).collect();
        }
        a.samples.cadence_spm = vec![None; 600];
        a.samples.altitude_m = vec![None; 600];
        a.samples.lat_deg = vec![None; 600];
        a.samples.lon_deg = vec![None; 600];
        server.add_activity(&a, None).expect("uploaded in the browser");
    }
    // Two records per answer: the client pulls until the server has nothing more.
    let limits = sync::BatchLimits { records: 2, ..Default::default() };
    let mut pages = 0;
    loop {
        let request = sync::pull_request(&client).expect("request");
        let answer = sync::answer_pull_in(&server, &request, now(), limits).expect("pull");
        let page = sync::apply_pull(&client, &answer, now()).expect("apply");
        pages += 1;
        if !page.more {
            break;
        }
    }
    assert_eq!(pages, 3, "five runs, two per answer");
    let key = run(22).key;
    let local = client.activities(&Default::default()).expect("runs").into_iter().find(|r| r.key == key);
    let stored = client.activity(local.expect("the run came down").id).expect("read").expect("run");
    assert_eq!(stored.activity.samples.len(), 600, "with its samples");
    assert_eq!(journal_text(&client), journal_text(&server));
    assert_eq!(sync::outgoing(&client).expect("again").pending_records(), 0, "and is not sent back");
}

#[test]
fn what_is_deleted_on_the_server_is_deleted_on_the_runners_machine_and_the_cursor_stays() {
    let dir = tempfile::tempdir().expect("dir");
    let (client, server) = (open(&dir, "local.db"), open(&dir, "server.db"));
    runner(&client, 8);
    sync_all(&client, &server);
    let run = server.activities(&Default::default()).expect("runs").into_iter().find(|r| r.key == "run-0005");
    assert!(server.delete_activity(run.expect("run").id).expect("deleted in the browser"));
    let pain = server.pain_reports(Timestamp::MIN, Timestamp::MAX).expect("pain");
    assert!(server.delete_pain_report(pain[0].id.expect("id")).expect("deleted in the browser"));
    // The server holds one run fewer than the runner's cursor names, and says it knows where it went: the
    // runner's machine does not start over (which would send the deleted run back).
    let hello = sync::hello(&server).expect("hello");
    assert_eq!(sync::check_cursor(&client, SERVER, hello.runs).expect("cursor"), None);
    let (_, pulled) = sync_all_pulled(&client, &server);
    assert_eq!(pulled.deleted, 2, "{pulled:?}");
    assert!(client.activities(&Default::default()).expect("runs").iter().all(|r| r.key != "run-0005"));
    assert_eq!(client.pain_reports(Timestamp::MIN, Timestamp::MAX).expect("pain").len(), 7);
    assert_eq!(journal_text(&client), journal_text(&server));
    let out = sync::outgoing(&client).expect("again");
    assert_eq!((out.pending_records(), out.deleted.len()), (0, 0), "no echo either way");
    // A device that never held them is told nothing; one that did but syncs later still hears of it.
    let second = open(&dir, "second.db");
    runner(&second, 8);
    sync_all(&second, &server);
    assert!(second.activities(&Default::default()).expect("runs").iter().any(|r| r.key == "run-0005"), "resent");
}

#[test]
fn when_both_sides_changed_a_record_the_runners_machine_wins_and_an_edit_beats_a_deletion() {
    let dir = tempfile::tempdir().expect("dir");
    let (client, server) = (open(&dir, "local.db"), open(&dir, "server.db"));
    runner(&client, 6);
    sync_all(&client, &server);
    let date: jiff::civil::Date = "2026-01-03".parse().expect("date");
    let day = |sleep: f64| DayLog {
        date,
        sitting_h: None,
        longest_sitting_h: None,
        car_h: None,
        sleep_h: Some(hours(sleep)),
        stress: None,
        strength_done: false,
        mobility_done: false,
        relief: vec![],
        magnesium_mg: None,
    };
    client.put_day_log(&day(6.0)).expect("edited on the runner's machine");
    server.put_day_log(&day(8.0)).expect("edited in the browser");
    // A run the runner gave context to after the server deleted it comes back.
    let local = client.activities(&Default::default()).expect("runs").into_iter().find(|r| r.key == "run-0001");
    let local_id = local.expect("run").id;
    let ctx = client.run_context(local_id).expect("ctx").expect("context");
    client.put_run_context(&RunContext { surface: None, post_run_done: Some(true), ..ctx }).expect("edit");
    let remote = server.activities(&Default::default()).expect("runs").into_iter().find(|r| r.key == "run-0001");
    assert!(server.delete_activity(remote.expect("run").id).expect("deleted in the browser"));
    sync_all(&client, &server);
    let days = server.day_logs(date, date.tomorrow().expect("date")).expect("days");
    assert_eq!(days[0].sleep_h, Some(hours(6.0)), "the runner's copy won on the server");
    let days = client.day_logs(date, date.tomorrow().expect("date")).expect("days");
    assert_eq!(days[0].sleep_h, Some(hours(6.0)), "and stayed on the runner's machine");
    assert!(server.activities(&Default::default()).expect("runs").iter().any(|r| r.key == "run-0001"), "back");
    assert!(client.activities(&Default::default()).expect("runs").iter().any(|r| r.key == "run-0001"), "kept");
    assert_eq!(journal_text(&client), journal_text(&server));
}
