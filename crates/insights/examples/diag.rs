use runtall_insights::scenarios::{rank_by_risk_ratio, simulate, suite, top_factor};
use runtall_insights::{AnalysisConfig, analyze};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let id = &args[1];
    let n: usize = args[2].parse().unwrap();
    let count: usize = args[3].parse().unwrap();
    let cfg: AnalysisConfig = match args.get(4) {
        Some(j) => {
            let mut base = serde_json::to_value(AnalysisConfig::default()).unwrap();
            let over: serde_json::Value = serde_json::from_str(j).unwrap();
            for (k, v) in over.as_object().unwrap() {
                base[k] = v.clone();
            }
            serde_json::from_value(base).unwrap()
        }
        None => AnalysisConfig::default(),
    };
    let sc = suite().into_iter().find(|s| s.id == id).unwrap();
    let plans = sc.plans.len();
    let mut hits = vec![(0, 0, 0); plans];
    for i in 0..count {
        let r = simulate(&sc, 777, i, n).unwrap();
        let rep = analyze(&r.runs, &cfg).unwrap();
        let planted: Vec<_> = r.triggers.iter().map(|t| t.exposure.factor()).collect();
        let e = top_factor(&rep).is_some_and(|f| planted.contains(&f));
        let b = rank_by_risk_ratio(&r.runs, &cfg).first().is_some_and(|f| planted.contains(f));
        let h = &mut hits[i % plans];
        h.0 += 1;
        h.1 += e as usize;
        h.2 += b as usize;
    }
    for (p, h) in sc.plans.iter().zip(&hits) {
        println!(
            "{:<40} n {} engine {:.1}% per-RR {:.1}%",
            p.iter().map(|t| t.describe()).collect::<Vec<_>>().join(" + "),
            h.0,
            100.0 * h.1 as f64 / h.0 as f64,
            100.0 * h.2 as f64 / h.0 as f64
        );
    }
}
