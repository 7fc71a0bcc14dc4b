//! The accept loop: hyper's HTTP/1 server with the limits a server on a real network needs, plain or over TLS.
//!
//! `axum::serve` has no header-read or idle timeout and accepts connections without limit: a client that sends
//! half its headers held a connection for minutes, and 1,100 idle connections used up the common 1,024
//! open-file limit until the server answered no one. Here:
//! - **header-read timeout** (hyper's own): the request head must arrive within [`Limits::header_read`]; the same
//!   timer runs while a kept-alive connection waits for its next request, so it is also the keep-alive timeout;
//! - **idle timeout**: a connection on which no byte moves either way for [`Limits::idle`] is closed (a body
//!   trickled a byte a minute, a response the client never reads);
//! - **TLS handshake timeout** of [`Limits::header_read`];
//! - **connection cap**: at most [`Limits::max_connections`] open at once. At the cap the loop stops accepting,
//!   so new clients wait in the kernel's queue (they are not refused) until a connection ends, which the
//!   timeouts guarantee within seconds;
//! - **per-client cap**: at most [`Limits::per_client`] of those from one client address (an IPv6 /64 counts as
//!   one); beyond it a new connection is closed at once. One flooding device then holds a few slots, not all of
//!   them, and the runner's phone is served at once instead of queueing behind the flood.
//!
//! Every request carries a [`Peer`]: the client's address (sign-in throttling), the address it reached (the
//! `Host` check) and whether it came over TLS (the `Secure` cookie).

use crate::error::WebError;
use crate::sign_in_guard::ClientKey;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::time::{Instant, Sleep};

/// Where one request came from, inserted into every request's extensions by the accept loop.
#[derive(Debug, Clone, Copy)]
pub struct Peer {
    /// The client's address.
    pub remote: SocketAddr,
    /// The address the client connected to (one of this machine's).
    pub local: SocketAddr,
    /// Whether the connection is TLS.
    pub tls: bool,
}

/// Connection limits; the defaults suit a runner's phone and laptop on a home network.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time to send a request's head (and to start the next request on a kept-alive connection), and to finish
    /// the TLS handshake. 10 s: a phone on poor Wi-Fi sends a head in well under a second.
    pub header_read: Duration,
    /// Time without a byte either way before a connection is closed. 60 s, far beyond any handler (the slowest,
    /// the first insights view over ten years, takes ~0.6 s).
    pub idle: Duration,
    /// Open connections at once. 256 leaves most of the usual 1,024 open files for the database pool, import
    /// jobs and uploads, and is far more than a browser opens (about 6 per host).
    pub max_connections: usize,
    /// Open connections from one client address. 64: ten times what a browser opens to one host.
    pub per_client: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read: Duration::from_secs(10),
            idle: Duration::from_secs(60),
            max_connections: 256,
            per_client: 64,
        }
    }
}

/// Counters of the accept loop, for tests and the operator.
#[derive(Debug, Default)]
pub struct ServerStats {
    open: AtomicUsize,
    peak: AtomicUsize,
    accepted: AtomicU64,
    refused: AtomicU64,
}

impl ServerStats {
    /// Connections open now.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }
    /// Most connections open at once so far.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }
    /// Connections accepted since the start.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }
    /// Connections closed at once because their client already had [`Limits::per_client`] open.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

/// The certificate chain and private key files for TLS (PEM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Reads the PEM certificate chain and key into a rustls configuration (HTTP/1.1 only), naming the file at fault.
pub fn tls_config(files: &TlsFiles) -> Result<Arc<rustls::ServerConfig>, WebError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let tls_err = |path: &Path, detail: String| WebError::Tls { path: path.display().to_string(), detail };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .and_then(|certs| certs.collect::<Result<_, _>>())
        .map_err(|e| tls_err(&files.cert, pem_error(e)))?;
    if certs.is_empty() {
        return Err(tls_err(&files.cert, "no certificate (BEGIN CERTIFICATE) in the file".into()));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| tls_err(&files.key, pem_error(e)))?;
    // ring, not aws-lc-rs (see Cargo.toml). rustls 0.23.48 marks its ring provider deprecated because ring has no
    // post-quantum key exchange; for a runner's journal on a home network classical X25519/P-256 is the accepted
    // trade against a heavier C build. Revisit when rustls ships ring separately or aws-lc-rs builds everywhere.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err(&files.cert, e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| tls_err(&files.key, format!("the key does not fit the certificate or is unusable: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn pem_error(e: rustls::pki_types::pem::Error) -> String {
    use rustls::pki_types::pem::Error;
    match e {
        Error::Io(e) => e.to_string(),
        Error::NoItemsFound => "no PEM item of the expected kind in the file (a certificate for --tls-cert, a \
                                private key for --tls-key)"
            .into(),
        other => format!("not a usable PEM file ({other:?})"),
    }
}

/// The web app behind the accept loop.
pub struct Server {
    router: Router,
    limits: Limits,
    tls: Option<tokio_rustls::TlsAcceptor>,
    stats: Arc<ServerStats>,
}

impl Server {
    pub fn new(router: Router) -> Server {
        Server { router, limits: Limits::default(), tls: None, stats: Arc::default() }
    }

    pub fn limits(mut self, limits: Limits) -> Server {
        self.limits = limits;
        self
    }

    /// Serves over TLS with this configuration (see [`tls_config`]).
    pub fn tls(mut self, config: Arc<rustls::ServerConfig>) -> Server {
        self.tls = Some(tokio_rustls::TlsAcceptor::from(config));
        self
    }

    pub fn stats(&self) -> Arc<ServerStats> {
        self.stats.clone()
    }

    /// Accepts connections on `listener` until `shutdown` completes, then lets open requests finish (up to 5 s).
    pub async fn run(self, listener: TcpListener, shutdown: impl Future<Output = ()> + Send) -> Result<(), WebError> {
        let Server { router, limits, tls, stats } = self;
        let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
        let per_client = Arc::new(PerClient::default());
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            // At the cap, wait for a slot before accepting: new clients queue in the kernel, not in our memory.
            let slot = tokio::select! {
                slot = slots.clone().acquire_owned() => match slot {
                    Ok(slot) => slot,
                    Err(_) => break,
                },
                () = &mut shutdown => break,
            };
            let (stream, remote) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // Out of file descriptors or the like: wait a little rather than spin.
                        eprintln!("runtall web: accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let Ok(local) = stream.local_addr() else { continue };
            let Some(client) = per_client.enter(remote.ip(), limits.per_client) else {
                stats.refused.fetch_add(1, Ordering::Relaxed);
                drop(stream);
                continue;
            };
            let _ = stream.set_nodelay(true);
            stats.accepted.fetch_add(1, Ordering::Relaxed);
            let open = stats.open.fetch_add(1, Ordering::Relaxed) + 1;
            stats.peak.fetch_max(open, Ordering::Relaxed);
            let (router, tls, stats, stop) = (router.clone(), tls.clone(), stats.clone(), stop_rx.clone());
            tokio::spawn(async move {
                let peer = Peer { remote, local, tls: tls.is_some() };
                serve_connection(stream, tls, peer, router, limits, stop).await;
                stats.open.fetch_sub(1, Ordering::Relaxed);
                drop(client);
                drop(slot);
            });
        }
        let _ = stop_tx.send(true);
        // Every connection holds a slot: all slots back means all connections ended.
        let all = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
        let _ = tokio::time::timeout(Duration::from_secs(5), slots.acquire_many(all)).await;
        Ok(())
    }
}

/// Open connections per client address.
#[derive(Default)]
struct PerClient {
    open: std::sync::Mutex<std::collections::HashMap<ClientKey, usize>>,
}

/// One open connection of a client; leaving the count when dropped.
struct ClientSlot {
    clients: Arc<PerClient>,
    key: ClientKey,
}

impl PerClient {
    /// Counts a new connection from `ip`, or `None` when that client already has `max` open.
    fn enter(self: &Arc<Self>, ip: std::net::IpAddr, max: usize) -> Option<ClientSlot> {
        let key = ClientKey::of(Some(ip));
        let mut open = self.open.lock().ok()?;
        let count = open.entry(key).or_insert(0);
        if *count >= max.max(1) {
            return None;
        }
        *count += 1;
        Some(ClientSlot { clients: self.clone(), key })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        if let Ok(mut open) = self.clients.open.lock()
            && let Some(count) = open.get_mut(&self.key)
        {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

async fn serve_connection(
    stream: TcpStream,
    tls: Option<tokio_rustls::TlsAcceptor>,
    peer: Peer,
    router: Router,
    limits: Limits,
    stop: watch::Receiver<bool>,
) {
    match tls {
        None => http(IdleIo::new(stream, limits.idle), peer, router, limits, stop).await,
        Some(acceptor) => {
            let handshake = acceptor.accept(IdleIo::new(stream, limits.idle));
            // A failed or slow handshake (a plain-HTTP client, a scanner, a stalled phone) just closes.
            if let Ok(Ok(stream)) = tokio::time::timeout(limits.header_read, handshake).await {
                http(stream, peer, router, limits, stop).await;
            }
        }
    }
}

async fn http<S>(stream: S, peer: Peer, router: Router, limits: Limits, mut stop: watch::Receiver<bool>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(peer);
        let router = router.clone();
        async move { tower::ServiceExt::oneshot(router, request.map(axum::body::Body::new)).await }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    let stopped = async move {
        let _ = stop.wait_for(|stopped| *stopped).await;
    };
    tokio::select! {
        _ = connection.as_mut() => {}
        () = stopped => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

/// A stream that fails with `TimedOut` once no byte has moved either way for `idle`. Activity only records an
/// instant; the timer is re-armed when it fires early, so busy connections pay almost nothing.
struct IdleIo<S> {
    inner: S,
    idle: Duration,
    last: Instant,
    timer: Pin<Box<Sleep>>,
}

impl<S> IdleIo<S> {
    fn new(inner: S, idle: Duration) -> IdleIo<S> {
        let now = Instant::now();
        IdleIo { inner, idle, last: now, timer: Box::pin(tokio::time::sleep_until(now + idle)) }
    }

    /// On a pending read or write: whether the connection has been idle too long (registering the wake-up).
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        loop {
            let deadline = self.last + self.idle;
            if self.timer.deadline() != deadline {
                self.timer.as_mut().reset(deadline);
            }
            match self.timer.as_mut().poll(cx) {
                Poll::Pending => return false,
                Poll::Ready(()) if self.last + self.idle <= Instant::now() => return true,
                Poll::Ready(()) => continue,
            }
        }
    }
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "connection idle too long")
}

impl<S: AsyncRead + Unpin> AsyncRead for IdleIo<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    self.last = Instant::now();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending if self.expired(cx) => Poll::Ready(Err(timed_out())),
            other => other,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for IdleIo<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write(cx, data) {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    self.last = Instant::now();
                }
                Poll::Ready(Ok(n))
            }
            Poll::Pending if self.expired(cx) => Poll::Ready(Err(timed_out())),
            other => other,
        }
    }

    /// One buffer at a time, through `poll_write`, never `writev`: a socket write goes out with `send` and
    /// `MSG_NOSIGNAL`, while `writev` to a client that has gone away raises SIGPIPE — and `runtall` restores the
    /// default SIGPIPE action (so `runtall runs | head` ends quietly), which would kill the whole server. A TLS
    /// client that hung up right after its handshake did exactly that. A short write is allowed here; the caller
    /// comes back for the rest.
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let first = bufs.iter().find(|b| !b.is_empty()).map_or(&[][..], |b| &**b);
        self.poll_write(cx, first)
    }

    /// Claimed, although each call writes one buffer: hyper then queues a response's buffers as they are
    /// instead of copying them into one (which cost ~20 MB more at 32 clients in the latency benchmark).
    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.inner).poll_flush(cx) {
            Poll::Pending if self.expired(cx) => Poll::Ready(Err(timed_out())),
            other => other,
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
