//! S3 buckets (seed 001 "S3 보안 체크리스트", seed 004 data protection).

pub(crate) mod bucket_access_logging;
pub(crate) mod bucket_kms_encryption;
pub(crate) mod bucket_lifecycle;
pub(crate) mod bucket_policy_public;
pub(crate) mod bucket_public_access_block;
pub(crate) mod bucket_public_acl;
pub(crate) mod bucket_versioning;

pub(crate) const FAMILY: &str = "s3";
