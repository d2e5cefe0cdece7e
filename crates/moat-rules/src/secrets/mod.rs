//! Secrets Manager: automatic rotation of secrets.

pub(crate) mod rotation;

pub(crate) const FAMILY: &str = "secrets";
