//! Pictures for the terminal: the factor effects as a text forest plot (one line per factor, on the same log axis
//! as the web page) and weekly shares as bars — for runners who would rather look than read a table.

use runtall_insights::analysis::RiskRatio;

/// Columns of the forest plot.
pub const FOREST_WIDTH: usize = 25;
const LO: f64 = 0.2;
const HI: f64 = 5.0;

fn column(x: f64) -> usize {
    let f = (x.clamp(LO, HI).ln() - LO.ln()) / (HI.ln() - LO.ln());
    (f * (FOREST_WIDTH - 1) as f64).round() as usize
}

/// The axis labels line: ¼ ½ 1 2 4 where they fall.
pub fn forest_axis() -> String {
    let mut line = vec![' '; FOREST_WIDTH];
    for (x, label) in [(0.25, '¼'), (0.5, '½'), (1.0, '1'), (2.0, '2'), (4.0, '4')] {
        line[column(x)] = label;
    }
    line.into_iter().collect()
}

/// One factor: `├──●──┤` for the interval and estimate, `│` where "no difference" (1) is, `◀`/`▶` when the interval
/// runs off the axis; blank without an estimate.
pub fn forest_line(rr: Option<&RiskRatio>) -> String {
    let mut line = vec![' '; FOREST_WIDTH];
    line[column(1.0)] = '│';
    if let Some(r) = rr {
        let (a, b) = (column(r.lower), column(r.upper));
        for c in line.iter_mut().take(b + 1).skip(a) {
            *c = '─';
        }
        line[a] = if r.lower < LO { '◀' } else { '├' };
        line[b] = if r.upper > HI { '▶' } else { '┤' };
        line[column(r.estimate)] = '●';
    }
    line.into_iter().collect()
}

/// Shares (0–1) as a row of block characters, `·` for a week with nothing planned.
pub fn share_bars(shares: &[Option<f64>]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    shares
        .iter()
        .map(|s| match s {
            Some(v) => BARS[((v.clamp(0.0, 1.0) * 7.0).round()) as usize],
            None => '·',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rr(estimate: f64, lower: f64, upper: f64) -> RiskRatio {
        RiskRatio { estimate, lower, upper, level: 0.95, prob_higher: 0.9 }
    }

    #[test]
    fn the_forest_line_puts_one_in_the_middle_and_the_estimate_inside_its_interval() {
        assert_eq!(forest_axis().chars().count(), FOREST_WIDTH);
        let mid = column(1.0);
        assert_eq!(mid, FOREST_WIDTH / 2, "1 is the middle of a symmetric log axis");
        let line: Vec<char> = forest_line(Some(&rr(2.0, 1.2, 3.4))).chars().collect();
        let dot = line.iter().position(|c| *c == '●').expect("estimate");
        let left = line.iter().position(|c| *c == '├').expect("lower end");
        let right = line.iter().position(|c| *c == '┤').expect("upper end");
        assert!(mid < left && left < dot && dot < right, "{}", line.iter().collect::<String>());
        let wide: String = forest_line(Some(&rr(1.0, 0.01, 400.0)));
        assert!(wide.starts_with('◀') && wide.ends_with('▶'), "{wide}");
        assert_eq!(forest_line(None).trim(), "│");
    }

    #[test]
    fn shares_become_bars() {
        assert_eq!(share_bars(&[Some(0.0), Some(0.5), Some(1.0), None]), "▁▅█·");
    }
}
