//! Posture measured from landmarks on a side photo or a run video: the craniovertebral angle (CVA), how far the head
//! sits ahead of the shoulder, trunk lean, and how well shoulder, hip and ankle stack — with their measurement error
//! and the trend over time.
//!
//! Pure: landmark coordinates in, numbers and verdicts out. The browser (MediaPipe Pose) or any other tool only
//! *places* points; every angle, every quality flag and every "is this a real change" is decided here, so the CLI,
//! the web app and the tests agree by construction.
//!
//! Coordinates are image pixels with `y` pointing down, as every image format and the browser use. Each measure is
//! taken in a corrected frame: the camera's roll (`tilt_deg`) is undone and the image is mirrored when the runner
//! faces left, so "forward" is always `+x` and "up" is always `+y`. That makes every measure independent of image
//! scale, position, camera roll (when it is given) and which way the runner faced.
//!
//! The CVA's cut-offs are not validated (evidence brief §3): it is shown as a personal trend, never as a diagnosis.

mod geometry;
mod input;
mod trend;
mod video;

pub use geometry::{Facing, FacingSource, PhotoMeasures, QualityFlag, Stack, estimate_c7, measure_photo};
pub use input::{
    Frame, ImageSize, LandmarkFile, ModelHints, PhotoLandmarks, Point, PostureKind, VideoLandmarks, parse_landmarks,
};
pub use trend::{
    CVA_MDC_DEG, CVA_MDC_SOURCE, Change, MeasureTrend, PostureHistory, Sample, TrendPoint, Verdict, own_mdc, trend,
};
pub use video::{MinuteStat, RunDrift, VideoSummary, summarize_video};

/// The most frames one video may carry: 100 minutes at 10 frames a second. Bounds memory and time on any input.
pub const MAX_FRAMES: usize = 60_000;
