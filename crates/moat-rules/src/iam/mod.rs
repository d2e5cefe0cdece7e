//! IAM: identity and trust policies, managed-policy attachments, direct user grants and the
//! account password policy (CIS AWS Foundations Benchmark section 1, AWS Security Hub IAM
//! controls, [IAM security best practices](https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html)).

pub(crate) mod admin_policy;
pub(crate) mod attack_path;
pub(crate) mod exposure;
pub(crate) mod managed_admin_attached;
pub(crate) mod nonexistent_action;
pub(crate) mod password_policy;
pub(crate) mod privilege_escalation;
pub(crate) mod resource_policy_exposed;
pub(crate) mod trust_any_principal;
pub(crate) mod user_attached_policy;
pub(crate) mod wildcard_action;

use moat_model::aws::identity::{PolicyDoc, PolicyHolder, PolicyOrigin};

pub(crate) const FAMILY: &str = "iam";

/// Where Checkov checks a policy document, which decides the Checkov ID a finding can claim:
/// a resource check reads a policy written in a managed or inline policy resource
/// (`jsonencode`, heredoc, string), a data check reads a generated document
/// (`data "aws_iam_policy_document"`), and no check reads a role's `inline_policy` or a policy
/// that comes from elsewhere (a local value, `file(...)`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum CheckovSite {
    Resource,
    Data,
    None,
}

pub(crate) fn checkov_site(doc: &PolicyDoc) -> CheckovSite {
    match doc.holder {
        PolicyHolder::ManagedPolicy | PolicyHolder::InlinePolicy(_) => match doc.origin {
            PolicyOrigin::Generated => CheckovSite::Data,
            PolicyOrigin::Inline => CheckovSite::Resource,
            PolicyOrigin::Other => CheckovSite::None,
        },
        _ => CheckovSite::None,
    }
}
