//! SNS topics: encryption of stored messages.

pub(crate) mod topic_encryption;

pub(crate) const FAMILY: &str = "sns";
