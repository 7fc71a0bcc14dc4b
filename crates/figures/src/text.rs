//! A figure as braille characters, for terminals: each character cell holds 2 × 4 dots, which at the usual 1:2
//! cell shape gives square dots, so the stick figure keeps its proportions.

use crate::skeleton::{HEAD_R, Pt, Skeleton};
use runtall_content::{Figure, Prop};

struct Canvas {
    w: usize,
    h: usize,
    dots: Vec<bool>,
}

impl Canvas {
    fn new(cols: usize, rows: usize) -> Canvas {
        Canvas { w: cols * 2, h: rows * 4, dots: vec![false; cols * rows * 8] }
    }

    fn set(&mut self, x: f32, y: f32) {
        if x < 0.0 || y < 0.0 {
            return;
        }
        let (x, y) = (x.round() as usize, y.round() as usize);
        if x < self.w && y < self.h {
            self.dots[y * self.w + x] = true;
        }
    }

    fn line(&mut self, a: (f32, f32), b: (f32, f32)) {
        let steps = ((b.0 - a.0).abs().max((b.1 - a.1).abs()) * 2.0).ceil().max(1.0) as usize;
        for i in 0..=steps {
            let t = i as f32 / steps as f32;
            self.set(a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
        }
    }

    fn circle(&mut self, c: (f32, f32), r: f32) {
        let n = (r * 8.0).ceil().max(8.0) as usize;
        for i in 0..n {
            let t = i as f32 / n as f32 * std::f32::consts::TAU;
            self.set(c.0 + r * t.cos(), c.1 + r * t.sin());
        }
    }

    fn rows(&self) -> Vec<String> {
        const BITS: [[u32; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];
        (0..self.h / 4)
            .map(|row| {
                (0..self.w / 2)
                    .map(|col| {
                        let mut code = 0x2800;
                        for (dx, bits) in BITS.iter().enumerate() {
                            for (dy, bit) in bits.iter().enumerate() {
                                if self.dots[(row * 4 + dy) * self.w + col * 2 + dx] {
                                    code |= bit;
                                }
                            }
                        }
                        char::from_u32(code).unwrap_or(' ')
                    })
                    .collect()
            })
            .collect()
    }
}

fn bounds(s: &Skeleton, props: &[&Prop]) -> [f32; 4] {
    let mut b = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
    let mut add = |p: Pt, m: f32| {
        b[0] = b[0].min(p[0] - m);
        b[1] = b[1].min(p[1] - m);
        b[2] = b[2].max(p[0] + m);
        b[3] = b[3].max(p[1] + m);
    };
    for p in s.points() {
        add(p, 0.02);
    }
    add(s.head, HEAD_R);
    for prop in props {
        if let Prop::Roller { at, r } = prop {
            add(*at, *r);
        }
    }
    b
}

fn draw(c: &mut Canvas, s: &Skeleton, props: &[&Prop], b: [f32; 4]) {
    let scale = ((c.w as f32 - 1.0) / (b[2] - b[0])).min((c.h as f32 - 1.0) / (b[3] - b[1]));
    let at = |p: Pt| ((p[0] - b[0]) * scale, (b[3] - p[1]) * scale);
    let mut segs: Vec<(Pt, Pt)> = vec![(s.hip, s.mid_back), (s.mid_back, s.shoulder), (s.shoulders[0], s.shoulders[1])];
    for arm in &s.arms {
        segs.extend(arm.points.windows(2).map(|w| (w[0], w[1])));
    }
    if let Some(legs) = &s.legs {
        segs.push((s.hips[0], s.hips[1]));
        for leg in legs {
            segs.extend(leg.points.windows(2).map(|w| (w[0], w[1])));
        }
    }
    for (a, b2) in segs {
        c.line(at(a), at(b2));
    }
    c.circle(at(s.head), HEAD_R * scale);
    for prop in props {
        match prop {
            Prop::Floor => {
                let y = at([0.0, 0.0]).1;
                c.line((0.0, y), (c.w as f32 - 1.0, y));
            }
            Prop::Roller { at: p, r } => c.circle(at(*p), r * scale),
            Prop::Wall { x } => {
                let (px, py) = at([*x, 0.0]);
                c.line((px, py), (px, 0.0));
            }
            _ => {}
        }
    }
}

/// Start and end side by side in `cols` × `rows` characters, then one line with their labels.
pub fn figure_text(figure: &Figure, cols: usize, rows: usize) -> Vec<String> {
    let pw = cols.saturating_sub(3) / 2;
    let start = Skeleton::of(&figure.start);
    let end = Skeleton::of(&figure.end);
    let props = |own| crate::panel_props(figure, own);
    let (ps, pe) = (props(&figure.start_props), props(&figure.end_props));
    let (mut bs, mut be) = (bounds(&start, &ps), bounds(&end, &pe));
    if figure.start.view == figure.end.view {
        let u = [bs[0].min(be[0]), bs[1].min(be[1]), bs[2].max(be[2]), bs[3].max(be[3])];
        bs = u;
        be = u;
    }
    let mut a = Canvas::new(pw, rows);
    draw(&mut a, &start, &ps, bs);
    let mut b = Canvas::new(pw, rows);
    draw(&mut b, &end, &pe, be);
    let mid = rows / 2;
    let mut lines: Vec<String> = a
        .rows()
        .into_iter()
        .zip(b.rows())
        .enumerate()
        .map(|(i, (l, r))| format!("{l}{}{r}", if i == mid { " → " } else { "   " }))
        .collect();
    // A label too long for its panel is cut at a word, with an ellipsis.
    let cut = |s: &str| -> String {
        let mut t = String::new();
        if s.chars().count() <= pw {
            t.push_str(s);
        } else {
            for word in s.split(' ') {
                if t.chars().count() + word.chars().count() + 2 > pw {
                    break;
                }
                if !t.is_empty() {
                    t.push(' ');
                }
                t.push_str(word);
            }
            t.push('…');
        }
        while t.chars().count() < pw {
            t.push(' ');
        }
        t
    };
    lines.push(format!("{}   {}", cut(&figure.start.label), cut(&figure.end.label)).trim_end().to_string());
    lines
}
