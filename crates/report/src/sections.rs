//! The report's pages: every section of [`ReportData`] in the order a physiotherapist reads it — who and when,
//! safety, the complaint, outcome measures, load, what goes with pain, experiments, the program, notes, and what the
//! program is. All wording comes from the data; this module only places it. Empty sections say "Nothing recorded".

use crate::body;
use crate::charts::{self, forest, forest_axis};
use crate::draw::{Op, Rgb, Role, Shape};
use crate::flow::{ACCENT, BODY, Flow, INK, MUTED, SMALL, Span, Style, b, r};
use runtall_app::pt_report::ReportData;

const NOTHING: &str = "Nothing recorded.";
const WARN_BG: Rgb = Rgb(0xff, 0xf4, 0xdc);
const WARN_INK: Rgb = Rgb(0x6b, 0x45, 0x00);

fn d(date: jiff::civil::Date) -> String {
    date.strftime("%-d %b %Y").to_string()
}

fn nothing(f: &mut Flow) {
    f.text(&[r(NOTHING)], Style { color: MUTED, ..BODY });
}

/// A tinted box behind a paragraph (the safety headline, the physical-therapist prompt).
fn notice(f: &mut Flow, spans: &[Span]) {
    let lines = f.wrap(spans, BODY.size, f.w - 12.0);
    let h = lines.len() as f32 * BODY.size * BODY.leading + 8.0;
    f.keep(h + 2.0);
    f.doc.open(Role::Artifact);
    f.emit(Op::Fill { shape: Shape::Rect { x: f.x, y: f.y, w: f.w, h }, color: WARN_BG });
    f.emit(Op::Fill { shape: Shape::Rect { x: f.x, y: f.y, w: 2.5, h }, color: Rgb(0xb0, 0x78, 0x00) });
    f.doc.close();
    f.doc.open(Role::P);
    let (x, y) = (f.x + 8.0, f.y + 4.0);
    f.lines_at(&lines, x, y, Style { color: WARN_INK, ..BODY });
    f.doc.close();
    f.y += h + 4.0;
}

fn header(f: &mut Flow, data: &ReportData) {
    let w = &data.who;
    f.doc.open(Role::Heading(1, "Report for a physical therapist".into()));
    f.emit(Op::Text {
        x: f.x,
        y: f.y + 15.0,
        size: 15.0,
        bold: true,
        color: INK,
        text: "Report for a physical therapist".into(),
    });
    f.doc.close();
    f.doc.open(Role::Artifact);
    let brand = "runtall";
    let bw = f.fonts.bold.width(brand, 11.0);
    f.emit(Op::Text { x: f.x + f.w - bw, y: f.y + 14.0, size: 11.0, bold: true, color: ACCENT, text: brand.into() });
    f.doc.close();
    f.y += 22.0;
    f.text(
        &[
            b(format!("{}  ", w.name)),
            r(format!("Period {} – {} ({}). ", d(w.from), d(w.to), w.period_note)),
            r(format!("Made {} with runtall {}.", d(w.made_on), w.program_version)),
        ],
        BODY,
    );
    f.text(
        &[r("Neck and upper-back pain in a runner: a self-guided wellness program's journal, as the runner logged \
             it. Not a diagnosis.")],
        SMALL,
    );
}

fn safety(f: &mut Flow, data: &ReportData) {
    let s = &data.safety;
    f.doc.open(Role::Section);
    f.heading("Safety screen", 40.0);
    if s.mode == "full" {
        f.text(&[b("At the end of the period: "), r(s.headline.clone())], BODY);
    } else {
        notice(f, &[b(format!("At the end of the period (level {}): ", s.level)), r(s.headline.clone())]);
    }
    if let Some(start) = &s.in_force_at_start {
        f.text(
            &[r(format!(
                "In force when the period began: the screen of {}, {}{}.",
                d(start.date),
                start.level_text,
                start.clinician_checked.map(|c| format!(", checked by a clinician on {}", d(c))).unwrap_or_default()
            ))],
            SMALL,
        );
    }
    if s.screens.is_empty() {
        f.text(&[r("No red-flag screen in this period.")], Style { color: MUTED, ..BODY });
    } else {
        let rows: Vec<Vec<Vec<Span>>> = s
            .rows()
            .iter()
            .map(|row| {
                let l = &row.line;
                let when = match row.last {
                    None => d(row.first),
                    Some(last) => {
                        format!("{} – {} ({} screens)", d(row.first), d(last), row.when.split(' ').next().unwrap_or(""))
                    }
                };
                vec![
                    vec![r(when)],
                    vec![if l.level.is_some() { b(l.level_text.clone()) } else { r(l.level_text.clone()) }],
                    vec![r(if l.yes.is_empty() { "none".to_string() } else { l.yes.join("; ") })],
                    vec![r(l.clinician_checked.map(d).unwrap_or_else(|| "—".into()))],
                ]
            })
            .collect();
        let w = f.w;
        f.table(
            &[w * 0.13, w * 0.27, w * 0.45, w * 0.15],
            &["Screen", "Result", "Answered yes", "Clinician check"],
            &rows,
            BODY,
        );
    }
    f.doc.close();
}

fn complaint(f: &mut Flow, data: &ReportData) {
    f.doc.open(Role::Section);
    f.heading("The complaint", 90.0);
    let Some(c) = &data.complaint else {
        f.text(&[r("No assessment: nothing recorded about where and when it hurts.")], Style { color: MUTED, ..BODY });
        f.doc.close();
        return;
    };
    let scale = 0.78;
    let fig_w = body::W * scale + 8.0;
    let (top, x, w) = (f.y, f.x, f.w);
    f.doc.open(Role::Figure(format!(
        "Back-view body outline with these regions marked: {}.",
        c.region_labels.join("; ")
    )));
    for s in body::silhouette() {
        let s = s.placed(x, top, scale);
        f.emit(Op::Fill { shape: s.clone(), color: body::OUTLINE_FILL });
        f.emit(Op::Stroke { shape: s, color: body::OUTLINE_STROKE, width: 0.6, dash: None });
    }
    for region in body::drawn_regions() {
        let on = c.regions.contains(&region);
        for s in body::region(region) {
            let s = s.placed(x, top, scale);
            f.emit(Op::Fill { shape: s.clone(), color: if on { body::MARK } else { body::UNMARKED } });
        }
    }
    f.emit(Op::Text {
        x,
        y: top + body::H * scale + 8.0,
        size: 6.5,
        bold: false,
        color: MUTED,
        text: "Back view (L = left)".into(),
    });
    f.doc.close();
    let figure_bottom = top + body::H * scale + 12.0;
    f.x = x + fig_w;
    f.w = w - fig_w;
    f.text(&[b("Where: "), r(c.region_labels.join("; "))], BODY);
    f.text(&[b("When: "), r(if c.when.is_empty() { "not given".into() } else { c.when.join("; ") })], BODY);
    f.text(
        &[
            b(format!("Baseline ({}): ", d(c.baseline_on))),
            r(format!(
                "usual pain {}/10 over the week before; function (PSFS mean) {:.1}/10.",
                fmt_num(c.baseline_pain),
                c.baseline_psfs
            )),
        ],
        BODY,
    );
    let mut exposures = vec![b(format!("Exposures (assessment of {}): ", d(c.assessed_on)))];
    exposures.push(r(c.exposures.join("; ") + "."));
    f.text(&exposures, BODY);
    if c.pain_by_region.is_empty() {
        f.text(&[b("Pain logged in the period: "), r("nothing recorded.")], BODY);
    } else {
        let parts: Vec<String> = c
            .pain_by_region
            .iter()
            .map(|p| {
                format!("{} {} (mean {:.1}, worst {}/10)", p.region, counted(p.reports, "report"), p.mean, p.worst)
            })
            .collect();
        f.text(&[b("Pain logged in the period: "), r(parts.join("; ") + ".")], BODY);
    }
    f.x = x;
    f.w = w;
    f.y = f.y.max(figure_bottom);
    f.doc.close();
}

fn counted(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

fn fmt_num(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 { format!("{:.0}", x) } else { format!("{x:.1}") }
}

fn outcomes(f: &mut Flow, data: &ReportData) {
    let o = &data.outcomes;
    f.doc.open(Role::Section);
    f.heading("Outcome measures", 110.0);
    f.subheading("Pain (numeric rating scale, 0–10): weekly mean of each day's worst rating", 100.0);
    match &o.pain {
        None => nothing(f),
        Some(p) => {
            charts::pain(f, p, charts::PAIN_H);
            f.text(&[r(p.sentence.clone())], BODY);
            f.text(
                &[r(format!(
                    "Shaded: within {:.1}–{:.1}, no meaningful change from the baseline (2 points or 30% is the bar; \
                     smaller changes are day-to-day wobble).",
                    p.band.0.max(0.0),
                    p.band.1.min(10.0)
                ))],
                SMALL,
            );
        }
    }
    f.subheading("Function (Patient-Specific Functional Scale: 0 = unable, 10 = as before)", 50.0);
    match &o.psfs {
        None => nothing(f),
        Some(t) => {
            let n = t.dates.len();
            let act_w = f.w * 0.42;
            let rest = f.w - act_w;
            let col = rest / (n as f32 + 1.0);
            let mut widths = vec![act_w];
            widths.extend(std::iter::repeat_n(col, n + 1));
            let dates: Vec<String> = t.dates.iter().map(|x| d(*x)).collect();
            let mut header: Vec<&str> = vec!["Activity"];
            header.extend(dates.iter().map(String::as_str));
            header.push("Change");
            let mut rows: Vec<Vec<Vec<Span>>> = t
                .rows
                .iter()
                .map(|row| {
                    let mut cells = vec![vec![r(row.activity.clone())]];
                    cells.extend(row.scores.iter().map(|s| vec![r(fmt_num(*s))]));
                    cells.push(vec![match row.change {
                        None => r("—"),
                        Some(c) if row.real => b(format!("{c:+.0} (real)")),
                        Some(c) => r(format!("{c:+.0}")),
                    }]);
                    cells
                })
                .collect();
            let mut mean = vec![vec![b("Mean")]];
            mean.extend(t.means.iter().map(|m| vec![b(format!("{m:.1}"))]));
            mean.push(vec![r(if n > 1 { format!("{:+.1}", t.means[n - 1] - t.means[0]) } else { "—".into() })]);
            rows.push(mean);
            f.table(&widths, &header, &rows, BODY);
            if t.hidden_scorings > 0 {
                f.text(
                    &[r(format!(
                        "{} between these not shown.",
                        runtall_domain::text::count(t.hidden_scorings, "scoring", "scorings")
                    ))],
                    SMALL,
                );
            }
            match &t.change {
                Some(c) if c.contains("3 points") => f.text(&[r(c.clone())], BODY),
                Some(c) => f.text(&[r(c.clone()), r(" One activity changing by 3 points or more is also real.")], BODY),
                None => f.text(&[r("Scored once so far: no change to judge yet.")], BODY),
            }
        }
    }
    if let Some(e) = &o.escalation {
        notice(f, &[b("The program's prompt: "), r(e.clone())]);
    }
    f.doc.close();
}

fn load(f: &mut Flow, data: &ReportData) {
    let l = &data.load;
    f.doc.open(Role::Section);
    f.heading("Training load and pain", 130.0);
    if l.runs == 0 && l.weeks.iter().all(|w| w.pain.is_none()) {
        f.text(&[r("No runs and no pain ratings in this period: nothing recorded.")], Style { color: MUTED, ..BODY });
    } else {
        charts::load(f, l, charts::LOAD_H);
        f.text(&[r(l.text.clone())], BODY);
        f.text(
            &[r(format!(
                "Bars: {} per week (left axis); line: weekly pain (right axis); under the axis: long runs (labelled \
                 long, or 15 km or more) and speed sessions (intervals, tempo, races) per week.",
                l.unit
            ))],
            SMALL,
        );
    }
    f.doc.close();
}

fn factors(f: &mut Flow, data: &ReportData) {
    let fs = &data.factors;
    f.doc.open(Role::Section);
    f.heading("What goes with pain after runs", 36.0);
    if fs.runs == 0 {
        f.text(&[r("No runs in this period: nothing recorded.")], Style { color: MUTED, ..BODY });
        f.doc.close();
        return;
    }
    f.text(&[r(fs.intro.clone())], BODY);
    for e in &fs.entangled {
        notice(f, &[b("Travel together: "), r(e.clone())]);
    }
    if !fs.lines.is_empty() {
        let (a_w, plot_w) = (f.w * 0.26, 92.0);
        let c_x = a_w + plot_w + 10.0;
        f.keep(30.0);
        f.doc.open(Role::Artifact);
        let (x, y) = (f.x + a_w, f.y + 6.0);
        forest_axis(f, x, y, plot_w);
        f.doc.close();
        f.y += 9.0;
        for line in &fs.lines {
            let a =
                f.wrap(&[b(format!("{} ", line.label)), r(format!("— {}", line.verdict_label))], BODY.size, a_w - 6.0);
            let c = f.wrap(&[r(format!("{} {}.", line.counts, capital(&line.ratio)))], SMALL.size, f.w - c_x);
            let h =
                (a.len() as f32 * BODY.size * BODY.leading).max(c.len() as f32 * SMALL.size * SMALL.leading).max(10.5)
                    + 1.5;
            f.keep(h);
            let (x, y) = (f.x, f.y);
            f.doc.open(Role::P);
            f.lines_at(&a, x, y, Style { color: INK, ..BODY });
            f.doc.close();
            f.doc.open(Role::Figure(format!("{}: {}", line.label, line.ratio)));
            forest(f, x + a_w, y, plot_w, line);
            f.doc.close();
            f.doc.open(Role::P);
            f.lines_at(&c, x + c_x, y + 0.5, SMALL);
            f.doc.close();
            f.y += h;
        }
        f.text(
            &[r("Dot: how much more often pain followed runs with the factor than without (risk ratio; right of the \
                 dashed line = more pain). Bar: the range the data allow.")],
            SMALL,
        );
    }
    for n in &fs.not_judged {
        f.text(&[r(n.clone())], SMALL);
    }
    if let Some(s) = &fs.suggestion {
        f.text(&[b("Suggested next experiment: "), r(s.clone())], BODY);
    }
    f.doc.close();
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|x| x.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn experiments(f: &mut Flow, data: &ReportData) {
    f.doc.open(Role::Section);
    f.heading("Self-experiments", 30.0);
    if data.experiments.is_empty() {
        nothing(f);
    }
    for e in &data.experiments {
        let when = match e.stopped {
            Some(s) => format!("{} – {}", d(e.started), d(s)),
            None => format!("since {} (running)", d(e.started)),
        };
        f.text(&[b(format!("{}, ", capital(&e.what))), r(format!("{when}. "))], BODY);
        f.para(Role::P, &[r(format!("Design: {}. Adherence: {}.", e.design, e.adherence))], SMALL, 8.0);
        f.para(Role::P, &[b("Result: "), r(e.verdict.clone())], BODY, 8.0);
    }
    f.doc.close();
}

fn posture(f: &mut Flow, data: &ReportData) {
    let p = &data.posture;
    f.doc.open(Role::Section);
    f.heading("Posture, measured from photos and run videos", 40.0);
    if p.is_empty() {
        nothing(f);
    } else {
        f.text(&[r(format!("{} in the period.", counted(p.checks_in_period, "check")))], SMALL);
        for k in &p.photos {
            f.text(&[b(format!("{} ({})", k.kind, k.counts))], BODY);
            let items: Vec<Vec<Span>> = k.sentences.iter().map(|s| vec![r(s.clone())]).collect();
            f.list(&items, SMALL);
        }
        if !p.videos.is_empty() {
            f.text(&[b("Run videos (head and trunk from the first minute to the last)")], BODY);
            let items: Vec<Vec<Span>> =
                p.videos.iter().map(|v| vec![b(format!("{}: ", d(v.taken_on))), r(v.sentence.clone())]).collect();
            f.list(&items, SMALL);
        }
        f.text(&[r(p.error_note.clone())], Style { color: MUTED, ..SMALL });
    }
    f.doc.close();
}

fn program(f: &mut Flow, data: &ReportData) {
    let p = &data.program;
    f.doc.open(Role::Section);
    f.heading("The program", 70.0);
    match &p.plan {
        None => f.text(&[r(p.no_plan.clone().unwrap_or_else(|| NOTHING.into()))], Style { color: MUTED, ..BODY }),
        Some(plan) => {
            f.text(&[b(format!("What the plan asks for (plan of {}, {} program)", d(plan.made_on), plan.mode))], BODY);
            if !plan.core.is_empty() {
                f.text(&[r(format!("Core items: {}.", plan.core.join("; ")))], SMALL);
            }
            if let Some(s) = &plan.safety {
                f.text(&[r(s.clone())], SMALL);
            }
            let w = f.w / 7.0;
            let header: Vec<&str> = plan.week.iter().map(|d| d.day.as_str()).collect();
            let cells: Vec<Vec<Span>> = plan
                .week
                .iter()
                .map(|d| {
                    let mut s = Vec::new();
                    if let Some(run) = &d.run {
                        s.push(b(format!("{run} run; ")));
                    }
                    s.push(r(if d.routines.is_empty() { "—".to_string() } else { d.routines.join("; ") }));
                    s
                })
                .collect();
            f.table(&vec![w; plan.week.len()], &header, &[cells], SMALL);
        }
    }
    f.subheading("What was done: planned routines per week", 40.0);
    f.text(&[r(p.adherence_sentence.clone())], BODY);
    if !p.adherence.is_empty() {
        charts::adherence(f, &p.adherence, charts::ADHERENCE_H);
    }
    f.subheading("Left out now, and why (the safety gate's reasons)", 20.0);
    if p.left_out.is_empty() {
        f.text(&[r("Nothing: every run type, exercise, routine and relief option is open.")], BODY);
    } else {
        let items: Vec<Vec<Span>> =
            p.left_out.iter().map(|l| vec![b(format!("{}: ", capital(&l.what))), r(l.reason.clone())]).collect();
        f.list(&items, SMALL);
    }
    f.subheading("Relief used", 20.0);
    if p.relief.is_empty() {
        nothing(f);
    } else {
        let items: Vec<Vec<Span>> = p
            .relief
            .iter()
            .map(|l| {
                let mut s = vec![b(format!("{}: ", l.what)), r(counted(l.days, "day"))];
                if !l.detail.is_empty() {
                    s.push(r(format!("; {}", l.detail)));
                }
                s
            })
            .collect();
        f.list(&items, SMALL);
    }
    f.doc.close();
}

fn notes(f: &mut Flow, data: &ReportData) {
    f.doc.open(Role::Section);
    f.heading("The runner's notes", 20.0);
    if data.notes.is_empty() {
        f.text(&[r("Nothing recorded: no notes were included.")], Style { color: MUTED, ..BODY });
    }
    let items: Vec<Vec<Span>> = data
        .notes
        .iter()
        .map(|n| {
            let mut s = Vec::new();
            if let Some(date) = n.date {
                s.push(b(format!("{}: ", d(date))));
            }
            s.push(r(format!("\u{201c}{}\u{201d}", n.text)));
            if let Some(c) = &n.context {
                s.push(r(format!(" ({c})")));
            }
            s
        })
        .collect();
    f.list(&items, BODY);
    f.doc.close();
}

fn about(f: &mut Flow, data: &ReportData) {
    let ft = &data.footer;
    f.doc.open(Role::Section);
    // Small print under a rule rather than a full section: it is the same on every report.
    f.keep(40.0);
    f.gap(4.0);
    f.doc.open(Role::Heading(2, "About this report".into()));
    f.emit(Op::Text { x: f.x, y: f.y + 7.5, size: 7.5, bold: true, color: ACCENT, text: "About this report".into() });
    f.doc.close();
    f.gap(10.5);
    let fine = Style { size: 6.6, leading: 1.15, ..SMALL };
    f.text(&[r(format!("{} ", ft.what_it_is)), b(ft.what_it_is_not.clone())], fine);
    f.text(&[b("Sources: "), r(ft.sources.join("; "))], fine);
    f.doc.close();
}

/// Lays out every section.
pub fn lay_out(f: &mut Flow, data: &ReportData) {
    header(f, data);
    safety(f, data);
    complaint(f, data);
    outcomes(f, data);
    load(f, data);
    factors(f, data);
    experiments(f, data);
    posture(f, data);
    program(f, data);
    notes(f, data);
    about(f, data);
}

/// The running footer on every page, as page furniture.
pub fn page_footers(f: &mut Flow, data: &ReportData) {
    let pages = f.doc.pages;
    let w = &data.who;
    let left = format!(
        "runtall {} · {} · {} – {} · wellness guidance, not a diagnosis",
        w.program_version,
        w.name,
        d(w.from),
        d(w.to)
    );
    let y = f.doc.height - 16.0;
    f.doc.open(Role::Artifact);
    for page in 0..pages {
        let right = format!("page {} of {pages}", page + 1);
        let rw = f.fonts.regular.width(&right, 6.8);
        f.doc.emit(page, Op::Text { x: f.x, y, size: 6.8, bold: false, color: MUTED, text: left.clone() });
        f.doc.emit(page, Op::Text { x: f.x + f.w - rw, y, size: 6.8, bold: false, color: MUTED, text: right });
    }
    f.doc.close();
}
