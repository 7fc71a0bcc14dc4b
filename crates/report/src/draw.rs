//! A display list and its rendering with krilla, tagged for accessibility.
//!
//! Layout first fills [`Doc`]: a tree of structure nodes (sections, headings, paragraphs, figures with their text
//! alternative, tables, rows and cells) in reading order, each holding the drawing operations it put on each page.
//! [`Doc::render`] then draws every page and hands krilla the same tree as the PDF's tag tree, so a screen reader
//! reads the report in order, figures by their alternative text, and page furniture (the running footer) is marked
//! as an artifact. Keeping layout and drawing apart also means the page count is known before the footer says
//! "page 1 of 2".

use crate::fonts::{Fonts, drawable};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke, StrokeDash};
use krilla::surface::Surface;
use krilla::tagging::{ArtifactType, ContentTag, Identifier, SpanTag, Tag, TagGroup, TagKind, TagTree};
use krilla::text::TextDirection;
use krilla::{Document, SerializeSettings};
use std::num::NonZeroU16;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    fn color(self) -> rgb::Color {
        rgb::Color::new(self.0, self.1, self.2)
    }

    /// `#rrggbb`, for the same colours in SVG.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// A path segment (y grows downwards, in points).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Seg {
    M(f32, f32),
    L(f32, f32),
    Q(f32, f32, f32, f32),
    C(f32, f32, f32, f32, f32, f32),
    Z,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Rect { x: f32, y: f32, w: f32, h: f32 },
    Ellipse { cx: f32, cy: f32, rx: f32, ry: f32 },
    Path(Vec<Seg>),
}

impl Shape {
    pub fn line(points: &[(f32, f32)]) -> Shape {
        Shape::Path(
            points.iter().enumerate().map(|(i, &(x, y))| if i == 0 { Seg::M(x, y) } else { Seg::L(x, y) }).collect(),
        )
    }

    pub fn polygon(points: &[(f32, f32)]) -> Shape {
        let mut s = match Shape::line(points) {
            Shape::Path(s) => s,
            _ => vec![],
        };
        s.push(Seg::Z);
        Shape::Path(s)
    }

    pub fn circle(cx: f32, cy: f32, r: f32) -> Shape {
        Shape::Ellipse { cx, cy, rx: r, ry: r }
    }

    /// The shape as segments: ellipses as four cubic arcs.
    pub fn segments(&self) -> Vec<Seg> {
        match *self {
            Shape::Rect { x, y, w, h } => {
                vec![Seg::M(x, y), Seg::L(x + w, y), Seg::L(x + w, y + h), Seg::L(x, y + h), Seg::Z]
            }
            Shape::Ellipse { cx, cy, rx, ry } => {
                let k = 0.552_284_8;
                let (ox, oy) = (rx * k, ry * k);
                vec![
                    Seg::M(cx + rx, cy),
                    Seg::C(cx + rx, cy + oy, cx + ox, cy + ry, cx, cy + ry),
                    Seg::C(cx - ox, cy + ry, cx - rx, cy + oy, cx - rx, cy),
                    Seg::C(cx - rx, cy - oy, cx - ox, cy - ry, cx, cy - ry),
                    Seg::C(cx + ox, cy - ry, cx + rx, cy - oy, cx + rx, cy),
                    Seg::Z,
                ]
            }
            Shape::Path(ref s) => s.clone(),
        }
    }

    /// The shape as an SVG element with the given attributes (the HTML report draws the same geometry).
    pub fn svg(&self, attrs: &str) -> String {
        match *self {
            Shape::Rect { x, y, w, h } => format!(r#"<rect x="{x}" y="{y}" width="{w}" height="{h}" {attrs}/>"#),
            Shape::Ellipse { cx, cy, rx, ry } => {
                format!(r#"<ellipse cx="{cx}" cy="{cy}" rx="{rx}" ry="{ry}" {attrs}/>"#)
            }
            Shape::Path(ref segs) => {
                let d: Vec<String> = segs
                    .iter()
                    .map(|s| match *s {
                        Seg::M(x, y) => format!("M{x},{y}"),
                        Seg::L(x, y) => format!("L{x},{y}"),
                        Seg::Q(a, b, x, y) => format!("Q{a},{b} {x},{y}"),
                        Seg::C(a, b, c, d, x, y) => format!("C{a},{b} {c},{d} {x},{y}"),
                        Seg::Z => "Z".into(),
                    })
                    .collect();
                format!(r#"<path d="{}" {attrs}/>"#, d.join(" "))
            }
        }
    }

    /// The shape moved by (dx, dy) and scaled by `k` about the origin.
    pub fn placed(&self, dx: f32, dy: f32, k: f32) -> Shape {
        let p = |x: f32, y: f32| (dx + k * x, dy + k * y);
        match *self {
            Shape::Rect { x, y, w, h } => {
                let (x, y) = p(x, y);
                Shape::Rect { x, y, w: w * k, h: h * k }
            }
            Shape::Ellipse { cx, cy, rx, ry } => {
                let (cx, cy) = p(cx, cy);
                Shape::Ellipse { cx, cy, rx: rx * k, ry: ry * k }
            }
            Shape::Path(ref segs) => Shape::Path(
                segs.iter()
                    .map(|s| match *s {
                        Seg::M(x, y) => {
                            let (x, y) = p(x, y);
                            Seg::M(x, y)
                        }
                        Seg::L(x, y) => {
                            let (x, y) = p(x, y);
                            Seg::L(x, y)
                        }
                        Seg::Q(a, b, x, y) => {
                            let ((a, b), (x, y)) = (p(a, b), p(x, y));
                            Seg::Q(a, b, x, y)
                        }
                        Seg::C(a, b, c, d, x, y) => {
                            let ((a, b), (c, d), (x, y)) = (p(a, b), p(c, d), p(x, y));
                            Seg::C(a, b, c, d, x, y)
                        }
                        Seg::Z => Seg::Z,
                    })
                    .collect(),
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Text with its baseline at `y`.
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        color: Rgb,
        text: String,
    },
    Fill {
        shape: Shape,
        color: Rgb,
    },
    Stroke {
        shape: Shape,
        color: Rgb,
        width: f32,
        dash: Option<(f32, f32)>,
    },
}

/// What a node is in the document's structure.
#[derive(Debug, Clone, PartialEq)]
pub enum Role {
    Section,
    Heading(u16, String),
    P,
    /// A chart or drawing, read by its text alternative.
    Figure(String),
    Table,
    Row,
    HeaderCell,
    Cell,
    List,
    Item,
    /// Page furniture, not part of the reading order.
    Artifact,
}

#[derive(Debug)]
struct Node {
    role: Role,
    parent: Option<usize>,
    parts: Vec<(usize, Vec<Op>)>,
}

/// The laid-out document: pages of a fixed size and the node tree that owns every drawing operation.
pub struct Doc {
    pub width: f32,
    pub height: f32,
    pub pages: usize,
    nodes: Vec<Node>,
    open: Vec<usize>,
    pub title: String,
}

impl Doc {
    pub fn new(width: f32, height: f32, title: String) -> Doc {
        Doc { width, height, pages: 1, nodes: Vec::new(), open: Vec::new(), title }
    }

    /// Opens a node inside the current one; ops go to it until [`Doc::close`].
    pub fn open(&mut self, role: Role) {
        let parent = self.open.last().copied();
        self.nodes.push(Node { role, parent, parts: Vec::new() });
        self.open.push(self.nodes.len() - 1);
    }

    pub fn close(&mut self) {
        self.open.pop();
    }

    /// Adds an operation to the innermost open node, on `page`.
    pub fn emit(&mut self, page: usize, op: Op) {
        let Some(&n) = self.open.last() else { return };
        let parts = &mut self.nodes[n].parts;
        match parts.last_mut() {
            Some((p, ops)) if *p == page => ops.push(op),
            _ => parts.push((page, vec![op])),
        }
        self.pages = self.pages.max(page + 1);
    }

    /// Every text op, for tests and the text check.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.nodes.iter().flat_map(|n| n.parts.iter()).flat_map(|(_, ops)| ops).filter_map(|op| match op {
            Op::Text { text, .. } => Some(text.as_str()),
            _ => None,
        })
    }

    /// Everything on the first page as an SVG drawing `height` points tall, with `alt` as its text alternative: the
    /// HTML report draws its charts from the same operations as the PDF.
    pub fn svg(&self, height: f32, alt: &str) -> String {
        let esc = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
        let mut out = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {height}" role="img" aria-label="{alt}" class="report-chart" font-family="'DejaVu Sans Condensed', 'DejaVu Sans', 'Arial Narrow', sans-serif">"#,
            w = self.width,
            alt = esc(alt)
        );
        for op in self.nodes.iter().flat_map(|n| n.parts.iter()).filter(|(p, _)| *p == 0).flat_map(|(_, ops)| ops) {
            match op {
                Op::Text { x, y, size, bold, color, text } => out.push_str(&format!(
                    r#"<text x="{x:.1}" y="{y:.1}" font-size="{size}"{} fill="{}">{}</text>"#,
                    if *bold { r#" font-weight="bold""# } else { "" },
                    color.hex(),
                    esc(text)
                )),
                Op::Fill { shape, color } => out.push_str(&shape.svg(&format!(r#"fill="{}""#, color.hex()))),
                Op::Stroke { shape, color, width, dash } => out.push_str(&shape.svg(&format!(
                    r#"fill="none" stroke="{}" stroke-width="{width}"{}"#,
                    color.hex(),
                    dash.map(|(a, b)| format!(r#" stroke-dasharray="{a} {b}""#)).unwrap_or_default()
                ))),
            }
        }
        out.push_str("</svg>");
        out
    }

    /// The text alternative of the first figure, if any.
    pub fn first_alt(&self) -> Option<&str> {
        self.nodes.iter().find_map(|n| match &n.role {
            Role::Figure(alt) => Some(alt.as_str()),
            _ => None,
        })
    }

    pub fn render(self, fonts: &Fonts) -> Result<Vec<u8>, String> {
        let settings = SerializeSettings { enable_tagging: true, ..Default::default() };
        let mut doc = Document::new_with(settings);
        doc.set_metadata(
            krilla::metadata::Metadata::new()
                .title(self.title.clone())
                .language("en".into())
                .creator(format!("runtall {}", env!("CARGO_PKG_VERSION"))),
        );
        let mut ids: Vec<Vec<Identifier>> = (0..self.nodes.len()).map(|_| Vec::new()).collect();
        let Some(settings) = PageSettings::from_wh(self.width, self.height) else {
            return Err(format!("page size {} × {} pt", self.width, self.height));
        };
        for page in 0..self.pages {
            let mut p = doc.start_page_with(settings.clone());
            let mut surface = p.surface();
            for (i, node) in self.nodes.iter().enumerate() {
                for (_, ops) in node.parts.iter().filter(|(pg, _)| *pg == page) {
                    let tag = match node.role {
                        Role::Artifact => {
                            ContentTag::Artifact(krilla::tagging::Artifact::new(ArtifactType::Other, None))
                        }
                        Role::Figure(_) => ContentTag::Other,
                        _ => ContentTag::Span(SpanTag::empty()),
                    };
                    let id = surface.start_tagged(tag);
                    for op in ops {
                        draw(&mut surface, fonts, op);
                    }
                    surface.end_tagged();
                    if node.role != Role::Artifact {
                        ids[i].push(id);
                    }
                }
            }
            surface.finish();
            p.finish();
        }
        let mut tree = TagTree::new().with_lang(Some("en".into()));
        for (i, node) in self.nodes.iter().enumerate() {
            if node.parent.is_none()
                && let Some(g) = group(&self.nodes, &mut ids, i)
            {
                tree.push(g);
            }
        }
        doc.set_tag_tree(tree);
        doc.finish().map_err(|e| format!("{e:?}"))
    }
}

/// The tag group of node `i` with its own content and its children, in order; None when it holds nothing.
fn group(nodes: &[Node], ids: &mut [Vec<Identifier>], i: usize) -> Option<TagGroup> {
    let kind: TagKind = match &nodes[i].role {
        Role::Artifact => return None,
        Role::Section => Tag::Section.into(),
        Role::Heading(level, title) => {
            Tag::Hn(NonZeroU16::new(*level).unwrap_or(NonZeroU16::MIN), Some(title.clone())).into()
        }
        Role::P => Tag::P.into(),
        Role::Figure(alt) => Tag::Figure(Some(alt.clone())).into(),
        Role::Table => Tag::Table.into(),
        Role::Row => Tag::TR.into(),
        Role::HeaderCell => Tag::TH(krilla::tagging::TableHeaderScope::Column).into(),
        Role::Cell => Tag::TD.into(),
        Role::List => Tag::L(krilla::tagging::ListNumbering::None).into(),
        Role::Item => Tag::LI.into(),
    };
    let mut g = TagGroup::new(kind);
    let mut any = false;
    for id in std::mem::take(&mut ids[i]) {
        g.push(id);
        any = true;
    }
    for (j, n) in nodes.iter().enumerate().skip(i + 1) {
        if n.parent == Some(i)
            && let Some(child) = group(nodes, ids, j)
        {
            g.push(child);
            any = true;
        }
    }
    any.then_some(g)
}

fn path(shape: &Shape) -> Option<krilla::geom::Path> {
    let mut pb = PathBuilder::new();
    for s in shape.segments() {
        match s {
            Seg::M(x, y) => pb.move_to(x, y),
            Seg::L(x, y) => pb.line_to(x, y),
            Seg::Q(a, b, x, y) => pb.quad_to(a, b, x, y),
            Seg::C(a, b, c, d, x, y) => pb.cubic_to(a, b, c, d, x, y),
            Seg::Z => pb.close(),
        }
    }
    pb.finish()
}

fn draw(surface: &mut Surface, fonts: &Fonts, op: &Op) {
    match op {
        Op::Text { x, y, size, bold, color, text } => {
            let face = fonts.face(*bold);
            surface.set_stroke(None);
            surface.set_fill(Some(Fill {
                paint: color.color().into(),
                opacity: NormalizedF32::ONE,
                rule: Default::default(),
            }));
            surface.draw_text(
                Point::from_xy(*x, *y),
                face.font.clone(),
                *size,
                &drawable(face, text),
                false,
                TextDirection::Auto,
            );
        }
        Op::Fill { shape, color } => {
            if let Some(p) = path(shape) {
                surface.set_stroke(None);
                surface.set_fill(Some(Fill {
                    paint: color.color().into(),
                    opacity: NormalizedF32::ONE,
                    rule: Default::default(),
                }));
                surface.draw_path(&p);
            }
        }
        Op::Stroke { shape, color, width, dash } => {
            if let Some(p) = path(shape) {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: color.color().into(),
                    width: *width,
                    dash: dash.map(|(on, off)| StrokeDash { array: vec![on, off], offset: 0.0 }),
                    ..Default::default()
                }));
                surface.draw_path(&p);
            }
        }
    }
}
