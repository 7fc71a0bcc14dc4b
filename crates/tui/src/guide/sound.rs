//! Spoken cues through `espeak-ng`, when it is installed. Speech is spawned and never waited for, so a slow
//! or missing speech engine can never stall the pacer; a new cue cuts off one still being spoken.

use runtall_companion::guide::{BreathPhase, GuideStep, Segment, SegmentKind, Side};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// What to say when a segment starts, if anything. Short words for the fast breath phases; the exercise name
/// when getting ready, so the runner can keep their eyes closed.
pub fn spoken_text(seg: &Segment, step: &GuideStep) -> Option<String> {
    Some(match seg.kind {
        SegmentKind::Prepare => format!("Next: {}.", step.name),
        SegmentKind::Breathe(BreathPhase::Inhale) => "in".to_string(),
        SegmentKind::Breathe(BreathPhase::HoldIn) => "hold".to_string(),
        SegmentKind::Breathe(BreathPhase::Exhale) => "out".to_string(),
        SegmentKind::Breathe(BreathPhase::HoldOut) => "pause".to_string(),
        SegmentKind::Move => seg.rep.map_or_else(|| "go".to_string(), |r| r.to_string()),
        SegmentKind::Hold => "hold".to_string(),
        SegmentKind::Work => "go".to_string(),
        SegmentKind::SwitchSides => match seg.side {
            Some(Side::Right) => "switch to the right side".to_string(),
            Some(Side::Left) => "switch to the left side".to_string(),
            None => "switch sides".to_string(),
        },
        SegmentKind::Rest => "rest".to_string(),
    })
}

/// A handle on `espeak-ng`; silently does nothing when the program is absent.
#[derive(Debug, Default)]
pub struct Speaker {
    program: Option<PathBuf>,
    child: Option<Child>,
}

impl Speaker {
    /// Finds `espeak-ng` on `PATH`. Absent means a silent speaker, not an error: speech is an extra.
    pub fn detect() -> Speaker {
        Speaker { program: find_on_path("espeak-ng"), child: None }
    }

    /// A speaker using a given `espeak-ng`-compatible program (tests, or an unusual install path).
    pub fn with_program(program: impl Into<PathBuf>) -> Speaker {
        let program = program.into();
        Speaker { program: is_executable(&program).then_some(program), child: None }
    }

    /// A speaker that never speaks.
    pub fn silent() -> Speaker {
        Speaker::default()
    }

    pub fn available(&self) -> bool {
        self.program.is_some()
    }

    /// Starts speaking `text`, cutting off anything still being said. Never blocks on the speech itself.
    pub fn say(&mut self, text: &str) {
        let Some(program) = self.program.clone() else {
            return;
        };
        self.stop();
        // Text always comes from our own strings; the `--` keeps a leading dash from being read as an option.
        let spawned = Command::new(&program)
            .args(["-s", "165", "--", text])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match spawned {
            Ok(child) => self.child = Some(child),
            // A broken install: stop trying for the rest of the session.
            Err(_) => self.program = None,
        }
    }

    /// Reaps a finished speech process so none is left as a zombie.
    pub fn poll(&mut self) {
        if let Some(child) = &mut self.child
            && !matches!(child.try_wait(), Ok(None))
        {
            self.child = None;
        }
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            if matches!(child.try_wait(), Ok(None)) {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
    }
}

impl Drop for Speaker {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Looks for an executable on `PATH` without running it (running it to probe would make a sound).
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}
