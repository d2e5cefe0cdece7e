//! IAM engine, first layer: the pieces AWS's policy evaluation is built from.
//!
//! - [`policy`]: an IAM policy document (from JSON or from a [`moat_model::Node`] whose leaves
//!   may be unknown) parsed into typed statements. A leaf that cannot be resolved is kept as
//!   [`policy::Leaf::Unknown`], never dropped, so a later decision can say it depends on it.
//! - [`pattern`]: AWS wildcard matching (`*`, `?`), actions case-insensitively, resources
//!   case-sensitively and ARN-segment-aware.
//! - [`condition`]: the string condition operators (`StringEquals`, `StringNotEquals`, their
//!   `IgnoreCase` forms, `StringLike`, `StringNotLike`, `...IfExists`) with AWS's missing-key
//!   semantics; an unknown value gives an unknown outcome unless a known one settles it.
//!   [`condition::Operator`] covers every family (String*, Numeric*, Date*, Bool, BinaryEquals,
//!   IpAddress/NotIpAddress, Arn*, Null) with `...IfExists` and `ForAllValues:`/`ForAnyValue:`.
//!
//!   [`condition::evaluate_conditions`] decides a whole `Condition` element (entries AND-ed,
//!   keys case-insensitive) against a [`condition::RequestContext`].
//!
//! Not here yet: policy variable substitution, the evaluation logic, the principal graph (issue 9).
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

pub mod condition;
pub mod pattern;
pub mod policy;
