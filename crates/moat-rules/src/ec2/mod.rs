//! EC2 instances and launch templates.

pub(crate) mod imdsv2;
pub(crate) mod public_ip;

pub(crate) const FAMILY: &str = "ec2";
