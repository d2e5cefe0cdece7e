//! The CloudFormation adapter of the messaging family ([`moat_model::aws::messaging`]):
//! `AWS::SNS::Topic` and `AWS::SQS::Queue`.
//!
//! A topic or queue is encrypted with a KMS key when `KmsMasterKeyId` names one (a key ID,
//! ARN or alias, the AWS managed `alias/aws/sns` too, or a reference to a key of the
//! template). SNS has no default encryption. SQS encrypts a queue with SQS-owned keys
//! (SSE-SQS) when `SqsManagedSseEnabled` is not set
//! ([AWS::SQS::Queue](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queue.html)).
//! Topic and queue policies belong to the identity family.

use moat_model::aws::messaging::{Messaging, Queue, Topic};
use moat_model::Estate;

use super::compute::bool_of;
use super::setting::{names_object, read};

const KEY: &str = "KmsMasterKeyId";

/// Build the messaging family of a CloudFormation estate.
pub fn build(e: &Estate) -> Messaging {
    let topics = e
        .managed_of_type("AWS::SNS::Topic")
        .map(|(id, r)| Topic {
            id,
            kms_key: names_object(r, id, KEY, KEY),
        })
        .collect();
    let queues = e
        .managed_of_type("AWS::SQS::Queue")
        .map(|(id, r)| Queue {
            id,
            kms_key: names_object(r, id, KEY, KEY),
            managed_sse: read(
                r,
                id,
                "SqsManagedSseEnabled",
                "SqsManagedSseEnabled",
                true,
                "a bool",
                bool_of,
            ),
        })
        .collect();
    Messaging { topics, queues }
}
