//! The engine's sentences: counts, verdicts in plain words for both directions, factors that travel together and the
//! experiment that would separate them, the summary. Always "goes with", never a word that claims a cause.

use crate::analysis::{AnalysisConfig, Counts, Entanglement, ExperimentSuggestion, FactorResult, Verdict, ratio_text};
use crate::experiment::ExperimentUnit;
use crate::factors::Factor;
use crate::features::Reading;
use runtall_domain::text::count;

/// Runs with both, only the first, only the second, neither (where both are known), and the correlation (phi);
/// `None` when either factor never varies.
pub(crate) fn crosstab(a: &[Option<bool>], b: &[Option<bool>]) -> Option<([usize; 4], f64)> {
    let mut t = [[0usize; 2]; 2];
    for (x, y) in a.iter().zip(b) {
        if let (Some(x), Some(y)) = (x, y) {
            t[usize::from(*x)][usize::from(*y)] += 1;
        }
    }
    let (n11, n10, n01, n00) = (t[1][1], t[1][0], t[0][1], t[0][0]);
    let (r1, r0, c1, c0) = ((n11 + n10) as f64, (n01 + n00) as f64, (n11 + n01) as f64, (n10 + n00) as f64);
    let denom = (r1 * r0 * c1 * c0).sqrt();
    (denom > 0.0).then(|| ([n11, n10, n01, n00], (n11 as f64 * n00 as f64 - n10 as f64 * n01 as f64) / denom))
}

/// "Pain followed 6 of 7 long runs and 1 of 8 shorter runs."
pub(crate) fn counts_sentence(f: Factor, reading: Reading, with: &Counts, without: &Counts) -> String {
    let (w, wo) = match reading {
        Reading::Cut { measure, lag, cut } => measure.cut_phrases(lag, cut),
        Reading::Rule | Reading::Dose { .. } => {
            let (w, wo) = f.phrases();
            (w.to_string(), wo)
        }
    };
    format!("Pain followed {} of {} {w} and {} of {} {wo}.", with.with_pain, with.runs, without.with_pain, without.runs)
}

/// Two factors the data cannot separate: strongly correlated (|phi| ≥ [`AnalysisConfig::entangled_phi`]) and
/// either too few runs where they disagree, or both flagged — then either could be the one, and naming one winner
/// would claim more than the journal shows.
pub(crate) fn entanglement(
    fa: Factor,
    fb: Factor,
    a: &[Option<bool>],
    b: &[Option<bool>],
    both_flagged: bool,
    config: &AnalysisConfig,
) -> Option<Entanglement> {
    let ([n11, n10, n01, n00], phi) = crosstab(a, b)?;
    if phi.abs() < config.entangled_phi {
        return None;
    }
    let together = phi > 0.0;
    // The two explanations ("it is a" vs "it is b") predict different pain only on runs where the factors disagree
    // (in the sense of their association): those runs are all the data has to separate them.
    let discordant = if together { n10 + n01 } else { n11 + n00 };
    if discordant >= config.separating_runs && !both_flagged {
        return None;
    }
    let (la, lb) = (fa.label(), fb.label());
    let sentence = if together {
        format!(
            "{} and {} travel together in your journal ({} had both, {} only the first, {} only the second), so \
             the data cannot tell which of them goes with pain.",
            capitalize(la),
            lb,
            count(n11, "run", "runs"),
            n10,
            n01
        )
    } else {
        format!(
            "{} and {} almost never happen together in your journal ({} had both, {} had neither), so the data \
             cannot tell which of them goes with pain.",
            capitalize(la),
            lb,
            count(n11, "run", "runs"),
            n00
        )
    };
    let experiment = separating_experiment(fa, fb);
    let sentence = if experiment.is_none() {
        format!(
            "{sentence} Neither can be switched on and off at will, so only runs that have one without the other will \
             tell them apart."
        )
    } else {
        sentence
    };
    Some(Entanglement {
        a: fa,
        b: fb,
        together,
        both: n11,
        only_a: n10,
        only_b: n01,
        neither: n00,
        phi,
        sentence,
        experiment,
    })
}

/// The experiment that would pull two entangled factors apart: switch the one the runner controls while holding the
/// other in place.
fn separating_experiment(fa: Factor, fb: Factor) -> Option<ExperimentSuggestion> {
    let (ea, eb) = (fa.experiment(), fb.experiment());
    let (switch, keep, ef) = match (ea, eb) {
        (Some(e), None) => (fa, fb, e),
        (None, Some(e)) => (fb, fa, e),
        (Some(e), Some(_)) => (fa, fb, e),
        (None, None) => return None,
    };
    let only_on = (keep.experiment().is_none()).then_some(keep);
    let sentence = match (only_on, keep.experiment() == Some(ef)) {
        (Some(k), _) => format!(
            "To separate them, keep your {} as they are and alternate {} in blocks (an experiment on {} only).",
            k.phrases().0,
            ef.label(),
            k.phrases().0
        ),
        // Two descriptions of one switch (trail runs are soft ground): vary the ground on runs that are not trails.
        (None, true) => format!(
            "To separate them, alternate {} on runs that are not {} (for example road against grass or track).",
            ef.label(),
            if switch == Factor::TrailRun || keep == Factor::TrailRun { "trail runs" } else { "of that kind" }
        ),
        (None, false) => format!(
            "To separate them, change one at a time: alternate {} in blocks while keeping {} as usual.",
            ef.label(),
            keep.label()
        ),
    };
    Some(ExperimentSuggestion {
        factor: ef,
        unit: ef.natural_unit(),
        only_on,
        reason: format!("{} and {} cannot be told apart from the journal", switch.label(), keep.label()),
        sentence,
    })
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

pub(crate) fn verdict_sentence(r: &FactorResult, judged: usize) -> String {
    let label = r.factor.label();
    // "pain followed days with 8 h or more of sitting": the pattern the data support, when there is one.
    let pattern = r.pattern.as_ref().map(|p| format!(": {p}")).unwrap_or_default();
    match r.verdict {
        Verdict::NotEnoughData => {
            let more = r.more_runs_needed.as_ref();
            let need = |n: usize, what: &str| -> Option<String> { (n > 0).then(|| format!("{n} more {what}")) };
            let (w, wo) = r.factor.phrases();
            let parts: Vec<String> = more
                .map(|m| [need(m.with_factor, w), need(m.without_factor, wo)].into_iter().flatten().collect())
                .unwrap_or_default();
            let est = more
                .and_then(|m| m.estimated_runs)
                .map(|e| format!(" (about {e} more runs at your usual mix)"))
                .unwrap_or_default();
            if parts.is_empty() {
                format!("Not enough data yet on {label}.")
            } else {
                format!("Not enough data yet on {label}: {} would help{est}.", parts.join(" and "))
            }
        }
        Verdict::NoPainYet => format!(
            "No pain events yet among the runs where {label} was logged, so there is nothing to compare: keep logging \
             pain after runs, and \"no pain\" too."
        ),
        Verdict::LikelyLink => format!(
            "{} likely goes with pain for you{pattern} ({}). It is a pattern in your journal, not proof: an experiment \
             can check it.",
            capitalize(label),
            rr_words(r)
        ),
        Verdict::PossibleLink if !r.entangled_with.is_empty() => format!(
            "{} may go with pain{pattern} ({}), but it travels with {} too closely to tell them apart.",
            capitalize(label),
            rr_words(r),
            r.entangled_with.iter().map(|f| f.label()).collect::<Vec<_>>().join(" and ")
        ),
        Verdict::PossibleLink => {
            format!("{} possibly goes with pain{pattern} ({}); more runs will tell.", capitalize(label), rr_words(r))
        }
        Verdict::LessPain => match r.explained_by {
            Some(x) => format!(
                "{} goes with less pain in your journal ({}), but that may only mirror the pain after {}: the two \
                 rarely come together.",
                capitalize(label),
                rr_words(r),
                x.phrases().0
            ),
            None => format!(
                "{} goes with less pain in your journal ({}), clearly enough to hold up with {judged} factors tested. \
                 It is a pattern, not proof.",
                capitalize(label),
                rr_words(r)
            ),
        },
        Verdict::NoClearLink => {
            // Say which way the counts lean when the plain interval clears 1, and why that is not yet a verdict.
            let lean = r.risk_ratio.as_ref().and_then(|rr| {
                let direction = if rr.lower > 1.0 {
                    "more"
                } else if rr.upper < 1.0 {
                    "less"
                } else {
                    return None;
                };
                Some(match r.explained_by {
                    Some(x) => format!(
                        " Pain was {direction} common with it ({}), but the pain after {} explains those runs \
                         better: {}.",
                        rr_words(r),
                        x.phrases().0,
                        if direction == "more" {
                            "the two often come together"
                        } else {
                            "the two rarely come together"
                        }
                    ),
                    None => format!(
                        " Pain was {direction} common with it ({}), but with {judged} factors tested a difference \
                         that size can come up by chance.",
                        rr_words(r)
                    ),
                })
            });
            format!("No clear link between {label} and pain so far.{}", lean.unwrap_or_default())
        }
    }
}

/// "pain about 3.1 times as often, 95% interval 1.4–6.8".
fn rr_words(r: &FactorResult) -> String {
    match &r.risk_ratio {
        Some(rr) => format!(
            "pain about {} times as often, {:.0}% interval {}–{}{}",
            ratio_text(rr.estimate),
            (100.0 * rr.level).floor(),
            ratio_text(rr.lower),
            ratio_text(rr.upper),
            if rr.level > 0.951 { ", widened for the cut points tried" } else { "" }
        ),
        None => "no comparison yet".to_string(),
    }
}

pub(crate) fn suggest(ranked: &[FactorResult], entangled: &[Entanglement]) -> Option<ExperimentSuggestion> {
    for r in ranked {
        if !r.verdict.flagged() {
            continue;
        }
        if let Some(e) = entangled.iter().find(|e| (e.a == r.factor || e.b == r.factor) && e.experiment.is_some()) {
            return e.experiment.clone();
        }
        if let Some(ef) = r.factor.experiment() {
            return Some(ExperimentSuggestion {
                factor: ef,
                unit: ef.natural_unit(),
                only_on: None,
                reason: format!("{} is the strongest candidate you can switch on and off", r.factor.label()),
                sentence: format!(
                    "Test it: alternate {} in blocks of {} for a few weeks, changing nothing else on purpose.",
                    ef.label(),
                    if ef.natural_unit() == ExperimentUnit::Days { "days" } else { "runs" }
                ),
            });
        }
    }
    None
}

pub(crate) fn summarize(
    n: usize,
    pain: usize,
    ranked: &[FactorResult],
    entangled: &[Entanglement],
    suggestion: Option<&ExperimentSuggestion>,
    model_used: bool,
) -> Vec<String> {
    let mut out = vec![format!("Based on {}, {pain} followed by pain.", count(n, "run", "runs"))];
    let flagged: Vec<&FactorResult> = ranked.iter().filter(|r| r.verdict.flagged()).collect();
    if flagged.is_empty() {
        out.push("No factor clearly goes with pain yet.".to_string());
    }
    for r in flagged.into_iter().chain(ranked.iter().filter(|r| r.verdict == Verdict::LessPain)) {
        out.push(format!("{} {}", r.counts_sentence, r.sentence));
    }
    if pain == 0 && n > 0 {
        out.push(
            "No pain events yet, so there is nothing to compare: the factors will be judged once some runs are \
                  followed by pain (and others are not)."
                .to_string(),
        );
    }
    for e in entangled {
        out.push(e.sentence.clone());
        if let Some(x) = &e.experiment {
            out.push(x.sentence.clone());
        }
    }
    let waiting = ranked.iter().filter(|r| r.verdict == Verdict::NotEnoughData).count();
    if waiting > 0 {
        out.push(if waiting == 1 {
            "1 factor needs more runs before it can be judged.".to_string()
        } else {
            format!("{waiting} factors need more runs before they can be judged.")
        });
    }
    if !model_used && n > 0 {
        out.push("Factors are judged one at a time until there are enough runs for the combined model.".to_string());
    }
    if let Some(s) = suggestion
        && !entangled.iter().any(|e| e.experiment.as_ref() == Some(s))
    {
        out.push(s.sentence.clone());
    }
    out.push("These are patterns in your own journal: they show what goes with pain, and only an experiment that changes one \
         thing at a time can show more.".to_string());
    out
}
