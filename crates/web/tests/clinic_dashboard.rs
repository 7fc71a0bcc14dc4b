//! The clinician's dashboard read in one statement with attention kept in memory: a change to an athlete's journal
//! shows on the next dashboard all the same, another clinician's athletes never appear, the hourly look reaches
//! each athlete's audit log once, and the work done ahead of the dashboard (`attention_warming`) computes only
//! what went stale. A dashboard shown again from memory (nothing it is made from changed) still shows a red flag or
//! a revoked link on the very next view, whoever wrote it. On SQLite and on PostgreSQL.

#[macro_use]
mod clinic_support;

use axum::http::StatusCode;
use clinic_support::*;
use jiff::{SignedDuration, Timestamp};
use runtall_store::AthleteId;
use runtall_web::attention_warming::warm_once;
use serde_json::Value;

on_both!(
    a_journal_change_shows_on_the_next_dashboard,
    another_clinicians_athletes_are_never_on_the_dashboard,
    warming_computes_each_followed_athlete_once_and_then_only_what_changed,
    a_red_flag_the_athlete_logs_is_on_the_clinicians_very_next_dashboard,
    a_revoked_link_leaves_the_dashboard_at_once,
);

fn names(rows: &[(String, i64, Value)]) -> Vec<&str> {
    rows.iter().map(|r| r.0.as_str()).collect()
}

fn id_of(rows: &[(String, i64, Value)], name: &str) -> i64 {
    rows.iter().find(|r| r.0 == name).map(|r| r.1).unwrap_or_else(|| panic!("{name} not on the dashboard"))
}

/// Writes to one athlete's journal through their store, off the test's runtime.
fn journal(clinic: &Clinic, athlete: i64, f: impl FnOnce(&dyn runtall_store::Store) + Send + 'static) {
    clinic.with_db(move |db| db.blocking_store(AthleteId::new(athlete), f).expect("store"));
}

/// Ten days of pain at `intensity` (the example assessment's baseline is 5).
fn pain_days(clinic: &Clinic, athlete: i64, intensity: f64) {
    journal(clinic, athlete, move |s| {
        for d in 1..=10 {
            let at = (Timestamp::now() - SignedDuration::from_hours(24 * d)).to_string();
            s.add_pain_report(&runtall_store_tests::fixtures::pain(&at, intensity, None)).expect("pain");
        }
    });
}

/// A red-flag screen taken now.
fn red_flag(clinic: &Clinic, athlete: i64) {
    journal(clinic, athlete, |s| {
        let at = Timestamp::now().to_string();
        s.add_screening(&runtall_store_tests::fixtures::screening(&at, &["night-pain-that-wakes"])).expect("screen");
    });
}

/// Athletes who accept this clinician's invitations, all made before anyone accepts (making one shows the
/// dashboard, which would already keep the attention of those who accepted).
async fn athletes(clinic: &Clinic, clinician: &Client, names: &[&str]) -> Vec<Client> {
    let mut codes = Vec::new();
    for _ in names {
        codes.push(clinic.invite(clinician).await);
    }
    let mut out = Vec::new();
    for (name, code) in names.iter().zip(codes) {
        let who = clinic.athlete(&code, &format!("{}@example.org", name.to_lowercase()), name).await;
        clinic.onboard(&who).await;
        out.push(who);
    }
    out
}

async fn a_journal_change_shows_on_the_next_dashboard(clinic: Clinic) {
    let pat = clinic.clinician("pat@example.org", "Pat Physio").await;
    athletes(&clinic, &pat, &["Ana", "Ben"]).await;
    let rows = dashboard(&clinic, &pat).await;
    assert!(rows.iter().all(|r| r.2["attention"]["reasons"] == serde_json::json!([])), "nothing yet: {rows:?}");
    let (ana, ben) = (id_of(&rows, "Ana"), id_of(&rows, "Ben"));
    // Both athletes' attention is kept now; the same dashboard again is the same.
    assert_eq!(dashboard(&clinic, &pat).await, rows);

    // Ben's pain worsens: his revision moves, so the kept answer no longer counts.
    pain_days(&clinic, ana, 2.0);
    pain_days(&clinic, ben, 8.0);
    let rows = dashboard(&clinic, &pat).await;
    assert_eq!(names(&rows), ["Ben", "Ana"]);
    let reason = rows[0].2["attention"]["reasons"][0]["text"].as_str().expect("reason");
    assert!(reason.starts_with("Pain meaningfully worse"), "{reason}");

    // A red flag for Ana puts her first at once.
    red_flag(&clinic, ana);
    let rows = dashboard(&clinic, &pat).await;
    assert_eq!(names(&rows), ["Ana", "Ben"]);
    assert_eq!(rows[0].2["attention"]["level"], "urgent", "{}", rows[0].2);
    // Pat opens Ana's page: the flag is seen, and her row says so ("since" moved with the visit).
    assert_eq!(clinic.get(&pat, &format!("/clinic/athletes/{ana}")).await.status, StatusCode::OK);
    let rows = dashboard(&clinic, &pat).await;
    let anas = rows.iter().find(|r| r.0 == "Ana").expect("Ana");
    assert_ne!(anas.2["attention"]["level"], "urgent", "the flag was seen at the visit: {}", anas.2);
    assert!(anas.2["last_visit"].is_string(), "{}", anas.2);

    // Every dashboard within the hour wrote one look to each athlete's log, Ben's included.
    for id in [ana, ben] {
        let looks = clinic.with_db(move |db| {
            db.blocking_store(AthleteId::new(id), |s| {
                let log = s.audit_log(Timestamp::now() - SignedDuration::from_hours(1), Timestamp::now()).expect("log");
                log.iter().filter(|e| e.action == "viewed-dashboard").count()
            })
            .expect("store")
        });
        assert_eq!(looks, 1, "athlete {id}: one dashboard look this hour");
    }
}

async fn another_clinicians_athletes_are_never_on_the_dashboard(clinic: Clinic) {
    let pat = clinic.clinician("pat@example.org", "Pat Physio").await;
    let kim = clinic.clinician("kim@example.org", "Kim Coach").await;
    let ana = athletes(&clinic, &pat, &["Ana", "Ben"]).await.remove(0);
    athletes(&clinic, &kim, &["Cy"]).await;
    assert_eq!(names(&dashboard(&clinic, &pat).await), ["Ana", "Ben"]);
    assert_eq!(names(&dashboard(&clinic, &kim).await), ["Cy"]);

    // Ana also accepts Kim: on both dashboards now, each with their own last visit.
    let code = clinic.invite(&kim).await;
    let r = clinic.form(&ana, "/account/invitations", &[("code", &code)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let kims = dashboard(&clinic, &kim).await;
    assert_eq!(names(&kims), ["Ana", "Cy"]);
    let anas = id_of(&kims, "Ana");
    assert_eq!(clinic.get(&pat, &format!("/clinic/athletes/{anas}")).await.status, StatusCode::OK);
    assert!(dashboard(&clinic, &pat).await.iter().any(|r| r.0 == "Ana" && r.2["last_visit"].is_string()));
    assert!(dashboard(&clinic, &kim).await.iter().any(|r| r.0 == "Ana" && r.2["last_visit"].is_null()), "Pat's");

    // Ana revokes Pat: gone from Pat's dashboard at once (kept attention or not), still on Kim's.
    let pat_account = clinic.account("pat@example.org").id;
    let r = clinic.form(&ana, &format!("/account/clinicians/{pat_account}/revoke"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(names(&dashboard(&clinic, &pat).await), ["Ben"]);
    assert_eq!(names(&dashboard(&clinic, &kim).await), ["Ana", "Cy"]);
    // Athletes have no dashboard.
    assert_eq!(clinic.get(&ana, "/api/clinic/dashboard").await.status, StatusCode::NOT_FOUND);
}

async fn warming_computes_each_followed_athlete_once_and_then_only_what_changed(clinic: Clinic) {
    let warm = |clinic: &Clinic| {
        let state = clinic.state.clone();
        off_runtime(move || warm_once(&state)).expect("warm")
    };
    let pat = clinic.clinician("pat@example.org", "Pat Physio").await;
    let kim = clinic.clinician("kim@example.org", "Kim Coach").await;
    athletes(&clinic, &pat, &["Ana", "Ben"]).await;
    athletes(&clinic, &kim, &["Cy"]).await;

    let first = warm(&clinic);
    assert_eq!((first.links, first.computed, first.failed), (3, 3, 0), "{first:?}");
    // Each athlete's page for their clinician is gathered ahead too.
    assert_eq!(first.pages, 3, "{first:?}");
    let again = warm(&clinic);
    assert_eq!((again.links, again.computed, again.pages), (3, 0, 0), "nothing changed: {again:?}");
    // The dashboard serves what was warmed, and leaves nothing stale behind.
    let rows = dashboard(&clinic, &pat).await;
    assert_eq!(names(&rows), ["Ana", "Ben"]);
    assert_eq!(warm(&clinic).computed, 0);

    // A change to Ben's journal: the next pass computes Ben alone, and the dashboard then shows it.
    pain_days(&clinic, id_of(&rows, "Ben"), 8.0);
    let after = warm(&clinic);
    assert_eq!((after.computed, after.pages), (1, 1), "{after:?}");
    assert_eq!(names(&dashboard(&clinic, &pat).await), ["Ben", "Ana"]);
    // A visit moves "since" for Pat's view of Ana only.
    let ana = id_of(&rows, "Ana");
    assert_eq!(clinic.get(&pat, &format!("/clinic/athletes/{ana}")).await.status, StatusCode::OK);
    // A visit writes only to the audit log: Ana's page still holds.
    let visited = warm(&clinic);
    assert_eq!((visited.computed, visited.pages), (1, 0), "{visited:?}");
}

/// The clinician's dashboard page, and the athletes on it in their order.
async fn page(clinic: &Clinic, who: &Client) -> (String, Vec<String>) {
    let r = clinic.get(who, "/clinic").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let names = r
        .body
        .split("<li class=\"dashboard-row\">")
        .skip(1)
        .map(|row| {
            let name = row.split("<strong>").nth(1).and_then(|s| s.split("</strong>").next()).expect("a name");
            name.to_string()
        })
        .collect();
    (r.body, names)
}

/// The dashboard viewed until it is kept and shown from memory (the first view writes the hourly looks).
async fn seen_a_few_times(clinic: &Clinic, who: &Client) -> String {
    let (first, _) = page(clinic, who).await;
    for _ in 0..3 {
        assert_eq!(page(clinic, who).await.0, first, "nothing changed, the same page");
    }
    first
}

async fn a_red_flag_the_athlete_logs_is_on_the_clinicians_very_next_dashboard(clinic: Clinic) {
    let pat = clinic.clinician("pat@example.org", "Pat Physio").await;
    let who = athletes(&clinic, &pat, &["Ana", "Ben", "Cy"]).await;
    let before = seen_a_few_times(&clinic, &pat).await;
    assert!(!before.contains("level-urgent"), "nobody urgent yet");
    assert_eq!(page(&clinic, &pat).await.1, ["Ana", "Ben", "Cy"]);

    // Cy answers yes to a red-flag question on the screen.
    let r = clinic
        .api(&who[2], "/api/screen", serde_json::json!({ "yes": ["night-pain-that-wakes"], "others": "no" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (body, names) = page(&clinic, &pat).await;
    assert_eq!(names, ["Cy", "Ana", "Ben"], "the very next dashboard puts Cy first");
    assert!(body.contains("level-urgent"), "and says it is urgent");
    let rows = dashboard(&clinic, &pat).await;
    assert_eq!((rows[0].0.as_str(), &rows[0].2["attention"]["level"]), ("Cy", &serde_json::json!("urgent")));

    // Kept again, then a flag written by another program on the same database (the CLI, a sync): the same.
    seen_a_few_times(&clinic, &pat).await;
    red_flag(&clinic, id_of(&rows, "Ben"));
    assert_eq!(page(&clinic, &pat).await.1[..2], ["Ben", "Cy"], "two urgent now, by name");
}

async fn a_revoked_link_leaves_the_dashboard_at_once(clinic: Clinic) {
    let pat = clinic.clinician("pat@example.org", "Pat Physio").await;
    let who = athletes(&clinic, &pat, &["Ana", "Ben", "Cy"]).await;
    seen_a_few_times(&clinic, &pat).await;
    let rows = dashboard(&clinic, &pat).await;

    // Ana revokes Pat on her account page: gone from the very next dashboard, page and data alike.
    let pat_account = clinic.account("pat@example.org").id;
    let r = clinic.form(&who[0], &format!("/account/clinicians/{pat_account}/revoke"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(page(&clinic, &pat).await.1, ["Ben", "Cy"]);
    assert_eq!(names(&dashboard(&clinic, &pat).await), ["Ben", "Cy"]);

    // Kept again, then Ben's link ended by another program on the same database: gone at once too.
    seen_a_few_times(&clinic, &pat).await;
    let ben = AthleteId::new(id_of(&rows, "Ben"));
    let revoked = clinic.with_db(move |db| db.blocking_accounts(|a| a.revoke_link(ben, pat_account)).expect("db"));
    assert!(revoked.expect("revoke"));
    assert_eq!(page(&clinic, &pat).await.1, ["Cy"]);
}
