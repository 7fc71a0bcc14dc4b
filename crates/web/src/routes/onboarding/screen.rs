//! The red-flag screen: the form, its result, the emergency screen and the clinician's check.

use super::*;

#[derive(Deserialize)]
pub(super) struct ScreenQuery {
    from: Option<String>,
}

pub(super) fn screen_form(
    program: &Program,
    session: &Session,
    form: Option<&FormData>,
    errors: &Errors,
    from_chest: bool,
) -> Markup {
    html! {
        h1 { "Safety check" }
        @if from_chest {
            div class="notice danger" role="alert" {
                p { strong { "Chest pain is never logged as an ache here." } " It comes to this safety check first. "
                    "If you have chest pain, pressure or breathlessness right now, call your emergency number." }
            }
        }
        p class="lead" { "Answer each question yes or no. Any yes counts, and a question left unanswered is never "
            "taken as no. About 2 minutes." }
        (error_summary_list(&unanswered_lines(program, errors)))
        form method="post" action="/screen" class="stack" novalidate {
            (csrf_field(session))
            @for (i, f) in program.red_flags.iter().enumerate() {
                @let name = format!("q-{}", f.id);
                @let chosen = form.and_then(|fd| fd.get(&name));
                fieldset id={ "f-" (name) } class={ "question" @if errors.get(&name).is_some() { " has-error" } }
                    aria-describedby=[described(errors, &name)] {
                    legend { span class="qno" { (i + 1) ". " } (f.question) }
                    (field_error(errors, &name))
                    div class="yesno" {
                        label { input type="radio" name=(name) value="yes" checked[chosen == Some("yes")] required; " Yes" }
                        label { input type="radio" name=(name) value="no" checked[chosen == Some("no")]; " No" }
                    }
                }
            }
            button type="submit" class="button primary" { "See my result" }
        }
    }
}

/// The error summary's lines for the safety questions left unanswered, in the order they are asked and in their
/// own words: "Question 4: please answer — Have you …?".
fn unanswered_lines(program: &Program, errors: &Errors) -> Vec<(String, String)> {
    program
        .red_flags
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let field = format!("q-{}", f.id);
            errors.get(&field).map(|_| (field, format!("Question {}: please answer — {}", i + 1, f.question)))
        })
        .collect()
}

pub(super) async fn screen_page(
    State(st): State<AppState>,
    session: Session,
    Query(q): Query<ScreenQuery>,
) -> Response {
    let body = screen_form(st.program, &session, None, &Errors::default(), q.from.as_deref() == Some("chest"));
    Page::bare("Safety check", body).render(&session)
}

/// Answers from the form: yes/no per question; unanswered questions stay out of the map.
pub(super) fn answers_from_form(program: &Program, form: &FormData) -> ScreenAnswers {
    let mut map = BTreeMap::new();
    for f in &program.red_flags {
        match form.get(&format!("q-{}", f.id)) {
            Some("yes") => {
                map.insert(f.id.clone(), true);
            }
            Some("no") => {
                map.insert(f.id.clone(), false);
            }
            _ => {}
        }
    }
    ScreenAnswers(map)
}

pub(super) async fn screen_submit(
    State(st): State<AppState>,
    session: Session,
    form: FormData,
) -> Result<Response, HttpError> {
    let answers = answers_from_form(st.program, &form);
    // Checked here as well as in the use case, to answer with the form and each unanswered question marked.
    if evaluate(st.program, &answers).is_err() {
        let mut errors = Errors::default();
        for f in st.program.red_flags.iter().filter(|f| !answers.0.contains_key(&f.id)) {
            errors.add(
                &format!("q-{}", f.id),
                "Please answer yes or no: an unanswered safety question is never taken as no.",
            );
        }
        let body = screen_form(st.program, &session, Some(&form), &errors, false);
        let mut r = Page::bare("Safety check", body).render(&session);
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    }
    let program = st.program;
    st.db.run(move |store| Ok(runtall_app::screen::record(store, program, answers, Timestamp::now())?)).await?;
    Ok(Redirect::to("/screen/result").into_response())
}

/// The emergency number(s) for the runner's country as tap-to-call links ("999 or 112"), so a phone dials with
/// one tap: large on the emergency screen, inline elsewhere.
pub fn call_links(profile: &Profile) -> Markup {
    call_links_styled(profile, "call-link")
}

/// The same links in the flow of a sentence (banners, notices).
pub fn call_links_inline(profile: &Profile) -> Markup {
    call_links_styled(profile, "call-inline")
}

pub(super) fn call_links_styled(profile: &Profile, class: &str) -> Markup {
    let options = profile.emergency_dial();
    html! {
        @for (i, (digits, label)) in options.iter().enumerate() {
            @if i > 0 { " or " }
            a class=(class) href={ "tel:" (digits) } { (label) }
        }
        @if options.is_empty() { strong { (profile.emergency_number()) } }
    }
}

pub(super) fn flag_list(flags: &[TriggeredFlag]) -> Markup {
    html! {
        ul class="flags" {
            @for f in flags { li { strong { (f.short) } br; (f.advice) } }
        }
    }
}

pub(super) fn clinician_form(session: &Session, action_label: &str) -> Markup {
    html! {
        form method="post" action="/screen/clinician-checked" class="card stack" {
            (csrf_field(session))
            label class="check" {
                input type="checkbox" name="confirm" value="yes" required;
                " A clinician has checked me for these answers."
            }
            button type="submit" class="button" { (action_label) }
        }
    }
}

pub(super) async fn screen_result(State(st): State<AppState>, session: Session) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    let next =
        if s.assessment.is_some() { ("/plan", "See my plan") } else { ("/assess", "Continue to the assessment") };
    let level_action = |level| st.program.level_info(level).map(|i| i.action.clone()).unwrap_or_default();
    let flags = &s.safety.open_flags;
    let body = match s.safety.mode {
        Mode::NotScreened => return Ok(Redirect::to("/screen").into_response()),
        Mode::Locked => return Ok(Redirect::to("/emergency").into_response()),
        Mode::Paused => html! {
            h1 { "See a clinician today" }
            div class="notice warn" {
                p { "Your answers need a clinician's eyes today. The program is paused until then." }
            }
            (flag_list(flags))
            p { (level_action(FlagLevel::B)) }
            p { "If it gets worse, or chest pain, breathlessness or weakness appears, call " (call_links_inline(&s.profile)) "." }
            (clinician_form(&session, "Confirm and continue"))
            p { a href="/screen" { "Take the safety check again" } }
        },
        Mode::NoRunning => html! {
            h1 { "No running until a clinician has checked this" }
            div class="notice warn" role="status" { p { (s.safety.headline) } }
            (flag_list(flags))
            @for h in &s.safety.holds { p { (h.text) " " span class="answer" { "(" (h.answer_words()) ")" } } }
            p { (level_action(if flags.is_empty() { FlagLevel::C } else { FlagLevel::B })) }
            p { "If the pain lasts more than a few minutes, comes at rest or spreads to your arm, jaw, neck or back, call "
                (call_links_inline(&s.profile)) "." }
            p { a class="button primary" href=(next.0) { (next.1) } }
            (clinician_form(&session, "A clinician has checked me: open the full program"))
        },
        Mode::Reduced => html! {
            h1 { "Book a check with a clinician" }
            div class="notice warn" {
                p { "Book a visit with your GP or a physiotherapist before the full program. Meanwhile you get a "
                    "reduced, gentle program: short easy runs, breathing, micro-breaks and neck work; no long runs, "
                    "speed sessions, races or trail runs, no loaded strength, no foam roller." }
            }
            (flag_list(flags))
            p { (level_action(FlagLevel::C)) }
            p { a class="button primary" href=(next.0) { (next.1) } }
            (clinician_form(&session, "A clinician has checked me: open the full program"))
        },
        Mode::Full => html! {
            h1 { "Safety check clear" }
            div class="notice ok" { p { "None of the warning signs applies to you today." } }
            p { "This is a safety check, not a diagnosis: if your symptoms change, take it again." }
            p { a class="button primary" href=(next.0) { (next.1) } }
        },
    };
    Ok(Page::bare("Safety check result", body).render(&session))
}

/// Level A: the emergency screen and nothing else.
pub(super) async fn emergency(State(st): State<AppState>, session: Session) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    let ProgramState::Locked { flags } = &s.state else {
        return Ok(Redirect::to("/").into_response());
    };
    let action = st.program.level_info(FlagLevel::A).map(|i| i.action.clone()).unwrap_or_default();
    let body = html! {
        section class="emergency" role="alert" {
            h1 { "Stop — this needs emergency care now" }
            p class="call" { "Call " (call_links(&s.profile)) }
            p { "Or have someone take you to an emergency department. Do not run, and do not drive yourself." }
            (flag_list(flags))
            p { (action) }
        }
        (clinician_form(&session, "Unlock the program"))
        p class="muted small" {
            "The number follows your country setting"
            @if s.profile.country.is_none() { " (not set)" }
            ". " a href="/settings" { "Change the country" }
        }
    };
    Ok(Page::bare("Emergency", body).purge_offline().render(&session))
}

/// Marks the latest screen as checked by a clinician (refused when nothing waits for one).
pub(super) fn mark_checked(store: &dyn Store, program: &Program) -> Result<(), HttpError> {
    runtall_app::screen::clinician_checked(store, program, Timestamp::now())?
        .ok_or_else(|| HttpError::Conflict("No safety check yet.".into()))?;
    Ok(())
}

pub(super) async fn clinician_checked(State(st): State<AppState>, form: FormData) -> Result<Response, HttpError> {
    if form.get("confirm") != Some("yes") {
        return Err(HttpError::field("confirm", "Tick the box to confirm a clinician has checked you."));
    }
    let program = st.program;
    st.db.run(move |store| mark_checked(store, program)).await?;
    Ok(Redirect::to("/").into_response())
}
