//! Race travel: a day-by-day plan for getting to a destination race and home again, built from the
//! physical therapist's advice in the article and the numbers in [`HabitDefaults`]:
//! arrive one to two days early, break up drives about every hour, keep long journeys away from the race and
//! from long runs, and travel home the day after the race — with the `travel-day` routine on travel days and
//! the day after.
//!
//! "Straight before or after" is read as: no long journey on the day before the race or a long run (you would
//! start stiff), and none on the day of the race or a long run (you would sit for hours straight after it). The
//! day after the race is the recommended day to go home. A journey counts as long above
//! `HabitDefaults::long_drive_hours`; long flights are treated like long drives, because the seat is the
//! problem, not the vehicle.
//!
//! The plan is a race plan (a race day, its pre-race routine, a shake-out run), so it follows the safety gate like
//! the cue planner does: when the gate holds race runs back (locked, paused, no running, or a reduced program) there
//! is no trip to plan, and the refusal carries the gate's reason.

use jiff::ToSpan;
use jiff::civil::Date;
use runtall_content::{Citation, HabitArea, Program, RunType};
use runtall_domain::safety::Permissions;
use serde::{Deserialize, Serialize};

/// Longest single-day drive the planner accepts.
pub const MAX_DRIVE_HOURS: f32 = 16.0;
/// Longest journey by air (with connections) the planner accepts.
pub const MAX_FLIGHT_HOURS: f32 = 30.0;
/// How far ahead a race can be planned.
pub const MAX_DAYS_AHEAD: i32 = 730;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TravelError {
    #[error("{what} {date} is in the past (today is {today})")]
    InThePast { what: &'static str, date: Date, today: Date },
    #[error("the race date {0} is more than two years away")]
    TooFarAhead(Date),
    #[error("{hours} hours of {mode} is out of range (allowed more than 0 and up to {max} hours)")]
    Hours { mode: &'static str, hours: f32, max: f32 },
    #[error("the departure {depart} is after the race on {race}")]
    DepartAfterRace { depart: Date, race: Date },
    #[error("the return {ret} is before the race on {race}")]
    ReturnBeforeRace { ret: Date, race: Date },
    #[error("the return {ret} is more than 14 days after the race")]
    ReturnTooLate { ret: Date },
    #[error("date arithmetic failed near {0}")]
    Date(Date),
    /// The safety gate holds race runs back; the reason is the gate's own ("race runs wait: …").
    #[error("no race trip to plan now: {0}")]
    NotAllowed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TravelMode {
    Drive { hours: f32 },
    Flight { hours: f32 },
}

impl TravelMode {
    /// "4 h drive", as the plan's first line says it in the terminal and on the page.
    pub fn label(self) -> String {
        match self {
            TravelMode::Drive { hours } => format!("{hours} h drive"),
            TravelMode::Flight { hours } => format!("{hours} h flight"),
        }
    }

    pub fn hours(self) -> f32 {
        match self {
            TravelMode::Drive { hours } | TravelMode::Flight { hours } => hours,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            TravelMode::Drive { .. } => "drive",
            TravelMode::Flight { .. } => "flight",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TravelOptions {
    pub today: Date,
    /// The runner's own departure day; the planner picks one when absent.
    pub depart: Option<Date>,
    /// The runner's own return day; default: the day after the race.
    pub return_on: Option<Date>,
}

impl TravelOptions {
    pub fn new(today: Date) -> TravelOptions {
        TravelOptions { today, depart: None, return_on: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DayRole {
    TravelOut,
    /// Between arrival and race day: settle in.
    Settle,
    Race,
    /// After the race, before going home.
    Stay,
    TravelHome,
    /// The day after a travel day: the travel-day routine again.
    AfterTravel,
}

impl DayRole {
    /// The day's role in a few words ("race day"), the same in the terminal and on the page.
    pub fn label(self) -> &'static str {
        match self {
            DayRole::TravelOut => "travel out",
            DayRole::Settle => "settle in",
            DayRole::Race => "race day",
            DayRole::Stay => "stay",
            DayRole::TravelHome => "travel home",
            DayRole::AfterTravel => "after travel",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TravelDay {
    pub date: Date,
    pub role: DayRole,
    /// What to do, in order.
    pub items: Vec<String>,
    /// Routine ids for the day (`runtall guide ID`).
    pub routines: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningCode {
    TravelOnRaceDay,
    LongTravelDayBeforeRace,
    LongTravelAfterRace,
    LongTravelNearLongRun,
    LateArrival,
    NotEnoughNotice,
    VeryLongDrive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TravelWarning {
    pub code: WarningCode,
    pub date: Option<Date>,
    pub message: String,
}

/// The travel habits the plan is built from, with their sources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TravelAdvice {
    pub habit: String,
    pub title: String,
    pub cite: Vec<Citation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TravelPlan {
    pub race: Date,
    pub travel: TravelMode,
    /// Over the long-journey threshold.
    pub long_journey: bool,
    pub depart: Date,
    pub return_on: Date,
    /// Planned stops on a drive, as minutes from departure.
    pub stops_min: Vec<u32>,
    pub days: Vec<TravelDay>,
    pub warnings: Vec<TravelWarning>,
    pub advice: Vec<TravelAdvice>,
}

fn add_days(d: Date, n: i32) -> Result<Date, TravelError> {
    d.checked_add(n.days()).map_err(|_| TravelError::Date(d))
}

fn days_between(a: Date, b: Date) -> i32 {
    a.until(b).map_or(0, |s| s.get_days())
}

/// Plans the trip within what the safety gate allows (`permissions`: the race run type must be allowed).
/// `long_run_dates` are the runner's planned long runs (past ones are ignored).
pub fn plan_travel(
    program: &Program,
    permissions: &Permissions,
    race: Date,
    travel: TravelMode,
    long_run_dates: &[Date],
    options: &TravelOptions,
) -> Result<TravelPlan, TravelError> {
    let race_run = permissions.run(RunType::Race);
    if !race_run.allowed {
        return Err(TravelError::NotAllowed(race_run.reason.clone().unwrap_or_default()));
    }
    let d = &program.habit_defaults;
    let today = options.today;
    let (mode, max) = match travel {
        TravelMode::Drive { .. } => ("driving", MAX_DRIVE_HOURS),
        TravelMode::Flight { .. } => ("flying", MAX_FLIGHT_HOURS),
    };
    let hours = travel.hours();
    if !hours.is_finite() || hours <= 0.0 || hours > max {
        return Err(TravelError::Hours { mode, hours, max });
    }
    if race < today {
        return Err(TravelError::InThePast { what: "the race date", date: race, today });
    }
    if days_between(today, race) > MAX_DAYS_AHEAD {
        return Err(TravelError::TooFarAhead(race));
    }
    if let Some(dep) = options.depart {
        if dep < today {
            return Err(TravelError::InThePast { what: "the departure", date: dep, today });
        }
        if dep > race {
            return Err(TravelError::DepartAfterRace { depart: dep, race });
        }
    }
    if let Some(ret) = options.return_on {
        if ret < race {
            return Err(TravelError::ReturnBeforeRace { ret, race });
        }
        if days_between(race, ret) > 14 {
            return Err(TravelError::ReturnTooLate { ret });
        }
    }
    let long = hours > d.long_drive_hours;
    let long_runs: Vec<Date> = long_run_dates.iter().copied().filter(|l| *l >= today).collect();
    // A long journey on `day` clashes with a long run that day or the next.
    let clashes = |day: Date| -> Option<Date> {
        if !long {
            return None;
        }
        long_runs.iter().copied().find(|l| *l == day || add_days(day, 1).is_ok_and(|n| n == *l))
    };

    let mut warnings = Vec::new();
    let min_before = d.arrive_days_before_min as i32;
    let max_before = d.arrive_days_before_max as i32;
    let depart = match options.depart {
        Some(dep) => dep,
        None => {
            // Long journeys leave a free day before the race; short ones can arrive the day before.
            let order: Vec<i32> =
                if long { (min_before..=max_before).rev().collect() } else { (min_before..=max_before).collect() };
            let mut candidates = Vec::new();
            for n in order {
                let day = add_days(race, -n)?;
                if day >= today {
                    candidates.push(day);
                }
            }
            let free =
                candidates.iter().copied().find(|c| clashes(*c).is_none() && !(long && days_between(*c, race) < 2));
            match (free, candidates.first()) {
                (Some(c), _) => c,
                (None, Some(first)) => *first,
                (None, None) => {
                    warnings.push(TravelWarning {
                        code: WarningCode::NotEnoughNotice,
                        date: Some(today),
                        message: format!(
                            "The race is too soon to arrive {min_before}–{max_before} days early; travel as early as you can and keep race day easy."
                        ),
                    });
                    today.min(race)
                }
            }
        }
    };
    let return_on = match options.return_on {
        Some(r) => r,
        None => add_days(race, d.return_days_after as i32)?,
    };

    let noun = travel.noun();
    let before = days_between(depart, race);
    if depart == race {
        warnings.push(TravelWarning {
            code: WarningCode::TravelOnRaceDay,
            date: Some(depart),
            message: format!("You would {noun} on race day. Arrive {min_before}–{max_before} days early if you can."),
        });
    } else if before == 1 && long {
        warnings.push(TravelWarning {
            code: WarningCode::LongTravelDayBeforeRace,
            date: Some(depart),
            message: format!(
                "A {hours} h {noun} the day before the race leaves little time for the stiffness to settle; leave a day earlier."
            ),
        });
    } else if before < min_before && depart != race {
        warnings.push(TravelWarning {
            code: WarningCode::LateArrival,
            date: Some(depart),
            message: format!(
                "Arriving {} before the race; {min_before}–{max_before} days is the advice.",
                runtall_domain::text::count(before, "day", "days")
            ),
        });
    }
    if return_on == race && long {
        warnings.push(TravelWarning {
            code: WarningCode::LongTravelAfterRace,
            date: Some(return_on),
            message: format!(
                "A {hours} h {noun} straight after the race: stay one more night and go home the next day."
            ),
        });
    }
    for (what, day) in [("out", depart), ("home", return_on)] {
        if let Some(l) = clashes(day) {
            let when = if l == day { "the same day as" } else { "the day before" };
            warnings.push(TravelWarning {
                code: WarningCode::LongTravelNearLongRun,
                date: Some(day),
                message: format!(
                    "The {hours} h {noun} {what} on {day} is {when} your long run on {l}: move the long run, run it at your destination, or travel on another day."
                ),
            });
        }
    }
    if matches!(travel, TravelMode::Drive { .. }) && hours > 8.0 {
        warnings.push(TravelWarning {
            code: WarningCode::VeryLongDrive,
            date: None,
            message: format!(
                "{hours} h is a very long day behind the wheel; consider splitting the drive over two days."
            ),
        });
    }

    // Stops on a drive, about every `drive_break_every_min`, never in the last half hour (you are nearly there).
    let mut stops_min = Vec::new();
    if matches!(travel, TravelMode::Drive { .. }) {
        let total_min = (hours * 60.0).round() as u32;
        let every = d.drive_break_every_min.max(15);
        let mut t = every;
        while t + 30 <= total_min {
            stops_min.push(t);
            t += every;
        }
    }

    let days = build_days(program, race, travel, depart, return_on, &stops_min, &long_runs)?;
    let advice = program
        .habits
        .iter()
        .filter(|h| h.area == HabitArea::Travel || h.id == "knees-below-hips" || h.id == "lumbar-roll")
        .map(|h| TravelAdvice { habit: h.id.clone(), title: h.title.clone(), cite: h.cite.clone() })
        .collect();
    Ok(TravelPlan { race, travel, long_journey: long, depart, return_on, stops_min, days, warnings, advice })
}

fn hm(min: u32) -> String {
    format!("{}:{:02}", min / 60, min % 60)
}

fn journey_items(program: &Program, travel: TravelMode, stops_min: &[u32], out: bool) -> Vec<String> {
    let d = &program.habit_defaults;
    let mut items = vec![
        "Set up the seat: knees a little below the hips, a rolled towel or lumbar roll at belt height.".to_string(),
    ];
    match travel {
        TravelMode::Drive { hours } => {
            items.push(format!("Drive about {hours} h with a stop roughly every {} min.", d.drive_break_every_min));
            if !stops_min.is_empty() {
                let at: Vec<String> = stops_min.iter().map(|m| hm(*m)).collect();
                items.push(format!(
                    "Stops at about {} into the drive: walk for a few minutes, stand tall, a few shoulder-blade squeezes.",
                    at.join(", ")
                ));
            }
        }
        TravelMode::Flight { hours } => {
            items.push(format!(
                "Fly about {hours} h: walk the aisle every {} min or so when you can, and reset how you sit every {} min.",
                d.walk_every_min, d.shift_every_min
            ));
        }
    }
    items.push(if out {
        "On arrival: the travel-day routine (towel roll, open book, slow breathing).".to_string()
    } else {
        "At home: the travel-day routine before bed.".to_string()
    });
    items
}

fn build_days(
    program: &Program,
    race: Date,
    travel: TravelMode,
    depart: Date,
    return_on: Date,
    stops_min: &[u32],
    long_runs: &[Date],
) -> Result<Vec<TravelDay>, TravelError> {
    let travel_routine = program.routine("travel-day").map(|r| r.id.clone());
    let pre = program.pre_run_routine(RunType::Race).map(|r| r.id.clone());
    let post = program.post_run_routine(RunType::Race).map(|r| r.id.clone());
    let mobility = program.routine("daily-mobility").map(|r| r.id.clone());
    let last = add_days(return_on, 1)?;
    let mut days = Vec::new();
    let mut day = depart;
    while day <= last {
        let after_travel = day == add_days(depart, 1)? || day == add_days(return_on, 1)?;
        let (role, mut items, mut routines): (DayRole, Vec<String>, Vec<Option<String>>) = if day == depart
            && day == race
        {
            let mut items = journey_items(program, travel, stops_min, true);
            items.push("Race today: keep the warm-up easy after the journey.".into());
            (DayRole::Race, items, vec![travel_routine.clone(), pre.clone(), post.clone()])
        } else if day == depart {
            (DayRole::TravelOut, journey_items(program, travel, stops_min, true), vec![travel_routine.clone()])
        } else if day == race && day == return_on {
            let mut items = vec!["Race day: pre-race routine, race, then the post-run reset.".to_string()];
            items.extend(journey_items(program, travel, stops_min, false));
            (DayRole::Race, items, vec![pre.clone(), post.clone(), travel_routine.clone()])
        } else if day == race {
            (
                DayRole::Race,
                vec![
                    "Race day: the pre-race routine before the warm-up.".to_string(),
                    "After the finish: the post-run reset, then walk around rather than sitting for long.".to_string(),
                ],
                vec![pre.clone(), post.clone()],
            )
        } else if day == return_on {
            (DayRole::TravelHome, journey_items(program, travel, stops_min, false), vec![travel_routine.clone()])
        } else if day < race {
            let mut items = vec!["Settle in: an easy shake-out run or a walk to see the start area.".to_string()];
            if after_travel {
                items.insert(0, "The day after travelling: the travel-day routine to loosen up.".into());
            }
            let routines = if after_travel { vec![travel_routine.clone()] } else { vec![mobility.clone()] };
            (DayRole::Settle, items, routines)
        } else if day < return_on {
            (
                DayRole::Stay,
                vec!["Recovery day at the destination: walk, gentle mobility, no long sitting.".to_string()],
                vec![mobility.clone()],
            )
        } else {
            (
                DayRole::AfterTravel,
                vec![
                    "The day after travelling home: the travel-day routine again, then back to your usual week.".into(),
                ],
                vec![travel_routine.clone()],
            )
        };
        if long_runs.contains(&day) {
            items.push("A long run is planned today (see the warnings).".into());
        }
        routines.dedup();
        days.push(TravelDay { date: day, role, items, routines: routines.into_iter().flatten().collect() });
        day = add_days(day, 1)?;
    }
    Ok(days)
}

impl TravelPlan {
    /// The plan as text for the terminal.
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let how = self.travel.label();
        let _ =
            writeln!(out, "Race trip: race on {} ({how}), leave {}, home {}", self.race, self.depart, self.return_on);
        for w in &self.warnings {
            let _ = writeln!(out, "  ! {}", w.message);
        }
        for d in &self.days {
            let role = d.role.label();
            let _ = writeln!(out, "\n{} {} — {role}", d.date.strftime("%a"), d.date);
            for i in &d.items {
                let _ = writeln!(out, "  - {i}");
            }
            if !d.routines.is_empty() {
                let _ = writeln!(out, "  routines: {}", d.routines.join(", "));
            }
        }
        if !self.advice.is_empty() {
            let _ = writeln!(out, "\nBased on:");
            for a in &self.advice {
                let src: Vec<String> = a.cite.iter().map(|c| format!("{}: {}", c.source, c.section)).collect();
                let _ = writeln!(out, "  - {} ({})", a.title, src.join("; "));
            }
        }
        out
    }
}
