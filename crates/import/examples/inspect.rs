//! Import paths without a database and print one line per activity (or failure):
//! `cargo run -p runtall-import --example inspect -- PATH...`
use std::ops::ControlFlow;

use runtall_import::{ImportOptions, Importer};

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    let plan = Importer::new(ImportOptions::default()).plan(&paths);
    let summary = plan.run(|r, _| {
        match &r.result {
            Ok(acts) => {
                for a in acts {
                    let c = runtall_domain::classify::classify(a, &[]);
                    let why: Vec<String> = c.reasons.iter().filter(|f| f.label().is_some()).map(|f| format!("{}={} ({})", f.name, f.value, f.note)).collect();
                    println!("  CLASS {:?} also {:?}: {}", c.label, c.also, why.join("; "));
                    println!(
                        "{} | {} {:?} {} | {:.0}s el {:.0}s mv {:.0} m | asc {:?} hr {:?}/{:?} cad {:?} resp {:?} | laps {} samples {} | dev {:?} name {:?} | warn {}",
                        r.source,
                        a.sport.as_str(),
                        a.sub_sport,
                        a.start,
                        a.elapsed_s,
                        a.moving_s,
                        a.distance_m,
                        a.ascent_m.map(|x| x.round()),
                        a.avg_hr_bpm.map(|x| x.round()),
                        a.max_hr_bpm,
                        a.avg_cadence_spm.map(|x| x.round()),
                        a.avg_respiration_brpm.map(|x| x.round()),
                        a.laps.len(),
                        a.samples.len(),
                        a.device,
                        a.name,
                        a.warnings.join(" / ")
                    );
                }
            }
            Err(e) => println!("{} | ERROR {e}", r.source),
        }
        ControlFlow::Continue(())
    });
    println!("{summary:?}");
}
