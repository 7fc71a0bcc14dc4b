use runtall_insights::scenarios::{simulate, suite};
use runtall_insights::{AnalysisConfig, analyze};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let id = &args[1];
    let n: usize = args[2].parse().unwrap();
    let count: usize = args[3].parse().unwrap();
    let sc = suite().into_iter().find(|s| s.id == id).unwrap();
    let cfg = AnalysisConfig::default();
    for i in 0..count {
        let r = simulate(&sc, 12345, i, n).unwrap();
        let rep = analyze(&r.runs, &cfg).unwrap();
        let planted: Vec<_> = r.triggers.iter().map(|t| t.exposure.factor()).collect();
        let exposed: Vec<usize> =
            r.triggers.iter().map(|t| r.truth.iter().filter(|o| t.level(o) > 0.5).count()).collect();
        let pain = rep.runs_with_pain;
        print!(
            "#{i} base {:.2} pain {pain} exposed {:?} planted {:?}: ",
            r.base_rate,
            exposed,
            planted.iter().map(|f| f.id()).collect::<Vec<_>>()
        );
        for f in rep.factors.iter().take(3) {
            let m = f.model.as_ref();
            print!(
                "{} {:.2} [{}] {:?}; ",
                f.factor.id(),
                f.score,
                m.map(|m| format!("{:?} {:.2}", m.best_reading, m.best_reading_share)).unwrap_or_default(),
                f.verdict
            );
        }
        if let Some(p) = planted.first() {
            let pr = rep.factor(*p).unwrap();
            println!(" || planted rank {} score {:.2} {}", pr.rank, pr.score, pr.counts_sentence);
        }
    }
}
