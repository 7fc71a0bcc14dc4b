//! Speech through an `espeak-ng` stand-in, and the desktop-notification fallback.

use runtall_tui::guide::Speaker;

#[cfg(unix)]
#[test]
fn speaker_spawns_without_waiting_and_is_silent_when_absent() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("runtall-speak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let out = dir.join("said.txt");
    let script = dir.join("espeak-ng");
    std::fs::write(&script, format!("#!/bin/sh\nsleep 0.2\necho \"$@\" >> {}\n", out.display())).expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");

    let mut s = Speaker::with_program(&script);
    assert!(s.available());
    let t0 = std::time::Instant::now();
    s.say("breathe in");
    assert!(t0.elapsed() < std::time::Duration::from_millis(150), "say() does not wait for the speech");
    std::thread::sleep(std::time::Duration::from_millis(600));
    s.poll();
    let said = std::fs::read_to_string(&out).expect("spoken");
    assert_eq!(said.trim(), "-s 165 -- breathe in");
    // A new cue cuts off one still being spoken: the first never finishes.
    s.say("first");
    s.say("second");
    std::thread::sleep(std::time::Duration::from_millis(600));
    drop(s);
    let said = std::fs::read_to_string(&out).expect("spoken");
    assert!(!said.contains("first") && said.contains("second"), "{said}");

    let mut missing = Speaker::with_program(dir.join("no-such-program"));
    assert!(!missing.available());
    missing.say("nothing happens");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(feature = "notify")]
#[test]
fn desktop_notifier_falls_back_to_the_terminal_without_a_session_bus() {
    use runtall_companion::remind::{Prompt, PromptKind};
    use runtall_tui::remind::{DesktopNotifier, Notifier};
    let prompt = Prompt {
        id: 1,
        kind: PromptKind::Walk,
        at: jiff::Timestamp::UNIX_EPOCH,
        sitting_min: 30,
        title: "Time to stand up and walk".into(),
        body: "Walk for 3 minutes.".into(),
        suggestion: None,
        skips_left: 3,
    };
    let mut n = DesktopNotifier::default();
    // With or without a notification service this must not fail: the terminal is the fallback.
    n.notify(&prompt).expect("shown somewhere");
    println!("notifier: {}", n.describe());
}
