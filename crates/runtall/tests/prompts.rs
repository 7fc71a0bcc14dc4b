//! The interactive assessment in a real terminal: an answer the assessment cannot be stored without is asked again
//! on the spot, never refused after every other question (which lost all of them). The binary gets a
//! pseudo-terminal from `script` (util-linux); the test says it was skipped where `script` is missing.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_runtall");

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

/// `runtall` running in a pseudo-terminal, with everything it printed so far (escape sequences removed).
struct Terminal {
    child: Child,
    keys: ChildStdin,
    out: Arc<Mutex<Vec<u8>>>,
}

impl Terminal {
    fn start(db: &Path, args: &str) -> Option<Terminal> {
        if Command::new("script").arg("--version").output().is_err() {
            eprintln!("skipped: `script` (util-linux) is not installed, so there is no pseudo-terminal to test in");
            return None;
        }
        let command = format!("'{BIN}' --db '{}' {args}", db.display());
        let mut child = Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env("TERM", "xterm")
            .env_remove("RUNTALL_DB")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start script");
        let keys = child.stdin.take().expect("stdin");
        let mut stdout = child.stdout.take().expect("stdout");
        let out = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&out);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("lock").extend_from_slice(&buf[..n]);
            }
        });
        Some(Terminal { child, keys, out })
    }

    /// What the terminal showed so far, without colour and cursor sequences.
    fn text(&self) -> String {
        let raw = String::from_utf8_lossy(&self.out.lock().expect("lock")).into_owned();
        let mut text = String::with_capacity(raw.len());
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                if chars.peek() == Some(&'[') {
                    chars.next();
                    // Parameters, then one final letter.
                    for c in chars.by_ref() {
                        if c.is_ascii_alphabetic() || c == '~' {
                            break;
                        }
                    }
                } else {
                    chars.next();
                }
            } else {
                text.push(c);
            }
        }
        text
    }

    /// Waits until `what` has been shown `times` times in all (a prompt is redrawn as it changes).
    fn wait_for(&self, what: &str, times: usize) -> bool {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.text().matches(what).count() >= times {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    fn send(&mut self, keys: &str) {
        self.keys.write_all(keys.as_bytes()).expect("keys");
        self.keys.flush().expect("flush");
        // Let the prompt read and redraw before the next key.
        std::thread::sleep(Duration::from_millis(300));
    }

    /// Types an answer and presses Enter.
    fn answer(&mut self, text: &str) {
        self.send(text);
        self.send("\r");
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_assessment_asks_again_for_a_region_and_for_a_long_run_within_the_week() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("p.db");
    let clear = repo("examples/screen-clear.toml");
    let o = Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .args(["screen", "--answers", clear.to_str().expect("path")])
        .env_remove("RUNTALL_DB")
        .output()
        .expect("screen");
    assert!(o.status.success());
    let Some(mut t) = Terminal::start(&db, "assess") else { return };
    assert!(t.wait_for("Where does it hurt?", 1), "no first question:\n{}", t.text());
    // Enter with nothing chosen: asked again, with the reason, instead of going on.
    t.send("\r");
    assert!(t.wait_for("choose at least one region", 1), "an empty answer was taken:\n{}", t.text());
    assert!(!t.text().contains("When does it show up?"), "{}", t.text());
    // Space chooses the first region (neck); then the next questions come.
    t.answer(" ");
    assert!(t.wait_for("When does it show up?", 1), "{}", t.text());
    t.send("\r");
    for (question, answer) in [("Usual pain", "3"), ("Runs per week", "4"), ("Distance per week", "30")] {
        assert!(t.wait_for(question, 1), "{question}:\n{}", t.text());
        t.answer(answer);
    }
    // A long run longer than the week: asked again at once, saying why.
    assert!(t.wait_for("Usual long run", 1), "{}", t.text());
    t.answer("40");
    assert!(t.wait_for("is longer than the week's 30.0 km", 1), "a long run over the week was taken:\n{}", t.text());
    assert!(!t.text().contains("Speed sessions"), "{}", t.text());
    t.answer("15");
    assert!(t.wait_for("Speed sessions", 1), "{}", t.text());
    // Leave without finishing: nothing is stored.
    t.send("\u{3}");
}
