//! SQS queues (seed 001: encryption of data at rest, "전송 중/저장 데이터 암호화").

pub(crate) mod queue_encryption_disabled;

pub(crate) const FAMILY: &str = "sqs";
