//! A parallel burst of 150 wrong sign-in attempts from 150 client addresses (127.0.0.2 … 127.0.0.151) against a
//! real server on loopback: memory stays bounded, the excess is answered with 429 and `Retry-After` at once, no
//! attempt waits long, and a session signed in before the burst keeps working. Its own test binary (process), so
//! the memory figures are this server's alone. Run with `--nocapture` to see the figures.
//!
//! Before the throttle, the same burst took the server to 5.9 GB and 27 s answers: each check holds ~19 MiB.

mod net;

use net::*;
use runtall_web::Limits;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery";
const ATTEMPTS: u8 = 150;
/// Stated bound on the growth of resident memory during the burst: two argon2 checks at a time (2 × 19 MiB)
/// and 150 connections fit well under it; 150 checks at once would need ~2.8 GiB.
const MAX_GROWTH_MIB: f64 = 80.0;
/// Stated bound on the slowest answer: the wait for a check slot (3 s) plus one check, with room for a slow
/// debug build on a busy machine.
const MAX_ANSWER: Duration = Duration::from_secs(12);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_150_parallel_guesses_is_throttled_in_bounded_memory() {
    let server = start(Some(PASSWORD), Limits::default(), None).await;
    let (cookie, csrf) = login_form(server.addr).await;

    // The owner signs in first, from their own address.
    let mut owner = connect_from(server.addr, Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 200)))).await;
    let signed = exchange(&mut owner, &login_request(server.addr, &cookie, &csrf, PASSWORD)).await.expect("answer");
    assert_eq!(signed.status, 303, "{signed:?}");
    let owner_cookie = signed.cookie().expect("signed-in cookie");

    let (rss_before, _) = memory_mib();
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        tokio::spawn(async move {
            let mut peak = 0.0f64;
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(memory_mib().0);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            peak
        })
    };
    let started = Instant::now();
    let tasks: Vec<_> = (0..ATTEMPTS)
        .map(|i| {
            let request = login_request(server.addr, &cookie, &csrf, &format!("guess-{i}"));
            let addr = server.addr;
            tokio::spawn(async move {
                let from = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + i));
                let mut stream = connect_from(addr, Some(from)).await;
                let sent = Instant::now();
                let reply = exchange(&mut stream, &request).await.expect("an answer");
                (reply, sent.elapsed())
            })
        })
        .collect();
    let mut times = Vec::new();
    let (mut unauthorized, mut throttled) = (0, 0);
    for task in tasks {
        let (reply, took) = tokio::time::timeout(BOUND, task).await.expect("in time").expect("task");
        match reply.status {
            401 => unauthorized += 1,
            429 => {
                throttled += 1;
                let wait = reply.header("retry-after").and_then(|s| s.parse::<u64>().ok());
                assert!(wait.is_some_and(|w| (1..=60).contains(&w)), "Retry-After: {reply:?}");
            }
            other => panic!("a wrong password got {other}: {reply:?}"),
        }
        times.push(took);
    }
    let total = started.elapsed();
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let rss_peak = sampler.await.expect("sampler").max(memory_mib().0);
    let (_, hwm) = memory_mib();
    times.sort();
    let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    println!(
        "sign-in burst: {ATTEMPTS} parallel wrong passwords from {ATTEMPTS} addresses in {total:.2?}: {unauthorized} \
         checked (401), {throttled} refused at once (429); answer p50 {:.0?}, p90 {:.0?}, max {:.0?}; resident \
         memory {rss_before:.0} MiB before, peak {rss_peak:.0} MiB during (+{:.0} MiB; bound +{MAX_GROWTH_MIB:.0}), \
         VmHWM {hwm:.0} MiB",
        pct(50),
        pct(90),
        times[times.len() - 1],
        rss_peak - rss_before
    );
    assert!(rss_peak - rss_before < MAX_GROWTH_MIB, "memory grew {:.0} MiB", rss_peak - rss_before);
    assert!(times[times.len() - 1] < MAX_ANSWER, "slowest answer {:?}", times[times.len() - 1]);
    assert!(throttled >= 100, "most of the burst is refused without a check: {throttled}");
    assert!(unauthorized <= runtall_web_global_cap() + 2, "checks stop at the global cap: {unauthorized}");

    // The owner's session is untouched by all this.
    let state = get(server.addr, "/api/state", &server.addr.to_string(), Some(&owner_cookie)).await;
    assert_eq!(state.status, 200, "still signed in");
    // The owner signing in now: at once if the burst stayed under the global cap of failed checks per minute,
    // else told how long to wait — never a hang.
    let mut late = connect_from(server.addr, Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 201)))).await;
    let started = Instant::now();
    let reply = exchange(&mut late, &login_request(server.addr, &cookie, &csrf, PASSWORD)).await.expect("answer");
    let expected = if unauthorized < runtall_web_global_cap() { 303 } else { 429 };
    assert_eq!(reply.status, expected, "{reply:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}

/// The global cap on failed checks per minute (`sign_in_guard::GLOBAL_FAILURES`).
fn runtall_web_global_cap() -> usize {
    30
}
