//! Text flow: a cursor that moves down the page, wraps words to the column, and starts a new page when the next
//! piece does not fit. Paragraphs may mix regular and bold words; tables wrap each cell and keep rows whole.

use crate::draw::{Doc, Op, Rgb, Role, Shape};
use crate::fonts::Fonts;

pub const INK: Rgb = Rgb(0x1d, 0x23, 0x29);
pub const MUTED: Rgb = Rgb(0x4d, 0x55, 0x60);
pub const ACCENT: Rgb = Rgb(0x0b, 0x5d, 0x55);
pub const RULE: Rgb = Rgb(0xc9, 0xce, 0xd3);

/// A run of words in one weight.
#[derive(Debug, Clone)]
pub struct Span {
    pub text: String,
    pub bold: bool,
}

pub fn r(text: impl Into<String>) -> Span {
    Span { text: text.into(), bold: false }
}

pub fn b(text: impl Into<String>) -> Span {
    Span { text: text.into(), bold: true }
}

#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub size: f32,
    pub color: Rgb,
    /// Line height as a multiple of the size.
    pub leading: f32,
}

pub const BODY: Style = Style { size: 8.4, color: INK, leading: 1.25 };
pub const SMALL: Style = Style { size: 7.2, color: MUTED, leading: 1.2 };

pub struct Flow<'f> {
    pub fonts: &'f Fonts,
    pub doc: Doc,
    pub page: usize,
    pub y: f32,
    /// The column: left edge and width.
    pub x: f32,
    pub w: f32,
    top: f32,
    bottom: f32,
}

/// One laid-out line: (x offset, text, bold) pieces.
type Line = Vec<(f32, String, bool)>;

impl<'f> Flow<'f> {
    pub fn new(fonts: &'f Fonts, doc: Doc, margin: f32, top: f32, bottom: f32) -> Flow<'f> {
        let w = doc.width - 2.0 * margin;
        Flow { fonts, doc, page: 0, y: top, x: margin, w, top, bottom }
    }

    pub fn bottom_edge(&self) -> f32 {
        self.doc.height - self.bottom
    }

    pub fn room(&self) -> f32 {
        self.bottom_edge() - self.y
    }

    pub fn new_page(&mut self) {
        self.page += 1;
        self.y = self.top;
        self.doc.pages = self.doc.pages.max(self.page + 1);
    }

    /// Starts a new page unless `h` points still fit.
    pub fn keep(&mut self, h: f32) {
        if self.room() < h {
            self.new_page();
        }
    }

    pub fn emit(&mut self, op: Op) {
        self.doc.emit(self.page, op);
    }

    pub fn gap(&mut self, h: f32) {
        self.y += h;
    }

    /// Greedy word wrap of mixed-weight spans into lines no wider than `width`; a word longer than a line is cut.
    pub fn wrap(&self, spans: &[Span], size: f32, width: f32) -> Vec<Line> {
        let mut lines: Vec<Line> = vec![Vec::new()];
        let mut x = 0.0f32;
        // A span that ended with a space: the next word is spaced even if its own span starts without one.
        let mut pending = false;
        for span in spans {
            let face = self.fonts.face(span.bold);
            let space = face.width(" ", size);
            for (i, word) in span.text.split(' ').enumerate() {
                // A space between words of one span, and where the previous span ended with one.
                let lead = if i > 0 || span.text.starts_with(' ') { space } else { 0.0 };
                if word.is_empty() {
                    if i > 0 {
                        x += space;
                        pending = true;
                    }
                    continue;
                }
                let mut word = word.to_string();
                let mut ww = face.width(&word, size);
                let at_start = lines.last().is_some_and(Vec::is_empty);
                let mut spaced = lead > 0.0 || pending;
                pending = false;
                if !at_start && x + lead + ww > width {
                    lines.push(Vec::new());
                    x = 0.0;
                    spaced = false;
                } else if !at_start {
                    x += lead;
                }
                while ww > width {
                    // Cut an over-long word (a pasted link) where it still fits.
                    let mut cut = word.len();
                    while cut > 1 && face.width(&word[..cut], size) > width {
                        cut = word[..cut].char_indices().last().map(|(i, _)| i).unwrap_or(1);
                    }
                    let head = word[..cut].to_string();
                    if let Some(line) = lines.last_mut() {
                        line.push((x, head, span.bold));
                    }
                    lines.push(Vec::new());
                    x = 0.0;
                    word = word[cut..].to_string();
                    ww = face.width(&word, size);
                }
                if let Some(line) = lines.last_mut() {
                    // Join with the previous piece of the same weight so a line is a few text runs, not one per word.
                    match line.last_mut() {
                        Some((_, t, bold)) if *bold == span.bold && x > 0.0 => {
                            if spaced {
                                t.push(' ');
                            }
                            t.push_str(&word);
                        }
                        _ => line.push((x, word.clone(), span.bold)),
                    }
                }
                x += ww;
            }
        }
        lines.retain(|l| !l.is_empty());
        lines
    }

    /// Draws wrapped lines at (x, y-top) without moving the cursor; returns the height used.
    pub fn lines_at(&mut self, lines: &[Line], x: f32, y: f32, style: Style) -> f32 {
        let lh = style.size * style.leading;
        for (i, line) in lines.iter().enumerate() {
            let base = y + lh * i as f32 + style.size;
            for (dx, text, bold) in line {
                self.emit(Op::Text {
                    x: x + dx,
                    y: base,
                    size: style.size,
                    bold: *bold,
                    color: style.color,
                    text: text.clone(),
                });
            }
        }
        lh * lines.len() as f32
    }

    /// A paragraph in the column (indented by `indent`), as its own structure node; lines that do not fit go to
    /// the next page.
    pub fn para(&mut self, role: Role, spans: &[Span], style: Style, indent: f32) {
        let lines = self.wrap(spans, style.size, self.w - indent);
        if lines.is_empty() {
            return;
        }
        let lh = style.size * style.leading;
        self.doc.open(role);
        for line in &lines {
            self.keep(lh);
            let x = self.x + indent;
            let y = self.y;
            self.lines_at(std::slice::from_ref(line), x, y, style);
            self.y += lh;
        }
        self.doc.close();
        self.y += style.size * 0.35;
    }

    /// A plain paragraph.
    pub fn text(&mut self, spans: &[Span], style: Style) {
        self.para(Role::P, spans, style, 0.0);
    }

    /// A bulleted list: each item a paragraph with a hanging bullet.
    pub fn list(&mut self, items: &[Vec<Span>], style: Style) {
        if items.is_empty() {
            return;
        }
        self.doc.open(Role::List);
        for item in items {
            let lines = self.wrap(item, style.size, self.w - 9.0);
            let lh = style.size * style.leading;
            self.doc.open(Role::Item);
            for (i, line) in lines.iter().enumerate() {
                self.keep(lh);
                if i == 0 {
                    self.emit(Op::Fill {
                        shape: Shape::circle(self.x + 3.0, self.y + style.size * 0.62, 1.3),
                        color: style.color,
                    });
                }
                let (x, y) = (self.x + 9.0, self.y);
                self.lines_at(std::slice::from_ref(line), x, y, style);
                self.y += lh;
            }
            self.doc.close();
            self.y += style.size * 0.15;
        }
        self.doc.close();
        self.y += style.size * 0.25;
    }

    /// A section heading with a rule under it; kept with at least `with` points of what follows.
    pub fn heading(&mut self, title: &str, with: f32) {
        let size = 10.6;
        self.keep(size * 1.9 + with);
        self.y += 4.0;
        self.doc.open(Role::Heading(2, title.to_string()));
        self.emit(Op::Text { x: self.x, y: self.y + size, size, bold: true, color: ACCENT, text: title.to_string() });
        self.doc.close();
        self.y += size * 1.25;
        self.doc.open(Role::Artifact);
        self.emit(Op::Stroke {
            shape: Shape::line(&[(self.x, self.y), (self.x + self.w, self.y)]),
            color: RULE,
            width: 0.6,
            dash: None,
        });
        self.doc.close();
        self.y += 4.0;
    }

    /// A small bold label above a part of a section.
    pub fn subheading(&mut self, title: &str, with: f32) {
        let size = 8.6;
        self.keep(size * 1.5 + with);
        self.doc.open(Role::Heading(3, title.to_string()));
        self.emit(Op::Text { x: self.x, y: self.y + size, size, bold: true, color: INK, text: title.to_string() });
        self.doc.close();
        self.y += size * 1.45;
    }

    /// A table with a header row: column widths in points, cells wrapped; a row that does not fit starts a new
    /// page and the header is repeated there.
    pub fn table(&mut self, widths: &[f32], header: &[&str], rows: &[Vec<Vec<Span>>], style: Style) {
        let lh = style.size * style.leading;
        let pad = 2.0;
        self.doc.open(Role::Table);
        let head_lines: Vec<Vec<Line>> =
            header.iter().zip(widths).map(|(h, w)| self.wrap(&[b(*h)], style.size, w - 2.0 * pad)).collect();
        let head_h = head_lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * pad;
        let mut first_on_page = true;
        let draw_header = |f: &mut Flow| {
            f.doc.open(Role::Row);
            let mut x = f.x;
            for (lines, w) in head_lines.iter().zip(widths) {
                f.doc.open(Role::HeaderCell);
                let y = f.y + pad;
                f.lines_at(lines, x + pad, y, Style { color: MUTED, ..style });
                f.doc.close();
                x += w;
            }
            f.doc.close();
            f.y += head_h;
            f.doc.open(Role::Artifact);
            f.emit(Op::Stroke {
                shape: Shape::line(&[(f.x, f.y), (f.x + f.w, f.y)]),
                color: RULE,
                width: 0.6,
                dash: None,
            });
            f.doc.close();
        };
        for (ri, row) in rows.iter().enumerate() {
            let cells: Vec<Vec<Line>> =
                row.iter().zip(widths).map(|(c, w)| self.wrap(c, style.size, w - 2.0 * pad)).collect();
            let h = cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * lh + 2.0 * pad;
            if self.room() < h + if first_on_page { head_h } else { 0.0 } {
                self.new_page();
                first_on_page = true;
            }
            if first_on_page {
                draw_header(self);
                first_on_page = false;
            }
            if ri % 2 == 1 {
                self.doc.open(Role::Artifact);
                self.emit(Op::Fill {
                    shape: Shape::Rect { x: self.x, y: self.y, w: self.w, h },
                    color: Rgb(0xf3, 0xf5, 0xf6),
                });
                self.doc.close();
            }
            self.doc.open(Role::Row);
            let mut x = self.x;
            for (lines, w) in cells.iter().zip(widths) {
                self.doc.open(Role::Cell);
                let y = self.y + pad;
                self.lines_at(lines, x + pad, y, style);
                self.doc.close();
                x += w;
            }
            self.doc.close();
            self.y += h;
        }
        self.doc.close();
        self.y += style.size * 0.5;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::Doc;

    fn words(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.iter().map(|(_, t, _)| t.as_str()).collect::<Vec<_>>().join("|")).collect()
    }

    #[test]
    fn words_wrap_to_the_width_and_spans_join_without_extra_spaces() {
        let fonts = Fonts::load().expect("fonts");
        let f = Flow::new(&fonts, Doc::new(300.0, 400.0, String::new()), 20.0, 20.0, 20.0);
        let one = f.wrap(&[r("6 days"), r("; 250 mg")], 8.0, 200.0);
        assert_eq!(words(&one), vec!["6 days; 250 mg"]);
        let mixed = f.wrap(&[b("Where: "), r("neck")], 8.0, 200.0);
        assert_eq!(words(&mixed), vec!["Where:|neck"]);
        let spaced = f.wrap(&[r("(12 weeks). "), r("Made today.")], 8.0, 200.0);
        assert_eq!(words(&spaced), vec!["(12 weeks). Made today."]);
        let text = "a physical therapist reads this in two minutes ".repeat(6);
        let lines = f.wrap(&[r(text.clone())], 8.0, 120.0);
        assert!(lines.len() > 3);
        for l in &lines {
            let (x, t, _) = l.last().expect("piece");
            assert!(x + fonts.regular.width(t, 8.0) <= 120.0 + 1e-3, "{t}");
        }
        let joined: Vec<String> = words(&lines);
        assert_eq!(joined.join(" "), text.trim_end(), "no word lost or doubled");
        let long = f.wrap(&[r("x".repeat(200))], 8.0, 50.0);
        assert!(long.len() > 3, "an over-long word is cut");
    }
}
