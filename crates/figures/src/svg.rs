//! A figure as SVG: the start and the end position side by side, each with its label, the start drawn faintly
//! behind the end and an arrow along the biggest movement.
//!
//! Styling is in presentation attributes only (no `style` attributes or elements), so the same string works
//! inline in a page under a strict content security policy, as an `<img>`, and in a report.

use crate::skeleton::{HEAD_R, Pt, Skeleton, dist};
use runtall_content::{BreathMark, Exercise, Figure, FigureView, Pose, Prop};
use std::fmt::Write;

/// Pixels (SVG user units) per body height.
const S: f32 = 200.0;
const PAD: f32 = 14.0;
const GAP: f32 = 18.0;
const LABEL_SIZE: f32 = 13.0;
const LINE_H: f32 = 16.0;
const MIN_PANEL_W: f32 = 170.0;

const NEAR: &str = "#0b5d55";
const FAR: &str = "#86b8b0";
const GHOST: &str = "#b9c3c9";
const GROUND: &str = "#8d969e";
const WOOD: &str = "#a0785a";
const BAND: &str = "#7a4fa0";
const BREATH: &str = "#1f6fb2";
const MOVE: &str = "#c8453c";
const TEXT: &str = "#2b3137";

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// One panel: its pose, what to draw behind it, and its props.
struct Panel<'a> {
    pose: &'a Pose,
    skeleton: Skeleton,
    ghost: Option<Skeleton>,
    props: Vec<&'a Prop>,
}

/// Bounds in body units: min x, min y, max x, max y.
#[derive(Debug, Clone, Copy)]
struct Bounds([f32; 4]);

impl Bounds {
    fn empty() -> Bounds {
        Bounds([f32::MAX, f32::MAX, f32::MIN, f32::MIN])
    }
    fn add(&mut self, p: Pt, margin: f32) {
        let b = &mut self.0;
        b[0] = b[0].min(p[0] - margin);
        b[1] = b[1].min(p[1] - margin);
        b[2] = b[2].max(p[0] + margin);
        b[3] = b[3].max(p[1] + margin);
    }
    fn width(&self) -> f32 {
        self.0[2] - self.0[0]
    }
}

fn panel_bounds(panel: &Panel<'_>) -> Bounds {
    let mut b = Bounds::empty();
    for s in std::iter::once(&panel.skeleton).chain(panel.ghost.as_ref()) {
        for p in s.points() {
            b.add(p, 0.03);
        }
        b.add(s.head, HEAD_R + 0.01);
    }
    for prop in &panel.props {
        match prop {
            Prop::Floor => b.add([panel.skeleton.hip[0], 0.0], 0.0),
            Prop::Wall { x } => {
                b.add([*x, 0.0], 0.02);
            }
            Prop::Chair { x, seat } => {
                b.add([*x - 0.03, 0.0], 0.0);
                b.add([*x + 0.22, *seat], 0.0);
            }
            Prop::Roller { at, r } => b.add(*at, *r + 0.01),
            Prop::Towel { at, w, .. } => {
                b.add([at[0] - w / 2.0, at[1]], 0.01);
                b.add([at[0] + w / 2.0, at[1]], 0.01);
            }
            Prop::Band { anchor } => b.add(*anchor, 0.03),
            Prop::WallBehind | Prop::BandBetweenHands => {}
        }
    }
    b
}

/// Word-wraps a label to lines of at most `max` characters, keeping a number with its unit ("3 s").
fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        let glue = word.len() <= 3
            && word.chars().all(char::is_alphabetic)
            && words.last().is_some_and(|w| w.ends_with(|c: char| c.is_ascii_digit()));
        match words.last_mut() {
            Some(last) if glue => {
                last.push(' ');
                last.push_str(word);
            }
            _ => words.push(word.to_string()),
        }
    }
    let mut lines: Vec<String> = Vec::new();
    for word in &words {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= max => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.clone()),
        }
    }
    lines
}

/// Maps body units to picture units within one panel.
struct Frame {
    left: f32,
    min_x: f32,
    top_y: f32,
    panel_left: f32,
    panel_w: f32,
}

impl Frame {
    fn at(&self, p: Pt) -> (f32, f32) {
        (self.left + (p[0] - self.min_x) * S, (self.top_y - p[1]) * S + PAD)
    }
}

fn line(out: &mut String, f: &Frame, a: Pt, b: Pt, color: &str, width: f32, extra: &str) {
    let (x1, y1) = f.at(a);
    let (x2, y2) = f.at(b);
    let _ = write!(
        out,
        r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{color}" stroke-width="{width:.1}" stroke-linecap="round"{extra}/>"#
    );
}

fn polyline(out: &mut String, f: &Frame, pts: &[Pt], color: &str, width: f32, extra: &str) {
    let coords: Vec<String> = pts
        .iter()
        .map(|p| {
            let (x, y) = f.at(*p);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let _ = write!(
        out,
        r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="{width:.1}" stroke-linecap="round" stroke-linejoin="round"{extra}/>"#,
        coords.join(" ")
    );
}

fn arrow(out: &mut String, f: &Frame, from: Pt, to: Pt, color: &str, width: f32) {
    let (x1, y1) = f.at(from);
    let (x2, y2) = f.at(to);
    let len = ((x2 - x1).powi(2) + (y2 - y1).powi(2)).sqrt().max(1e-3);
    let (ux, uy) = ((x2 - x1) / len, (y2 - y1) / len);
    let head = 4.0 * width;
    let (bx, by) = (x2 - ux * head, y2 - uy * head);
    let (px, py) = (-uy * head * 0.55, ux * head * 0.55);
    let _ = write!(
        out,
        r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{bx:.1}" y2="{by:.1}" stroke="{color}" stroke-width="{width:.1}" stroke-linecap="round"/><polygon points="{x2:.1},{y2:.1} {:.1},{:.1} {:.1},{:.1}" fill="{color}"/>"#,
        bx + px,
        by + py,
        bx - px,
        by - py
    );
}

/// The body: far limbs, trunk and head, near limbs. `ghost` draws everything in one faint dashed colour.
fn body(out: &mut String, f: &Frame, s: &Skeleton, ghost: bool) {
    let dash = if ghost { r#" stroke-dasharray="5 4""# } else { "" };
    // A front view has no near and far side: both arms and legs are drawn alike.
    let (near, far) = match (ghost, s.view) {
        (true, _) => (GHOST, GHOST),
        (false, FigureView::Side) => (NEAR, FAR),
        (false, FigureView::Front) => (NEAR, NEAR),
    };
    let limb_w = 0.034 * S;
    let leg_w = 0.045 * S;
    // A thin white edge round the near limbs keeps an arm visible where it crosses the trunk.
    let halo = |out: &mut String, pts: &[Pt], w: f32| {
        if !ghost {
            polyline(out, f, pts, "#ffffff", w + 3.0, "");
        }
    };
    if let Some(legs) = &s.legs {
        halo(out, &legs[1].points, leg_w);
        polyline(out, f, &legs[1].points, far, leg_w, dash);
    }
    halo(out, &s.arms[1].points, limb_w);
    polyline(out, f, &s.arms[1].points, far, limb_w, dash);
    match s.view {
        FigureView::Side => {
            polyline(out, f, &[s.hip, s.mid_back, s.shoulder], near, 0.08 * S, dash);
        }
        FigureView::Front => {
            let w = 0.05 * S;
            if s.trunk_flat || s.legs.is_none() {
                line(out, f, s.shoulders[0], s.shoulders[1], near, w, dash);
            } else {
                // The torso as a rounded shape from the shoulders to the hips.
                let pts = [s.shoulders[0], s.shoulders[1], s.hips[1], s.hips[0], s.shoulders[0]];
                let coords: Vec<String> = pts
                    .iter()
                    .map(|p| {
                        let (x, y) = f.at(*p);
                        format!("{x:.1},{y:.1}")
                    })
                    .collect();
                let fill = if ghost { "none" } else { near };
                let _ = write!(
                    out,
                    r#"<polygon points="{}" fill="{fill}" stroke="{near}" stroke-width="{w:.1}" stroke-linejoin="round"{dash}/>"#,
                    coords.join(" ")
                );
            }
        }
    }
    if dist(s.shoulder, s.head) > 1e-3 {
        line(out, f, s.shoulder, s.head, near, 0.035 * S, dash);
    }
    let (hx, hy) = f.at(s.head);
    let r = HEAD_R * S;
    if ghost {
        let _ = write!(
            out,
            r#"<circle cx="{hx:.1}" cy="{hy:.1}" r="{r:.1}" fill="none" stroke="{GHOST}" stroke-width="2"{dash}/>"#
        );
    } else {
        let _ = write!(out, r#"<circle cx="{hx:.1}" cy="{hy:.1}" r="{r:.1}" fill="{NEAR}"/>"#);
    }
    if let Some(nose) = s.nose {
        let d = [(nose[0] - s.head[0]) / dist(nose, s.head), (nose[1] - s.head[1]) / dist(nose, s.head)];
        let from = [s.head[0] + d[0] * HEAD_R * 0.7, s.head[1] + d[1] * HEAD_R * 0.7];
        let tip = [s.head[0] + d[0] * HEAD_R * 1.2, s.head[1] + d[1] * HEAD_R * 1.2];
        line(out, f, from, tip, near, 0.025 * S, dash);
    }
    if let Some(blades) = &s.blades
        && !ghost
    {
        for b in blades {
            line(out, f, b[0], b[1], "#ffffff", 0.022 * S, "");
        }
    }
    if let Some(legs) = &s.legs {
        halo(out, &legs[0].points, leg_w);
        polyline(out, f, &legs[0].points, near, leg_w, dash);
    }
    halo(out, &s.arms[0].points, limb_w);
    polyline(out, f, &s.arms[0].points, near, limb_w, dash);
}

fn props(out: &mut String, f: &Frame, panel: &Panel<'_>, behind: bool) {
    let width = f.panel_w;
    for prop in &panel.props {
        match (prop, behind) {
            (Prop::WallBehind, true) => {
                let _ = write!(
                    out,
                    r##"<rect x="{:.1}" y="{PAD:.1}" width="{:.1}" height="{:.1}" rx="6" fill="#eef1f3"/>"##,
                    f.panel_left + 4.0,
                    width - 8.0,
                    f.at([0.0, 0.0]).1 - PAD
                );
            }
            (Prop::Floor, true) => {
                let (_, y) = f.at([0.0, 0.0]);
                let _ = write!(
                    out,
                    r#"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{GROUND}" stroke-width="3"/>"#,
                    f.panel_left + 2.0,
                    f.panel_left + width - 2.0
                );
            }
            (Prop::Wall { x }, true) => {
                let (px, y0) = f.at([*x, 0.0]);
                let _ = write!(
                    out,
                    r#"<line x1="{px:.1}" y1="{y0:.1}" x2="{px:.1}" y2="{PAD:.1}" stroke="{GROUND}" stroke-width="5"/>"#
                );
            }
            (Prop::Chair { x, seat }, true) => {
                let pts = [[*x, seat + 0.3], [*x, *seat], [*x + 0.2, *seat]];
                polyline(out, f, &pts, WOOD, 6.0, "");
                line(out, f, [*x + 0.02, *seat], [*x + 0.02, 0.0], WOOD, 4.0, "");
                line(out, f, [*x + 0.18, *seat], [*x + 0.18, 0.0], WOOD, 4.0, "");
            }
            (Prop::Roller { at, r }, true) => {
                let (cx, cy) = f.at(*at);
                let _ = write!(
                    out,
                    r##"<circle cx="{cx:.1}" cy="{cy:.1}" r="{:.1}" fill="#e3b55a" stroke="#96722a" stroke-width="2"/>"##,
                    r * S
                );
            }
            (Prop::Towel { at, w, h }, true) => {
                let h = h.unwrap_or(0.024);
                let (x, y) = f.at([at[0] - w / 2.0, at[1] + h]);
                let _ = write!(
                    out,
                    r##"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" rx="3" fill="#d9c7a8" stroke="#a48f6a" stroke-width="1.5"/>"##,
                    w * S,
                    h * S
                );
            }
            (Prop::Band { anchor }, false) => {
                for hand in panel.skeleton.hands() {
                    line(out, f, *anchor, hand, BAND, 3.0, "");
                }
                let (ax, ay) = f.at(*anchor);
                let _ = write!(out, r#"<circle cx="{ax:.1}" cy="{ay:.1}" r="5" fill="{GROUND}"/>"#);
            }
            (Prop::BandBetweenHands, false) => {
                let [a, b] = panel.skeleton.hands();
                line(out, f, a, b, BAND, 3.5, "");
            }
            _ => {}
        }
    }
}

/// Small arrows at the lower ribs: outward for a breath in, inward for a breath out.
fn breath(out: &mut String, f: &Frame, s: &Skeleton, mark: BreathMark) {
    let front = s.ribs_front;
    for side in [1.0_f32, -1.0] {
        let base = [s.ribs[0] + front[0] * side * 0.05, s.ribs[1] + front[1] * side * 0.05];
        let tip = [base[0] + front[0] * side * 0.06, base[1] + front[1] * side * 0.06];
        // The back of the ribs against the floor has no room to move: no arrow into the floor.
        if tip[1] < 0.02 {
            continue;
        }
        match mark {
            BreathMark::In => arrow(out, f, base, tip, BREATH, 2.5),
            BreathMark::Out => arrow(out, f, tip, base, BREATH, 2.5),
        }
    }
}

/// The joint that moved most from `a` to `b`, as (from, to), if anything moved visibly.
fn biggest_move(a: &Skeleton, b: &Skeleton) -> Option<(Pt, Pt)> {
    let pa = a.points();
    let pb = b.points();
    if pa.len() != pb.len() {
        return None;
    }
    let (from, to) = pa.into_iter().zip(pb).max_by(|x, y| dist(x.0, x.1).total_cmp(&dist(y.0, y.1)))?;
    let d = dist(from, to);
    if d < 0.01 {
        return None;
    }
    // Small movements (a chin tuck's glide) still get an arrow a reader can see; it ends at the new position.
    let min = 0.06;
    let from = if d < min { [to[0] - (to[0] - from[0]) / d * min, to[1] - (to[1] - from[1]) / d * min] } else { from };
    Some((from, to))
}

/// Which part of a figure to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Start and end side by side, each labelled: the whole card, for the report and the API.
    Both,
    /// Start and end side by side without labels, for lists and the player (the page shows the words).
    Plain,
    /// One position alone, without its label (the page captions it), at the scale the pair shares.
    Start,
    End,
}

/// The SVG drawing of a figure: start and end side by side, labelled, for `exercise`.
pub fn figure_svg(exercise: &Exercise, figure: &Figure) -> String {
    render(exercise, figure, Part::Both)
}

/// One part of a figure as SVG (see [`Part`]).
pub fn render(exercise: &Exercise, figure: &Figure, part: Part) -> String {
    let start = Skeleton::of(&figure.start);
    let end = Skeleton::of(&figure.end);
    let same_view = figure.start.view == figure.end.view;
    let ghost = match &figure.end_from {
        Some(from) => Some(Skeleton::of(from)),
        None => (same_view && figure.end.trace).then(|| start.clone()),
    };
    let panel_props = |own| crate::panel_props(figure, own);
    let panels = [
        Panel { pose: &figure.start, skeleton: start.clone(), ghost: None, props: panel_props(&figure.start_props) },
        Panel { pose: &figure.end, skeleton: end.clone(), ghost, props: panel_props(&figure.end_props) },
    ];
    let bounds: Vec<Bounds> = panels.iter().map(panel_bounds).collect();
    // Panels of the same view share one frame, so the body stays put and only what moves changes.
    let shared = if same_view {
        let mut b = bounds[0];
        b.0[0] = b.0[0].min(bounds[1].0[0]);
        b.0[1] = b.0[1].min(bounds[1].0[1]);
        b.0[2] = b.0[2].max(bounds[1].0[2]);
        b.0[3] = b.0[3].max(bounds[1].0[3]);
        vec![b, b]
    } else {
        bounds
    };
    let top = shared.iter().map(|b| b.0[3]).fold(f32::MIN, f32::max);
    let bottom = shared.iter().map(|b| b.0[1]).fold(f32::MAX, f32::min);
    let labelled = part == Part::Both;
    let min_w = if labelled { MIN_PANEL_W } else { 0.0 };
    let widths: Vec<f32> = shared.iter().map(|b| (b.width() * S + 2.0 * PAD).max(min_w)).collect();
    let shown: Vec<usize> = match part {
        Part::Both | Part::Plain => vec![0, 1],
        Part::Start => vec![0],
        Part::End => vec![1],
    };
    let labels: Vec<Vec<String>> = panels
        .iter()
        .zip(&widths)
        .map(|(p, w)| if labelled { wrap(&p.pose.label, ((w / 7.0) as usize).max(16)) } else { Vec::new() })
        .collect();
    let label_lines = labels.iter().map(Vec::len).max().unwrap_or(0) as f32;
    let picture_h = (top - bottom) * S + 2.0 * PAD;
    let height = picture_h + if labelled { label_lines * LINE_H + 8.0 } else { 0.0 };
    let width = shown.iter().map(|i| widths[*i]).sum::<f32>() + if shown.len() > 1 { GAP } else { 0.0 };
    let (title, desc) = match part {
        Part::Start => (format!("{}: start position", exercise.name), figure.start.label.clone()),
        Part::End => (format!("{}: end position", exercise.name), figure.end.label.clone()),
        _ => (
            format!("{}: start and end positions", exercise.name),
            format!("Start: {}. End: {}.", figure.start.label, figure.end.label),
        ),
    };
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="img" aria-label="{}" class="figure"><title>{}</title><desc>{}</desc>"#,
        escape(&title),
        escape(&title),
        escape(&desc)
    );
    let mut left = 0.0;
    for (n, &i) in shown.iter().enumerate() {
        let panel = &panels[i];
        let b = shared[i];
        // Centre the body in a panel widened for its label.
        let slack = (widths[i] - (b.width() * S + 2.0 * PAD)) / 2.0;
        let frame = Frame { left: left + PAD + slack, min_x: b.0[0], top_y: top, panel_left: left, panel_w: widths[i] };
        let _ = write!(out, r#"<g>"#);
        props(&mut out, &frame, panel, true);
        if let Some(g) = &panel.ghost {
            body(&mut out, &frame, g, true);
        }
        body(&mut out, &frame, &panel.skeleton, false);
        props(&mut out, &frame, panel, false);
        if let Some(mark) = panel.pose.breath {
            breath(&mut out, &frame, &panel.skeleton, mark);
        }
        if let Some(g) = &panel.ghost
            && let Some((from, to)) = biggest_move(g, &panel.skeleton)
        {
            arrow(&mut out, &frame, from, to, MOVE, 3.0);
        }
        let cx = left + widths[i] / 2.0;
        for (k, text) in labels[i].iter().enumerate() {
            let y = picture_h + LINE_H * (k as f32 + 1.0);
            let _ = write!(
                out,
                r#"<text x="{cx:.1}" y="{y:.1}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="{LABEL_SIZE}" fill="{TEXT}" text-anchor="middle">{}</text>"#,
                escape(text)
            );
        }
        let _ = write!(out, "</g>");
        if n == 0 && shown.len() > 1 {
            let (ax, ay) = (left + widths[i] + GAP / 2.0, picture_h / 2.0);
            let _ = write!(
                out,
                r#"<polygon points="{:.1},{:.1} {:.1},{ay:.1} {:.1},{:.1}" fill="{GROUND}"/>"#,
                ax - 5.0,
                ay - 7.0,
                ax + 5.0,
                ax - 5.0,
                ay + 7.0
            );
        }
        left += widths[i] + GAP;
    }
    out.push_str("</svg>");
    out
}
