//! Lambda (seed 004 section 10, serverless security).

pub(crate) mod env_encryption;
pub(crate) mod public_url;

pub(crate) const FAMILY: &str = "lambda";
