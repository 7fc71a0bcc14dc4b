//! Nothing to link: this crate only holds `tests/invariants.rs`, which checks ARCHITECTURE.md's invariants over
//! the workspace's `Cargo.toml` files, `Cargo.lock` and sources, so a change that breaks one fails `cargo test`.
