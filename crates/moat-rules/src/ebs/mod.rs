//! EBS encryption: volumes, instance block devices and the account default (CIS AWS
//! Foundations Benchmark v3.0.0, 2.2.1).

pub(crate) mod default_encryption_disabled;
pub(crate) mod instance_volume_unencrypted;
pub(crate) mod volume_unencrypted;

use moat_model::Tri;

use crate::registry::Ctx;

pub(crate) const FAMILY: &str = "ebs";

/// Whether the account-level default encryption is on in the estate: `Ok(true)` on,
/// `Ok(false)` off or absent, `Err(reason)` unknown.
pub(crate) fn account_default(ctx: &Ctx<'_>) -> Result<bool, String> {
    let mut unknown = None;
    for d in &ctx.aws().compute.ebs_encryption_by_default {
        match d.enabled.test(|on| *on) {
            Tri::True => return Ok(true),
            Tri::Unknown(u) => {
                let owner = ctx.resource(d.id).map(|r| r.address.as_str()).unwrap_or("");
                unknown = Some(format!("`{owner}.{}` is unknown: {u}", d.enabled.path));
            }
            Tri::False => {}
        }
    }
    match unknown {
        Some(u) => Err(u),
        None => Ok(false),
    }
}
