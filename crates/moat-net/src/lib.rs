//! moat-net
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod diagnose;
pub mod diagram;
pub mod invariant;
