//! The sport of a file that does not name it (a GPX without `<type>`, as many apps and converters write), from
//! what was recorded: the app or device that wrote it, how fast it moved, and how much it climbed.
//!
//! Why not leave it "other": a run converted to GPX without a type would then be kept apart from the same run's
//! FIT file (a second copy in the journal), lose its cadence (kept only for foot sports) and never get a run label.
//! The rules are few and shown with the figures that decided them, so a runner can see why and correct the sport
//! at the source when they are wrong.

use runtall_domain::activity::Sport;

use super::{ASCENT_HYSTERESIS_M, ascent_descent, haversine_m};

/// Speeds are measured over windows of at least this many seconds, so GPS jitter between 1-s points does not
/// look like a sprint.
const WINDOW_S: f64 = 10.0;
/// Slower than this (m/s) is not moving.
const MOVING_MPS: f64 = 0.5;
/// A median moving speed below this (6.5 km/h) is walking or hiking.
pub const WALK_BELOW_MPS: f64 = 1.8;
/// A median moving speed above this (21.6 km/h) is faster than anyone runs for long: a ride.
pub const RIDE_MEDIAN_ABOVE_MPS: f64 = 6.0;
/// A top speed (95th percentile) above this (32 km/h) is a ride's descents or sprints: no runner holds it.
pub const RIDE_TOP_ABOVE_MPS: f64 = 9.0;
/// Walking that climbs at least this many metres per km is hiking.
pub const HIKE_CLIMB_M_PER_KM: f64 = 40.0;
/// Words in a creator name that mean a bike computer or a cycling app.
const BIKE_CREATORS: [&str; 9] =
    ["edge", "elemnt", "karoo", "bryton", "lezyne", "hammerhead", "zwift", "wahoo", "bike"];

/// One timed point as the inference needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fix {
    pub t: f64,
    pub lat: f64,
    pub lon: f64,
    pub ele: Option<f64>,
}

/// The sport and the reason, in words, for a track whose file did not say.
pub(crate) fn infer_sport(fixes: &[Fix], creator: Option<&str>) -> (Sport, String) {
    if let Some(c) = creator {
        let lower = c.to_lowercase();
        if let Some(w) = BIKE_CREATORS.iter().find(|w| lower.contains(*w)) {
            return (
                Sport::Cycling,
                format!(
                    "the file does not name its sport; it was written by \"{c}\" (\"{w}\": a bike computer or app)"
                ),
            );
        }
    }
    // Cumulative distance, then speeds over windows of at least WINDOW_S.
    let mut cum = Vec::with_capacity(fixes.len());
    let mut total = 0.0;
    for (i, f) in fixes.iter().enumerate() {
        if i > 0 {
            total += haversine_m(fixes[i - 1].lat, fixes[i - 1].lon, f.lat, f.lon);
        }
        cum.push(total);
    }
    let mut speeds = Vec::new();
    let mut j = 0usize;
    for i in 0..fixes.len() {
        j = j.max(i);
        while j < fixes.len() && fixes[j].t - fixes[i].t < WINDOW_S {
            j += 1;
        }
        let Some(fj) = fixes.get(j) else { break };
        let dt = fj.t - fixes[i].t;
        // A gap of minutes is a pause, not a slow stretch.
        if dt <= 6.0 * WINDOW_S {
            let v = (cum[j] - cum[i]) / dt;
            if v.is_finite() && v >= MOVING_MPS {
                speeds.push(v);
            }
        }
    }
    if speeds.len() < 10 {
        return (
            Sport::Other,
            "the file does not name its sport, and too few of its points have a time and a position to tell".into(),
        );
    }
    speeds.sort_by(f64::total_cmp);
    let at = |q: f64| speeds[((speeds.len() - 1) as f64 * q).round() as usize];
    let (median, top) = (at(0.5), at(0.95));
    let kmh = |v: f64| v * 3.6;
    if median > RIDE_MEDIAN_ABOVE_MPS || top > RIDE_TOP_ABOVE_MPS {
        return (
            Sport::Cycling,
            format!(
                "the file does not name its sport; it moved at {:.1} km/h (median) with stretches at {:.0} km/h: a ride",
                kmh(median),
                kmh(top)
            ),
        );
    }
    if median < WALK_BELOW_MPS {
        let climb = ascent_descent(fixes.iter().filter_map(|f| f.ele), ASCENT_HYSTERESIS_M)
            .map(|(up, _)| if total > 0.0 { up / (total / 1000.0) } else { 0.0 })
            .unwrap_or(0.0);
        return if climb >= HIKE_CLIMB_M_PER_KM {
            (
                Sport::Hiking,
                format!(
                    "the file does not name its sport; it moved at {:.1} km/h (median) and climbed {climb:.0} m per km: \
                     a hike",
                    kmh(median)
                ),
            )
        } else {
            (
                Sport::Walking,
                format!("the file does not name its sport; it moved at {:.1} km/h (median): a walk", kmh(median)),
            )
        };
    }
    let pace = (1000.0 / median).round() as i64;
    (
        Sport::Running,
        format!(
            "the file does not name its sport; it moved at {}:{:02}/km (median, {:.1} km/h), top {:.0} km/h: a run",
            pace / 60,
            pace % 60,
            kmh(median),
            kmh(top)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(speed: f64, secs: usize, climb_per_s: f64) -> Vec<Fix> {
        (0..secs)
            .map(|i| Fix {
                t: i as f64,
                lat: 46.0 + speed * i as f64 / 111_195.0,
                lon: 14.0,
                ele: Some(300.0 + climb_per_s * i as f64),
            })
            .collect()
    }

    #[test]
    fn speed_and_climb_tell_the_sport() {
        assert_eq!(infer_sport(&track(3.0, 600, 0.0), None).0, Sport::Running);
        assert_eq!(infer_sport(&track(8.0, 600, 0.0), None).0, Sport::Cycling);
        assert_eq!(infer_sport(&track(1.3, 900, 0.0), None).0, Sport::Walking);
        // 1.2 m/s climbing 0.1 m/s: 83 m per km.
        assert_eq!(infer_sport(&track(1.2, 900, 0.1), None).0, Sport::Hiking);
        let (s, why) = infer_sport(&track(3.0, 600, 0.0), Some("Garmin Edge 530"));
        assert_eq!(s, Sport::Cycling);
        assert!(why.contains("Edge"), "{why}");
        let (s, why) = infer_sport(&track(3.0, 600, 0.0), Some("StravaGPX"));
        assert_eq!(s, Sport::Running);
        assert!(why.contains("5:33/km"), "{why}");
        assert_eq!(infer_sport(&track(3.0, 5, 0.0), None).0, Sport::Other);
    }
}
