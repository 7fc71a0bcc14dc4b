//! Throttling of password checks: bounded memory and a bounded guessing rate, whatever the request rate.
//!
//! Each argon2id check takes ~19 MiB and ~50 ms of a core. Checked without limit, 150 parallel attempts took the
//! server to 5.9 GB and 27 s answers while still allowing ~11 guesses a second. Here:
//! - at most [`AT_ONCE`] checks run at a time, on [`AT_ONCE`] threads of their own: memory is [`AT_ONCE`] × 19
//!   MiB whatever the rate. (On the shared blocking pool each check could land on another thread, and the
//!   allocator keeps a freed 19 MiB block in that thread's arena: a burst of 30 checks left ~575 MiB resident.)
//!   At most [`MAX_WAITING`] attempts wait for a turn, each at most [`QUEUE_WAIT`]; the others get 429 at once;
//! - per client (an IPv4 address, or an IPv6 /64, since one device easily has many addresses there): one attempt
//!   at a time, and after each failure a wait before the next one — 1 s for the first [`FREE_FAILURES`], then
//!   doubling up to [`MAX_BACKOFF`]; the right password clears it;
//! - globally, at most [`GLOBAL_FAILURES`] failed checks per [`WINDOW`] from all clients together, against guessing
//!   spread over many addresses.
//!
//! A throttled attempt is answered at once with 429 and `Retry-After`, without checking the password. The cost:
//! while someone hammers the sign-in, the owner may have to wait to sign in too; sessions already signed in are
//! never affected.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Password checks running at once.
pub const AT_ONCE: usize = 2;
/// Longest wait for a turn before answering 429.
pub const QUEUE_WAIT: Duration = Duration::from_secs(3);
/// Attempts waiting for a turn at once; more are answered 429 without waiting.
pub const MAX_WAITING: usize = 8;
/// Failures per client answered with the plain 1 s wait before the backoff doubles.
pub const FREE_FAILURES: u32 = 3;
/// Longest per-client wait.
pub const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);
/// Failed checks from all clients together allowed per [`WINDOW`].
pub const GLOBAL_FAILURES: usize = 30;
pub const WINDOW: Duration = Duration::from_secs(60);
/// Clients tracked at once; beyond it new clients are only under the global limit (memory stays bounded).
const MAX_CLIENTS: usize = 4096;

/// Who is signing in, as far as throttling cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKey {
    V4(u32),
    /// The /64 prefix.
    V6(u64),
    /// In-process requests without a peer address (tests).
    Unknown,
}

impl ClientKey {
    pub fn of(ip: Option<IpAddr>) -> ClientKey {
        match ip.map(|ip| ip.to_canonical()) {
            Some(IpAddr::V4(v4)) => ClientKey::V4(u32::from(v4)),
            Some(IpAddr::V6(v6)) => ClientKey::V6((u128::from(v6) >> 64) as u64),
            None => ClientKey::Unknown,
        }
    }
}

struct Client {
    failures: u32,
    blocked_until: Instant,
    in_flight: bool,
}

#[derive(Default)]
struct State {
    clients: HashMap<ClientKey, Client>,
    failures: VecDeque<Instant>,
}

/// The throttle, shared by every sign-in request.
pub struct SignInGuard {
    checks: Arc<Semaphore>,
    waiting: AtomicUsize,
    state: Mutex<State>,
    /// The check threads, started on the first sign-in.
    workers: OnceLock<Workers>,
}

impl Default for SignInGuard {
    fn default() -> Self {
        SignInGuard {
            checks: Arc::new(Semaphore::new(AT_ONCE)),
            waiting: AtomicUsize::new(0),
            state: Mutex::default(),
            workers: OnceLock::new(),
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// [`AT_ONCE`] threads that run the password checks; they end when the guard is dropped.
struct Workers {
    jobs: mpsc::Sender<Job>,
}

impl Workers {
    fn start() -> Workers {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..AT_ONCE {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new().name(format!("runtall-sign-in-{i}")).spawn(move || {
                loop {
                    let job = match queue.lock() {
                        Ok(queue) => queue.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            });
            if let Err(e) = spawned {
                eprintln!("runtall web: cannot start a sign-in thread: {e}");
            }
        }
        Workers { jobs }
    }
}

/// Permission to check one password: holds the client's single in-flight slot (released when dropped, even if the
/// request is abandoned) and, once [`Ticket::turn`] returns, one of the [`AT_ONCE`] check slots.
pub struct Ticket<'a> {
    guard: &'a SignInGuard,
    key: ClientKey,
    tracked: bool,
    permit: Option<OwnedSemaphorePermit>,
}

/// Rounded up to whole seconds, at least 1, for `Retry-After`.
fn whole_seconds(d: Duration) -> u64 {
    (d.as_millis().div_ceil(1000) as u64).max(1)
}

fn backoff(failures: u32) -> Duration {
    if failures <= FREE_FAILURES {
        return Duration::from_secs(1);
    }
    let doubling = (failures - FREE_FAILURES).min(20);
    Duration::from_secs(1u64 << doubling).min(MAX_BACKOFF)
}

/// Seconds until the global cap lets another check through, or `None` when it does now.
fn global_wait(state: &mut State, now: Instant) -> Option<u64> {
    while state.failures.front().is_some_and(|t| now.duration_since(*t) >= WINDOW) {
        state.failures.pop_front();
    }
    if state.failures.len() < GLOBAL_FAILURES {
        return None;
    }
    let oldest = state.failures.front().copied().unwrap_or(now);
    Some(whole_seconds((oldest + WINDOW).saturating_duration_since(now)))
}

impl SignInGuard {
    fn global_wait(&self, now: Instant) -> Option<u64> {
        let mut state = self.state.lock().ok()?;
        global_wait(&mut state, now)
    }

    /// Lets an attempt from `key` go ahead, or says how many seconds to wait.
    pub fn admit(&self, key: ClientKey) -> Result<Ticket<'_>, u64> {
        let now = Instant::now();
        let mut state = self.state.lock().map_err(|_| 1u64)?;
        if let Some(client) = state.clients.get(&key) {
            if client.in_flight {
                return Err(1);
            }
            if client.blocked_until > now {
                return Err(whole_seconds(client.blocked_until - now));
            }
        }
        if let Some(wait) = global_wait(&mut state, now) {
            return Err(wait);
        }
        if state.clients.len() >= MAX_CLIENTS && !state.clients.contains_key(&key) {
            // Forget clients that are neither waiting out a backoff nor checking now.
            state.clients.retain(|_, c| c.in_flight || c.blocked_until > now);
        }
        let room = state.clients.len() < MAX_CLIENTS;
        let tracked = match state.clients.get_mut(&key) {
            Some(client) => {
                client.in_flight = true;
                true
            }
            None if room => {
                state.clients.insert(key, Client { failures: 0, blocked_until: now, in_flight: true });
                true
            }
            None => false,
        };
        Ok(Ticket { guard: self, key, tracked, permit: None })
    }

    /// Clients tracked now (for tests of the memory bound).
    #[cfg(test)]
    fn tracked_clients(&self) -> usize {
        self.state.lock().map(|s| s.clients.len()).unwrap_or(0)
    }
}

/// Counts an attempt waiting for its turn for as long as it lives.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Ticket<'_> {
    /// Waits (at most [`QUEUE_WAIT`], behind at most [`MAX_WAITING`] others) for one of the check slots;
    /// `Err(seconds)` when there is no room to wait or no slot came free in time.
    pub async fn turn(&mut self) -> Result<(), u64> {
        let checks = self.guard.checks.clone();
        let permit = match checks.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if self.guard.waiting.fetch_add(1, Ordering::Relaxed) >= MAX_WAITING {
                    self.guard.waiting.fetch_sub(1, Ordering::Relaxed);
                    return Err(1);
                }
                let _waiting = Waiting(&self.guard.waiting);
                match tokio::time::timeout(QUEUE_WAIT, checks.acquire_owned()).await {
                    Ok(Ok(permit)) => permit,
                    _ => return Err(1),
                }
            }
        };
        // The global cap may have filled while this attempt waited: then it is not checked either.
        if let Some(wait) = self.guard.global_wait(Instant::now()) {
            return Err(wait);
        }
        self.permit = Some(permit);
        Ok(())
    }

    /// Runs the password check `check` on a check thread, once [`Ticket::turn`] has given this attempt its slot.
    pub async fn check(&self, check: impl FnOnce() -> bool + Send + 'static) -> Option<bool> {
        self.permit.as_ref()?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let workers = self.guard.workers.get_or_init(Workers::start);
        workers
            .jobs
            .send(Box::new(move || {
                let _ = tx.send(check());
            }))
            .ok()?;
        rx.await.ok()
    }

    /// Records the outcome of the check: the right password clears the client's record, a wrong one extends
    /// its wait and counts towards the global limit. Returns the wait before the client's next attempt.
    pub fn record(self, ok: bool) -> Duration {
        let now = Instant::now();
        let Ok(mut state) = self.guard.state.lock() else { return Duration::ZERO };
        if ok {
            state.clients.remove(&self.key);
            return Duration::ZERO;
        }
        state.failures.push_back(now);
        while state.failures.len() > GLOBAL_FAILURES {
            state.failures.pop_front();
        }
        match state.clients.get_mut(&self.key) {
            Some(client) if self.tracked => {
                client.failures = client.failures.saturating_add(1);
                let wait = backoff(client.failures);
                client.blocked_until = now + wait;
                wait
            }
            _ => Duration::ZERO,
        }
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        if !self.tracked {
            return;
        }
        if let Ok(mut state) = self.guard.state.lock()
            && let Some(client) = state.clients.get_mut(&self.key)
        {
            client.in_flight = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_after_three_failures_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(1));
        assert_eq!(backoff(4), Duration::from_secs(2));
        assert_eq!(backoff(8), Duration::from_secs(32));
        assert_eq!(backoff(40), MAX_BACKOFF);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_prefix() {
        let a = ClientKey::of(Some("2001:db8:1:2::1".parse().expect("ip")));
        let b = ClientKey::of(Some("2001:db8:1:2:ffff::9".parse().expect("ip")));
        let c = ClientKey::of(Some("2001:db8:1:3::1".parse().expect("ip")));
        assert_eq!(a, b);
        assert_ne!(a, c);
        let mapped = ClientKey::of(Some("::ffff:192.168.1.5".parse().expect("ip")));
        assert_eq!(mapped, ClientKey::of(Some("192.168.1.5".parse().expect("ip"))));
    }

    #[tokio::test(start_paused = true)]
    async fn one_attempt_at_a_time_per_client_then_a_growing_wait_and_a_global_cap() {
        let guard = SignInGuard::default();
        let me = ClientKey::of(Some("10.0.0.1".parse().expect("ip")));
        let ticket = guard.admit(me).expect("first attempt");
        assert_eq!(guard.admit(me).err(), Some(1), "a second attempt while the first is checked");
        assert_eq!(ticket.record(false), Duration::from_secs(1));
        assert_eq!(guard.admit(me).err(), Some(1), "wait a second after a failure");
        for n in 2..=5u32 {
            tokio::time::advance(backoff(n - 1)).await;
            let ticket = guard.admit(me).expect("after the wait");
            assert_eq!(ticket.record(false), backoff(n));
        }
        assert_eq!(guard.admit(me).err(), Some(4), "the fifth failure waits 4 s");
        tokio::time::advance(Duration::from_secs(4)).await;
        guard.admit(me).expect("after the wait").record(true);
        assert!(guard.admit(me).is_ok(), "the right password clears the record");

        // Many clients: the global cap stops them whatever their addresses.
        let guard = SignInGuard::default();
        for i in 0..GLOBAL_FAILURES as u32 {
            let ticket = guard.admit(ClientKey::V4(i)).expect("under the cap");
            ticket.record(false);
        }
        let refused = guard.admit(ClientKey::V4(9999)).err().expect("global cap");
        assert!((59..=60).contains(&refused), "{refused}");
        tokio::time::advance(WINDOW).await;
        assert!(guard.admit(ClientKey::V4(9999)).is_ok(), "the window moves on");
    }

    #[tokio::test(start_paused = true)]
    async fn an_abandoned_attempt_frees_its_client_and_clients_stay_bounded() {
        let guard = SignInGuard::default();
        let ticket = guard.admit(ClientKey::Unknown).expect("admitted");
        drop(ticket);
        assert!(guard.admit(ClientKey::Unknown).is_ok());
        // Attempts from ever new addresses (one device's IPv6 /64 counts once, but IPv4 floods differ).
        tokio::time::advance(Duration::from_secs(1)).await;
        for i in 0..3 * MAX_CLIENTS as u32 {
            drop(guard.admit(ClientKey::V4(i)));
        }
        assert!(guard.tracked_clients() <= MAX_CLIENTS, "{}", guard.tracked_clients());
    }
}
