//! The terminal edges of runtall's run companion: what needs a real terminal, clock, speaker or notification
//! service.
//!
//! - [`guide`]: the ratatui player for a guided session (keys, bell, `espeak-ng` speech, terminal restoration on
//!   every exit path) over `runtall_companion::guide`'s pure timeline and session state machine.
//! - [`remind`]: the real-time loop around `runtall_companion::remind::Scheduler` (system clock, idle time,
//!   desktop or terminal notifications, commands from stdin, signals).
//!
//! Kept apart from `runtall-companion` so the web app, which plays the same timelines in the browser, links no
//! terminal library: what happens in a session is decided there, once; here it is only shown and timed.

pub mod guide;
pub mod remind;
