//! The library ids the plan's rules name by hand (an exercise picked for a region, a habit for a trigger).
//!
//! The rules can only name an exercise or habit through a [`Named`] constant, and every constant is listed in
//! [`ALL`], which a test checks against the content: a renamed or removed id fails that test instead of silently
//! dropping an item from every plan. (Ids the rules take from the content itself — routines of a kind, lessons,
//! relief options — exist by construction.)

use super::RefKind;

/// A library id the rules name, with the kind of item it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Named {
    pub kind: RefKind,
    pub id: &'static str,
}

const fn exercise(id: &'static str) -> Named {
    Named { kind: RefKind::Exercise, id }
}

const fn habit(id: &'static str) -> Named {
    Named { kind: RefKind::Habit, id }
}

pub(super) const LOWER_TRAP_SET: Named = exercise("lower-trap-set");
pub(super) const CHIN_TUCK: Named = exercise("chin-tuck");
pub(super) const OPEN_BOOK_ROTATION: Named = exercise("open-book-rotation");
pub(super) const BAND_ROW: Named = exercise("band-row");
pub(super) const DIAPHRAGMATIC_BREATHING: Named = exercise("diaphragmatic-breathing");

pub(super) const PAIN_MONITORING: Named = habit("pain-monitoring");
pub(super) const ONE_CHANGE_AT_A_TIME: Named = habit("one-change-at-a-time");
pub(super) const TAPER_DONT_STOP: Named = habit("taper-dont-stop");
pub(super) const SINGLE_RUN_LENGTH_JUMP: Named = habit("single-run-length-jump");
pub(super) const WEEKLY_DISTANCE_JUMP: Named = habit("weekly-distance-jump");
pub(super) const TEN_PERCENT_RULE: Named = habit("ten-percent-rule-not-a-guarantee");
pub(super) const HEAD_BACK_WHILE_RUNNING: Named = habit("head-back-while-running");
pub(super) const EXPECT_EFFORT_AT_FIRST: Named = habit("expect-effort-at-first");
pub(super) const SEE_A_PT_IF_NO_PROGRESS: Named = habit("see-a-pt-if-no-progress");
pub(super) const DIRECT_ACCESS_TO_PT: Named = habit("direct-access-to-pt");
pub(super) const CHEST_PAIN_FIRST: Named = habit("chest-pain-first");
pub(super) const NEW_RUNNER_ACHES_AND_FUEL: Named = habit("new-runner-aches-and-fuel");
pub(super) const ARRIVE_EARLY_FOR_RACES: Named = habit("arrive-early-for-races");
pub(super) const RETURN_HOME_DAY_AFTER: Named = habit("return-home-day-after");
pub(super) const NO_LONG_DRIVE_NEXT_TO_LONG_RUN: Named = habit("no-long-drive-next-to-long-run");

/// The screen question about chest or rib pain with effort or meals: the plan's safety items point at it.
pub(super) const RIB_FLAG: Named = Named { kind: RefKind::RedFlag, id: "chest-or-rib-pain-with-effort-or-meals" };

/// Every constant above.
pub const ALL: [Named; 21] = [
    LOWER_TRAP_SET,
    CHIN_TUCK,
    OPEN_BOOK_ROTATION,
    BAND_ROW,
    DIAPHRAGMATIC_BREATHING,
    PAIN_MONITORING,
    ONE_CHANGE_AT_A_TIME,
    TAPER_DONT_STOP,
    SINGLE_RUN_LENGTH_JUMP,
    WEEKLY_DISTANCE_JUMP,
    TEN_PERCENT_RULE,
    HEAD_BACK_WHILE_RUNNING,
    EXPECT_EFFORT_AT_FIRST,
    SEE_A_PT_IF_NO_PROGRESS,
    DIRECT_ACCESS_TO_PT,
    CHEST_PAIN_FIRST,
    NEW_RUNNER_ACHES_AND_FUEL,
    ARRIVE_EARLY_FOR_RACES,
    RETURN_HOME_DAY_AFTER,
    NO_LONG_DRIVE_NEXT_TO_LONG_RUN,
    RIB_FLAG,
];

/// The ids in [`ALL`] the program does not have, as `kind id` (empty when the rules and the content agree).
pub fn missing(program: &runtall_content::Program) -> Vec<String> {
    ALL.iter()
        .filter(|n| match n.kind {
            RefKind::Exercise => program.exercise(n.id).is_none(),
            RefKind::Habit => program.habit(n.id).is_none(),
            RefKind::RedFlag => program.red_flag(n.id).is_none(),
            _ => true,
        })
        .map(|n| format!("{:?} {}", n.kind, n.id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_the_rules_name_is_in_the_library() {
        assert_eq!(missing(runtall_content::program()), Vec::<String>::new());
    }

    #[test]
    fn every_constant_is_listed() {
        // A constant left out of ALL would escape the check above.
        let source = include_str!("named.rs");
        let declared = source.lines().filter(|l| l.starts_with("pub(super) const ")).count();
        let distinct: std::collections::BTreeSet<&str> = ALL.iter().map(|n| n.id).collect();
        assert_eq!((declared, distinct.len()), (ALL.len(), ALL.len()));
    }

    #[test]
    fn a_missing_id_is_reported() {
        let mut program = runtall_content::program().clone();
        program.habits.retain(|h| h.id != PAIN_MONITORING.id);
        assert_eq!(missing(&program), vec!["Habit pain-monitoring".to_string()]);
    }
}
