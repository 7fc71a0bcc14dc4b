//! A real server on a loopback port and a minimal HTTP/1.1 client over raw sockets, for the tests that need the
//! network itself (timeouts, the connection cap, TLS, client addresses). Everything is bounded in time.
#![allow(dead_code)]

use runtall_web::{AppState, Db, Limits, Server, ServerStats, router};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Longest any single exchange may take before the test fails instead of hanging.
pub const BOUND: Duration = Duration::from_secs(20);

pub struct Running {
    pub addr: SocketAddr,
    pub stats: Arc<ServerStats>,
    pub dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts the app on 127.0.0.1 with a fresh database.
pub async fn start(password: Option<&str>, limits: Limits, tls: Option<Arc<rustls::ServerConfig>>) -> Running {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Db::open(&dir.path().join("t.db")).expect("db");
    let state = AppState::new(db, password).expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    let mut server = Server::new(router(state)).limits(limits);
    if let Some(tls) = tls {
        server = server.tls(tls);
    }
    let stats = server.stats();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(listener, async {
        let _ = stopped.await;
    }));
    Running { addr, stats, dir, stop: Some(stop) }
}

/// A connection to `addr` from the loopback address `from` (127.0.0.N stands for another client).
pub async fn connect_from(addr: SocketAddr, from: Option<IpAddr>) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    if let Some(ip) = from {
        socket.bind(SocketAddr::new(ip, 0)).expect("bind a loopback client address");
    }
    tokio::time::timeout(BOUND, socket.connect(addr)).await.expect("connect in time").expect("connect")
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// `name=value` of the session cookie set by this reply.
    pub fn cookie(&self) -> Option<String> {
        self.head.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            if !k.trim().eq_ignore_ascii_case("set-cookie") {
                return None;
            }
            v.trim().split(';').next().filter(|kv| kv.starts_with("runtall_session=")).map(str::to_string)
        })
    }
}

/// Writes `request` and reads the whole answer (the request should say `Connection: close`).
pub async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S, request: &str) -> std::io::Result<Reply> {
    stream.write_all(request.as_bytes()).await?;
    stream.flush().await?;
    let mut bytes = Vec::new();
    tokio::time::timeout(BOUND, stream.read_to_end(&mut bytes))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer in time"))??;
    parse(&bytes)
}

pub fn parse(bytes: &[u8]) -> std::io::Result<Reply> {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status =
        head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, format!("no status line in {text:?}"))
        })?;
    Ok(Reply { status, head: head.to_string(), body: body.to_string() })
}

/// A GET with `Connection: close` from 127.0.0.1.
pub async fn get(addr: SocketAddr, path: &str, host: &str, cookie: Option<&str>) -> Reply {
    let mut stream = connect_from(addr, None).await;
    let cookie = cookie.map(|c| format!("Cookie: {c}\r\n")).unwrap_or_default();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n{cookie}Connection: close\r\n\r\n");
    exchange(&mut stream, &request).await.expect("an answer")
}

/// The session cookie and CSRF token a browser gets from the sign-in page.
pub async fn login_form(addr: SocketAddr) -> (String, String) {
    let page = get(addr, "/login", &addr.to_string(), None).await;
    assert_eq!(page.status, 200, "{page:?}");
    let cookie = page.cookie().expect("a session cookie");
    let csrf = page.body.split("name=\"_csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("token");
    (cookie, csrf.to_string())
}

/// A sign-in POST as the form sends it.
pub fn login_request(addr: SocketAddr, cookie: &str, csrf: &str, password: &str) -> String {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("_csrf", csrf), ("password", password), ("next", "/")])
        .finish();
    format!(
        "POST /login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nCookie: {cookie}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// What the server sent before it closed `stream` (end of stream or an error) within `within`; `None` if the
/// connection is still open then.
pub async fn closed_within<S: AsyncRead + Unpin>(stream: &mut S, within: Duration) -> Option<Vec<u8>> {
    let mut buf = [0u8; 4096];
    let mut got = Vec::new();
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(got),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

/// Resident memory of this process now and at its peak (VmRSS, VmHWM), in MiB.
pub fn memory_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
