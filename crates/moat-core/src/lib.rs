//! moat as a library: read an architecture once, then scan it, ask whether traffic gets
//! through, list what the internet reaches, or draw it. Every call returns data (structs and
//! [`Error`]s), never printed text or exit codes; the `moat` command line parses its flags,
//! calls these and renders what comes back.
//!
//! ```no_run
//! use moat_core::{LoadOptions, ReachQuery, ScanOptions, Workspace};
//! # fn main() -> Result<(), moat_core::Error> {
//! let ws = Workspace::load(&["infra".into()], &LoadOptions::default())?;
//! let scan = ws.scan(&ScanOptions::default());
//! for f in scan.report.active() {
//!     let _ = (&f.rule_id, &f.resource, &f.file, f.line);
//! }
//! let answer = ws.reach(&ReachQuery {
//!     from: "internet".into(),
//!     to: "aws_instance.app".into(),
//!     protocol: moat_model::aws::network::Protocol::Tcp,
//!     ports: moat_net::PortSet::single(443),
//! })?;
//! let _ = answer.result.verdict;
//! # Ok(())
//! # }
//! ```
//!
//! [`Workspace::load`] runs every frontend over the paths and works out, once, what could
//! not be read ([`Workspace::nothing_read`], [`Workspace::errors`]); the analyses borrow the
//! workspace. Verdicts are the analysis crates': the rules (`moat-rules`, NET100 included,
//! with the invariants of `moat.toml` handed over as data) and the network engine
//! (`moat-net`). Nothing here changes one.
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

pub mod config;
mod diagram;
mod error;
mod exposure;
pub mod iam;
mod load;
mod reach;
mod scan;
pub mod suppress;

pub use config::FileConfig;
pub use diagram::DiagramOptions;
pub use error::Error;
pub use exposure::Exposures;
pub use load::{
    check_paths, root_label, Frontend, LoadOptions, NothingRead, Root, Unchecked, Workspace,
    FRONTENDS,
};
pub use reach::{parse_endpoint, Reach, ReachQuery};
pub use scan::{rule_metas, ScanOptions, ScanResult};
