//! The measures of one side photo, computed in a corrected frame (roll undone, forward = `+x`, up = `+y`).

use crate::InputError;
use crate::posture::input::{ImageSize, PhotoLandmarks, Point};
use serde::{Deserialize, Serialize};

/// Which way the runner faces in the image. Facing left means the left side is towards the camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Facing {
    Left,
    Right,
}

impl Facing {
    pub fn name(self) -> &'static str {
        match self {
            Facing::Left => "left",
            Facing::Right => "right",
        }
    }

    fn sign(self) -> f64 {
        match self {
            Facing::Left => -1.0,
            Facing::Right => 1.0,
        }
    }

    pub fn flipped(self) -> Facing {
        match self {
            Facing::Left => Facing::Right,
            Facing::Right => Facing::Left,
        }
    }
}

/// How the facing side was decided: said by the file, from the nose, or assumed from the tragus lying ahead of C7
/// (true of nearly every posture, but an assumption).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FacingSource {
    Given,
    Nose,
    Assumed,
}

/// Why a measure deserves less trust. Each is shown with the numbers, never hidden.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "flag", rename_all = "kebab-case")]
pub enum QualityFlag {
    /// C7 was placed by the estimate from shoulder and ear and not moved by hand: pose models find the shoulder
    /// joint, not the spine, so the CVA is only a starting point.
    C7Estimated,
    /// The two shoulders lie far apart in the image (`ratio` of the trunk length): the body was turned towards the
    /// camera, and every side-view measure is distorted.
    NotSideOn { ratio: f64 },
    /// The model was unsure of this landmark (visibility 0–1).
    LowConfidence { landmark: String, visibility: f64 },
    /// The trunk spans few pixels: a marker one pixel off moves the angles a lot.
    SmallInImage { trunk_px: f64 },
    /// A marker lies outside the picture.
    OutsideImage { landmark: String },
    /// Neither the file nor a nose point said which way the runner faced; it was taken from the tragus lying ahead
    /// of C7.
    FacingAssumed,
}

impl QualityFlag {
    /// One sentence for the runner.
    pub fn describe(&self) -> String {
        match self {
            QualityFlag::C7Estimated => {
                "C7 is estimated from the shoulder and ear, not placed: move its marker to the bony bump at the base of \
                 the neck for a real CVA"
                    .into()
            }
            QualityFlag::NotSideOn { ratio } => format!(
                "the body was not side-on (shoulders {:.0}% of a trunk length apart in the picture); turn fully \
                 sideways to the camera",
                ratio * 100.0
            ),
            QualityFlag::LowConfidence { landmark, visibility } => {
                format!("the model was unsure of the {landmark} ({:.0}% visible); check that marker", visibility * 100.0)
            }
            QualityFlag::SmallInImage { trunk_px } => {
                format!("the trunk is only {trunk_px:.0} pixels long in the picture; come closer or zoom in")
            }
            QualityFlag::OutsideImage { landmark } => format!("the {landmark} marker is outside the picture"),
            QualityFlag::FacingAssumed => {
                "which way you faced was assumed from the ear lying ahead of the neck; add the nose point to be sure"
                    .into()
            }
        }
    }
}

/// Shoulder over hip over ankle, as horizontal offsets in trunk lengths (positive: the upper point is ahead).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stack {
    pub shoulder_over_hip: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hip_over_ankle: Option<f64>,
    /// How far apart shoulder, hip and (when visible) ankle lie horizontally, in trunk lengths: 0 is a perfect
    /// stack over one vertical line.
    pub spread: f64,
}

/// Everything measured on one side photo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoMeasures {
    pub facing: Facing,
    pub facing_from: FacingSource,
    /// Craniovertebral angle in degrees: the C7→tragus line against the horizontal. Smaller means the head sits
    /// further forward.
    pub cva_deg: f64,
    /// Horizontal distance of the tragus ahead of the shoulder, in trunk lengths (shoulder to hip).
    pub head_forward: f64,
    /// Shoulder–hip line against the vertical in degrees, positive when the shoulders are ahead of the hips.
    pub trunk_lean_deg: f64,
    pub stack: Stack,
    /// Shoulder to hip in pixels (the unit of the normalised measures).
    pub trunk_px: f64,
    /// Where C7 was taken to be, in image pixels (the estimate when the file had none).
    pub c7: Point,
    pub quality: Vec<QualityFlag>,
}

/// Below this visibility a model landmark is flagged.
const MIN_VISIBILITY: f64 = 0.5;
/// Shoulders further apart than this (in trunk lengths) mean the body was turned to the camera.
const MAX_SHOULDER_SPREAD: f64 = 0.25;
/// A trunk shorter than this share of the picture's larger side is flagged as small.
const MIN_TRUNK_SHARE: f64 = 0.08;

/// The frame every measure is taken in: image pixels with the camera roll undone, `y` up, mirrored so the runner
/// faces `+x`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    cos: f64,
    sin: f64,
    sign: f64,
}

impl Frame {
    pub(crate) fn new(tilt_deg: f64, facing: Facing) -> Frame {
        let t = tilt_deg.to_radians();
        Frame { cos: t.cos(), sin: t.sin(), sign: facing.sign() }
    }

    /// Only the roll undone (`y` still down, not mirrored): for deciding which way the runner faces.
    fn unrolled(tilt_deg: f64, p: Point) -> Point {
        let t = tilt_deg.to_radians();
        Point::new(p.x * t.cos() + p.y * t.sin(), -p.x * t.sin() + p.y * t.cos())
    }

    pub(crate) fn to(&self, p: Point) -> Point {
        let x = p.x * self.cos + p.y * self.sin;
        let y = -p.x * self.sin + p.y * self.cos;
        Point::new(x * self.sign, -y)
    }

    pub(crate) fn from(&self, q: Point) -> Point {
        let x = q.x * self.sign;
        let y = -q.y;
        Point::new(x * self.cos - y * self.sin, x * self.sin + y * self.cos)
    }
}

fn sub(a: Point, b: Point) -> Point {
    Point::new(a.x - b.x, a.y - b.y)
}

fn len(p: Point) -> f64 {
    p.x.hypot(p.y)
}

/// Decides which way the runner faces: the file's word, else the nose ahead of the ear, else the ear ahead of the
/// neck (C7, or the shoulder when C7 is absent).
pub(crate) fn decide_facing(
    given: Option<Facing>,
    tilt_deg: f64,
    nose: Option<Point>,
    ear: Point,
    neck: Point,
) -> (Facing, FacingSource) {
    if let Some(f) = given {
        return (f, FacingSource::Given);
    }
    let ear_x = Frame::unrolled(tilt_deg, ear).x;
    if let Some(n) = nose {
        let dx = Frame::unrolled(tilt_deg, n).x - ear_x;
        if dx != 0.0 {
            return (if dx < 0.0 { Facing::Left } else { Facing::Right }, FacingSource::Nose);
        }
    }
    let dx = ear_x - Frame::unrolled(tilt_deg, neck).x;
    (if dx < 0.0 { Facing::Left } else { Facing::Right }, FacingSource::Assumed)
}

/// Where C7 probably is, from the shoulder and ear (image pixels): above the shoulder joint by 15% of the
/// ear–shoulder distance and behind it by 40%, along the trunk's own axis so a leaning trunk carries it along.
///
/// Pose models put their "shoulder" at the joint, well in front of the spine; this only pre-places the C7 marker
/// near the bony bump at the base of the neck, for the runner (or their physiotherapist) to move onto it.
pub fn estimate_c7(ear: Point, shoulder: Point, hip: Point, facing: Facing, tilt_deg: f64) -> Point {
    let f = Frame::new(tilt_deg, facing);
    let (e, s, h) = (f.to(ear), f.to(shoulder), f.to(hip));
    let axis = sub(s, h);
    let axis_len = len(axis);
    let up = if axis_len > 0.0 { Point::new(axis.x / axis_len, axis.y / axis_len) } else { Point::new(0.0, 1.0) };
    // Perpendicular to the trunk, pointing backwards (towards -x when upright).
    let back = Point::new(-up.y, up.x);
    let n = len(sub(e, s));
    f.from(Point::new(s.x + up.x * 0.15 * n + back.x * 0.40 * n, s.y + up.y * 0.15 * n + back.y * 0.40 * n))
}

/// All measures of one side photo, or an error naming the landmark that makes them impossible (a point that is not a
/// number, two points in the same place, the tragus not above C7, the shoulder not above the hip).
pub fn measure_photo(l: &PhotoLandmarks) -> Result<PhotoMeasures, InputError> {
    let p = &l.points;
    if !l.tilt_deg.is_finite() || l.tilt_deg.abs() > 45.0 {
        return Err(InputError::new("tilt_deg", format!("{} is out of range (allowed -45–45)", l.tilt_deg)));
    }
    let tragus = p.tragus.check("points.tragus")?;
    let shoulder = p.shoulder.check("points.shoulder")?;
    let hip = p.hip.check("points.hip")?;
    let c7_given = p.c7.map(|c| c.check("points.c7")).transpose()?;
    let knee = p.knee.map(|k| k.check("points.knee")).transpose()?;
    let ankle = p.ankle.map(|a| a.check("points.ankle")).transpose()?;
    let nose = p.nose.map(|n| n.check("points.nose")).transpose()?;

    let mut all = vec![("tragus", tragus), ("shoulder", shoulder), ("hip", hip)];
    all.extend(c7_given.map(|c| ("C7", c)));
    all.extend(knee.map(|k| ("knee", k)));
    all.extend(ankle.map(|a| ("ankle", a)));
    let extent = all.iter().flat_map(|(_, a)| all.iter().map(move |(_, b)| len(sub(*a, *b)))).fold(0.0, f64::max);
    let same = |a: Point, b: Point| len(sub(a, b)) <= extent * 1e-6;
    if extent == 0.0 || same(shoulder, hip) {
        return Err(InputError::new("points.hip", "the shoulder and hip are at the same place; place both markers"));
    }
    if same(tragus, shoulder) {
        return Err(InputError::new("points.tragus", "the tragus and shoulder are at the same place"));
    }

    let (facing, facing_from) = decide_facing(l.facing, l.tilt_deg, nose, tragus, c7_given.unwrap_or(shoulder));
    let f = Frame::new(l.tilt_deg, facing);
    let c7 = c7_given.unwrap_or_else(|| estimate_c7(tragus, shoulder, hip, facing, l.tilt_deg));
    if same(tragus, c7) {
        return Err(InputError::new("points.c7", "the tragus and C7 are at the same place; move one of the markers"));
    }
    let (t, c, s, h) = (f.to(tragus), f.to(c7), f.to(shoulder), f.to(hip));

    let neck = sub(t, c);
    if neck.y <= 0.0 {
        return Err(InputError::new(
            "points.c7",
            "the tragus must be above C7 (the ear above the base of the neck); check both markers",
        ));
    }
    let trunk = sub(s, h);
    if trunk.y <= 0.0 {
        return Err(InputError::new("points.hip", "the shoulder must be above the hip; check both markers"));
    }
    let trunk_px = len(trunk);
    let cva_deg = neck.y.atan2(neck.x).to_degrees();
    let head_forward = (t.x - s.x) / trunk_px;
    let trunk_lean_deg = trunk.x.atan2(trunk.y).to_degrees();
    let a = ankle.map(|a| f.to(a));
    let xs: Vec<f64> = [Some(s.x), Some(h.x), a.map(|a| a.x)].into_iter().flatten().collect();
    let spread = (xs.iter().cloned().fold(f64::MIN, f64::max) - xs.iter().cloned().fold(f64::MAX, f64::min)) / trunk_px;
    let stack =
        Stack { shoulder_over_hip: trunk.x / trunk_px, hip_over_ankle: a.map(|a| (h.x - a.x) / trunk_px), spread };

    let mut quality = Vec::new();
    if c7_given.is_none() || l.c7_estimated {
        quality.push(QualityFlag::C7Estimated);
    }
    if facing_from == FacingSource::Assumed {
        quality.push(QualityFlag::FacingAssumed);
    }
    if let Some(m) = &l.model {
        if let (Some(ls), Some(rs)) = (m.left_shoulder, m.right_shoulder) {
            let (ls, rs) = (f.to(ls.check("model.left_shoulder")?), f.to(rs.check("model.right_shoulder")?));
            let ratio = (ls.x - rs.x).abs() / trunk_px;
            if ratio > MAX_SHOULDER_SPREAD {
                quality.push(QualityFlag::NotSideOn { ratio });
            }
        }
        for (name, v) in [("ear", m.ear_visibility), ("shoulder", m.shoulder_visibility)] {
            if let Some(v) = v.filter(|v| v.is_finite() && *v < MIN_VISIBILITY) {
                quality.push(QualityFlag::LowConfidence { landmark: name.into(), visibility: v });
            }
        }
    }
    if let Some(ImageSize { width, height }) = l.image
        && width.is_finite()
        && height.is_finite()
        && width > 0.0
        && height > 0.0
    {
        if trunk_px < MIN_TRUNK_SHARE * width.max(height) {
            quality.push(QualityFlag::SmallInImage { trunk_px });
        }
        let margin = 0.02 * width.max(height);
        if c7_given.is_none() {
            all.push(("C7", c7));
        }
        for (name, q) in &all {
            if q.x < -margin || q.y < -margin || q.x > width + margin || q.y > height + margin {
                quality.push(QualityFlag::OutsideImage { landmark: name.to_string() });
            }
        }
    }
    Ok(PhotoMeasures { facing, facing_from, cva_deg, head_forward, trunk_lean_deg, stack, trunk_px, c7, quality })
}
