//! Secrets Manager (seed 004: "AWS Secrets Manager: 자격 증명 자동 로테이션").

pub(crate) mod rotation;

pub(crate) const FAMILY: &str = "secrets";
