//! The report's typeface: DejaVu Sans Condensed, regular and bold, compiled into the binary (Bitstream Vera
//! licence, in `fonts/LICENSE-DejaVu.txt`) so the PDF looks the same on every machine and needs no system fonts.
//! krilla embeds only the glyphs used. The condensed cut fits a dense two-page report while staying readable at
//! 8–9 pt, and covers every character the report writes (dashes, ≥, ½, accented names).
//!
//! Line breaking needs text widths, which krilla does not expose; they come from the same font data through
//! skrifa (krilla's own font reader), as the sum of the glyph advances — without kerning, so a measured line is
//! never narrower than the drawn one.

use krilla::text::Font;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSansCondensed.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSansCondensed-Bold.ttf");

/// One face: krilla's handle for drawing and skrifa's metrics for measuring.
pub struct Face {
    pub font: Font,
    charmap: skrifa::charmap::Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
}

impl Face {
    fn load(data: &'static [u8]) -> Option<Face> {
        let font = Font::new(data.into(), 0)?;
        let f = FontRef::new(data).ok()?;
        let units_per_em = f32::from(f.metrics(Size::unscaled(), LocationRef::default()).units_per_em);
        Some(Face {
            font,
            charmap: f.charmap(),
            metrics: f.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em,
        })
    }

    /// Width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: f32 = text
            .chars()
            .map(|c| {
                let gid = self.charmap.map(c).unwrap_or_default();
                self.metrics.advance_width(gid).unwrap_or(self.units_per_em * 0.5)
            })
            .sum();
        units / self.units_per_em * size
    }

    /// Whether the face has a glyph for `c` (text is checked so nothing is drawn as an empty box).
    pub fn has(&self, c: char) -> bool {
        c.is_whitespace() || self.charmap.map(c).is_some()
    }
}

pub struct Fonts {
    pub regular: Face,
    pub bold: Face,
}

impl Fonts {
    /// The bundled faces; None only if the compiled-in font data were broken (a test loads them).
    pub fn load() -> Option<Fonts> {
        Some(Fonts { regular: Face::load(REGULAR)?, bold: Face::load(BOLD)? })
    }

    pub fn face(&self, bold: bool) -> &Face {
        if bold { &self.bold } else { &self.regular }
    }
}

/// Replaces characters the font cannot draw with "?", so a name in a script the font lacks stays visible as
/// something rather than as blank boxes.
pub fn drawable(face: &Face, text: &str) -> String {
    text.chars().map(|c| if face.has(c) { c } else { '?' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_faces_load_and_measure() {
        let f = Fonts::load().expect("fonts");
        let w = f.regular.width("Pain 5/10", 10.0);
        assert!(w > 30.0 && w < 60.0, "{w}");
        assert!(f.bold.width("Pain 5/10", 10.0) > w, "bold is wider");
        assert!((f.regular.width("ab", 20.0) - 2.0 * f.regular.width("ab", 10.0)).abs() < 1e-3);
        for c in "–—≥≤½×→✓“”’éøÅ".chars() {
            assert!(f.regular.has(c) && f.bold.has(c), "{c}");
        }
        assert_eq!(drawable(&f.regular, "a\u{10FFFD}b"), "a?b");
    }
}
