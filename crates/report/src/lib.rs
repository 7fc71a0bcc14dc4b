//! The physical therapist's report as a PDF, made in Rust: no browser, no system fonts.
//!
//! [`pdf`] lays out a [`ReportData`] (gathered by `runtall_app::pt_report`) on the paper size of the runner's
//! country, then renders it with krilla: the DejaVu Sans Condensed faces embedded (subset), text drawn as text so
//! it can be selected, searched and read back (`pdftotext`), charts as vector paths, and a tag tree (sections,
//! headings, paragraphs, tables, lists, figures with their text alternative, the running footer as an artifact) so
//! screen readers follow the reading order.
//!
//! Why krilla 0.8 (measured on the 2-core development machine, December 2026): its dependency tree is 68 crates, and
//! a clean debug build of krilla alone (in an empty project) took 141 s of CPU, 7 min 24 s of wall time with the
//! machine shared at a load of 13; adding it to the workspace (its crates not yet built, plus this crate and
//! runtall-app) took 200 s of CPU. Only the CLI and the web app link it; their own edits do not rebuild it. Typst as a
//! library (`typst` + `typst-pdf` 0.15) brings 382 crates and itself writes its PDFs through krilla, so it can only
//! cost more; its typesetting (paragraph layout, hyphenation) is more than a two-page report of short sentences
//! needs. The layout here is a small cursor with word wrapping ([`flow`]), measured with skrifa, which krilla
//! already depends on. Living in its own crate keeps krilla out of the crates that do not write PDFs.

pub mod body;
mod charts;
mod draw;
mod flow;
mod fonts;
mod sections;

use runtall_app::pt_report::ReportData;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The compiled-in fonts could not be read: a broken build, never the runner's input.
    #[error("the report's bundled font could not be loaded")]
    Font,
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

/// Page margins and the band kept free for the running footer, in points.
const MARGIN: f32 = 32.0;
const TOP: f32 = 30.0;
const BOTTOM: f32 = 31.0;

/// The report as PDF bytes.
pub fn pdf(data: &ReportData) -> Result<Vec<u8>, ReportError> {
    let fonts = fonts::Fonts::load().ok_or(ReportError::Font)?;
    let (w, h) = data.who.paper.size_pt();
    let title = format!("Report for a physical therapist — {}, {} to {}", data.who.name, data.who.from, data.who.to);
    let mut flow = flow::Flow::new(&fonts, draw::Doc::new(w, h, title), MARGIN, TOP, BOTTOM);
    sections::lay_out(&mut flow, data);
    sections::page_footers(&mut flow, data);
    flow.doc.render(&fonts).map_err(ReportError::Pdf)
}

/// The report's charts as SVG, drawn by the same code as the PDF's, for the HTML report.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub pain: Option<String>,
    pub load: Option<String>,
    pub adherence: Option<String>,
    /// One small forest plot per factor line, in order, and the axis above them.
    pub forest: Vec<String>,
    pub forest_axis: String,
}

/// Draws one figure on a page-wide strip `height` points tall and returns it as SVG.
fn figure(fonts: &fonts::Fonts, width: f32, height: f32, draw: impl FnOnce(&mut flow::Flow)) -> String {
    // A margin each side so axis labels drawn just outside the plot (units, "baseline") stay inside the drawing.
    let pad = if width > 200.0 { 18.0 } else { 0.0 };
    let mut f = flow::Flow::new(fonts, draw::Doc::new(width + 2.0 * pad, height + 10.0, String::new()), pad, 0.0, 0.0);
    draw(&mut f);
    let alt = f.doc.first_alt().unwrap_or("").to_string();
    f.doc.svg(height, &alt)
}

/// Width of the HTML figures, in points of the drawing (the page scales them).
const FIGURE_W: f32 = 523.0;

pub fn figures(data: &ReportData) -> Result<Figures, ReportError> {
    let fonts = fonts::Fonts::load().ok_or(ReportError::Font)?;
    let l = &data.load;
    let has_load = l.runs > 0 || l.weeks.iter().any(|w| w.pain.is_some());
    Ok(Figures {
        pain: data
            .outcomes
            .pain
            .as_ref()
            .map(|p| figure(&fonts, FIGURE_W, charts::PAIN_H, |f| charts::pain(f, p, charts::PAIN_H))),
        load: has_load.then(|| figure(&fonts, FIGURE_W, charts::LOAD_H, |f| charts::load(f, l, charts::LOAD_H))),
        adherence: (!data.program.adherence.is_empty()).then(|| {
            figure(&fonts, FIGURE_W, charts::ADHERENCE_H, |f| {
                charts::adherence(f, &data.program.adherence, charts::ADHERENCE_H)
            })
        }),
        forest: data
            .factors
            .lines
            .iter()
            .map(|line| {
                figure(&fonts, 112.0, 10.0, |f| {
                    f.doc.open(draw::Role::Figure(format!("{}: {}", line.label, line.ratio)));
                    charts::forest(f, 0.0, 0.5, 112.0, line);
                    f.doc.close();
                })
            })
            .collect(),
        forest_axis: figure(&fonts, 112.0, 9.0, |f| {
            f.doc.open(draw::Role::Figure("Axis: ¼×, ½×, same, 2×, 4× as often".into()));
            charts::forest_axis(f, 0.0, 7.0, 112.0);
            f.doc.close();
        }),
    })
}

/// The number of pages [`pdf`] would make, and every piece of text on them (for tests and the page budget).
pub fn layout_text(data: &ReportData) -> Result<(usize, Vec<String>), ReportError> {
    let fonts = fonts::Fonts::load().ok_or(ReportError::Font)?;
    let (w, h) = data.who.paper.size_pt();
    let mut flow = flow::Flow::new(&fonts, draw::Doc::new(w, h, String::new()), MARGIN, TOP, BOTTOM);
    sections::lay_out(&mut flow, data);
    Ok((flow.doc.pages, flow.doc.texts().map(str::to_string).collect()))
}
