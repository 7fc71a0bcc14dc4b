//! `runtall sync --server URL --token T`: sends the local journal to a clinic server and brings back what the
//! clinician set (docs/sync.md). The protocol is `runtall_app::sync`; this file only carries its bytes over
//! HTTP(S) and says clearly what went wrong: an unreachable server, a refused token, a server too old.
//!
//! Each batch the server acknowledges is saved in the local settings at once, so a connection cut anywhere
//! costs at most the batch in flight: a transfer error is retried twice, and running `runtall sync` again sends
//! the rest.

use super::Ctx;
use crate::args::SyncArgs;
use crate::error::{CliError, CliResult};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jiff::Timestamp;
use runtall_app::sync::{self, SyncError, SyncState};
use runtall_domain::text::count;
use std::time::Duration;

/// A server's error answer (`{"error": "code", "message": "..."}`), as the API sends it.
#[derive(Debug, serde::Deserialize)]
struct ServerError {
    error: String,
    #[serde(default)]
    message: Option<String>,
}

impl ServerError {
    /// The server's words for a failure body, or the start of the body when it is not the API's JSON.
    fn reason(body: &[u8]) -> String {
        match serde_json::from_slice::<ServerError>(body) {
            Ok(e) => e.message.unwrap_or(e.error),
            Err(_) => String::from_utf8_lossy(body).chars().take(300).collect(),
        }
    }
}

/// Transfer attempts per batch before giving up (the sync resumes next time anyway).
const ATTEMPTS: u32 = 3;

/// Pull answers per sync at most (each holds up to 250 records): a server that keeps saying "more" without
/// sending anything new cannot keep the client busy.
const MAX_PULLS: usize = 1_000;

pub fn run(ctx: &Ctx, args: SyncArgs) -> CliResult {
    let store = ctx.store()?;
    let state = SyncState::load(&store).map_err(sync_err)?;
    let server = match args.server.as_deref().or(state.server.as_deref()) {
        Some(s) => s.trim_end_matches('/').to_string(),
        None => {
            return Err(CliError::user(
                "no clinic server yet: pass --server URL (the address on the server's \"Connect a device\" page); \
                 it is remembered for the next sync",
            ));
        }
    };
    if !(server.starts_with("https://") || server.starts_with("http://")) {
        return Err(CliError::user(format!("--server {server}: give the address with https:// (or http://)")));
    }
    if server.starts_with("http://") && !loopback(&server) && !args.allow_http {
        return Err(CliError::user(format!(
            "{server} is plain HTTP: your device token and health data would travel unencrypted. Use the server's \
             https:// address (--ca-cert for a self-signed certificate), or pass --allow-http on a network you trust"
        )));
    }
    let token = args.token.as_deref().map(str::trim).filter(|t| !t.is_empty()).ok_or_else(|| {
        CliError::user(
            "no device token: pass --token T or set RUNTALL_SYNC_TOKEN (make one on the server's \
             \"Connect a device\" page)",
        )
    })?;
    let client = Client::new(&server, token, args.ca_cert.as_deref())?;
    let hello = client.hello()?;
    match sync::check_cursor(&store, &server, hello.runs).map_err(sync_err)? {
        Some(sync::Restart::OtherServer) if !ctx.json => {
            eprintln!("First sync with {server}: sending everything.");
        }
        Some(sync::Restart::ServerLostRecords) if !ctx.json => eprintln!(
            "{server} holds fewer of your runs than it confirmed before (restored from a backup?): sending \
             everything again; what it still has is matched, not stored twice."
        ),
        _ => {}
    }

    let limits = sync::BatchLimits { records: args.batch_records, ..Default::default() };
    let out = sync::outgoing_in(&store, limits).map_err(sync_err)?;
    let pending = out.pending_records();
    let bar = if pending > 0 && !ctx.json {
        let bar = ProgressBar::with_draw_target(Some(pending as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} sending {pos}/{len} records {wide_bar} {msg} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut sent_bytes = 0usize;
    let mut totals = sync::AckStats::default();
    let mut received = sync::Received::default();
    let mut deleted_there = 0usize;
    // Nothing to send still sends one empty batch: its answer brings the clinician's records.
    let mut batches: Vec<&[sync::Pending]> = out.batches.iter().map(Vec::as_slice).collect();
    if batches.is_empty() {
        batches.push(&[]);
    }
    // The next batch is read and compressed on a second connection while the server applies this one: the two
    // halves overlap instead of taking turns (about half the wall time of a first sync). Batches are still sent
    // and acknowledged in order, so a cut resumes exactly as before.
    let db_path = ctx.db_path.clone();
    std::thread::scope(|scope| -> CliResult {
        let (tx, rx) = std::sync::mpsc::sync_channel::<CliResult<Vec<u8>>>(1);
        let to_encode = &batches;
        let deletions = out.deleted.as_slice();
        scope.spawn(move || {
            let reader = match runtall_app::connect_local(&db_path) {
                Ok(r) => r,
                Err(e) => {
                    let _ = tx.send(Err(runtall_app::AppError::from(e).into()));
                    return;
                }
            };
            for (i, batch) in to_encode.iter().enumerate() {
                let deleted = if i == 0 { deletions } else { &[] };
                let body = sync::encode_batch(&reader, batch, i + 1 == to_encode.len(), deleted).map_err(sync_err);
                let failed = body.is_err();
                if tx.send(body).is_err() || failed {
                    return;
                }
            }
        });
        for (i, batch) in batches.iter().enumerate() {
            let body = rx.recv().map_err(|_| CliError::user("the sync stopped while preparing a batch"))??;
            sent_bytes += body.len();
            let ack = client.send(&body).map_err(|e| {
                bar.abandon();
                match e {
                    CliError::User(msg) if i > 0 => CliError::user(format!(
                        "{msg}\n{i} of {} batches were sent and acknowledged; run `runtall sync` again to send the \
                         rest",
                        batches.len()
                    )),
                    other => other,
                }
            })?;
            sync::acknowledge(&store, &server, batch, if i == 0 { &out.deleted } else { &[] }).map_err(sync_err)?;
            add(&mut totals, ack.stats);
            deleted_there += ack.deleted;
            bar.set_message(megabytes(sent_bytes));
            if i + 1 == batches.len() {
                received = sync::receive(&store, &ack.inbox).map_err(sync_err)?;
            }
            bar.inc(batch.len() as u64);
        }
        Ok(())
    })?;
    bar.finish_and_clear();
    // Then what the athlete made or deleted on the server (in the browser, or from another device) comes down.
    let mut pulled = sync::Pulled::default();
    for _ in 0..MAX_PULLS {
        let body = sync::pull_request(&store).map_err(sync_err)?;
        let answer = client.pull(&body)?;
        let page = sync::apply_pull(&store, &answer, Timestamp::now()).map_err(sync_err)?;
        pulled.records += page.records;
        pulled.deleted += page.deleted;
        add(&mut pulled.stats, page.stats);
        if !page.more || page.records == 0 {
            break;
        }
    }
    if pulled.deleted > 0 {
        // A posture check deleted on the server may have left its photo here: private files, swept now.
        runtall_app::posture::PhotoStore::beside(&ctx.db_path).remove_orphans(&store)?;
    }
    sync::finish(&store, &server, Timestamp::now()).map_err(sync_err)?;
    let summary = serde_json::json!({
        "server": server,
        "records_in_journal": out.total_records,
        "records_sent": pending,
        "batches": out.batches.len(),
        "bytes_sent": sent_bytes,
        "server_stored": totals,
        "deleted_on_server": deleted_there,
        "received": received,
        "pulled": pulled,
    });
    if ctx.json {
        return ctx.print_json(&summary);
    }
    if pending == 0 {
        println!("Up to date with {server}: nothing changed since the last sync.");
    } else {
        println!(
            "Synced with {server}: {pending} of {} records sent in {} batches ({}); the server added {} runs, \
             {} pain reports and {} other records, and already had {} runs.",
            out.total_records,
            out.batches.len(),
            megabytes(sent_bytes),
            totals.runs_added,
            totals.pain_added,
            totals.others_added,
            totals.runs_matched
        );
    }
    if deleted_there > 0 {
        println!("Deleted on {server} as on this machine: {}.", count(deleted_there as u64, "record", "records"));
    }
    if pulled.records + pulled.deleted > 0 {
        println!(
            "From the server (what you entered in the browser or on another device): {} received, {} deleted here.",
            count(pulled.records as u64, "record", "records"),
            count(pulled.deleted as u64, "record", "records")
        );
    }
    if received.program_changes + received.comments > 0 {
        println!(
            "From your clinician: {} and {}. `runtall plan` and Today show the changes (always within what your \
             safety screen allows).",
            count(received.program_changes as u64, "program change", "program changes"),
            count(received.comments as u64, "comment", "comments")
        );
    }
    Ok(())
}

/// Whether an http:// address names this machine (nothing leaves it, so plain HTTP is fine).
fn loopback(url: &str) -> bool {
    let rest = url.trim_start_matches("http://");
    let host_port = rest.split('/').next().unwrap_or("");
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host_port.rsplit_once(':').map_or(host_port, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Bytes sent, as a runner reads them.
fn megabytes(bytes: usize) -> String {
    if bytes < 1_000_000 { format!("{} KB", bytes.div_ceil(1000)) } else { format!("{:.1} MB", bytes as f64 / 1e6) }
}

fn add(t: &mut sync::AckStats, s: sync::AckStats) {
    t.runs_added += s.runs_added;
    t.runs_matched += s.runs_matched;
    t.pain_added += s.pain_added;
    t.pain_duplicates += s.pain_duplicates;
    t.days += s.days;
    t.others_added += s.others_added;
    t.others_matched += s.others_matched;
}

fn sync_err(e: SyncError) -> CliError {
    match e {
        SyncError::App(app) => app.into(),
        other => CliError::user(other.to_string()),
    }
}

/// The HTTP side: one agent with timeouts, the bearer token, and errors in the runner's words.
struct Client {
    agent: ureq::Agent,
    server: String,
    auth: String,
}

impl Client {
    fn new(server: &str, token: &str, ca_cert: Option<&std::path::Path>) -> CliResult<Client> {
        let mut config = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(300)))
            .http_status_as_error(false)
            .user_agent(concat!("runtall/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = ca_cert {
            let pem = std::fs::read(path)
                .map_err(|e| CliError::user(format!("--ca-cert {}: cannot read: {e}", path.display())))?;
            let certs: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            if certs.is_empty() {
                return Err(CliError::user(format!("--ca-cert {}: no PEM certificate in it", path.display())));
            }
            let tls = ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::new_with_certs(&certs)).build();
            config = config.tls_config(tls);
        }
        Ok(Client { agent: config.build().into(), server: server.to_string(), auth: format!("Bearer {token}") })
    }

    /// Checks that the server speaks sync and takes the token, before anything is sent.
    fn hello(&self) -> CliResult<sync::Hello> {
        let url = format!("{}/api/sync/hello", self.server);
        let mut resp =
            self.agent.get(&url).header("Authorization", &self.auth).call().map_err(|e| self.unreachable(e))?;
        let status = resp.status().as_u16();
        let body = resp.body_mut().with_config().limit(64 << 10).read_to_vec().unwrap_or_default();
        self.refused(status, &body)?;
        if status == 404 || status == 405 {
            return Err(CliError::user(format!(
                "{} does not offer sync (no /api/sync here): it is not a runtall clinic server, or one too old for \
                 sync; ask the clinic to upgrade runtall",
                self.server
            )));
        }
        let hello: sync::Hello = serde_json::from_slice(&body).map_err(|_| {
            CliError::user(format!(
                "{} answered {status} with something that is not a runtall sync server's answer",
                self.server
            ))
        })?;
        if hello.protocol < sync::PROTOCOL {
            return Err(CliError::user(format!(
                "the server at {} speaks sync protocol {} and this runtall {}: the server is too old; ask the clinic \
                 to upgrade runtall",
                self.server,
                hello.protocol,
                sync::PROTOCOL
            )));
        }
        Ok(hello)
    }

    /// Sends one batch, retrying a transfer error; the server's acknowledgement.
    fn send(&self, body: &[u8]) -> CliResult<sync::Ack> {
        let bytes = self.post("batch", body, 16 << 20)?;
        sync::decode_ack(&bytes).map_err(sync_err)
    }

    /// Asks for what the server holds that this machine does not (a batch in the sync format).
    fn pull(&self, body: &[u8]) -> CliResult<Vec<u8>> {
        self.post("pull", body, sync::MAX_BATCH_BYTES as u64)
    }

    /// POSTs a gzip body to `/api/sync/<route>`, retrying a transfer error or a server failure; the answer's
    /// bytes (at most `limit`).
    fn post(&self, route: &str, body: &[u8], limit: u64) -> CliResult<Vec<u8>> {
        let url = format!("{}/api/sync/{route}", self.server);
        let mut last = None;
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(500 << attempt));
            }
            let result = self
                .agent
                .post(&url)
                .header("Authorization", &self.auth)
                .header("Content-Type", "application/gzip")
                .send(body)
                .and_then(|mut resp| {
                    let status = resp.status().as_u16();
                    let body = resp.body_mut().with_config().limit(limit).read_to_vec()?;
                    Ok((status, body))
                });
            let (status, bytes) = match result {
                Ok(r) => r,
                Err(e) => {
                    last = Some(self.unreachable(e));
                    continue;
                }
            };
            self.refused(status, &bytes)?;
            if status == 200 {
                return Ok(bytes);
            }
            let reason = ServerError::reason(&bytes);
            if status >= 500 {
                last = Some(CliError::user(format!("the server failed ({status}): {reason}")));
                continue;
            }
            let what = if route == "pull" { "the request for what it holds" } else { "a batch" };
            return Err(CliError::user(format!("the server refused {what} ({status}): {reason}")));
        }
        Err(last.unwrap_or_else(|| CliError::user("the sync failed")))
    }

    fn refused(&self, status: u16, body: &[u8]) -> CliResult<()> {
        if status == 401 || status == 403 {
            return Err(CliError::user(format!(
                "the server at {} refused the device token: it may have been revoked or mistyped; make a new one \
                 on the server's \"Connect a device\" page",
                self.server
            )));
        }
        if status == 426 {
            let reason = ServerError::reason(body);
            return Err(CliError::user(format!("the server and this runtall do not speak the same sync: {reason}")));
        }
        Ok(())
    }

    fn unreachable(&self, e: ureq::Error) -> CliError {
        let why = match &e {
            ureq::Error::HostNotFound => "no such host".to_string(),
            ureq::Error::Timeout(_) => "it did not answer in time".to_string(),
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                "connection refused (is the server running, on this port?)".to_string()
            }
            other => {
                let text = other.to_string();
                if text.contains("certificate") || text.contains("Certificate") || text.contains("UnknownIssuer") {
                    format!(
                        "{text}: the server's certificate is not one this machine trusts (for a self-signed one, \
                         pass --ca-cert with it)"
                    )
                } else {
                    text
                }
            }
        };
        CliError::user(format!("cannot reach the clinic server at {}: {why}", self.server))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_this_machine_counts_as_loopback() {
        for url in ["http://127.0.0.1:8080", "http://localhost", "http://[::1]:80/x", "http://127.3.4.5:1/"] {
            assert!(super::loopback(url), "{url}");
        }
        for url in ["http://clinic.example", "http://192.168.1.20:8080", "http://localhost.evil.example"] {
            assert!(!super::loopback(url), "{url}");
        }
    }
}
