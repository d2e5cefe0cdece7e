//! SQS queues: encryption of stored messages.

pub(crate) mod queue_encryption_disabled;

pub(crate) const FAMILY: &str = "sqs";
