//! The real-time driver loop around the sitting-break scheduler, through a simulated workday on a fake clock.

// The companion's own test helpers (the demo runner, the gate's permissions), shared by file.
#[path = "../../companion/tests/common/mod.rs"]
mod common;

use common::program;
use jiff::Zoned;
use jiff::civil::date;
use jiff::tz::TimeZone;
use runtall_companion::remind::{
    BreakEvent, BreakOutcome, Prompt, RemindError, ReminderConfig, Response, Scheduler, summarize,
};
use runtall_tui::remind::{
    Clock, Command, DriverIo, DriverOptions, IdleSource, Notifier, TerminalNotifier, parse_command, run_reminders,
};
use std::cell::{Cell, RefCell};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// Monday 2 March 2026, in a fixed zone so the tests do not depend on the machine's.
fn at(h: i8, m: i8) -> Zoned {
    date(2026, 3, 2).at(h, m, 0, 0).to_zoned(TimeZone::fixed(jiff::tz::offset(1))).expect("time")
}

fn config() -> ReminderConfig {
    ReminderConfig::from_defaults(&program().habit_defaults)
}

fn scheduler() -> Scheduler {
    Scheduler::new(program(), config(), &common::open()).expect("scheduler")
}

/// Ticks every minute from `from` to `to` (inclusive) without answering; returns how many prompts came.
fn run(s: &mut Scheduler, from: (i8, i8), to: (i8, i8)) -> usize {
    let (start, end) = (from.0 as i32 * 60 + from.1 as i32, to.0 as i32 * 60 + to.1 as i32);
    (start..=end).filter(|t| s.tick(&at((t / 60) as i8, (t % 60) as i8), Some(Duration::ZERO)).is_some()).count()
}

#[test]
fn commands_are_read_from_short_words() {
    assert_eq!(parse_command("z"), Some(Command::Respond(Response::Snooze)));
    assert_eq!(parse_command(" Skip \n"), Some(Command::Respond(Response::Skip)));
    assert_eq!(parse_command("p"), Some(Command::ToggleDnd));
    assert_eq!(parse_command("what"), None);
}

// --- the loop ---------------------------------------------------------------------------------------------

/// A clock that jumps forward on `sleep` and delivers scripted commands when their time comes.
struct FakeClock {
    now: RefCell<Zoned>,
    script: RefCell<Vec<(Zoned, Command)>>,
    tx: std::sync::mpsc::Sender<Command>,
}

impl Clock for FakeClock {
    fn now(&self) -> Zoned {
        self.now.borrow().clone()
    }
    fn sleep(&self, d: Duration) {
        let next = self.now.borrow().checked_add(jiff::SignedDuration::try_from(d).expect("d")).expect("add");
        *self.now.borrow_mut() = next.clone();
        let mut script = self.script.borrow_mut();
        while script.first().is_some_and(|(t, _)| *t <= next) {
            let (_, c) = script.remove(0);
            self.tx.send(c).expect("send");
        }
    }
}

/// Idle from a function of the clock.
struct ScriptedIdle<'a> {
    clock: &'a FakeClock,
    away: (Zoned, Zoned),
    calls: Cell<u32>,
}

impl IdleSource for ScriptedIdle<'_> {
    fn idle(&mut self) -> Option<Duration> {
        self.calls.set(self.calls.get() + 1);
        let now = self.clock.now();
        if now >= self.away.0 && now < self.away.1 {
            Some(Duration::from_secs(now.timestamp().duration_since(self.away.0.timestamp()).as_secs() as u64))
        } else {
            Some(Duration::ZERO)
        }
    }
}

/// Records prompts and answers each one a poll later (through the command channel) with the next planned answer.
struct Recorder {
    prompts: Vec<Prompt>,
    messages: Vec<String>,
    answers: Vec<Response>,
    tx: std::sync::mpsc::Sender<Command>,
}

impl Notifier for Recorder {
    fn notify(&mut self, prompt: &Prompt) -> Result<(), RemindError> {
        self.prompts.push(prompt.clone());
        let answer = if self.answers.is_empty() { Response::Done } else { self.answers.remove(0) };
        self.tx.send(Command::Respond(answer)).map_err(|e| RemindError::Notify(e.to_string()))
    }
    fn message(&mut self, text: &str) {
        self.messages.push(text.to_string());
    }
    fn describe(&self) -> String {
        "recorder".into()
    }
}

#[test]
fn driver_runs_a_simulated_workday() {
    let (tx, rx) = std::sync::mpsc::channel();
    // A meeting with do-not-disturb from 11:00 to 12:00, away for lunch from 12:30 to 13:15, quit at 17:45.
    let script = vec![(at(11, 0), Command::ToggleDnd), (at(12, 0), Command::ToggleDnd), (at(17, 45), Command::Quit)];
    let clock = FakeClock { now: RefCell::new(at(8, 55)), script: RefCell::new(script), tx: tx.clone() };
    let mut idle = ScriptedIdle { clock: &clock, away: (at(12, 30), at(13, 15)), calls: Cell::new(0) };
    let answers = vec![Response::Done, Response::Done, Response::Skip, Response::Snooze];
    let mut notifier = Recorder { prompts: Vec::new(), messages: Vec::new(), answers, tx };
    let stop = AtomicBool::new(false);
    let mut s = scheduler();
    let mut stored: Vec<BreakEvent> = Vec::new();
    let io =
        DriverIo { clock: &clock, idle: &mut idle, notifier: &mut notifier, commands: &rx, stop: &stop, history: None };
    run_reminders(&mut s, io, DriverOptions { poll: Duration::from_secs(60), run_for: None }, |e| {
        stored.push(e.clone())
    })
    .expect("driver");
    assert!(idle.calls.get() > 500, "idle polled every tick");
    assert!(clock.now() >= at(17, 45) && clock.now() < at(17, 47), "stopped on quit");
    let times: Vec<String> = notifier
        .prompts
        .iter()
        .map(|p| p.at.to_zoned(TimeZone::fixed(jiff::tz::offset(1))).strftime("%H:%M").to_string())
        .collect();
    println!("{times:?}\n{:?}", notifier.messages);
    // Answers come a minute after each prompt: shift 09:20, walk 09:30 (timers from 09:31), shift 09:51
    // (skipped), walk 10:01 (snoozed), back at 10:07.
    assert_eq!(&times[..5], ["09:20", "09:30", "09:51", "10:01", "10:07"]);
    assert!(times.contains(&"12:00".to_string()), "the overdue walk right after the meeting: {times:?}");
    assert!(!times.iter().any(|t| t.as_str() > "11:00" && t.as_str() < "12:00"), "quiet in the meeting");
    assert!(!times.iter().any(|t| t.as_str() > "12:31" && t.as_str() < "13:15"), "quiet while away");
    assert!(!times.iter().any(|t| t.as_str() >= "17:30"), "nothing after hours");
    assert!(notifier.messages.iter().any(|m| m.contains("paused")));
    let sum = summarize(&stored);
    assert_eq!((sum.skipped, sum.snoozed), (1, 1));
    assert_eq!(sum.prompted as usize, times.len());
    assert!(stored.iter().any(|e| e.outcome == BreakOutcome::Away));
    let json = serde_json::to_string(&stored).expect("log serializes");
    assert!(json.contains("\"outcome\":\"skipped\""));
}

#[test]
fn terminal_notifier_prints_the_prompt_and_keys() {
    let mut s = scheduler();
    s.tick(&at(9, 0), None);
    assert!(run(&mut s, (9, 1), (9, 25)) > 0);
    let prompt = s.pending().cloned().expect("pending");
    let mut n = TerminalNotifier::new(Vec::new());
    n.bell = false;
    n.notify(&prompt).expect("print");
    let out = String::from_utf8(n.into_inner()).expect("utf8");
    println!("{out}");
    assert!(out.contains("Shift your position") || out.contains("Time to stand up and walk"));
    assert!(out.contains("d done · z snooze · s skip (3 left today)"));
}

#[test]
fn single_keys_answer_without_enter() {
    use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
    use runtall_tui::remind::key_command;
    let press = |c: KeyCode, m: KeyModifiers| KeyEvent::new(c, m);
    assert_eq!(key_command(&press(KeyCode::Char('d'), KeyModifiers::NONE)), Some(Command::Respond(Response::Done)));
    assert_eq!(key_command(&press(KeyCode::Char('z'), KeyModifiers::NONE)), Some(Command::Respond(Response::Snooze)));
    assert_eq!(key_command(&press(KeyCode::Char('s'), KeyModifiers::NONE)), Some(Command::Respond(Response::Skip)));
    assert_eq!(key_command(&press(KeyCode::Char('p'), KeyModifiers::NONE)), Some(Command::ToggleDnd));
    assert_eq!(key_command(&press(KeyCode::Char('q'), KeyModifiers::NONE)), Some(Command::Quit));
    assert_eq!(
        key_command(&press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        Some(Command::Quit),
        "raw mode: Ctrl-C is a key"
    );
    assert_eq!(key_command(&press(KeyCode::Char('x'), KeyModifiers::NONE)), None);
    let mut release = press(KeyCode::Char('q'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    assert_eq!(key_command(&release), None, "a key counts once");
}

#[test]
fn in_raw_mode_the_terminal_prints_whole_lines_and_a_countdown() {
    let mut s = scheduler();
    s.tick(&at(9, 0), None);
    s.tick(&at(9, 20), None);
    let prompt = s.pending().cloned().expect("pending");
    let mut n = TerminalNotifier::new(Vec::new());
    n.bell = false;
    n.raw = true;
    n.status("Next break (walk) in 9:00 — p pause · q quit");
    n.notify(&prompt).expect("print");
    let out = String::from_utf8(n.into_inner()).expect("utf8");
    assert!(out.starts_with("\r\x1b[2KNext break (walk) in 9:00"), "{out:?}");
    assert!(out.contains("\r\x1b[2K["), "the countdown is cleared before the prompt: {out:?}");
    assert!(!out.replace("\r\n", "").contains('\n'), "every newline returns the carriage: {out:?}");
}
