//! The assessment: where it hurts, when, what the runner is exposed to, a baseline, and the
//! Patient-Specific Functional Scale (PSFS).
//!
//! Values are range-checked while they are deserialized, so an answers file with `baseline_pain = 11` fails with
//! the file's line and the field name from the TOML/JSON parser, plus the allowed range from here.

use crate::error::{InputError, check_range_f};
use runtall_content::{Condition, Equipment};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Declares a bounded number type that refuses out-of-range values at deserialization time.
macro_rules! bounded {
    ($(#[$doc:meta])* $name:ident, $min:expr, $max:expr, $unit:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
        #[serde(try_from = "f64", into = "f64")]
        pub struct $name(f64);

        impl $name {
            pub const MIN: f64 = $min;
            pub const MAX: f64 = $max;
            pub const UNIT: &'static str = $unit;

            pub fn new(value: f64) -> Result<Self, InputError> {
                check_range_f(stringify!($name), value, $min, $max).map($name)
            }

            pub fn get(self) -> f64 {
                self.0
            }
        }

        impl TryFrom<f64> for $name {
            type Error = String;
            fn try_from(value: f64) -> Result<Self, String> {
                if !value.is_finite() || !($min..=$max).contains(&value) {
                    Err(format!("{value} is out of range (allowed {}–{}{})", $min, $max, $unit))
                } else {
                    Ok($name(value))
                }
            }
        }

        impl From<$name> for f64 {
            fn from(v: $name) -> f64 {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}{}", self.0, $unit)
            }
        }
    };
}

bounded!(
    /// A 0–10 rating (pain on the numeric rating scale, or a PSFS activity score).
    Score,
    0.0,
    10.0,
    ""
);
bounded!(
    /// Kilometres per week.
    WeeklyKm,
    0.0,
    400.0,
    " km"
);
bounded!(
    /// Kilometres in one run.
    RunKm,
    0.0,
    250.0,
    " km"
);
bounded!(
    /// Hours in a day.
    DayHours,
    0.0,
    24.0,
    " h"
);
bounded!(
    /// Hours in a week.
    WeekHours,
    0.0,
    168.0,
    " h"
);
bounded!(
    /// A count per week (runs, speed sessions).
    PerWeek,
    0.0,
    14.0,
    ""
);
bounded!(
    /// Years of running.
    Years,
    0.0,
    80.0,
    " years"
);

/// Body regions of the assessment. Chest pain is deliberately not a region: it goes to the red-flag screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Region {
    Neck,
    UpperTrapLeft,
    UpperTrapRight,
    BetweenShoulderBlades,
    MidBack,
    RibSideLeft,
    RibSideRight,
    Shoulder,
    /// Accepted only so it can be routed to the red-flag screen; never part of a plan.
    Chest,
}

impl Region {
    pub const ALL: [Region; 9] = [
        Region::Neck,
        Region::UpperTrapLeft,
        Region::UpperTrapRight,
        Region::BetweenShoulderBlades,
        Region::MidBack,
        Region::RibSideLeft,
        Region::RibSideRight,
        Region::Shoulder,
        Region::Chest,
    ];

    /// The regions pain can be logged in, in the assessment's order: all but the chest, which goes to the red-flag
    /// screen instead of the journal. Both front ends offer this list; [`crate::journal::PainReport::check`]
    /// refuses the rest.
    pub const LOGGABLE: [Region; 8] = {
        // `ALL` without its last entry, the chest (the test below holds it to that).
        let mut out = [Region::Neck; 8];
        let mut i = 0;
        while i < out.len() {
            out[i] = Region::ALL[i];
            i += 1;
        }
        out
    };

    /// A short capitalised name for tight places (a body-map tooltip, a radio button, a list row); [`Region::label`]
    /// is the full one.
    pub fn short_label(self) -> &'static str {
        match self {
            Region::Neck => "Neck",
            Region::UpperTrapLeft => "Top of left shoulder",
            Region::UpperTrapRight => "Top of right shoulder",
            Region::BetweenShoulderBlades => "Between shoulder blades",
            Region::MidBack => "Mid-back",
            Region::RibSideLeft => "Left rib side",
            Region::RibSideRight => "Right rib side",
            Region::Shoulder => "Shoulder",
            Region::Chest => "Chest",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Region::Neck => "neck",
            Region::UpperTrapLeft => "top of the left shoulder (upper trapezius)",
            Region::UpperTrapRight => "top of the right shoulder (upper trapezius)",
            Region::BetweenShoulderBlades => "between the shoulder blades",
            Region::MidBack => "mid-back",
            Region::RibSideLeft => "left side of the rib cage",
            Region::RibSideRight => "right side of the rib cage",
            Region::Shoulder => "shoulder",
            Region::Chest => "chest",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Region::Neck => "neck",
            Region::UpperTrapLeft => "upper-trap-left",
            Region::UpperTrapRight => "upper-trap-right",
            Region::BetweenShoulderBlades => "between-shoulder-blades",
            Region::MidBack => "mid-back",
            Region::RibSideLeft => "rib-side-left",
            Region::RibSideRight => "rib-side-right",
            Region::Shoulder => "shoulder",
            Region::Chest => "chest",
        }
    }

    pub fn is_rib(self) -> bool {
        matches!(self, Region::RibSideLeft | Region::RibSideRight)
    }
}

impl std::str::FromStr for Region {
    type Err = InputError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Region::ALL.into_iter().find(|r| r.id() == s).ok_or_else(|| {
            let ids: Vec<_> = Region::ALL.iter().map(|r| r.id()).collect();
            InputError::new("region", format!("unknown region '{s}' (expected one of: {})", ids.join(", ")))
        })
    }
}

/// When the pain shows up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum When {
    LongRuns,
    SpeedWork,
    AfterRuns,
    NextMorning,
    AtDesk,
    AfterEatingBeforeRun,
    WithPack,
    AfterDriving,
    HardSurfaces,
}

impl When {
    pub const ALL: [When; 9] = [
        When::LongRuns,
        When::SpeedWork,
        When::AfterRuns,
        When::NextMorning,
        When::AtDesk,
        When::AfterEatingBeforeRun,
        When::WithPack,
        When::AfterDriving,
        When::HardSurfaces,
    ];

    pub fn id(self) -> &'static str {
        match self {
            When::LongRuns => "long-runs",
            When::SpeedWork => "speed-work",
            When::AfterRuns => "after-runs",
            When::NextMorning => "next-morning",
            When::AtDesk => "at-desk",
            When::AfterEatingBeforeRun => "after-eating-before-run",
            When::WithPack => "with-pack",
            When::AfterDriving => "after-driving",
            When::HardSurfaces => "hard-surfaces",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            When::LongRuns => "on long runs",
            When::SpeedWork => "during speed work",
            When::AfterRuns => "after runs",
            When::NextMorning => "the next morning",
            When::AtDesk => "at the desk",
            When::AfterEatingBeforeRun => "when I ate shortly before a run",
            When::WithPack => "when wearing a hydration pack or vest",
            When::AfterDriving => "after long drives or travel",
            When::HardSurfaces => "on hard surfaces (road, concrete)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Surface {
    Road,
    Concrete,
    Track,
    Treadmill,
    Trail,
    Grass,
}

impl Surface {
    pub const ALL: [Surface; 6] =
        [Surface::Road, Surface::Concrete, Surface::Track, Surface::Treadmill, Surface::Trail, Surface::Grass];

    pub fn id(self) -> &'static str {
        match self {
            Surface::Road => "road",
            Surface::Concrete => "concrete",
            Surface::Track => "track",
            Surface::Treadmill => "treadmill",
            Surface::Trail => "trail",
            Surface::Grass => "grass",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Surface::Road => "road",
            Surface::Concrete => "concrete / pavement",
            Surface::Track => "track",
            Surface::Treadmill => "treadmill",
            Surface::Trail => "trail",
            Surface::Grass => "grass",
        }
    }

    pub fn is_hard(self) -> bool {
        matches!(self, Surface::Road | Surface::Concrete)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackUse {
    #[default]
    Never,
    LongRuns,
    MostRuns,
}

impl PackUse {
    pub fn id(self) -> &'static str {
        match self {
            PackUse::Never => "never",
            PackUse::LongRuns => "long-runs",
            PackUse::MostRuns => "most-runs",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PackUse::Never => "never",
            PackUse::LongRuns => "on long runs",
            PackUse::MostRuns => "on most runs",
        }
    }
}

/// Training and daily-life exposures that the article and podcast link to neck and upper-back pain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exposures {
    pub runs_per_week: PerWeek,
    pub weekly_km: WeeklyKm,
    /// Usual long run; zero when the runner does not do long runs.
    pub long_run_km: RunKm,
    pub speed_sessions_per_week: PerWeek,
    pub surfaces: Vec<Surface>,
    #[serde(default)]
    pub hydration_pack: PackUse,
    pub sitting_hours_per_day: DayHours,
    #[serde(default = "zero_week_hours")]
    pub car_hours_per_week: WeekHours,
    pub years_running: Years,
    /// Training for a race that needs travel (car or plane).
    #[serde(default)]
    pub destination_race: bool,
}

fn zero_week_hours() -> WeekHours {
    WeekHours(0.0)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PsfsItem {
    /// An activity the runner finds hard because of the pain, in their words ("run 60 min without neck pain").
    pub activity: String,
    /// 0 = unable to do it, 10 = able to do it as before.
    pub score: Score,
}

/// The whole assessment, as answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    pub regions: Vec<Region>,
    pub when: Vec<When>,
    pub exposures: Exposures,
    /// Usual pain over the last week, 0–10.
    pub baseline_pain: Score,
    pub psfs: Vec<PsfsItem>,
    #[serde(default)]
    pub conditions: Vec<Condition>,
    #[serde(default)]
    pub equipment: Vec<Equipment>,
    /// Age in years, if given; used only to remind about the age-related screening question.
    #[serde(default)]
    pub age: Option<u32>,
}

/// One completed assessment, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentRecord {
    #[serde(default)]
    pub id: Option<i64>,
    pub taken_at: jiff::Timestamp,
    pub assessment: Assessment,
}

/// What to do with an assessment once it is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routing {
    /// Build the plan.
    Plan,
    /// Chest pain was reported: the red-flag screen comes first, and no plan is made from this assessment.
    ScreenFirst,
}

impl Assessment {
    /// Structural checks the types cannot express. Returns where the assessment should go next.
    pub fn check(&self) -> Result<Routing, InputError> {
        if self.regions.is_empty() {
            return Err(InputError::new("regions", "choose at least one region where it hurts"));
        }
        if !(3..=5).contains(&self.psfs.len()) {
            return Err(InputError::new(
                "psfs",
                format!("{} activities given; the functional scale needs 3 to 5", self.psfs.len()),
            ));
        }
        for (i, item) in self.psfs.iter().enumerate() {
            let len = item.activity.trim().chars().count();
            if len == 0 || len > 120 {
                return Err(InputError::new(
                    format!("psfs[{i}].activity"),
                    "describe the activity in 1–120 characters",
                ));
            }
        }
        if let Some(age) = self.age
            && !(10..=110).contains(&age)
        {
            return Err(InputError::new("age", format!("{age} is out of range (allowed 10–110)")));
        }
        let e = &self.exposures;
        if e.long_run_km.get() > 0.0 && e.weekly_km.get() > 0.0 && e.long_run_km.get() > e.weekly_km.get() {
            return Err(InputError::new(
                "exposures.long_run_km",
                format!("{} is longer than the weekly distance {}", e.long_run_km, e.weekly_km),
            ));
        }
        if e.speed_sessions_per_week.get() > e.runs_per_week.get() {
            return Err(InputError::new("exposures.speed_sessions_per_week", "more speed sessions than runs per week"));
        }
        if self.regions.contains(&Region::Chest) {
            return Ok(Routing::ScreenFirst);
        }
        Ok(Routing::Plan)
    }

    /// PSFS score: the mean of the activity scores.
    pub fn psfs_score(&self) -> f64 {
        if self.psfs.is_empty() {
            return 0.0;
        }
        self.psfs.iter().map(|i| i.score.get()).sum::<f64>() / self.psfs.len() as f64
    }

    pub fn has(&self, when: When) -> bool {
        self.when.contains(&when)
    }

    pub fn hurts(&self, region: Region) -> bool {
        self.regions.contains(&region)
    }

    pub fn has_condition(&self, c: Condition) -> bool {
        self.conditions.contains(&c)
    }

    pub fn owns(&self, e: Equipment) -> bool {
        self.equipment.contains(&e)
    }
}

/// Parses an answers file, choosing TOML or JSON by extension (TOML when unknown). Errors carry the parser's
/// line, column and field path.
pub fn parse_answers<T: serde::de::DeserializeOwned>(file_name: &str, text: &str) -> Result<T, InputError> {
    let is_json = file_name.to_ascii_lowercase().ends_with(".json");
    if is_json {
        serde_json::from_str(text)
            .map_err(|e| InputError::new(file_name, format!("line {}, column {}: {}", e.line(), e.column(), e)))
    } else {
        toml::from_str(text).map_err(|e| InputError::new(file_name, toml_message(text, &e)))
    }
}

/// toml's error already names the key; add the line number explicitly so it is always in the first line.
fn toml_message(text: &str, e: &toml::de::Error) -> String {
    let msg = e.message().trim().to_string();
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            let snippet = text.lines().nth(line - 1).unwrap_or("").trim();
            format!("line {line}: {msg} (at `{snippet}`)")
        }
        None => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const EXAMPLE: &str = include_str!("../../../examples/assessment.toml");

    #[test]
    fn every_region_but_the_chest_is_loggable_and_named_shortly() {
        let all_but_chest: Vec<Region> = Region::ALL.into_iter().filter(|r| *r != Region::Chest).collect();
        assert_eq!(Region::LOGGABLE.to_vec(), all_but_chest);
        let short: std::collections::BTreeSet<&str> = Region::ALL.iter().map(|r| r.short_label()).collect();
        assert_eq!(short.len(), Region::ALL.len(), "two regions share a short name");
    }

    #[test]
    fn the_example_file_parses_and_routes_to_a_plan() {
        let a: Assessment = parse_answers("assessment.toml", EXAMPLE).expect("example parses");
        assert_eq!(a.check(), Ok(Routing::Plan));
        assert!(a.psfs_score() > 0.0);
    }

    #[test]
    fn out_of_range_values_name_line_field_and_range() {
        let bad = EXAMPLE.replace("baseline_pain = 5", "baseline_pain = 11");
        let err = parse_answers::<Assessment>("a.toml", &bad).expect_err("pain 11");
        let text = err.to_string();
        assert!(text.contains("a.toml"), "{text}");
        assert!(text.contains("line "), "{text}");
        assert!(text.contains("allowed 0–10"), "{text}");
        assert!(text.contains("baseline_pain"), "{text}");

        let bad = EXAMPLE.replace("sitting_hours_per_day = 9", "sitting_hours_per_day = -2");
        let err = parse_answers::<Assessment>("a.toml", &bad).expect_err("negative hours").to_string();
        assert!(err.contains("allowed 0–24"), "{err}");
    }

    #[test]
    fn malformed_files_and_unknown_fields_are_named() {
        let err = parse_answers::<Assessment>("a.toml", "regions = [\"neck\"\n").expect_err("syntax").to_string();
        assert!(err.contains("line "), "{err}");
        let bad = EXAMPLE.replace("regions =", "region =");
        let err = parse_answers::<Assessment>("a.toml", &bad).expect_err("unknown field").to_string();
        assert!(err.contains("region"), "{err}");
        let err = parse_answers::<Assessment>("a.json", "{\"regions\": [\"knee\"]}").expect_err("json").to_string();
        assert!(err.contains("line 1"), "{err}");
        assert!(err.contains("knee"), "{err}");
    }

    #[test]
    fn chest_goes_to_the_screen_and_psfs_needs_three_to_five() {
        let mut a: Assessment = parse_answers("a.toml", EXAMPLE).expect("parses");
        a.regions.push(Region::Chest);
        assert_eq!(a.check(), Ok(Routing::ScreenFirst));
        a.regions.pop();
        a.psfs.truncate(2);
        assert_eq!(a.check().expect_err("psfs").field, "psfs");
    }

    #[test]
    fn inconsistent_exposures_are_refused() {
        let mut a: Assessment = parse_answers("a.toml", EXAMPLE).expect("parses");
        a.exposures.long_run_km = RunKm::new(90.0).expect("in range");
        assert_eq!(a.check().expect_err("long > weekly").field, "exposures.long_run_km");
    }
}
