//! The bundled program must be complete, consistent and safe. These tests are the gate for every content edit.

use runtall_content::*;
use std::collections::BTreeSet;

fn p() -> &'static Program {
    program()
}

#[test]
fn bundled_content_loads_and_validates() {
    let program = Program::load().unwrap_or_else(|e| panic!("{e}"));
    let problems = validate(&program);
    assert!(
        problems.is_empty(),
        "{} content problem(s):\n{}",
        problems.len(),
        problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn every_exercise_the_program_needs_is_there() {
    let required = [
        "hooklying-90-90-breathing",
        "diaphragmatic-breathing",
        "rock-back-breathing",
        "extended-exhale-breathing",
        "chin-tuck",
        "prone-y",
        "prone-t",
        "prone-w",
        "prone-i",
        "lower-trap-set",
        "band-row",
        "band-pull-apart",
        "wall-slide",
        "open-book-rotation",
        "foam-roller-thoracic-extension",
        "towel-roll-thoracic-extension",
        "standing-extension-break",
        "walking-break",
    ];
    let missing: Vec<_> = required.iter().filter(|id| p().exercise(id).is_none()).collect();
    assert!(missing.is_empty(), "missing exercises: {missing:?}");
    assert!(p().exercises.len() >= 16);
}

#[test]
fn every_routine_the_program_needs_is_there() {
    for id in [
        "pre-run-standard",
        "pre-run-long",
        "pre-run-speed",
        "post-run-reset",
        "rest-day-strength",
        "daily-mobility",
        "desk-micro-break",
        "travel-day",
    ] {
        assert!(p().routine(id).is_some(), "missing routine {id}");
    }
    // Long runs and speed work get their own pre-run routine (the podcast treats them differently).
    assert_eq!(p().pre_run_routine(RunType::Long).map(|r| r.id.as_str()), Some("pre-run-long"));
    assert_eq!(p().pre_run_routine(RunType::Speed).map(|r| r.id.as_str()), Some("pre-run-speed"));
    // The pre-run routine starts with hook-lying breathing, as in the podcast.
    for run in RunType::ALL {
        let r = p().pre_run_routine(run).expect("pre-run routine");
        assert!(
            r.steps.iter().any(|s| s.exercise == "hooklying-90-90-breathing"),
            "{} lacks hook-lying breathing",
            r.id
        );
    }
    // Rest-day strength is a 2–3×/week session.
    let strength = p().routine("rest-day-strength").expect("strength");
    assert!(strength.frequency.contains('2') && strength.frequency.contains('3'), "{}", strength.frequency);
}

#[test]
fn foam_roller_is_never_offered_with_bone_density_risks_and_has_an_alternative() {
    let roller = p().exercise("foam-roller-thoracic-extension").expect("roller");
    assert!(roller.contraindicated_with.contains(&Condition::Osteoporosis));
    assert!(roller.contraindicated_with.contains(&Condition::LongTermSteroids));
    assert_eq!(roller.alternative.as_deref(), Some("towel-roll-thoracic-extension"));
    // Dose from the brief: ~5 reps per level, 3–4 levels.
    assert!(roller.dose.sets >= 3 && roller.dose.sets <= 4, "levels = sets");
    assert_eq!(roller.dose.reps, Some(5));
}

#[test]
fn magnesium_respects_the_supplement_limit_and_is_not_a_pain_treatment() {
    let mg = p().relief_option("magnesium").expect("magnesium");
    assert_eq!(mg.kind, ReliefKind::Supplement);
    assert!(mg.max_daily_mg.is_some_and(|m| m <= 350));
    assert!(mg.start_mg.is_some_and(|m| m <= 200));
    for cond in [Condition::KidneyDisease, Condition::Pregnancy, Condition::InteractingMedicines] {
        assert!(mg.avoid_with.contains(&cond), "{cond:?}");
    }
    let all = format!("{} {:?} {:?}", mg.what, mg.how, mg.limits).to_lowercase();
    assert!(all.contains("not a pain treatment") || all.contains("not for pain"), "{all}");
    assert!(all.contains("pharmacist"));
}

#[test]
fn brace_is_not_recommended_and_tape_is_short_term() {
    let brace = p().relief.iter().find(|r| r.id.contains("brace")).expect("brace entry");
    assert_eq!(brace.kind, ReliefKind::NotRecommended);
    let tape = p().relief_option("kinesiology-tape").expect("tape");
    assert!(tape.max_days.is_some_and(|d| d <= 7));
    assert!(tape.limits.iter().any(|l| l.to_lowercase().contains("skin")));
    for alt in ["elliptical", "stair-climber", "incline-treadmill-walk"] {
        assert!(p().alternative(alt).is_some(), "cardio alternative {alt}");
    }
}

#[test]
fn cue_schedules_follow_the_run_type() {
    let long = p().schedule(RunType::Long).expect("long");
    assert!(long.last_third_every_min.expect("last third") < long.every_min);
    let speed = p().schedule(RunType::Speed).expect("speed");
    assert!(speed.per_rep);
    let notes = speed.notes.join(" ").to_lowercase();
    assert!(notes.contains("mouth"), "speed notes must say mouth breathing at speed is normal: {notes}");
    let pack_cue = p().cues.iter().any(|c| c.kind == CueKind::Pack && c.run_types.contains(&RunType::Trail));
    assert!(pack_cue, "trail runs with a pack need a pack cue");
}

#[test]
fn every_flag_level_and_the_chest_rules_are_present() {
    let chest_a: Vec<_> = p().red_flags.iter().filter(|f| f.chest && f.level == FlagLevel::A).collect();
    assert!(!chest_a.is_empty());
    // Effort- or meal-triggered chest/rib pain that settles with rest is level B (no running until checked),
    // never "a stitch".
    let effort = p().red_flag("chest-or-rib-pain-with-effort-or-meals").expect("effort/meal chest flag");
    assert!(effort.chest && effort.level == FlagLevel::B);
    assert!(p().red_flags.len() >= 15, "the brief lists many flags; found {}", p().red_flags.len());
}

/// The parts of the seeds' program. Each must be implemented by at least one item (traceability table).
const SEED_PARTS: &[&str] = &[
    "podcast.posture-breath-link",
    "podcast.pre-run-hooklying",
    "podcast.mid-run-stack",
    "podcast.mid-run-diaphragmatic",
    "podcast.post-run-reset",
    "podcast.strength-stack",
    "podcast.long-run-discomfort",
    "podcast.speed-work-neck",
    "podcast.rock-back-breathing",
    "podcast.breathing-course",
    "podcast.recovery-adjustments",
    "article.daily-slouching",
    "article.running-head-position",
    "article.long-runs-hard-surfaces",
    "article.symptom-progression",
    "article.correction-discomfort",
    "article.limit-sitting",
    "article.car-travel-near-runs",
    "article.destination-races",
    "article.sitting-posture",
    "article.pack-wear-time",
    "article.pack-straps",
    "article.pack-carry-less",
    "article.postural-strength",
    "article.foam-roller",
    "article.towel-roll",
    "article.lower-trap-activation",
    "article.topical-agents",
    "article.magnesium",
    "article.kinesiology-tape",
    "article.physical-therapy",
    "article.qa-daily-foam-roller",
    "article.qa-no-brace",
    "article.qa-tape-short-term",
    "article.qa-heat-or-ice",
    "article.qa-cardio-alternatives",
    "article.qa-taper-not-stop",
    "article.qa-rib-pain",
    "article.qa-one-factor-at-a-time",
    "article.qa-new-runner-nutrition",
];

#[test]
fn traceability_covers_every_part_of_both_seeds() {
    let rows: BTreeSet<&str> = p().trace.iter().map(|r| r.part.as_str()).collect();
    let missing: Vec<_> = SEED_PARTS.iter().filter(|part| !rows.contains(*part)).collect();
    assert!(missing.is_empty(), "seed parts without a row in trace.toml: {missing:?}");
    for row in &p().trace {
        assert!(!row.items.is_empty(), "{} has no implementing item", row.part);
    }
}

/// Removes `section = "..."` values: a citation may quote a heading verbatim, since that is how a reader finds it.
fn without_citation_sections(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("section = \"") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "section = \"".len()..];
        match after.find('"') {
            Some(end) => rest = &after[end + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Removes what names a source rather than says anything: a seed's title and its list of headings.
fn without_source_names(file: &str, text: &str) -> String {
    if file != "sources.toml" {
        return text.to_string();
    }
    let mut out = String::new();
    let mut in_sections = false;
    for line in text.lines() {
        if line.starts_with("sections = [") {
            in_sections = true;
        }
        let skip = in_sections || line.starts_with("title = ");
        if in_sections && line.trim() == "]" {
            in_sections = false;
        }
        if !skip {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Content is written in our own words: no run of 8 words may be copied from a seed (headings quoted in
/// citations, and the seeds' titles and headings on the Sources page, excepted).
#[test]
fn no_sentence_is_copied_from_the_seeds() {
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let Ok(dir) = std::fs::read_dir(&seeds) else {
        eprintln!("skipped: {} not found", seeds.display());
        return;
    };
    fn words(s: &str) -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric() && c != '\'')
            .filter(|w| !w.is_empty())
            .map(|w| w.to_lowercase().replace('’', "'"))
            .collect()
    }
    const N: usize = 8;
    let mut grams = std::collections::HashSet::new();
    for entry in dir.flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default().replace('’', "'");
        let w = words(&text);
        for g in w.windows(N) {
            grams.insert(g.join(" "));
        }
    }
    assert!(!grams.is_empty(), "seeds found but empty");
    let mut copied = Vec::new();
    for (file, text) in FILES {
        let w = words(&without_citation_sections(&without_source_names(file, text)).replace('’', "'"));
        for g in w.windows(N) {
            let g = g.join(" ");
            if grams.contains(&g) {
                copied.push(format!("{file}: \"{g}\""));
            }
        }
    }
    assert!(copied.is_empty(), "phrases copied from the seeds:\n{}", copied.join("\n"));
}

/// The open-book rotation tells the runner one breath direction: the steps and the cues agree.
#[test]
fn open_book_steps_and_cues_agree_on_the_breath() {
    let e = p().exercise("open-book-rotation").expect("open book");
    let turn = e.steps.iter().find(|s| s.to_lowercase().contains("sweep")).expect("the turning step");
    let turn = turn.to_lowercase();
    let cue_out = e.cues.iter().any(|c| c.to_lowercase().contains("breathe out"));
    let cue_in = e.cues.iter().any(|c| c.to_lowercase().contains("breathe in"));
    assert!(cue_out != cue_in, "the cues must name one direction for the turn");
    if cue_out {
        assert!(turn.contains("breathe out") && !turn.starts_with("breathe in"), "step says: {turn}");
    } else {
        assert!(turn.contains("breathe in") && !turn.starts_with("breathe out"), "step says: {turn}");
    }
}

/// Breath-to-step counts add up (in + out = steps per breath) and the easy-run cue matches the lesson's practice.
#[test]
fn breath_to_step_numbers_add_up_and_the_cue_matches_the_lesson() {
    let cue = p().cue("step-breath-rhythm").expect("cue");
    let lesson = p().lesson("step-breath-coupling").expect("lesson");
    let body = lesson.body.join(" ").to_lowercase();
    assert!(
        !body.contains("three steps in, two out over two breaths"),
        "3 in and 2 out is one breath of 5 steps, not two breaths"
    );
    for text in [&cue.text, &cue.spoken] {
        let t = text.to_lowercase();
        assert!(t.contains("2 steps") || t.contains("two steps"), "{text}");
        assert!(t.contains("3") || t.contains("three"), "{text}");
        assert!(
            t.contains("5 steps") || t.contains("five steps"),
            "the cue says how many steps a breath takes: {text}"
        );
    }
    assert!(body.contains("two steps in and three out (five steps a breath)"), "the lesson's practice matches the cue");
}

/// The article's physical therapist recommends magnesium; the app never says he takes it.
#[test]
fn magnesium_is_what_the_article_recommends_not_what_its_author_takes() {
    let mg = p().relief_option("magnesium").expect("magnesium");
    let all = format!("{} {:?}", mg.what, mg.how).to_lowercase();
    assert!(!all.contains("therapist takes"), "{all}");
    assert!(all.contains("recommends"), "{all}");
}

/// Topical rubs carry the usual pharmacy cautions.
#[test]
fn topicals_carry_the_usual_cautions() {
    let t = p().relief_option("topical-gel").expect("topicals");
    let limits = t.limits.join(" ").to_lowercase();
    for needle in ["nsaid", "allerg", "asthma", "broken", "pregnan", "arnica"] {
        assert!(limits.contains(needle), "topical limits do not mention '{needle}': {limits}");
    }
}

/// Every card says what the runner should feel and where, in the place the exercise works.
#[test]
fn every_exercise_says_what_you_should_feel_and_where() {
    for e in &p().exercises {
        let place = e.feel.place.to_lowercase();
        let expected: &[&str] = match e.category {
            ExerciseCategory::Breathing => &["rib", "belly"],
            ExerciseCategory::Neck => &["neck"],
            ExerciseCategory::Scapular => &["shoulder blade"],
            ExerciseCategory::Mobility => &["upper back", "middle of the upper back", "shoulder blade"],
            ExerciseCategory::MicroBreak => &["back", "hip", "leg", "rib", "shoulder", "chest"],
        };
        assert!(
            expected.iter().any(|w| place.contains(w)),
            "{}: feel.where '{}' should name one of {expected:?}",
            e.id,
            e.feel.place
        );
        assert!(e.feel.what.len() > 20, "{}: feel.what is too thin: {}", e.id, e.feel.what);
    }
}

/// The card checker reads the steps back against the dose: a step that says another hold, breath count or breath
/// length than the dose is caught, and so is a cue that pairs a movement with the other breath direction.
#[test]
fn a_card_whose_steps_and_dose_disagree_is_caught() {
    let tuck = p().exercise("chin-tuck").expect("chin tuck").clone();
    assert!(card_problems(&tuck).is_empty(), "{:?}", card_problems(&tuck));
    let mut shorter = tuck.clone();
    shorter.dose.hold_s = Some(5);
    let problems = card_problems(&shorter);
    assert!(problems.iter().any(|p| p.contains("hold") && p.contains("10")), "{problems:?}");
    let mut fewer = tuck;
    fewer.dose.reps = Some(8);
    assert!(card_problems(&fewer).iter().any(|p| p.contains("reps")), "{:?}", card_problems(&fewer));

    let hook = p().exercise("hooklying-90-90-breathing").expect("90/90").clone();
    assert!(card_problems(&hook).is_empty(), "{:?}", card_problems(&hook));
    let mut quick = hook.clone();
    if let Some(b) = quick.dose.breath.as_mut() {
        b.exhale_s = 4.0;
    }
    assert!(card_problems(&quick).iter().any(|p| p.contains("breath out")), "{:?}", card_problems(&quick));
    let mut more = hook;
    more.dose.reps = Some(6);
    more.dose.sets = 3;
    let problems = card_problems(&more);
    assert!(problems.iter().any(|p| p.contains("breaths per round")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("rounds")), "{problems:?}");

    let book = p().exercise("open-book-rotation").expect("open book").clone();
    assert!(card_problems(&book).is_empty(), "{:?}", card_problems(&book));
    let mut flipped = book;
    flipped.cues[2] = "Breathe in as you open the book.".into();
    let problems = card_problems(&flipped);
    assert!(problems.iter().any(|p| p.contains("'open'")), "{problems:?}");
}

/// A plan's "left out" list mixes exercises, routines, habits and relief options: each is shown by what a person
/// reads, and an id the program does not know (a run type) as it is.
#[test]
fn ids_are_shown_by_their_titles() {
    let p = runtall_content::program();
    assert_eq!(p.title_of("arrive-early-for-races"), "Arrive 1 to 2 days before a destination race");
    assert_eq!(p.title_of("chin-tuck"), p.exercise("chin-tuck").expect("chin tuck").name);
    assert_eq!(p.title_of("travel-day"), p.routine("travel-day").expect("travel day").name);
    assert_eq!(p.title_of("magnesium"), p.relief_option("magnesium").expect("magnesium").name);
    assert_eq!(p.title_of("long"), "long");
}
