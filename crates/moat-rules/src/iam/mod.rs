//! IAM (seed 001 "IAM 보안 체크리스트", seed 004 IAM best practice).

pub(crate) mod admin_policy;
pub(crate) mod password_policy;
pub(crate) mod trust_any_principal;
pub(crate) mod user_attached_policy;
pub(crate) mod wildcard_action;

use moat_model::views::services::Statement;

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
