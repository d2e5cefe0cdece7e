//! IAM (seed 001 "IAM 보안 체크리스트", seed 004 IAM best practice).

pub(crate) mod admin_policy;
pub(crate) mod managed_admin_attached;
pub(crate) mod password_policy;
pub(crate) mod trust_any_principal;
pub(crate) mod user_attached_policy;
pub(crate) mod wildcard_action;

use moat_model::views::services::{PolicyDoc, Statement};

pub(crate) const FAMILY: &str = "iam";

/// An `Allow` statement for principal `*` without a condition.
pub(crate) fn public_allow(s: &Statement) -> bool {
    s.allow
        && !s.has_condition
        && !s.not_principal
        && s.principals
            .iter()
            .any(|(k, v)| v == "*" && (k == "*" || k == "AWS"))
}

/// Where Checkov checks a policy document, which decides the Checkov ID a finding can claim:
/// a resource check reads a policy written in the resource (`jsonencode`, heredoc), a data
/// check reads `data "aws_iam_policy_document"`, and no check reads a role's `inline_policy`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum CheckovSite {
    Resource,
    Data,
    None,
}

pub(crate) fn checkov_site(ctx: &crate::Ctx<'_>, doc: &PolicyDoc<'_>) -> CheckovSite {
    const CHECKED: [&str; 4] = [
        "aws_iam_policy",
        "aws_iam_role_policy",
        "aws_iam_user_policy",
        "aws_iam_group_policy",
    ];
    if !CHECKED.contains(&doc.resource.rtype.as_str()) || doc.attr != "policy" {
        return CheckovSite::None;
    }
    // Decided from the text of the attribute: the evaluated value does not say whether it
    // came from a data source. Anything else (a local, `file(...)`) claims nothing.
    let Some(loc) = doc.node.loc.as_ref() else {
        return CheckovSite::None;
    };
    let Some(text) = ctx.estate.source_line(&loc.file, loc.line) else {
        return CheckovSite::None;
    };
    let value = text.split_once('=').map(|(_, v)| v.trim()).unwrap_or("");
    if value.contains("data.aws_iam_policy_document.") {
        CheckovSite::Data
    } else if value.starts_with("jsonencode(") || value.starts_with("<<") || value.starts_with('"')
    {
        CheckovSite::Resource
    } else {
        CheckovSite::None
    }
}
