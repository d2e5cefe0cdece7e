//! moat-net
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::print_stdout,
        clippy::print_stderr
    )
)]

pub mod diagnose;
pub mod diagram;
pub mod engine;
pub mod invariant;
pub mod sets;
pub mod unread;

pub use engine::{
    check_lb_targets, exposure, reach, reach_with, sg_matrix, sg_matrix_each, Block, Endpoint,
    Exposure, Hop, LegCheck, Net, Path, Query, ReachError, ReachResult, SgEdge, TargetCheck,
    Verdict,
};
pub use sets::{AddrSet, PortSet};
