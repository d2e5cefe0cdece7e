//! Targets registered in zones their load balancer does not serve (NET012).

use std::collections::BTreeSet;

use moat_model::aws::network::Network;

use super::*;

/// NET012: targets registered in an Availability Zone where their load balancer has no
/// subnet. The load balancer never sends them traffic (cross-zone load balancing spreads only
/// over enabled zones), so capacity is silently lost and health checks do not reach them.
/// Reported on the registration (attachment or group), once per target and load balancer.
pub fn targets_in_unserved_zones(net: &Network) -> Vec<Diagnosis> {
    use crate::engine::{az_not_served, lb_targets, Net};
    let estate = moat_model::Estate::new();
    let n = Net::new(net, &estate);
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for lb in &net.load_balancers {
        for t in lb_targets(&n, lb.id) {
            let Some(az) = az_not_served(&n, lb.id, &t) else {
                continue;
            };
            if !seen.insert((lb.id, t.eni.owner, t.tg_id)) {
                continue;
            }
            out.push(Diagnosis {
                kind: DiagnosisKind::TargetAzNotServed,
                resource: t.eni.owner,
                loc: t.target_loc.clone(),
                message: format!(
                    "`{}` is registered in `{}` but is in {az}, a zone where `{}` has no subnet: the load balancer never sends it traffic; add a subnet in {az} to the load balancer or move the target",
                    t.eni.address, t.tg, lb.address
                ),
                unknown: false,
            });
        }
    }
    out
}
