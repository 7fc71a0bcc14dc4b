//! `runtall serve` as a process, on loopback: HTTPS with a certificate from files, and a server that survives
//! clients hanging up mid-handshake or mid-answer. The binary restores the default SIGPIPE action (so
//! `runtall runs | head` ends quietly); a TLS client that dropped its handshake used to kill the whole server
//! with SIGPIPE (exit 141). Every wait is bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_runtall");

/// The server process, killed when the test ends however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A self-signed certificate for `localhost`, as PEM files; returns the certificate's PEM text.
fn certificate(dir: &Path) -> String {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("certificate");
    std::fs::write(dir.join("cert.pem"), cert.pem()).expect("cert");
    std::fs::write(dir.join("key.pem"), signing_key.serialize_pem()).expect("key");
    cert.pem()
}

/// Starts `runtall serve` with `args` on 127.0.0.1 (a free port) and returns it with the address it printed and
/// what it wrote to stderr before serving.
fn serve(dir: &Path, args: &[&str]) -> (Server, SocketAddr, String) {
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(dir.join("r.db"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(args)
        .env("RUNTALL_WEB_PASSWORD", "correct horse battery")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start runtall serve");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let server = Server(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx.recv_timeout(Duration::from_secs(30)).expect("the server says where it is");
    let addr = line
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    // What it printed on stderr before it started serving (warnings), without waiting for the end of the stream.
    let (etx, erx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = etx.send(line);
        }
    });
    let mut warnings = String::new();
    while let Ok(line) = erx.recv_timeout(Duration::from_millis(300)) {
        warnings.push_str(&line);
        warnings.push('\n');
    }
    (server, addr, warnings)
}

fn client_config(roots: rustls::RootCertStore) -> Arc<rustls::ClientConfig> {
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

fn connect(addr: SocketAddr) -> TcpStream {
    try_connect(addr).expect("connect")
}

/// A connection, or `None` when nothing listens any more (the server died: the test says how, below).
fn try_connect(addr: SocketAddr) -> Option<TcpStream> {
    let tcp = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).ok()?;
    tcp.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    Some(tcp)
}

/// A GET over TLS trusting `pem`; returns the whole answer.
fn https_get(addr: SocketAddr, pem: &str, path: &str) -> String {
    let mut conn = rustls::ClientConnection::new(client_config(roots(pem)), localhost()).expect("client");
    let mut tcp = connect(addr);
    let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost:{}\r\nConnection: close\r\n\r\n", addr.port());
    tls.write_all(request.as_bytes()).expect("request over TLS");
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// A client trusting `pem` that completes the handshake, sends close_notify and closes without reading more.
fn hang_up_after_handshake(addr: SocketAddr, pem: &str) {
    let mut conn = rustls::ClientConnection::new(client_config(roots(pem)), localhost()).expect("client");
    let Some(mut tcp) = try_connect(addr) else { return };
    while conn.is_handshaking() {
        if conn.complete_io(&mut tcp).is_err() {
            return;
        }
    }
    conn.send_close_notify();
    while conn.wants_write() {
        if conn.write_tls(&mut tcp).is_err() {
            return;
        }
    }
}

fn roots(pem: &str) -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore::empty();
    let der = rustls::pki_types::pem::PemObject::from_pem_slice(pem.as_bytes()).expect("pem");
    roots.add(der).expect("root");
    roots
}

fn localhost() -> rustls::pki_types::ServerName<'static> {
    rustls::pki_types::ServerName::try_from("localhost").expect("name")
}

/// A TLS client that distrusts the certificate, reads the server's handshake a few bytes at a time, sends its
/// alert as soon as it has seen the certificate and closes with the rest unread.
fn abandon_handshake(addr: SocketAddr) {
    let mut conn =
        rustls::ClientConnection::new(client_config(rustls::RootCertStore::empty()), localhost()).expect("client");
    let Some(mut tcp) = try_connect(addr) else { return };
    loop {
        while conn.wants_write() {
            if conn.write_tls(&mut tcp).is_err() {
                return;
            }
        }
        match conn.read_tls(&mut Read::by_ref(&mut tcp).take(64)) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if conn.process_new_packets().is_err() {
            while conn.wants_write() {
                if conn.write_tls(&mut tcp).is_err() {
                    break;
                }
            }
            return;
        }
    }
}

#[test]
fn https_from_certificate_files_survives_clients_that_hang_up() {
    let dir = tempfile::tempdir().expect("dir");
    let pem = certificate(dir.path());
    let cert = dir.path().join("cert.pem").display().to_string();
    let key = dir.path().join("key.pem").display().to_string();
    let (mut server, addr, _) = serve(dir.path(), &["--tls-cert", &cert, "--tls-key", &key]);

    // Clients that hang up right after the handshake, as curl does on a name mismatch: close_notify, then close
    // with the server's session tickets unread, so the socket is reset. The server's own close_notify then meets
    // a reset socket; written with `writev`, that raised SIGPIPE and killed the server (exit 141).
    for _ in 0..60 {
        hang_up_after_handshake(addr, &pem);
    }
    // And clients that give up in the middle of it.
    for _ in 0..10 {
        abandon_handshake(addr);
    }
    // Clients that send a request and vanish at once.
    for _ in 0..20 {
        if let Some(mut tcp) = try_connect(addr) {
            let _ = tcp.write_all(&[0x16, 0x03, 0x01, 0x00, 0x05, 1, 0, 0, 1, 0]);
        }
    }
    std::thread::sleep(Duration::from_millis(300));
    let status = server.0.try_wait().expect("status");
    assert!(status.is_none(), "the server died: {status:?}");

    let answer = https_get(addr, &pem, "/login");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let cookie = answer.lines().find(|l| l.to_ascii_lowercase().starts_with("set-cookie:")).unwrap_or("");
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
    // Plain HTTP on the TLS port gets no page.
    let mut plain = connect(addr);
    let _ = plain.write_all(b"GET /login HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let mut got = Vec::new();
    let _ = plain.read_to_end(&mut got);
    assert!(!String::from_utf8_lossy(&got).contains("Sign in"));
    assert!(server.0.try_wait().expect("status").is_none(), "still running after all that");
}

#[test]
fn a_password_on_the_command_line_is_warned_about_and_unusable_tls_files_are_named() {
    let dir = tempfile::tempdir().expect("dir");
    let (_server, addr, warnings) = serve(dir.path(), &["--password", "correct horse battery"]);
    assert!(warnings.contains("process list") && warnings.contains("--password-file"), "{warnings}");
    assert!(!warnings.contains("plain HTTP"), "no clear-text warning on loopback: {warnings}");
    assert!(addr.ip().is_loopback());

    let out = Command::new(BIN)
        .arg("--db")
        .arg(dir.path().join("other.db"))
        .args(["serve", "--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"])
        .env_remove("RUNTALL_WEB_PASSWORD")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/cert.pem"), "{err}");
    assert!(!dir.path().join("other.db").exists(), "nothing created when refusing to start");
}
