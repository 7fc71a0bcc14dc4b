//! Poses to points: the body's segment lengths and the joint positions they give, for any view.
//!
//! Lengths are fractions of standing height (after the usual anthropometric tables, rounded so a standing figure's
//! head touches 1.0): a drawing made of these proportions reads as a person whatever the exercise.

use runtall_content::{FigureView, FlatPart, Limb, Pose};

pub const LOWER_TRUNK: f32 = 0.15;
pub const UPPER_TRUNK: f32 = 0.15;
pub const NECK: f32 = 0.05;
pub const HEAD_R: f32 = 0.06;
pub const UPPER_ARM: f32 = 0.165;
pub const FOREARM: f32 = 0.15;
pub const THIGH: f32 = 0.245;
pub const SHIN: f32 = 0.245;
pub const FOOT: f32 = 0.09;
/// Half the distance between the shoulder joints and between the hip joints, for front views.
pub const SHOULDER_HALF: f32 = 0.10;
pub const HIP_HALF: f32 = 0.055;

pub type Pt = [f32; 2];

fn dir(deg: f32) -> Pt {
    let r = deg.to_radians();
    [r.cos(), r.sin()]
}

fn add(a: Pt, b: Pt, k: f32) -> Pt {
    [a[0] + b[0] * k, a[1] + b[1] * k]
}

pub fn dist(a: Pt, b: Pt) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// A limb as points: root, middle joint, end (and the toe for a leg).
#[derive(Debug, Clone, PartialEq)]
pub struct LimbPts {
    pub points: Vec<Pt>,
    /// How far a `Reach` target lay beyond the limb's length (0 when reachable or given as angles).
    pub short_by: f32,
}

/// The joints of one pose. `near` limbs are drawn darker (the near side in a side view, the picture's left in a
/// front view).
#[derive(Debug, Clone, PartialEq)]
pub struct Skeleton {
    pub view: FigureView,
    pub hip: Pt,
    pub mid_back: Pt,
    pub shoulder: Pt,
    pub head: Pt,
    /// Where the face points from the head centre, if drawn.
    pub nose: Option<Pt>,
    pub shoulders: [Pt; 2],
    pub hips: [Pt; 2],
    pub arms: [LimbPts; 2],
    /// `None` when the legs are flat (hidden behind the body in this view).
    pub legs: Option<[LimbPts; 2]>,
    pub trunk_flat: bool,
    /// The lower ribs, for breath marks, and the direction the front of the ribs faces.
    pub ribs: Pt,
    pub ribs_front: Pt,
    /// The shoulder blades (top and bottom of each), when the pose shows them.
    pub blades: Option<[[Pt; 2]; 2]>,
}

/// Two segments from `root` reaching for `to`: the middle joint is bent to the left (bend > 0) or right of the
/// line from root to target. A target out of reach is approached as far as the limb goes.
fn reach(root: Pt, to: Pt, l1: f32, l2: f32, bend: f32) -> (Pt, Pt, f32) {
    let d_raw = dist(root, to);
    let short_by = (d_raw - (l1 + l2)).max(0.0);
    let d = d_raw.clamp((l1 - l2).abs() + 1e-4, l1 + l2 - 1e-4);
    let base = (to[1] - root[1]).atan2(to[0] - root[0]);
    let cos_a = ((l1 * l1 + d * d - l2 * l2) / (2.0 * l1 * d)).clamp(-1.0, 1.0);
    let a = cos_a.acos() * if bend >= 0.0 { 1.0 } else { -1.0 };
    let mid = [root[0] + l1 * (base + a).cos(), root[1] + l1 * (base + a).sin()];
    let end_dir = (to[1] - mid[1]).atan2(to[0] - mid[0]);
    let end = [mid[0] + l2 * end_dir.cos(), mid[1] + l2 * end_dir.sin()];
    (mid, end, short_by)
}

fn arm(root: Pt, limb: &Limb, scale: [f32; 2]) -> LimbPts {
    let (l1, l2) = (UPPER_ARM * scale[0], FOREARM * scale[1]);
    match limb {
        Limb::Angles(a) => {
            let upper = a.first().copied().unwrap_or(-90.0);
            let fore = a.get(1).copied().unwrap_or(upper);
            let elbow = add(root, dir(upper), l1);
            LimbPts { points: vec![root, elbow, add(elbow, dir(fore), l2)], short_by: 0.0 }
        }
        Limb::Reach { to, bend, .. } => {
            let (elbow, hand, short_by) = reach(root, *to, l1, l2, *bend);
            LimbPts { points: vec![root, elbow, hand], short_by }
        }
    }
}

fn leg(root: Pt, limb: &Limb) -> LimbPts {
    match limb {
        Limb::Angles(a) => {
            let thigh = a.first().copied().unwrap_or(-90.0);
            let shin = a.get(1).copied().unwrap_or(thigh);
            let knee = add(root, dir(thigh), THIGH);
            let ankle = add(knee, dir(shin), SHIN);
            // Two angles: a leg seen from the front or behind, whose foot points at or away from the viewer.
            let mut points = vec![root, knee, ankle];
            if let Some(foot) = a.get(2) {
                points.push(add(ankle, dir(*foot), FOOT));
            }
            LimbPts { points, short_by: 0.0 }
        }
        Limb::Reach { to, bend, foot } => {
            let (knee, ankle, short_by) = reach(root, *to, THIGH, SHIN, *bend);
            let toe = add(ankle, dir(foot.unwrap_or(0.0)), FOOT);
            LimbPts { points: vec![root, knee, ankle, toe], short_by }
        }
    }
}

/// A limb given for one side, used for the other: the same in a side view, mirrored about the trunk in a front
/// view (so `arm` alone draws a symmetric pose).
fn mirrored(limb: &Limb, axis: f32, root_from: Pt, root_to: Pt) -> Limb {
    match limb {
        Limb::Angles(a) => Limb::Angles(a.iter().map(|x| 2.0 * axis - x).collect()),
        Limb::Reach { to, bend, foot } => {
            // Reflect the target across the trunk's line through the middle of the two roots.
            let mid = [(root_from[0] + root_to[0]) / 2.0, (root_from[1] + root_to[1]) / 2.0];
            let d = dir(axis);
            let v = [to[0] - mid[0], to[1] - mid[1]];
            let along = v[0] * d[0] + v[1] * d[1];
            let reflected = [2.0 * along * d[0] - v[0] + mid[0], 2.0 * along * d[1] - v[1] + mid[1]];
            Limb::Reach { to: reflected, bend: -bend, foot: foot.map(|f| 2.0 * axis - f) }
        }
    }
}

impl Skeleton {
    pub fn of(p: &Pose) -> Skeleton {
        let flat = |part| p.flat.contains(&part);
        let trunk_flat = flat(FlatPart::Trunk);
        let (lower, upper) = if trunk_flat { (0.0, 0.0) } else { (LOWER_TRUNK, UPPER_TRUNK) };
        let chest = p.chest.unwrap_or(p.trunk);
        let mid_back = add(p.hip, dir(p.trunk), lower);
        let shoulder = add(mid_back, dir(chest), upper);
        let head = if flat(FlatPart::Head) { shoulder } else { add(shoulder, dir(p.head), NECK + HEAD_R) };
        let facing = p.facing.unwrap_or(p.head - 90.0);
        let nose = match p.view {
            FigureView::Side => Some(add(head, dir(facing), HEAD_R * 1.25)),
            FigureView::Front => p.facing.map(|f| add(head, dir(f), HEAD_R * 1.25)),
        };
        let (shoulders, hips) = match p.view {
            FigureView::Side => ([shoulder, shoulder], [p.hip, p.hip]),
            FigureView::Front => {
                let across = dir(chest + 90.0);
                let hips_across = dir(p.trunk + 90.0);
                (
                    [add(shoulder, across, SHOULDER_HALF), add(shoulder, across, -SHOULDER_HALF)],
                    [add(p.hip, hips_across, HIP_HALF), add(p.hip, hips_across, -HIP_HALF)],
                )
            }
        };
        let other = |given: &Option<Limb>, first: &Limb, axis: f32, roots: [Pt; 2]| match (given, p.view) {
            (Some(l), _) => l.clone(),
            (None, FigureView::Side) => first.clone(),
            (None, FigureView::Front) => mirrored(first, axis, roots[0], roots[1]),
        };
        let arm2 = other(&p.arm2, &p.arm, chest, shoulders);
        let scale = p.arm_scale.unwrap_or([1.0, 1.0]);
        let arms = [arm(shoulders[0], &p.arm, scale), arm(shoulders[1], &arm2, scale)];
        let legs = (!flat(FlatPart::Legs)).then(|| {
            let leg2 = other(&p.leg2, &p.leg, p.trunk, hips);
            [leg(hips[0], &p.leg), leg(hips[1], &leg2)]
        });
        let ribs = add(p.hip, dir(p.trunk), LOWER_TRUNK * 1.2);
        let ribs_front = dir(p.trunk - 90.0);
        let blades = p.blades.map(|[inward, up]| {
            let across = dir(chest + 90.0);
            let along = dir(chest);
            let blade = |side: f32| {
                let centre = add(shoulder, across, side * (0.06 - inward));
                let top = add(add(centre, along, -0.035 + up), across, side * 0.012);
                let bottom = add(centre, along, -0.12 + up);
                [top, bottom]
            };
            [blade(1.0), blade(-1.0)]
        });
        Skeleton {
            view: p.view,
            hip: p.hip,
            mid_back,
            shoulder,
            head,
            nose,
            shoulders,
            hips,
            arms,
            legs,
            trunk_flat,
            ribs,
            ribs_front,
            blades,
        }
    }

    /// Every joint, for bounds and for finding what moved.
    pub fn points(&self) -> Vec<Pt> {
        let mut out = vec![self.hip, self.mid_back, self.shoulder, self.head];
        out.extend(self.nose);
        out.extend(self.shoulders);
        for b in self.blades.iter().flatten() {
            out.extend(b.iter().copied());
        }
        for a in &self.arms {
            out.extend(a.points.iter().copied());
        }
        if let Some(legs) = &self.legs {
            out.extend(self.hips);
            for l in legs {
                out.extend(l.points.iter().copied());
            }
        }
        out
    }

    /// The hands (ends of the arms).
    pub fn hands(&self) -> [Pt; 2] {
        [self.arms[0].points[2], self.arms[1].points[2]]
    }

    /// The lowest point of the body (joints, and the head's circle), for the "nothing below the floor" check.
    pub fn lowest(&self) -> f32 {
        self.points().iter().map(|p| p[1]).fold(self.head[1] - HEAD_R, f32::min)
    }

    /// How far any `Reach` target lay out of reach.
    pub fn short_by(&self) -> f32 {
        let legs = self.legs.iter().flatten().map(|l| l.short_by);
        self.arms.iter().map(|a| a.short_by).chain(legs).fold(0.0, f32::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runtall_content::{FigureView, Limb, Pose};

    fn standing() -> Pose {
        Pose {
            label: String::new(),
            view: FigureView::Side,
            hip: [0.0, 0.53],
            trunk: 90.0,
            chest: None,
            head: 90.0,
            facing: None,
            arm: Limb::Angles(vec![-90.0, -90.0]),
            arm2: None,
            leg: Limb::Angles(vec![-90.0, -90.0, 0.0]),
            leg2: None,
            arm_scale: None,
            flat: Vec::new(),
            blades: None,
            breath: None,
            trace: true,
        }
    }

    #[test]
    fn a_standing_figure_is_one_body_height_tall() {
        let s = Skeleton::of(&standing());
        let top = s.head[1] + HEAD_R;
        assert!((top - 1.0).abs() < 0.01, "top of the head at {top}");
        let ankle = s.legs.as_ref().expect("legs")[0].points[2];
        assert!((ankle[1] - 0.04).abs() < 0.01, "ankle at {}", ankle[1]);
        // The face points forward (right) by default when the head is upright.
        assert!(s.nose.expect("nose")[0] > s.head[0]);
    }

    #[test]
    fn a_reach_ends_where_it_was_asked_to_and_bends_to_the_side_given() {
        let (elbow, hand, short) = reach([0.0, 0.0], [0.2, 0.0], UPPER_ARM, FOREARM, 1.0);
        assert!(dist(hand, [0.2, 0.0]) < 1e-3 && short == 0.0);
        assert!(elbow[1] > 0.0, "bend 1 puts the elbow to the left of the line (above it here)");
        let (elbow, _, _) = reach([0.0, 0.0], [0.2, 0.0], UPPER_ARM, FOREARM, -1.0);
        assert!(elbow[1] < 0.0);
        let (_, hand, short) = reach([0.0, 0.0], [1.0, 0.0], UPPER_ARM, FOREARM, 1.0);
        assert!(short > 0.6 && hand[0] < 0.32, "out of reach: as far as the arm goes");
    }
}
