//! The real-time loop around `runtall_companion::remind::Scheduler`: a clock, an idle source and a notifier, each a
//! trait so the loop itself runs in tests on a fake clock through a whole simulated workday.

use jiff::Zoned;
use runtall_companion::remind::{BreakEvent, Prompt, PromptKind, RemindError, Response, Scheduler};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::Duration;

/// Where time comes from. `sleep` is part of it so a fake clock can jump ahead instead of sleeping.
pub trait Clock {
    fn now(&self) -> Zoned;
    fn sleep(&self, d: Duration);
}

/// The system clock in the system time zone.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Zoned {
        Zoned::now()
    }
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// How long the keyboard and mouse have been idle, when that can be known.
pub trait IdleSource {
    fn idle(&mut self) -> Option<Duration>;
}

/// No idle information: timers run on the clock alone.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoIdle;

impl IdleSource for NoIdle {
    fn idle(&mut self) -> Option<Duration> {
        None
    }
}

/// X11 idle time through `xprintidle` (milliseconds on stdout). Any failure means "unknown".
#[derive(Debug, Clone)]
pub struct XprintIdle {
    program: std::path::PathBuf,
}

impl IdleSource for XprintIdle {
    fn idle(&mut self) -> Option<Duration> {
        let out = std::process::Command::new(&self.program).stdin(std::process::Stdio::null()).output().ok()?;
        if !out.status.success() {
            return None;
        }
        let ms: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
        Some(Duration::from_millis(ms))
    }
}

/// `xprintidle` when running under X11 and installed; otherwise no idle information.
pub fn detect_idle_source() -> Box<dyn IdleSource> {
    if std::env::var_os("DISPLAY").is_some()
        && let Some(program) = crate::guide::find_on_path("xprintidle")
    {
        return Box::new(XprintIdle { program });
    }
    Box::new(NoIdle)
}

/// Shows prompts and short messages.
pub trait Notifier {
    fn notify(&mut self, prompt: &Prompt) -> Result<(), RemindError>;
    /// A one-line message (an answer refused, do-not-disturb switched).
    fn message(&mut self, text: &str);
    /// What the notifier is, for the start-up line.
    fn describe(&self) -> String;
    /// The countdown line, redrawn in place several times a second (terminals); ignored by default.
    fn status(&mut self, _line: &str) {}
}

/// Prints prompts in the terminal, with the keys to answer them.
#[derive(Debug)]
pub struct TerminalNotifier<W: Write> {
    out: W,
    pub bell: bool,
    /// The terminal is in raw mode (single-key commands): lines end with `\r\n` and a countdown line is kept at
    /// the bottom, redrawn in place.
    pub raw: bool,
    status_shown: bool,
}

impl<W: Write> TerminalNotifier<W> {
    pub fn new(out: W) -> Self {
        TerminalNotifier { out, bell: true, raw: false, status_shown: false }
    }

    /// Text as this terminal needs it: in raw mode a newline does not return the cursor.
    fn text(&self, s: &str) -> String {
        if self.raw { s.replace('\n', "\r\n") } else { s.to_string() }
    }

    /// Clears the countdown line before printing over it.
    fn clear_status(&mut self) {
        if self.status_shown {
            let _ = write!(self.out, "\r\x1b[2K");
            self.status_shown = false;
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

/// The prompt as terminal text (also the desktop notification body).
pub fn prompt_text(p: &Prompt) -> String {
    let local = p.at.to_zoned(jiff::tz::TimeZone::system()).strftime("%H:%M").to_string();
    format!(
        "[{local}] {}\n        {}\n        d done · z snooze · s skip ({} left today) · p pause reminders · q quit",
        p.title, p.body, p.skips_left
    )
}

impl<W: Write> Notifier for TerminalNotifier<W> {
    fn notify(&mut self, prompt: &Prompt) -> Result<(), RemindError> {
        self.clear_status();
        let bell = if self.bell { "\x07" } else { "" };
        let text = self.text(&format!("{bell}{}\n", prompt_text(prompt)));
        write!(self.out, "{text}").map_err(|e| RemindError::Notify(e.to_string()))?;
        self.out.flush().map_err(|e| RemindError::Notify(e.to_string()))
    }

    fn message(&mut self, text: &str) {
        self.clear_status();
        let text = self.text(&format!("        {text}\n"));
        let _ = write!(self.out, "{text}");
        let _ = self.out.flush();
    }

    fn describe(&self) -> String {
        "terminal".to_string()
    }

    fn status(&mut self, line: &str) {
        if !self.raw {
            return;
        }
        // Cut to the terminal's width so the line never wraps (a wrapped line cannot be redrawn in place).
        let width = crossterm::terminal::size().map(|(w, _)| usize::from(w)).unwrap_or(80).max(20);
        let cut: String = line.chars().take(width - 1).collect();
        let _ = write!(self.out, "\r\x1b[2K{cut}");
        let _ = self.out.flush();
        self.status_shown = true;
    }
}

/// Desktop notifications (D-Bus), falling back to the terminal for good after the first failure — for
/// example when no notification service or session bus is running.
#[cfg(feature = "notify")]
pub struct DesktopNotifier {
    fallback: TerminalNotifier<std::io::Stdout>,
    failed: bool,
}

#[cfg(feature = "notify")]
impl Default for DesktopNotifier {
    fn default() -> Self {
        DesktopNotifier { fallback: TerminalNotifier::new(std::io::stdout()), failed: false }
    }
}

#[cfg(feature = "notify")]
impl Notifier for DesktopNotifier {
    fn notify(&mut self, prompt: &Prompt) -> Result<(), RemindError> {
        if !self.failed {
            let shown = notify_rust::Notification::new()
                .appname("runtall")
                .summary(&prompt.title)
                .body(&prompt.body)
                .timeout(notify_rust::Timeout::Milliseconds(60_000))
                .show();
            match shown {
                Ok(_) => {
                    // Answers still come from the terminal.
                    self.fallback.bell = false;
                    return self.fallback.notify(prompt);
                }
                Err(e) => {
                    self.failed = true;
                    self.fallback.message(&format!("desktop notifications unavailable ({e}); showing reminders here"));
                }
            }
        }
        self.fallback.bell = true;
        self.fallback.notify(prompt)
    }

    fn message(&mut self, text: &str) {
        self.fallback.message(text);
    }

    fn describe(&self) -> String {
        if self.failed { "terminal".into() } else { "desktop notifications, answers in the terminal".into() }
    }

    fn status(&mut self, line: &str) {
        self.fallback.status(line);
    }
}

#[cfg(feature = "notify")]
impl DesktopNotifier {
    /// The terminal side is in raw mode (single-key commands).
    pub fn raw(mut self, raw: bool) -> Self {
        self.fallback.raw = raw;
        self
    }
}

/// Desktop notifications when built with the `notify` feature, else the terminal. `raw`: the terminal is in raw
/// mode for single-key commands ([`KeyReader`]).
pub fn default_notifier(raw: bool) -> Box<dyn Notifier> {
    #[cfg(feature = "notify")]
    {
        Box::new(DesktopNotifier::default().raw(raw))
    }
    #[cfg(not(feature = "notify"))]
    {
        let mut n = TerminalNotifier::new(std::io::stdout());
        n.raw = raw;
        Box::new(n)
    }
}

/// What the runner can type while reminders run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Respond(Response),
    /// Toggle do-not-disturb.
    ToggleDnd,
    Dnd(bool),
    Quit,
}

/// One line of input: `d`/`done`, `z`/`snooze`, `s`/`skip`, `p`/`pause` (toggle), `q`/`quit`.
pub fn parse_command(line: &str) -> Option<Command> {
    match line.trim().to_ascii_lowercase().as_str() {
        "d" | "done" | "y" | "ok" => Some(Command::Respond(Response::Done)),
        "z" | "snooze" => Some(Command::Respond(Response::Snooze)),
        "s" | "skip" => Some(Command::Respond(Response::Skip)),
        "p" | "pause" | "dnd" => Some(Command::ToggleDnd),
        "dnd on" => Some(Command::Dnd(true)),
        "dnd off" | "resume" => Some(Command::Dnd(false)),
        "q" | "quit" | "exit" => Some(Command::Quit),
        _ => None,
    }
}

/// The command for one key press in raw mode: `d` (or `y`) done, `z` snooze, `s` skip, `p` pause or resume,
/// `q`, Esc or Ctrl-C quit.
pub fn key_command(key: &crossterm::event::KeyEvent) -> Option<Command> {
    use crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};
    if key.kind != KeyEventKind::Press {
        return None;
    }
    match key.code {
        KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => Some(Command::Quit),
        KeyCode::Char('d' | 'D' | 'y' | 'Y') => Some(Command::Respond(Response::Done)),
        KeyCode::Char('z' | 'Z') => Some(Command::Respond(Response::Snooze)),
        KeyCode::Char('s' | 'S') => Some(Command::Respond(Response::Skip)),
        KeyCode::Char('p' | 'P') => Some(Command::ToggleDnd),
        KeyCode::Char('q' | 'Q') | KeyCode::Esc => Some(Command::Quit),
        _ => None,
    }
}

/// Single-key commands: the terminal in raw mode while this lives (restored on drop, also on a panic), keys read
/// on a background thread. Only for an interactive terminal; piped input uses [`spawn_stdin_commands`].
pub struct KeyReader {
    pub commands: Receiver<Command>,
    stop: std::sync::Arc<AtomicBool>,
}

impl KeyReader {
    pub fn start() -> std::io::Result<KeyReader> {
        crossterm::terminal::enable_raw_mode()?;
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = crossterm::terminal::disable_raw_mode();
            previous(info);
        }));
        let (tx, rx) = std::sync::mpsc::channel();
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                match crossterm::event::poll(std::time::Duration::from_millis(100)) {
                    Ok(true) => {
                        if let Ok(crossterm::event::Event::Key(key)) = crossterm::event::read()
                            && let Some(c) = key_command(&key)
                            && tx.send(c).is_err()
                        {
                            return;
                        }
                    }
                    Ok(false) => {}
                    Err(_) => {
                        let _ = tx.send(Command::Quit);
                        return;
                    }
                }
            }
        });
        Ok(KeyReader { commands: rx, stop })
    }
}

impl Drop for KeyReader {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = crossterm::terminal::disable_raw_mode();
        // End on a fresh line below the countdown.
        print!("\r\x1b[2K");
        let _ = std::io::stdout().flush();
    }
}

/// Reads commands from stdin on a background thread (line by line). End of input sends `Quit`.
pub fn spawn_stdin_commands() -> Receiver<Command> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut line = String::new();
        loop {
            line.clear();
            match stdin.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let _ = tx.send(Command::Quit);
                    return;
                }
                Ok(_) => {
                    if let Some(c) = parse_command(&line)
                        && tx.send(c).is_err()
                    {
                        return;
                    }
                }
            }
        }
    });
    rx
}

/// Sets the returned flag on SIGINT/SIGTERM so the loop can end cleanly and the caller can store the log; a
/// second signal terminates at once.
#[cfg(unix)]
pub fn stop_on_signals() -> std::sync::Arc<AtomicBool> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let flag = std::sync::Arc::new(AtomicBool::new(false));
    for sig in [SIGINT, SIGTERM] {
        let _ = signal_hook::flag::register_conditional_shutdown(sig, 130, flag.clone());
        let _ = signal_hook::flag::register(sig, flag.clone());
    }
    flag
}

#[cfg(not(unix))]
pub fn stop_on_signals() -> std::sync::Arc<AtomicBool> {
    std::sync::Arc::new(AtomicBool::new(false))
}

/// Loop settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DriverOptions {
    /// How often to check the clock and the idle time. Keys are answered and the countdown redrawn in between,
    /// every quarter of a second at most.
    pub poll: Duration,
    /// Stop by itself after this long (a workday); `None` runs until quit.
    pub run_for: Option<Duration>,
}

impl Default for DriverOptions {
    fn default() -> Self {
        DriverOptions { poll: Duration::from_secs(15), run_for: None }
    }
}

/// What the loop talks to. Borrowed, so the caller keeps the notifier (and, in tests, its output).
pub struct DriverIo<'a> {
    pub clock: &'a dyn Clock,
    pub idle: &'a mut dyn IdleSource,
    pub notifier: &'a mut dyn Notifier,
    pub commands: &'a Receiver<Command>,
    /// Set from a signal handler ([`stop_on_signals`]) to end the loop cleanly.
    pub stop: &'a AtomicBool,
    /// Today's break events from every front end (the stored history), read at each poll so this scheduler
    /// follows breaks answered elsewhere ([`Scheduler::sync`]).
    pub history: Option<&'a mut dyn FnMut() -> Vec<BreakEvent>>,
}

/// How often keys are answered and the countdown redrawn between polls.
const STEP: Duration = Duration::from_millis(250);

/// Runs the reminders until `q`, end of input, the stop flag or `run_for`. Every log event is handed to
/// `on_event` as it happens, so the history is stored even if the process is later killed.
pub fn run_reminders(
    scheduler: &mut Scheduler,
    io: DriverIo<'_>,
    options: DriverOptions,
    mut on_event: impl FnMut(&BreakEvent),
) -> Result<(), RemindError> {
    let DriverIo { clock, idle, notifier, commands, stop, mut history } = io;
    let started = clock.now().timestamp();
    // Answers one command; false when it is time to stop.
    let handle = |scheduler: &mut Scheduler, notifier: &mut dyn Notifier, command: Command| -> bool {
        let now = clock.now();
        match command {
            Command::Quit => return false,
            Command::Respond(r) => match scheduler.respond_pending(&now, r) {
                Ok(()) => notifier.message(match r {
                    Response::Done => "Nice. Timer reset.",
                    Response::Snooze => "Snoozed.",
                    Response::Skip => "Skipped.",
                }),
                Err(e) => notifier.message(&e.to_string()),
            },
            Command::ToggleDnd => {
                let on = !scheduler.dnd();
                scheduler.set_dnd(&now, on);
                notifier.message(if on { "Reminders paused (p to resume)." } else { "Reminders back on." });
            }
            Command::Dnd(on) => scheduler.set_dnd(&now, on),
        }
        true
    };
    'run: loop {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let now = clock.now();
        if let Some(limit) = options.run_for
            && now.timestamp().duration_since(started)
                >= jiff::SignedDuration::try_from(limit).unwrap_or(jiff::SignedDuration::MAX)
        {
            break;
        }
        loop {
            match commands.try_recv() {
                Ok(c) => {
                    if !handle(scheduler, notifier, c) {
                        break 'run;
                    }
                }
                Err(TryRecvError::Disconnected) => break 'run,
                Err(TryRecvError::Empty) => break,
            }
        }
        if let Some(read) = history.as_mut() {
            scheduler.sync(&now, &read());
        }
        if let Some(p) = scheduler.tick(&now, idle.idle()) {
            notifier.notify(&p)?;
        }
        for e in scheduler.take_log() {
            on_event(&e);
        }
        // Until the next poll: answer keys at once and keep the countdown moving.
        let mut waited = Duration::ZERO;
        while waited < options.poll {
            notifier.status(&scheduler.status(&clock.now()).line(clock.now().timestamp()));
            let step = STEP.min(options.poll - waited);
            clock.sleep(step);
            waited += step;
            if stop.load(Ordering::SeqCst) {
                break 'run;
            }
            match commands.try_recv() {
                Ok(c) => {
                    if !handle(scheduler, notifier, c) {
                        break 'run;
                    }
                    for e in scheduler.take_log() {
                        on_event(&e);
                    }
                }
                Err(TryRecvError::Disconnected) => break 'run,
                Err(TryRecvError::Empty) => {}
            }
        }
    }
    for e in scheduler.take_log() {
        on_event(&e);
    }
    Ok(())
}

/// A short label for a prompt kind, for history lines.
pub fn kind_label(k: PromptKind) -> &'static str {
    match k {
        PromptKind::Walk => "walk",
        PromptKind::Shift => "shift position",
    }
}
