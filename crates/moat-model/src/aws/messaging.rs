//! The messaging family of the typed state: sNS topics and SQS queues.

/// SNS topics and SQS queues.
#[derive(Clone, Debug, Default)]
pub struct Messaging {}
