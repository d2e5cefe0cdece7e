//! The identity family of the typed state: iAM: policy documents with their origin (identity, trust, resource policies), roles, users, groups, attachments, the account password policy.

/// IAM: policy documents with their origin (identity, trust, resource policies), roles, users, groups, attachments, the account password policy.
#[derive(Clone, Debug, Default)]
pub struct Identity {}
