//! Sample data for `runtall demo`: a generated season written as real FIT files.

pub mod fit;
pub mod season;
