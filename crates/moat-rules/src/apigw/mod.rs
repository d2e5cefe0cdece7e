//! API Gateway (seed 004 "API Gateway 보안": WAF 통합).

pub(crate) mod waf_missing;

pub(crate) const FAMILY: &str = "apigw";
