//! The physical therapist's report as HTML: the same [`ReportData`] and the same charts (drawn by
//! `runtall-report`, as SVG) as the PDF, laid out for the screen and, through `report.css`'s print rules, for
//! paper. [`body`] is the report itself (the `/report` page wraps it in the app's layout); [`document`] is a
//! standalone page with its style inlined, for `runtall report -o report.html`.

use maud::{DOCTYPE, Markup, PreEscaped, html};
use runtall_app::pt_report::ReportData;

/// The report's own style sheet: screen and print.
pub const CSS: &str = include_str!("../assets/report.css");

fn d(date: jiff::civil::Date) -> String {
    date.strftime("%-d %b %Y").to_string()
}

fn num(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 { format!("{:.0}", x) } else { format!("{x:.1}") }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|x| x.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn nothing(what: &str) -> Markup {
    html! { p class="nothing" { (what) } }
}

/// The report as an `article`.
pub fn body(data: &ReportData) -> Markup {
    let figures = runtall_report::figures(data).unwrap_or_default();
    let w = &data.who;
    let s = &data.safety;
    let o = &data.outcomes;
    let l = &data.load;
    let fs = &data.factors;
    let p = &data.program;
    html! {
        article class="pt-report" {
            header class="report-head" {
                h1 { "Report for a physical therapist" }
                p { strong { (w.name) } " · Period " (d(w.from)) " – " (d(w.to)) " (" (w.period_note) ") · Made " (d(w.made_on))
                    " with runtall " (w.program_version) }
                p class="small" { "Neck and upper-back pain in a runner: a self-guided wellness program's journal, as the runner "
                    "logged it. Not a diagnosis." }
            }
            section aria-labelledby="r-safety" {
                h2 id="r-safety" { "Safety screen" }
                @if s.mode == "full" {
                    p { strong { "At the end of the period: " } (s.headline) }
                } @else {
                    p class="report-notice" { strong { "At the end of the period (level " (s.level) "): " } (s.headline) }
                }
                @if let Some(start) = &s.in_force_at_start {
                    p class="small" { "In force when the period began: the screen of " (d(start.date)) ", " (start.level_text)
                        @if let Some(c) = start.clinician_checked { ", checked by a clinician on " (d(c)) } "." }
                }
                @if s.screens.is_empty() {
                    (nothing("No red-flag screen in this period."))
                } @else {
                    table {
                        thead { tr { th scope="col" { "Screen" } th scope="col" { "Result" } th scope="col" { "Answered yes" } th scope="col" { "Clinician check" } } }
                        tbody {
                            @for row in s.rows() {
                                @let line = &row.line;
                                tr {
                                    td { @match row.last { None => (d(row.first)), Some(last) => { (d(row.first)) " – " (d(last)) " (" (row.when.split(' ').next().unwrap_or("")) " screens)" } } }
                                    td { @if line.level.is_some() { strong { (line.level_text) } } @else { (line.level_text) } }
                                    td { @if line.yes.is_empty() { "none" } @else { (line.yes.join("; ")) } }
                                    td { (line.clinician_checked.map(d).unwrap_or_else(|| "—".into())) }
                                }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="r-complaint" {
                h2 id="r-complaint" { "The complaint" }
                @match &data.complaint {
                    None => (nothing("No assessment: nothing recorded about where and when it hurts.")),
                    Some(c) => {
                        div class="complaint" {
                            figure class="outline" {
                                (PreEscaped(runtall_report::body::svg(&c.regions, 110)))
                                figcaption { "Back view (L = left)" }
                            }
                            div {
                                p { strong { "Where: " } (c.region_labels.join("; ")) }
                                p { strong { "When: " } @if c.when.is_empty() { "not given" } @else { (c.when.join("; ")) } }
                                p { strong { "Baseline (" (d(c.baseline_on)) "): " } "usual pain " (num(c.baseline_pain))
                                    "/10 over the week before; function (PSFS mean) " (format!("{:.1}", c.baseline_psfs)) "/10." }
                                p { strong { "Exposures (assessment of " (d(c.assessed_on)) "): " } (c.exposures.join("; ")) "." }
                                p { strong { "Pain logged in the period: " }
                                    @if c.pain_by_region.is_empty() { "nothing recorded." }
                                    @else {
                                        (c.pain_by_region.iter().map(|r| format!("{} {} report{} (mean {:.1}, worst {}/10)", r.region, r.reports,
                                            if r.reports == 1 { "" } else { "s" }, r.mean, r.worst)).collect::<Vec<_>>().join("; ")) "."
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="r-outcomes" {
                h2 id="r-outcomes" { "Outcome measures" }
                h3 { "Pain (numeric rating scale, 0–10): weekly mean of each day's worst rating" }
                @match &o.pain {
                    None => (nothing("Nothing recorded.")),
                    Some(pain) => {
                        @if let Some(svg) = &figures.pain { figure class="report-figure" { (PreEscaped(svg)) } }
                        p { (pain.sentence) }
                        p class="small" { "Shaded: within " (format!("{:.1}–{:.1}", pain.band.0.max(0.0), pain.band.1.min(10.0)))
                            ", no meaningful change from the baseline (2 points or 30% is the bar; smaller changes are day-to-day wobble)." }
                    }
                }
                h3 { "Function (Patient-Specific Functional Scale: 0 = unable, 10 = as before)" }
                @match &o.psfs {
                    None => (nothing("Nothing recorded.")),
                    Some(t) => {
                        table {
                            thead { tr { th scope="col" { "Activity" } @for date in &t.dates { th scope="col" { (d(*date)) } } th scope="col" { "Change" } } }
                            tbody {
                                @for row in &t.rows {
                                    tr {
                                        td { (row.activity) }
                                        @for s in &row.scores { td { (num(*s)) } }
                                        td { @match row.change { None => "—", Some(c) => { @if row.real { strong { (format!("{c:+.0} (real)")) } } @else { (format!("{c:+.0}")) } } } }
                                    }
                                }
                                tr class="mean" {
                                    th scope="row" { "Mean" }
                                    @for m in &t.means { td { (format!("{m:.1}")) } }
                                    td { @if t.means.len() > 1 { (format!("{:+.1}", t.means[t.means.len() - 1] - t.means[0])) } @else { "—" } }
                                }
                            }
                        }
                        @if t.hidden_scorings > 0 { p class="small" { (runtall_domain::text::count(t.hidden_scorings, "scoring", "scorings")) " between these not shown." } }
                        @match &t.change {
                            Some(c) if c.contains("3 points") => p { (c) },
                            Some(c) => p { (c) " One activity changing by 3 points or more is also real." },
                            None => p { "Scored once so far: no change to judge yet." },
                        }
                    }
                }
                @if let Some(e) = &o.escalation { p class="report-notice" { strong { "The program's prompt: " } (e) } }
            }
            section aria-labelledby="r-load" {
                h2 id="r-load" { "Training load and pain" }
                @match &figures.load {
                    None => (nothing("No runs and no pain ratings in this period: nothing recorded.")),
                    Some(svg) => {
                        figure class="report-figure" { (PreEscaped(svg)) }
                        p { (l.text) }
                        p class="small" { "Bars: " (l.unit) " per week (left axis). Line: weekly pain, the mean of each day's worst rating "
                            "(right axis). Under the axis: long runs (labelled long, or 15 km or more) and speed sessions (intervals, tempo, races) each week." }
                    }
                }
            }
            section aria-labelledby="r-factors" {
                h2 id="r-factors" { "What goes with pain after runs" }
                @if fs.runs == 0 {
                    (nothing("No runs in this period: nothing recorded."))
                } @else {
                    p { (fs.intro) }
                    @for e in &fs.entangled { p class="report-notice" { strong { "Travel together: " } (e) } }
                    @if !fs.lines.is_empty() {
                        table class="factors" {
                            thead { tr { th scope="col" { "Factor" } th scope="col" class="plot" { (PreEscaped(&figures.forest_axis)) } th scope="col" { "Counts and risk ratio" } } }
                            tbody {
                                @for (i, line) in fs.lines.iter().enumerate() {
                                    tr {
                                        td { strong { (line.label) } " — " (line.verdict_label) }
                                        td class="plot" { @if let Some(svg) = figures.forest.get(i) { (PreEscaped(svg)) } }
                                        td class="small" { (line.counts) " " (capital(&line.ratio)) "." }
                                    }
                                }
                            }
                        }
                        p class="small" { "Dot: how much more often pain followed runs with the factor than without (risk ratio; right of the "
                            "dashed line = more pain). Bar: the range the data allow." }
                    }
                    @for n in &fs.not_judged { p class="small" { (n) } }
                    @if let Some(s) = &fs.suggestion { p { strong { "Suggested next experiment: " } (s) } }
                }
            }
            section aria-labelledby="r-experiments" {
                h2 id="r-experiments" { "Self-experiments" }
                @if data.experiments.is_empty() { (nothing("Nothing recorded.")) }
                @for e in &data.experiments {
                    p { strong { (capital(&e.what)) ", " }
                        @match e.stopped { Some(s) => { (d(e.started)) " – " (d(s)) "." }, None => { "since " (d(e.started)) " (running)." } } }
                    p class="small indent" { "Design: " (e.design) ". Adherence: " (e.adherence) "." }
                    p class="indent" { strong { "Result: " } (e.verdict) }
                }
            }
            section aria-labelledby="r-posture" {
                h2 id="r-posture" { "Posture, measured from photos and run videos" }
                @let po = &data.posture;
                @if po.is_empty() { (nothing("Nothing recorded.")) } @else {
                    p class="small" { (po.checks_in_period) @if po.checks_in_period == 1 { " check" } @else { " checks" } " in the period." }
                    @for k in &po.photos {
                        p { strong { (k.kind) " (" (k.counts) ")" } }
                        ul class="small" { @for s in &k.sentences { li { (s) } } }
                    }
                    @if !po.videos.is_empty() {
                        p { strong { "Run videos (head and trunk from the first minute to the last)" } }
                        ul class="small" { @for v in &po.videos { li { strong { (d(v.taken_on)) ": " } (v.sentence) } } }
                    }
                    p class="small" { (po.error_note) }
                }
            }
            section aria-labelledby="r-program" {
                h2 id="r-program" { "The program" }
                @match &p.plan {
                    None => (nothing(p.no_plan.as_deref().unwrap_or("Nothing recorded."))),
                    Some(plan) => {
                        p { strong { "What the plan asks for (plan of " (d(plan.made_on)) ", " (plan.mode) " program). " }
                            @if !plan.core.is_empty() { "Core: " (plan.core.join("; ")) "." } }
                        @if let Some(sf) = &plan.safety { p class="small" { (sf) } }
                        // A phone scrolls the week sideways: the wrapper takes the focus a keyboard needs to do so.
                        div class="week-wrap" tabindex="0" role="region" aria-label="The plan's week (scrolls sideways)" {
                            table class="week" {
                                thead { tr { @for day in &plan.week { th scope="col" { (day.day) } } } }
                                tbody { tr { @for day in &plan.week { td {
                                    @if let Some(run) = &day.run { strong { (run) " run; " } }
                                    @if day.routines.is_empty() { "—" } @else { (day.routines.join("; ")) }
                                } } } }
                            }
                        }
                    }
                }
                h3 { "What was done: planned routines per week" }
                p { (p.adherence_sentence) }
                @if let Some(svg) = &figures.adherence { figure class="report-figure" { (PreEscaped(svg)) } }
                h3 { "Left out now, and why (the safety gate's reasons)" }
                @if p.left_out.is_empty() {
                    p { "Nothing: every run type, exercise, routine and relief option is open." }
                } @else {
                    ul class="small" { @for lo in &p.left_out { li { strong { (capital(&lo.what)) ": " } (lo.reason) } } }
                }
                h3 { "Relief used" }
                @if p.relief.is_empty() { (nothing("Nothing recorded.")) } @else {
                    ul { @for r in &p.relief { li { strong { (r.what) ": " } (r.days) " day" @if r.days != 1 { "s" }
                        @if !r.detail.is_empty() { "; " (r.detail) } } } }
                }
            }
            section aria-labelledby="r-notes" {
                h2 id="r-notes" { "The runner's notes" }
                @if data.notes.is_empty() { (nothing("Nothing recorded: no notes were included.")) } @else {
                    ul { @for n in &data.notes { li {
                        @if let Some(date) = n.date { strong { (d(date)) ": " } }
                        "\u{201c}" (n.text) "\u{201d}"
                        @if let Some(c) = &n.context { " (" (c) ")" }
                    } } }
                }
            }
            section aria-labelledby="r-about" class="small" {
                h2 id="r-about" { "About this report" }
                p { (data.footer.what_it_is) }
                p { strong { (data.footer.what_it_is_not) } }
                p { strong { "Sources: " } (data.footer.sources.join("; ")) }
            }
        }
    }
}

/// A standalone HTML document of the report, style inlined, for saving to a file.
pub fn document(data: &ReportData) -> String {
    let paper = data.who.paper.name();
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Report for a physical therapist — " (data.who.name) }
                style { (PreEscaped(CSS)) (PreEscaped(format!("@page {{ size: {paper}; }}"))) }
            }
            body class="report-document" { main { (body(data)) } }
        }
    }
    .into_string()
}
