//! RDS: DB instances, cluster instances and clusters (public access, backups, deletion
//! protection, encryption at rest, TLS enforcement).

pub(crate) mod backup_retention;
pub(crate) mod deletion_protection;
pub(crate) mod publicly_accessible;
pub(crate) mod storage_encrypted;
pub(crate) mod tls_not_enforced;

pub(crate) const FAMILY: &str = "rds";
