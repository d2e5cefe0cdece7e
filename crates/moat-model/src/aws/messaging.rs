//! The messaging family of the typed state: SNS topics and SQS queues.

use crate::aws::Attr;
use crate::estate::ResourceId;

/// SNS topics and SQS queues.
#[derive(Clone, Debug, Default)]
pub struct Messaging {
    pub topics: Vec<Topic>,
    pub queues: Vec<Queue>,
}

/// An SNS topic.
#[derive(Clone, Debug)]
pub struct Topic {
    pub id: ResourceId,
    /// Whether a KMS key encrypts the topic at rest (any key, the AWS managed `alias/aws/sns`
    /// too; a reference to a key not yet created counts). `Known(false)`: written empty;
    /// `Default(false)`: not set (SNS has no default encryption).
    pub kms_key: Attr<bool>,
}

/// An SQS queue.
#[derive(Clone, Debug)]
pub struct Queue {
    pub id: ResourceId,
    /// Whether a KMS key encrypts the queue (SSE-KMS), as for [`Topic::kms_key`].
    pub kms_key: Attr<bool>,
    /// Encryption with SQS-owned keys (SSE-SQS), on by default for queues created since
    /// October 2022.
    pub managed_sse: Attr<bool>,
}
