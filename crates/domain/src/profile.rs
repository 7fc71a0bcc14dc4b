//! The runner's profile: settings that shape every screen (units, emergency number) and the health conditions
//! that rule items out.

use crate::emergency;
use runtall_content::Condition;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Units {
    #[default]
    Km,
    Mi,
}

/// Stored state, never typed by the runner as a whole (the settings form and `runtall profile` take their own
/// fields), so unknown fields are ignored: a profile saved by a newer binary stays readable here. Fields added
/// after the first release are stored beside the record (`runtall_store::profile_shape`) so earlier binaries,
/// which did refuse unknown fields, can still read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Profile {
    pub name: String,
    #[serde(default)]
    pub units: Units,
    /// ISO 3166 alpha-2 country code for the emergency number; unknown means the default wording.
    #[serde(default)]
    pub country: Option<String>,
    /// True for the bundled sample runner, so `runtall demo` knows it may replace it.
    #[serde(default)]
    pub demo: bool,
    /// Minutes of routines a day the runner chose for Today; none means the default (15 on run days, 20 on rest
    /// days). Stored beside the profile record, not in it (see above).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_budget: Option<crate::plan::DayBudget>,
}

impl Profile {
    /// The daily budget Today keeps: the runner's choice, else the default.
    pub fn budget(&self) -> crate::plan::DayBudget {
        self.day_budget.unwrap_or_default()
    }

    pub fn emergency_number(&self) -> String {
        emergency::emergency_number(self.country.as_deref())
    }

    /// The emergency numbers as (digits to dial, wording), for tap-to-call links.
    pub fn emergency_dial(&self) -> Vec<(String, String)> {
        emergency::dial_options(self.country.as_deref())
    }
}

/// Health conditions in plain words, for prompts and summaries.
pub fn condition_label(c: Condition) -> &'static str {
    match c {
        Condition::Osteoporosis => "osteoporosis or low bone density",
        Condition::LongTermSteroids => "long-term steroid tablets",
        Condition::KidneyDisease => "kidney disease",
        Condition::Pregnancy => "pregnancy",
        Condition::InteractingMedicines => {
            "medicines that interact with magnesium (some antibiotics, bisphosphonates, diuretics, acid reducers, digoxin, iron, laxatives or antacids with magnesium)"
        }
        Condition::ShoulderInjury => "a current shoulder injury",
        Condition::SensitiveSkin => "skin that reacts to plasters or tape",
    }
}

pub const ALL_CONDITIONS: [Condition; 7] = Condition::ALL;
