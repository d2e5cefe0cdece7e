//! The logging family of the typed state: cloudTrail trails, CloudWatch log groups, VPC flow logs, AWS Config recorders, GuardDuty detectors, Security Hub.

/// CloudTrail trails, CloudWatch log groups, VPC flow logs, AWS Config recorders, GuardDuty detectors, Security Hub.
#[derive(Clone, Debug, Default)]
pub struct Logging {}
