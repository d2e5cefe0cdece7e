//! The compute family of the typed state: eC2 instances, launch templates and configurations, EBS volumes and the account's EBS encryption default.

/// EC2 instances, launch templates and configurations, EBS volumes and the account's EBS encryption default.
#[derive(Clone, Debug, Default)]
pub struct Compute {}
