//! The route stage: local route, longest prefix, peering.

use std::net::IpAddr;

use moat_model::aws::network::{Ref, RouteTarget};
use moat_model::ResourceId;

use super::*;

impl Net<'_> {
    // -----------------------------------------------------------------------------------
    // routes

    /// Route from a subnet to `ip`: the target and the hop that cites it. `None` = no route.
    pub(crate) fn route(
        &self,
        subnet: ResourceId,
        ip: IpAddr,
        leg: &mut Leg,
    ) -> Option<(RouteTarget, Hop)> {
        let vpc = self.subnet_vpc.get(&subnet).copied().flatten();
        let table = self.rt.get(&subnet).copied().flatten();
        if let Some(v) = vpc.and_then(|v| self.vpcs.get(&v)) {
            if v.cidrs.iter().any(|c| c.contains(&ip)) {
                let (name, loc) = match table {
                    Some(t) => (t.address.clone(), Some(t.loc.clone())),
                    None => (
                        format!("main route table of {}", v.address),
                        Some(v.loc.clone()),
                    ),
                };
                return Some((
                    RouteTarget::Local,
                    Hop {
                        resource: name,
                        kind: "route-table",
                        detail: self.d(|| {
                            format!(
                                "local route {}",
                                v.cidrs
                                    .iter()
                                    .map(|c| c.to_string())
                                    .collect::<Vec<_>>()
                                    .join(",")
                            )
                        }),
                        loc,
                    },
                ));
            }
        }
        let t = table?;
        let mut best: Option<&moat_model::aws::network::Route> = None;
        for r in &t.routes {
            match r.dest {
                Some(d) if d.contains(&ip) => {
                    if best
                        .and_then(|b| b.dest)
                        .is_none_or(|b| d.prefix_len() > b.prefix_len())
                    {
                        best = Some(r);
                    }
                }
                Some(_) => {}
                None => {
                    if let Some(u) = &r.dest_unknown {
                        leg.less.push(format!("route at {}: {u}", r.loc));
                    }
                }
            }
        }
        let r = best?;
        Some((
            r.target.clone(),
            Hop {
                resource: t.address.clone(),
                kind: "route-table",
                detail: self.d(|| {
                    format!(
                        "route {} -> {}",
                        r.dest.map(|d| d.to_string()).unwrap_or_default(),
                        self.target_name(&r.target)
                    )
                }),
                loc: Some(r.loc.clone()),
            },
        ))
    }

    pub(crate) fn target_name(&self, t: &RouteTarget) -> String {
        let r = |x: &Ref| match x {
            Ref::Res(id) => self.name(*id),
            Ref::External(s) => s.clone(),
            Ref::Unknown(u) => format!("(unknown: {u})"),
        };
        match t {
            RouteTarget::Local => "local".into(),
            RouteTarget::Igw(x) => r(x),
            RouteTarget::EgressOnlyIgw(x) => r(x),
            RouteTarget::Nat(x) => r(x),
            RouteTarget::Peering(x) => r(x),
            RouteTarget::Endpoint(x) => r(x),
            RouteTarget::TransitGateway(x) => r(x),
            RouteTarget::VpnGateway(x) => r(x),
            RouteTarget::Eni(x) => r(x),
            RouteTarget::Other(s) => s.clone(),
            RouteTarget::Unknown(u) => format!("(unknown: {u})"),
        }
    }

    /// A peering connection whose two VPCs are both in the scanned files: it carries only
    /// their addresses.
    pub(crate) fn peering_in_estate(&self, pcx: &Ref) -> bool {
        let Some(id) = pcx.res() else { return false };
        self.net.peerings.iter().any(|p| {
            p.id == id
                && res_of(&p.vpc).is_some_and(|v| self.vpcs.contains_key(&v))
                && res_of(&p.peer_vpc).is_some_and(|v| self.vpcs.contains_key(&v))
        })
    }

    pub(crate) fn peering_connects(
        &self,
        pcx: &Ref,
        a: Option<ResourceId>,
        b: Option<ResourceId>,
    ) -> bool {
        let Some(id) = pcx.res() else { return false };
        self.net.peerings.iter().any(|p| {
            p.id == id
                && ((res_of(&p.vpc) == a && res_of(&p.peer_vpc) == b)
                    || (res_of(&p.vpc) == b && res_of(&p.peer_vpc) == a))
        })
    }
}
