//! The physical therapist's report, assembled from a real SQLite journal: every section carries the journal's own
//! figures, empty sections say so, and the safety section lists every screen with its yes answers.

use jiff::civil::{Date, date};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use runtall_app::pt_report::{Paper, ReportOptions, gather};
use runtall_domain::assess::{Assessment, AssessmentRecord, Score, parse_answers};
use runtall_domain::content::program;
use runtall_domain::journal_format::from_jsonl;
use runtall_domain::plan::{self, PlanRecord};
use runtall_domain::profile::{Profile, Units};
use runtall_domain::safety::{SafetyInputs, gate};
use runtall_domain::screen::{ScreenAnswers, ScreeningRecord};
use runtall_store::{SqliteStore, Store};

const ASSESSMENT: &str = include_str!("../../../examples/assessment.toml");
const TODAY: Date = date(2026, 6, 30);

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
    (dir, store)
}

fn screen(store: &dyn Store, at: &str, yes: &[&str]) -> ScreeningRecord {
    let mut r = ScreeningRecord::new(program(), ScreenAnswers::yes(program(), yes), t(at)).unwrap();
    r.id = Some(store.add_screening(&r).unwrap());
    r
}

fn assess(store: &dyn Store, at: &str, psfs: [f64; 3]) -> AssessmentRecord {
    let mut a: Assessment = parse_answers("assessment.toml", ASSESSMENT).unwrap();
    for (item, s) in a.psfs.iter_mut().zip(psfs) {
        item.score = Score::new(s).unwrap();
    }
    let mut r = AssessmentRecord { id: None, taken_at: t(at), assessment: a };
    r.id = Some(store.add_assessment(&r).unwrap());
    r
}

fn plan_from(store: &dyn Store, at: &str, s: &ScreeningRecord, a: &AssessmentRecord) {
    let p = gate(program(), &SafetyInputs { screening: Some(s), assessment: Some(&a.assessment) });
    let built = plan::build(program(), &a.assessment, &p).unwrap();
    store
        .add_plan(&PlanRecord { id: None, created_at: t(at), screening_id: s.id, assessment_id: a.id, plan: built })
        .unwrap();
}

/// Eight weeks from Monday 4 May 2026: an easy run on Tuesday, a long run with the pack on Sunday (followed by
/// neck pain), a day log every day with magnesium on Mondays and tape on four days in a row.
fn season(store: &dyn Store) {
    let mut lines = Vec::new();
    let start = date(2026, 5, 4);
    for w in 0..8 {
        let tue = start + (w * 7 + 1).days();
        let sun = start + (w * 7 + 6).days();
        lines.push(format!(
            r#"{{"type":"run","key":"e{w}","start":"{tue}T07:00:00Z","sport":"running","label":"easy","distance_m":8000.0,"moving_s":2880.0,"elapsed_s":2900.0,"name":null,"pack":false,"surface":"road","ate_within_2h":false,"pre_run_done":true,"post_run_done":true}}"#
        ));
        lines.push(format!(
            r#"{{"type":"run","key":"l{w}","start":"{sun}T08:00:00Z","sport":"running","label":"long","distance_m":20000.0,"moving_s":7200.0,"elapsed_s":7300.0,"name":null,"pack":true,"surface":"trail","ate_within_2h":true,"pre_run_done":false,"post_run_done":true}}"#
        ));
        let pain_after_long = if w < 4 { 6.0 } else { 3.0 };
        lines.push(format!(
            r#"{{"type":"pain","at":"{sun}T10:30:00Z","timing":"right-after","region":"neck","intensity":{pain_after_long},"run":"l{w}","notes":"vest bounced on the descents"}}"#
        ));
        lines.push(format!(
            r#"{{"type":"pain","at":"{tue}T08:30:00Z","timing":"right-after","region":"between-shoulder-blades","intensity":1.0,"run":"e{w}","notes":null}}"#
        ));
        for d in 0..7 {
            let day = start + (w * 7 + d).days();
            let relief = if w == 2 && (1..5).contains(&d) { r#"["tape"]"# } else { "[]" };
            let mg = if d == 0 { "250" } else { "null" };
            lines.push(format!(
                r#"{{"type":"day","date":"{day}","sitting_h":8.0,"longest_sitting_h":null,"car_h":null,"sleep_h":7.0,"stress":null,"strength_done":{},"mobility_done":true,"relief":{relief},"magnesium_mg":{mg}}}"#,
                d == 2
            ));
        }
    }
    let j = from_jsonl("t.jsonl", &lines.join("\n"), t("2026-06-30T12:00:00Z")).unwrap();
    runtall_app::journal_file::import(store, &j).unwrap();
}

fn seeded() -> (tempfile::TempDir, SqliteStore) {
    let (dir, store) = store();
    store
        .save_profile(&Profile {
            name: "Sam Runner".into(),
            units: Units::Km,
            country: Some("GB".into()),
            demo: false,
            day_budget: None,
        })
        .unwrap();
    let s = screen(&store, "2026-05-01T07:00:00Z", &[]);
    let a = assess(&store, "2026-05-01T07:10:00Z", [3.0, 4.0, 5.0]);
    plan_from(&store, "2026-05-01T07:20:00Z", &s, &a);
    season(&store);
    // A re-score in June: the first activity improved by 4 points.
    assess(&store, "2026-06-15T07:10:00Z", [7.0, 5.0, 5.0]);
    screen(&store, "2026-06-01T07:00:00Z", &["night-pain-that-wakes"]);
    (dir, store)
}

fn report(store: &dyn Store, o: ReportOptions) -> runtall_app::pt_report::ReportData {
    gather(store, &o, TODAY, &TimeZone::UTC).unwrap()
}

#[test]
fn a_seeded_journal_fills_every_section_with_its_own_figures() {
    let (_dir, store) = seeded();
    let r = report(&store, ReportOptions::default());
    assert_eq!(r.who.name, "Sam Runner");
    assert_eq!((r.who.from, r.who.to), (date(2026, 5, 1), TODAY), "since the first assessment");
    assert_eq!(r.who.paper, Paper::A4);
    assert_eq!(r.who.program_version, env!("CARGO_PKG_VERSION"));

    // Safety: both screens, the second with its yes answer; the gate ends in the reduced program.
    assert_eq!(r.safety.screens.len(), 2);
    assert_eq!(r.safety.screens[0].level_text, "no flags");
    assert!(r.safety.screens[1].level_text.starts_with("C — "), "{}", r.safety.screens[1].level_text);
    assert_eq!(r.safety.screens[1].yes.len(), 1);
    assert_eq!(r.safety.mode, "reduced");

    // The complaint and its baseline.
    let c = r.complaint.as_ref().expect("assessed");
    assert_eq!(c.baseline_pain, 5.0);
    assert!((c.baseline_psfs - 4.0).abs() < 1e-9);
    assert!(c.region_labels.iter().any(|l| l == "neck"));
    assert!(c.when.iter().any(|w| w == "on long runs"));
    let neck = c.pain_by_region.iter().find(|p| p.region == "neck").expect("neck reports");
    assert_eq!((neck.reports, neck.worst), (8, 6));

    // Outcomes: the band around the baseline of 5 is 3.5–6.5; PSFS at both scorings, the first activity real.
    let pain = r.outcomes.pain.as_ref().expect("pain");
    assert_eq!(pain.band, (3.5, 6.5));
    let psfs = r.outcomes.psfs.as_ref().expect("psfs");
    assert_eq!(psfs.dates, vec![date(2026, 5, 1), date(2026, 6, 15)]);
    assert_eq!(psfs.rows[0].scores, vec![3.0, 7.0]);
    assert_eq!(psfs.rows[0].change, Some(4.0));
    assert!(psfs.rows[0].real && !psfs.rows[1].real);
    assert!(psfs.change.as_deref().is_some_and(|s| s.contains("5.7/10 against 4.0")), "{:?}", psfs.change);

    // Load: 16 runs, 8 long, 224 km; the week of 4 May had the 6/10 after the long run and 1/10 on Tuesday.
    assert_eq!((r.load.runs, r.load.long_runs, r.load.speed_sessions), (16, 8, 0));
    assert!((r.load.distance - 224.0).abs() < 1e-6);
    let w = r.load.weeks.iter().find(|w| w.week_start == date(2026, 5, 4)).expect("week");
    assert_eq!((w.runs, w.long_runs), (2, 1));
    assert_eq!(w.pain, Some(3.5));

    // What goes with pain: the engine's words for 16 runs.
    assert_eq!(r.factors.runs, 16);
    assert_eq!(r.factors.runs_with_pain, 8);
    // The PT compares this section with the runner's Insights over every run: it says its verdicts are the period's.
    assert!(r.factors.intro.starts_with("16 runs in this period; pain followed 8."), "{}", r.factors.intro);
    assert!(r.factors.intro.contains("this period's runs alone"), "{}", r.factors.intro);
    assert!(!r.factors.lines.is_empty());
    assert!(r.factors.lines.iter().all(|l| l.ratio.starts_with("risk ratio ")));

    // The program: the plan's week, adherence per week, the gate's reduced-mode exclusions, relief with amounts.
    let plan = r.program.plan.as_ref().expect("plan");
    assert_eq!(plan.week.len(), 7);
    assert!(!r.program.adherence.is_empty());
    assert!(r.program.adherence_sentence.contains("planned routines done in this period"));
    assert!(
        r.program.left_out.iter().any(|l| l.what.contains("long runs") && l.reason.contains("clinician")),
        "{:#?}",
        r.program.left_out
    );
    let mg = r.program.relief.iter().find(|l| l.what == "Magnesium").expect("magnesium");
    assert_eq!(mg.days, 8);
    assert!(mg.detail.contains("250–250 mg"), "{}", mg.detail);
    let tape = r.program.relief.iter().find(|l| l.what == "Kinesiology tape").expect("tape");
    assert_eq!(tape.days, 4);
    assert!(tape.detail.contains("4 days in a row (the program's limit is 5)"), "{}", tape.detail);

    assert!(r.notes.is_empty(), "pain notes only when asked");
    assert!(r.footer.what_it_is_not.contains("not a diagnosis"));
}

#[test]
fn initials_notes_and_a_chosen_period() {
    let (_dir, store) = seeded();
    let o = ReportOptions {
        from: Some(date(2026, 6, 1)),
        to: Some(date(2026, 6, 14)),
        initials_only: true,
        notes: vec!["Worse on downhill trails.".into()],
        pain_notes: true,
    };
    let r = report(&store, o);
    assert_eq!(r.who.name, "S. R.");
    assert_eq!(r.who.period_note, "as asked");
    assert_eq!(r.notes[0].text, "Worse on downhill trails.");
    assert!(r.notes[0].context.is_none());
    // Two long runs in the period, each with its note.
    let logged: Vec<_> = r.notes.iter().filter(|n| n.context.is_some()).collect();
    assert_eq!(logged.len(), 2);
    assert!(logged[0].context.as_deref().unwrap().starts_with("pain log: neck 3/10, right after a run"));
    // The re-score of 15 June is after the period: only the first scoring shows.
    assert_eq!(r.outcomes.psfs.as_ref().unwrap().dates, vec![date(2026, 5, 1)]);
    assert_eq!(r.safety.screens.len(), 1, "the screen of 1 June");
    assert_eq!(r.safety.in_force_at_start.as_ref().map(|s| s.date), Some(date(2026, 5, 1)));
    assert_eq!(r.load.runs, 4);
}

#[test]
fn an_empty_journal_gives_a_report_with_nothing_recorded() {
    let (_dir, store) = store();
    let r = report(&store, ReportOptions::default());
    assert_eq!(r.who.name, "(no name given)");
    assert_eq!(r.who.from, TODAY - 83.days());
    assert!(r.safety.screens.is_empty());
    assert_eq!(r.safety.mode, "not-screened");
    assert!(r.complaint.is_none() && r.outcomes.pain.is_none() && r.outcomes.psfs.is_none());
    assert_eq!(r.load.runs, 0);
    assert_eq!(r.load.weeks.len(), 13, "the weeks the 84 days touch");
    assert_eq!(r.factors.runs, 0);
    assert!(r.program.plan.is_none());
    assert!(r.program.no_plan.as_deref().is_some_and(|s| s.contains("red-flag screen")), "{:?}", r.program.no_plan);
}

#[test]
fn a_journal_without_runs_keeps_its_assessment_and_plan() {
    let (_dir, store) = store();
    let s = screen(&store, "2026-06-01T07:00:00Z", &[]);
    let a = assess(&store, "2026-06-01T07:10:00Z", [3.0, 4.0, 5.0]);
    plan_from(&store, "2026-06-01T07:20:00Z", &s, &a);
    let r = report(&store, ReportOptions::default());
    assert_eq!(r.load.runs, 0);
    assert_eq!(r.load.text, "No runs and no pain ratings in this period.");
    assert!(r.complaint.is_some());
    assert!(r.program.plan.is_some());
    assert!(r.factors.lines.is_empty());
    assert!(!r.factors.not_judged.is_empty(), "every factor: not enough data yet");
}

#[test]
fn a_level_a_screen_is_listed_and_leaves_no_plan() {
    let (_dir, store) = store();
    let s = screen(&store, "2026-06-01T07:00:00Z", &[]);
    let a = assess(&store, "2026-06-01T07:10:00Z", [3.0, 4.0, 5.0]);
    plan_from(&store, "2026-06-01T07:20:00Z", &s, &a);
    screen(&store, "2026-06-20T07:00:00Z", &["chest-pain-during-or-after-run"]);
    let r = report(&store, ReportOptions::default());
    let last = r.safety.screens.last().expect("screen");
    assert_eq!(last.level_text, "A — Emergency: get help now");
    assert_eq!(last.yes.len(), 1);
    assert!(last.clinician_checked.is_none());
    assert_eq!(r.safety.mode, "locked");
    assert!(r.safety.headline.contains("emergency"), "{}", r.safety.headline);
    // The plan made before the emergency is shown as made; everything is left out now, with the gate's reason.
    assert!(r.program.left_out.iter().any(|l| l.what.starts_with("every exercise") && l.reason.contains("locked")));
}

/// A right-facing standing photo whose CVA is `cva` degrees (C7 at (500, 300), tragus 100 px away).
fn posture_photo(cva: f64) -> runtall_domain::posture::LandmarkFile {
    let (tx, ty) = (500.0 + 100.0 * cva.to_radians().cos(), 300.0 - 100.0 * cva.to_radians().sin());
    let json = format!(
        r#"{{"points":{{"tragus":{{"x":{tx},"y":{ty}}},"c7":{{"x":500,"y":300}},"shoulder":{{"x":520,"y":330}},
            "hip":{{"x":520,"y":730}},"nose":{{"x":{},"y":{ty}}}}}}}"#,
        tx + 60.0
    );
    runtall_domain::posture::parse_landmarks(&json).unwrap()
}

#[test]
fn posture_photos_show_their_trend_judged_against_the_error() {
    use runtall_app::posture;
    let (_dir, store) = seeded();
    assert!(report(&store, ReportOptions::default()).posture.is_empty(), "no checks: nothing recorded");

    // Two photos on the first day (44°, 46°), one later (53°): 8° up, beyond the 5.5° published error.
    for (cva, day) in [(44.0, date(2026, 5, 2)), (46.0, date(2026, 5, 2)), (53.0, date(2026, 6, 20))] {
        posture::add(&store, posture_photo(cva), None, Some(day), TODAY).unwrap();
    }
    // A photo after the period's end does not count.
    posture::add(&store, posture_photo(30.0), None, Some(date(2026, 6, 28)), TODAY).unwrap();
    let r = report(&store, ReportOptions { to: Some(date(2026, 6, 25)), ..ReportOptions::default() });
    assert_eq!(r.posture.checks_in_period, 3);
    let standing = &r.posture.photos[0];
    assert_eq!(standing.kind, "Relaxed standing");
    assert_eq!(standing.counts, "3 photos on 2 days");
    let cva = standing.sentences.iter().find(|s| s.starts_with("CVA")).expect("a CVA sentence");
    assert!(cva.contains("45.0° (2026-05-02) → 53.0° (2026-06-20)"), "{cva}");
    assert!(cva.contains("beyond the ±5.5° measurement error"), "{cva}");
    assert!(r.posture.error_note.contains("±5.5°"), "{}", r.posture.error_note);

    // A period ending before the later photo shows one day only, and the PDF and HTML carry the section.
    let early = report(&store, ReportOptions { to: Some(date(2026, 5, 31)), ..ReportOptions::default() });
    assert_eq!(early.posture.photos[0].counts, "2 photos on 1 day");
    assert!(early.posture.photos[0].sentences.iter().all(|s| !s.contains("53.0°")));
}
