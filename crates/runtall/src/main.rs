//! The `runtall` binary: everything lives in the library crates; this only hands over the exit code.

fn main() -> std::process::ExitCode {
    runtall_cli::main()
}
