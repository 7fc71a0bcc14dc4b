//! Small wording helpers the report's sections share: names, distances, shares, the footer.

use super::Footer;
use runtall_domain::content::{Program, SourceKind};
use runtall_domain::profile::Units;

/// Initials of a name: the first letter of each word, capitalised, with a dot ("Sam Runner" → "S. R.").
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphabetic()))
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) fn display_name(name: &str, initials_only: bool) -> String {
    let name = name.trim();
    if name.is_empty() {
        return "(no name given)".into();
    }
    if initials_only { initials(name) } else { name.to_string() }
}

pub(super) const KM_PER_MI: f64 = 1.609_344;

/// Kilometres in the runner's units.
pub(super) fn distance(km: f64, units: Units) -> f64 {
    match units {
        Units::Km => km,
        Units::Mi => km / KM_PER_MI,
    }
}

pub(super) fn unit(units: Units) -> &'static str {
    match units {
        Units::Km => "km",
        Units::Mi => "mi",
    }
}

pub(super) fn percent(share: f64) -> String {
    format!("{:.0}%", 100.0 * share)
}

pub(super) use runtall_domain::text::count;

/// A number without a trailing ".0" ("5", "4.5").
pub(super) fn num(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 { format!("{:.0}", x.round()) } else { format!("{x:.1}") }
}

pub(super) fn footer(program: &Program) -> Footer {
    let mut sources: Vec<String> = program
        .sources
        .iter()
        .filter(|s| s.kind != SourceKind::Program)
        // A short date only: some sources carry a sentence about how they are dated, which the Sources page keeps.
        .map(|s| if s.date.chars().count() <= 12 { format!("{} ({})", s.title, s.date) } else { s.title.clone() })
        .collect();
    sources.push("the program's own design choices, marked as such where used".into());
    Footer {
        what_it_is: "runtall is a self-guided wellness program for runners with neck and upper-back pain (red-flag \
                     screen, posture and breathing routines, habits, a journal). Every figure here is what the runner \
                     logged or imported from a watch; nothing was measured by a clinician."
            .into(),
        what_it_is_not: "It is not a diagnosis, a treatment or a medical device, and it does not replace an \
                         examination. Associations in the journal are not causes."
            .into(),
        sources,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_take_the_first_letter_of_each_word() {
        assert_eq!(initials("Sam Runner"), "S. R.");
        assert_eq!(initials("  anna-lena  de vries "), "A. D. V.");
        assert_eq!(initials("Ørjan Ås"), "Ø. Å.");
        assert_eq!(display_name("", true), "(no name given)");
        assert_eq!(display_name("Sam Runner", false), "Sam Runner");
    }

    #[test]
    fn numbers_read_plainly() {
        assert_eq!(num(5.0), "5");
        assert_eq!(num(4.5), "4.5");
        assert_eq!(count(1, "run", "runs"), "1 run");
        assert_eq!(count(0, "run", "runs"), "0 runs");
        assert!((distance(16.09344, Units::Mi) - 10.0).abs() < 1e-9);
    }
}
