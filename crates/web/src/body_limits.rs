//! How large a request body each route accepts, checked against `Content-Length` before a byte of the body is
//! read: an oversized declared body gets 413 at once instead of being read up to the limit (or, for a form, by
//! the CSRF check) first. Bodies without a length (chunked) are still cut at the same limit as they are read, by
//! the `DefaultBodyLimit` layers of the routers named here.

use crate::error::HttpError;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Largest request body accepted anywhere (forms and JSON) but the routes below.
pub const BODY_LIMIT: usize = 256 * 1024;

/// Largest upload of watch files in one request: a whole Strava or Garmin export fits (they run to a few hundred
/// MB); the files are streamed to disk beside the database, never held in memory.
pub const UPLOAD_LIMIT: usize = 2 * 1024 * 1024 * 1024;

/// Largest journal upload: years of runs, pain and days as JSON Lines stay well under it.
pub const JOURNAL_LIMIT: usize = 32 * 1024 * 1024;

/// Largest posture landmark upload: a 100-minute run video's frames at 10 per second.
pub const LANDMARKS_LIMIT: usize = 16 * 1024 * 1024;

/// Largest kept posture photo, with room for the multipart framing around it.
pub const POSTURE_PHOTO_LIMIT: usize = runtall_app::posture::MAX_PHOTO_BYTES + 1024;

/// Largest sync batch or pull request (`runtall sync`): the protocol's own limit, so the client never builds one
/// the server refuses.
pub const SYNC_LIMIT: usize = runtall_app::sync::MAX_BATCH_BYTES;

/// The limit of the route at `path` (the routers of `import`, `settings` and `posture` apply the same constants).
pub fn limit_for(path: &str) -> usize {
    match path {
        "/import" | "/api/import" => UPLOAD_LIMIT,
        "/settings/journal-import" | "/api/journal/import" => JOURNAL_LIMIT,
        "/api/posture" | "/api/posture/measure" => LANDMARKS_LIMIT,
        // A pull names every record the device holds: a ten-year journal's list is about 280 KB compressed.
        "/api/sync/batch" | "/api/sync/pull" => SYNC_LIMIT,
        p if p.starts_with("/api/posture/") && p.ends_with("/photo") => POSTURE_PHOTO_LIMIT,
        _ => BODY_LIMIT,
    }
}

/// The middleware: 413 when the declared length is over the route's limit (or unreadable).
pub async fn guard(request: Request, next: Next) -> Response {
    if let Some(length) = request.headers().get(header::CONTENT_LENGTH) {
        let declared = length.to_str().ok().and_then(|v| v.trim().parse::<u64>().ok());
        match declared {
            Some(n) if n <= limit_for(request.uri().path()) as u64 => {}
            Some(_) => return HttpError::TooLarge.into_response(),
            None => return HttpError::bad("The Content-Length header is not a number.").into_response(),
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every route that takes more than a form must be named here, or a real upload is refused up front: a phone
    /// photo of a few MB kept with a posture check, a long run video's landmarks.
    #[test]
    fn large_uploads_are_not_refused_up_front() {
        assert!(limit_for("/api/posture/12/photo") >= runtall_app::posture::MAX_PHOTO_BYTES);
        assert!(limit_for("/api/posture") >= 8 * 1024 * 1024);
        assert!(limit_for("/api/posture/measure") >= 8 * 1024 * 1024);
        assert_eq!(limit_for("/api/posture/12/delete"), BODY_LIMIT);
        assert_eq!(limit_for("/api/import"), UPLOAD_LIMIT);
        assert_eq!(limit_for("/api/sync/batch"), runtall_app::sync::MAX_BATCH_BYTES);
        assert_eq!(limit_for("/api/sync/pull"), runtall_app::sync::MAX_BATCH_BYTES);
        assert_eq!(limit_for("/pain"), BODY_LIMIT);
    }
}
