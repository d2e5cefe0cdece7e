//! RDS (seed 001 "RDS 보안 체크리스트").

pub(crate) mod backup_retention;
pub(crate) mod deletion_protection;
pub(crate) mod publicly_accessible;
pub(crate) mod storage_encrypted;
pub(crate) mod tls_not_enforced;

pub(crate) const FAMILY: &str = "rds";
