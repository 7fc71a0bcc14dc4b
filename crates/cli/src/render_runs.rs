//! Text rendering of runs: a list, and one run with laps, classification reasons and small charts.

use runtall_domain::activity::{Samples, speed_text};
use runtall_domain::classify::RunLabel;
use runtall_domain::profile::Units;
use runtall_store::{ActivityRow, StoredActivity};

/// The domain's one set of formatters, the same the web pages show.
pub use runtall_domain::units::{distance, duration, pace};

pub fn label_name(l: Option<RunLabel>) -> &'static str {
    match l {
        Some(RunLabel::Easy) => "easy",
        Some(RunLabel::Long) => "long",
        Some(RunLabel::Intervals) => "intervals",
        Some(RunLabel::Tempo) => "tempo",
        Some(RunLabel::Race) => "race",
        Some(RunLabel::Trail) => "trail",
        None => "–",
    }
}

/// What an empty list means depends on what was asked: an empty journal, no other sports, or filters that match
/// nothing in a journal that has runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    Runs,
    CrossTraining,
    Filtered,
}

pub fn list(rows: &[ActivityRow], units: Units, asked: Asked) {
    if rows.is_empty() {
        println!(
            "{}",
            match asked {
                Asked::Runs => {
                    "No runs yet: import your watch files with `runtall import PATH` (FIT, GPX, TCX, or a bulk export zip)."
                }
                Asked::CrossTraining => {
                    "No other sports yet: rides, swims and walks you import are listed here (runs: `runtall runs`)."
                }
                Asked::Filtered => "No activities match these filters; `runtall runs` lists every run.",
            }
        );
        return;
    }
    println!(
        "{:>5}  {:<16}  {:<10} {:>10} {:>9} {:>10} {:>5}  name",
        "id", "start (local)", "type", "distance", "time", "pace/speed", "HR"
    );
    for r in rows {
        let local = r.start.checked_add(jiff::SignedDuration::from_secs(i64::from(r.utc_offset_s.unwrap_or(0))));
        let when = local.map(|t| t.strftime("%Y-%m-%d %H:%M").to_string()).unwrap_or_default();
        println!(
            "{:>5}  {:<16}  {:<10} {:>10} {:>9} {:>10} {:>5}  {}",
            r.id,
            when,
            if r.sport.is_run() { label_name(r.label) } else { r.sport.as_str() },
            distance(r.distance_m, units),
            duration(r.moving_s),
            speed_text(r.sport, r.moving_s, r.distance_m, units),
            r.avg_hr_bpm.map(|h| format!("{h:.0}")).unwrap_or_else(|| "–".into()),
            r.name.as_deref().unwrap_or("")
        );
    }
    println!();
    crate::render::println_wrapped(
        &format!(
            "{}. Details: `runtall runs show ID`; other sports: `runtall runs --cross-training`.",
            runtall_domain::text::count(rows.len(), "activity", "activities")
        ),
        "",
    );
}

/// A one-line chart of a series, bucketed to `width` columns (mean per bucket); gaps stay blank.
pub fn sparkline(values: &[Option<f64>], width: usize) -> Option<(String, f64, f64)> {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let present: Vec<f64> = values.iter().flatten().copied().filter(|v| v.is_finite()).collect();
    if present.len() < 2 || width == 0 {
        return None;
    }
    // Robust range: ignore the extreme 2% so one GPS spike does not flatten the chart.
    let mut sorted = present.clone();
    sorted.sort_by(f64::total_cmp);
    let lo = sorted[sorted.len() / 50];
    let hi = sorted[sorted.len() - 1 - sorted.len() / 50];
    let span = (hi - lo).max(1e-9);
    let per = values.len().div_ceil(width).max(1);
    let line: String = values
        .chunks(per)
        .map(|chunk| {
            let vals: Vec<f64> = chunk.iter().flatten().copied().filter(|v| v.is_finite()).collect();
            if vals.is_empty() {
                return ' ';
            }
            let mean = vals.iter().sum::<f64>() / vals.len() as f64;
            let idx = (((mean - lo) / span).clamp(0.0, 1.0) * 7.0).round() as usize;
            BARS[idx.min(7)]
        })
        .collect();
    Some((line, lo, hi))
}

fn charts(s: &Samples, units: Units) {
    // As wide as the terminal leaves room for beside the labels (the pace legend is the longest, ~36 columns).
    let width = crate::render::width().saturating_sub(46).clamp(24, 60);
    // Speed is charted (higher = faster) and labelled in pace, which is what runners read.
    let speed: Vec<Option<f64>> = s.speed_mps.iter().map(|v| v.filter(|x| *x > 0.3)).collect();
    if let Some((line, lo, hi)) = sparkline(&speed, width) {
        println!("  pace  {line}  {} – {} (higher = faster)", pace(1.0, hi, units), pace(1.0, lo, units));
    }
    if let Some((line, lo, hi)) = sparkline(&s.hr_bpm, width) {
        println!("  HR    {line}  {lo:.0} – {hi:.0} bpm");
    }
    if let Some((line, lo, hi)) = sparkline(&s.altitude_m, width) {
        println!("  elev  {line}  {lo:.0} – {hi:.0} m");
    }
}

/// "distance: 7.40 km — over your long-run cut", or just "distance: 7.40 km" when the feature has no note (never a
/// dangling dash).
fn reason_line(f: &runtall_domain::classify::Feature) -> String {
    if f.note.trim().is_empty() {
        format!("{}: {}", f.name, f.value)
    } else {
        format!("{}: {} — {}", f.name, f.value, f.note)
    }
}

pub fn show(run: &StoredActivity, units: Units) {
    let a = &run.activity;
    let label = run.classification.as_ref().map(|c| c.label);
    let kind = if a.sport.is_run() { label_name(label) } else { "cross-training" };
    let mut noun = a.sport.noun().to_string();
    noun[..1].make_ascii_uppercase();
    println!("{noun} #{} — {kind} {}", run.id, a.name.as_deref().map(|n| format!("“{n}”")).unwrap_or_default());
    let local = a.start.checked_add(jiff::SignedDuration::from_secs(i64::from(a.utc_offset_s.unwrap_or(0))));
    let offset = a.utc_offset_s.map(|o| format!(" (UTC{:+})", f64::from(o) / 3600.0)).unwrap_or_else(|| " UTC".into());
    println!("  start     {}{offset}", local.map(|t| t.strftime("%Y-%m-%d %H:%M").to_string()).unwrap_or_default());
    println!(
        "  sport     {}{}",
        a.sport.as_str(),
        a.sub_sport.as_deref().map(|s| format!(" / {s}")).unwrap_or_default()
    );
    println!("  distance  {}", distance(a.distance_m, units));
    println!("  time      {} moving, {} elapsed", duration(a.moving_s), duration(a.elapsed_s));
    println!("  speed     {}", speed_text(a.sport, a.moving_s, a.distance_m, units));
    if let Some(why) = &a.quality.sport_reason {
        println!("  sport by  {why}");
    }
    if !a.quality.implausible.is_empty() {
        let what: Vec<&str> = a.quality.implausible.iter().map(|x| x.as_str()).collect();
        println!("  note      {} cannot be true: shown, but left out of labels and insights", what.join(" and "));
    }
    if a.avg_hr_bpm.is_some() {
        println!(
            "  HR        avg {} / max {} bpm",
            a.avg_hr_bpm.map(|h| format!("{h:.0}")).unwrap_or_else(|| "–".into()),
            a.max_hr_bpm.map(|h| format!("{h:.0}")).unwrap_or_else(|| "–".into())
        );
    }
    if let (Some(up), Some(down)) = (a.ascent_m, a.descent_m) {
        println!("  climb     +{up:.0} m / −{down:.0} m");
    }
    if let Some(c) = a.avg_cadence_spm {
        println!("  cadence   {c:.0} steps/min");
    }
    if let Some(r) = a.avg_respiration_brpm {
        println!("  breathing {r:.1} breaths/min");
    }
    if let Some(d) = &a.device {
        println!("  device    {d}");
    }
    println!("  source    {} ({})", a.source.path, a.source.format);
    if let Some(c) = &run.classification {
        println!("\nWhy “{}”:", label_name(Some(c.label)));
        for f in &c.reasons {
            crate::render::println_fitted(&format!("  • {}", reason_line(f)), Some(4));
        }
        if !c.also.is_empty() {
            let also: Vec<&str> = c.also.iter().map(|l| label_name(Some(*l))).collect();
            println!("  also: {}", also.join(", "));
        }
    }
    if !a.laps.is_empty() {
        println!("\nLaps:");
        println!("  {:>3} {:>10} {:>9} {:>10} {:>5}  intensity", "#", "distance", "time", "pace", "HR");
        for (i, l) in a.laps.iter().enumerate() {
            let t = l.moving_s.unwrap_or(l.elapsed_s);
            println!(
                "  {:>3} {:>10} {:>9} {:>10} {:>5}  {}",
                i + 1,
                distance(l.distance_m, units),
                duration(t),
                speed_text(a.sport, t, l.distance_m, units),
                l.avg_hr_bpm.map(|h| format!("{h:.0}")).unwrap_or_else(|| "–".into()),
                l.intensity.map(|x| format!("{x:?}").to_lowercase()).unwrap_or_default()
            );
        }
    }
    if !a.samples.is_empty() {
        println!("\nOver the run ({} samples):", a.samples.len());
        charts(&a.samples, units);
    }
    if !a.warnings.is_empty() {
        println!("\nRead with warnings:");
        for w in &a.warnings {
            println!("  ! {w}");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_reason_without_a_note_has_no_dangling_dash() {
        let f = |note: &str| runtall_domain::classify::Feature {
            name: "distance".into(),
            value: "7.40 km".into(),
            note: note.into(),
        };
        assert_eq!(super::reason_line(&f("")), "distance: 7.40 km");
        assert_eq!(super::reason_line(&f("long for you")), "distance: 7.40 km — long for you");
    }

    use super::*;

    #[test]
    fn sparkline_buckets_and_skips_gaps() {
        let values: Vec<Option<f64>> =
            (0..120).map(|i| if (40..60).contains(&i) { None } else { Some(i as f64) }).collect();
        let (line, lo, hi) = sparkline(&values, 12).expect("chart");
        assert_eq!(line.chars().count(), 12);
        assert!(line.contains(' '), "the gap shows: {line}");
        assert!(lo < hi);
        assert!(line.starts_with('▁') && line.ends_with('█'), "{line}");
        assert!(sparkline(&[Some(1.0)], 10).is_none());
    }
}
