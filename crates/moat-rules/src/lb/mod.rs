//! Application and network load balancers (seed 002, seed 004 "TLS 1.2 이상 강제").

pub(crate) mod drop_invalid_headers;
pub(crate) mod http_without_redirect;
pub(crate) mod tls_policy;
pub(crate) mod waf_missing;

use moat_model::{Resolved, Resource};

use crate::registry::Ctx;

pub(crate) const FAMILY: &str = "lb";

pub(crate) const LISTENERS: [&str; 2] = ["aws_lb_listener", "aws_alb_listener"];
pub(crate) const LBS: [&str; 2] = ["aws_lb", "aws_alb"];

/// The load balancer a listener belongs to, when it is in the estate.
pub(crate) fn lb_of<'e>(ctx: &Ctx<'e>, listener: &Resource) -> Option<&'e Resource> {
    let n = listener.get("load_balancer_arn")?;
    match ctx.estate.resolve(n, &LBS, &[]) {
        Resolved::Resource(id) => ctx.resource(id),
        _ => None,
    }
}

/// `application`, `network` or `gateway` (default `application`), if known.
pub(crate) fn lb_type(lb: &Resource) -> Option<&str> {
    match lb.get("load_balancer_type") {
        None => Some("application"),
        Some(n) if n.is_null() => Some("application"),
        Some(n) => n.as_str(),
    }
}
