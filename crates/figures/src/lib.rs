//! Drawings of the exercises, from the pose data in `runtall-content`'s `figures.toml`.
//!
//! Every exercise has a start and an end position given as joint directions; this crate turns them into a stick
//! figure with the proportions of a person ([`skeleton`]), as SVG for the web app and the report ([`svg`]) and as
//! braille text for the terminal ([`text`]). Drawing from data rather than keeping hand-made pictures keeps every
//! drawing in one style, lets tests check each one (well-formed, nothing under the floor, every reach reachable)
//! and keeps them tiny (a few kilobytes each).
//!
//! [`body_map`] holds the body outline the pain log's map is drawn on.

pub mod body_map;
pub mod skeleton;
pub mod svg;
pub mod text;

use runtall_content::{Figure, Program, Prop};

/// The props one panel shows: the figure's shared ones and the panel's own.
pub(crate) fn panel_props<'a>(figure: &'a Figure, own: &'a [Prop]) -> Vec<&'a Prop> {
    figure.props.iter().chain(own).collect()
}

/// The drawing of an exercise as an SVG document, by exercise id; `None` for an unknown id.
pub fn exercise_svg(program: &Program, id: &str) -> Option<String> {
    let exercise = program.exercise(id)?;
    let figure = program.figure(id)?;
    Some(svg::figure_svg(exercise, figure))
}

/// One part of an exercise's drawing (see [`svg::Part`]), by exercise id.
pub fn exercise_svg_part(program: &Program, id: &str, part: svg::Part) -> Option<String> {
    let exercise = program.exercise(id)?;
    let figure = program.figure(id)?;
    Some(svg::render(exercise, figure, part))
}

/// The drawing of an exercise as braille lines for a terminal, `cols` × `rows` characters for both positions.
pub fn exercise_text(program: &Program, id: &str, cols: usize, rows: usize) -> Option<Vec<String>> {
    let figure = program.figure(id)?;
    Some(text::figure_text(figure, cols, rows))
}
