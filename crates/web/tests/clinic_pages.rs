//! The clinician's pages on `runtall server`: the dashboard puts the athlete who needs a look first with the
//! reason, an adjusted dose reaches the athlete's Today, the safety gate wins over a clinician's change, comments
//! reach the athlete, and every look is in the athlete's audit log — while another clinician and the athletes get
//! 404.

mod clinic_support;

use axum::http::StatusCode;
use clinic_support::*;
use jiff::{SignedDuration, Timestamp};
use runtall_domain::assess::{Region, Score};
use runtall_domain::journal::{PainReport, PainTiming};
use runtall_store::AthleteId;
use serde_json::{Value, json};

/// Ten days of pain at `intensity` (the example assessment's baseline is 5), as the athlete's journal holds it.
fn pain_days(clinic: &Clinic, athlete: i64, intensity: f64) {
    clinic
        .db
        .blocking_store(AthleteId::new(athlete), |s| {
            for d in 1..=10 {
                let report = PainReport {
                    id: None,
                    at: Timestamp::now() - SignedDuration::from_hours(24 * d),
                    timing: PainTiming::RightAfter,
                    region: Region::Neck,
                    intensity: Score::new(intensity).expect("score"),
                    run_id: None,
                    notes: None,
                };
                s.add_pain_report(&report).expect("pain");
            }
        })
        .expect("store");
}

async fn two_athletes(clinic: &Clinic, pat: &Client) -> (Client, Client) {
    let ana = clinic.athlete(&clinic.invite(pat).await, "ana@example.org", "Ana").await;
    let ben = clinic.athlete(&clinic.invite(pat).await, "ben@example.org", "Ben").await;
    clinic.onboard(&ana).await;
    clinic.onboard(&ben).await;
    (ana, ben)
}

#[tokio::test]
async fn the_dashboard_puts_the_worsening_athlete_first_with_the_reason() {
    let clinic = Clinic::new();
    let pat = clinic.clinician("pat@example.org", "Pat Physio").await;
    let _ = two_athletes(&clinic, &pat).await;
    let rows = dashboard(&clinic, &pat).await;
    let id = |name: &str| rows.iter().find(|r| r.0 == name).map(|r| r.1).expect("listed");
    let (ana, ben) = (id("Ana"), id("Ben"));
    pain_days(&clinic, ana, 2.0);
    pain_days(&clinic, ben, 8.0);

    let rows = dashboard(&clinic, &pat).await;
    assert_eq!(rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["Ben", "Ana"]);
    let ben_row = &rows[0].2;
    assert_eq!(ben_row["attention"]["level"], "soon", "{ben_row}");
    let reason = ben_row["attention"]["reasons"][0]["text"].as_str().expect("reason");
    assert!(reason.starts_with("Pain meaningfully worse") && reason.contains("8.0"), "{reason}");
    assert_eq!(rows[1].2["attention"]["reasons"], json!([]), "the improving athlete is not flagged");

    let page = clinic.get(&pat, "/clinic").await;
    assert_eq!(page.status, StatusCode::OK);
    let (b, a) = (page.body.find(">Ben<").expect("Ben"), page.body.find(">Ana<").expect("Ana"));
    assert!(b < a, "Ben is listed before Ana");
    assert!(page.has("Pain meaningfully worse") && page.has("Nothing needs a look now."));
}

#[tokio::test]
async fn an_adjusted_dose_and_a_note_reach_the_athletes_today_and_every_look_is_audited() {
    let clinic = Clinic::new();
    let pat = clinic.clinician("pat@example.org", "Pat Physio").await;
    let (ana, _ben) = two_athletes(&clinic, &pat).await;
    let id = dashboard(&clinic, &pat).await.iter().find(|r| r.0 == "Ana").map(|r| r.1).expect("Ana");
    assert!(clinic.get(&ana, "/today?run=easy").await.has("Chin tuck</a> — 1 × 5, hold 10 s"));

    let page = clinic.get(&pat, &format!("/clinic/athletes/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.has("Trends") && page.has("Pain and weekly distance") && page.has("Latest runs") && page.has("Set a dose")
    );
    assert!(!page.has("href=\"/insights") && !page.has("href=\"/runs/"), "no links to the athlete's own pages");
    let path = format!("/clinic/athletes/{id}/program");
    let pairs = [("kind", "dose"), ("exercise", "chin-tuck"), ("sets", "2"), ("reps", "8"), ("note", "slowly")];
    let r = clinic.form(&pat, &path, &pairs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = clinic.form(&pat, &path, &[("kind", "note"), ("text", "Easy week before the race")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let today = clinic.get(&ana, "/today?run=easy").await;
    assert!(today.has("Chin tuck</a> — 2 × 8, hold 10 s"), "the adjusted dose on Today");
    assert!(today.has("Dose set by Pat Physio: slowly") && today.has("Easy week before the race"));
    let page = clinic.get(&pat, &format!("/clinic/athletes/{id}")).await;
    assert!(page.has("2 × 8") && page.has("set the dose of Chin tuck: 2 sets, 8 reps (slowly)"), "the history");

    dashboard(&clinic, &pat).await;
    // Withdrawing the note takes it off Today; the dose stays, and an unknown key is refused.
    let view = clinic.get(&pat, &format!("/api/clinic/athletes/{id}")).await.json();
    let note_key = view["clinician"]["note"]["key"].as_str().expect("the note in force").to_string();
    let r = clinic.form(&pat, &path, &[("kind", "retire"), ("key", &note_key)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let today = clinic.get(&ana, "/today?run=easy").await;
    assert!(!today.has("Easy week before the race") && today.has("2 × 8"), "the note is withdrawn, the dose stays");
    let r = clinic.form(&pat, &path, &[("kind", "retire"), ("key", "pc-no-such")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    let audit = clinic.get(&ana, "/api/settings/audit").await.json();
    let actions: Vec<&str> = audit.as_array().expect("log").iter().filter_map(|e| e["action"].as_str()).collect();
    for action in ["viewed-dashboard", "viewed-athlete", "changed-program"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    let looks = actions.iter().filter(|a| **a == "viewed-dashboard").count();
    assert_eq!(looks, 1, "the dashboard opened twice within the hour is one line of the log: {actions:?}");
    assert!(audit.as_array().expect("log").iter().all(|e| e["actor_name"] == "Pat Physio"));
    let page = clinic.get(&ana, "/settings/audit").await;
    assert!(page.has("Pat Physio") && page.has("set the dose of Chin tuck"));
}

#[tokio::test]
async fn the_safety_gate_wins_over_the_clinician_and_says_why() {
    let clinic = Clinic::new();
    let pat = clinic.clinician("pat@example.org", "Pat Physio").await;
    let (ana, _ben) = two_athletes(&clinic, &pat).await;
    let id = dashboard(&clinic, &pat).await.iter().find(|r| r.0 == "Ana").map(|r| r.1).expect("Ana");
    // A level C answer: the reduced program leaves some exercises out.
    let flags = clinic.get(&ana, "/api/screen/questions").await.json();
    let c = flags["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .find(|f| f["level"] == "C")
        .and_then(|f| f["id"].as_str())
        .expect("a level C question")
        .to_string();
    let r = clinic.api(&ana, "/api/screen", json!({ "yes": [c], "others": "no" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let held = clinic.get(&ana, "/api/safety").await.json()["exercises"]
        .as_array()
        .expect("exercises")
        .iter()
        .find(|e| e["verdict"] == "left-out")
        .and_then(|e| e["id"].as_str())
        .expect("held back")
        .to_string();

    let body = json!({ "change": { "kind": "exercise-on", "exercise": held } });
    let r = clinic.api(&pat, &format!("/api/clinic/athletes/{id}/program"), body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let out = r.json();
    assert_eq!(out["new"], true);
    assert!(out["refused"].as_str().is_some_and(|m| m.contains("safety check")), "{out}");
    let plan = clinic.get(&ana, "/api/plan").await.json();
    assert!(!plan["plan"]["items"].as_array().expect("items").iter().any(|i| i["id"] == held.as_str()));
    let page = clinic.get(&pat, &format!("/clinic/athletes/{id}")).await;
    assert!(page.has("Not applied as asked"), "the clinician sees the refusal on the page");

    let body = json!({ "change": { "kind": "dose", "exercise": "chin-tuck", "dose": { "sets": 50, "reps": 100 } } });
    let out = clinic.api(&pat, &format!("/api/clinic/athletes/{id}/program"), body).await.json();
    assert!(out["capped"].as_str().is_some_and(|m| m.contains("limits")), "{out}");
    let body = json!({ "change": { "kind": "exercise-off", "exercise": "no-such" } });
    let r = clinic.api(&pat, &format!("/api/clinic/athletes/{id}/program"), body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

#[tokio::test]
async fn comments_reach_the_athlete_on_the_run_and_the_report() {
    let clinic = Clinic::new();
    let pat = clinic.clinician("pat@example.org", "Pat Physio").await;
    let (ana, _ben) = two_athletes(&clinic, &pat).await;
    let id = dashboard(&clinic, &pat).await.iter().find(|r| r.0 == "Ana").map(|r| r.1).expect("Ana");
    let run = clinic
        .db
        .blocking_store(AthleteId::new(id), |s| {
            let a = runtall_store_tests::fixtures::run("2026-11-02T07:00:00Z", 40.0, 8.0, "ana-run");
            match s.add_activity(&a, None).expect("run") {
                runtall_store::AddOutcome::Added { id } => id,
                other => panic!("{other:?}"),
            }
        })
        .expect("store");
    let r = clinic
        .form(
            &pat,
            &format!("/clinic/athletes/{id}/comments"),
            &[("on", "run"), ("target", &run.to_string()), ("text", "Even pace, well done")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let report = clinic.get(&pat, &format!("/clinic/athletes/{id}/report")).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let week = jiff::Zoned::now().date().to_string();
    let r = clinic
        .api(&pat, &format!("/api/clinic/athletes/{id}/comments"), json!({ "week": week, "text": "Pain settling" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    assert!(clinic.get(&ana, &format!("/runs/{run}")).await.has("Even pace, well done"));
    assert!(clinic.get(&ana, "/report").await.has("Pain settling"));
    let api = clinic.get(&pat, &format!("/api/clinic/athletes/{id}/report")).await.json();
    assert_eq!(api["comments"][0]["text"], "Pain settling", "{}", api["comments"]);
    assert!(api["report"]["who"].is_object(), "the report's data");
    assert!(clinic.get(&pat, &format!("/clinic/athletes/{id}")).await.has("Even pace, well done"));
    let page = clinic.get(&pat, &format!("/clinic/athletes/{id}/runs/{run}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.has("Even pace, well done") && page.has("chart-figure") && page.has("8.00 km"), "{}", page.body);
    assert_eq!(clinic.get(&pat, &format!("/clinic/athletes/{id}/runs/999999")).await.status, StatusCode::NOT_FOUND);
    let audit = clinic.get(&ana, "/api/settings/audit").await.json();
    let did: Vec<&str> = audit.as_array().expect("log").iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(did.contains(&"viewed-report") && did.contains(&"commented") && did.contains(&"viewed-run"), "{did:?}");
    let r = clinic.api(&pat, &format!("/api/clinic/athletes/{id}/comments"), json!({ "run": 9999, "text": "x" })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "another athlete's or no run");
}

#[tokio::test]
async fn another_clinician_and_the_athletes_get_404_and_leave_no_trace() {
    let clinic = Clinic::new();
    let pat = clinic.clinician("pat@example.org", "Pat Physio").await;
    let kim = clinic.clinician("kim@example.org", "Kim Coach").await;
    let (ana, ben) = two_athletes(&clinic, &pat).await;
    let id = dashboard(&clinic, &pat).await.iter().find(|r| r.0 == "Ana").map(|r| r.1).expect("Ana");
    assert!(dashboard(&clinic, &kim).await.is_empty(), "Kim follows nobody");
    let before = clinic.get(&ana, "/api/settings/audit").await.json().as_array().map(Vec::len);
    for who in [&kim, &ana, &ben] {
        for path in [
            format!("/clinic/athletes/{id}"),
            format!("/clinic/athletes/{id}/report"),
            format!("/api/clinic/athletes/{id}"),
            format!("/api/clinic/athletes/{id}/report"),
            format!("/clinic/athletes/{id}/runs/1"),
            "/clinic/athletes/99999".to_string(),
        ] {
            assert_eq!(clinic.get(who, &path).await.status, StatusCode::NOT_FOUND, "{path}");
        }
        let body = json!({ "change": { "kind": "note", "text": "hello" } });
        let r = clinic.api(who, &format!("/api/clinic/athletes/{id}/program"), body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        let r = clinic
            .form(
                who,
                &format!("/clinic/athletes/{id}/comments"),
                &[("on", "report"), ("target", "2026-11-16"), ("text", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(clinic.get(&ana, "/api/clinic/dashboard").await.status, StatusCode::NOT_FOUND);
    let after = clinic.get(&ana, "/api/settings/audit").await.json().as_array().map(Vec::len);
    assert_eq!(before, after, "refused looks write nothing");
    assert!(clinic.get(&ana, "/api/plan").await.json()["plan"].get("clinician").is_none(), "and change nothing");
}

/// The actions in the athlete's audit log, as they read it.
async fn audit_actions(clinic: &Clinic, athlete: &Client) -> Vec<String> {
    let audit = clinic.get(athlete, "/api/settings/audit").await.json();
    audit.as_array().expect("log").iter().filter_map(|e| e["action"].as_str().map(str::to_string)).collect()
}

#[tokio::test]
async fn the_athletes_page_shows_a_new_pain_report_and_program_change_on_the_next_view() {
    let clinic = Clinic::new();
    let pat = clinic.clinician("pat@example.org", "Pat Physio").await;
    let (_ana, _ben) = two_athletes(&clinic, &pat).await;
    let id = dashboard(&clinic, &pat).await.iter().find(|r| r.0 == "Ana").map(|r| r.1).expect("Ana");
    let path = format!("/clinic/athletes/{id}");
    let first = clinic.get(&pat, &path).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(first.has("None logged.") && !first.has("/10 · "), "no pain yet");
    assert_eq!(clinic.get(&pat, &path).await.status, StatusCode::OK, "a second view, from what was kept");

    pain_days(&clinic, id, 7.0);
    let page = clinic.get(&pat, &path).await;
    assert!(page.has("neck 7/10"), "the new pain reports on the very next view: {}", page.body);
    let api = clinic.get(&pat, &format!("/api/clinic/athletes/{id}")).await.json();
    assert_eq!(api["pain"].as_array().map(Vec::len), Some(10), "and in its JSON twin: {}", api["pain"]);

    let form = format!("/clinic/athletes/{id}/program");
    let r = clinic.form(&pat, &form, &[("kind", "note"), ("text", "Rest day tomorrow")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(clinic.get(&pat, &path).await.has("Rest day tomorrow"), "the program change on the next view");

    assert!(first.has("your last visit: never"), "the first look");
    assert!(
        clinic.get(&pat, &path).await.has("your last visit: 20"),
        "each look is a visit (read before it is written)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_views_each_write_their_own_audit_entry() {
    let clinic = std::sync::Arc::new(Clinic::new());
    let pat = clinic.clinician("pat@example.org", "Pat Physio").await;
    let (ana, ben) = two_athletes(&clinic, &pat).await;
    let rows = dashboard(&clinic, &pat).await;
    let id = |name: &str| rows.iter().find(|r| r.0 == name).map(|r| r.1).expect("listed");
    let (ana_id, ben_id) = (id("Ana"), id("Ben"));
    let before = (audit_actions(&clinic, &ana).await.len(), audit_actions(&clinic, &ben).await.len());

    // 24 views at once, over two athletes and three kinds of page.
    let mut views = tokio::task::JoinSet::new();
    for i in 0..24 {
        let (clinic, pat) = (clinic.clone(), pat.clone());
        let athlete = if i % 2 == 0 { ana_id } else { ben_id };
        let path = match i % 3 {
            0 => format!("/clinic/athletes/{athlete}"),
            1 => format!("/api/clinic/athletes/{athlete}"),
            _ => format!("/clinic/athletes/{athlete}/report"),
        };
        views.spawn(async move { (path.clone(), clinic.get(&pat, &path).await.status) });
    }
    while let Some(done) = views.join_next().await {
        let (path, status) = done.expect("view");
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    let (ana_log, ben_log) = (audit_actions(&clinic, &ana).await, audit_actions(&clinic, &ben).await);
    assert_eq!(ana_log.len() - before.0, 12, "Ana's twelve views, one entry each: {ana_log:?}");
    assert_eq!(ben_log.len() - before.1, 12, "Ben's twelve: {ben_log:?}");
    let count = |log: &[String], action: &str| log.iter().filter(|a| *a == action).count();
    // Views i = 0..24: Ana has the even ones, Ben the odd; i % 3 is the page (0, 1: the page and its twin).
    assert_eq!(count(&ana_log, "viewed-athlete"), 8);
    assert_eq!(count(&ana_log, "viewed-report"), 4);
    assert_eq!(count(&ben_log, "viewed-athlete"), 8);
    assert_eq!(count(&ben_log, "viewed-report"), 4);
}

#[tokio::test]
async fn a_look_that_cannot_be_written_to_the_audit_log_is_not_shown() {
    let clinic = Clinic::new();
    let pat = clinic.clinician("pat@example.org", "Pat Physio").await;
    let (ana, _ben) = two_athletes(&clinic, &pat).await;
    let id = dashboard(&clinic, &pat).await.iter().find(|r| r.0 == "Ana").map(|r| r.1).expect("Ana");
    pain_days(&clinic, id, 7.0);
    let run = clinic
        .db
        .blocking_store(AthleteId::new(id), |s| {
            let a = runtall_store_tests::fixtures::run("2026-11-02T07:00:00Z", 40.0, 8.0, "ana-run");
            match s.add_activity(&a, None).expect("run") {
                runtall_store::AddOutcome::Added { id } => id,
                other => panic!("{other:?}"),
            }
        })
        .expect("store");
    let page = format!("/clinic/athletes/{id}");
    assert!(clinic.get(&pat, &page).await.has("neck 7/10"), "shown while the log takes entries");

    // The audit log refuses every entry (as a full disk or a broken file would).
    let db_path = clinic.dir.path().join("clinic.db");
    let mut sql = runtall_store_tests::bulk::Sqlite::open(&db_path).expect("open");
    sql.refuse_audit_entries(true).expect("refuse");
    let logged = audit_actions(&clinic, &ana).await.len();
    for path in [
        page.clone(),
        format!("/api/clinic/athletes/{id}"),
        format!("/clinic/athletes/{id}/report"),
        format!("/api/clinic/athletes/{id}/report"),
        format!("/clinic/athletes/{id}/runs/{run}"),
    ] {
        let r = clinic.get(&pat, &path).await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}: {}", r.body);
        assert!(r.has("audit log could not record this look"), "{path} says why: {}", r.body);
        assert!(!r.has("7/10") && !r.has("Trends") && !r.has("8.00 km"), "{path} shows none of Ana's records");
    }
    assert_eq!(audit_actions(&clinic, &ana).await.len(), logged, "nothing was written");

    sql.refuse_audit_entries(false).expect("take again");
    assert!(clinic.get(&pat, &page).await.has("neck 7/10"), "shown again once the log takes entries");
    assert_eq!(audit_actions(&clinic, &ana).await.len(), logged + 1);
}

#[tokio::test]
async fn a_red_flag_screen_shows_on_the_next_view_and_counts_from_the_last_visit() {
    let clinic = Clinic::new();
    let pat = clinic.clinician("pat@example.org", "Pat Physio").await;
    let (ana, _ben) = two_athletes(&clinic, &pat).await;
    let id = dashboard(&clinic, &pat).await.iter().find(|r| r.0 == "Ana").map(|r| r.1).expect("Ana");
    let path = format!("/api/clinic/athletes/{id}");
    let reasons = |v: &Value| v["attention"]["reasons"].to_string();
    let first = clinic.get(&pat, &path).await.json();
    assert!(!reasons(&first).contains("Red-flag screen"), "{}", reasons(&first));

    let questions = clinic.get(&ana, "/api/screen/questions").await.json();
    let c =
        questions["questions"].as_array().expect("questions").iter().find(|q| q["level"] == "C").expect("flag")["id"]
            .as_str()
            .expect("id")
            .to_string();
    let r = clinic.api(&ana, "/api/screen", json!({ "yes": [c], "others": "no" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let next = clinic.get(&pat, &path).await.json();
    assert!(reasons(&next).contains("Red-flag screen"), "the new screen on the next view: {}", reasons(&next));
    assert_ne!(next["mode"], first["mode"], "and the safety check's new mode");
    let after = clinic.get(&pat, &path).await.json();
    assert!(!reasons(&after).contains("Red-flag screen"), "seen at the last visit: {}", reasons(&after));
}
