//! The page shell and the small pieces every page shares: navigation, CSRF field, sources and evidence, doses.

use crate::session::{CSRF_FIELD, Session};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use runtall_content::{Citation, Evidence, Program, SourceKind};

/// The URL of an embedded file, keyed by its content ([`crate::assets::url`]) so a changed file is never served
/// from a stale cache.
pub fn asset(name: &str) -> String {
    crate::assets::url(name)
}

/// The drawing of an exercise (start and end positions, without words) as a small image for lists; its text
/// alternative says both positions.
pub fn figure_img(program: &Program, exercise: &str, class: &str) -> Markup {
    let Some(f) = program.figure(exercise) else { return html! {} };
    let name = program.exercise(exercise).map_or(exercise, |e| e.name.as_str());
    let alt = format!("Drawing of {name}. Start: {}. End: {}.", f.start.label, f.end.label);
    html! { img class=(class) src=(asset(&format!("figures/{exercise}.plain.svg"))) alt=(alt) loading="lazy" decoding="async"; }
}

/// The drawing of an exercise at full size: start and end as two pictures with their captions as page text, so
/// the words stay readable on a phone.
pub fn figure_panels(program: &Program, exercise: &str) -> Markup {
    let Some(f) = program.figure(exercise) else { return html! {} };
    html! {
        div class="figure-panels" {
            figure {
                img src=(asset(&format!("figures/{exercise}.start.svg"))) alt="" decoding="async";
                figcaption { span class="label" { "Start: " } (f.start.label) }
            }
            figure {
                img src=(asset(&format!("figures/{exercise}.end.svg"))) alt="" decoding="async";
                figcaption { span class="label" { "End: " } (f.end.label) }
            }
        }
    }
}

/// Which navigation entry is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Today,
    Plan,
    Pain,
    Day,
    Runs,
    Insights,
    Library,
    Settings,
}

const NAV: [(Nav, &str, &str); 8] = [
    (Nav::Today, "/today", "Today"),
    (Nav::Plan, "/plan", "Plan"),
    (Nav::Pain, "/pain", "Log pain"),
    (Nav::Day, "/day", "My day"),
    (Nav::Runs, "/runs", "Runs"),
    (Nav::Insights, "/insights", "Insights"),
    (Nav::Library, "/library", "Library"),
    (Nav::Settings, "/settings", "Settings"),
];

pub struct Page {
    title: String,
    body: Markup,
    nav: Option<Nav>,
    scripts: Vec<&'static str>,
    reload_s: Option<u32>,
    purge_offline: bool,
}

impl Page {
    /// A page with the navigation bar.
    pub fn new(title: impl Into<String>, nav: Nav, body: Markup) -> Page {
        Page {
            title: title.into(),
            body,
            nav: Some(nav),
            scripts: vec!["app.js"],
            reload_s: None,
            purge_offline: false,
        }
    }

    /// A page without navigation: sign-in, onboarding steps, and the emergency screen (which must show nothing
    /// else).
    pub fn bare(title: impl Into<String>, body: Markup) -> Page {
        Page { title: title.into(), body, nav: None, scripts: vec!["app.js"], reload_s: None, purge_offline: false }
    }

    pub fn script(mut self, name: &'static str) -> Page {
        self.scripts.push(name);
        self
    }

    /// Reloads the page every `seconds` in browsers without JavaScript (a running job's page); scripts poll
    /// instead.
    pub fn reload_without_script(mut self, seconds: u32) -> Page {
        self.reload_s = Some(seconds);
        self
    }

    /// The installed app forgets the pages it kept for offline use when this page loads (the emergency screen:
    /// nothing kept may be shown instead of it; sign-in: the kept pages were for the signed-in runner).
    pub fn purge_offline(mut self) -> Page {
        self.purge_offline = true;
        self
    }

    pub fn render(self, session: &Session) -> Response {
        let markup = html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    meta name="csrf-token" content=(session.csrf);
                    meta name="color-scheme" content="light";
                    @if self.purge_offline { meta name="runtall-offline" content="purge"; }
                    title { (self.title) " · runtall" }
                    link rel="icon" href=(asset("icon.svg")) type="image/svg+xml";
                    link rel="manifest" href="/manifest.webmanifest";
                    meta name="theme-color" content=(crate::pwa::THEME);
                    link rel="apple-touch-icon" href=(asset("apple-touch-icon.png"));
                    link rel="stylesheet" href=(asset("app.css"));
                    @for s in &self.scripts { script src=(asset(s)) defer {} }
                    @if let Some(secs) = self.reload_s { noscript { meta http-equiv="refresh" content=(secs); } }
                }
                body {
                    a class="skip" href="#main" { "Skip to content" }
                    header class="top" {
                        a class="brand" href="/" { "runtall" }
                        @if let Some(active) = self.nav {
                            nav aria-label="Main" {
                                ul {
                                    @for (nav, href, label) in NAV {
                                        li { a href=(href) aria-current=[(nav == active).then_some("page")] { (label) } }
                                    }
                                }
                            }
                        }
                    }
                    main id="main" tabindex="-1" { (self.body) }
                    footer class="foot" {
                        p { "Wellness guidance for posture and breathing, not diagnosis or treatment. Chest pain, "
                            "new weakness or numbness: call your emergency number." }
                    }
                }
            }
        };
        let mut response = maud_response(markup);
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

pub fn maud_response(markup: Markup) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))], markup.into_string())
        .into_response()
}

pub fn csrf_field(session: &Session) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(session.csrf); }
}

fn source_name(program: &Program, c: &Citation) -> String {
    match program.source(&c.source).map(|s| s.kind) {
        Some(SourceKind::Seed) if c.source == "podcast" => "Podcast ep. 26".into(),
        Some(SourceKind::Seed) => "PT article".into(),
        Some(SourceKind::Evidence) => "Evidence brief".into(),
        Some(SourceKind::Program) => "runtall program design".into(),
        None => c.source.clone(),
    }
}

pub fn evidence_class(e: Evidence) -> &'static str {
    match e {
        Evidence::Moderate => "ev ev-moderate",
        Evidence::Low => "ev ev-low",
        Evidence::ExpertOpinion => "ev ev-expert",
        Evidence::PracticalAdvice => "ev ev-practical",
    }
}

/// Where a piece of advice comes from and how strong the support is; shown with every item.
pub fn sources(program: &Program, cite: &[Citation], evidence: Evidence) -> Markup {
    html! {
        p class="source" {
            span class="label" { "From: " }
            @for (i, c) in cite.iter().enumerate() {
                @if i > 0 { "; " }
                // Each source is named in full on the Sources page.
                a href={ "/sources#" (c.source) } { (source_name(program, c)) } " › " (c.section)
            }
            " "
            a class=(evidence_class(evidence)) href="/sources#evidence" { (evidence.label()) }
        }
    }
}

/// A reason as the start of a sentence ("no running until …" → "No running until …").
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Durations in lists ("45 s", "12 min"): the content crate's one formatter.
pub use runtall_content::minutes_label as minutes;

/// A list under a small heading, or nothing when empty.
pub fn bullets(title: &str, items: &[String]) -> Markup {
    html! {
        @if !items.is_empty() {
            h3 class="small" { (title) }
            ul { @for i in items { li { (i) } } }
        }
    }
}

/// The error summary at the top of a form that failed validation, linking to each field.
pub fn error_summary(errors: &crate::form::Errors) -> Markup {
    let items: Vec<(String, String)> =
        errors.0.iter().map(|(field, msg)| (field.clone(), format!("{}: {msg}", field_label(field)))).collect();
    error_summary_list(&items)
}

/// The summary from (field, line) pairs in the caller's order, for forms whose fields are better named by their
/// place and words ("Question 4: please answer — …") than by their ids.
pub fn error_summary_list(items: &[(String, String)]) -> Markup {
    html! {
        @if !items.is_empty() {
            div class="error-summary" role="alert" tabindex="-1" id="error-summary" {
                h2 { "Please check " (items.len()) " answer" @if items.len() != 1 { "s" } }
                ul { @for (field, line) in items { li { a href={ "#f-" (field) } { (line) } } } }
            }
        }
    }
}

/// Readable names for form fields in the error summary.
fn field_label(field: &str) -> String {
    field.trim_start_matches("exposures.").replace(['_', '.'], " ").replace('-', " ")
}

pub fn field_error(errors: &crate::form::Errors, field: &str) -> Markup {
    html! { @if let Some(e) = errors.get(field) { p class="field-error" id={ "e-" (field) } { (e) } } }
}

/// `aria-describedby` for a field with an error.
pub fn described(errors: &crate::form::Errors, field: &str) -> Option<String> {
    errors.get(field).map(|_| format!("e-{field}"))
}

/// A friendly full page for an error status (rendered by the error middleware). `details` are the answers that need
/// a look, each with its reason ("From: 2026-06-01 is after the end of the period"): a page that did not re-show its
/// form must still say what was wrong.
pub fn error_page(status: u16, message: &str, details: &[String], session: Option<&Session>) -> Markup {
    let title = match status {
        404 => "Not found",
        401 => "Please sign in",
        403 => "That form has expired",
        409 => "One step first",
        413 => "Too large",
        422 => "Please check your answers",
        503 => "Busy for a moment",
        s if s >= 500 => "Something went wrong",
        _ => "That did not work",
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(s) = session { meta name="csrf-token" content=(s.csrf); }
                title { (title) " · runtall" }
                link rel="stylesheet" href=(asset("app.css"));
            }
            body {
                header class="top" { a class="brand" href="/" { "runtall" } }
                main id="main" class="error-page" {
                    h1 { (title) }
                    p { (message) @if !details.is_empty() { ":" } }
                    @if !details.is_empty() { ul { @for d in details { li { (d) } } } }
                    p { a class="button" href="/" { "Back to the start" } }
                }
            }
        }
    }
}
