//! Application and network load balancers: listener TLS and HTTP settings, header handling,
//! WAF (AWS Security Hub controls ELB.1 and ELB.4).

pub(crate) mod drop_invalid_headers;
pub(crate) mod http_without_redirect;
pub(crate) mod tls_policy;
pub(crate) mod waf_missing;

use moat_model::aws::edge::LoadBalancerAttributes;
use moat_model::aws::network::LbKind;
use moat_model::aws::AttrValue;

use crate::registry::{why, Ctx, Out};

pub(crate) const FAMILY: &str = "lb";

/// Whether a load balancer is an application load balancer (the default type). When its
/// type is unknown, an unknown finding says so and the answer is `false`.
pub(crate) fn is_application(ctx: &Ctx<'_>, out: &mut Out, lb: &LoadBalancerAttributes) -> bool {
    match &lb.kind.value {
        AttrValue::Known(k) | AttrValue::Default(k) => *k == LbKind::Application,
        AttrValue::Unknown(u) => {
            if let Some(r) = ctx.resource(lb.id) {
                out.unknown(
                    r,
                    &lb.kind.loc,
                    format!("`{}` is unknown: {}", lb.kind.path, why(u)),
                );
            }
            false
        }
        // A type that is not one of AWS's: no check applies.
        AttrValue::Invalid { .. } => false,
    }
}
