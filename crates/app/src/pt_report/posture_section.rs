//! The posture section: what the photos and run videos measured, in the same sentences the CLI and the Posture page
//! use, each change judged against its measurement error.
//!
//! Photos up to the end of the period count (a trend needs its first day even when that lies before the period);
//! run videos count only when taken inside the period, newest last, at most [`MAX_VIDEOS`] of them.

use super::{Ctx, PostureKindLines, PostureSection, PostureVideoLine};
use crate::Result;
use crate::posture::{self, PostureCheck};

/// A report is read in minutes; the latest few videos say what the drift looks like now.
const MAX_VIDEOS: usize = 3;

pub(super) fn posture(ctx: &Ctx<'_>) -> Result<PostureSection> {
    let checks: Vec<PostureCheck> = posture::list(ctx.store)?.into_iter().filter(|c| c.taken_on <= ctx.to).collect();
    let in_period = checks.iter().filter(|c| ctx.in_period(c.taken_on)).count();
    let report = posture::report_of(&checks);
    let photos = report
        .histories
        .iter()
        .map(|h| PostureKindLines {
            kind: h.kind.label().to_string(),
            counts: format!("{} on {}", counted(h.photos, "photo"), counted(h.days, "day")),
            sentences: h.trends.iter().map(posture::trend_sentence).collect(),
        })
        .collect();
    let videos_in_period: Vec<_> = report.videos.iter().filter(|v| ctx.in_period(v.taken_on)).collect();
    let skip = videos_in_period.len().saturating_sub(MAX_VIDEOS);
    let videos = videos_in_period
        .into_iter()
        .skip(skip)
        .map(|v| PostureVideoLine { taken_on: v.taken_on, sentence: posture::drift_sentence(&v.summary) })
        .collect();
    let error_note = format!(
        "Changes are judged against the larger of the published error of the craniovertebral angle (±{:.1}°, {}) and \
         the runner's own spread between photos taken on one day; landmarks are placed by a pose model and checked \
         by the runner, not by a clinician.",
        report.cva_mdc_deg, report.cva_mdc_source
    );
    Ok(PostureSection { checks_in_period: in_period, photos, videos, error_note })
}

fn counted(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}
