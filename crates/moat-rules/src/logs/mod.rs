//! CloudWatch Logs: how long log groups keep their events.

pub(crate) mod log_group_retention;

pub(crate) const FAMILY: &str = "logs";
