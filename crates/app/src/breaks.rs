//! Sitting-break reminders shared by `runtall remind` and the browser's break page: one scheduler (the pure
//! [`Scheduler`] in `runtall-companion`), one history (the store's break events), one set of settings.
//!
//! Each front end runs its own scheduler, built here from the saved settings and the safety gate, started from the
//! day's history ([`Scheduler::resume`]) and kept in step with what the other front end records
//! ([`Scheduler::sync`]): a break taken in the browser restarts the terminal's timers and closes its prompt, skips
//! count toward one daily cap, and a pause applies to both.

use crate::Result;
use jiff::{Timestamp, Zoned};
use runtall_companion::remind::settings::{self, ReminderSettings};
use runtall_companion::remind::{BreakEvent, ReminderConfig, Scheduler};
use runtall_content::Program;
use runtall_domain::safety::Permissions;
use runtall_store::Store;

/// Who wrote an event.
pub const TERMINAL: &str = "terminal";
pub const BROWSER: &str = "browser";

/// The saved reminder settings (web app › Settings), or the program's defaults.
pub fn saved_settings(store: &dyn Store, program: &Program) -> Result<ReminderSettings> {
    let saved = store.setting(settings::KEY)?;
    ReminderSettings::from_stored(saved.as_ref(), &program.habit_defaults).map_err(crate::AppError::State)
}

/// The saved settings for a settings page: a saved value that no longer reads gives the program's defaults and
/// the problem in words, so the page can say so and saving the form repairs it.
pub fn settings_for_editing(store: &dyn Store, program: &Program) -> Result<(ReminderSettings, Option<String>)> {
    let saved = store.setting(settings::KEY)?;
    Ok(match ReminderSettings::from_stored(saved.as_ref(), &program.habit_defaults) {
        Ok(r) => (r, None),
        Err(problem) => (ReminderSettings::from_defaults(&program.habit_defaults), Some(problem)),
    })
}

/// Saves the reminder settings both front ends start from.
pub fn save_settings(store: &dyn Store, reminders: &ReminderSettings) -> Result<()> {
    let value = serde_json::to_value(reminders)
        .map_err(|e| runtall_store::StoreError::Encode { what: "reminder settings", detail: e.to_string() })?;
    store.put_setting(settings::KEY, &value)?;
    Ok(())
}

/// Hours of history the schedulers are given: more than their longest window ([`Scheduler::history_from`]: twice
/// the longest allowed interval, 240 min, plus the longest snooze, 60 min — 9 hours).
const HISTORY_HOURS: i64 = 12;

/// The break events the schedulers start from and follow, from every front end, in time order: since the earlier
/// of `now`'s local midnight (the day's skips) and 12 hours ago (the timers, across midnight). Rows that do not
/// decode as events (none are written so) are left out rather than stopping the reminders.
pub fn recent_events(store: &dyn Store, now: &Zoned) -> Result<Vec<BreakEvent>> {
    let midnight = now.start_of_day().map(|d| d.timestamp()).unwrap_or(now.timestamp());
    let window = now.timestamp().checked_sub(jiff::SignedDuration::from_hours(HISTORY_HOURS)).unwrap_or(midnight);
    let rows = store.break_events(midnight.min(window), Timestamp::MAX)?;
    Ok(rows.into_iter().filter_map(|r| serde_json::from_value::<BreakEvent>(r.event).ok()).collect())
}

/// The break events of `now`'s calendar day, for the day's summary.
pub fn todays_events(store: &dyn Store, now: &Zoned) -> Result<Vec<BreakEvent>> {
    let midnight = now.start_of_day().map(|d| d.timestamp()).unwrap_or(now.timestamp());
    Ok(recent_events(store, now)?.into_iter().filter(|e| e.at >= midnight).collect())
}

/// Stores one event in the shared history.
pub fn store_event(store: &dyn Store, e: &BreakEvent) -> Result<()> {
    let kind = serde_json::to_value(e.outcome).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let json = serde_json::to_value(e).map_err(|err| crate::AppError::State(err.to_string()))?;
    store.add_break_event(e.at, &kind, &json)?;
    Ok(())
}

/// A scheduler for `source` with `config`, first ticked at `now` and started from the day's history. Refused
/// (with the gate's reason) while the gate allows no reminders.
pub fn start(
    store: &dyn Store,
    program: &Program,
    permissions: &Permissions,
    config: ReminderConfig,
    source: &str,
    now: &Zoned,
) -> Result<Scheduler> {
    let mut scheduler = Scheduler::new(program, config, permissions)
        .map_err(|e| crate::AppError::State(e.to_string()))?
        .with_source(source);
    let first = scheduler.tick(now, None);
    debug_assert!(first.is_none(), "a new scheduler does not prompt on its first tick");
    scheduler.resume(now, &recent_events(store, now)?);
    for e in scheduler.take_log() {
        store_event(store, &e)?;
    }
    Ok(scheduler)
}
