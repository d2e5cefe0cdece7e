//! KMS keys: automatic rotation of the key material, and key policies.

pub(crate) mod key_policy_public;
pub(crate) mod key_rotation;

pub(crate) const FAMILY: &str = "kms";
