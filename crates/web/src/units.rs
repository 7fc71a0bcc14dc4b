//! Distances, paces and durations in the runner's units. Stored values are always metres and seconds.

use runtall_domain::activity::Sport;
use runtall_domain::profile::Units;

pub const KM_PER_MI: f64 = 1.609_344;

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

pub fn pace_text(seconds_per_unit: f64, u: Units) -> String {
    if !seconds_per_unit.is_finite() || seconds_per_unit <= 0.0 || seconds_per_unit > 99.0 * 60.0 {
        return "–".into();
    }
    let s = seconds_per_unit.round() as u64;
    format!("{}:{:02}/{}", s / 60, s % 60, unit_name(u))
}

/// The speed of an activity the way its sport reads it (one rule, in the domain).
pub fn speed(sport: Sport, seconds: f64, meters: f64, u: Units) -> String {
    runtall_domain::activity::speed_text(sport, seconds, meters, u)
}

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
        assert_eq!(speed(Sport::Running, 300.0, 1000.0, Units::Km), "5:00/km");
        assert_eq!(speed(Sport::Running, 300.0, 1000.0, Units::Mi), "8:03/mi");
        assert_eq!(duration(3725.0), "1:02:05");
        assert_eq!(distance(5000.0, Units::Km), "5.00 km");
        assert!((to_km(from_km(10.0, Units::Mi), Units::Mi) - 10.0).abs() < 1e-9);
        assert_eq!(pace_seconds(0.0, Units::Km), None);
        // A 92 km ride in 3 h reads in km/h, a 1.5 km swim in 30 min per 100 m.
        assert_eq!(speed(Sport::Cycling, 3.0 * 3600.0, 92_000.0, Units::Km), "30.7 km/h");
        assert_eq!(speed(Sport::Cycling, 3600.0, 1000.0 * KM_PER_MI * 20.0, Units::Mi), "20.0 mph");
        assert_eq!(speed(Sport::Swimming, 1800.0, 1500.0, Units::Km), "2:00/100 m");
        assert_eq!(speed(Sport::Running, 300.0, 1000.0, Units::Km), "5:00/km");
    }
}
