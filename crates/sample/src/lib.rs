//! Sample data for `runtall demo`, the benchmarks and the browser tests: simulated runs written as genuine FIT
//! files (so they go through the same import path as a runner's own watch files) and a generated season.

pub mod fit;
pub mod season;
