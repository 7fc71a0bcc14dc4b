//! The body outline the pain log's map is drawn on: one smooth closed path, front or back (the same shape), in a
//! 200 × 250 box whose regions (neck, shoulders, rib sides, between the shoulder blades) the web page places.

/// The left half of the outline (x < 100) from the top of the neck down and round to the crotch, as points the
/// path curves through. The right half is its mirror image.
const HALF: [(f32, f32); 22] = [
    (89.0, 60.0),
    (87.0, 76.0),
    (72.0, 83.0),
    (55.0, 88.0),
    (42.0, 97.0),
    (36.0, 112.0),
    (33.0, 140.0),
    (30.0, 170.0),
    (28.0, 198.0),
    (29.0, 214.0),
    (36.0, 220.0),
    (43.0, 212.0),
    (45.0, 196.0),
    (48.0, 170.0),
    (51.0, 146.0),
    (55.0, 124.0),
    (58.0, 150.0),
    (60.0, 176.0),
    (55.0, 200.0),
    (54.0, 226.0),
    (58.0, 245.0),
    (95.0, 245.0),
];

/// The outline as SVG path data (smooth curves through the points, mirrored), without the head.
pub fn outline_path() -> String {
    let mut pts: Vec<(f32, f32)> = HALF.to_vec();
    pts.push((100.0, 234.0));
    pts.extend(HALF.iter().rev().map(|(x, y)| (200.0 - x, *y)));
    // Catmull-Rom through the points, as cubic Béziers, closed.
    let n = pts.len();
    let p = |i: isize| pts[i.rem_euclid(n as isize) as usize];
    let mut d = format!("M{:.1},{:.1}", pts[0].0, pts[0].1);
    for i in 0..n as isize {
        let (p0, p1, p2, p3) = (p(i - 1), p(i), p(i + 1), p(i + 2));
        let c1 = (p1.0 + (p2.0 - p0.0) / 6.0, p1.1 + (p2.1 - p0.1) / 6.0);
        let c2 = (p2.0 - (p3.0 - p1.0) / 6.0, p2.1 - (p3.1 - p1.1) / 6.0);
        d.push_str(&format!(" C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}", c1.0, c1.1, c2.0, c2.1, p2.0, p2.1));
    }
    d.push('Z');
    d
}

/// The head: centre and radii of an ellipse above the neck.
pub const HEAD: (f32, f32, f32, f32) = (100.0, 34.0, 21.0, 26.0);
