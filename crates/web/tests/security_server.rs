//! The server on a real loopback socket, as a hostile client would use it: a slow-header client is cut off while
//! a normal request still answers, a body trickled byte by byte is cut off, idle connections cannot exhaust the
//! server (the cap makes new clients wait, not fail), a foreign `Host` is refused, an oversized `Content-Length`
//! is answered before the body is sent, one client's parallel sign-in attempts are checked one at a time, and
//! HTTPS works with a `Secure` cookie. Loopback only; every wait is bounded.

mod net;

use net::*;
use runtall_web::{Limits, TlsFiles, WebError, tls_config};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

fn quick(max_connections: usize) -> Limits {
    Limits { header_read: Duration::from_secs(1), idle: Duration::from_secs(1), max_connections, per_client: 64 }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_header_client_is_cut_off_while_a_normal_request_answers() {
    let server = start(None, quick(64), None).await;
    let started = Instant::now();
    let mut slow = connect_from(server.addr, None).await;
    slow.write_all(b"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").await.expect("half a head");
    let mut silent = connect_from(server.addr, None).await;

    let normal = get(server.addr, "/api/state", "127.0.0.1", None).await;
    assert_eq!(normal.status, 200, "a normal client is served meanwhile");
    assert!(started.elapsed() < Duration::from_millis(900), "and without waiting for the slow one");

    let sent = closed_within(&mut slow, Duration::from_secs(4)).await.expect("the half-sent head is cut off");
    assert!(sent.is_empty(), "and gets no page: {}", String::from_utf8_lossy(&sent));
    let cut = started.elapsed();
    assert!(cut >= Duration::from_millis(900), "not before the timeout ({cut:?})");
    assert!(cut < Duration::from_secs(3), "within the timeout and a margin ({cut:?})");
    assert!(closed_within(&mut silent, Duration::from_secs(3)).await.is_some(), "a silent connection is cut too");
    assert_eq!(get(server.addr, "/api/state", "127.0.0.1", None).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_trickled_slower_than_the_idle_timeout_is_cut_off() {
    let server = start(None, Limits { header_read: Duration::from_secs(5), ..quick(64) }, None).await;
    let session = get(server.addr, "/api/session", "127.0.0.1", None).await;
    let cookie = session.cookie().expect("cookie");
    let token = session.body.split("\"csrf_token\":\"").nth(1).and_then(|s| s.split('"').next()).expect("token");
    let mut stream = connect_from(server.addr, None).await;
    let head = format!(
        "POST /api/pain HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nX-CSRF-Token: {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{{"
    );
    stream.write_all(head.as_bytes()).await.expect("head and one byte");
    let started = Instant::now();
    let sent = closed_within(&mut stream, Duration::from_secs(4)).await.expect("the stalled body is cut off");
    // The handler sees its body fail and may still get a 400 out before the close; never a success.
    let sent = String::from_utf8_lossy(&sent);
    assert!(sent.is_empty() || sent.starts_with("HTTP/1.1 4"), "no success on half a body: {sent}");
    let cut = started.elapsed();
    assert!((Duration::from_millis(900)..Duration::from_secs(3)).contains(&cut), "{cut:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_cannot_exhaust_the_server_new_clients_wait_their_turn() {
    let server = start(None, quick(8), None).await;
    let mut idle = Vec::new();
    for _ in 0..20 {
        idle.push(connect_from(server.addr, None).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(server.stats.open() <= 8, "at most the cap is open: {}", server.stats.open());
    let started = Instant::now();
    let normal = get(server.addr, "/api/state", "127.0.0.1", None).await;
    assert_eq!(normal.status, 200, "served once the idle ones time out");
    assert!(started.elapsed() < Duration::from_secs(8), "{:?}", started.elapsed());
    assert!(server.stats.peak() <= 8, "never more than the cap: {}", server.stats.peak());
    assert!(server.stats.accepted() >= 9);
    println!(
        "cap 8, 20 idle connections: a normal request answered after {:?}; peak open {}",
        started.elapsed(),
        server.stats.peak()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_flooding_client_holds_a_few_connections_and_others_are_served_at_once() {
    let slow = Duration::from_secs(5);
    let server = start(None, Limits { per_client: 4, header_read: slow, idle: slow, ..quick(16) }, None).await;
    let flooder = "127.0.0.9".parse().ok();
    let mut idle = Vec::new();
    for _ in 0..12 {
        idle.push(connect_from(server.addr, flooder).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.stats.open(), 4, "only the client's share is held open");
    assert_eq!(server.stats.refused(), 8, "the rest are closed at once");
    let mut closed = 0;
    for stream in &mut idle {
        if closed_within(stream, Duration::from_millis(200)).await.is_some() {
            closed += 1;
        }
    }
    assert_eq!(closed, 8, "the refused ones see their connection closed");
    let started = Instant::now();
    let mut other = connect_from(server.addr, "127.0.0.10".parse().ok()).await;
    let reply = exchange(&mut other, "GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").await;
    assert_eq!(reply.expect("answer").status, 200);
    assert!(started.elapsed() < Duration::from_secs(1), "another client waits for nobody: {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_host_is_refused_over_the_network_and_loopback_names_are_served() {
    let server = start(None, quick(64), None).await;
    let port = server.addr.port();
    for host in ["evil.example".to_string(), format!("evil.example:{port}"), format!("rebind.127.0.0.1.nip.io:{port}")]
    {
        for path in ["/welcome", "/api/session", "/api/journal/export", "/export/journal.jsonl", "/assets/app.css"] {
            let r = get(server.addr, path, &host, None).await;
            assert_eq!(r.status, 421, "{path} for {host}");
            assert!(r.cookie().is_none(), "no session is handed out to a foreign host");
        }
    }
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}"), "localhost".into()] {
        assert_eq!(get(server.addr, "/api/session", &host, None).await.status, 200, "{host}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_content_length_is_answered_before_the_body_is_sent() {
    let server = start(None, quick(64), None).await;
    let mut stream = connect_from(server.addr, None).await;
    let request = "POST /api/pain HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
                   Content-Length: 104857600\r\nConnection: close\r\n\r\n";
    let started = Instant::now();
    let reply = exchange(&mut stream, request).await.expect("an answer without sending the 100 MB");
    assert_eq!(reply.status, 413);
    assert!(started.elapsed() < Duration::from_millis(900), "{:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_gets_one_password_check_at_a_time() {
    let server = start(Some("correct horse battery"), quick(64), None).await;
    let (cookie, csrf) = login_form(server.addr).await;
    let client = "127.0.0.7".parse().ok();
    let attempts = (0..10).map(|i| {
        let request = login_request(server.addr, &cookie, &csrf, &format!("guess-{i}"));
        let addr = server.addr;
        tokio::spawn(async move {
            let mut stream = connect_from(addr, client).await;
            exchange(&mut stream, &request).await.expect("answer")
        })
    });
    let mut statuses = Vec::new();
    for a in attempts.collect::<Vec<_>>() {
        let reply = a.await.expect("task");
        if reply.status == 429 {
            assert!(reply.header("retry-after").is_some_and(|s| s.parse::<u64>().is_ok_and(|s| s >= 1)), "{reply:?}");
        }
        statuses.push(reply.status);
    }
    statuses.sort();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!((1..=2).contains(&checked), "one check at a time for one client: {statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 10 - checked, "{statuses:?}");
    // Another client is not held up by this one's failures.
    let mut other = connect_from(server.addr, "127.0.0.8".parse().ok()).await;
    let reply = exchange(&mut other, &login_request(server.addr, &cookie, &csrf, "correct horse battery")).await;
    assert_eq!(reply.expect("answer").status, 303);
}

/// A self-signed certificate for `localhost` and its key, written as PEM files.
fn certificate(dir: &std::path::Path) -> (TlsFiles, String) {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("certificate");
    let files = TlsFiles { cert: dir.join("cert.pem"), key: dir.join("key.pem") };
    std::fs::write(&files.cert, cert.pem()).expect("cert");
    std::fs::write(&files.key, signing_key.serialize_pem()).expect("key");
    (files, cert.pem())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_serves_with_a_secure_cookie_and_plain_http_is_not_answered() {
    let certs = tempfile::tempdir().expect("dir");
    let (files, pem) = certificate(certs.path());
    let server = start(None, quick(64), Some(tls_config(&files).expect("usable certificate"))).await;

    let mut roots = rustls::RootCertStore::empty();
    let der = rustls::pki_types::pem::PemObject::from_pem_slice(pem.as_bytes()).expect("pem");
    roots.add(der).expect("root");
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client));
    let tcp = connect_from(server.addr, None).await;
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let mut tls = connector.connect(name, tcp).await.expect("TLS handshake");
    let port = server.addr.port();
    let request = format!("GET /api/session HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n");
    let reply = exchange(&mut tls, &request).await.expect("answer over TLS");
    assert_eq!(reply.status, 200, "{reply:?}");
    let set_cookie = reply.header("set-cookie").unwrap_or("");
    assert!(set_cookie.contains("; Secure") && set_cookie.contains("HttpOnly"), "{set_cookie}");

    // Plain HTTP to the TLS port gets no page (and so no data); the connection is dropped promptly.
    let mut plain = connect_from(server.addr, None).await;
    plain.write_all(b"GET /api/session HTTP/1.1\r\nHost: localhost\r\n\r\n").await.expect("write");
    let started = Instant::now();
    let sent = closed_within(&mut plain, Duration::from_secs(4)).await.expect("closed");
    assert!(!String::from_utf8_lossy(&sent).contains("csrf_token"), "no data over plain HTTP");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn unusable_certificate_files_are_refused_by_name() {
    let dir = tempfile::tempdir().expect("dir");
    let (files, _) = certificate(dir.path());
    let missing = TlsFiles { cert: dir.path().join("nope.pem"), key: files.key.clone() };
    let err = tls_config(&missing).expect_err("refused");
    assert!(matches!(&err, WebError::Tls { path, .. } if path.ends_with("nope.pem")), "{err}");
    let swapped = TlsFiles { cert: files.key.clone(), key: files.cert.clone() };
    let err = tls_config(&swapped).expect_err("refused");
    assert!(err.to_string().contains("key.pem") && err.to_string().contains("certificate"), "{err}");
    let (other, _) = certificate(&{
        let d = dir.path().join("other");
        std::fs::create_dir(&d).expect("dir");
        d
    });
    let mismatched = TlsFiles { cert: files.cert.clone(), key: other.key };
    assert!(tls_config(&mismatched).is_err(), "a key of another certificate");
}
