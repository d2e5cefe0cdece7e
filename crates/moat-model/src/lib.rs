//! moat's resolved estate model.
//!
//! Frontends (Terraform, CloudFormation, inventory, Kubernetes) produce an [`Estate`]: resources
//! whose attribute values carry provenance ([`Loc`]) and may be [`Unknown`]. Analyses read the
//! estate and produce [`Finding`]s; they never parse files.

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

pub mod aws;
pub mod estate;
pub mod files;
pub mod finding;
pub mod limits;
pub mod sandbox;
pub mod value;

pub use estate::{
    Edge, Estate, Frontend, Mode, Note, Redaction, Resolved, Resource, ResourceId, ResourceIgnore,
    ScanError, UnreadModule, Written,
};
pub use finding::{sort_findings, Equivalent, Finding, Severity, Status};
pub use limits::{Limit, Limits};
pub use sandbox::{Refusal, Sandbox};
pub use value::{format_number, Loc, Node, Tri, Unknown, Value};
