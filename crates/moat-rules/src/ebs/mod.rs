//! EBS encryption (seed 004 "암호화되지 않은 EBS 볼륨 탐지").

pub(crate) mod default_encryption_disabled;
pub(crate) mod instance_volume_unencrypted;
pub(crate) mod volume_unencrypted;

use moat_model::views::services::{bool_eff, Eff};

use crate::registry::{why, Ctx};

pub(crate) const FAMILY: &str = "ebs";

/// Whether the account-level default encryption (`aws_ebs_encryption_by_default`) is on in
/// the estate: `Ok(true)` on, `Ok(false)` off or absent, `Err(reason)` unknown.
pub(crate) fn account_default(ctx: &Ctx<'_>) -> Result<bool, String> {
    let mut unknown = None;
    for r in ctx.of_type("aws_ebs_encryption_by_default") {
        match bool_eff(r, "enabled", true) {
            Eff::Set { value: true, .. } | Eff::Default(true) => return Ok(true),
            Eff::Unknown { reason, .. } => {
                unknown = Some(format!(
                    "`{}.enabled` is unknown: {}",
                    r.address,
                    why(&reason)
                ))
            }
            _ => {}
        }
    }
    match unknown {
        Some(u) => Err(u),
        None => Ok(false),
    }
}
