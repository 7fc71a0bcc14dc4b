//! Voice-cue exports: iCalendar alarms, JSON and SSML.

mod common;

use common::program;
use runtall_companion::cues::{CueOptions, RepSpec, RunPlan, Spec, plan_run};
use runtall_companion::export::{IcsOptions, SsmlOptions, VoiceFormat, to_ics, to_json, to_ssml};
use runtall_content::RunType;

fn plan() -> RunPlan {
    plan_run(program(), &common::open(), RunType::Long, &Spec::Minutes(90), &CueOptions::default()).expect("plan")
}

fn start() -> jiff::Timestamp {
    "2026-04-12T06:30:00Z".parse().expect("time")
}

/// Undoes RFC 5545 line folding.
fn unfold(ics: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in ics.split("\r\n") {
        if let Some(rest) = raw.strip_prefix(' ') {
            if let Some(last) = lines.last_mut() {
                last.push_str(rest);
            }
        } else if !raw.is_empty() {
            lines.push(raw.to_string());
        }
    }
    lines
}

#[test]
fn ics_has_one_event_and_alarm_per_cue_relative_to_the_start() {
    let p = plan();
    let ics = to_ics(&p, &IcsOptions::new(start())).expect("ics");
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert!(!ics.replace("\r\n", "").contains('\n'), "CRLF line endings only");
    assert!(ics.split("\r\n").all(|l| l.len() <= 75), "folded at 75 octets");
    let lines = unfold(&ics);
    let count = |prefix: &str| lines.iter().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(count("BEGIN:VEVENT"), p.cues.len());
    assert_eq!(count("BEGIN:VALARM"), p.cues.len());
    assert_eq!(count("TRIGGER;RELATED=START:PT0S"), p.cues.len());
    let starts: Vec<&String> = lines.iter().filter(|l| l.starts_with("DTSTART:")).collect();
    assert_eq!(starts[0], "DTSTART:20260412T063000Z");
    assert_eq!(starts[1], "DTSTART:20260412T064500Z", "15 minutes in");
    assert_eq!(starts.last().map(|s| s.as_str()), Some("DTSTART:20260412T080000Z"), "90 minutes in");
    assert!(lines.iter().any(|l| l == "SUMMARY:Stack: ribs over pelvis"));
    // Commas in the text are escaped.
    assert!(
        lines.iter().any(|l| l.starts_with("DESCRIPTION:0:00 — Stack up: ribcage over pelvis\\, head")),
        "{lines:?}"
    );
    let uids: std::collections::BTreeSet<&String> = lines.iter().filter(|l| l.starts_with("UID:")).collect();
    assert_eq!(uids.len(), p.cues.len(), "unique UIDs");
}

#[test]
fn ics_and_ssml_escape_hostile_text() {
    let mut p = plan();
    p.cues[0].watch = "A; b, c\\ d".into();
    p.cues[0].text = "line one\nline two".into();
    p.cues[0].spoken = "Tom & Jerry say <hi> \"now\" it's time".into();
    let ics = to_ics(&p, &IcsOptions::new(start())).expect("ics");
    let lines = unfold(&ics);
    assert!(lines.iter().any(|l| l == "SUMMARY:A\\; b\\, c\\\\ d"), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("line one\\nline two")));
    let ssml = to_ssml(&p, &SsmlOptions::default()).expect("ssml");
    assert!(ssml.contains("<s>Tom &amp; Jerry say &lt;hi&gt; &quot;now&quot; it&apos;s time</s>"), "{ssml}");
    well_formed(&ssml);
}

fn well_formed(xml: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut elements = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => return elements,
            Ok(quick_xml::events::Event::Start(_) | quick_xml::events::Event::Empty(_)) => elements += 1,
            Ok(_) => {}
            Err(e) => panic!("malformed XML at {}: {e}\n{xml}", reader.buffer_position()),
        }
    }
}

#[test]
fn ssml_breaks_keep_the_cues_on_schedule() {
    let p = plan();
    let ssml = to_ssml(&p, &SsmlOptions::default()).expect("ssml");
    println!("{}", &ssml[..ssml.len().min(900)]);
    assert!(ssml.contains("<speak version=\"1.1\" xmlns=\"http://www.w3.org/2001/10/synthesis\" xml:lang=\"en\">"));
    assert!(well_formed(&ssml) > p.cues.len());
    assert_eq!(ssml.matches("<s>").count(), p.cues.len());
    // Silence plus estimated speech adds up to the time of the last cue.
    let breaks: u32 = ssml
        .match_indices("<break time=\"")
        .map(|(i, _)| {
            let rest = &ssml[i + 13..];
            rest[..rest.find('s').expect("unit")].parse::<u32>().expect("seconds")
        })
        .sum();
    let speech: u32 = p.cues[..p.cues.len() - 1]
        .iter()
        .map(|c| (c.spoken.split_whitespace().count() as u32 * 60).div_ceil(150))
        .sum();
    assert_eq!(breaks + speech, p.cues.last().map_or(0, |c| c.at_s));
    assert!(!ssml.contains("time=\"11s\""), "no single break longer than 10 s by default");
    let wide = to_ssml(&p, &SsmlOptions { max_break_s: 600, ..SsmlOptions::default() }).expect("ssml");
    assert!(wide.matches("<break").count() < ssml.matches("<break").count());
    assert!(to_ssml(&p, &SsmlOptions { lang: "en\" onload=\"x".into(), ..SsmlOptions::default() }).is_err());
    assert!(to_ssml(&p, &SsmlOptions { max_break_s: 0, ..SsmlOptions::default() }).is_err());
}

#[test]
fn json_lists_cues_with_offsets_and_absolute_times() {
    let spec = Spec::Reps(RepSpec::parse("6x800m", "2min", 10, 10).expect("spec"));
    let p = plan_run(program(), &common::open(), RunType::Speed, &spec, &CueOptions::default()).expect("plan");
    let json = to_json(&p, Some(start())).expect("json");
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let cues = v["cues"].as_array().expect("cues");
    assert_eq!(cues.len(), p.cues.len());
    assert_eq!(cues[0]["at_s"], 0);
    assert_eq!(cues[0]["at"], "2026-04-12T06:30:00Z");
    assert_eq!(cues[0]["clock"], "0:00");
    assert_eq!(cues[0]["id"], "stack-tall");
    assert!(cues.iter().any(|c| c["phase"] == "before-rep" && c["approximate"] == false));
    assert!(cues.iter().any(|c| c["phase"] == "recovery" && c["approximate"] == true));
    assert_eq!(v["run_type"], "speed");
    // Each key once per cue (serde_json keeps the last of a repeated key, so count in the text).
    assert_eq!(json.matches("\"at_s\"").count(), p.cues.len(), "at_s written once per cue");
    let no_start: serde_json::Value = serde_json::from_str(&to_json(&p, None).expect("json")).expect("json");
    assert!(no_start["cues"][0].get("at").is_none());
}

#[test]
fn formats_parse_by_name() {
    assert_eq!("ics".parse::<VoiceFormat>().ok(), Some(VoiceFormat::Ics));
    assert_eq!("SSML".parse::<VoiceFormat>().ok(), Some(VoiceFormat::Ssml));
    let e = "mp3".parse::<VoiceFormat>().expect_err("unknown").to_string();
    assert_eq!(e, "unknown cue format 'mp3' (expected ics, json or ssml)");
}
