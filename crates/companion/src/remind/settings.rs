//! The reminder settings a runner keeps (edited on the web Settings page, stored by the front end under
//! [`KEY`]) and that `runtall remind` uses when no flags are given.
//!
//! Only what a runner decides is kept — on or off, the walk and shift intervals, working hours and the daily skip
//! cap; snooze and timeouts stay the program's defaults. Changes are checked field by field so a form can show
//! every problem next to its input at once, with the allowed range.

use super::{ReminderConfig, WorkingHours};
use jiff::civil::Time;
use runtall_content::HabitDefaults;
use runtall_domain::plan::Weekday;
use serde::{Deserialize, Serialize};

/// The key the settings are stored under.
pub const KEY: &str = "reminders";

/// Allowed ranges, as [`ReminderConfig::validate`] checks them.
pub const WALK_RANGE: (u32, u32) = (5, 240);
pub const SHIFT_RANGE: (u32, u32) = (5, 120);
pub const MAX_SKIPS: u32 = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderSettings {
    /// Off: `runtall remind` without flags says so and does not start.
    pub enabled: bool,
    pub walk_every_min: u32,
    /// 0 turns the position-change prompts off.
    pub shift_every_min: u32,
    pub max_skips_per_day: u32,
    /// `None`: any time of day, every day.
    pub working_hours: Option<WorkingHours>,
}

/// A problem with one field, named as in [`ReminderChanges`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// What the runner asked to change; `None` leaves a value as it is. Field names are those of the JSON API and
/// of the web form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderChanges {
    pub enabled: Option<bool>,
    pub walk_every_min: Option<u32>,
    pub shift_every_min: Option<u32>,
    pub max_skips_per_day: Option<u32>,
    /// True: any time of day (working hours ignored). False: use working hours (09:00–17:30 on weekdays unless
    /// `start`, `end` or `days` say otherwise).
    pub any_time: Option<bool>,
    /// `HH:MM`.
    pub start: Option<String>,
    /// `HH:MM`, after `start`.
    pub end: Option<String>,
    /// `mon` … `sun`.
    pub days: Option<Vec<String>>,
}

fn default_hours() -> Option<WorkingHours> {
    WorkingHours::weekdays(Time::constant(9, 0, 0, 0), Time::constant(17, 30, 0, 0)).ok()
}

/// Reads `09:00` (or `09:00:00`, as some browsers send a time input).
fn parse_time(s: &str) -> Option<Time> {
    let mut parts = s.trim().split(':');
    let h: i8 = parts.next()?.parse().ok()?;
    let m: i8 = parts.next()?.parse().ok()?;
    let sec: i8 = match parts.next() {
        Some(x) => x.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    Time::new(h, m, sec, 0).ok()
}

fn hhmm(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

impl ReminderSettings {
    /// On, with the content's intervals, 09:00–17:30 on weekdays and three skips a day — what `runtall remind`
    /// does with no settings saved.
    pub fn from_defaults(d: &HabitDefaults) -> ReminderSettings {
        let c = ReminderConfig::from_defaults(d);
        ReminderSettings {
            enabled: true,
            walk_every_min: c.walk_every_min,
            shift_every_min: c.shift_every_min,
            max_skips_per_day: c.max_skips_per_day,
            working_hours: c.working_hours,
        }
    }

    /// The stored settings, or the defaults when none were saved. A stored value that no longer reads or no longer
    /// passes the checks is an error (it names the field) rather than being silently replaced.
    pub fn from_stored(value: Option<&serde_json::Value>, d: &HabitDefaults) -> Result<ReminderSettings, String> {
        let Some(v) = value else { return Ok(ReminderSettings::from_defaults(d)) };
        let s: ReminderSettings = serde_json::from_value(v.clone())
            .map_err(|e| format!("the saved reminder settings cannot be read ({e}); save them again in Settings"))?;
        s.config(d).validate().map_err(|e| format!("the saved reminder settings are not usable: {e}"))?;
        Ok(s)
    }

    /// The scheduler's configuration: these settings over the program's defaults.
    pub fn config(&self, d: &HabitDefaults) -> ReminderConfig {
        ReminderConfig {
            walk_every_min: self.walk_every_min,
            shift_every_min: self.shift_every_min,
            max_skips_per_day: self.max_skips_per_day,
            working_hours: self.working_hours.clone(),
            ..ReminderConfig::from_defaults(d)
        }
    }

    /// Applies the changes, or lists every field that is out of range or unreadable (nothing is changed then).
    pub fn apply(&self, c: &ReminderChanges, d: &HabitDefaults) -> Result<ReminderSettings, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut bad = |field: &'static str, message: String| errors.push(FieldError { field, message });
        let mut out = self.clone();
        if let Some(on) = c.enabled {
            out.enabled = on;
        }
        if let Some(m) = c.walk_every_min {
            let (lo, hi) = WALK_RANGE;
            if (lo..=hi).contains(&m) {
                out.walk_every_min = m;
            } else {
                bad("walk_every_min", format!("{m} min is out of range (allowed {lo}–{hi} min)"));
            }
        }
        if let Some(m) = c.shift_every_min {
            let (lo, hi) = SHIFT_RANGE;
            if m == 0 || (lo..=hi).contains(&m) {
                out.shift_every_min = m;
            } else {
                bad("shift_every_min", format!("{m} min is out of range (allowed {lo}–{hi} min, or 0 for off)"));
            }
        }
        if let Some(n) = c.max_skips_per_day {
            if n <= MAX_SKIPS {
                out.max_skips_per_day = n;
            } else {
                bad("max_skips_per_day", format!("{n} is out of range (allowed 0–{MAX_SKIPS})"));
            }
        }
        let touches_hours = c.start.is_some() || c.end.is_some() || c.days.is_some();
        if c.any_time == Some(true) {
            out.working_hours = None;
        } else if c.any_time == Some(false) || touches_hours {
            let base = out.working_hours.clone().or_else(default_hours);
            let (mut start, mut end, mut days) = match base {
                Some(h) => (h.start, h.end, h.days),
                None => (Time::constant(9, 0, 0, 0), Time::constant(17, 30, 0, 0), Vec::new()),
            };
            let mut times_ok = true;
            if let Some(s) = c.start.as_deref() {
                match parse_time(s) {
                    Some(t) => start = t,
                    None => {
                        times_ok = false;
                        bad("start", format!("'{s}' is not a time like 09:00"));
                    }
                }
            }
            if let Some(s) = c.end.as_deref() {
                match parse_time(s) {
                    Some(t) => end = t,
                    None => {
                        times_ok = false;
                        bad("end", format!("'{s}' is not a time like 17:30"));
                    }
                }
            }
            if times_ok && end <= start {
                bad("end", format!("must be after the start ({})", hhmm(start)));
            }
            if let Some(list) = &c.days {
                let mut parsed = Vec::new();
                for name in list {
                    match serde_json::from_value::<Weekday>(serde_json::Value::String(name.trim().to_lowercase())) {
                        Ok(w) if !parsed.contains(&w) => parsed.push(w),
                        Ok(_) => {}
                        Err(_) => bad("days", format!("'{name}' is not a day (mon, tue, wed, thu, fri, sat, sun)")),
                    }
                }
                parsed.sort();
                days = parsed;
            }
            if days.is_empty() {
                bad("days", "choose at least one day, or \"any time\"".to_string());
            }
            out.working_hours = Some(WorkingHours { start, end, days });
        }
        if errors.is_empty()
            && let Err(e) = out.config(d).validate()
        {
            errors.push(FieldError { field: "walk_every_min", message: e.to_string() });
        }
        if errors.is_empty() { Ok(out) } else { Err(errors) }
    }

    /// One line: "On: walk every 30 min, change position every 20 min, Mon–Fri 09:00–17:30, 3 skips a day".
    pub fn summary(&self) -> String {
        if !self.enabled {
            return "Off".to_string();
        }
        let shift = if self.shift_every_min == 0 {
            "no position-change prompts".to_string()
        } else {
            format!("change position every {} min", self.shift_every_min)
        };
        let when = match &self.working_hours {
            None => "any time of day".to_string(),
            Some(h) => format!("{} {}–{}", days_label(&h.days), hhmm(h.start), hhmm(h.end)),
        };
        format!(
            "On: walk every {} min, {shift}, {when}, {} skip{} a day",
            self.walk_every_min,
            self.max_skips_per_day,
            if self.max_skips_per_day == 1 { "" } else { "s" }
        )
    }

    /// `start` and `end` as `HH:MM` for a form (the defaults when any time of day is set).
    pub fn hours_hhmm(&self) -> (String, String) {
        let h = self.working_hours.clone().or_else(default_hours);
        h.map_or(("09:00".into(), "17:30".into()), |h| (hhmm(h.start), hhmm(h.end)))
    }
}

/// "Mon–Fri", "every day", or the days listed.
pub fn days_label(days: &[Weekday]) -> String {
    let weekdays: Vec<Weekday> = Weekday::ALL.into_iter().filter(|d| d.is_workday()).collect();
    if days.len() == 7 {
        "every day".to_string()
    } else if days == weekdays.as_slice() {
        "Mon–Fri".to_string()
    } else {
        days.iter().map(|d| d.name()).collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runtall_content::program;

    fn defaults() -> &'static HabitDefaults {
        &program().habit_defaults
    }

    #[test]
    fn no_saved_settings_means_the_program_defaults_and_reminders_on() {
        let s = ReminderSettings::from_stored(None, defaults()).expect("defaults");
        assert!(s.enabled);
        assert_eq!((s.walk_every_min, s.shift_every_min), (defaults().walk_every_min, defaults().shift_every_min));
        assert_eq!(s.config(defaults()), ReminderConfig::from_defaults(defaults()));
        assert!(s.summary().starts_with("On: walk every 30 min"), "{}", s.summary());
        assert!(s.summary().contains("Mon–Fri 09:00–17:30"), "{}", s.summary());
    }

    #[test]
    fn changes_are_applied_and_round_trip_through_json() {
        let s = ReminderSettings::from_defaults(defaults());
        let c = ReminderChanges {
            enabled: Some(false),
            walk_every_min: Some(45),
            shift_every_min: Some(0),
            start: Some("08:15".into()),
            end: Some("16:00:00".into()),
            days: Some(vec!["tue".into(), "mon".into(), "Sat".into()]),
            ..ReminderChanges::default()
        };
        let out = s.apply(&c, defaults()).expect("valid");
        let h = out.working_hours.clone().expect("hours");
        assert_eq!((h.start, h.end), (Time::constant(8, 15, 0, 0), Time::constant(16, 0, 0, 0)));
        assert_eq!(h.days, vec![Weekday::Mon, Weekday::Tue, Weekday::Sat]);
        assert_eq!(out.summary(), "Off");
        let json = serde_json::to_value(&out).expect("json");
        assert_eq!(ReminderSettings::from_stored(Some(&json), defaults()).expect("reads"), out);
        let any = out.apply(&ReminderChanges { any_time: Some(true), ..Default::default() }, defaults()).expect("any");
        assert_eq!(any.working_hours, None);
        assert_eq!(any.config(defaults()).working_hours, None);
    }

    #[test]
    fn every_bad_field_is_reported_with_its_range_and_nothing_changes() {
        let s = ReminderSettings::from_defaults(defaults());
        let c = ReminderChanges {
            walk_every_min: Some(2),
            shift_every_min: Some(3),
            max_skips_per_day: Some(50),
            start: Some("9am".into()),
            days: Some(vec![]),
            ..ReminderChanges::default()
        };
        let errors = s.apply(&c, defaults()).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["walk_every_min", "shift_every_min", "max_skips_per_day", "start", "days"]);
        assert!(errors[0].message.contains("allowed 5–240 min"), "{}", errors[0].message);
        assert!(errors[1].message.contains("0 for off"));
        let backwards =
            ReminderChanges { start: Some("17:00".into()), end: Some("09:00".into()), ..Default::default() };
        let e = s.apply(&backwards, defaults()).expect_err("end before start");
        assert_eq!((e[0].field, e[0].message.as_str()), ("end", "must be after the start (17:00)"));
    }

    #[test]
    fn a_saved_value_that_no_longer_reads_is_an_error_not_a_silent_default() {
        let broken = serde_json::json!({ "enabled": "yes" });
        assert!(ReminderSettings::from_stored(Some(&broken), defaults()).is_err());
        let mut bad = serde_json::to_value(ReminderSettings::from_defaults(defaults())).expect("json");
        bad["walk_every_min"] = serde_json::json!(1);
        let e = ReminderSettings::from_stored(Some(&bad), defaults()).expect_err("out of range");
        assert!(e.contains("walk interval"), "{e}");
    }
}
