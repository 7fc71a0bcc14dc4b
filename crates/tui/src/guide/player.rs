//! The terminal front end: one pure [`render`] function (tested with ratatui's `TestBackend`) and the
//! [`run_session`] loop that owns the real clock, the keyboard, the bell and the speech process.

use super::PlayerError;
use super::sound::{Speaker, spoken_text};
use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use runtall_companion::guide::{
    BreathPhase, CompletionRecord, Effort, GuideInput, SegmentKind, Session, SessionEvent, SessionState, Snapshot,
    StepOutcome, Timeline, build_timeline, clock,
};
use runtall_content::Program;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Smallest terminal the session screen fits in (80×24 is the comfortable size).
pub const MIN_WIDTH: u16 = 50;
pub const MIN_HEIGHT: u16 = 15;

/// Choices for one guided session.
#[derive(Debug, Clone, PartialEq)]
pub struct GuideOptions {
    /// Clock multiplier: 1.0 is real time; `--speed 10` for demos and tmux tests.
    pub speed: f64,
    /// Ring the terminal bell at each phase change.
    pub bell: bool,
    /// Speak phase changes through `espeak-ng` when it is installed (silently off otherwise).
    pub speech: bool,
    /// `Some(false)` forces plain output; `None` uses colour unless `NO_COLOR` is set.
    pub color: Option<bool>,
    /// How often, in real time, the checkpoint callback receives the record so far.
    pub checkpoint_every: Duration,
}

impl Default for GuideOptions {
    fn default() -> Self {
        GuideOptions { speed: 1.0, bell: false, speech: false, color: None, checkpoint_every: Duration::from_secs(10) }
    }
}

impl GuideOptions {
    /// Whether to use colour: `NO_COLOR` (set and not empty) turns it off, per no-color.org.
    pub fn use_color(&self) -> bool {
        self.color.unwrap_or_else(|| std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()))
    }
}

/// Styles for the screen; every style is plain when colour is off, so `NO_COLOR` output has no colour codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    pub color: bool,
}

impl Palette {
    fn fg(self, c: Color) -> Style {
        if self.color { Style::new().fg(c) } else { Style::new() }
    }

    fn phase(self, kind: Option<SegmentKind>) -> Style {
        let c = match kind {
            Some(SegmentKind::Breathe(BreathPhase::Inhale)) => Color::Cyan,
            Some(SegmentKind::Breathe(BreathPhase::Exhale)) => Color::LightBlue,
            Some(SegmentKind::Breathe(_) | SegmentKind::Hold) => Color::Yellow,
            Some(SegmentKind::Rest | SegmentKind::SwitchSides) => Color::Green,
            Some(SegmentKind::Prepare) => Color::Magenta,
            Some(SegmentKind::Move | SegmentKind::Work) => Color::Cyan,
            None => Color::Green,
        };
        self.fg(c).add_modifier(Modifier::BOLD)
    }

    fn dim(self) -> Style {
        self.fg(Color::Gray)
    }
}

/// Draws the session as it stands. Pure apart from the frame, so tests render chosen moments into a
/// `TestBackend` and read the text back.
pub fn render(frame: &mut Frame<'_>, snap: &Snapshot<'_>, palette: Palette) {
    render_with_figure(frame, snap, palette, None);
}

/// Rows and columns of the exercise drawing in the terminal (braille, start → end, and a label line).
pub const FIGURE_COLS: usize = 44;
pub const FIGURE_ROWS: usize = 4;

/// The drawing of each step, for [`render_with_figure`].
pub fn step_figures(program: &Program, timeline: &Timeline) -> Vec<Option<Vec<String>>> {
    timeline
        .steps
        .iter()
        .map(|s| runtall_figures::exercise_text(program, &s.exercise, FIGURE_COLS, FIGURE_ROWS))
        .collect()
}

/// [`render`], with the current exercise's drawing under the hint when the terminal has room for it (80×24 does).
pub fn render_with_figure(frame: &mut Frame<'_>, snap: &Snapshot<'_>, palette: Palette, figure: Option<&[String]>) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "Terminal too small: {}×{}. The guided session needs at least {MIN_WIDTH}×{MIN_HEIGHT}. \
             Enlarge the window to continue (the session is paused); q quits.",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let title = format!(" {} ", snap.title);
    let block = Block::bordered().title(Line::from(title).style(palette.phase(None).remove_modifier(Modifier::BOLD)));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    // A taller pacer bar when there is room (80×24 and up): easier to follow with half-closed eyes.
    let bar_rows = if inner.height >= 20 { 5 } else { 3 };
    let [header, counters, _, phase, bar, _, hint, next, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(bar_rows),
        Constraint::Length(1),
        Constraint::Min(2),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);

    // Header: which exercise, and time left in the session.
    let left = format!("Exercise {}/{} · {}", snap.step_index + 1, snap.step_count, snap.step_name);
    let right = match snap.state {
        SessionState::Finished | SessionState::Stopped => String::new(),
        _ if (snap.speed - 1.0).abs() > f64::EPSILON => format!("{} left ({}×)", clock(snap.remaining_s), snap.speed),
        _ => format!("{} left", clock(snap.remaining_s)),
    };
    let [hl, hr] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(right.chars().count() as u16)]).areas(header);
    frame.render_widget(Paragraph::new(Line::from(Span::styled(left, Style::new().add_modifier(Modifier::BOLD)))), hl);
    frame.render_widget(Paragraph::new(right), hr);

    frame.render_widget(Paragraph::new(counter_line(snap)), counters);

    let kind = snap.segment.map(|s| s.kind);
    let (label, count) = match (snap.state, snap.segment) {
        (SessionState::Finished, _) => ("Done — well done".to_string(), String::new()),
        (SessionState::Stopped, _) => ("Stopped".to_string(), String::new()),
        (_, Some(seg)) => (seg.label().to_uppercase(), format!("  {}", snap.count_s)),
        (_, None) => (String::new(), String::new()),
    };
    let mut spans = vec![Span::styled(label, palette.phase(kind)), Span::styled(count, palette.phase(kind))];
    if snap.state == SessionState::Paused {
        spans.push(Span::styled("   PAUSED", palette.fg(Color::Yellow).add_modifier(Modifier::BOLD)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), phase);

    let bar_block = Block::bordered().border_style(palette.dim());
    let bar_inner = bar_block.inner(bar);
    frame.render_widget(bar_block, bar);
    let rows = vec![bar_line(snap.bar, bar_inner.width); usize::from(bar_inner.height)];
    frame.render_widget(Paragraph::new(rows).style(palette.phase(kind)), bar_inner);

    let mut hint_lines = Vec::new();
    if let Some(h) = snap.hint {
        hint_lines.push(Line::from(h.to_string()));
    }
    if let Some(n) = snap.note
        && hint.height > 2
    {
        hint_lines.push(Line::from(Span::styled(format!("Why: {n}"), palette.dim())));
    }
    let over = matches!(snap.state, SessionState::Finished | SessionState::Stopped);
    let hint = match figure {
        Some(fig) if !over && usize::from(hint.height) >= fig.len() + 2 => {
            let [text, picture] =
                Layout::vertical([Constraint::Min(2), Constraint::Length(fig.len() as u16)]).areas(hint);
            let lines: Vec<Line> = fig.iter().map(|l| Line::from(Span::styled(l.clone(), palette.dim()))).collect();
            frame.render_widget(Paragraph::new(lines), picture);
            text
        }
        _ => hint,
    };
    frame.render_widget(Paragraph::new(hint_lines).wrap(Wrap { trim: true }), hint);

    let next_text = match (&snap.next_up, snap.state) {
        (_, SessionState::Finished | SessionState::Stopped) => String::new(),
        (Some(n), _) => format!("Next up: {n}"),
        (None, _) => String::new(),
    };
    frame.render_widget(Paragraph::new(next_text), next);
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(key_help(snap.state, snap.step_index), palette.dim()))),
        keys,
    );
}

fn counter_line(snap: &Snapshot<'_>) -> String {
    let Some(seg) = snap.segment else {
        return String::new();
    };
    let mut parts = Vec::new();
    if snap.sets > 1 {
        parts.push(format!("Set {}/{}", snap.set, snap.sets));
    }
    if let (Some(r), Some(n)) = (snap.rep, snap.reps) {
        let what = if matches!(seg.kind, SegmentKind::Breathe(_)) { "Breath" } else { "Rep" };
        parts.push(format!("{what} {r}/{n}"));
    }
    if let Some(side) = snap.side {
        parts.push(side.label().to_string());
    }
    match seg.kind {
        SegmentKind::Hold => parts.push(format!("hold {} s", snap.count_s)),
        SegmentKind::Rest => parts.push(format!("rest {}", clock(snap.count_s))),
        SegmentKind::Work => parts.push(format!("{} to go", clock(snap.count_s))),
        _ => {}
    }
    parts.join(" · ")
}

fn bar_line(fill: f64, width: u16) -> Line<'static> {
    let w = usize::from(width);
    let filled = ((fill.clamp(0.0, 1.0) * w as f64).round() as usize).min(w);
    Line::from(format!("{}{}", "█".repeat(filled), " ".repeat(w - filled)))
}

/// The keys that act now. After the first exercise, 1/2/3 say how the one just finished felt (the dose progression
/// reads it); at the end they mark the last exercise.
fn key_help(state: SessionState, step: usize) -> &'static str {
    match state {
        SessionState::Paused => "PAUSED · space resume · s/→ skip · q quit",
        SessionState::Finished => "Last one? 1 too easy · 2 about right · 3 too hard · other key: done",
        SessionState::Stopped => "press any key",
        _ if step > 0 => "space pause · s skip · q quit · last exercise: 1 too easy 2 right 3 too hard",
        _ => "space pause · s/→ skip · q quit",
    }
}

/// The effort a key gives: 1 too easy, 2 about right, 3 too hard.
fn effort_key(code: KeyCode) -> Option<Effort> {
    match code {
        KeyCode::Char('1') => Some(Effort::TooEasy),
        KeyCode::Char('2') => Some(Effort::AboutRight),
        KeyCode::Char('3') => Some(Effort::TooHard),
        _ => None,
    }
}

/// Plays a session in the terminal and returns what was done. See [`run_session_with`].
pub fn run_session(
    program: &Program,
    input: &GuideInput<'_>,
    options: &GuideOptions,
) -> Result<CompletionRecord, PlayerError> {
    run_session_with(program, input, options, |_| {})
}

/// Plays a session in the terminal and returns the completion record, also when the runner quits, presses
/// Ctrl-C or the process gets SIGTERM/SIGHUP (the record then says `interrupted`). `checkpoint` receives the
/// record so far at each new exercise, on pause and every [`GuideOptions::checkpoint_every`], so the caller can
/// store progress even if the process is killed outright (SIGKILL cannot be caught).
///
/// Everything that can be checked is checked before the terminal is touched: doses, speed, that stdin and stdout
/// are a terminal, and its size. The terminal is restored on every exit path, including panics.
pub fn run_session_with(
    program: &Program,
    input: &GuideInput<'_>,
    options: &GuideOptions,
    checkpoint: impl FnMut(&CompletionRecord),
) -> Result<CompletionRecord, PlayerError> {
    let timeline = build_timeline(program, input)?;
    run_timeline_with(program, timeline, options, checkpoint)
}

/// Plays a timeline already built (a breathing session, see [`runtall_companion::breathe`]); otherwise as
/// [`run_session_with`].
pub fn run_timeline_with(
    program: &Program,
    timeline: Timeline,
    options: &GuideOptions,
    mut checkpoint: impl FnMut(&CompletionRecord),
) -> Result<CompletionRecord, PlayerError> {
    let figures = step_figures(program, &timeline);
    let mut session = Session::new(timeline, options.speed)?;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(PlayerError::NotATerminal);
    }
    let (width, height) = crossterm::terminal::size()?;
    if width < MIN_WIDTH || height < MIN_HEIGHT {
        return Err(PlayerError::TerminalTooSmall { width, height, min_width: MIN_WIDTH, min_height: MIN_HEIGHT });
    }
    let palette = Palette { color: options.use_color() };
    let mut speaker = if options.speech { Speaker::detect() } else { Speaker::silent() };
    let started_at = jiff::Timestamp::now();
    let interrupted = signals::arm();
    let result = {
        let guard = TerminalGuard::enter()?;
        let r = play(&mut session, &figures, &palette, options, &mut speaker, &interrupted, &mut checkpoint);
        drop(guard);
        r
    };
    signals::disarm();
    speaker.stop();
    let mut record = session.record();
    record.started_at = Some(started_at);
    record.ended_at = Some(jiff::Timestamp::now());
    match result {
        Ok(()) => Ok(record),
        Err(e) => Err(PlayerError::Failed { message: e.to_string(), partial: Box::new(record) }),
    }
}

fn play(
    session: &mut Session,
    figures: &[Option<Vec<String>>],
    palette: &Palette,
    options: &GuideOptions,
    speaker: &mut Speaker,
    interrupted: &std::sync::atomic::AtomicBool,
    checkpoint: &mut impl FnMut(&CompletionRecord),
) -> std::io::Result<()> {
    use ratatui::backend::CrosstermBackend;
    use std::sync::atomic::Ordering;
    let mut terminal = ratatui::Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    terminal.clear()?;
    let clock0 = Instant::now();
    let mut events = session.start(Duration::ZERO);
    let mut auto_paused = false;
    let mut last_checkpoint = Duration::ZERO;
    let mut last_step = usize::MAX;
    let mut finished_at: Option<Instant> = None;
    // The checkpoint is meant for a database write: never more than once a second.
    let checkpoint_every = options.checkpoint_every.max(Duration::from_secs(1));
    loop {
        let now = clock0.elapsed();
        if interrupted.load(Ordering::SeqCst) {
            session.interrupt(now);
            return Ok(());
        }
        events.extend(session.tick(now));
        announce(session, &events, options, speaker)?;
        events.clear();
        speaker.poll();

        let step = session.snapshot().step_index;
        let paused = session.state() == SessionState::Paused;
        if !session.is_over() && (step != last_step || now.saturating_sub(last_checkpoint) >= checkpoint_every) {
            checkpoint(&session.record());
            last_step = step;
            last_checkpoint = now;
        }

        let size = terminal.size()?;
        let too_small = size.width < MIN_WIDTH || size.height < MIN_HEIGHT;
        if too_small && session.state() == SessionState::Running {
            events.extend(session.pause(now));
            auto_paused = true;
        } else if !too_small && auto_paused && paused {
            events.extend(session.resume(now));
            auto_paused = false;
        }
        terminal.draw(|f| {
            let snap = session.snapshot();
            let figure = figures.get(snap.step_index).and_then(|f| f.as_deref());
            render_with_figure(f, &snap, *palette, figure)
        })?;

        if session.is_over() {
            // Show the final screen for a while (or until a key) so the end does not flash by; a finished session
            // waits longer, for how the last exercise felt (1/2/3).
            let shown = *finished_at.get_or_insert_with(Instant::now);
            let wait = if session.state() == SessionState::Finished { 10_000 } else { 1500 };
            if shown.elapsed() >= Duration::from_millis(wait) {
                return Ok(());
            }
            if event::poll(Duration::from_millis(100))?
                && let Event::Key(key) = event::read()?
                && key.kind == KeyEventKind::Press
            {
                if let Some(effort) = effort_key(key.code) {
                    session.mark(session.timeline().steps.len().saturating_sub(1), effort);
                }
                return Ok(());
            }
            continue;
        }

        if !event::poll(Duration::from_millis(40))? {
            continue;
        }
        let now = clock0.elapsed();
        match event::read()? {
            // Presses only: a held key's repeats must not toggle pause back and forth.
            Event::Key(key) if key.kind == KeyEventKind::Press => match key.code {
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    session.interrupt(now);
                    return Ok(());
                }
                KeyCode::Char(' ') | KeyCode::Char('p') => {
                    auto_paused = false;
                    events.extend(session.toggle_pause(now));
                    if session.state() == SessionState::Paused {
                        checkpoint(&session.record());
                    }
                }
                KeyCode::Char('s') | KeyCode::Right => events.extend(session.skip(now)),
                KeyCode::Char('q') | KeyCode::Esc => session.quit(now),
                code => {
                    let step = session.snapshot().step_index;
                    if let Some(effort) = effort_key(code)
                        && step > 0
                        && session.mark(step - 1, effort)
                    {
                        checkpoint(&session.record());
                    }
                }
            },
            Event::Resize(..) => {}
            _ => {}
        }
    }
}

/// Bell and speech for what just happened. Only the latest segment is announced when several went by in one
/// tick (high speeds), so the speech never falls behind the screen.
fn announce(
    session: &Session,
    events: &[SessionEvent],
    options: &GuideOptions,
    speaker: &mut Speaker,
) -> std::io::Result<()> {
    let latest = events.iter().rev().find_map(|e| match e {
        SessionEvent::SegmentStarted(i) => Some(Some(*i)),
        SessionEvent::Finished => Some(None),
        _ => None,
    });
    let Some(latest) = latest else {
        return Ok(());
    };
    if options.bell {
        let mut out = std::io::stdout();
        out.write_all(b"\x07")?;
        out.flush()?;
    }
    let t = session.timeline();
    let text = match latest {
        Some(i) => t.segments.get(i).and_then(|seg| spoken_text(seg, &t.steps[seg.step])),
        None => Some(if session.record().steps.iter().all(|s| s.outcome == StepOutcome::Completed) {
            "Session complete. Well done.".to_string()
        } else {
            "Session over.".to_string()
        }),
    };
    if let Some(text) = text {
        speaker.say(&text);
    }
    Ok(())
}

/// Raw mode and the alternate screen for the session, undone on drop (normal return, `?`, or unwinding from a
/// panic). A panic hook restores the terminal *before* the panic message prints, so the message is readable.
struct TerminalGuard {
    previous_hook: std::sync::Arc<PanicHook>,
}

type PanicHook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send + 'static>;

impl TerminalGuard {
    fn enter() -> std::io::Result<TerminalGuard> {
        let previous_hook: std::sync::Arc<PanicHook> = std::sync::Arc::new(std::panic::take_hook());
        let chained = previous_hook.clone();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            chained(info);
        }));
        let guard = TerminalGuard { previous_hook };
        crossterm::terminal::enable_raw_mode()?;
        crossterm::execute!(std::io::stdout(), crossterm::terminal::EnterAlternateScreen, crossterm::cursor::Hide)?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
        // Replacing the hook is not allowed while panicking; the chained hook restores and defers, which is fine.
        if !std::thread::panicking() {
            let _ = std::panic::take_hook();
            let previous = self.previous_hook.clone();
            std::panic::set_hook(Box::new(move |info| previous(info)));
        }
    }
}

fn restore_terminal() {
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::cursor::Show, crossterm::terminal::LeaveAlternateScreen);
}

/// SIGTERM, SIGHUP, SIGINT and SIGQUIT end a session gracefully (the record is kept); a second signal, or any
/// signal outside a session, does what it would have done without us.
#[cfg(unix)]
mod signals {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, OnceLock};

    struct Flags {
        interrupted: Arc<AtomicBool>,
        /// True outside sessions and after a first signal: the next signal takes its default action.
        default_now: Arc<AtomicBool>,
        installed: bool,
    }

    fn flags() -> &'static Flags {
        static FLAGS: OnceLock<Flags> = OnceLock::new();
        FLAGS.get_or_init(|| {
            let interrupted = Arc::new(AtomicBool::new(false));
            let default_now = Arc::new(AtomicBool::new(true));
            let mut installed = true;
            for sig in [SIGTERM, SIGHUP, SIGINT, SIGQUIT] {
                // Order matters: the default action is checked before this signal arms it.
                installed &= signal_hook::flag::register_conditional_default(sig, default_now.clone()).is_ok();
                installed &= signal_hook::flag::register(sig, interrupted.clone()).is_ok();
                installed &= signal_hook::flag::register(sig, default_now.clone()).is_ok();
            }
            Flags { interrupted, default_now, installed }
        })
    }

    /// Starts catching signals for a session; returns the flag that tells the loop to stop.
    pub fn arm() -> Arc<AtomicBool> {
        let f = flags();
        f.interrupted.store(false, Ordering::SeqCst);
        if f.installed {
            f.default_now.store(false, Ordering::SeqCst);
        }
        f.interrupted.clone()
    }

    pub fn disarm() {
        flags().default_now.store(true, Ordering::SeqCst);
    }
}

#[cfg(not(unix))]
mod signals {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    /// Ctrl-C arrives as a key in raw mode, which the loop handles; nothing else to catch here.
    pub fn arm() -> Arc<AtomicBool> {
        Arc::new(AtomicBool::new(false))
    }

    pub fn disarm() {}
}

/// A rough frame as plain text, for debugging and documentation (`TestBackend` buffer to lines).
pub fn frame_text(buffer: &ratatui::buffer::Buffer) -> String {
    let area: Rect = buffer.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        for x in area.left()..area.right() {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod effort_tests {
    use super::*;

    #[test]
    fn keys_1_2_3_say_how_an_exercise_felt_and_the_help_fits_80_columns() {
        assert_eq!(effort_key(KeyCode::Char('1')), Some(Effort::TooEasy));
        assert_eq!(effort_key(KeyCode::Char('2')), Some(Effort::AboutRight));
        assert_eq!(effort_key(KeyCode::Char('3')), Some(Effort::TooHard));
        assert_eq!(effort_key(KeyCode::Char('s')), None);
        // No exercise has ended during the first one: nothing to mark yet.
        assert!(!key_help(SessionState::Running, 0).contains("too hard"));
        for state in [SessionState::Running, SessionState::Finished] {
            let help = key_help(state, 1);
            assert!(help.contains("3 too hard"), "{help}");
            assert!(help.chars().count() <= 78, "inside the 80-column frame: {help}");
        }
    }
}
