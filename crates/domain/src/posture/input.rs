//! The landmark file: what the browser saves and `runtall posture add --landmarks FILE.json` reads.
//!
//! One format for both front ends (documented in `docs/posture-format.md`): a photo's named points, or a video's
//! frames. Parsing names the field of a bad value (`points.c7.x: invalid type …`) so a hand-written file can be
//! fixed.

use crate::InputError;
use crate::posture::MAX_FRAMES;
use crate::posture::geometry::Facing;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A point in image pixels, `y` down.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    pub(crate) fn check(self, field: &str) -> Result<Point, InputError> {
        if self.x.is_finite() && self.y.is_finite() && self.x.abs() < 1e7 && self.y.abs() < 1e7 {
            Ok(self)
        } else {
            Err(InputError::new(field, format!("({}, {}) is not a usable position", self.x, self.y)))
        }
    }
}

/// What the photo or video shows, so like is compared with like over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PostureKind {
    /// Relaxed standing, side on: the main trend.
    Standing,
    /// Standing in the runner's "stacked" position (ribs over pelvis, head over shoulders).
    Stacked,
    /// Sitting at the desk as usual.
    Desk,
    /// A side-view video of a run (treadmill or filmed by a friend).
    RunVideo,
}

impl PostureKind {
    pub const ALL: [PostureKind; 4] =
        [PostureKind::Standing, PostureKind::Stacked, PostureKind::Desk, PostureKind::RunVideo];

    pub fn name(self) -> &'static str {
        match self {
            PostureKind::Standing => "standing",
            PostureKind::Stacked => "stacked",
            PostureKind::Desk => "desk",
            PostureKind::RunVideo => "run-video",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PostureKind::Standing => "Relaxed standing",
            PostureKind::Stacked => "Stacked position",
            PostureKind::Desk => "At the desk",
            PostureKind::RunVideo => "Run video",
        }
    }

    pub fn parse(s: &str) -> Option<PostureKind> {
        PostureKind::ALL.into_iter().find(|k| k.name() == s)
    }

    pub fn is_photo(self) -> bool {
        self != PostureKind::RunVideo
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ImageSize {
    pub width: f64,
    pub height: f64,
}

/// What a pose model said beyond the points, used only for the quality flags.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelHints {
    /// Both shoulders as the model saw them: far apart in the image means the body was not side-on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_shoulder: Option<Point>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right_shoulder: Option<Point>,
    /// The model's visibility (0–1) of the ear and the shoulder used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ear_visibility: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shoulder_visibility: Option<f64>,
    /// Which model placed the points (`lite`, `full`); informational.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

/// The named points of one side photo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Points {
    /// The small flap in front of the ear canal.
    pub tragus: Point,
    /// The bony bump at the base of the neck; estimated from shoulder and ear when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c7: Option<Point>,
    /// The acromion (top of the shoulder), or the model's shoulder point.
    pub shoulder: Point,
    /// The greater trochanter (side of the hip).
    pub hip: Point,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knee: Option<Point>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ankle: Option<Point>,
    /// The nose tells which way the runner faces when `facing` is not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nose: Option<Point>,
}

/// A side photo's landmarks: the points, and what is known about how they were placed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhotoLandmarks {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<PostureKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_on: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageSize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facing: Option<Facing>,
    /// The camera's roll in degrees: how far the image's horizontal is turned (clockwise) from the true horizontal,
    /// e.g. from the phone's level. 0 when the phone was upright.
    #[serde(default)]
    pub tilt_deg: f64,
    pub points: Points,
    /// C7 is where the estimate put it and nobody moved it: the CVA is then only a starting point.
    #[serde(default)]
    pub c7_estimated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelHints>,
}

/// One frame of a run video: the side of the body facing the camera.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Frame {
    /// Seconds from the start of the video.
    pub t: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ear: Option<Point>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shoulder: Option<Point>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hip: Option<Point>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nose: Option<Point>,
    /// The lowest model visibility (0–1) of ear, shoulder and hip; frames below 0.5 are left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// A run video's landmarks, one entry per analysed frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VideoLandmarks {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<PostureKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_on: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageSize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facing: Option<Facing>,
    #[serde(default)]
    pub tilt_deg: f64,
    /// How long the whole video is (frames may stop earlier when the person leaves the picture).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    pub frames: Vec<Frame>,
}

/// A landmark file: a photo or a video.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum LandmarkFile {
    Photo(PhotoLandmarks),
    Video(VideoLandmarks),
}

impl LandmarkFile {
    pub fn kind(&self) -> Option<PostureKind> {
        match self {
            LandmarkFile::Photo(p) => p.kind,
            LandmarkFile::Video(v) => v.kind,
        }
    }

    pub fn taken_on(&self) -> Option<Date> {
        match self {
            LandmarkFile::Photo(p) => p.taken_on,
            LandmarkFile::Video(v) => v.taken_on,
        }
    }
}

/// Reads a landmark file from JSON text. A `frames` array makes it a video, anything else must be a photo; errors
/// name the field (`points.c7.y`) and the problem.
pub fn parse_landmarks(text: &str) -> Result<LandmarkFile, InputError> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| InputError::new("landmarks", format!("not valid JSON (line {}): {e}", e.line())))?;
    let Some(obj) = value.as_object() else {
        return Err(InputError::new(
            "landmarks",
            "expected a JSON object with `points` (a photo) or `frames` (a video)",
        ));
    };
    if let Some(frames) = obj.get("frames") {
        if frames.as_array().is_some_and(|f| f.len() > MAX_FRAMES) {
            return Err(InputError::new(
                "frames",
                format!("too many frames (at most {MAX_FRAMES}: sample the video at 10 per second or fewer)"),
            ));
        }
        let v: VideoLandmarks = serde_path_to_error::deserialize(value).map_err(path_error)?;
        if v.kind.is_some_and(PostureKind::is_photo) {
            return Err(InputError::new("kind", "a file with `frames` is a run video (kind run-video)"));
        }
        Ok(LandmarkFile::Video(v))
    } else if obj.contains_key("points") {
        let p: PhotoLandmarks = serde_path_to_error::deserialize(value).map_err(path_error)?;
        if p.kind == Some(PostureKind::RunVideo) {
            return Err(InputError::new("kind", "a run video needs `frames`, not `points`"));
        }
        Ok(LandmarkFile::Photo(p))
    } else {
        Err(InputError::new("landmarks", "expected `points` (a photo) or `frames` (a video)"))
    }
}

fn path_error(e: serde_path_to_error::Error<serde_json::Error>) -> InputError {
    let path = e.path().to_string();
    let field = if path == "." { "landmarks".to_string() } else { path };
    InputError::new(field, e.into_inner().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_coordinate_is_named_by_its_path() {
        let e =
            parse_landmarks(r#"{"points":{"tragus":{"x":1,"y":2},"shoulder":{"x":1,"y":"a"},"hip":{"x":0,"y":9}}}"#)
                .unwrap_err();
        assert_eq!(e.field, "points.shoulder.y");
        let e = parse_landmarks(r#"{"points":{"tragus":{"x":1,"y":2},"hip":{"x":0,"y":9}}}"#).unwrap_err();
        assert!(e.message.contains("shoulder"), "{e}");
        let e = parse_landmarks(
            r#"{"points":{"tragus":{"x":1,"y":2},"shoulder":{"x":1,"y":3},"hip":{"x":0,"y":9},"elbow":{"x":0,"y":0}}}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("elbow"), "{e}");
    }

    #[test]
    fn photo_and_video_are_told_apart() {
        let p = parse_landmarks(
            r#"{"kind":"desk","points":{"tragus":{"x":1,"y":2},"shoulder":{"x":1,"y":3},"hip":{"x":0,"y":9}}}"#,
        )
        .unwrap();
        assert!(matches!(p, LandmarkFile::Photo(_)));
        assert_eq!(p.kind(), Some(PostureKind::Desk));
        let v = parse_landmarks(r#"{"frames":[{"t":0}]}"#).unwrap();
        assert!(matches!(v, LandmarkFile::Video(_)));
        assert!(parse_landmarks(r#"{"kind":"standing","frames":[]}"#).is_err());
        assert!(parse_landmarks("[1,2]").is_err());
        assert_eq!(parse_landmarks("{").unwrap_err().field, "landmarks");
    }
}
