//! The assessment form: validated field by field, every bad answer named at once with its range.

use super::*;

/// Form values as entered (strings), to refill the form after a validation error or from the last assessment.
#[derive(Default)]
pub(super) struct Values {
    one: BTreeMap<String, String>,
    many: BTreeMap<String, Vec<String>>,
}

impl Values {
    fn from_form(form: &FormData) -> Values {
        let mut v = Values::default();
        for name in ["regions", "when", "conditions", "equipment", "exposures.surfaces"] {
            v.many.insert(name.into(), form.all(name).into_iter().map(str::to_string).collect());
        }
        for name in SCALARS.iter().map(|s| s.0).chain(["exposures.hydration_pack", "exposures.destination_race"]) {
            if let Some(x) = form.get(name) {
                v.one.insert(name.into(), x.to_string());
            }
        }
        for i in 0..5 {
            for f in ["activity", "score"] {
                let name = format!("psfs[{i}].{f}");
                if let Some(x) = form.get(&name) {
                    v.one.insert(name, x.to_string());
                }
            }
        }
        v
    }

    fn from_assessment(a: &Assessment, units: Units) -> Values {
        let mut v = Values::default();
        v.many.insert("regions".into(), a.regions.iter().map(id_of).collect());
        v.many.insert("when".into(), a.when.iter().map(id_of).collect());
        v.many.insert("conditions".into(), a.conditions.iter().map(id_of).collect());
        v.many.insert("equipment".into(), a.equipment.iter().map(id_of).collect());
        v.many.insert("exposures.surfaces".into(), a.exposures.surfaces.iter().map(id_of).collect());
        let e = &a.exposures;
        let round = |x: f64| format!("{}", (x * 10.0).round() / 10.0);
        for (k, val) in [
            ("baseline_pain", a.baseline_pain.get()),
            ("exposures.runs_per_week", e.runs_per_week.get()),
            ("exposures.weekly_km", from_km(e.weekly_km.get(), units)),
            ("exposures.long_run_km", from_km(e.long_run_km.get(), units)),
            ("exposures.speed_sessions_per_week", e.speed_sessions_per_week.get()),
            ("exposures.sitting_hours_per_day", e.sitting_hours_per_day.get()),
            ("exposures.car_hours_per_week", e.car_hours_per_week.get()),
            ("exposures.years_running", e.years_running.get()),
        ] {
            v.one.insert(k.into(), round(val));
        }
        if let Some(age) = a.age {
            v.one.insert("age".into(), age.to_string());
        }
        v.one.insert("exposures.hydration_pack".into(), e.hydration_pack.id().into());
        if e.destination_race {
            v.one.insert("exposures.destination_race".into(), "yes".into());
        }
        for (i, p) in a.psfs.iter().enumerate() {
            v.one.insert(format!("psfs[{i}].activity"), p.activity.clone());
            v.one.insert(format!("psfs[{i}].score"), round(p.score.get()));
        }
        v
    }

    fn get(&self, name: &str) -> &str {
        self.one.get(name).map(String::as_str).unwrap_or("")
    }

    fn has(&self, name: &str, id: &str) -> bool {
        self.many.get(name).is_some_and(|l| l.iter().any(|x| x == id))
    }
}

/// Number fields: (name, label, min, max, unit shown, help). Distances are in the runner's units.
pub(super) const SCALARS: [(&str, &str, f64, f64, &str, &str); 8] = [
    ("baseline_pain", "Usual pain over the last week", 0.0, 10.0, "", "0 = none, 10 = worst imaginable"),
    ("exposures.runs_per_week", "Runs per week", 0.0, 14.0, "", ""),
    ("exposures.weekly_km", "Weekly distance", 0.0, 400.0, "dist", ""),
    ("exposures.long_run_km", "Usual long run", 0.0, 250.0, "dist", "0 if you do no long runs"),
    ("exposures.speed_sessions_per_week", "Speed sessions per week", 0.0, 14.0, "", "Intervals, tempo, track"),
    ("exposures.sitting_hours_per_day", "Sitting per day", 0.0, 24.0, "h", "Desk, car, sofa"),
    ("exposures.car_hours_per_week", "Driving or riding in a car per week", 0.0, 168.0, "h", ""),
    ("exposures.years_running", "Years of running", 0.0, 80.0, "", ""),
];

pub(super) fn max_in(units: Units, max_km: f64) -> f64 {
    (from_km(max_km, units) * 10.0).floor() / 10.0
}

// A form widget is naturally described by many small pieces; a struct for them would only rename the arguments.
#[allow(clippy::too_many_arguments)]
pub(super) fn checks<T: Copy>(
    name: &str,
    legend: &str,
    hint: Option<&str>,
    options: &[T],
    id: impl Fn(T) -> String,
    label: impl Fn(T) -> String,
    values: &Values,
    errors: &Errors,
) -> Markup {
    html! {
        fieldset id={ "f-" (name) } class={ "group" @if errors.get(name).is_some() { " has-error" } }
            aria-describedby=[described(errors, name)] {
            legend { (legend) }
            @if let Some(h) = hint { p class="hint" { (h) } }
            (field_error(errors, name))
            div class="options" {
                @for o in options {
                    @let v = id(*o);
                    label class="check" { input type="checkbox" name=(name) value=(v) checked[values.has(name, &v)]; " " (label(*o)) }
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn number_field(
    name: &str,
    label: &str,
    min: f64,
    max: f64,
    unit: &str,
    help: &str,
    values: &Values,
    errors: &Errors,
    required: bool,
) -> Markup {
    html! {
        div class={ "field" @if errors.get(name).is_some() { " has-error" } } {
            label for={ "f-" (name) } { (label) @if !unit.is_empty() { " (" (unit) ")" } }
            p class="hint" id={ "h-" (name) } { "Allowed " (min) "–" (max) @if !help.is_empty() { ". " (help) } }
            (field_error(errors, name))
            input id={ "f-" (name) } name=(name) type="number" inputmode="decimal" min=(min) max=(max) step="any"
                value=(values.get(name)) required[required]
                aria-describedby={ "h-" (name) @if errors.get(name).is_some() { " e-" (name) } };
        }
    }
}

pub(super) fn assess_form(session: &Session, units: Units, values: &Values, errors: &Errors) -> Markup {
    let dist = unit_name(units);
    html! {
        h1 { "Assessment" }
        p class="lead" { "Where and when it hurts, your training and your day. About 5 minutes; every answer shapes "
            "your plan, and the plan shows which answer led to each item." }
        (error_summary(errors))
        form method="post" action="/assess" class="stack" novalidate {
            (csrf_field(session))
            h2 { "Where it hurts" }
            (checks("regions", "Choose every area that aches", Some("Chest pain is not an ache to plan around: choosing it takes you to the safety check."),
                &Region::ALL, |r| r.id().to_string(), |r| r.label().to_string(), values, errors))
            (checks("when", "When does it show up?", None, &When::ALL, |w| id_of(&w), |w| w.label().to_string(), values, errors))
            (number_field("baseline_pain", SCALARS[0].1, 0.0, 10.0, "", SCALARS[0].5, values, errors, true))
            h2 { "Your running" }
            @for (name, label, min, max, unit, help) in &SCALARS[1..5] {
                @let (max, unit) = if *unit == "dist" { (max_in(units, *max), dist) } else { (*max, *unit) };
                (number_field(name, label, *min, max, unit, help, values, errors, true))
            }
            (checks("exposures.surfaces", "Surfaces you run on", None, &Surface::ALL, |s| s.id().to_string(), |s| s.label().to_string(), values, errors))
            fieldset id="f-exposures.hydration_pack" class="group" {
                legend { "Hydration pack or vest" }
                div class="options" {
                    @for p in [PackUse::Never, PackUse::LongRuns, PackUse::MostRuns] {
                        label class="check" {
                            input type="radio" name="exposures.hydration_pack" value=(p.id())
                                checked[values.get("exposures.hydration_pack") == p.id() || (p == PackUse::Never && values.get("exposures.hydration_pack").is_empty())];
                            " " (p.label())
                        }
                    }
                }
            }
            (number_field(SCALARS[7].0, SCALARS[7].1, 0.0, 80.0, SCALARS[7].4, "", values, errors, true))
            label class="check" {
                input type="checkbox" name="exposures.destination_race" value="yes" checked[!values.get("exposures.destination_race").is_empty()];
                " I am training for a race I will travel to"
            }
            h2 { "Your day" }
            @for (name, label, min, max, unit, help) in &SCALARS[5..7] {
                (number_field(name, label, *min, *max, unit, help, values, errors, *name == "exposures.sitting_hours_per_day"))
            }
            h2 { "Activities the pain makes hard" }
            p class="hint" { "Name 3 to 5 activities in your own words and rate each from 0 (can't do it) to 10 (as before). "
                "You will re-rate them every 2 weeks to see if the plan is working." }
            (field_error(errors, "psfs"))
            div id="f-psfs" class="psfs" {
                @for i in 0..5 {
                    @let a = format!("psfs[{i}].activity");
                    @let s = format!("psfs[{i}].score");
                    div class="psfs-row" {
                        div class="field grow" {
                            label for={ "f-" (a) } { "Activity " (i + 1) @if i >= 3 { " (optional)" } }
                            (field_error(errors, &a))
                            input id={ "f-" (a) } name=(a) type="text" maxlength="120" value=(values.get(&a))
                                aria-describedby=[described(errors, &a)];
                        }
                        div class="field score" {
                            label for={ "f-" (s) } { "Score 0–10" }
                            (field_error(errors, &s))
                            input id={ "f-" (s) } name=(s) type="number" min="0" max="10" step="any" inputmode="decimal" value=(values.get(&s))
                                aria-describedby=[described(errors, &s)];
                        }
                    }
                }
            }
            h2 { "Health and equipment" }
            (checks("conditions", "Do any of these apply?", Some("They rule some items out (e.g. no foam roller with osteoporosis)."),
                &ALL_CONDITIONS, |c: Condition| id_of(&c), |c| condition_label(c).to_string(), values, errors))
            (checks("equipment", "Equipment you have", Some("A mat, a wall, a chair and a towel are assumed."),
                &[Equipment::Band, Equipment::FoamRoller, Equipment::LightWeights, Equipment::Mat, Equipment::Towel],
                |e: Equipment| id_of(&e), |e| runtall_domain::plan::equipment_label(e).to_string(), values, errors))
            (number_field("age", "Age", 10.0, 110.0, "years", "optional", values, errors, false))
            button type="submit" class="button primary" { "Make my plan" }
        }
    }
}

pub(super) async fn assess_page(State(st): State<AppState>, session: Session) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    if let Some(to) = gate(&s) {
        return Ok(Redirect::to(to).into_response());
    }
    let values =
        s.assessment.as_ref().map(|a| Values::from_assessment(&a.assessment, s.profile.units)).unwrap_or_default();
    Ok(Page::bare("Assessment", assess_form(&session, s.profile.units, &values, &Errors::default())).render(&session))
}

/// The assessment comes after a screen that allows a plan.
pub(super) fn gate(s: &Snapshot) -> Option<&'static str> {
    match s.safety.mode {
        Mode::NotScreened => Some("/welcome"),
        Mode::Locked => Some("/emergency"),
        Mode::Paused => Some("/screen/result"),
        _ => None,
    }
}

pub(super) fn list<T: serde::de::DeserializeOwned>(form: &FormData, name: &str, errors: &mut Errors) -> Vec<T> {
    let mut out = Vec::new();
    for v in form.all(name) {
        match enum_id::<T>(v) {
            Some(x) => out.push(x),
            None => errors.add(name, format!("'{v}' is not one of the choices")),
        }
    }
    out
}

/// Reads and validates the whole form; every problem is reported by field.
pub(super) fn assessment_from_form(form: &FormData, units: Units) -> Result<Assessment, Errors> {
    let mut e = Errors::default();
    let regions: Vec<Region> = list(form, "regions", &mut e);
    let when: Vec<When> = list(form, "when", &mut e);
    let conditions: Vec<Condition> = list(form, "conditions", &mut e);
    let equipment: Vec<Equipment> = list(form, "equipment", &mut e);
    let surfaces: Vec<Surface> = list(form, "exposures.surfaces", &mut e);
    let pain = e.required(form, "baseline_pain", 0.0, 10.0, "");
    let runs = e.required(form, "exposures.runs_per_week", 0.0, 14.0, "");
    let dist = unit_name(units);
    let weekly = e.required(form, "exposures.weekly_km", 0.0, max_in(units, 400.0), &format!(" {dist}"));
    let long = e.required(form, "exposures.long_run_km", 0.0, max_in(units, 250.0), &format!(" {dist}"));
    let speed = e.required(form, "exposures.speed_sessions_per_week", 0.0, 14.0, "");
    let sitting = e.required(form, "exposures.sitting_hours_per_day", 0.0, 24.0, " h");
    let car = e.number(form, "exposures.car_hours_per_week", 0.0, 168.0, " h").unwrap_or(0.0);
    let years = e.required(form, "exposures.years_running", 0.0, 80.0, " years");
    let age = e.number(form, "age", 10.0, 110.0, " years");
    if age.is_some_and(|a| a.fract() != 0.0) {
        e.add("age", "a whole number of years, please");
    }
    let pack = match form.get("exposures.hydration_pack") {
        None => PackUse::Never,
        Some(v) => enum_id(v).unwrap_or_else(|| {
            e.add("exposures.hydration_pack", "choose one of the options");
            PackUse::Never
        }),
    };
    if regions.is_empty() && e.get("regions").is_none() {
        e.add("regions", "choose at least one area where it hurts");
    }
    let mut psfs = Vec::new();
    for i in 0..5 {
        let a = format!("psfs[{i}].activity");
        let s = format!("psfs[{i}].score");
        match (form.get(&a), form.get(&s)) {
            (None, None) => {}
            (None, Some(_)) => e.add(&a, "describe the activity this score is for"),
            (Some(_), None) => e.add(&s, "rate it from 0 to 10"),
            (Some(text), Some(_)) => {
                if text.chars().count() > 120 {
                    e.add(&a, "at most 120 characters");
                }
                if let Some(score) = e.number(form, &s, 0.0, 10.0, "")
                    && let Ok(score) = Score::new(score)
                {
                    psfs.push(PsfsItem { activity: text.to_string(), score });
                }
            }
        }
    }
    if !(3..=5).contains(&psfs.len()) && e.0.keys().all(|k| !k.starts_with("psfs")) {
        e.add("psfs", format!("{} activities given; name 3 to 5", psfs.len()));
    }
    let (Some(pain), Some(runs), Some(weekly), Some(long), Some(speed), Some(sitting), Some(years)) =
        (pain, runs, weekly, long, speed, sitting, years)
    else {
        return Err(e);
    };
    if !e.is_empty() {
        return Err(e);
    }
    // Values are in range here, so the bounded constructors cannot fail; map their errors anyway, never panic.
    let build = || -> Result<Assessment, runtall_domain::InputError> {
        Ok(Assessment {
            regions,
            when,
            exposures: Exposures {
                runs_per_week: PerWeek::new(runs)?,
                weekly_km: WeeklyKm::new(to_km(weekly, units).min(400.0))?,
                long_run_km: RunKm::new(to_km(long, units).min(250.0))?,
                speed_sessions_per_week: PerWeek::new(speed)?,
                surfaces,
                hydration_pack: pack,
                sitting_hours_per_day: DayHours::new(sitting)?,
                car_hours_per_week: WeekHours::new(car)?,
                years_running: Years::new(years)?,
                destination_race: form.has("exposures.destination_race"),
            },
            baseline_pain: Score::new(pain)?,
            psfs,
            conditions,
            equipment,
            age: age.map(|a| a as u32),
        })
    };
    let assessment = build().map_err(|err| {
        let mut e = Errors::default();
        e.add(&err.field, err.message);
        e
    })?;
    Ok(assessment)
}

pub(super) async fn assess_submit(
    State(st): State<AppState>,
    session: Session,
    form: FormData,
) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    if let Some(to) = gate(&s) {
        return Ok(Redirect::to(to).into_response());
    }
    let units = s.profile.units;
    let invalid = |errors: &Errors| {
        let values = Values::from_form(&form);
        let mut r = Page::bare("Assessment", assess_form(&session, units, &values, errors)).render(&session);
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        r
    };
    let assessment = match assessment_from_form(&form, units) {
        Ok(a) => a,
        Err(errors) => return Ok(invalid(&errors)),
    };
    match assessment.check() {
        Err(err) => {
            let mut errors = Errors::default();
            errors.add(&err.field, err.message);
            return Ok(invalid(&errors));
        }
        Ok(Routing::ScreenFirst) => return Ok(Redirect::to("/screen?from=chest").into_response()),
        Ok(Routing::Plan) => {}
    }
    let program = st.program;
    st.db
        .run(move |store| runtall_app::assessment::record_with_plan(store, program, assessment, Timestamp::now()))
        .await?;
    Ok(Redirect::to("/plan").into_response())
}
