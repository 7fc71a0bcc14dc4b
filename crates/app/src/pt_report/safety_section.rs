//! Safety: every red-flag screen of the period with its level, the questions answered yes and the clinician checks,
//! and the safety gate's state at the end of the period. What the gate leaves out is decided by
//! [`runtall_domain::safety::gate`] alone; this module only asks it, with the screen and assessment that were in
//! force on the report's last day.

use super::{Ctx, SafetySection, ScreenLine};
use runtall_domain::assess::AssessmentRecord;
use runtall_domain::content::{FlagLevel, Program};
use runtall_domain::safety::{Permissions, SafetyInputs, gate};
use runtall_domain::screen::ScreeningRecord;

/// The level's title from the content ("A — Emergency: get help now"); "no flags" when every answer was no.
fn level_text(program: &Program, level: Option<FlagLevel>) -> String {
    match level {
        None => "no flags".into(),
        Some(l) => {
            let title = program.flag_levels.iter().find(|i| i.level == l).map(|i| i.title.as_str()).unwrap_or("");
            format!("{l:?} — {title}")
        }
    }
}

fn line(ctx: &Ctx, s: &ScreeningRecord) -> ScreenLine {
    ScreenLine {
        date: ctx.date(s.taken_at),
        level: s.outcome.level,
        level_text: level_text(ctx.program, s.outcome.level),
        yes: s.outcome.triggered.iter().map(|f| format!("{} (level {:?})", f.short, f.level)).collect(),
        clinician_checked: s.clinician_checked_at.map(|t| ctx.date(t)),
    }
}

/// The gate's permissions as they stood at the end of the period: the latest screen and assessment taken by then.
pub(super) fn permissions_at_end(
    ctx: &Ctx,
    screenings: &[ScreeningRecord],
    assessments: &[AssessmentRecord],
) -> Permissions {
    let screening = screenings.iter().rev().find(|s| ctx.date(s.taken_at) <= ctx.to);
    let assessment = assessments.iter().rev().find(|a| ctx.date(a.taken_at) <= ctx.to);
    gate(ctx.program, &SafetyInputs { screening, assessment: assessment.map(|a| &a.assessment) })
}

pub(super) fn safety(ctx: &Ctx, screenings: &[ScreeningRecord], assessments: &[AssessmentRecord]) -> SafetySection {
    let p = permissions_at_end(ctx, screenings, assessments);
    let screens: Vec<ScreenLine> =
        screenings.iter().filter(|s| ctx.in_period(ctx.date(s.taken_at))).map(|s| line(ctx, s)).collect();
    let in_force_at_start = screenings.iter().rev().find(|s| ctx.date(s.taken_at) < ctx.from).map(|s| line(ctx, s));
    SafetySection {
        headline: p.headline.clone(),
        mode: p.mode.name().to_string(),
        level: p.level_name().to_string(),
        screens,
        in_force_at_start,
    }
}
