//! KMS keys (seed 004: CMKs with automatic rotation).

pub(crate) mod key_policy_public;
pub(crate) mod key_rotation;

pub(crate) const FAMILY: &str = "kms";
