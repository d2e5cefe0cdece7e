//! API Gateway: web ACLs in front of public REST APIs (AWS Security Hub control
//! APIGateway.4).

pub(crate) mod waf_missing;

pub(crate) const FAMILY: &str = "apigw";
