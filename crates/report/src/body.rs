//! A back-view body outline with the assessment's regions marked: the same geometry for the PDF and the HTML report
//! (as SVG), so both show the same picture. Seen from behind, the runner's left is on the viewer's left. Chest
//! pain is never a region of the outline: it goes to the red-flag screen.

use crate::draw::{Rgb, Shape};
use runtall_domain::assess::Region;

/// Width and height of the drawing's own coordinates.
pub(crate) const W: f32 = 100.0;
pub(crate) const H: f32 = 124.0;

pub(crate) const OUTLINE_FILL: Rgb = Rgb(0xe4, 0xe8, 0xeb);
pub(crate) const OUTLINE_STROKE: Rgb = Rgb(0x8d, 0x96, 0x9e);
pub(crate) const MARK: Rgb = Rgb(0xb3, 0x26, 0x1e);
pub(crate) const UNMARKED: Rgb = Rgb(0xd3, 0xd9, 0xdd);

/// The silhouette: head, torso, arms and hips.
pub(crate) fn silhouette() -> Vec<Shape> {
    use crate::draw::Seg::*;
    vec![
        Shape::Ellipse { cx: 50.0, cy: 13.0, rx: 9.5, ry: 11.5 },
        Shape::Rect { x: 44.0, y: 22.0, w: 12.0, h: 12.0 },
        Shape::Path(vec![M(22.0, 38.0), Q(50.0, 29.0, 78.0, 38.0), L(81.0, 99.0), Q(50.0, 106.0, 19.0, 99.0), Z]),
        Shape::Rect { x: 8.0, y: 41.0, w: 10.0, h: 52.0 },
        Shape::Rect { x: 82.0, y: 41.0, w: 10.0, h: 52.0 },
        Shape::polygon(&[(20.0, 99.0), (80.0, 99.0), (77.0, 120.0), (23.0, 120.0)]),
    ]
}

/// The shapes of one region (none for the chest, which is on the front).
pub(crate) fn region(r: Region) -> Vec<Shape> {
    match r {
        Region::Neck => vec![Shape::Rect { x: 44.5, y: 23.0, w: 11.0, h: 11.0 }],
        Region::UpperTrapLeft => vec![Shape::polygon(&[(44.0, 33.0), (27.0, 38.5), (29.0, 46.0), (46.0, 40.0)])],
        Region::UpperTrapRight => vec![Shape::polygon(&[(56.0, 33.0), (73.0, 38.5), (71.0, 46.0), (54.0, 40.0)])],
        Region::Shoulder => vec![Shape::circle(22.0, 43.0, 6.5), Shape::circle(78.0, 43.0, 6.5)],
        Region::BetweenShoulderBlades => vec![Shape::Rect { x: 41.0, y: 46.0, w: 18.0, h: 22.0 }],
        Region::MidBack => vec![Shape::Rect { x: 40.5, y: 71.0, w: 19.0, h: 18.0 }],
        Region::RibSideLeft => vec![Shape::polygon(&[(24.0, 52.0), (34.0, 50.0), (34.5, 84.0), (25.5, 88.0)])],
        Region::RibSideRight => vec![Shape::polygon(&[(76.0, 52.0), (66.0, 50.0), (65.5, 84.0), (74.5, 88.0)])],
        Region::Chest => vec![],
    }
}

/// Every region that has a place on the outline.
pub(crate) fn drawn_regions() -> impl Iterator<Item = Region> {
    Region::ALL.into_iter().filter(|r| !region(*r).is_empty())
}

/// The outline as an SVG document fragment, `width` pixels wide, with `marked` regions filled and named in the
/// text alternative.
pub fn svg(marked: &[Region], width: u32) -> String {
    let names: Vec<&str> = marked.iter().map(|r| r.label()).collect();
    let alt = if names.is_empty() {
        "Back-view body outline; no region marked.".to_string()
    } else {
        format!("Back-view body outline with these regions marked: {}.", names.join("; "))
    };
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{width}" role="img" aria-label="{alt}" class="body-outline">"#
    );
    let body = format!(r#"fill="{}" stroke="{}" stroke-width="0.8""#, OUTLINE_FILL.hex(), OUTLINE_STROKE.hex());
    for s in silhouette() {
        out.push_str(&s.svg(&body));
    }
    for r in drawn_regions() {
        let on = marked.contains(&r);
        let attrs = if on {
            format!(r#"fill="{}" fill-opacity="0.85" stroke="{}" stroke-width="0.8""#, MARK.hex(), MARK.hex())
        } else {
            format!(r#"fill="{}" stroke="{}" stroke-width="0.4""#, UNMARKED.hex(), OUTLINE_STROKE.hex())
        };
        for s in region(r) {
            out.push_str(&s.svg(&attrs));
        }
    }
    out.push_str(r##"<text x="3" y="121" font-size="8" fill="#4d5560">L</text><text x="91" y="121" font-size="8" fill="#4d5560">R</text></svg>"##);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_but_the_chest_is_drawn_and_marked_ones_are_named() {
        assert_eq!(drawn_regions().count(), Region::ALL.len() - 1);
        let s = svg(&[Region::Neck, Region::MidBack], 120);
        assert!(s.contains("neck; mid-back"), "{s}");
        assert_eq!(s.matches(&MARK.hex()).count(), 4, "two marked shapes, fill and stroke each");
    }
}
