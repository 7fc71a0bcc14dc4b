//! Does an exercise card say one thing? The steps and cues are prose a person writes, the dose is numbers the
//! players time; when they drift apart (the steps say "hold 5 seconds", the timer holds 10; a cue says breathe in
//! on the turn while the step says breathe out) the runner cannot follow both. This module reads the numbers and
//! breath directions back out of the prose and compares them.
//!
//! The reading is deliberately narrow: a number counts only when a unit word follows it ("8–10 reps",
//! "about 4 seconds"), and a breath direction only when the same sentence names one direction and a movement.
//! Anything it cannot read is left alone rather than guessed.

use crate::model::{Dose, Exercise};

/// A claim a step or cue makes about the dose.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Claim {
    Reps,
    Breaths,
    /// Sets, written as rounds or levels.
    Sets,
    Hold,
    Inhale,
    Exhale,
    Rest,
    Minutes,
}

impl Claim {
    fn name(self) -> &'static str {
        match self {
            Claim::Reps => "reps",
            Claim::Breaths => "breaths per round",
            Claim::Sets => "sets (rounds or levels)",
            Claim::Hold => "hold",
            Claim::Inhale => "breath in",
            Claim::Exhale => "breath out",
            Claim::Rest => "rest",
            Claim::Minutes => "minutes",
        }
    }
}

/// A number or a range ("8–10", "2-3", "3.5") as written.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Range {
    lo: f32,
    hi: f32,
}

impl Range {
    fn contains(self, v: f32) -> bool {
        v >= self.lo - 0.01 && v <= self.hi + 0.01
    }
}

fn parse_range(word: &str) -> Option<Range> {
    let word = word.trim_matches(|c: char| !c.is_ascii_digit());
    if word.is_empty() {
        return None;
    }
    match word.split_once(['–', '-']) {
        Some((a, b)) => Some(Range { lo: a.parse().ok()?, hi: b.parse().ok()? }),
        None => {
            let v: f32 = word.parse().ok()?;
            Some(Range { lo: v, hi: v })
        }
    }
}

/// Sentences (split at `.` and `;`) in lower case, words split on spaces; "6-second" becomes "6 second".
fn sentences(text: &str) -> Vec<Vec<String>> {
    text.to_lowercase()
        .replace("-second", " second")
        .replace("-minute", " minute")
        .split(['.', ';', ':'])
        .map(|s| {
            s.split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|s| !s.is_empty())
        .collect()
}

fn has_phrase(words: &[String], phrase: &[&str]) -> bool {
    words.windows(phrase.len()).any(|w| w.iter().zip(phrase).all(|(a, b)| a == b))
}

/// Which breath direction a sentence names, if exactly one.
fn breath_direction(words: &[String]) -> Option<&'static str> {
    let inn = has_phrase(words, &["breathe", "in"]) || has_phrase(words, &["breath", "in"]);
    let out = has_phrase(words, &["breathe", "out"]) || has_phrase(words, &["breath", "out"]);
    match (inn, out) {
        (true, false) => Some("in"),
        (false, true) => Some("out"),
        _ => None,
    }
}

/// The numeric claims of one sentence: each number followed (within two words) by a unit word.
fn claims(words: &[String], breathing: bool) -> Vec<(Claim, Range, String)> {
    let mut out = Vec::new();
    let holdish = words.iter().any(|w| {
        w.starts_with("hold") || w.starts_with("paus") || w == "wait" || w.starts_with("wait") || w == "empty"
    });
    let rest = words.iter().any(|w| w == "rest");
    for (i, w) in words.iter().enumerate() {
        let Some(range) = parse_range(w) else { continue };
        if !w.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        // "6 breaths a minute" is a rate, not a count.
        let rest_of = &words[i + 1..];
        if rest_of.windows(2).take(2).any(|w| matches!(w[0].as_str(), "a" | "per") && w[1].starts_with("minute")) {
            continue;
        }
        let unit = words[i + 1..].iter().take(2).find_map(|u| {
            let u = u.as_str();
            match u {
                "reps" | "rep" | "times" => Some(Claim::Reps),
                "breaths" => Some(Claim::Breaths),
                "rounds" | "levels" => Some(Claim::Sets),
                "minutes" | "minute" => Some(Claim::Minutes),
                "seconds" | "second" | "s" => Some(Claim::Hold),
                _ => None,
            }
        });
        let Some(unit) = unit else { continue };
        let claim = match unit {
            // Seconds: a hold or pause, a rest, or a breath phase, by what the sentence is about.
            Claim::Hold if holdish => Claim::Hold,
            Claim::Hold if rest => Claim::Rest,
            Claim::Hold if breathing => match breath_direction(words) {
                Some("in") => Claim::Inhale,
                Some(_) => Claim::Exhale,
                None => continue,
            },
            Claim::Hold => continue,
            other => other,
        };
        out.push((claim, range, words.join(" ")));
    }
    out
}

/// The values of the dose a claim may match (a breathing drill's holds are its pauses in and out).
fn dose_values(claim: Claim, d: &Dose) -> Vec<f32> {
    let breath = d.breath.as_ref();
    match claim {
        Claim::Reps | Claim::Breaths => d.reps.map(|r| r as f32).into_iter().collect(),
        Claim::Sets => vec![d.sets as f32],
        Claim::Hold => match breath {
            Some(b) => [b.hold_in_s, b.hold_out_s].into_iter().filter(|x| *x > 0.0).collect(),
            None => d.hold_s.map(|h| h as f32).into_iter().collect(),
        },
        Claim::Inhale => breath.map(|b| b.inhale_s).into_iter().collect(),
        Claim::Exhale => breath.map(|b| b.exhale_s).into_iter().collect(),
        Claim::Rest => vec![d.rest_s as f32],
        Claim::Minutes => d.work_s.map(|w| w as f32 / 60.0).into_iter().collect(),
    }
}

/// Movements a breath may be paired with ("breathe out as you sweep the arm over").
const MOVEMENTS: &[&str] = &[
    "sweep", "open", "close", "lean", "bend", "lift", "lower", "press", "pull", "return", "bring", "turn", "rock",
    "drape", "curl", "tuck", "reach", "arch", "slide", "rotate", "raise", "squeeze", "nod",
];

fn movement(word: &str, next: Option<&String>) -> Option<&'static str> {
    // "the lower ribs", "the lower back": a place, not a movement.
    if word == "lower" && next.is_some_and(|n| ["rib", "back", "belly", "arm"].iter().any(|b| n.starts_with(b))) {
        return None;
    }
    MOVEMENTS.iter().copied().find(|m| word.starts_with(m) && word.len() <= m.len() + 3)
}

/// Numbers in one text (a step, a cue, a drawing's label) that the exercise's dose does not contain.
pub fn text_problems(e: &Exercise, kind: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let breathing = e.dose.breath.is_some();
    for words in sentences(text) {
        for (claim, range, sentence) in claims(&words, breathing) {
            let values = dose_values(claim, &e.dose);
            if !values.iter().any(|v| range.contains(*v)) {
                let said =
                    if range.lo == range.hi { format!("{}", range.lo) } else { format!("{}–{}", range.lo, range.hi) };
                let dose = if values.is_empty() {
                    "none".to_string()
                } else {
                    values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(" or ")
                };
                problems.push(format!(
                    "a {kind} says {said} for the {}, the dose has {dose}: \"{sentence}\"",
                    claim.name()
                ));
            }
        }
    }
    problems
}

/// Everything on the card that disagrees: numbers in the steps and cues that the dose does not contain, and a
/// movement paired with breathing in in one place and breathing out in another. Empty means the card agrees.
pub fn card_problems(e: &Exercise) -> Vec<String> {
    let mut problems = Vec::new();
    let breathing = e.dose.breath.is_some();
    let texts: Vec<(&str, &String)> =
        e.steps.iter().map(|s| ("step", s)).chain(e.cues.iter().map(|c| ("cue", c))).collect();
    for (kind, text) in &texts {
        for words in sentences(text) {
            for (claim, range, sentence) in claims(&words, breathing) {
                let values = dose_values(claim, &e.dose);
                if !values.iter().any(|v| range.contains(*v)) {
                    let said = if range.lo == range.hi {
                        format!("{}", range.lo)
                    } else {
                        format!("{}–{}", range.lo, range.hi)
                    };
                    let dose = if values.is_empty() {
                        "none".to_string()
                    } else {
                        values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(" or ")
                    };
                    problems.push(format!(
                        "a {kind} says {said} for the {}, the dose has {dose}: \"{sentence}\"",
                        claim.name()
                    ));
                }
            }
        }
    }
    // Breath direction per movement, across every step and cue.
    let mut seen: Vec<(&'static str, &'static str, String)> = Vec::new();
    for (_, text) in &texts {
        for words in sentences(text) {
            let Some(dir) = breath_direction(&words) else { continue };
            for m in words.iter().enumerate().filter_map(|(i, w)| movement(w, words.get(i + 1))) {
                if let Some((_, other, where_)) = seen.iter().find(|(mm, d, _)| *mm == m && *d != dir) {
                    problems.push(format!(
                        "breathe {dir} with '{m}' in \"{}\", but breathe {other} with it in \"{where_}\"",
                        words.join(" ")
                    ));
                } else {
                    seen.push((m, dir, words.join(" ")));
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        sentences(s).into_iter().next().unwrap_or_default()
    }

    #[test]
    fn numbers_count_only_with_a_unit() {
        let c = claims(&words("Lower slowly, do 8–10 reps"), false);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].0, Claim::Reps);
        assert_eq!(c[0].1, Range { lo: 8.0, hi: 10.0 });
        assert!(claims(&words("hips and knees bent to about 90°"), false).is_empty());
        let c = claims(&words("Hold for about 5 seconds at half effort"), false);
        assert_eq!(c[0].0, Claim::Hold);
        let c = claims(&words("Breathe out slowly for 6–8 seconds"), true);
        assert_eq!(c[0].0, Claim::Exhale);
    }

    #[test]
    fn a_sentence_names_a_breath_direction_only_when_it_names_one() {
        assert_eq!(breath_direction(&words("breathe out as you open the book")), Some("out"));
        assert_eq!(breath_direction(&words("breathe in, then breathe out")), None);
        assert_eq!(breath_direction(&words("keep breathing through each hold")), None);
    }
}
