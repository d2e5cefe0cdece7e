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
//! - [`data`]: embedded AWS data, offline: which actions exist (access levels, resource types,
//!   condition keys, ARN formats) and the documents of AWS managed policies.
//! - [`variables`]: policy variable substitution (`${aws:username}`, `${*}`, defaults).
//! - [`principal`]: the request's principal and how `Principal`/`NotPrincipal` match it.
//! - [`eval`]: AWS's evaluation logic (explicit deny, RCPs, SCPs, resource-based policies
//!   same-account and cross-account, identity-based policies, permissions boundaries, session
//!   policies), returning the decision as data.
//! - [`estate`]: the IAM view of a scanned estate (principals, resources, their policies) and
//!   the questions asked of it: simulate one principal, who can.
//! - [`graph`]: the principal graph (assume role, pass role to compute, credentials) and who
//!   can transitively.
//! - [`escalation`]: privilege escalation methods, decided by the evaluator.
//! - [`from_model`]: the estate's IAM view built from the typed AWS state of any frontend
//!   (principals with inline, attached, group and boundary policies; trust, bucket and key
//!   policies), references to estate resources in policy documents resolved.
//! - [`simulate`]: standalone requests in the JSON shape of `moat iam simulate --input`.
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
pub mod data;
pub mod escalation;
pub mod estate;
pub mod eval;
pub mod from_model;
pub mod graph;
pub mod pattern;
pub mod policy;
pub mod principal;
pub mod simulate;
pub mod variables;
