//! Length limits for free text, in one place: names, notes and device strings come from watch files, export
//! indexes, journals, forms and command-line arguments, and each of those paths applies these limits.
//!
//! Why limits at all: a crafted GPX whose track name is 100 MB was stored verbatim and made the runs page 100 MB.
//! Text from files is cut to the limit with a warning kept on the activity (the rest of the file is still worth
//! importing); text the runner types or a journal carries is refused with a message naming the field, so nothing
//! they wrote is silently shortened.

/// A run's or activity's name (watch files, Strava's `activities.csv`, journals).
pub const ACTIVITY_NAME_MAX_CHARS: usize = 200;
/// The device or app that recorded a file.
pub const DEVICE_MAX_CHARS: usize = 100;
/// A sport as the file words it ("trail running", a GPX `<type>`).
pub const SPORT_TEXT_MAX_CHARS: usize = 64;
/// A pain report's notes.
pub const NOTES_MAX_CHARS: usize = 500;
/// The runner's name in their profile.
pub const PROFILE_NAME_MAX_CHARS: usize = 80;

/// `text` cut to at most `max` characters (never inside a character), and whether it was cut. Cheap on long
/// input: it stops counting at the limit.
pub fn truncate_chars(text: &str, max: usize) -> (&str, bool) {
    match text.char_indices().nth(max) {
        Some((end, _)) => (&text[..end], true),
        None => (text, false),
    }
}

/// Whether `text` is longer than `max` characters, without counting past the limit.
pub fn longer_than(text: &str, max: usize) -> bool {
    text.char_indices().nth(max).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_on_character_boundaries() {
        assert_eq!(truncate_chars("héllo", 2), ("hé", true));
        assert_eq!(truncate_chars("héllo", 5), ("héllo", false));
        assert_eq!(truncate_chars("", 0), ("", false));
        assert!(longer_than("abc", 2) && !longer_than("abc", 3));
    }
}

/// A count with its noun, singular for one: "1 run", "3 runs", "1 day". Every front end counts things in sentences;
/// this keeps "1 runs" out of all of them.
pub fn count(n: impl TryInto<u64>, one: &str, many: &str) -> String {
    // Counts are never negative or past u64; such a value is a bug upstream, shown as a large number, not a panic.
    let n = n.try_into().unwrap_or(u64::MAX);
    format!("{n} {}", if n == 1 { one } else { many })
}

/// An amount that may have a fraction, with its noun: "1 run a week", "1.5 runs", "4 runs" (no trailing ".0").
pub fn amount(x: f64, one: &str, many: &str) -> String {
    let text = if (x - x.round()).abs() < 0.05 { format!("{:.0}", x.round()) } else { format!("{x:.1}") };
    let noun = if text == "1" { one } else { many };
    format!("{text} {noun}")
}

#[cfg(test)]
mod count_tests {
    #[test]
    fn one_is_singular_and_the_rest_plural() {
        assert_eq!(super::count(1u32, "run", "runs"), "1 run");
        assert_eq!(super::count(0u32, "run", "runs"), "0 runs");
        assert_eq!(super::count(2u64, "pain report", "pain reports"), "2 pain reports");
        assert_eq!(super::count(1usize, "week", "weeks"), "1 week");
        assert_eq!(super::amount(1.0, "run", "runs"), "1 run");
        assert_eq!(super::amount(1.5, "run", "runs"), "1.5 runs");
        assert_eq!(super::amount(4.0, "run", "runs"), "4 runs");
    }
}
