//! The rule catalogue.
//!
//! Every rule lives in its own file (`src/<family>/<rule>.rs`): a `RULE` definition holding
//! its title, severity, peer-tool equivalents, documentation (`DOC`, in fixed sections) and
//! check function. [`codes`](crate::codes) maps stable codes to rules; codes are never reused,
//! and a retired or renamed code keeps working through a redirect. Adding a family means adding
//! a module and rows to `codes.rs`.
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

mod codes;
pub mod docs;
mod registry;

mod apigw;
mod cloudtrail;
mod ebs;
mod ec2;
mod ecr;
mod eks;
mod elasticache;
mod iam;
mod kms;
mod lambda;
mod lb;
mod logs;
mod mon;
mod network;
mod rds;
mod s3;
mod secrets;
mod sg;
mod sns;
mod sqs;
mod vpc;

use rayon::prelude::*;

use moat_model::{sort_findings, Estate, Finding, Severity};

pub use registry::Ctx;

/// What `moat rules` lists and the docs are generated from.
#[derive(Clone, Debug)]
pub struct RuleInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    /// Family (`s3`, `ec2`, `iam`, ...).
    pub family: &'static str,
    pub checkov: &'static [&'static str],
    /// Markdown documentation (the rule file's doc comment).
    pub doc: &'static str,
}

/// Every rule, sorted by id.
pub fn catalogue() -> Vec<RuleInfo> {
    let mut v: Vec<RuleInfo> = codes::CODES
        .iter()
        .map(|(code, def)| def.info(code))
        .collect();
    v.sort_by(|a, b| a.id.cmp(b.id));
    v
}

/// One rule by id (case-insensitive), following redirects of renamed codes.
pub fn rule(id: &str) -> Option<RuleInfo> {
    let id = codes::canonical(id)?;
    codes::CODES
        .iter()
        .find(|(code, _)| *code == id)
        .map(|(code, def)| def.info(code))
}

/// The rule's short name (its file name, `bucket_versioning`), by id.
pub fn rule_name(id: &str) -> Option<&'static str> {
    let id = codes::canonical(id)?;
    codes::CODES
        .iter()
        .find(|(code, _)| *code == id)
        .map(|(_, def)| def.name)
}

/// What the user declares beside the architecture (in `moat.toml`) for the rules to check.
#[derive(Clone, Copy, Debug, Default)]
pub struct Declared<'a> {
    /// `[[network.invariant]]` tables (parsed by `moat_net::invariant::parse`), checked by
    /// NET100.
    pub invariants: &'a [moat_net::invariant::Invariant],
}

/// Run every rule on the estate. Findings are sorted (see `moat_model::sort_findings`).
pub fn check(estate: &Estate) -> Vec<Finding> {
    check_with(estate, &Declared::default())
}

/// Run every rule on the estate, with what the user declared (the network invariants).
pub fn check_with(estate: &Estate, declared: &Declared<'_>) -> Vec<Finding> {
    run(estate, declared, |_| true)
}

/// Run only the rules whose ids are given (case-insensitive; redirects followed). Unknown ids
/// are ignored: validate them with [`rule`] first.
pub fn check_only(estate: &Estate, ids: &[&str]) -> Vec<Finding> {
    let wanted: Vec<&str> = ids.iter().filter_map(|i| codes::canonical(i)).collect();
    run(estate, &Declared::default(), |code| wanted.contains(&code))
}

fn run(
    estate: &Estate,
    declared: &Declared<'_>,
    select: impl Fn(&str) -> bool + Sync,
) -> Vec<Finding> {
    let ctx = Ctx::with_declared(estate, *declared);
    let mut out: Vec<Finding> = codes::CODES
        .par_iter()
        .filter(|(code, _)| select(code))
        .flat_map_iter(|(code, def)| def.run(code, &ctx))
        .collect();
    // Values of sensitive variables and whole file contents never reach a message.
    if !estate.redactions.is_empty() {
        for f in &mut out {
            f.message = estate.redact(&f.message);
        }
    }
    sort_findings(&mut out);
    out
}
