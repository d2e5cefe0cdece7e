//! EKS clusters: API endpoint access, control plane logging, secrets encryption.

pub(crate) mod control_plane_logging;
pub(crate) mod public_endpoint;
pub(crate) mod secrets_encryption;

pub(crate) const FAMILY: &str = "eks";
