//! SNS topics (seed 001: encryption of data at rest, "전송 중/저장 데이터 암호화").

pub(crate) mod topic_encryption;

pub(crate) const FAMILY: &str = "sns";
