//! EKS clusters (seed 001 "EKS 보안", seed 004 container security).

pub(crate) mod control_plane_logging;
pub(crate) mod public_endpoint;
pub(crate) mod secrets_encryption;

pub(crate) const FAMILY: &str = "eks";
