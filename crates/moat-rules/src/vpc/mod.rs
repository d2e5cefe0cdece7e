//! VPCs and subnets: flow logs and public addressing (CIS AWS Foundations Benchmark; AWS
//! Security Hub controls EC2.6 and EC2.15).

pub(crate) mod flow_logs;
pub(crate) mod subnet_public_ip;

pub(crate) const FAMILY: &str = "vpc";
