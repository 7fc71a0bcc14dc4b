//! The route of a run drawn from its positions as SVG: outline, start and finish, distance marks, the line coloured
//! by pace (or heart rate when there is no speed). No map tiles: nothing leaves the machine, it works offline and
//! in exports, and a runner recognises their own loop by its shape and the marks.
//!
//! Positions are projected equirectangularly around the route's middle latitude (x scaled by its cosine), which
//! is exact enough for the few kilometres of a run. The colour of each stretch is the quintile of its smoothed
//! speed among the run's own stretches, so the map shows where *this* run was faster or slower.

use maud::{Markup, html};
use runtall_domain::activity::{Samples, distance_m};
use runtall_domain::profile::Units;

use crate::units::{KM_PER_MI, unit_name};

/// Drawing width; the height follows the route's shape between `MIN_H` and `MAX_H`.
const W: f64 = 400.0;
const MIN_H: f64 = 220.0;
const MAX_H: f64 = 420.0;
const PAD: f64 = 18.0;
/// Most line stretches drawn (longer tracks are thinned to this many).
const MAX_STRETCHES: usize = 400;
/// Seconds each side over which speed is smoothed before colouring.
const SMOOTH_S: f64 = 20.0;

/// One position with what colours it.
struct Fix {
    lat: f64,
    lon: f64,
    t: f64,
    d: Option<f64>,
    v: Option<f64>,
    hr: Option<f64>,
}

/// The route map and its text alternative, or `None` without at least ten positions spread over 50 m.
pub fn route_map(s: &Samples, units: Units) -> Option<(Markup, String)> {
    let fixes: Vec<Fix> = (0..s.len())
        .filter_map(|i| {
            let (lat, lon) = (s.lat_deg[i]?, s.lon_deg[i]?);
            (lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0).then_some(Fix {
                lat,
                lon,
                t: s.t_s[i],
                d: s.distance_m[i],
                v: s.speed_mps[i],
                hr: s.hr_bpm[i],
            })
        })
        .collect();
    if fixes.len() < 10 {
        return None;
    }
    let (mut lat0, mut lat1, mut lon0, mut lon1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for f in &fixes {
        lat0 = lat0.min(f.lat);
        lat1 = lat1.max(f.lat);
        lon0 = lon0.min(f.lon);
        lon1 = lon1.max(f.lon);
    }
    let k = ((lat0 + lat1) / 2.0).to_radians().cos().max(0.01);
    let (span_x, span_y) = ((lon1 - lon0) * k, lat1 - lat0);
    if span_x.max(span_y) * 111_195.0 < 50.0 {
        return None;
    }
    let inner_w = W - 2.0 * PAD;
    let h = (inner_w * span_y / span_x.max(1e-12) + 2.0 * PAD).clamp(MIN_H, MAX_H);
    let scale = (inner_w / span_x.max(1e-12)).min((h - 2.0 * PAD) / span_y.max(1e-12));
    let (off_x, off_y) = ((W - span_x * scale) / 2.0, (h - span_y * scale) / 2.0);
    let xy = |f: &Fix| (off_x + (f.lon - lon0) * k * scale, h - off_y - (f.lat - lat0) * scale);

    // Cumulative distance: the file's own where given, else along the positions.
    let mut cum = Vec::with_capacity(fixes.len());
    let mut along = 0.0;
    for (i, f) in fixes.iter().enumerate() {
        if i > 0 {
            let p = &fixes[i - 1];
            along += distance_m(p.lat, p.lon, f.lat, f.lon);
        }
        cum.push(f.d.filter(|d| d.is_finite()).unwrap_or(along));
    }

    // What colours the line: smoothed speed, or heart rate when the file has no speed at all.
    let by_speed = fixes.iter().filter(|f| f.v.is_some()).count() * 2 >= fixes.len();
    let raw: Vec<Option<f64>> = fixes
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if by_speed {
                f.v
            } else if fixes.iter().any(|f| f.hr.is_some()) {
                f.hr
            } else {
                // Speed from the positions.
                let j = i.checked_sub(1)?;
                let dt = f.t - fixes[j].t;
                (dt > 0.0).then(|| (cum[i] - cum[j]) / dt)
            }
        })
        .collect();
    let what = if by_speed || !fixes.iter().any(|f| f.hr.is_some()) { "pace" } else { "heart rate" };
    let times: Vec<f64> = fixes.iter().map(|f| f.t).collect();
    let smooth = crate::charts::smooth(&times, &raw, SMOOTH_S);
    let mut sorted: Vec<f64> = smooth.iter().flatten().copied().collect();
    sorted.sort_by(f64::total_cmp);
    let quintile = |v: f64| -> usize {
        if sorted.is_empty() {
            return 2;
        }
        let rank = sorted.partition_point(|x| *x < v);
        (rank * 5 / sorted.len()).min(4)
    };

    // Stretches of the line, each in one colour class.
    let step = fixes.len().div_ceil(MAX_STRETCHES).max(1);
    let idx: Vec<usize> = (0..fixes.len()).step_by(step).chain(std::iter::once(fixes.len() - 1)).collect();
    let mut classes: Vec<usize> = idx.windows(2).map(|w| smooth[w[0]].map_or(2, quintile)).collect();
    // A stretch shorter than three steps takes its predecessor's colour, so noise does not chop the line up.
    let mut run_start = 0;
    for k in 1..=classes.len() {
        if k == classes.len() || classes[k] != classes[run_start] {
            if k - run_start < 3 && run_start > 0 {
                let prev = classes[run_start - 1];
                classes[run_start..k].iter_mut().for_each(|c| *c = prev);
            }
            run_start = k;
        }
    }
    let point = |i: usize| {
        let (x, y) = xy(&fixes[i]);
        format!("{x:.1},{y:.1}")
    };
    let casing: Vec<String> = idx.iter().map(|&i| point(i)).collect();
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (w, &class) in idx.windows(2).zip(&classes) {
        match lines.last_mut() {
            Some((c, pts)) if *c == class => {
                pts.push(' ');
                pts.push_str(&point(w[1]));
            }
            _ => lines.push((class, format!("{} {}", point(w[0]), point(w[1])))),
        }
    }

    // Distance marks: every km (or mile), thinned so a long run shows at most a dozen.
    let unit_m = if units == Units::Mi { 1000.0 * KM_PER_MI } else { 1000.0 };
    let total = cum.last().copied().unwrap_or(0.0);
    let every = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0].into_iter().find(|e| total / (unit_m * e) <= 12.0).unwrap_or(100.0);
    let mut marks = Vec::new();
    let mut next = every;
    for (i, d) in cum.iter().enumerate() {
        if *d >= next * unit_m {
            marks.push((next, xy(&fixes[i])));
            next += every;
        }
    }
    let (sx, sy) = xy(&fixes[0]);
    let (fx, fy) = xy(&fixes[fixes.len() - 1]);
    let ends_apart = distance_m(fixes[0].lat, fixes[0].lon, fixes[fixes.len() - 1].lat, fixes[fixes.len() - 1].lon);
    let shape = if ends_apart < 200.0 { "a loop" } else { "one way" };
    let text = format!(
        "Route of {:.1} {}, {shape} (start and finish {:.0} m apart), with a mark every {} {}; the line is coloured \
         by {what}, darker where {}.",
        total / unit_m,
        unit_name(units),
        ends_apart,
        every,
        unit_name(units),
        if what == "pace" { "faster" } else { "the heart rate was higher" }
    );
    let svg = html! {
        svg class="route" viewBox={ "0 0 " (W) " " (format!("{h:.0}")) } role="img" aria-labelledby="route-title route-desc"
            xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet" {
            title id="route-title" { "Route map" }
            desc id="route-desc" { (text) }
            rect x="0" y="0" width=(W) height={ (format!("{h:.0}")) } class="ground" {}
            polyline points=(casing.join(" ")) class="casing" {}
            @for (c, pts) in &lines { polyline points=(pts) class={ "q" (c) } {} }
            @for (n, (x, y)) in &marks {
                g class="mark" {
                    circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="7" {}
                    text x=(format!("{x:.1}")) y=(format!("{:.1}", y + 3.5)) text-anchor="middle" { (n) }
                }
            }
            circle cx=(format!("{sx:.1}")) cy=(format!("{sy:.1}")) r="6" class="start" { title { "Start" } }
            rect x=(format!("{:.1}", fx - 5.0)) y=(format!("{:.1}", fy - 5.0)) width="10" height="10" class="finish" { title { "Finish" } }
            g class="legend" transform=(format!("translate({:.0},{:.0})", W - 150.0, h - 14.0)) {
                text x="0" y="4" text-anchor="end" { @if what == "pace" { "slower" } @else { "lower" } }
                @for c in 0..5usize { rect x=(format!("{}", 4 + c * 16)) y="-4" width="16" height="8" class={ "q" (c) } {} }
                text x="88" y="4" { @if what == "pace" { "faster" } @else { "higher" } }
            }
        }
    };
    Some((svg, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A square loop of 4 × 1 km at 3 m/s, faster on the second side.
    fn square() -> Samples {
        let mut s = Samples::default();
        let (lat0, lon0) = (48.2_f64, 16.37);
        let k = lat0.to_radians().cos();
        let mut d = 0.0;
        let mut t = 0.0;
        for side in 0..4 {
            let v = if side == 1 { 4.5 } else { 3.0 };
            let mut along = 0.0;
            while along < 1000.0 {
                let (dx, dy) = match side {
                    0 => (along, 0.0),
                    1 => (1000.0, along),
                    2 => (1000.0 - along, 1000.0),
                    _ => (0.0, 1000.0 - along),
                };
                let (lat, lon) = (lat0 + dy / 111_195.0, lon0 + dx / (111_195.0 * k));
                s.push(t, Some(d), Some(v), Some(140.0), None, Some(200.0), Some(lat), Some(lon));
                along += v;
                d += v;
                t += 1.0;
            }
        }
        s
    }

    #[test]
    fn a_loop_has_start_finish_km_marks_and_coloured_stretches() {
        let (svg, text) = route_map(&square(), Units::Km).expect("map");
        let svg = svg.into_string();
        assert!(svg.contains("class=\"start\"") && svg.contains("class=\"finish\""));
        // Marks at 1, 2 and 3 km (4 km is the finish itself, reached on the last sample or just before).
        assert!(svg.matches("class=\"mark\"").count() >= 3, "{svg}");
        assert!(text.contains("a loop") && text.contains("4.0 km"), "{text}");
        // The fast side is drawn in the fastest class, the others not.
        assert!(svg.contains("class=\"q4\""));
        assert!(svg.contains("class=\"q0\"") || svg.contains("class=\"q1\""));
        assert!(!svg.contains("NaN"));
        // Miles.
        let (_, text) = route_map(&square(), Units::Mi).expect("map");
        assert!(text.contains("2.5 mi"), "{text}");
    }

    #[test]
    fn no_map_without_positions() {
        let mut s = square();
        s.lat_deg.iter_mut().for_each(|x| *x = None);
        assert!(route_map(&s, Units::Km).is_none());
        assert!(route_map(&Samples::default(), Units::Km).is_none());
    }
}
