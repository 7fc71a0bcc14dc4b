//! `runtall posture`: posture checks from landmark files — the same measures as the web page's, from coordinates,
//! so everything but the pose model works without a browser.

use super::{Ctx, read_input};
use crate::args::{PostureArgs, PostureCommand};
use crate::error::{CliError, CliResult};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use runtall_app::posture::{self, Detail, PhotoStore, PostureCheck, PostureReport};
use runtall_domain::posture::{PhotoMeasures, PostureKind, VideoSummary, parse_landmarks};

fn today() -> Date {
    Timestamp::now().to_zoned(TimeZone::system()).date()
}

pub fn run(ctx: &Ctx, args: PostureArgs) -> CliResult {
    let store = ctx.store()?;
    match args.command.unwrap_or(PostureCommand::List) {
        PostureCommand::Add { landmarks, photo_date, kind } => {
            // The same gate as guided sessions: screened first, nothing while locked or paused.
            super::companion::require_open(ctx, &store)?;
            let text = read_input(&landmarks)?;
            let file = parse_landmarks(&text).map_err(|e| CliError::user(format!("{}: {e}", landmarks.display())))?;
            let date = photo_date
                .map(|s| {
                    s.parse::<Date>()
                        .map_err(|_| CliError::user(format!("--photo-date '{s}' is not a date like 2026-05-31")))
                })
                .transpose()?;
            let kind = kind.as_deref().and_then(PostureKind::parse);
            let check = posture::add(&store, file, kind, date, today())
                .map_err(|e| CliError::user(format!("{}: {e}", landmarks.display())))?;
            if ctx.json {
                return ctx.print_json(&check);
            }
            println!("Added posture check #{}.", check.id);
            print_check(&check);
            Ok(())
        }
        PostureCommand::List => {
            let checks = posture::list(&store)?;
            if ctx.json {
                return ctx.print_json(&checks);
            }
            if checks.is_empty() {
                crate::render::println_wrapped(
                    "No posture checks yet. Take a side photo on the web app's Posture page (`runtall serve`), or \
                     add landmarks with `runtall posture add --landmarks FILE.json`.",
                    "",
                );
                return Ok(());
            }
            for c in &checks {
                println!("{}", list_line(c));
            }
            for line in progress_lines(&posture::report_of(&checks)) {
                println!("{line}");
            }
            Ok(())
        }
        PostureCommand::Show { id } => {
            let check = posture::get(&store, id).map_err(|_| no_such(id))?;
            if ctx.json {
                return ctx.print_json(&check);
            }
            print_check(&check);
            Ok(())
        }
        PostureCommand::Delete { id } => {
            let photos = PhotoStore::beside(&ctx.db_path);
            if !posture::delete(&store, &photos, id)? {
                return Err(no_such(id));
            }
            if ctx.json {
                return ctx.print_json(&serde_json::json!({ "deleted": id }));
            }
            println!("Deleted posture check #{id}.");
            Ok(())
        }
    }
}

fn no_such(id: i64) -> CliError {
    CliError::user(format!("no posture check with id {id} (see `runtall posture list`)"))
}

fn list_line(c: &PostureCheck) -> String {
    let main = match &c.detail {
        Detail::Photo { measures: m, .. } => format!(
            "CVA {:.1}°, head forward {:.2}, lean {:.1}°{}",
            m.cva_deg,
            m.head_forward,
            m.trunk_lean_deg,
            if m.quality.is_empty() { String::new() } else { format!("  ({} to check)", m.quality.len()) }
        ),
        // The video's own length: the per-minute medians count only minutes with enough usable frames, so a
        // 95 s clip with few of them would read "0 min of video".
        Detail::Video { summary: s } => {
            let secs = s.duration_s.max(0.0).round() as u64;
            format!(
                "{}:{:02} of video, {}",
                secs / 60,
                secs % 60,
                if s.drift.is_some() { "drift measured" } else { "too short for drift" }
            )
        }
    };
    format!("#{:<4} {}  {:<17} {main}", c.id, c.taken_on, c.kind.label())
}

fn print_check(c: &PostureCheck) {
    println!(
        "Posture check #{} — {}, {}{}",
        c.id,
        c.kind.label().to_lowercase(),
        c.taken_on,
        if c.photo_kept { " (photo kept)" } else { "" }
    );
    match &c.detail {
        Detail::Photo { measures, .. } => print_photo(measures),
        Detail::Video { summary } => print_video(summary),
    }
}

fn print_photo(m: &PhotoMeasures) {
    let side = format!("facing {} ({} side to the camera)", m.facing.name(), m.facing.name());
    println!("  {side}");
    println!(
        "  CVA           {:>6.1}°   measurement error ±{}° (published MDC, see below)",
        m.cva_deg,
        runtall_domain::posture::CVA_MDC_DEG
    );
    println!("  Head forward  {:>6.2}    trunk lengths of the tragus ahead of the shoulder", m.head_forward);
    println!(
        "  Trunk lean    {:>6.1}°   {}",
        m.trunk_lean_deg,
        if m.trunk_lean_deg >= 0.0 { "forward" } else { "backward" }
    );
    let ankle = m.stack.hip_over_ankle.map(|v| format!(", hip over ankle {v:+.2}")).unwrap_or_default();
    println!(
        "  Stack         {:>6.2}    spread in trunk lengths (shoulder over hip {:+.2}{ankle})",
        m.stack.spread, m.stack.shoulder_over_hip
    );
    for q in &m.quality {
        println!("  check: {}", q.describe());
    }
    println!("  A personal trend, not a diagnosis: CVA cut-offs are not validated.");
    println!("  Error source: {}.", runtall_domain::posture::CVA_MDC_SOURCE);
}

fn print_video(s: &VideoSummary) {
    println!(
        "  facing {}; {} of {} frames usable; {:.0} s",
        s.facing.name(),
        s.frames_used,
        s.frames_total,
        s.duration_s
    );
    println!("  minute  frames  head forward (median, IQR)   trunk lean (median, IQR)");
    for m in &s.minutes {
        println!(
            "  {:>6}  {:>6}  {:>5.2} ({:.2}–{:.2})            {:>5.1}° ({:.1}–{:.1})",
            m.minute + 1,
            m.frames,
            m.head_forward,
            m.head_forward_q1,
            m.head_forward_q3,
            m.trunk_lean_deg,
            m.trunk_lean_q1,
            m.trunk_lean_q3
        );
    }
    println!("  {}", posture::drift_sentence(s));
}

/// The posture part of `runtall progress` and `runtall posture list`: each photo kind's trend, judged against its
/// error, and the latest run video's drift.
pub fn progress_lines(r: &PostureReport) -> Vec<String> {
    if r.checks == 0 {
        return vec!["Posture: no checks yet (the web app's Posture page, or `runtall posture add`).".into()];
    }
    let mut out = Vec::new();
    for h in &r.histories {
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        out.push(format!(
            "Posture, {} ({} on {}):",
            h.kind.label().to_lowercase(),
            plural(h.photos, "photo"),
            plural(h.days, "day")
        ));
        for t in &h.trends {
            out.push(format!("  {}", posture::trend_sentence(t)));
        }
    }
    if let Some(v) = r.videos.last() {
        out.push(format!("Run video of {}: {}", v.taken_on, posture::drift_sentence(&v.summary)));
    }
    out
}
