//! Importing a journal from the settings page or the API: one JSON Lines file or the three CSV files, streamed into
//! `runtall_app::journal_file::import_records` in one transaction (all or nothing; a bad line names itself).

use super::{field_class, json, load_reminders, reminder_card, snapshot};
use super::{form, where_kept};
use crate::AppState;
use crate::body_limits::JOURNAL_LIMIT;
use crate::error::HttpError;
use crate::form::Errors;
use crate::layout::{Nav, Page};
use crate::layout::{error_summary, field_error};
use crate::session::Session;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use maud::{Markup, html};
use runtall_domain::journal_format;
use runtall_store::JournalImportStats;
use serde_json::json;

/// A journal can outgrow the global body limit, so these two routes get their own ([`JOURNAL_LIMIT`]).
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/journal-import", post(import_form))
        .route("/api/journal/import", post(import_api))
        .layer(DefaultBodyLimit::max(JOURNAL_LIMIT))
}

/// The import form inside "Your data": a file upload (the token rides in the action URL, since a multipart body
/// is not read by the CSRF check), with the last import's errors or summary.
pub(super) fn import_block(session: &Session, errors: &Errors, done: Option<&JournalImportStats>) -> Markup {
    let action = format!("/settings/journal-import?{}={}", crate::session::CSRF_FIELD, session.csrf);
    html! {
        h3 id="journal-import" { "Import a journal" }
        @if let Some(stats) = done { div class="notice ok" role="status" { p { (import_summary(stats)) } } }
        (error_summary(errors))
        form method="post" action=(action) enctype="multipart/form-data" class="stack" {
            div class=(field_class(errors, "journal")) {
                label for="f-journal" { "Journal file" }
                p class="hint" id="h-journal" {
                    "A journal.jsonl, or any of runs.csv, pain.csv and days.csv together — as downloaded above or "
                    "written by hand. All or nothing: a line with a problem is named and nothing is imported. "
                    "Runs already here are matched, not doubled."
                }
                (field_error(errors, "journal"))
                input type="file" id="f-journal" name="journal" multiple accept=".jsonl,.json,.ndjson,.csv,.txt,text/csv,application/json"
                    aria-describedby={ "h-journal" @if errors.get("journal").is_some() { " e-journal" } };
            }
            button type="submit" class="button" { "Import" }
        }
    }
}

fn import_summary(s: &JournalImportStats) -> String {
    let others = if s.others_added + s.others_matched > 0 {
        format!(
            "; {} other records: screens, plans, sessions and the like ({} already there)",
            s.others_added, s.others_matched
        )
    } else {
        String::new()
    };
    use runtall_domain::text::count;
    format!(
        "Imported: {} new, {} matched stored runs; {} ({} already there); {}{others}.",
        count(s.runs_added, "run", "runs"),
        s.runs_matched,
        count(s.pain_added, "pain report", "pain reports"),
        s.pain_duplicates,
        count(s.days, "day", "days")
    )
}

fn upload_error(e: MultipartError) -> HttpError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        HttpError::field("journal", "That file is larger than 32 MB. Import it with `runtall journal import`.")
    } else {
        HttpError::field("journal", "The upload was interrupted or malformed. Choose the file again.")
    }
}

/// Every file of the upload as (name, text); a file input with nothing chosen sends an empty part, skipped.
async fn read_files(mut multipart: Multipart) -> Result<Vec<(String, String)>, HttpError> {
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(upload_error)? {
        let name = field.file_name().unwrap_or("journal.jsonl").to_string();
        let name: String =
            name.rsplit(['/', '\\']).next().unwrap_or("").chars().filter(|c| !c.is_control()).take(120).collect();
        let bytes = field.bytes().await.map_err(upload_error)?;
        if name.is_empty() && bytes.is_empty() {
            continue;
        }
        let text = String::from_utf8(bytes.to_vec())
            .map_err(|_| HttpError::field("journal", format!("{name} is not a text file (UTF-8)")))?;
        files.push((name, text));
    }
    Ok(files)
}

/// Which of the three CSV files a text is, by its header row (a download may be renamed `runs (1).csv`).
fn csv_kind(name: &str, text: &str) -> Result<usize, HttpError> {
    let header: Vec<String> =
        text.lines().next().unwrap_or("").split(',').map(|c| c.trim().trim_matches('"').to_string()).collect();
    let has = |c: &str| header.iter().any(|h| h == c);
    if has("key") {
        Ok(0)
    } else if has("region") {
        Ok(1)
    } else if has("date") {
        Ok(2)
    } else {
        Err(HttpError::field(
            "journal",
            format!("{name}: line 1 is not the header of runs.csv, pain.csv or days.csv (docs/journal-format.md)"),
        ))
    }
}

/// What was uploaded: one JSON Lines file, or up to three CSV files in their slots (runs, pain, days).
enum JournalUpload {
    Jsonl(String, String),
    Csv([Option<(String, String)>; 3]),
}

impl JournalUpload {
    /// Sorts the uploaded files by kind (from their names and header rows; nothing is parsed yet).
    fn pick(files: Vec<(String, String)>) -> Result<JournalUpload, HttpError> {
        let (csv, mut jsonl): (Vec<_>, Vec<_>) =
            files.into_iter().partition(|(name, _)| name.to_ascii_lowercase().ends_with(".csv"));
        match (jsonl.len(), csv.is_empty()) {
            (0, true) => {
                Err(HttpError::field("journal", "Choose a journal file: a .jsonl, or runs.csv, pain.csv and days.csv."))
            }
            (1, true) => jsonl.pop().map(|(n, t)| JournalUpload::Jsonl(n, t)).ok_or(HttpError::NotFound),
            (0, false) => {
                const NAMES: [&str; 3] = ["runs.csv", "pain.csv", "days.csv"];
                let mut slots: [Option<(String, String)>; 3] = [None, None, None];
                for (name, text) in csv {
                    let kind = csv_kind(&name, &text)?;
                    if slots[kind].replace((name, text)).is_some() {
                        return Err(HttpError::field("journal", format!("two files hold {}; choose one", NAMES[kind])));
                    }
                }
                Ok(JournalUpload::Csv(slots))
            }
            _ => Err(HttpError::field(
                "journal",
                "Import one JSON Lines file, or CSV files — not several JSON Lines files or both kinds at once.",
            )),
        }
    }

    /// Streams the records into the store in one transaction (all or nothing; a bad line names itself).
    fn import_into(
        &self,
        store: &dyn runtall_store::Store,
        now: jiff::Timestamp,
    ) -> Result<JournalImportStats, HttpError> {
        let stats = match self {
            JournalUpload::Jsonl(name, text) => runtall_app::journal_file::import_records(
                store,
                &mut journal_format::JsonlReader::new(name, text.as_bytes(), now),
            )?,
            JournalUpload::Csv(slots) => {
                let open = |i: usize| {
                    slots[i].as_ref().map(|(n, t)| (n.clone(), Box::new(t.as_bytes()) as Box<dyn std::io::BufRead>))
                };
                runtall_app::journal_file::import_records(
                    store,
                    &mut journal_format::CsvReader::new(open(0), open(1), open(2), now),
                )?
            }
        };
        Ok(stats)
    }
}

async fn import(st: &AppState, files: Vec<(String, String)>) -> Result<JournalImportStats, HttpError> {
    let upload = JournalUpload::pick(files)?;
    st.db.run(move |store| upload.import_into(store, jiff::Timestamp::now())).await
}

/// The settings page with the import's outcome: the summary (200) or the problem next to the file box (422).
async fn import_form(
    State(st): State<AppState>,
    session: Session,
    multipart: Multipart,
) -> Result<Response, HttpError> {
    let outcome = match read_files(multipart).await {
        Ok(files) => import(&st, files).await,
        Err(e) => Err(e),
    };
    let (block, status) = match outcome {
        Ok(stats) => (import_block(&session, &Errors::default(), Some(&stats)), StatusCode::OK),
        Err(HttpError::Invalid(fields)) => {
            (import_block(&session, &Errors(fields), None), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(other) => return Err(other),
    };
    let s = snapshot(&st).await?;
    let (r, problem) = load_reminders(&st).await?;
    let db_path = where_kept(&st);
    let card = reminder_card(&session, &r, &Errors::default(), problem.as_deref());
    let body = html! { h1 { "Settings" } (form(&session, &s.profile, &Errors::default(), &db_path, card, block)) };
    let mut response = Page::new("Settings", Nav::Settings, body).render(&session);
    *response.status_mut() = status;
    Ok(response)
}

/// `runtall journal import` over HTTP: multipart (the form's `journal` field, one .jsonl or CSV files) or the
/// JSON Lines text as the raw body (any other content type). Answers the counts, as `--json` prints them.
async fn import_api(State(st): State<AppState>, request: Request) -> Result<Response, HttpError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let files = if multipart {
        let m = Multipart::from_request(request, &()).await.map_err(|e| HttpError::field("journal", e.body_text()))?;
        read_files(m).await?
    } else {
        let bytes = axum::body::to_bytes(request.into_body(), JOURNAL_LIMIT)
            .await
            .map_err(|_| HttpError::field("journal", "larger than 32 MB, or interrupted"))?;
        let text = String::from_utf8(bytes.to_vec())
            .map_err(|_| HttpError::field("journal", "the body is not JSON Lines text (UTF-8)"))?;
        vec![("journal.jsonl".to_string(), text)]
    };
    let stats = import(&st, files).await?;
    Ok(json(json!({ "imported": stats, "summary": import_summary(&stats) })))
}
