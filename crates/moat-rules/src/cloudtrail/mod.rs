//! CloudTrail: the account's audit log (CIS AWS Foundations Benchmark, section "Logging"; AWS
//! Security Hub controls CloudTrail.1 to CloudTrail.5).

pub(crate) mod cloudwatch_integration;
pub(crate) mod kms_encryption;
pub(crate) mod log_file_validation;
pub(crate) mod logging_disabled;
pub(crate) mod multi_region;

use moat_model::aws::{Attr, AttrValue};
use moat_model::ResourceId;

use crate::registry::{Ctx, Out};

pub(crate) const FAMILY: &str = "cloudtrail";

/// Check a setting that must name another object (a KMS key, a log group): not set fails
/// ("`path` is not set: what"), unknown is an unknown finding.
pub(crate) fn require_named(
    ctx: &Ctx<'_>,
    out: &mut Out,
    owner: ResourceId,
    attr: &Attr<bool>,
    what: &str,
) {
    let Some(r) = ctx.resource(owner) else {
        return;
    };
    match &attr.value {
        AttrValue::Known(true) | AttrValue::Default(true) => {}
        AttrValue::Known(false) | AttrValue::Default(false) => {
            out.fail(r, &attr.loc, format!("`{}` is not set: {what}", attr.path));
        }
        AttrValue::Unknown(_) | AttrValue::Invalid { .. } => {
            out.unknown(r, &attr.loc, attr.describe());
        }
    }
}
