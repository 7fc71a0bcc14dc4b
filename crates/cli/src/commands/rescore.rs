//! `runtall assess --rescore` / `--psfs LIST`: the two-weekly re-score of the functional scale (PSFS) alone, and the
//! one-line reminder other commands print when it is due.

use super::Ctx;
use crate::error::{CliError, CliResult};
use crate::prompt;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use runtall_domain::assess::PsfsItem;
use runtall_store::Store;

/// Re-scores the latest assessment's activities from `spec` (non-interactive) or from prompts, stores the copy,
/// and prints the change against the start.
pub fn run(ctx: &Ctx, spec: Option<&str>) -> CliResult {
    let store = ctx.store()?;
    let latest =
        store.latest_assessment()?.ok_or_else(|| CliError::user("no assessment yet: run `runtall assess` first"))?;
    let items = &latest.assessment.psfs;
    let ratings = match spec {
        Some(s) => parse_ratings(s, items)?,
        None => prompt::psfs_rescore(items)?,
    };
    let record = runtall_app::progress::rescore_psfs(&store, &ratings, Timestamp::now())?;
    let today = Timestamp::now().to_zoned(TimeZone::system()).date();
    let progress = runtall_app::progress::progress(&store, today)?;
    if ctx.json {
        return ctx.print_json(&serde_json::json!({ "assessment": record, "psfs": progress.psfs }));
    }
    println!("Functional scale re-scored ({:.1}/10):", record.assessment.psfs_score());
    for (old, new) in items.iter().zip(&record.assessment.psfs) {
        println!("  {:<44} {} → {}", new.activity, old.score.get(), new.score.get());
    }
    if let Some(c) = &progress.psfs.change {
        println!("{}", c.sentence);
    }
    println!("Next re-score due {}.", progress.psfs.next.next_due);
    Ok(())
}

/// Reads `NAME=RATING,...`: NAME is the activity's number (1-based) or a word or phrase found in exactly one
/// activity's name (any case). Every activity must be rated once, so a re-score is never half old and half new.
pub fn parse_ratings(spec: &str, items: &[PsfsItem]) -> CliResult<Vec<f64>> {
    let list =
        || items.iter().enumerate().map(|(i, it)| format!("{}. {}", i + 1, it.activity)).collect::<Vec<_>>().join("; ");
    let mut ratings: Vec<Option<f64>> = vec![None; items.len()];
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = part
            .rsplit_once('=')
            .ok_or_else(|| CliError::user(format!("--psfs '{part}': expected NAME=RATING, e.g. run=6")))?;
        let (name, value) = (name.trim(), value.trim());
        let index = match name.parse::<usize>() {
            Ok(n) if (1..=items.len()).contains(&n) => n - 1,
            Ok(n) => {
                return Err(CliError::user(format!(
                    "--psfs '{part}': there is no activity {n} (1–{}: {})",
                    items.len(),
                    list()
                )));
            }
            Err(_) => {
                let needle = name.to_lowercase();
                let found: Vec<usize> = items
                    .iter()
                    .enumerate()
                    .filter(|(_, it)| it.activity.to_lowercase().contains(&needle))
                    .map(|(i, _)| i)
                    .collect();
                match found.as_slice() {
                    [i] => *i,
                    [] => {
                        return Err(CliError::user(format!(
                            "--psfs '{part}': no activity matches '{name}' (your activities: {})",
                            list()
                        )));
                    }
                    _ => {
                        return Err(CliError::user(format!(
                            "--psfs '{part}': '{name}' matches more than one activity; use more of the name or its \
                             number ({})",
                            list()
                        )));
                    }
                }
            }
        };
        let rating: f64 = value
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && (0.0..=10.0).contains(v))
            .ok_or_else(|| CliError::user(format!("--psfs '{part}': the rating must be 0–10")))?;
        if ratings[index].replace(rating).is_some() {
            return Err(CliError::user(format!("--psfs: '{}' is rated twice", items[index].activity)));
        }
    }
    let missing: Vec<String> = items
        .iter()
        .zip(&ratings)
        .enumerate()
        .filter(|(_, (_, r))| r.is_none())
        .map(|(i, (it, _))| format!("{}. {}", i + 1, it.activity))
        .collect();
    if !missing.is_empty() {
        return Err(CliError::user(format!("--psfs: rate every activity; not rated: {}", missing.join("; "))));
    }
    Ok(ratings.into_iter().flatten().collect())
}

/// The one-line re-score reminder, when the functional scale is due; None otherwise (or before any assessment).
pub fn due_line(store: &dyn Store) -> CliResult<Option<String>> {
    let today = Timestamp::now().to_zoned(TimeZone::system()).date();
    let due = runtall_app::progress::psfs_due(store, today, &TimeZone::system())?;
    Ok(due.filter(|d| d.due_now).map(|d| {
        let when = if d.days_until == 0 { "today".to_string() } else { format!("since {}", d.next_due) };
        format!("Functional scale re-score due {when} (every 14 days): `runtall assess --rescore`, about a minute.")
    }))
}

/// Prints the reminder when due. Never fails the command it follows: the entry the runner made is already saved.
pub fn print_due(store: &dyn Store) {
    if let Ok(Some(line)) = due_line(store) {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runtall_domain::assess::Score;

    fn items() -> Vec<PsfsItem> {
        ["Run 90 minutes without neck pain", "Work at the laptop for a morning", "Sleep through without ache"]
            .iter()
            .map(|a| PsfsItem { activity: a.to_string(), score: Score::new(4.0).unwrap() })
            .collect()
    }

    #[test]
    fn ratings_by_word_or_number_in_the_activities_order() {
        assert_eq!(parse_ratings("laptop=7, run=6,3=8", &items()).unwrap(), vec![6.0, 7.0, 8.0]);
        assert_eq!(parse_ratings("SLEEP=5,1=0,work at=10", &items()).unwrap(), vec![0.0, 10.0, 5.0]);
    }

    #[test]
    fn bad_ratings_name_the_flag_and_the_problem() {
        let err = |s: &str| parse_ratings(s, &items()).unwrap_err().to_string();
        assert!(err("run=6,laptop=7").contains("not rated: 3. Sleep through without ache"), "{}", err("run=6"));
        assert!(err("run=11,laptop=7,sleep=8").contains("--psfs 'run=11': the rating must be 0–10"));
        assert!(err("swim=5,laptop=7,sleep=8").contains("no activity matches 'swim'"));
        assert!(err("without=5,laptop=7").contains("matches more than one activity"));
        assert!(err("run=5,1=6,laptop=7,sleep=8").contains("rated twice"));
        assert!(err("4=5").contains("there is no activity 4"));
        assert!(err("run 6").contains("expected NAME=RATING"));
    }
}
