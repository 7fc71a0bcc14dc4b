//! The `runtall` binary: everything lives in the library crates; this only hands over the exit code.

fn main() -> std::process::ExitCode {
    restore_sigpipe();
    runtall_cli::main()
}

/// Rust ignores SIGPIPE, which turns `runtall runs | head` into a "failed printing to stdout" panic. Command-line
/// tools conventionally end quietly when the reader goes away, so restore the default disposition.
#[cfg(unix)]
#[allow(unsafe_code)]
fn restore_sigpipe() {
    // SAFETY: called once at start-up before any thread exists; SIG_DFL is a valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_sigpipe() {}
