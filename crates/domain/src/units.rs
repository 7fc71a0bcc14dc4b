//! Distances, paces and durations in the runner's units, as both front ends show them. Stored values are always
//! metres and seconds; these only format (and convert what a runner types in their unit back to kilometres).

use crate::profile::Units;

pub const KM_PER_MI: f64 = 1.609_344;

/// "km" or "mi".
pub fn unit_name(u: Units) -> &'static str {
    match u {
        Units::Km => "km",
        Units::Mi => "mi",
    }
}

/// Kilometres shown in the runner's unit.
pub fn from_km(km: f64, u: Units) -> f64 {
    match u {
        Units::Km => km,
        Units::Mi => km / KM_PER_MI,
    }
}

/// A value entered in the runner's unit, as kilometres.
pub fn to_km(v: f64, u: Units) -> f64 {
    match u {
        Units::Km => v,
        Units::Mi => v * KM_PER_MI,
    }
}

/// "5.00 km".
pub fn distance(m: f64, u: Units) -> String {
    format!("{:.2} {}", from_km(m / 1000.0, u), unit_name(u))
}

/// Seconds per km (or mile) for a speed, or `None` when standing still.
pub fn pace_seconds(speed_mps: f64, u: Units) -> Option<f64> {
    if speed_mps <= 0.3 || !speed_mps.is_finite() {
        return None;
    }
    let unit_m = if u == Units::Mi { 1000.0 * KM_PER_MI } else { 1000.0 };
    Some(unit_m / speed_mps)
}

/// "5:00/km"; a dash for no pace or one slower than 99 minutes per unit (standing, not running).
pub fn pace_text(seconds_per_unit: f64, u: Units) -> String {
    if !seconds_per_unit.is_finite() || seconds_per_unit <= 0.0 || seconds_per_unit > 99.0 * 60.0 {
        return "–".into();
    }
    let s = seconds_per_unit.round() as u64;
    format!("{}:{:02}/{}", s / 60, s % 60, unit_name(u))
}

/// The average running pace of `meters` covered in `seconds` (the running case of
/// [`speed_text`](crate::activity::speed_text), which also reads rides in km/h and swims per 100 m).
pub fn pace(seconds: f64, meters: f64, u: Units) -> String {
    crate::activity::speed_text(crate::activity::Sport::Running, seconds, meters, u)
}

/// "1:02:05" or "4:59".
pub fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(pace(300.0, 1000.0, Units::Km), "5:00/km");
        assert_eq!(pace(300.0, 1000.0, Units::Mi), "8:03/mi");
        assert_eq!(pace(0.0, 1000.0, Units::Km), "–");
        assert_eq!(pace(100_000.0, 1000.0, Units::Km), "–");
        assert_eq!(duration(3725.0), "1:02:05");
        assert_eq!(duration(59.6), "1:00");
        assert_eq!(distance(5000.0, Units::Km), "5.00 km");
        assert_eq!(distance(1609.344, Units::Mi), "1.00 mi");
        assert!((to_km(from_km(10.0, Units::Mi), Units::Mi) - 10.0).abs() < 1e-9);
        assert_eq!(pace_seconds(0.0, Units::Km), None);
    }
}
