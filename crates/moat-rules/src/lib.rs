//! The rule catalogue. Work in progress; the public API below is fixed.

use moat_model::{Estate, Finding, Severity};

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
    Vec::new()
}

/// Run every rule on the estate. Findings are sorted (see `moat_model::sort_findings`).
pub fn check(estate: &Estate) -> Vec<Finding> {
    let _ = estate;
    Vec::new()
}
