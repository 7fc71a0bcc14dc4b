//! Distances, paces and durations in the runner's units: the domain's one set of formatters
//! (`runtall_domain::units`, `runtall_domain::activity::speed_text`), the same the CLI prints.

use runtall_domain::activity::Sport;
use runtall_domain::profile::Units;
pub use runtall_domain::units::{KM_PER_MI, distance, duration, from_km, pace_seconds, pace_text, to_km, unit_name};

/// The speed of an activity the way its sport reads it (one rule, in the domain).
pub fn speed(sport: Sport, seconds: f64, meters: f64, u: Units) -> String {
    runtall_domain::activity::speed_text(sport, seconds, meters, u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(speed(Sport::Running, 300.0, 1000.0, Units::Km), "5:00/km");
        assert_eq!(speed(Sport::Running, 300.0, 1000.0, Units::Mi), "8:03/mi");
        // A 92 km ride in 3 h reads in km/h, a 1.5 km swim in 30 min per 100 m.
        assert_eq!(speed(Sport::Cycling, 3.0 * 3600.0, 92_000.0, Units::Km), "30.7 km/h");
        assert_eq!(speed(Sport::Cycling, 3600.0, 1000.0 * KM_PER_MI * 20.0, Units::Mi), "20.0 mph");
        assert_eq!(speed(Sport::Swimming, 1800.0, 1500.0, Units::Km), "2:00/100 m");
    }
}
