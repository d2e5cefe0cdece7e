//! One leg: one connection between two concrete addresses, through the stages (source
//! security groups, routes, network ACLs both ways, destination security groups).

use std::net::IpAddr;

use moat_model::aws::network::{Direction, Eni, Ref, RouteTarget};
use moat_model::{Loc, Tri};

use crate::sets::PortSet;

use super::*;

// ---------------------------------------------------------------------------------------
// Internal evaluation of one leg (one TCP/UDP connection between two concrete addresses).

/// The source of one leg.
#[derive(Clone, Debug)]
pub(crate) enum Src<'a> {
    Eni(&'a Eni),
    /// An address outside every VPC of the estate (internet, on-premises).
    External,
    /// An address inside a VPC but not an ENI of the estate (a CIDR query).
    Internal,
}

/// Result of one leg for one class of addresses.
#[derive(Clone, Debug, Default)]
pub(crate) struct Leg {
    pub ports: PortSet,
    pub hops: Vec<Hop>,
    pub block: Option<(usize, Block)>,
    /// Unknowns that can only add ports (allow rules we could not read).
    pub more: Vec<String>,
    /// Unknowns that can remove ports (NACL rules, routes, public addresses).
    pub less: Vec<String>,
    /// Ports that the allow rules in `more` could admit.
    pub maybe: PortSet,
}

impl Leg {
    pub(crate) fn stop(&mut self, stage: usize, b: Block) {
        self.ports = PortSet::empty();
        self.block = Some((stage, b));
    }
}

impl Net<'_> {
    // -----------------------------------------------------------------------------------
    // one leg, one class of addresses

    /// Evaluate traffic from `src` (address `src_ip`) to `dst` (address `dst_ip`).
    /// `check_return_route`: for external sources, whether the destination subnet must route
    /// replies to the internet (false when the path comes back through a load balancer).
    pub(crate) fn leg(
        &self,
        src: &Src<'_>,
        src_ip: IpAddr,
        dst: &Eni,
        dst_ip: IpAddr,
        flow: Flow<'_>,
        labels: (&Label<'_>, &Label<'_>),
    ) -> Leg {
        let Flow {
            proto,
            want,
            src_ports,
            via_lb,
        } = flow;
        // How the two ends are named in reasons: the resource, or the block of addresses.
        let (src_l, dst_l) = labels;
        let mut leg = Leg {
            ports: want.clone(),
            ..Leg::default()
        };
        let dname = dst.address.clone();
        let Some(dsub) = Self::subnet_id(dst) else {
            leg.less
                .push(format!("the subnet of `{dname}` is not known"));
            // Not placed: the ports its groups admit from the source may be open.
            let peer_groups: &[Ref] = match src {
                Src::Eni(e) => &e.groups,
                _ => &[],
            };
            let mut probe = Leg::default();
            let peer = Peer {
                ip: Some(src_ip),
                groups: peer_groups,
            };
            let (p, _) = self.eni_sg_ports(dst, Direction::Ingress, peer, flow, &mut probe);
            leg.maybe = p.union(&probe.maybe);
            leg.more.extend(probe.more);
            leg.stop(
                0,
                block(
                    &dname,
                    "eni",
                    "UNKNOWN_PLACEMENT",
                    format!("`{dname}` has no known subnet"),
                    None,
                ),
            );
            return leg;
        };
        let dvpc = self.subnet_vpc.get(&dsub).copied().flatten();
        let src_eni = match src {
            Src::Eni(e) => Some(*e),
            _ => None,
        };
        let ssub = match src {
            Src::Eni(e) => Self::subnet_id(e),
            Src::Internal => self.subnet_containing(src_ip),
            Src::External => None,
        };
        let svpc = match src {
            Src::Eni(e) => self.vpc_of_eni(e),
            Src::Internal => self.vpc_containing(src_ip),
            Src::External => None,
        };
        // 1. source security groups (egress)
        if let Some(e) = src_eni {
            let peer = Peer {
                ip: Some(dst_ip),
                groups: &dst.groups,
            };
            let ports = leg.ports.clone();
            let (p, hop) =
                self.eni_sg_ports(e, Direction::Egress, peer, flow.with_want(&ports), &mut leg);
            leg.hops.push(Hop {
                resource: e.address.clone(),
                kind: "eni",
                detail: self.d(|| {
                    format!(
                        "source interface in {}",
                        ssub.map(|s| self.name(s)).unwrap_or_default()
                    )
                }),
                loc: Some(e.loc.clone()),
            });
            leg.ports = p;
            match hop {
                Some(h) if !leg.ports.is_empty() => leg.hops.push(h),
                _ => {
                    let groups = group_names(self, &e.groups);
                    let (gname, gloc) = self.blocking_group(&e.groups, &e.address, &e.loc);
                    leg.stop(1, block(&gname, "security-group", "ENI_SG_RULES_MISMATCH",
                        format!("no egress rule of {groups} on `{}` allows {} {} to {dst_l}: add an egress rule for this port to the destination (or its security group)", e.address, proto.name(), want),
                        Some(gloc)));
                    return leg;
                }
            }
        }
        // 2. routing
        let same_subnet = ssub.is_some() && ssub == Some(dsub);
        match src {
            Src::External if via_lb.is_some() => {
                // Delivered by a load balancer that keeps the client address: the packet
                // enters from the load balancer inside the VPC and the reply returns through
                // it, so neither the internet gateway nor a route back is involved.
            }
            Src::External
                if dvpc.is_some()
                    && matches!(
                        self.route(dsub, src_ip, &mut Leg::default()),
                        Some((
                            RouteTarget::TransitGateway(_) | RouteTarget::VpnGateway(_),
                            _
                        ))
                    )
                    || matches!(
                        self.route(dsub, src_ip, &mut Leg::default()),
                        Some((RouteTarget::Peering(p), _)) if !self.peering_in_estate(&p)
                    ) =>
            {
                // Replies to this source leave through a private attachment (transit gateway,
                // VPN gateway, peering with a VPC outside the scanned files): the traffic comes
                // in the same way, not through the internet gateway. Whether the far side
                // routes it into this VPC is not in the scanned files.
                if let Some((t, hop)) = self.route(dsub, src_ip, &mut leg) {
                    let gw = self.target_name(&t);
                    leg.hops.push(hop);
                    leg.less.push(format!(
                        "traffic from {src_l} enters through `{gw}`: its route tables and attachments (the far side) are not analysed, so whether it is delivered to `{dname}` is not known"
                    ));
                }
            }
            Src::External => {
                // Inbound from outside: IGW attached, public address, route back.
                let Some(v) = dvpc else {
                    leg.less.push(format!("the VPC of `{dname}` is not known"));
                    leg.maybe = leg.ports.clone();
                    leg.stop(
                        2,
                        block(
                            &dname,
                            "vpc",
                            "UNKNOWN_PLACEMENT",
                            "the destination's VPC is not known".into(),
                            None,
                        ),
                    );
                    return leg;
                };
                let Some(igw) = self.igw_of_vpc.get(&v) else {
                    leg.stop(2, block(&self.name(v), "vpc", "NO_ROUTE_TO_DESTINATION",
                        format!("VPC `{}` has no internet gateway, so nothing outside it can reach `{dname}`", self.name(v)),
                        self.vpcs.get(&v).map(|x| x.loc.clone())));
                    return leg;
                };
                leg.hops.push(Hop {
                    resource: igw.address.clone(),
                    kind: "igw",
                    detail: "internet gateway of the VPC".into(),
                    loc: Some(igw.loc.clone()),
                });
                // A subnet whose way out is a NAT gateway (or an egress-only gateway) is
                // blocked there, whatever the interface's addresses.
                let outbound_only = matches!(
                    self.route(dsub, src_ip, &mut Leg::default()),
                    Some((RouteTarget::Nat(_) | RouteTarget::EgressOnlyIgw(_), _))
                );
                if via_lb.is_none() && dst_ip.is_ipv4() && !outbound_only {
                    match &dst.public_ip {
                        Tri::True => {}
                        Tri::False => {
                            leg.stop(2, block(&dname, "eni", "IGW_PUBLIC_IP_ASSOCIATION_FOR_INGRESS",
                                format!("`{dname}` has no public IP address or Elastic IP, so the internet gateway cannot deliver traffic to it; put it behind an internet-facing load balancer or give it a public address"),
                                Some(dst.loc.clone())));
                            return leg;
                        }
                        Tri::Unknown(u) => {
                            leg.less
                                .push(format!("whether `{dname}` has a public IP: {u}"));
                        }
                    }
                }
                match self.route(dsub, src_ip, &mut leg) {
                    Some((RouteTarget::Igw(g), hop))
                        if g.res() == Some(igw.id) || !matches!(g, Ref::Res(_)) =>
                    {
                        leg.hops.push(hop);
                    }
                    Some((RouteTarget::Unknown(u), _)) => {
                        leg.less.push(format!("route target: {u}"));
                    }
                    Some((RouteTarget::Nat(g), hop)) => {
                        leg.hops.push(hop);
                        let name = self.target_name(&RouteTarget::Nat(g.clone()));
                        let loc = g.res().and_then(|id| {
                            self.net
                                .nat_gateways
                                .iter()
                                .find(|x| x.id == id)
                                .map(|x| x.loc.clone())
                        });
                        leg.stop(2, block(&name, "nat", "NO_ROUTE_TO_DESTINATION",
                            format!("subnet `{}` routes traffic for {src_l} (the internet) through NAT gateway `{name}`, which carries connections opened from inside only: nothing on the internet can open a connection to `{dname}`; use an internet-facing load balancer in public subnets", self.name(dsub)),
                            loc));
                        return leg;
                    }
                    Some((RouteTarget::EgressOnlyIgw(g), hop)) => {
                        leg.hops.push(hop);
                        let name = self.target_name(&RouteTarget::EgressOnlyIgw(g.clone()));
                        let loc = g.res().and_then(|id| {
                            self.net
                                .egress_only_igws
                                .iter()
                                .find(|x| x.id == id)
                                .map(|x| x.loc.clone())
                        });
                        leg.stop(2, block(&name, "egress-only-igw", "NO_ROUTE_TO_DESTINATION",
                            format!("subnet `{}` routes {src_l} to egress-only internet gateway `{name}`, which carries IPv6 connections opened from inside only: nothing on the internet can open a connection to `{dname}`", self.name(dsub)),
                            loc));
                        return leg;
                    }
                    other => {
                        let rt = self.rt.get(&dsub).copied().flatten();
                        let what = match other {
                            Some((t, _)) => format!("routes {src_l} to {}", self.target_name(&t)),
                            None => format!("has no route to {src_l}"),
                        };
                        leg.stop(2, block(
                            &rt.map(|t| t.address.clone()).unwrap_or_else(|| self.name(dsub)),
                            "route-table", "NO_ROUTE_TO_DESTINATION",
                            format!("the route table of subnet `{}` {what}, so replies cannot return through the internet gateway: the subnet is private; add a {} route to the internet gateway or use a load balancer in a public subnet", self.name(dsub), if src_ip.is_ipv6() { "::/0" } else { "0.0.0.0/0" }),
                            rt.map(|t| t.loc.clone())));
                        return leg;
                    }
                }
            }
            Src::Eni(_) | Src::Internal => {
                if let Some(ss) = ssub {
                    match self.route(ss, dst_ip, &mut leg) {
                        Some((RouteTarget::Local, hop)) if svpc == dvpc => leg.hops.push(hop),
                        Some((RouteTarget::Peering(p), hop))
                            if svpc != dvpc && self.peering_connects(&p, svpc, dvpc) =>
                        {
                            leg.hops.push(hop);
                            // the way back must use the same peering
                            match self.route(dsub, src_ip, &mut leg) {
                                Some((RouteTarget::Peering(q), h2)) if q == p => leg.hops.push(h2),
                                _ => {
                                    let rt = self.rt.get(&dsub).copied().flatten();
                                    leg.stop(2, block(&rt.map(|t| t.address.clone()).unwrap_or_else(|| self.name(dsub)), "route-table", "NO_ROUTE_TO_DESTINATION",
                                        format!("the route table of subnet `{}` has no route back to {src_l} through the peering connection", self.name(dsub)),
                                        rt.map(|t| t.loc.clone())));
                                    return leg;
                                }
                            }
                        }
                        Some((RouteTarget::Unknown(u), _)) => {
                            leg.less.push(format!("route target: {u}"))
                        }
                        other => {
                            let rt = self.rt.get(&ss).copied().flatten();
                            let what = match other {
                                Some((t, _)) => format!("sends {dst_l} to {}, which does not lead to `{dname}` (peering is not transitive)", self.target_name(&t)),
                                None => format!("has no route to {dst_l}"),
                            };
                            leg.stop(
                                2,
                                block(
                                    &rt.map(|t| t.address.clone())
                                        .unwrap_or_else(|| self.name(ss)),
                                    "route-table",
                                    "NO_ROUTE_TO_DESTINATION",
                                    format!("the route table of subnet `{}` {what}", self.name(ss)),
                                    rt.map(|t| t.loc.clone()),
                                ),
                            );
                            return leg;
                        }
                    }
                } else if svpc.is_none() || svpc != dvpc {
                    leg.less
                        .push(format!("the subnet of source {src_l} is not known"));
                }
            }
        }
        // 3. NACLs (request, then reply), not within one subnet
        if !same_subnet {
            if let Some(ss) = ssub {
                let (p, hop, deny) =
                    self.nacl_ports(ss, true, dst_ip, proto, &leg.ports.clone(), &mut leg);
                if p.is_empty() {
                    leg.stop(
                        3,
                        nacl_block(
                            deny,
                            &self.name(ss),
                            "outbound",
                            proto,
                            want,
                            &dst_l.to_string(),
                        ),
                    );
                    return leg;
                }
                leg.ports = p;
                leg.hops.push(hop);
            }
            let (p, hop, deny) =
                self.nacl_ports(dsub, false, src_ip, proto, &leg.ports.clone(), &mut leg);
            if p.is_empty() {
                leg.stop(
                    4,
                    nacl_block(
                        deny,
                        &self.name(dsub),
                        "inbound",
                        proto,
                        want,
                        &src_l.to_string(),
                    ),
                );
                return leg;
            }
            leg.ports = p;
            leg.hops.push(hop);
            // Reply: destination subnet outbound to the client's port, source subnet inbound.
            if proto.has_ports() {
                let (r, hop, deny) =
                    self.nacl_ports(dsub, true, src_ip, proto, src_ports, &mut leg);
                if self.reply_blocked(&r, src_ports) {
                    leg.stop(
                        5,
                        nacl_reply_block(
                            deny,
                            &self.name(dsub),
                            "outbound",
                            src_ports,
                            &r,
                            &src_l.to_string(),
                        ),
                    );
                    return leg;
                }
                leg.hops.push(reply_hop(hop));
                if let Some(ss) = ssub {
                    let (r2, hop, deny) = self.nacl_ports(ss, false, dst_ip, proto, &r, &mut leg);
                    if self.reply_blocked(&r2, src_ports) {
                        leg.stop(
                            5,
                            nacl_reply_block(
                                deny,
                                &self.name(ss),
                                "inbound",
                                src_ports,
                                &r2,
                                &dst_l.to_string(),
                            ),
                        );
                        return leg;
                    }
                    leg.hops.push(reply_hop(hop));
                }
            }
        }
        // 4. destination security groups (ingress)
        let no_groups: Vec<Ref> = Vec::new();
        // A group reference matches private addresses of members only: the source's groups
        // count only when the packet carries its private address.
        let mut peer_groups = match src_eni {
            Some(e)
                if e.private_ip.is_none_or(|ip| ip == src_ip)
                    || e.ipv6
                        .iter()
                        .any(|n| ipnet::IpNet::V6(*n).contains(&src_ip)) =>
            {
                e.groups.clone()
            }
            _ => no_groups,
        };
        // A network load balancer with security groups that preserves the client address:
        // a target rule referencing the load balancer's group admits the traffic (AWS
        // documents this for client IP preservation).
        if let Some(lb) = via_lb {
            peer_groups.extend(lb.groups.iter().cloned());
        }
        let peer = Peer {
            ip: Some(src_ip),
            groups: &peer_groups,
        };
        let ports = leg.ports.clone();
        let (p, hop) = self.eni_sg_ports(
            dst,
            Direction::Ingress,
            peer,
            flow.with_want(&ports),
            &mut leg,
        );
        match hop {
            Some(h) if !p.is_empty() => {
                leg.ports = p;
                leg.hops.push(h);
            }
            _ => {
                let groups = group_names(self, &dst.groups);
                let (gname, gloc) = self.blocking_group(&dst.groups, &dname, &dst.loc);
                leg.stop(6, block(&gname, "security-group", "ENI_SG_RULES_MISMATCH",
                    format!("no ingress rule of {groups} on `{dname}` allows {} {} from {}: add an ingress rule for this port from the source{}",
                        proto.name(), leg.ports_or(want), src_l,
                        if src_eni.is_some() { " (or its security group)" } else { "" }),
                    Some(gloc)));
                return leg;
            }
        }
        leg.hops.push(Hop {
            resource: dname.clone(),
            kind: "eni",
            detail: self.d(|| format!("destination interface in {}", self.name(dsub))),
            loc: Some(dst.loc.clone()),
        });
        leg.hops.push(Hop {
            resource: dname,
            kind: "return",
            detail: self.d(|| {
                format!(
                    "replies return to {} on the same connection: security groups are stateful{}",
                    if src_eni.is_some() {
                        src_l.to_string()
                    } else {
                        "the client".to_string()
                    },
                    if same_subnet || !proto.has_ports() {
                        ""
                    } else {
                        "; the network ACLs admit the reply to the client's ports (above)"
                    }
                )
            }),
            loc: None,
        });
        leg
    }
}

/// Marks a network-ACL hop as the check of the reply direction.
pub(crate) fn reply_hop(mut h: Hop) -> Hop {
    h.detail = format!("reply: {}", h.detail);
    h
}

impl Leg {
    pub(crate) fn ports_or(&self, want: &PortSet) -> String {
        if self.ports.is_empty() {
            want.to_string()
        } else {
            self.ports.to_string()
        }
    }
}

pub(crate) fn block(
    resource: &str,
    kind: &'static str,
    code: &'static str,
    reason: String,
    loc: Option<Loc>,
) -> Block {
    Block {
        resource: resource.to_string(),
        kind,
        code,
        reason,
        loc,
    }
}
