//! VPCs and subnets (seed 001 "VPC 보안 체크리스트").

pub(crate) mod flow_logs;
pub(crate) mod subnet_public_ip;

pub(crate) const FAMILY: &str = "vpc";
