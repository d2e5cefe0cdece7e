//! The security family of the typed state: kMS keys and Secrets Manager secrets.

/// KMS keys and Secrets Manager secrets.
#[derive(Clone, Debug, Default)]
pub struct Security {}
