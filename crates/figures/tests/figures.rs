//! Every exercise has a drawing; every drawing is well-formed SVG, physically possible (nothing under the floor,
//! every reach within the arm's or leg's length) and small.

use quick_xml::Reader;
use quick_xml::events::Event;
use runtall_content::{Prop, program};
use runtall_figures::skeleton::Skeleton;
use runtall_figures::svg::Part;
use runtall_figures::{body_map, exercise_svg, exercise_svg_part, exercise_text};

fn well_formed(svg: &str) -> Result<usize, String> {
    let mut reader = Reader::from_str(svg);
    let mut depth = 0i32;
    let mut elements = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                depth += 1;
                elements += 1;
            }
            Ok(Event::Empty(_)) => elements += 1,
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("at {}: {e}", reader.buffer_position())),
        }
        if depth < 0 {
            return Err("closing tag without an opening one".into());
        }
    }
    if depth != 0 {
        return Err(format!("{depth} elements left open"));
    }
    Ok(elements)
}

#[test]
fn every_exercise_has_a_well_formed_drawing() {
    let p = program();
    assert!(p.exercises.len() >= 20);
    for e in &p.exercises {
        let svg = exercise_svg(p, &e.id).unwrap_or_else(|| panic!("{} has no drawing", e.id));
        let elements = well_formed(&svg).unwrap_or_else(|err| panic!("{}: not well-formed: {err}", e.id));
        assert!(elements > 15, "{}: only {elements} elements", e.id);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{}", e.id);
        assert!(svg.contains(&format!("<title>{}", e.name.replace('&', "&amp;"))), "{}: no title", e.id);
        assert!(!svg.contains("style="), "{}: inline styles break under the page's CSP", e.id);
        assert!(svg.len() < 16_000, "{}: {} bytes", e.id, svg.len());
    }
    assert!(exercise_svg(p, "no-such-exercise").is_none());
    for e in &p.exercises {
        for part in [Part::Plain, Part::Start, Part::End] {
            let svg = exercise_svg_part(p, &e.id, part).expect("part");
            well_formed(&svg).unwrap_or_else(|err| panic!("{} {part:?}: {err}", e.id));
            assert!(!svg.contains("<text"), "{} {part:?}: labels belong to the page", e.id);
        }
    }
}

/// A drawing that puts a hand through the floor, or asks an arm to reach further than it is long, is a typo in
/// the pose data.
#[test]
fn every_pose_is_possible() {
    for f in &program().figures {
        let panels = [(&f.start, &f.start_props), (&f.end, &f.end_props)];
        for (pose, own) in panels {
            let s = Skeleton::of(pose);
            let floor = f.props.iter().chain(own.iter()).any(|p| matches!(p, Prop::Floor));
            if floor {
                assert!(
                    s.lowest() > -0.012,
                    "{} '{}': a part of the body is under the floor ({:.3})",
                    f.exercise,
                    pose.label,
                    s.lowest()
                );
            }
            assert!(s.short_by() < 0.02, "{} '{}': a reach is {:.3} too far", f.exercise, pose.label, s.short_by());
        }
    }
}

/// The end position differs from the start: a drawing of two identical poses shows nothing (breathing drills
/// differ by their breath marks).
#[test]
fn start_and_end_differ() {
    for f in &program().figures {
        let moved = Skeleton::of(&f.start) != Skeleton::of(&f.end);
        let breath = f.start.breath != f.end.breath;
        assert!(moved || breath, "{}: start and end are the same drawing", f.exercise);
    }
}

#[test]
fn the_terminal_drawing_fits_its_box() {
    let p = program();
    for e in &p.exercises {
        let lines = exercise_text(p, &e.id, 40, 6).expect("text drawing");
        assert_eq!(lines.len(), 7, "{}: 6 rows of picture and a label line", e.id);
        for l in &lines {
            assert!(l.chars().count() <= 40, "{}: '{l}' is wider than 40", e.id);
        }
        let dots: usize =
            lines[..6].iter().map(|l| l.chars().filter(|c| *c > '\u{2800}' && *c <= '\u{28ff}').count()).sum();
        assert!(dots > 20, "{}: the picture is almost empty", e.id);
    }
}

#[test]
fn the_body_outline_is_a_closed_path_inside_its_box() {
    let d = body_map::outline_path();
    assert!(d.starts_with('M') && d.ends_with('Z'));
    let numbers: Vec<f32> = d
        .split(|c: char| c == ',' || c == ' ' || c.is_ascii_alphabetic())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().expect("number"))
        .collect();
    assert!(numbers.len() > 100);
    for pair in numbers.chunks(2) {
        assert!((0.0..=200.0).contains(&pair[0]) && (0.0..=250.0).contains(&pair[1]), "{pair:?} outside the box");
    }
    let svg = format!(r#"<svg xmlns="http://www.w3.org/2000/svg"><path d="{d}"/></svg>"#);
    well_formed(&svg).expect("well-formed");
}
