//! Prints a summary of each file given on the command line (for manual checks).
fn main() {
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                println!("{path}: cannot read: {e}");
                continue;
            }
        };
        if path.ends_with(".tcx") {
            match runtall_trackxml::parse_tcx(&bytes) {
                Ok(f) => {
                    println!(
                        "{path}: activities {} laps {} trackpoints {} courses {} workouts {} creator {:?} not_activity {:?}",
                        f.activities.len(),
                        f.lap_count(),
                        f.trackpoint_count(),
                        f.course_count,
                        f.workout_count,
                        f.creator_name(),
                        f.not_activity().map(|r| r.to_string())
                    );
                    for w in &f.warnings {
                        println!("   warning: {w}");
                    }
                }
                Err(e) => println!("{path}: ERROR {e}"),
            }
        } else {
            match runtall_trackxml::parse_gpx(&bytes) {
                Ok(f) => {
                    println!(
                        "{path}: trk {} seg {} trkpt {} rte {} rtept {} wpt {} creator {:?} not_activity {:?}",
                        f.tracks.len(),
                        f.tracks.iter().map(|t| t.segments.len()).sum::<usize>(),
                        f.point_count(),
                        f.route_count,
                        f.route_point_count,
                        f.waypoint_count,
                        f.creator,
                        f.not_activity().map(|r| r.to_string())
                    );
                    for w in &f.warnings {
                        println!("   warning: {w}");
                    }
                }
                Err(e) => println!("{path}: ERROR {e}"),
            }
        }
    }
}
