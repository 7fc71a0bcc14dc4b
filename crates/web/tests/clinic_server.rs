//! `runtall server`: accounts as people use them — the admin's code for the first clinician, invitations, sign-up,
//! sign-in by email, sessions that survive a restart and end everywhere at once, device tokens on the API, and
//! each athlete on their own records. (The route-by-route isolation suite is `isolation.rs`.)

#[macro_use]
mod clinic_support;

use axum::http::StatusCode;
use clinic_support::*;
use serde_json::json;

on_both!(
    a_clinician_invites_two_athletes_who_each_see_only_their_own_records,
    clinicians_get_404_on_athlete_pages_and_athletes_on_clinician_pages,
    sign_in_is_by_email_in_any_case_and_a_wrong_password_is_refused,
    sessions_survive_a_restart_and_sign_out_everywhere_ends_them_all,
    invitations_work_once_and_the_athlete_can_revoke_at_any_time,
    a_device_token_reaches_its_athletes_api_until_revoked,
    a_reset_code_sets_a_new_password_once_and_ends_other_sessions,
    an_athlete_exports_everything_and_deletes_the_account_with_the_password,
    expired_codes_and_sessions_do_not_work_and_the_servers_timer_purges_them,
);

/// Waits out the sign-in throttle's pause after a failed attempt.
async fn after_a_failure() {
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
}

async fn a_clinician_invites_two_athletes_who_each_see_only_their_own_records(clinic: Clinic) {
    let pat = clinic.clinician("pat@example.org", "Pat Physio").await;
    let ana = clinic.athlete(&clinic.invite(&pat).await, "ana@example.org", "Ana").await;
    let ben = clinic.athlete(&clinic.invite(&pat).await, "ben@example.org", "Ben").await;

    let list = clinic.get(&pat, "/clinic").await;
    assert!(list.has("Ana") && list.has("Ben"), "both athletes listed: {}", list.body);

    clinic.onboard(&ana).await;
    let r = clinic.api(&ana, "/api/profile", json!({ "name": "Ana Runner" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let state_a = clinic.get(&ana, "/api/state").await.json();
    let state_b = clinic.get(&ben, "/api/state").await.json();
    assert_eq!(state_a["profile"]["name"], "Ana Runner", "{state_a}");
    assert_ne!(state_b["profile"]["name"], "Ana Runner", "Ben does not see Ana's profile: {state_b}");
    assert_ne!(state_a["state"], state_b["state"], "Ana is screened, Ben is not: {state_a} {state_b}");
    // Ben's home sends him to his own first step, Ana's to her plan.
    assert_eq!(clinic.get(&ben, "/").await.location(), "/welcome");
    assert_eq!(clinic.get(&ana, "/").await.location(), "/today");

    // The records are in the database under each athlete.
    let ana_account = clinic.account("ana@example.org");
    let athlete = ana_account.athlete.expect("athlete");
    let profile = clinic.with_db(move |db| db.blocking_store(athlete, |s| s.profile())).expect("store");
    assert_eq!(profile.expect("read").expect("saved").name, "Ana Runner");
}

async fn clinicians_get_404_on_athlete_pages_and_athletes_on_clinician_pages(clinic: Clinic) {
    let pat = clinic.clinician("pat@example.org", "Pat").await;
    let ana = clinic.athlete(&clinic.invite(&pat).await, "ana@example.org", "Ana").await;
    for path in
        ["/today", "/plan", "/runs", "/api/state", "/api/pain", "/settings", "/export/journal.jsonl", "/devices"]
    {
        assert_eq!(clinic.get(&pat, path).await.status, StatusCode::NOT_FOUND, "clinician on {path}");
    }
    assert_eq!(clinic.get(&pat, "/").await.location(), "/clinic", "a clinician starts on their athletes");
    let r = clinic.api(&pat, "/api/pain", json!({ "region": "neck", "intensity": 3, "timing": "during" })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a clinician writes no athlete record of their own: {}", r.body);
    assert_eq!(clinic.get(&ana, "/clinic").await.status, StatusCode::NOT_FOUND);
    assert_eq!(clinic.form(&ana, "/clinic/invitations", &[]).await.status, StatusCode::NOT_FOUND);
    // Nobody signed in reaches neither.
    let nobody = clinic.visitor().await;
    assert_eq!(clinic.get(&nobody, "/clinic").await.location(), "/login?next=%2Fclinic");
    assert_eq!(clinic.get(&nobody, "/api/state").await.status, StatusCode::UNAUTHORIZED);
}

async fn sign_in_is_by_email_in_any_case_and_a_wrong_password_is_refused(clinic: Clinic) {
    let pat = clinic.clinician("pat@example.org", "Pat").await;
    clinic.athlete(&clinic.invite(&pat).await, "Ana@Example.org", "Ana").await;
    let again = clinic.sign_in("ana@EXAMPLE.org", PASSWORD).await.expect("signed in");
    assert_eq!(clinic.get(&again, "/api/state").await.status, StatusCode::OK);
    let wrong = clinic.sign_in("ana@example.org", "not the password").await.err().expect("refused");
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.has("do not match an account"), "{}", wrong.body);
    // The throttle asks a client to wait a second after a wrong password (all in-process requests are one client).
    after_a_failure().await;
    let unknown = clinic.sign_in("nobody@example.org", PASSWORD).await.err().expect("refused");
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert!(unknown.has("do not match an account"), "the same words for an unknown email");
    after_a_failure().await;
    // A clinician's sign-in lands on their athletes.
    let r = {
        let v = clinic.visitor().await;
        clinic.form(&v, "/login", &[("email", "pat@example.org"), ("password", PASSWORD), ("next", "/today")]).await
    };
    assert_eq!(r.location(), "/clinic");
}

async fn sessions_survive_a_restart_and_sign_out_everywhere_ends_them_all(clinic: Clinic) {
    let pat = clinic.clinician("pat@example.org", "Pat").await;
    let ana = clinic.athlete(&clinic.invite(&pat).await, "ana@example.org", "Ana").await;
    let phone = clinic.sign_in("ana@example.org", PASSWORD).await.expect("second device");

    // A new server process over the same database: the sessions still work.
    let clinic = clinic.restart();
    assert_eq!(clinic.get(&ana, "/api/state").await.status, StatusCode::OK, "kept across the restart");
    assert_eq!(clinic.get(&phone, "/api/state").await.status, StatusCode::OK);

    // Signing out ends that session only.
    let r = clinic.form(&phone, "/logout", &[]).await;
    assert_eq!(r.location(), "/login");
    assert_eq!(clinic.get(&phone, "/api/state").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(clinic.get(&ana, "/api/state").await.status, StatusCode::OK);

    let tablet = clinic.sign_in("ana@example.org", PASSWORD).await.expect("third device");
    let r = clinic.form(&ana, "/account/sign-out-everywhere", &[]).await;
    assert_eq!(r.location(), "/login");
    for who in [&ana, &tablet] {
        assert_eq!(clinic.get(who, "/api/state").await.status, StatusCode::UNAUTHORIZED, "ended everywhere");
    }
    assert_eq!(clinic.get(&pat, "/clinic").await.status, StatusCode::OK, "another account's session stays");
}

async fn invitations_work_once_and_the_athlete_can_revoke_at_any_time(clinic: Clinic) {
    let pat = clinic.clinician("pat@example.org", "Pat").await;
    let kim = clinic.clinician("kim@example.org", "Kim").await;
    let code = clinic.invite(&pat).await;
    let ana = clinic.athlete(&code, "ana@example.org", "Ana").await;

    // The same code does not make a second account.
    let v = clinic.visitor().await;
    let r = clinic
        .form(&v, "/signup", &[("code", &code), ("name", "Eve"), ("email", "eve@example.org"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("does not work"), "{}", r.body);
    assert!(clinic.sign_in("eve@example.org", PASSWORD).await.is_err(), "no account was left behind");

    // Ana accepts Kim's invitation from her account page too.
    let r = clinic.form(&ana, "/account/invitations", &[("code", &clinic.invite(&kim).await)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let account = clinic.get(&ana, "/account").await;
    assert!(account.has("Pat") && account.has("Kim"), "{}", account.body);
    assert!(clinic.get(&kim, "/clinic").await.has("Ana"));

    // She stops sharing with Pat: Pat's list no longer has her, Kim's still does.
    let pat_account = clinic.account("pat@example.org");
    let r = clinic.form(&ana, &format!("/account/clinicians/{}/revoke", pat_account.id), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!clinic.get(&pat, "/clinic").await.has("Ana"), "revoked at once");
    assert!(clinic.get(&kim, "/clinic").await.has("Ana"));
    let again = clinic.form(&ana, &format!("/account/clinicians/{}/revoke", pat_account.id), &[]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "nothing left to revoke");
}

async fn a_device_token_reaches_its_athletes_api_until_revoked(clinic: Clinic) {
    let pat = clinic.clinician("pat@example.org", "Pat").await;
    let ana = clinic.athlete(&clinic.invite(&pat).await, "ana@example.org", "Ana").await;
    let ben = clinic.athlete(&clinic.invite(&pat).await, "ben@example.org", "Ben").await;
    clinic.api(&ana, "/api/profile", json!({ "name": "Ana Runner" })).await;

    let made = clinic.form(&ana, "/devices", &[("name", "laptop")]).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let token = made.token();
    let device = Client { bearer: Some(token.clone()), ..Client::default() };
    let state = clinic.get(&device, "/api/state").await;
    assert_eq!(state.status, StatusCode::OK, "{}", state.body);
    assert_eq!(state.json()["profile"]["name"], "Ana Runner", "the token reaches Ana's records");
    // No CSRF token needed with a bearer token (no cookie a browser would send on its own).
    let r = clinic.api(&device, "/api/profile", json!({ "name": "Ana From Laptop" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(clinic.get(&ana, "/api/state").await.json()["profile"]["name"], "Ana From Laptop");
    // Only the API: pages want a browser session.
    assert_eq!(clinic.get(&device, "/today").await.location(), "/login?next=%2Ftoday");

    let page = clinic.get(&ana, "/devices").await;
    assert!(page.has("laptop") && !page.has(&token), "listed, the token never shown again");
    let ana_account = clinic.account("ana@example.org");
    let devices = clinic.with_db(move |db| db.blocking_accounts(|a| a.devices(ana_account.id)));
    let id = devices.expect("accounts").expect("devices")[0].id;
    assert_eq!(clinic.form(&ben, &format!("/devices/{id}/revoke"), &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(clinic.get(&device, "/api/state").await.status, StatusCode::OK, "Ben cannot revoke Ana's device");
    assert_eq!(clinic.form(&ana, &format!("/devices/{id}/revoke"), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(clinic.get(&device, "/api/state").await.status, StatusCode::UNAUTHORIZED, "revoked at once");
    let wrong = Client { bearer: Some("0".repeat(64)), ..Client::default() };
    assert_eq!(clinic.get(&wrong, "/api/state").await.status, StatusCode::UNAUTHORIZED);
}

async fn a_reset_code_sets_a_new_password_once_and_ends_other_sessions(clinic: Clinic) {
    let pat = clinic.clinician("pat@example.org", "Pat").await;
    let ana = clinic.athlete(&clinic.invite(&pat).await, "ana@example.org", "Ana").await;
    let code = clinic.with_db(|db| runtall_web::admin::reset_code(db, "ANA@example.org")).expect("code");
    let missing = clinic.with_db(|db| runtall_web::admin::reset_code(db, "nobody@example.org"));
    assert!(missing.is_err(), "names a missing account");

    let v = clinic.visitor().await;
    let r = clinic.form(&v, "/reset", &[("step", "set"), ("code", &code), ("password", "the new password")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(clinic.get(&ana, "/api/state").await.status, StatusCode::UNAUTHORIZED, "old sessions ended");
    assert!(clinic.sign_in("ana@example.org", PASSWORD).await.is_err(), "the old password is gone");
    after_a_failure().await;
    assert!(clinic.sign_in("ana@example.org", "the new password").await.is_ok());

    let v = clinic.visitor().await;
    let r = clinic.form(&v, "/reset", &[("step", "set"), ("code", &code), ("password", "yet another one")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "single use");
    // Asking on the page answers the same whether the email exists or not.
    let v = clinic.visitor().await;
    let known = clinic.form(&v, "/reset", &[("step", "ask"), ("email", "ana@example.org")]).await;
    // Asking counts against the throttle like a wrong password, so the log and the table cannot be flooded.
    let v = clinic.visitor().await;
    let at_once = clinic.form(&v, "/reset", &[("step", "ask"), ("email", "ana@example.org")]).await;
    assert_eq!(at_once.status, StatusCode::TOO_MANY_REQUESTS);
    after_a_failure().await;
    let v = clinic.visitor().await;
    let unknown = clinic.form(&v, "/reset", &[("step", "ask"), ("email", "zed@example.org")]).await;
    assert_eq!((known.status, unknown.status), (StatusCode::OK, StatusCode::OK));
    assert!(known.has("If that email has an account") && unknown.has("If that email has an account"));
}

#[tokio::test]
async fn the_one_runner_app_has_no_account_pages() {
    let dir = tempfile::tempdir().expect("dir");
    let db = runtall_web::Db::open(&dir.path().join("r.db")).expect("db");
    let clinic = Clinic::over(db, dir, None);
    let me = {
        let r = clinic.get(&Client::default(), "/api/session").await;
        let cookie = r.headers.get("set-cookie").and_then(|v| v.to_str().ok()).expect("cookie");
        Client {
            cookie: cookie.split(';').next().expect("pair").to_string(),
            csrf: r.json()["csrf_token"].as_str().expect("csrf").into(),
            bearer: None,
        }
    };
    for path in ["/clinic", "/account", "/devices", "/signup", "/reset"] {
        assert_eq!(clinic.get(&me, path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let device = Client { bearer: Some("0".repeat(64)), ..me.clone() };
    assert_eq!(clinic.get(&device, "/api/state").await.status, StatusCode::OK, "a bearer header means nothing here");
}

async fn an_athlete_exports_everything_and_deletes_the_account_with_the_password(clinic: Clinic) {
    let pat = clinic.clinician("pat@example.org", "Pat").await;
    let ana = clinic.athlete(&clinic.invite(&pat).await, "ana@example.org", "Ana").await;
    let ben = clinic.athlete(&clinic.invite(&pat).await, "ben@example.org", "Ben").await;
    let pain = json!({ "region": "neck", "intensity": 4, "timing": "at-desk", "notes": "ana-marker" });
    assert_eq!(clinic.api(&ana, "/api/pain", pain).await.status, StatusCode::OK);
    let device = clinic.form(&ana, "/devices", &[("name", "laptop")]).await.token();

    let export = clinic.get(&ana, "/export/journal.jsonl").await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(export.has("ana-marker"), "her journal holds her report: {}", export.body);
    assert!(!clinic.get(&ben, "/export/journal.jsonl").await.has("ana-marker"), "and only hers");

    let wrong = clinic.form(&ana, "/account/delete", &[("password", "not it")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.has("nothing was deleted"));
    assert!(clinic.get(&ana, "/export/journal.jsonl").await.has("ana-marker"), "still there");
    after_a_failure().await;

    let athlete = clinic.account("ana@example.org").athlete.expect("athlete");
    let r = clinic.form(&ana, "/account/delete", &[("password", PASSWORD)]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/login"), "{}", r.body);
    assert_eq!(clinic.get(&ana, "/api/state").await.status, StatusCode::UNAUTHORIZED, "signed out");
    let token = Client { bearer: Some(device), ..Client::default() };
    assert_eq!(clinic.get(&token, "/api/state").await.status, StatusCode::UNAUTHORIZED, "devices revoked");
    assert!(clinic.sign_in("ana@example.org", PASSWORD).await.is_err(), "no account to sign in to");
    assert!(!clinic.get(&pat, "/clinic").await.has("Ana"), "the clinician's access ended");
    let left = clinic.with_db(move |db| {
        db.blocking_store(athlete, |s| {
            (s.holds_real_data(), s.pain_reports(jiff::Timestamp::MIN, jiff::Timestamp::MAX))
        })
    });
    let (real, reports) = left.expect("the nameless athlete row stays");
    assert!(!real.expect("read") && reports.expect("read").is_empty(), "every record deleted");
    assert!(clinic.get(&ben, "/api/state").await.status == StatusCode::OK, "other athletes untouched");
    let ben_pain = clinic.get(&ben, "/api/pain").await;
    assert_eq!(ben_pain.status, StatusCode::OK);
}

async fn expired_codes_and_sessions_do_not_work_and_the_servers_timer_purges_them(clinic: Clinic) {
    use jiff::{SignedDuration, Timestamp};
    use runtall_web::principal::hash_secret;
    let pat = clinic.clinician("pat@example.org", "Pat").await;
    let ana = clinic.athlete(&clinic.invite(&pat).await, "ana@example.org", "Ana").await;
    let ana_id = clinic.account("ana@example.org").id;
    let pat_id = clinic.account("pat@example.org").id;
    let then = Timestamp::now() - SignedDuration::from_hours(2);
    let expired = Timestamp::now() - SignedDuration::from_mins(1);
    let (old_code, old_session, old_invite) = ("an expired reset code", "e".repeat(64), "an expired invitation");
    let (session_hash, code_hash) = (hash_secret(&old_session), hash_secret(old_code));
    let (s, c, i) = (session_hash.clone(), code_hash.clone(), hash_secret(old_invite));
    clinic
        .with_db(move |db| {
            db.blocking_accounts(|a| {
                a.add_session(&s, ana_id, then, expired)?;
                a.add_reset_code(&c, ana_id, expired)?;
                a.add_invitation(&i, pat_id, then, expired)
            })
        })
        .expect("database")
        .expect("expired secrets stored");

    // Expired is refused before any purge.
    let v = clinic.visitor().await;
    let r =
        clinic.form(&v, "/reset", &[("step", "set"), ("code", old_code), ("password", "a brand new password")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "an expired code sets no password");
    let stale = Client { cookie: format!("runtall_session=a.{old_session}"), ..Client::default() };
    assert_eq!(clinic.get(&stale, "/api/state").await.status, StatusCode::UNAUTHORIZED, "an expired session");

    // The server's timer (every 50 ms here, hourly in `runtall server`) deletes them. Whether a row is still there
    // is asked with a clock turned back to before its expiry, when it would still be valid.
    let timer = runtall_web::housekeeping::spawn(clinic.db.clone(), std::time::Duration::from_millis(50));
    let mut gone = false;
    for _ in 0..200 {
        let h = session_hash.clone();
        let there = clinic.with_db(move |db| db.blocking_accounts(|a| a.session(&h, then))).expect("db").expect("look");
        if there.is_none() {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    timer.abort();
    assert!(gone, "the expired session was purged by the timer");
    let c = code_hash.clone();
    let code = clinic.with_db(move |db| db.blocking_accounts(|a| a.use_reset_code(&c, then))).expect("db");
    assert_eq!(code.expect("look"), None, "the expired reset code is gone");
    let i = hash_secret(old_invite);
    let invite = clinic.with_db(move |db| db.blocking_accounts(|a| a.accept_invitation(&i, ana_id, then))).expect("db");
    assert_eq!(invite.expect("look"), runtall_store::accounts::Acceptance::Invalid, "the expired invitation is gone");
    // What is live stays.
    assert_eq!(clinic.get(&ana, "/api/state").await.status, StatusCode::OK, "a live session survives the purge");
    assert_eq!(clinic.get(&pat, "/clinic").await.status, StatusCode::OK);
}
