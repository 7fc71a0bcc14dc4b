//! What a clinician adds to an athlete's records on a clinic server: program changes and comments kept once per
//! key (a sync may send one again), and the audit log of who looked at what.

use super::two;
use crate::Backend;
use crate::fixtures::*;
use jiff::Timestamp;
use jiff::civil::Date;
use runtall_domain::clinic::{AuditEntry, Change, Comment, CommentOn, DoseChange, ProgramChange, Progression};
use runtall_store::{Database, Store, StoreError};

fn change(key: &str, at: &str, change: Change) -> ProgramChange {
    ProgramChange { key: key.into(), at: ts(at), by: "Ines Ferreira, PT".into(), change }
}

fn note(key: &str, at: &str, text: &str) -> ProgramChange {
    change(key, at, Change::Note { text: text.into() })
}

fn comment(key: &str, at: &str, on: CommentOn, text: &str) -> Comment {
    Comment { key: key.into(), at: ts(at), by: "Ines Ferreira, PT".into(), on, text: text.into() }
}

fn audit(at: &str, action: &str) -> AuditEntry {
    AuditEntry {
        at: ts(at),
        actor_account: 7,
        actor_name: "Ines Ferreira".into(),
        action: action.into(),
        detail: format!("{action} page"),
    }
}

pub fn program_changes_are_kept_once_per_key_in_time_order<B: Backend>(backend: &B) {
    let (_db, a, b) = two(backend);
    let rev0 = a.journal_revision().expect("revision");
    let dose = change(
        "pc-2",
        "2026-10-05T09:00:00.5Z",
        Change::Dose {
            exercise: "chin-tuck".into(),
            dose: DoseChange {
                reps: Some(12),
                weekly: Some(Progression { reps: 2, ..Progression::default() }),
                ..DoseChange::default()
            },
            note: Some("slowly".into()),
        },
    );
    assert!(a.add_program_change(&dose).expect("dose"), "a new key is stored");
    assert!(a.add_program_change(&note("pc-1", "2026-10-05T09:00:00Z", "Easy week")).expect("note"));
    assert!(
        a.add_program_change(&change("pc-0", "2026-10-05T09:00:00Z", Change::Retire { key: "pc-9".into() }))
            .expect("retire")
    );
    let rev1 = a.journal_revision().expect("revision");
    assert!(rev1 > rev0, "program changes move the journal revision (plans are rebuilt)");

    let again =
        ProgramChange { at: ts("2027-01-01T00:00:00Z"), ..note("pc-1", "2026-10-05T09:00:00Z", "changed text") };
    assert!(!a.add_program_change(&again).expect("the same key again"), "a key already stored is not new");
    assert_eq!(a.journal_revision().expect("revision"), rev1, "and changes nothing");

    let stored = a.program_changes().expect("changes");
    assert_eq!(
        stored.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(),
        ["pc-0", "pc-1", "pc-2"],
        "oldest first, to the sub-second; equal times by key"
    );
    assert_eq!(stored[1].change, Change::Note { text: "Easy week".into() }, "the first copy is the one kept");
    assert_eq!(stored[2], dose, "round-trips whole");

    assert!(b.program_changes().expect("Ben's").is_empty(), "Ana's changes are not Ben's");
    assert!(b.add_program_change(&note("pc-1", "2026-10-06T09:00:00Z", "Ben's own")).expect("same key, other athlete"));
    assert_eq!(b.program_changes().expect("Ben's").len(), 1);
    assert_eq!(a.program_changes().expect("Ana's").len(), 3);

    let keyless = note(" ", "2026-10-06T09:00:00Z", "no key");
    assert!(matches!(a.add_program_change(&keyless), Err(StoreError::Invalid(_))), "a change needs a key");
    assert!(matches!(
        a.add_program_change(&note("pc-3", "2026-10-06T09:00:00Z", "  ")),
        Err(StoreError::Invalid(m)) if m.contains("empty")
    ));
    assert_eq!(a.program_changes().expect("changes").len(), 3, "nothing of a refused change is kept");
}

pub fn comments_on_runs_and_reports_are_kept_once_per_key<B: Backend>(backend: &B) {
    let (_db, a, b) = two(backend);
    let week: Date = date("2026-10-05");
    let on_run = comment("c-1", "2026-10-06T08:00:00Z", CommentOn::Run { run: "hash-1".into() }, "Nice even pace");
    let on_report = comment("c-2", "2026-10-06T07:00:00Z", CommentOn::Report { week }, "Pain trending down");
    let rev0 = a.journal_revision().expect("revision");
    assert!(a.add_comment(&on_run).expect("comment"));
    assert!(a.add_comment(&on_report).expect("comment"));
    assert!(a.journal_revision().expect("revision") > rev0, "comments move the journal revision");
    assert!(!a.add_comment(&on_run).expect("again"), "the same key twice is one comment");
    assert_eq!(a.comments().expect("comments"), vec![on_report.clone(), on_run.clone()], "oldest first, whole");
    assert!(b.comments().expect("Ben's").is_empty());
    let empty = comment("c-3", "2026-10-06T09:00:00Z", CommentOn::Report { week }, "");
    assert!(matches!(a.add_comment(&empty), Err(StoreError::Invalid(_))), "an empty comment is refused");
    assert_eq!(a.comments().expect("comments").len(), 2);
}

pub fn the_audit_log_is_the_athletes_own_and_read_by_window<B: Backend>(backend: &B) {
    let (_db, a, b) = two(backend);
    let rev0 = a.journal_revision().expect("revision");
    a.add_audit(&audit("2026-10-06T10:00:00.000002Z", "viewed-report")).expect("audit");
    a.add_audit(&audit("2026-10-06T10:00:00.000001Z", "viewed-runs")).expect("audit");
    a.add_audit(&audit("2026-10-06T10:00:00.000001Z", "viewed-runs")).expect("the same view twice is two entries");
    a.add_audit(&audit("2026-10-07T10:00:00Z", "changed-program")).expect("audit");
    assert_eq!(a.journal_revision().expect("revision"), rev0, "looking at data does not change it");
    let all = a.audit_log(Timestamp::MIN, Timestamp::MAX).expect("log");
    assert_eq!(
        all.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["viewed-runs", "viewed-runs", "viewed-report", "changed-program"],
        "oldest first, to the microsecond"
    );
    assert_eq!(all[3], audit("2026-10-07T10:00:00Z", "changed-program"), "round-trips whole");
    let day = a.audit_log(ts("2026-10-06T00:00:00Z"), ts("2026-10-07T10:00:00Z")).expect("window");
    assert_eq!(day.len(), 3, "`to` is exclusive");
    assert!(b.audit_log(Timestamp::MIN, Timestamp::MAX).expect("Ben's").is_empty(), "Ben reads only his own log");

    // The last time one account did one of some actions: the newest match, whoever else came later.
    let mut other = audit("2026-10-08T10:00:00Z", "viewed-report");
    other.actor_account = 8;
    a.add_audit(&other).expect("another clinician, later");
    assert_eq!(
        a.last_audit(7, &["viewed-report", "viewed-runs"]).expect("last"),
        Some(ts("2026-10-06T10:00:00.000002Z"))
    );
    assert_eq!(a.last_audit(7, &["changed-program"]).expect("last"), Some(ts("2026-10-07T10:00:00Z")));
    assert_eq!(a.last_audit(7, &["commented"]).expect("last"), None);
    assert_eq!(a.last_audit(8, &["viewed-report"]).expect("last"), Some(ts("2026-10-08T10:00:00Z")));
    assert_eq!(b.last_audit(7, &["viewed-report"]).expect("Ben's"), None, "Ana's log is not Ben's");
}

pub fn delete_all_removes_the_clinic_records_of_one_athlete<B: Backend>(backend: &B) {
    let (db, a, b) = two(backend);
    for s in [&a, &b] {
        s.add_program_change(&note("pc-1", "2026-10-05T09:00:00Z", "Easy week")).expect("note");
        s.add_comment(&comment("c-1", "2026-10-06T08:00:00Z", CommentOn::Run { run: "h".into() }, "ok"))
            .expect("comment");
        s.add_audit(&audit("2026-10-06T10:00:00Z", "viewed-report")).expect("audit");
    }
    a.delete_all().expect("delete all");
    assert!(a.program_changes().expect("changes").is_empty());
    assert!(a.comments().expect("comments").is_empty());
    assert!(a.audit_log(Timestamp::MIN, Timestamp::MAX).expect("log").is_empty());
    let b = db.athlete(b.athlete_id()).expect("Ben's handle");
    assert_eq!(b.program_changes().expect("Ben's").len(), 1, "Ben keeps his");
    assert_eq!(b.comments().expect("Ben's").len(), 1);
    assert_eq!(b.audit_log(Timestamp::MIN, Timestamp::MAX).expect("Ben's").len(), 1);
}

/// A sync sending the same change from two connections at once still stores it once.
pub fn one_change_sent_twice_at_once_is_stored_once<B: Backend>(backend: &B) {
    let (db, a, _b) = two(backend);
    let second = backend.connect(&db);
    let ana = a.athlete_id();
    let handles = [db.athlete(ana).expect("handle"), second.athlete(ana).expect("handle")];
    let threads: Vec<_> = handles
        .into_iter()
        .map(|s| {
            std::thread::spawn(move || {
                (0..20)
                    .filter(|i| {
                        let c = note(&format!("pc-{i}"), "2026-10-05T09:00:00Z", "Easy week");
                        s.add_program_change(&c).expect("change under contention")
                    })
                    .count()
            })
        })
        .collect();
    let new: usize = threads.into_iter().map(|t| t.join().expect("writer")).sum();
    assert_eq!(new, 20, "each key is new to exactly one of the writers");
    assert_eq!(a.program_changes().expect("changes").len(), 20);
}
