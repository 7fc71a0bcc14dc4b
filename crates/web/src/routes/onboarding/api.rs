//! The JSON API of the screen and the assessment, with the same shapes as the CLI's answers files.

use super::*;

pub(super) async fn api_questions(State(st): State<AppState>) -> Response {
    json(json!({ "levels": st.program.flag_levels, "questions": st.program.red_flags }))
}

pub(super) async fn api_screen_history(State(st): State<AppState>) -> Result<Response, HttpError> {
    Ok(json(st.db.run(|store| Ok(store.screenings()?)).await?))
}

pub(super) async fn api_screen(
    State(st): State<AppState>,
    axum::Json(body): axum::Json<AnswersFile>,
) -> Result<Response, HttpError> {
    // The same shapes as `runtall screen --answers`; a wrong shape is the whole body's fault, not one field's.
    let answers = body.into_answers(st.program).map_err(|e| {
        if e.field.is_empty() { HttpError::bad(e.message) } else { HttpError::field(&e.field, e.message) }
    })?;
    let program = st.program;
    let (record, profile, safety) = st
        .db
        .run(move |store| {
            let (record, safety) = runtall_app::screen::record(store, program, answers, Timestamp::now())?;
            Ok((record, store.profile()?.unwrap_or_default(), safety))
        })
        .await?;
    let state = program_state(Some(&record));
    Ok(json(json!({
        "record": record,
        "state": state,
        "safety": safety,
        "emergency_number": profile.emergency_number(),
    })))
}

pub(super) async fn api_clinician_checked(State(st): State<AppState>) -> Result<Response, HttpError> {
    let program = st.program;
    let state = st
        .db
        .run(move |store| {
            mark_checked(store, program)?;
            Ok(program_state(store.latest_screening()?.as_ref()))
        })
        .await?;
    Ok(json(json!({ "state": state })))
}

pub(super) async fn api_assessment(State(st): State<AppState>) -> Result<Response, HttpError> {
    Ok(json(st.db.run(|store| Ok(store.assessments()?)).await?))
}

pub(super) async fn api_assess(
    State(st): State<AppState>,
    axum::Json(a): axum::Json<Assessment>,
) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    if matches!(s.safety.mode, Mode::NotScreened | Mode::Locked | Mode::Paused) {
        api_needs_first(&s)?;
    }
    if a.check()? == Routing::ScreenFirst {
        return Err(HttpError::Conflict(
            "Chest pain goes to the red-flag screen first; no plan is made from this assessment. If you have chest \
             pain now, call your emergency number."
                .into(),
        ));
    }
    let program = st.program;
    let (record, plan): (AssessmentRecord, PlanRecord) =
        st.db.run(move |store| runtall_app::assessment::record_with_plan(store, program, a, Timestamp::now())).await?;
    Ok(json(json!({ "assessment": record, "plan": plan })))
}
