//! Attention worked out ahead of the clinicians' dashboards, off the request path.
//!
//! A dashboard shows each followed athlete's attention, which takes a read of the athlete's whole year (the pain
//! trend, adherence, experiments) whenever their journal changed, the day turned or the clinician visited. The
//! dashboard serves what is kept in memory for the athlete's current (revision, day, since) and reads only the
//! others (`routes::clinic::rows`). This module keeps as many as it can ready before anyone asks: when the server
//! starts, and then every [`EVERY`], it reads each clinician's dashboard state (one statement per clinician) and
//! computes the attention of every athlete whose kept answer no longer matches — a changed journal, a new day, a new
//! visit. So even the first dashboard of the day mostly reads kept answers.
//!
//! It is bounded: one pass at a time, on one blocking thread, one athlete at a time (one connection, given back
//! between athletes), so it takes at most one core and one connection from the requests. It never blocks a request:
//! a dashboard that finds an athlete not yet warm computes that athlete itself, as before. A failure is said on
//! standard error and tried again at the next pass.

use crate::AppState;
use crate::routes::clinic::warm_page;
use jiff::Timestamp;
use runtall_app::clinic::{actions, attention_day, kept_row, warm};
use runtall_store::StoreError;
use std::time::{Duration, Instant};

/// How often a running server looks for athletes whose attention went stale.
pub const EVERY: Duration = Duration::from_secs(20);

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Warmed {
    /// Links seen (an athlete followed by two clinicians counts twice: each has their own "since").
    pub links: usize,
    /// Attention computed from the athletes' records (the rest was kept already).
    pub computed: usize,
    /// Clinician's pages of an athlete gathered ahead (`routes::clinic::warm_page`).
    pub pages: usize,
    /// Athletes whose attention or page could not be worked out (said on standard error).
    pub failed: usize,
    pub elapsed: Duration,
}

/// One pass over every clinician's athletes (blocks: call it off the async runtime). A one-runner app has nothing
/// to warm.
pub fn warm_once(state: &AppState) -> Result<Warmed, StoreError> {
    let started = Instant::now();
    let mut warmed = Warmed::default();
    if !state.db.is_multi_user() {
        return Ok(warmed);
    }
    let db = &state.db;
    for clinician in db.blocking_dashboards(|d| d.clinicians_following())?? {
        let athletes =
            db.blocking_dashboards(|d| d.dashboard_state(clinician, &actions::VISITS, actions::DASHBOARD))??;
        for athlete in athletes {
            warmed.links += 1;
            let now = Timestamp::now();
            let cache = state.derived.attention(athlete.id);
            let day = attention_day(now);
            let attention_kept = kept_row(&athlete, &cache, day).is_some();
            let page_kept = state.derived.pages.holds(athlete.id, athlete.revision, day, now);
            // Both kept already: not even a connection.
            if attention_kept && page_kept {
                continue;
            }
            let done = db.blocking_store(athlete.id, |store| {
                let attention = if attention_kept {
                    false
                } else {
                    warm(store, &cache, &athlete, now).map_err(|e| e.to_string())?
                };
                let page = !page_kept && warm_page(state, store).map_err(|e| format!("{e:?}"))?;
                Ok::<_, String>((attention, page))
            });
            match done {
                Ok(Ok((attention, page))) => {
                    warmed.computed += usize::from(attention);
                    warmed.pages += usize::from(page);
                }
                Ok(Err(e)) => {
                    warmed.failed += 1;
                    eprintln!(
                        "runtall server: could not work out athlete {}'s attention or page ahead: {e}",
                        athlete.id
                    );
                }
                // Deleted since the list was read, or the database is away: the dashboard will say.
                Err(_) => warmed.failed += 1,
            }
        }
    }
    warmed.elapsed = started.elapsed();
    Ok(warmed)
}

/// Warms once now and then every `every` for as long as the runtime runs, one pass at a time.
pub fn spawn(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let state = state.clone();
            match tokio::task::spawn_blocking(move || warm_once(&state)).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => eprintln!("runtall server: could not work out attention ahead of the dashboards: {e}"),
                Err(e) => eprintln!("runtall server: the attention warming failed: {e}"),
            }
        }
    })
}
