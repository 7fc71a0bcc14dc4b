//! The clinic server's accounts ([`Accounts`]): the same rules on every backend that serves many athletes. Expand
//! [`accounts_suite!`](crate::accounts_suite) next to the conformance suite.

use crate::Backend;
use jiff::{SignedDuration, Timestamp};
use runtall_domain::clinic::AuditEntry;
use runtall_store::accounts::{Acceptance, AccountId, Accounts, Role};
use runtall_store::dashboard::{DashboardAthlete, Dashboards};
use runtall_store::{AthleteId, Database, Store, StoreError};

/// A hash-shaped secret for the cases (the store never sees a secret in clear, only 64 hex digits).
fn hash(label: &str) -> String {
    let mut out = String::with_capacity(64);
    for b in label.bytes().cycle().take(32) {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

fn at(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

const PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";

pub fn accounts_are_unique_by_email_in_any_case_and_athletes_own_one_athlete<B: Backend>(backend: &B)
where
    B::Db: Accounts,
{
    let db = backend.fresh();
    let ana = db.create_account(" Ana@Example.org ", "Ana", Role::Athlete, Some(PHC)).expect("athlete");
    assert_eq!(ana.email, "Ana@Example.org", "kept as typed, trimmed");
    let athlete = ana.athlete.expect("an athlete account owns an athlete");
    assert!(db.athletes().expect("athletes").iter().any(|a| a.id == athlete && a.name == "Ana"));
    db.athlete(athlete).expect("the athlete has a store");

    let taken = db.create_account("ana@EXAMPLE.org", "Other", Role::Clinician, None);
    assert!(matches!(taken, Err(StoreError::Exists { .. })), "email taken in another case: {taken:?}");
    let before = db.athletes().expect("athletes").len();
    let taken = db.create_account("ANA@example.org", "Another", Role::Athlete, None);
    assert!(matches!(taken, Err(StoreError::Exists { .. })));
    assert_eq!(db.athletes().expect("athletes").len(), before, "a refused athlete account leaves no athlete");

    let (found, password) = db.account_by_email("ana@example.ORG").expect("by email").expect("found");
    assert_eq!((found.clone(), password.as_deref()), (ana.clone(), Some(PHC)));
    assert_eq!(db.account(ana.id).expect("by id"), Some(ana.clone()));
    assert_eq!(db.account_by_email("nobody@example.org").expect("by email"), None);

    let clin = db.create_account("pt@example.org", "Dr Pat", Role::Clinician, None).expect("clinician");
    assert_eq!((clin.role, clin.athlete), (Role::Clinician, None), "a clinician owns no athlete");
    assert_eq!(db.password_of(clin.id).expect("password"), None, "set later with a reset code");
    db.set_password(clin.id, PHC).expect("set password");
    assert_eq!(db.password_of(clin.id).expect("password").as_deref(), Some(PHC));
    assert!(matches!(db.set_password(AccountId::new(9_999), PHC), Err(StoreError::NotFound { .. })));
}

pub fn sessions_expire_and_end_one_or_all_at_once<B: Backend>(backend: &B)
where
    B::Db: Accounts,
{
    let db = backend.fresh();
    let ana = db.create_account("ana@example.org", "Ana", Role::Athlete, Some(PHC)).expect("ana");
    let ben = db.create_account("ben@example.org", "Ben", Role::Athlete, Some(PHC)).expect("ben");
    let now = at("2026-12-01T10:00:00Z");
    let later = now + SignedDuration::from_hours(24 * 30);
    for (token, who) in [("phone", ana.id), ("laptop", ana.id), ("bens", ben.id)] {
        db.add_session(&hash(token), who, now, later).expect("session");
    }
    // A second connection (another server process, a restart) sees the same sessions.
    let other = backend.connect(&db);
    let seen = other.session(&hash("phone"), now + SignedDuration::from_mins(5)).expect("session").expect("live");
    assert_eq!((seen.account, seen.created_at, seen.last_seen), (ana.id, now, now + SignedDuration::from_mins(5)));
    // Seen again within the minute: the time may stay (kept to the minute), but never goes back or beyond now.
    let soon = now + SignedDuration::from_secs(5 * 60 + 20);
    let again = db.session(&hash("phone"), soon).expect("session").expect("live");
    assert!(again.last_seen >= seen.last_seen && again.last_seen <= soon, "{again:?}");
    assert_eq!(db.session(&hash("phone"), later).expect("session"), None, "expired at its expiry time");
    assert_eq!(db.session(&hash("unknown"), now).expect("session"), None);

    assert!(db.delete_session(&hash("phone")).expect("sign out"));
    assert!(!db.delete_session(&hash("phone")).expect("twice"));
    assert_eq!(db.session(&hash("phone"), now).expect("session"), None, "signed out");
    assert!(db.session(&hash("laptop"), now).expect("session").is_some(), "other sessions stay");

    // A session started after another expired clears the expired one away (only live sessions are kept).
    db.add_session(&hash("tablet"), ana.id, now, later).expect("session");
    db.add_session(&hash("short"), ana.id, now, now + SignedDuration::from_mins(1)).expect("session");
    db.add_session(&hash("next-day"), ana.id, now + SignedDuration::from_hours(24), later).expect("session");
    assert!(!db.delete_session(&hash("short")).expect("gone"), "the expired session was cleared");
    assert_eq!(db.delete_sessions_of(ana.id).expect("everywhere"), 3);
    assert_eq!(db.session(&hash("laptop"), now).expect("session"), None);
    assert_eq!(db.session(&hash("tablet"), now).expect("session"), None);
    assert!(db.session(&hash("bens"), now).expect("session").is_some(), "another account's sessions stay");
}

pub fn a_session_and_its_account_come_together_seen_at_most_once_a_minute<B: Backend>(backend: &B)
where
    B::Db: Accounts,
{
    let db = backend.fresh();
    let ana = db.create_account("ana@example.org", "Ana", Role::Athlete, Some(PHC)).expect("ana");
    let pat = db.create_account("pat@example.org", "Dr Pat", Role::Clinician, Some(PHC)).expect("pat");
    let now = at("2026-12-01T10:00:00Z");
    let expires = now + SignedDuration::from_hours(2);
    db.add_session(&hash("ana"), ana.id, now, expires).expect("session");
    db.add_session(&hash("pat"), pat.id, now, expires).expect("session");
    let after = |secs: i64| now + SignedDuration::from_secs(secs);

    let seen = db.signed_in(&hash("ana"), after(10)).expect("look").expect("live");
    assert_eq!(seen.account, ana, "the session's own account");
    assert_eq!((seen.session.account, seen.session.created_at, seen.session.expires_at), (ana.id, now, expires));
    assert_eq!(seen.session.last_seen, now, "seen within the minute: not written");
    let pats = db.signed_in(&hash("pat"), after(10)).expect("look").expect("live").account;
    assert_eq!((pats.id, pats.role, pats.athlete), (pat.id, Role::Clinician, None));

    // A second connection (another server process) sees what was written, and only that.
    let other = backend.connect(&db);
    assert_eq!(other.session(&hash("ana"), after(59)).expect("look").expect("live").last_seen, now);
    assert_eq!(db.signed_in(&hash("ana"), after(60)).expect("look").expect("live").session.last_seen, after(60));
    assert_eq!(other.session(&hash("ana"), after(100)).expect("look").expect("live").last_seen, after(60));
    assert_eq!(db.session(&hash("ana"), after(125)).expect("look").expect("live").last_seen, after(125));
    // A clock set back is written too: the stored time never passes the last look-up.
    assert_eq!(other.session(&hash("ana"), after(30)).expect("look").expect("live").last_seen, after(30));

    // Expired at its expiry time, to the second, however recently it was seen.
    let last_second = expires - SignedDuration::from_secs(1);
    assert!(db.signed_in(&hash("ana"), last_second).expect("look").is_some());
    assert_eq!(db.signed_in(&hash("ana"), expires).expect("look"), None, "expired");
    // Signed out everywhere: refused at once, within the minute of the last look.
    assert!(db.signed_in(&hash("pat"), after(20)).expect("look").is_some());
    assert_eq!(db.delete_sessions_of(pat.id).expect("everywhere"), 1);
    assert_eq!(db.signed_in(&hash("pat"), after(21)).expect("look"), None, "signed out everywhere");
    assert_eq!(other.signed_in(&hash("pat"), after(21)).expect("look"), None, "on every connection");
    // A deleted account's sessions go with it.
    assert!(db.delete_account(ana.id).expect("delete"));
    assert_eq!(db.signed_in(&hash("ana"), after(40)).expect("look"), None, "the account is gone");
    assert_eq!(db.signed_in(&hash("nobody"), after(40)).expect("look"), None);
}

pub fn invitations_link_once_and_the_athlete_revokes<B: Backend>(backend: &B)
where
    B::Db: Accounts,
{
    let db = backend.fresh();
    let pat = db.create_account("pat@example.org", "Pat", Role::Clinician, Some(PHC)).expect("pat");
    let kim = db.create_account("kim@example.org", "Kim", Role::Clinician, Some(PHC)).expect("kim");
    let ana = db.create_account("ana@example.org", "Ana", Role::Athlete, Some(PHC)).expect("ana");
    let ben = db.create_account("ben@example.org", "Ben", Role::Athlete, Some(PHC)).expect("ben");
    let (ana_id, ben_id) = (ana.athlete.expect("ana's"), ben.athlete.expect("ben's"));
    let now = at("2026-12-01T10:00:00Z");
    let week = now + SignedDuration::from_hours(24 * 7);

    assert!(
        matches!(db.add_invitation(&hash("by-athlete"), ana.id, now, week), Err(StoreError::NotFound { .. })),
        "only clinicians invite"
    );
    db.add_invitation(&hash("pat-1"), pat.id, now, week).expect("invite");
    db.add_invitation(&hash("pat-2"), pat.id, now, week).expect("invite");
    db.add_invitation(&hash("kim-1"), kim.id, now, week).expect("invite");
    db.add_invitation(&hash("old"), kim.id, now, now + SignedDuration::from_mins(1)).expect("invite");

    assert!(!db.clinician_sees(pat.id, ana_id).expect("sees"), "no link before accepting");
    assert_eq!(
        db.accept_invitation(&hash("pat-1"), pat.id, now).expect("accept"),
        Acceptance::Invalid,
        "a clinician cannot accept"
    );
    assert_eq!(
        db.accept_invitation(&hash("pat-1"), ana.id, now).expect("accept"),
        Acceptance::Linked { clinician: pat.id },
        "the code stays usable after a refused attempt"
    );
    assert_eq!(db.accept_invitation(&hash("pat-1"), ben.id, now).expect("again"), Acceptance::Invalid, "single use");
    assert_eq!(db.accept_invitation(&hash("nope"), ben.id, now).expect("unknown"), Acceptance::Invalid);
    let late = now + SignedDuration::from_mins(2);
    assert_eq!(db.accept_invitation(&hash("old"), ben.id, late).expect("expired"), Acceptance::Invalid);
    assert_eq!(
        db.accept_invitation(&hash("pat-2"), ben.id, now).expect("ben"),
        Acceptance::Linked { clinician: pat.id }
    );
    assert_eq!(
        db.accept_invitation(&hash("kim-1"), ana.id, now).expect("kim"),
        Acceptance::Linked { clinician: kim.id }
    );

    assert!(db.clinician_sees(pat.id, ana_id).expect("sees") && db.clinician_sees(pat.id, ben_id).expect("sees"));
    assert!(db.clinician_sees(kim.id, ana_id).expect("sees"));
    assert!(!db.clinician_sees(kim.id, ben_id).expect("sees"), "Kim was never invited by Ben");
    let names: Vec<_> = db.athletes_of(pat.id).expect("list").into_iter().map(|a| (a.name, a.id, a.account)).collect();
    assert_eq!(names, [("Ana".to_string(), ana_id, ana.id), ("Ben".to_string(), ben_id, ben.id)]);
    let theirs: Vec<_> = db.clinicians_of(ana_id).expect("list").into_iter().map(|c| c.account).collect();
    assert_eq!(theirs, [pat.id, kim.id]);
    assert_eq!(db.athletes_of(kim.id).expect("list").len(), 1);
    let link = db.link(pat.id, ben_id).expect("link").expect("Pat follows Ben");
    assert_eq!((link.id, link.account, link.name.as_str(), link.since), (ben_id, ben.id, "Ben", now));
    assert_eq!(db.link(kim.id, ben_id).expect("link"), None, "one look-up, the same answer as clinician_sees");

    assert!(db.revoke_link(ana_id, pat.id).expect("revoke"));
    assert!(!db.revoke_link(ana_id, pat.id).expect("twice"));
    assert!(!db.clinician_sees(pat.id, ana_id).expect("sees"), "revoking ends access at once");
    assert_eq!(db.link(pat.id, ana_id).expect("link"), None, "and the link with it");
    assert!(db.clinician_sees(kim.id, ana_id).expect("sees"), "other clinicians keep theirs");
    assert!(db.clinician_sees(pat.id, ben_id).expect("sees"), "other athletes keep theirs");
    assert_eq!(db.athletes_of(pat.id).expect("list").len(), 1);

    // A new invitation links again.
    db.add_invitation(&hash("pat-3"), pat.id, now, week).expect("invite");
    assert_eq!(
        db.accept_invitation(&hash("pat-3"), ana.id, now).expect("again"),
        Acceptance::Linked { clinician: pat.id }
    );
    assert!(db.clinician_sees(pat.id, ana_id).expect("sees"));
}

pub fn device_tokens_name_their_athlete_until_revoked<B: Backend>(backend: &B)
where
    B::Db: Accounts,
{
    let db = backend.fresh();
    let ana = db.create_account("ana@example.org", "Ana", Role::Athlete, Some(PHC)).expect("ana");
    let ben = db.create_account("ben@example.org", "Ben", Role::Athlete, Some(PHC)).expect("ben");
    let pat = db.create_account("pat@example.org", "Pat", Role::Clinician, Some(PHC)).expect("pat");
    let now = at("2026-12-01T10:00:00Z");
    assert!(
        matches!(db.add_device(&hash("pat-phone"), pat.id, "phone", now), Err(StoreError::NotFound { .. })),
        "devices sync an athlete's journal; clinicians have none"
    );
    let laptop = db.add_device(&hash("ana-laptop"), ana.id, "laptop", now).expect("device");
    db.add_device(&hash("ana-watch"), ana.id, "watch", now).expect("device");
    let bens = db.add_device(&hash("ben-laptop"), ben.id, "laptop", now).expect("device");

    assert_eq!(db.device(&hash("ana-laptop")).expect("device"), Some((ana.id, ana.athlete.expect("athlete"))));
    assert_eq!(db.device(&hash("ben-laptop")).expect("device"), Some((ben.id, ben.athlete.expect("athlete"))));
    assert_eq!(db.device(&hash("nope")).expect("device"), None);
    let list = db.devices(ana.id).expect("list");
    assert_eq!(list.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["laptop", "watch"]);
    assert!(list[0].last_used.is_some() && list[1].last_used.is_none(), "used marks only the one used");

    assert!(!db.revoke_device(ana.id, bens).expect("revoke"), "not Ana's to revoke");
    assert!(db.device(&hash("ben-laptop")).expect("device").is_some());
    assert!(db.revoke_device(ana.id, laptop).expect("revoke"));
    assert_eq!(db.device(&hash("ana-laptop")).expect("device"), None, "revoked at once");
    assert!(db.device(&hash("ana-watch")).expect("device").is_some());
}

pub fn reset_codes_are_single_use_and_expire<B: Backend>(backend: &B)
where
    B::Db: Accounts,
{
    let db = backend.fresh();
    let ana = db.create_account("ana@example.org", "Ana", Role::Athlete, Some(PHC)).expect("ana");
    let now = at("2026-12-01T10:00:00Z");
    let hour = now + SignedDuration::from_hours(1);
    db.add_reset_code(&hash("r1"), ana.id, hour).expect("code");
    db.add_reset_code(&hash("r2"), ana.id, hour).expect("code");
    assert!(matches!(db.add_reset_code(&hash("r3"), AccountId::new(9_999), hour), Err(StoreError::NotFound { .. })));
    assert_eq!(db.use_reset_code(&hash("r1"), now).expect("use"), Some(ana.id));
    assert_eq!(db.use_reset_code(&hash("r1"), now).expect("again"), None, "single use");
    assert_eq!(db.use_reset_code(&hash("r2"), hour).expect("late"), None, "expired at its expiry time");
    assert_eq!(db.use_reset_code(&hash("zz"), now).expect("unknown"), None);
}

pub fn expired_secrets_are_purged_and_live_ones_kept<B: Backend>(backend: &B)
where
    B::Db: Accounts,
{
    let db = backend.fresh();
    let ana = db.create_account("ana@example.org", "Ana", Role::Athlete, Some(PHC)).expect("ana");
    let pat = db.create_account("pat@example.org", "Pat", Role::Clinician, Some(PHC)).expect("pat");
    let then = at("2026-12-01T10:00:00Z");
    let hour = then + SignedDuration::from_hours(1);
    let day = then + SignedDuration::from_hours(24);
    db.add_session(&hash("old-session"), ana.id, then, hour).expect("session");
    db.add_session(&hash("live-session"), ana.id, then, day).expect("session");
    db.add_invitation(&hash("old-invite"), pat.id, then, hour).expect("invite");
    db.add_invitation(&hash("live-invite"), pat.id, then, day).expect("invite");
    db.add_reset_code(&hash("old-code"), ana.id, hour).expect("code");
    db.add_reset_code(&hash("used-code"), ana.id, day).expect("code");
    db.add_reset_code(&hash("live-code"), ana.id, day).expect("code");
    assert_eq!(db.use_reset_code(&hash("used-code"), then).expect("use"), Some(ana.id));

    // Nothing has expired yet an hour early, but the used code is dead already.
    let purged = db.purge_expired(then).expect("purge");
    assert_eq!((purged.sessions, purged.invitations, purged.reset_codes), (0, 0, 1));

    let now = hour + SignedDuration::from_mins(5);
    assert_eq!(db.use_reset_code(&hash("old-code"), now).expect("use"), None, "an expired code does not work");
    let purged = db.purge_expired(now).expect("purge");
    assert_eq!((purged.sessions, purged.invitations, purged.reset_codes), (1, 1, 1));
    assert_eq!(purged.total(), 3);
    assert_eq!(db.purge_expired(now).expect("again"), Default::default(), "gone: nothing left to purge");
    // Gone even for a clock turned back: the rows no longer exist.
    assert_eq!(db.use_reset_code(&hash("old-code"), then).expect("use"), None);
    assert_eq!(db.session(&hash("old-session"), then).expect("session"), None);
    assert_eq!(db.accept_invitation(&hash("old-invite"), ana.id, then).expect("accept"), Acceptance::Invalid);

    // What is still valid is untouched and works.
    assert_eq!(db.session(&hash("live-session"), now).expect("session").map(|s| s.account), Some(ana.id));
    assert_eq!(db.use_reset_code(&hash("live-code"), now).expect("use"), Some(ana.id));
    assert_eq!(
        db.accept_invitation(&hash("live-invite"), ana.id, now).expect("accept"),
        Acceptance::Linked { clinician: pat.id }
    );
}

pub fn deleting_an_account_ends_everything_it_held<B: Backend>(backend: &B)
where
    B::Db: Accounts,
{
    let db = backend.fresh();
    let ana = db.create_account("ana@example.org", "Ana", Role::Athlete, Some(PHC)).expect("ana");
    let pat = db.create_account("pat@example.org", "Pat", Role::Clinician, Some(PHC)).expect("pat");
    let athlete = ana.athlete.expect("athlete");
    let now = at("2026-12-01T10:00:00Z");
    let later = now + SignedDuration::from_hours(24);
    db.add_session(&hash("s"), ana.id, now, later).expect("session");
    db.add_device(&hash("d"), ana.id, "laptop", now).expect("device");
    db.add_invitation(&hash("i"), pat.id, now, later).expect("invite");
    assert_eq!(
        db.accept_invitation(&hash("i"), ana.id, now).expect("accept"),
        Acceptance::Linked { clinician: pat.id }
    );

    assert!(db.delete_account(ana.id).expect("delete"));
    assert!(!db.delete_account(ana.id).expect("twice"));
    assert_eq!(db.account(ana.id).expect("gone"), None);
    assert_eq!(db.account_by_email("ana@example.org").expect("gone"), None);
    assert_eq!(db.session(&hash("s"), now).expect("session"), None);
    assert_eq!(db.device(&hash("d")).expect("device"), None);
    assert!(!db.clinician_sees(pat.id, athlete).expect("link"), "the clinician's access ends");
    assert!(db.athletes_of(pat.id).expect("list").is_empty());
    assert!(
        db.athletes().expect("athletes").iter().all(|a| a.id != athlete || a.name.is_empty()),
        "the athlete keeps no name"
    );
    // The email is free again.
    db.create_account("ana@example.org", "Ana again", Role::Athlete, Some(PHC)).expect("new account");

    // A clinician's deletion ends their links and invitations.
    let ben = db.create_account("ben@example.org", "Ben", Role::Athlete, Some(PHC)).expect("ben");
    db.add_invitation(&hash("j"), pat.id, now, later).expect("invite");
    db.add_invitation(&hash("k"), pat.id, now, later).expect("invite");
    assert_eq!(
        db.accept_invitation(&hash("j"), ben.id, now).expect("accept"),
        Acceptance::Linked { clinician: pat.id }
    );
    assert!(db.delete_account(pat.id).expect("delete"));
    assert!(db.clinicians_of(ben.athlete.expect("athlete")).expect("list").is_empty());
    assert_eq!(db.accept_invitation(&hash("k"), ben.id, now).expect("accept"), Acceptance::Invalid);
}

/// An audit entry by `account` at `when`.
fn entry(account: AccountId, action: &str, when: Timestamp) -> AuditEntry {
    AuditEntry {
        at: when,
        actor_account: account.get(),
        actor_name: "someone".into(),
        action: action.into(),
        detail: String::new(),
    }
}

pub fn a_clinicians_view_of_an_athlete_comes_with_the_link_check_and_nothing_without_it<B: Backend>(backend: &B)
where
    B::Db: Accounts,
{
    const VISITS: [&str; 2] = ["viewed-athlete", "viewed-report"];
    let db = backend.fresh();
    let pat = db.create_account("pat@example.org", "Pat", Role::Clinician, Some(PHC)).expect("pat");
    let kim = db.create_account("kim@example.org", "Kim", Role::Clinician, Some(PHC)).expect("kim");
    let ana = db.create_account("ana@example.org", "Ana", Role::Athlete, Some(PHC)).expect("ana");
    let ben = db.create_account("ben@example.org", "Ben", Role::Athlete, Some(PHC)).expect("ben");
    let (ana_id, ben_id) = (ana.athlete.expect("ana's"), ben.athlete.expect("ben's"));
    let now = at("2026-12-01T10:00:00Z");
    let week = now + SignedDuration::from_hours(24 * 7);
    for (code, by, athlete) in [("p1", pat.id, ana.id), ("k1", kim.id, ben.id)] {
        db.add_invitation(&hash(code), by, now, week).expect("invite");
        assert_eq!(
            db.accept_invitation(&hash(code), athlete, now).expect("accept"),
            Acceptance::Linked { clinician: by }
        );
    }
    let view = |who: AccountId, athlete: AthleteId| db.clinician_view(who, athlete, &VISITS).expect("view");

    // The link as `link` gives it, the revision the athlete's own store reports, no visit yet.
    let anas = db.athlete(ana_id).expect("ana's store");
    let first = view(pat.id, ana_id).expect("Pat follows Ana");
    assert_eq!(Some(first.link.clone()), db.link(pat.id, ana_id).expect("link"));
    assert_eq!((first.revision, first.last_visit), (anas.journal_revision().expect("revision"), None));

    // The last visit is the newest of this clinician's visit actions at this athlete, as `last_audit` finds it:
    // other actions, other clinicians and other athletes do not count.
    let minute = |n: i64| now + SignedDuration::from_mins(n);
    anas.add_audit(&entry(pat.id, "viewed-athlete", minute(1))).expect("audit");
    anas.add_audit(&entry(pat.id, "viewed-report", minute(2))).expect("audit");
    anas.add_audit(&entry(pat.id, "commented", minute(5))).expect("audit");
    anas.add_audit(&entry(kim.id, "viewed-athlete", minute(9))).expect("audit");
    db.athlete(ben_id).expect("ben's store").add_audit(&entry(pat.id, "viewed-athlete", minute(7))).expect("audit");
    let seen = view(pat.id, ana_id).expect("view");
    assert_eq!(seen.last_visit, Some(minute(2)));
    assert_eq!(seen.last_visit, anas.last_audit(pat.id.get(), &VISITS).expect("last audit"));
    // A change to Ana's journal moves the revision the view reads.
    anas.save_profile(&crate::fixtures::profile("Ana")).expect("profile");
    assert!(view(pat.id, ana_id).expect("view").revision > first.revision);
    assert_eq!(view(pat.id, ana_id).expect("view").revision, anas.journal_revision().expect("revision"));

    // Without a link there is nothing: another clinician's athlete, an athlete asking, an id nobody has.
    assert_eq!(view(pat.id, ben_id), None, "Ben shares with Kim only");
    assert_eq!(view(ana.id, ana_id), None, "an athlete's account follows nobody");
    assert_eq!(view(pat.id, AthleteId::new(987_654)), None);
    // An action name that is not a plain word is refused, not written into a statement.
    assert!(db.clinician_view(pat.id, ana_id, &["viewed'); DELETE FROM accounts; --"]).is_err());
    assert!(db.account(pat.id).expect("account").is_some());
    // Revoked: refused at once.
    assert!(db.revoke_link(ana_id, pat.id).expect("revoke"));
    assert_eq!(view(pat.id, ana_id), None, "revoked");
    assert!(view(kim.id, ben_id).is_some(), "Kim's link stays");
}

pub fn the_dashboard_state_is_the_clinicians_current_athletes_and_nobody_elses<B: Backend>(backend: &B)
where
    B::Db: Accounts + Dashboards,
{
    const VISITS: [&str; 2] = ["viewed-athlete", "viewed-report"];
    const LOOK: &str = "viewed-dashboard";
    let db = backend.fresh();
    let pat = db.create_account("pat@example.org", "Pat", Role::Clinician, Some(PHC)).expect("pat");
    let kim = db.create_account("kim@example.org", "Kim", Role::Clinician, Some(PHC)).expect("kim");
    let ana = db.create_account("ana@example.org", "Ana", Role::Athlete, Some(PHC)).expect("ana");
    let ben = db.create_account("ben@example.org", "Ben", Role::Athlete, Some(PHC)).expect("ben");
    let cy = db.create_account("cy@example.org", "Cy", Role::Athlete, Some(PHC)).expect("cy");
    let (ana_id, ben_id, cy_id) = (ana.athlete.expect("ana's"), ben.athlete.expect("ben's"), cy.athlete.expect("cy's"));
    let now = at("2026-12-01T10:00:00Z");
    let week = now + SignedDuration::from_hours(24 * 7);
    for (code, by, athlete) in
        [("p1", pat.id, ana.id), ("p2", pat.id, ben.id), ("k1", kim.id, ana.id), ("k2", kim.id, cy.id)]
    {
        db.add_invitation(&hash(code), by, now, week).expect("invite");
        assert_eq!(
            db.accept_invitation(&hash(code), athlete, now).expect("accept"),
            Acceptance::Linked { clinician: by }
        );
    }
    let state = |who: AccountId| db.dashboard_state(who, &VISITS, LOOK).expect("state");
    let ids = |who: AccountId| state(who).iter().map(|a| a.id).collect::<Vec<_>>();

    // Nothing looked at yet: the links, the names and the revisions the athletes' own stores report.
    let pats = state(pat.id);
    let revision = |id| db.athlete(id).expect("store").journal_revision().expect("revision");
    assert_eq!(
        pats,
        [
            DashboardAthlete {
                id: ana_id,
                account: ana.id,
                name: "Ana".into(),
                since: now,
                revision: revision(ana_id),
                last_visit: None,
                last_look: None
            },
            DashboardAthlete {
                id: ben_id,
                account: ben.id,
                name: "Ben".into(),
                since: now,
                revision: revision(ben_id),
                last_visit: None,
                last_look: None
            },
        ]
    );
    assert_eq!(ids(kim.id), [ana_id, cy_id], "Kim's athletes, never Ben");

    // The last visit is the newest of this clinician's visit actions; other actions and other clinicians' visits
    // do not count.
    let minute = |n: i64| now + SignedDuration::from_mins(n);
    let anas = db.athlete(ana_id).expect("ana's store");
    anas.add_audit(&entry(pat.id, "viewed-athlete", minute(1))).expect("audit");
    anas.add_audit(&entry(pat.id, "viewed-report", minute(2))).expect("audit");
    anas.add_audit(&entry(pat.id, "commented", minute(5))).expect("audit");
    anas.add_audit(&entry(pat.id, LOOK, minute(3))).expect("audit");
    anas.add_audit(&entry(kim.id, "viewed-athlete", minute(9))).expect("audit");
    let ana_row = state(pat.id).into_iter().find(|a| a.id == ana_id).expect("ana");
    assert_eq!((ana_row.last_visit, ana_row.last_look), (Some(minute(2)), Some(minute(3))));
    let kims_ana = state(kim.id).into_iter().find(|a| a.id == ana_id).expect("ana");
    assert_eq!((kims_ana.last_visit, kims_ana.last_look), (Some(minute(9)), None));

    // A change to Ben's journal moves his revision, and only his.
    let before = state(pat.id);
    db.athlete(ben_id).expect("ben's store").save_profile(&crate::fixtures::profile("Ben")).expect("profile");
    let after = state(pat.id);
    assert!(after[1].revision > before[1].revision, "Ben's revision grew");
    assert_eq!(after[0].revision, before[0].revision, "Ana's stays");

    // One batch of dashboard looks goes to each athlete's own log.
    db.add_audit_entries(&[(ana_id, entry(pat.id, LOOK, minute(20))), (ben_id, entry(pat.id, LOOK, minute(20)))])
        .expect("batch");
    assert!(state(pat.id).iter().all(|a| a.last_look == Some(minute(20))));
    let bens_log = db.athlete(ben_id).expect("ben's store").audit_log(now, minute(60)).expect("log");
    assert_eq!(bens_log.iter().map(|e| e.at).collect::<Vec<_>>(), [minute(20)], "Ben's log has his entry only");
    let cys_log = db.athlete(cy_id).expect("cy's store").audit_log(now, minute(60)).expect("log");
    assert!(cys_log.is_empty(), "nothing reached Cy's log");
    // A batch with one bad entry keeps none of them.
    let nobody = AthleteId::new(987_654);
    let bad =
        db.add_audit_entries(&[(cy_id, entry(kim.id, LOOK, minute(30))), (nobody, entry(kim.id, LOOK, minute(30)))]);
    assert!(bad.is_err(), "an entry for no athlete fails the batch");
    assert!(db.athlete(cy_id).expect("cy's store").audit_log(now, minute(60)).expect("log").is_empty(), "all or none");

    // Revoking ends the athlete's place on that dashboard at once; nobody else's changes.
    assert!(db.revoke_link(ana_id, pat.id).expect("revoke"));
    assert_eq!(ids(pat.id), [ben_id]);
    assert_eq!(ids(kim.id), [ana_id, cy_id]);
    // An athlete's account, or no account, follows nobody.
    assert!(state(ana.id).is_empty() && state(AccountId::new(424_242)).is_empty());
    let mut following = db.clinicians_following().expect("clinicians");
    following.sort();
    assert_eq!(following, [pat.id, kim.id]);
}

pub fn the_dashboard_version_moves_with_what_the_dashboard_shows_and_only_that<B: Backend>(backend: &B)
where
    B::Db: Accounts + Dashboards,
{
    let db = backend.fresh();
    let pat = db.create_account("pat@example.org", "Pat", Role::Clinician, Some(PHC)).expect("pat");
    let kim = db.create_account("kim@example.org", "Kim", Role::Clinician, Some(PHC)).expect("kim");
    let ana = db.create_account("ana@example.org", "Ana", Role::Athlete, Some(PHC)).expect("ana");
    let ben = db.create_account("ben@example.org", "Ben", Role::Athlete, Some(PHC)).expect("ben");
    let cy = db.create_account("cy@example.org", "Cy", Role::Athlete, Some(PHC)).expect("cy");
    let (ana_id, ben_id, cy_id) = (ana.athlete.expect("ana's"), ben.athlete.expect("ben's"), cy.athlete.expect("cy's"));
    let now = at("2026-12-01T10:00:00Z");
    let week = now + SignedDuration::from_hours(24 * 7);
    db.add_session(&hash("pat's session"), pat.id, now, week).expect("session");
    db.add_session(&hash("kim's session"), kim.id, now, week).expect("session");
    let versions = || {
        let read = (db.dashboard_version(pat.id).expect("pat's"), db.dashboard_version(kim.id).expect("kim's"));
        // The session look-up reads the same version with the session, for the kept dashboard of every request.
        let signed = |s: &str| db.signed_in(&hash(s), now).expect("look").expect("live").dashboard_version;
        assert_eq!((signed("pat's session"), signed("kim's session")), read, "the session look-up's version");
        read
    };
    assert_eq!(versions(), (0, 0), "nobody followed yet");

    // Each link made moves its clinician's version, and only theirs.
    let mut last = versions();
    for (code, by, athlete) in [("p1", pat.id, ana.id), ("p2", pat.id, ben.id), ("k1", kim.id, cy.id)] {
        db.add_invitation(&hash(code), by, now, week).expect("invite");
        db.accept_invitation(&hash(code), athlete, now).expect("accept");
        let next = versions();
        if by == pat.id {
            assert!(next.0 > last.0 && next.1 == last.1, "{code}: {last:?} -> {next:?}");
        } else {
            assert!(next.0 == last.0 && next.1 > last.1, "{code}: {last:?} -> {next:?}");
        }
        last = next;
    }
    // A write, then which clinicians' versions moved: (Pat's, Kim's).
    let mut moved = |what: &str, write: &dyn Fn()| {
        write();
        let next = versions();
        let out = (next.0 != last.0, next.1 != last.1);
        assert!(next.0 >= last.0 && next.1 >= last.1, "{what}: versions never go back");
        last = next;
        out
    };
    let store = |id| db.athlete(id).expect("store");
    let minute = |n: i64| now + SignedDuration::from_mins(n);

    // A followed athlete's journal: a profile, a red-flag screen, a pain report.
    assert_eq!(
        moved("Ana's profile", &|| store(ana_id).save_profile(&crate::fixtures::profile("Ana")).expect("p")),
        (true, false)
    );
    let screen = crate::fixtures::screening("2026-12-01T10:05:00Z", &["night-pain-that-wakes"]);
    assert_eq!(
        moved("Ben's screen", &|| {
            store(ben_id).add_screening(&screen).expect("screen");
        }),
        (true, false)
    );
    let pain = crate::fixtures::pain("2026-12-01T10:06:00Z", 7.0, None);
    assert_eq!(
        moved("Cy's pain", &|| {
            store(cy_id).add_pain_report(&pain).expect("pain");
        }),
        (false, true)
    );

    // This clinician's audit entries at athletes they follow (a visit, a dashboard look, a batch of looks).
    let visit = entry(pat.id, "viewed-athlete", minute(1));
    assert_eq!(moved("Pat visits Ana", &|| store(ana_id).add_audit(&visit).expect("audit")), (true, false));
    let look = entry(pat.id, "viewed-dashboard", minute(2));
    assert_eq!(moved("Pat's look at Ben", &|| store(ben_id).add_audit(&look).expect("audit")), (true, false));
    let looks = [
        (ana_id, entry(pat.id, "viewed-dashboard", minute(3))),
        (ben_id, entry(pat.id, "viewed-dashboard", minute(3))),
    ];
    assert_eq!(moved("Pat's looks", &|| db.add_audit_entries(&looks).expect("batch")), (true, false));
    // A dashboard's looks written together say the version just before and just after them: one move per look.
    let before = db.dashboard_version(pat.id).expect("pat's");
    let around = std::cell::Cell::new((0, 0));
    let more = [
        (ana_id, entry(pat.id, "viewed-dashboard", minute(4))),
        (ben_id, entry(pat.id, "viewed-dashboard", minute(4))),
    ];
    let write = || around.set(db.add_dashboard_looks(pat.id, &more).expect("looks"));
    assert_eq!(moved("Pat's dashboard looks", &write), (true, false));
    assert_eq!(around.get(), (before, before + 2), "the version around the two looks");
    let kims = entry(kim.id, "viewed-dashboard", minute(4));
    assert_eq!(
        moved("Kim's look at Cy", &|| db.add_audit_entries(&[(cy_id, kims.clone())]).expect("batch")),
        (false, true)
    );

    // Nothing moves for what the dashboards do not show: an athlete nobody follows, an entry by a clinician at an
    // athlete they do not follow, an athlete's own entry, another athlete's account made.
    let dee = db.create_account("dee@example.org", "Dee", Role::Athlete, Some(PHC)).expect("dee");
    let dee_id = dee.athlete.expect("dee's");
    assert_eq!(
        moved("Dee's profile", &|| store(dee_id).save_profile(&crate::fixtures::profile("Dee")).expect("p")),
        (false, false)
    );
    let stray = entry(kim.id, "viewed-athlete", minute(5));
    assert_eq!(moved("Kim's entry at Ana", &|| store(ana_id).add_audit(&stray).expect("audit")), (false, false));
    let own = entry(ana.id, "exported", minute(6));
    assert_eq!(moved("Ana's own entry", &|| store(ana_id).add_audit(&own).expect("audit")), (false, false));

    // A link ended, by the athlete revoking it or by deleting the account, moves that clinician's version only.
    assert_eq!(moved("Ana revokes Pat", &|| assert!(db.revoke_link(ana_id, pat.id).expect("revoke"))), (true, false));
    assert_eq!(
        moved("Ana's journal after", &|| store(ana_id).save_profile(&crate::fixtures::profile("A")).expect("p")),
        (false, false)
    );
    assert_eq!(moved("Ben's account deleted", &|| assert!(db.delete_account(ben.id).expect("delete"))), (true, false));
    assert_eq!(moved("Cy's account deleted", &|| assert!(db.delete_account(cy.id).expect("delete"))), (false, true));
}
