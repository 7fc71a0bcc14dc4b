//! runtall's domain rules, free of I/O so they can be tested exhaustively and reused by the CLI and web app.
//!
//! The flow is: [`screen`] for red flags first, then [`assess`] likely contributors, then build a [`plan`] whose
//! every item says why it is there and where the advice comes from. Content (what to do) lives in
//! `runtall-content`; this crate decides *which* content applies to a runner.

pub mod activity;
pub mod assess;
pub mod classify;
pub mod emergency;
pub mod error;
pub mod journal;
pub mod journal_format;
pub mod plan;
pub mod profile;
pub mod screen;
pub mod text;

pub use error::InputError;
pub use runtall_content as content;
