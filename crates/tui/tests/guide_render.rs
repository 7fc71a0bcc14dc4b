//! Frames of the guided session rendered into ratatui's `TestBackend` at chosen clock times.

// The companion's own test helpers (the demo runner, the gate's permissions), shared by file.
#[path = "../../companion/tests/common/mod.rs"]
mod common;

use common::{program, secs, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use runtall_companion::guide::{DoseOverride, GuideInput, Session, build_timeline};
use runtall_tui::guide::{MIN_HEIGHT, MIN_WIDTH, Palette, frame_text, render};

fn session(input: GuideInput<'_>) -> Session {
    let t = build_timeline(program(), &input).expect("timeline");
    let mut s = Session::new(t, 1.0).expect("session");
    s.start(secs(0.0));
    s
}

fn exercise(id: &str) -> Session {
    session(GuideInput::Exercise { id, overrides: DoseOverride::default() })
}

fn frame(s: &Session, w: u16, h: u16, color: bool) -> (String, ratatui::buffer::Buffer) {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    term.draw(|f| render(f, &s.snapshot(), Palette { color })).expect("draw");
    let buf = term.backend().buffer().clone();
    (frame_text(&buf), buf)
}

/// Filled cells in the first row of the bar.
fn bar_cells(text: &str) -> usize {
    text.lines().find(|l| l.contains('█')).map_or(0, |l| l.chars().filter(|c| *c == '█').count())
}

#[test]
fn breathing_frame_shows_phase_count_bar_counters_and_keys() {
    let mut s = exercise("hooklying-90-90-breathing");
    s.tick(secs(11.0));
    let (text, _) = frame(&s, 80, 24, true);
    println!("{text}");
    assert!(text.contains("90/90 hook-lying breathing"));
    assert!(text.contains("Exercise 1/1"));
    assert!(text.contains("BREATHE IN  3"), "{text}");
    assert!(text.contains("Set 1/5 · Breath 1/4"), "{text}");
    assert!(text.contains("space pause · s/→ skip · q quit"));
    assert!(text.contains("left"));
    let early = bar_cells(&text);

    s.tick(secs(13.0));
    let (text, _) = frame(&s, 80, 24, true);
    let later = bar_cells(&text);
    assert!(later > early, "the bar grows on the breath in ({early} → {later})");

    s.tick(secs(15.0));
    let (text, _) = frame(&s, 80, 24, true);
    assert!(text.contains("BREATHE OUT  6"), "{text}");
    let out1 = bar_cells(&text);
    s.tick(secs(19.0));
    let (text, _) = frame(&s, 80, 24, true);
    let out2 = bar_cells(&text);
    assert!(out2 < out1, "the bar shrinks on the breath out ({out1} → {out2})");

    s.tick(secs(22.0));
    let (text, _) = frame(&s, 80, 24, true);
    assert!(text.contains("PAUSE, EMPTY  2"), "{text}");
    assert_eq!(bar_cells(&text), 0);
}

#[test]
fn hold_rest_and_next_up_frames() {
    let mut s = exercise("chin-tuck");
    // 10 s getting ready, 2 s into position, then the 10 s hold.
    s.tick(secs(15.0));
    let (text, _) = frame(&s, 80, 24, true);
    println!("{text}");
    assert!(text.contains("HOLD  7"), "{text}");
    assert!(text.contains("Rep 1/10 · hold 7 s"), "{text}");
    assert!(text.contains("Next up: last exercise"));

    let mut s = exercise("hooklying-90-90-breathing");
    // First round ends at 10 + 4 × 14 = 66 s; the rest runs to 81 s.
    s.tick(secs(70.0));
    let (text, _) = frame(&s, 80, 24, true);
    assert!(text.contains("REST  11"), "{text}");
    assert!(text.contains("rest 0:11"), "{text}");
    assert!(text.contains("Next up: set 2 of 5 — 90/90 hook-lying breathing"), "{text}");

    let v = view("desk-micro-break");
    let mut s = session(GuideInput::Routine(&v));
    s.tick(secs(3.0));
    let (text, _) = frame(&s, 80, 24, true);
    assert!(text.contains("GET READY  7"), "{text}");
    assert!(text.contains("Stand up from your seat"), "the position shows while getting ready: {text}");
    // The header names the exercise about to start; "Next up" is the one after it, never the current one.
    assert!(text.contains("Exercise 1/3 · Standing upper-back extension"), "{text}");
    assert!(text.contains("Next up: Walking break — 2:00"), "{text}");
    assert!(!text.contains("Next up: Standing upper-back extension"), "{text}");
    // During the work the next exercise is announced.
    s.tick(secs(11.0));
    let (text, _) = frame(&s, 80, 24, true);
    assert!(text.contains("Next up: Walking break — 2:00"), "{text}");
    assert!(text.contains("Why:"), "the routine's reason shows: {text}");
}

#[test]
fn paused_and_finished_frames() {
    let mut s = exercise("chin-tuck");
    s.tick(secs(4.0));
    s.pause(secs(4.0));
    let (text, _) = frame(&s, 80, 24, true);
    assert!(text.contains("PAUSED"), "{text}");
    assert!(text.contains("space resume"), "{text}");
    s.resume(secs(5.0));
    let mut now = 5.0;
    while !s.is_over() {
        now += 1.0;
        s.tick(secs(now));
    }
    let (text, _) = frame(&s, 80, 24, true);
    println!("{text}");
    assert!(text.contains("Done — well done"), "{text}");
    assert!(!text.contains("Next up"));
}

#[test]
fn no_color_means_no_colour_in_any_cell() {
    let mut s = exercise("hooklying-90-90-breathing");
    s.tick(secs(12.0));
    let (_, buf) = frame(&s, 80, 24, false);
    for cell in buf.content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "coloured cell {:?}", cell.symbol());
    }
    let (_, buf) = frame(&s, 80, 24, true);
    assert!(buf.content().iter().any(|c| c.fg != Color::Reset), "colour is used when allowed");
}

#[test]
fn fits_the_minimum_size_and_refuses_smaller() {
    let mut s = exercise("open-book-rotation");
    s.tick(secs(12.0));
    let (text, _) = frame(&s, MIN_WIDTH, MIN_HEIGHT, false);
    println!("{text}");
    assert!(text.contains("MOVE INTO POSITION"), "{text}");
    assert!(text.contains("Rep 1/8 · left side"), "{text}");
    assert!(text.contains("q quit"), "key help fits: {text}");

    let (text, _) = frame(&s, 40, 10, false);
    assert!(text.contains("Terminal too small: 40×10"), "{text}");
    assert!(text.contains(&format!("{MIN_WIDTH}×{MIN_HEIGHT}")), "{text}");
}

/// In 80×24 the exercise's drawing sits under the position while getting ready; in the smallest terminal it is
/// left out rather than squeezing the timer.
#[test]
fn the_drawing_of_the_exercise_shows_when_there_is_room() {
    use runtall_tui::guide::{render_with_figure, step_figures};
    let input = GuideInput::Exercise { id: "chin-tuck", overrides: DoseOverride::default() };
    let s = session(input);
    let figures = step_figures(program(), s.timeline());
    let fig = figures[0].as_deref().expect("chin tuck has a drawing");
    let draw = |w: u16, h: u16| {
        let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        term.draw(|f| render_with_figure(f, &s.snapshot(), Palette { color: false }, Some(fig))).expect("draw");
        frame_text(term.backend().buffer())
    };
    let big = draw(80, 24);
    let braille = |t: &str| t.chars().filter(|c| ('\u{2801}'..='\u{28ff}').contains(c)).count();
    assert!(braille(&big) > 20, "{big}");
    assert!(big.contains("Head resting"), "the start position's label: {big}");
    assert!(big.contains("GET READY"), "the timer is still there: {big}");
    let small = draw(MIN_WIDTH, MIN_HEIGHT);
    assert_eq!(braille(&small), 0, "{small}");
    assert!(small.contains("GET READY"), "{small}");
}
