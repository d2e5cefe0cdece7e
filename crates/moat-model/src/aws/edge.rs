//! The edge family of the typed state: what faces clients at layer 7: load balancer listener TLS and HTTP settings, API Gateway stages, WAF web ACL associations.

/// What faces clients at layer 7: load balancer listener TLS and HTTP settings, API Gateway stages, WAF web ACL associations.
#[derive(Clone, Debug, Default)]
pub struct Edge {}
