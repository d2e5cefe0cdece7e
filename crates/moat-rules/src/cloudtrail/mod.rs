//! CloudTrail (seed 001 "CloudTrail 설정", seed 004 "감사 및 로깅").

pub(crate) mod cloudwatch_integration;
pub(crate) mod kms_encryption;
pub(crate) mod log_file_validation;
pub(crate) mod logging_disabled;
pub(crate) mod multi_region;

pub(crate) const FAMILY: &str = "cloudtrail";
