//! Import: watch files or a whole export zip dropped on the page, stored with live progress and a result per file.
//!
//! The same loop as `runtall import` (`runtall_app::import::import_paths`): the upload is streamed to a private
//! directory beside the database (never held in memory), a background job decodes and stores it, and the job page
//! polls a server-rendered status fragment. Without JavaScript the plain form works too and the job page reloads
//! itself while the job runs.

use super::json;
use crate::AppState;
use crate::error::HttpError;
use crate::import_jobs::{JobStatus, JobView};
use crate::layout::{Nav, Page, csrf_field, maud_response};
use crate::session::{CSRF_FIELD, Session};
use axum::Router;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use runtall_app::import::FileResult;
use runtall_domain::text::count;
use tokio::io::AsyncWriteExt;

/// Files in one upload: a season of single files, or one export zip (whose entries do not count here).
const MAX_FILES: usize = 5_000;
/// Rows of per-file results shown on the page; failures are always listed in full.
const MAX_SHOWN: usize = 300;
/// Files at least this large get a line showing how far into them the import is.
const LARGE_FILE_BYTES: u64 = 8_000_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/import", get(page).post(upload_form))
        .route("/api/import", post(upload_api))
        .layer(DefaultBodyLimit::max(crate::UPLOAD_LIMIT))
        .route("/import/jobs/{id}", get(job_page))
        .route("/import/jobs/{id}/status", get(job_fragment))
        .route("/import/jobs/{id}/cancel", post(cancel_form))
        .route("/api/import/jobs", get(api_jobs))
        .route("/api/import/jobs/{id}", get(api_job))
        .route("/api/import/jobs/{id}/cancel", post(cancel_api))
}

/// Keeps the letters, digits, dots, dashes and underscores of the last path component of an uploaded name: a
/// crafted name (`../../x`, `C:\x`, control characters) cannot point anywhere but into the upload directory.
fn safe_name(raw: &str, index: usize) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let mut cleaned: String =
        last.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    cleaned = cleaned.trim_start_matches('.').to_string();
    if cleaned.len() > 120 {
        cleaned = cleaned[cleaned.len() - 120..].to_string();
    }
    if cleaned.is_empty() {
        cleaned = "upload".into();
    }
    format!("{index:04}-{cleaned}")
}

/// The file name a stored source path stands for, without any folder of the server: `…/Downloads/run.fit` →
/// `run.fit`; an upload kept as `…/.runtall-uploads/upload-x/0003-run.fit` → `run.fit` (the [`safe_name`]
/// prefix dropped); an archive entry keeps its path inside the archive (`export.zip!activities/1.fit.gz`).
pub fn original_name(stored: &str) -> String {
    // The importer names an archive entry `archive.zip!inner/path`; a `!` elsewhere is part of a folder name.
    let (file, inner) = match stored.to_ascii_lowercase().find(".zip!") {
        Some(at) => (&stored[..at + 4], Some(&stored[at + 5..])),
        None => (stored, None),
    };
    let mut parts = file.rsplit(['/', '\\']);
    let last = parts.next().unwrap_or(file);
    let in_upload = parts.next().is_some_and(|dir| dir.starts_with("upload-"))
        && parts.next().is_some_and(|dir| dir == ".runtall-uploads");
    let name = match last.split_once('-') {
        Some((index, rest)) if in_upload && index.len() >= 4 && index.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => last,
    };
    match inner {
        Some(inner) => format!("{name}!{inner}"),
        None => name.to_string(),
    }
}

/// The name as the runner will recognise it on the results list (no path, printable, bounded).
fn display_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let shown: String = last.chars().filter(|c| !c.is_control()).take(160).collect();
    if shown.is_empty() { "(unnamed file)".into() } else { shown }
}

fn too_large(e: &MultipartError) -> bool {
    e.status() == StatusCode::PAYLOAD_TOO_LARGE
}

fn upload_error(e: MultipartError) -> HttpError {
    if too_large(&e) {
        HttpError::field(
            "files",
            "That upload is larger than 2 GB. Import the export in parts, or use `runtall import`.",
        )
    } else {
        HttpError::field("files", "The upload was interrupted or malformed. Choose the files again.")
    }
}

async fn save_field(mut field: Field<'_>, path: &std::path::Path) -> Result<(), HttpError> {
    // Private (0600) whatever the umask: the upload is the runner's health data.
    let file = runtall_store::private_files::create_file(path).map_err(HttpError::from_io)?;
    let mut file = tokio::fs::File::from_std(file);
    while let Some(chunk) = field.chunk().await.map_err(upload_error)? {
        file.write_all(&chunk).await.map_err(HttpError::from_io)?;
    }
    file.flush().await.map_err(HttpError::from_io)?;
    Ok(())
}

/// Streams every file of the upload to a fresh private directory beside the database and starts the job.
async fn receive(st: &AppState, mut multipart: Multipart) -> Result<u64, HttpError> {
    let base = crate::import_jobs::upload_dir(st.db.path());
    let private = base.clone();
    tokio::task::spawn_blocking(move || runtall_store::private_files::create_dir(&private, true))
        .await
        .map_err(HttpError::internal)?
        .map_err(HttpError::internal)?;
    let dir = tempfile::Builder::new().prefix("upload-").tempdir_in(&base).map_err(HttpError::internal)?;
    let mut names = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(upload_error)? {
        let Some(raw) = field.file_name().map(str::to_string) else { continue };
        // A file input with nothing chosen still sends an empty part with an empty name.
        if raw.is_empty() {
            continue;
        }
        if names.len() >= MAX_FILES {
            return Err(HttpError::field(
                "files",
                format!("At most {MAX_FILES} files per upload; put them in a zip, or import in parts."),
            ));
        }
        let stored = safe_name(&raw, names.len() + 1);
        save_field(field, &dir.path().join(&stored)).await?;
        names.push((stored, display_name(&raw)));
    }
    if names.is_empty() {
        return Err(HttpError::field("files", "Choose at least one watch file (FIT, GPX, TCX, gz) or an export zip."));
    }
    let athlete = st.db.serving().ok_or(HttpError::NotFound)?;
    Ok(st.imports.start(st.db.clone(), athlete, dir, names))
}

async fn upload_form(State(st): State<AppState>, multipart: Multipart) -> Result<Response, HttpError> {
    let id = receive(&st, multipart).await?;
    Ok(Redirect::to(&format!("/import/jobs/{id}")).into_response())
}

async fn upload_api(State(st): State<AppState>, multipart: Multipart) -> Result<Response, HttpError> {
    let id = receive(&st, multipart).await?;
    let body = serde_json::json!({
        "job": id,
        "status": format!("/api/import/jobs/{id}"),
        "page": format!("/import/jobs/{id}"),
    });
    Ok((StatusCode::ACCEPTED, axum::Json(body)).into_response())
}

fn mb(bytes: u64) -> String {
    let m = bytes as f64 / 1e6;
    if m >= 10.0 { format!("{m:.0} MB") } else { format!("{m:.1} MB") }
}

fn result_cell(f: &FileResult) -> Markup {
    html! {
        @if let Some(reason) = &f.error {
            @if f.not_activity { span class="badge" { "not an activity" } " " (reason) }
            @else { span class="badge bad" { "could not be read" } " " (reason) }
        } @else {
            @for id in &f.added { a class="badge good" href={ "/runs/" (id) } { "added #" (id) } " " }
            @if f.salvaged > 0 { span class="badge warn" { "salvaged from a damaged file" } " " }
            @for id in &f.duplicates { a class="badge" href={ "/runs/" (id) } { "already in the journal (#" (id) ")" } " " }
            @for id in &f.replaced { a class="badge good" href={ "/runs/" (id) } { "better copy: replaced #" (id) } " " }
            @if f.added.is_empty() && f.duplicates.is_empty() && f.replaced.is_empty() { span class="muted" { "no activity in this file" } }
        }
    }
}

/// The live part of a job page: the progress bar, the counts, the cancel button and the per-file results.
fn status_fragment(job: &JobView, session: &Session) -> Markup {
    let running = job.status == JobStatus::Running;
    let problems: Vec<&FileResult> = job.files.iter().filter(|f| f.error.is_some()).collect();
    let shown: Vec<&FileResult> = if job.files.len() <= MAX_SHOWN {
        job.files.iter().collect()
    } else {
        job.files.iter().filter(|f| f.error.is_some()).chain(job.files.iter().rev().take(50)).collect()
    };
    let percent = if job.bytes_total > 0 { job.bytes_done as f64 / job.bytes_total as f64 * 100.0 } else { 0.0 };
    html! {
        div id="job-status" data-running=(if running { "true" } else { "false" }) data-job=(job.id) aria-live="polite" {
            @match job.status {
                JobStatus::Running => {
                    p { strong { "Importing… " } (count(job.files_done, "file", "files")) " of " (job.files_total)
                        " read, " (mb(job.bytes_done)) " of " (mb(job.bytes_total)) "." }
                    progress max="100" value=(format!("{percent:.0}")) aria-label="Import progress" { (format!("{percent:.0}%")) }
                    @if job.current_bytes_total >= LARGE_FILE_BYTES {
                        p class="muted" { "Files being read now: " (mb(job.current_bytes_done)) " of "
                            (mb(job.current_bytes_total)) " done." }
                    }
                    @if job.cancel_requested {
                        p { "Stopping… the runs stored so far are kept." }
                    } @else {
                        form method="post" action={ "/import/jobs/" (job.id) "/cancel" } class="inline" {
                            (csrf_field(session))
                            button type="submit" class="button" { "Stop the import" }
                            " " span class="muted" { "Runs stored so far are kept; the rest of the files are not read." }
                        }
                    }
                }
                JobStatus::Cancelled => {
                    p role="status" { strong { "Import stopped." } " The runs stored before you stopped it are kept ("
                        (job.imported) " added). Upload the same files again to import the rest: the ones already "
                        "stored are skipped." }
                }
                JobStatus::Done => {
                    p { strong { "Import finished." } " " (count(job.files_total, "file", "files")) " read"
                        @if let Some(s) = &job.summary { " in " (format!("{:.1}", s.seconds)) " s" } "." }
                }
                JobStatus::Failed => {
                    p class="error-text" role="alert" { strong { "The import stopped. " } (job.error.clone().unwrap_or_default()) }
                }
            }
            ul class="counts" {
                li { strong { (job.imported) } " added" }
                li { strong { (job.duplicates) } " already in the journal" }
                li { strong { (job.not_activities) } " not activities" }
                li { strong { (job.failed) } " could not be read" }
            }
            @if !running && job.imported > 0 {
                p { a class="button primary" href="/runs" { "See your runs" } " " a class="button" href="/insights" { "See insights" } }
            }
            @if job.status == JobStatus::Done && job.imported == 0 && job.duplicates == 0 {
                p { "Nothing new was stored. The reasons are listed below; nothing already in your journal changed." }
            }
            @if !shown.is_empty() {
                table class="results" {
                    caption { "Result per file"
                        @if shown.len() < job.files.len() { " (" (problems.len()) " problems and the latest 50 of " (job.files.len()) " files)" } }
                    thead { tr { th scope="col" { "File" } th scope="col" { "Result" } } }
                    tbody {
                        @for f in &shown {
                            tr class=[f.error.is_some().then_some("problem")] {
                                td class="file" { (f.source) }
                                td { (result_cell(f)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn drop_form(session: &Session) -> Markup {
    let action = format!("/import?{CSRF_FIELD}={}", session.csrf);
    html! {
        form id="upload" class="stack" method="post" action=(action) enctype="multipart/form-data" {
            div class="dropzone" id="dropzone" {
                label for="f-files" class="drop-hint" { "Drop watch files or an export zip here, or choose them:" }
                input type="file" id="f-files" name="files" multiple
                    accept=".fit,.FIT,.gpx,.GPX,.tcx,.TCX,.gz,.zip,application/zip,application/gzip" aria-describedby="files-help";
                p id="files-help" class="muted" {
                    "FIT, GPX or TCX files (also gzipped), or a whole Strava or Garmin export zip, up to 2 GB. "
                    "Files stay on this machine."
                }
                ul id="chosen" class="chosen" aria-live="polite" {}
            }
            div id="upload-progress" class="upload-progress" hidden {
                label for="upload-bar" { "Uploading" }
                progress id="upload-bar" max="100" value="0" { "0%" }
                span id="upload-text" {}
            }
            p id="upload-error" class="error-text" role="alert" hidden {}
            button type="submit" class="button primary" id="upload-go" { "Import" }
        }
    }
}

async fn page(State(st): State<AppState>, session: Session) -> Result<Response, HttpError> {
    let recent = st.imports.recent(st.db.serving().ok_or(HttpError::NotFound)?);
    let body = html! {
        h1 { "Import runs" }
        p { "Your watch records each run as a file. Bring them here and runtall sorts each run into easy, long, "
            "speed, race or trail, so your pain reports and context can be compared across run types." }
        (drop_form(&session))
        section class="card" {
            h2 { "Where to find your files" }
            ul {
                li { strong { "Garmin: " } "connect the watch by USB and open " code { "GARMIN/Activity" } " (FIT files), "
                     "or request your data export from Garmin Connect (a zip)." }
                li { strong { "Strava: " } "Settings → My Account → Download or delete your account → request your "
                     "archive (a zip with " code { "activities/" } ")." }
                li { strong { "Others: " } "most apps export a run as GPX or TCX." }
            }
            p class="muted" { "The same run imported twice is recognised and skipped, so re-importing a whole export is safe." }
        }
        @if !recent.is_empty() {
            section class="card" {
                h2 { "Recent imports" }
                ul {
                    @for j in &recent {
                        li { a href={ "/import/jobs/" (j.id) } { "Import " (j.id) } " — "
                            (count(j.uploaded, "file", "files")) " uploaded, " (j.imported) " added"
                            @if j.status == JobStatus::Running { " (running)" } }
                    }
                }
            }
        }
    };
    Ok(Page::new("Import runs", Nav::Runs, body).script("import.js").render(&session))
}

fn job(st: &AppState, id: u64) -> Result<JobView, HttpError> {
    st.imports.get(st.db.serving().ok_or(HttpError::NotFound)?, id).ok_or(HttpError::NotFound)
}

async fn job_page(State(st): State<AppState>, session: Session, Path(id): Path<u64>) -> Result<Response, HttpError> {
    let job = job(&st, id)?;
    let body = html! {
        p { a href="/import" { "← Import more" } }
        h1 { "Import " (id) }
        p class="muted" { (count(job.uploaded, "file", "files")) " uploaded at " (job.started.strftime("%H:%M:%S UTC")) "." }
        (status_fragment(&job, &session))
        @if job.status == JobStatus::Running {
            noscript { p { "This page reloads itself until the import is done." } }
        }
    };
    let mut page = Page::new("Import", Nav::Runs, body).script("import.js");
    if job.status == JobStatus::Running {
        // With JavaScript, import.js polls the status fragment; without it, the page reloads itself.
        page = page.reload_without_script(2);
    }
    Ok(page.render(&session))
}

async fn job_fragment(
    State(st): State<AppState>,
    session: Session,
    Path(id): Path<u64>,
) -> Result<Response, HttpError> {
    let job = job(&st, id)?;
    let mut response = maud_response(html! { (status_fragment(&job, &session)) });
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn api_job(State(st): State<AppState>, Path(id): Path<u64>) -> Result<Response, HttpError> {
    Ok(json(job(&st, id)?))
}

async fn api_jobs(State(st): State<AppState>) -> Result<Response, HttpError> {
    Ok(json(st.imports.recent(st.db.serving().ok_or(HttpError::NotFound)?)))
}

/// Stop a running job (the page's button): files stored so far are kept.
async fn cancel_form(State(st): State<AppState>, Path(id): Path<u64>) -> Result<Response, HttpError> {
    st.imports.cancel(st.db.serving().ok_or(HttpError::NotFound)?, id).ok_or(HttpError::NotFound)?;
    Ok(Redirect::to(&format!("/import/jobs/{id}")).into_response())
}

/// `POST /api/import/jobs/{id}/cancel`: 202 while the job stops, 409 if it had already ended.
async fn cancel_api(State(st): State<AppState>, Path(id): Path<u64>) -> Result<Response, HttpError> {
    match st.imports.cancel(st.db.serving().ok_or(HttpError::NotFound)?, id).ok_or(HttpError::NotFound)? {
        true => {
            let body = serde_json::json!({ "job": id, "cancelling": true, "status": format!("/api/import/jobs/{id}") });
            Ok((StatusCode::ACCEPTED, axum::Json(body)).into_response())
        }
        false => Err(HttpError::Conflict("That import has already ended.".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploaded_names_cannot_escape_the_upload_directory() {
        assert_eq!(safe_name("../../etc/passwd", 1), "0001-passwd");
        assert_eq!(safe_name("C:\\Users\\x\\run 1.fit", 2), "0002-run_1.fit");
        assert_eq!(safe_name("..", 3), "0003-upload");
        assert_eq!(safe_name(".hidden.gpx", 4), "0004-hidden.gpx");
        assert!(safe_name(&"a".repeat(500), 5).len() <= 125);
        assert_eq!(display_name("dir/Morning Run\u{7}.fit"), "Morning Run.fit");
    }

    #[test]
    fn stored_paths_are_shown_as_the_original_file_name() {
        let upload = "/home/r/.local/share/runtall/.runtall-uploads/upload-Ab12/0003-morning-run.fit";
        assert_eq!(original_name(upload), "morning-run.fit");
        let zip = "/d/.runtall-uploads/upload-Ab12/0001-export.zip!activities/1.fit.gz";
        assert_eq!(original_name(zip), "export.zip!activities/1.fit.gz");
        assert_eq!(original_name("/home/r/Downloads/0003-run.fit"), "0003-run.fit", "not an upload: kept");
        assert_eq!(original_name("C:\\Users\\r\\run.gpx"), "run.gpx");
        assert_eq!(original_name("run.tcx"), "run.tcx");
        assert_eq!(original_name("/home/r/My!Runs/a.fit"), "a.fit", "a ! in a folder name is no archive");
        assert_eq!(original_name("/x/Export.ZIP!b.zip!c.fit"), "Export.ZIP!b.zip!c.fit");
        assert_eq!(original_name("/tmp/export.zip!activities/a/b.fit"), "export.zip!activities/a/b.fit");
    }
}
