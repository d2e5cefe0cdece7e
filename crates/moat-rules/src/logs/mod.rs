//! CloudWatch Logs (seed 004: `log_retention_days = 365` in the security baseline).

pub(crate) mod log_group_retention;

pub(crate) const FAMILY: &str = "logs";
