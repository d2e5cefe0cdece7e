//! Connections from an interface to addresses outside every VPC: internet gateway,
//! egress-only internet gateway, NAT gateway.

use std::net::IpAddr;

use moat_model::aws::network::{Direction, Eni, Protocol, Ref, RouteTarget};
use moat_model::{ResourceId, Tri};

use crate::sets::{AddrSet, PortSet};

use super::*;

impl Net<'_> {
    /// A connection from an interface to an address outside every VPC (the internet, a CIDR):
    /// out through an internet gateway (IPv4 needs a public address on the interface), an
    /// egress-only internet gateway (IPv6), or a NAT gateway in a subnet that routes to an
    /// internet gateway.
    pub(crate) fn out_leg(
        &self,
        src: &Eni,
        src_ip: IpAddr,
        dst_ip: IpAddr,
        flow: Flow<'_>,
        dst_l: &str,
    ) -> Leg {
        let Flow {
            proto,
            want,
            src_ports,
            ..
        } = flow;
        let mut leg = Leg {
            ports: want.clone(),
            ..Leg::default()
        };
        let sname = src.address.clone();
        let Some(ss) = Self::subnet_id(src) else {
            leg.less
                .push(format!("the subnet of `{sname}` is not known"));
            leg.stop(
                0,
                block(
                    &sname,
                    "eni",
                    "UNKNOWN_PLACEMENT",
                    format!("`{sname}` has no known subnet"),
                    None,
                ),
            );
            return leg;
        };
        // 1. source security groups (egress)
        let peer = Peer {
            ip: Some(dst_ip),
            groups: &[],
        };
        let ports = leg.ports.clone();
        let (p, hop) = self.eni_sg_ports(
            src,
            Direction::Egress,
            peer,
            flow.with_want(&ports),
            &mut leg,
        );
        leg.hops.push(Hop {
            resource: sname.clone(),
            kind: "eni",
            detail: self.d(|| format!("source interface in {}", self.name(ss))),
            loc: Some(src.loc.clone()),
        });
        leg.ports = p;
        match hop {
            Some(h) if !leg.ports.is_empty() => leg.hops.push(h),
            _ => {
                let groups = group_names(self, &src.groups);
                let (gname, gloc) = self.blocking_group(&src.groups, &sname, &src.loc);
                leg.stop(1, block(&gname, "security-group", "ENI_SG_RULES_MISMATCH",
                    format!("no egress rule of {groups} on `{sname}` allows {} {want} to {dst_l}: add an egress rule for this port", proto.name()),
                    Some(gloc)));
                return leg;
            }
        }
        // 2. route out of the source subnet
        let no_route = |n: &Self, leg: &mut Leg, subnet: ResourceId, what: String| {
            let rt = n.rt.get(&subnet).copied().flatten();
            leg.stop(
                2,
                block(
                    &rt.map(|t| t.address.clone())
                        .unwrap_or_else(|| n.name(subnet)),
                    "route-table",
                    "NO_ROUTE_TO_DESTINATION",
                    format!("the route table of subnet `{}` {what}", n.name(subnet)),
                    rt.map(|t| t.loc.clone()),
                ),
            );
        };
        let igw_hop = |n: &Self, g: &Ref| -> Hop {
            let loc = g
                .res()
                .and_then(|id| n.net.igws.iter().find(|x| x.id == id))
                .map(|x| x.loc.clone());
            Hop {
                resource: n.target_name(&RouteTarget::Igw(g.clone())),
                kind: "igw",
                detail: "internet gateway of the VPC".into(),
                loc,
            }
        };
        match self.route(ss, dst_ip, &mut leg) {
            Some((RouteTarget::Igw(g), hop)) => {
                leg.hops.push(hop);
                if dst_ip.is_ipv4() {
                    match &src.public_ip {
                        Tri::True => {}
                        Tri::False => {
                            leg.stop(2, block(&sname, "eni", "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
                                format!("`{sname}` has no public IP address or Elastic IP, so the internet gateway cannot carry its IPv4 traffic: route 0.0.0.0/0 to a NAT gateway in a public subnet, or give it a public address"),
                                Some(src.loc.clone())));
                            return leg;
                        }
                        Tri::Unknown(u) => leg
                            .less
                            .push(format!("whether `{sname}` has a public IP: {u}")),
                    }
                }
                if !self.nacl_out_and_reply(&mut leg, ss, dst_ip, src_ports, proto) {
                    return leg;
                }
                leg.hops.push(igw_hop(self, &g));
            }
            Some((RouteTarget::EgressOnlyIgw(g), hop)) if dst_ip.is_ipv6() => {
                leg.hops.push(hop);
                if !self.nacl_out_and_reply(&mut leg, ss, dst_ip, src_ports, proto) {
                    return leg;
                }
                let loc = g
                    .res()
                    .and_then(|id| self.net.egress_only_igws.iter().find(|x| x.id == id))
                    .map(|x| x.loc.clone());
                leg.hops.push(Hop {
                    resource: self.target_name(&RouteTarget::EgressOnlyIgw(g.clone())),
                    kind: "egress-only-igw",
                    detail: "egress-only internet gateway: IPv6 connections from inside only"
                        .into(),
                    loc,
                });
            }
            Some((RouteTarget::Nat(g), hop)) => {
                leg.hops.push(hop);
                let nat = g
                    .res()
                    .and_then(|id| self.net.nat_gateways.iter().find(|x| x.id == id));
                let Some(nat) = nat else {
                    leg.less.push(format!(
                        "NAT gateway `{}` is not in the scanned files",
                        self.target_name(&RouteTarget::Nat(g.clone()))
                    ));
                    leg.stop(
                        2,
                        block(
                            &self.target_name(&RouteTarget::Nat(g.clone())),
                            "nat",
                            "UNKNOWN_PLACEMENT",
                            "the NAT gateway is not in the scanned files".into(),
                            None,
                        ),
                    );
                    return leg;
                };
                if !nat.public {
                    leg.stop(2, block(&nat.address, "nat", "NO_ROUTE_TO_DESTINATION",
                        format!("NAT gateway `{}` is private (connectivity_type = \"private\"): it cannot reach the internet", nat.address),
                        Some(nat.loc.clone())));
                    return leg;
                }
                let Some(ns) = nat.subnet.as_ref().and_then(Ref::res) else {
                    leg.less.push(format!(
                        "the subnet of NAT gateway `{}` is not known",
                        nat.address
                    ));
                    leg.stop(
                        2,
                        block(
                            &nat.address,
                            "nat",
                            "UNKNOWN_PLACEMENT",
                            "the NAT gateway's subnet is not known".into(),
                            Some(nat.loc.clone()),
                        ),
                    );
                    return leg;
                };
                // source subnet <-> NAT subnet (not within one subnet); the packet keeps its
                // destination address, the reply comes back from it to the client's port
                if ns != ss
                    && (!self.nacl_step(
                        &mut leg,
                        NaclStep {
                            subnet: ss,
                            egress: true,
                            peer: dst_ip,
                            want: None,
                            reply: false,
                            stage: 3,
                        },
                        proto,
                    ) || !self.nacl_step(
                        &mut leg,
                        NaclStep {
                            subnet: ns,
                            egress: false,
                            peer: src_ip,
                            want: None,
                            reply: false,
                            stage: 4,
                        },
                        proto,
                    ) || (proto.has_ports()
                        && (!self.nacl_step(
                            &mut leg,
                            NaclStep {
                                subnet: ns,
                                egress: true,
                                peer: src_ip,
                                want: Some(src_ports),
                                reply: true,
                                stage: 5,
                            },
                            proto,
                        ) || !self.nacl_step(
                            &mut leg,
                            NaclStep {
                                subnet: ss,
                                egress: false,
                                peer: dst_ip,
                                want: Some(src_ports),
                                reply: true,
                                stage: 5,
                            },
                            proto,
                        ))))
                {
                    return leg;
                }
                leg.hops.push(Hop {
                    resource: nat.address.clone(),
                    kind: "nat",
                    detail: self.d(|| {
                        format!(
                            "NAT gateway in {} translates the source to its public address",
                            self.name(ns)
                        )
                    }),
                    loc: Some(nat.loc.clone()),
                });
                // NAT subnet -> internet gateway; the NAT uses source ports 1024-65535
                match self.route(ns, dst_ip, &mut leg) {
                    Some((RouteTarget::Igw(g2), hop2)) => {
                        leg.hops.push(hop2);
                        if !self.nacl_step(
                            &mut leg,
                            NaclStep {
                                subnet: ns,
                                egress: true,
                                peer: dst_ip,
                                want: None,
                                reply: false,
                                stage: 6,
                            },
                            proto,
                        ) || (proto.has_ports()
                            && !self.nacl_step(
                                &mut leg,
                                NaclStep {
                                    subnet: ns,
                                    egress: false,
                                    peer: dst_ip,
                                    want: Some(&PortSet::ephemeral()),
                                    reply: true,
                                    stage: 7,
                                },
                                proto,
                            ))
                        {
                            return leg;
                        }
                        leg.hops.push(igw_hop(self, &g2));
                    }
                    Some((RouteTarget::Unknown(u), _)) => {
                        leg.less.push(format!("route target: {u}"))
                    }
                    other => {
                        let what = match other {
                            Some((t, _)) => format!("sends {dst_l} to {}, not to an internet gateway, so the NAT gateway cannot reach it", self.target_name(&t)),
                            None => format!("has no route to {dst_l}: the NAT gateway's subnet needs 0.0.0.0/0 to an internet gateway"),
                        };
                        no_route(self, &mut leg, ns, what);
                        return leg;
                    }
                }
            }
            Some((RouteTarget::Unknown(u), _)) => leg.less.push(format!("route target: {u}")),
            other => {
                let what = match other {
                    Some((t, _)) => format!(
                        "sends {dst_l} to {}, which does not lead to the internet",
                        self.target_name(&t)
                    ),
                    None => format!("has no route to {dst_l}"),
                };
                no_route(self, &mut leg, ss, what);
                return leg;
            }
        }
        leg.hops.push(Hop {
            resource: dst_ip.to_string(),
            kind: "internet",
            detail: "destination outside the VPCs".into(),
            loc: None,
        });
        leg.hops.push(Hop {
            resource: sname,
            kind: "return",
            detail: "replies return on the same connection: security groups are stateful; the network ACLs admit the reply (above)".into(),
            loc: None,
        });
        leg
    }

    /// [`Net::out_leg`] over every class of destination addresses.
    pub(crate) fn outbound(
        &self,
        src: &Eni,
        space: &AddrSet,
        proto: Protocol,
        want: &PortSet,
        src_ports: &PortSet,
    ) -> PairResult {
        let mut cuts = self.cuts_for(src, None, false);
        for nat in &self.net.nat_gateways {
            if let Some(ns) = nat.subnet.as_ref().and_then(Ref::res) {
                if let Some(Some(acl)) = self.nacl.get(&ns) {
                    cuts.extend(
                        acl.ingress
                            .iter()
                            .chain(acl.egress.iter())
                            .filter_map(|r| r.cidr),
                    );
                }
                if let Some(Some(t)) = self.rt.get(&ns) {
                    cuts.extend(t.routes.iter().filter_map(|r| r.dest));
                }
            }
        }
        let mut out = PairResult::default();
        let src_space = self.eni_addrs(src);
        // Destination classes of a family the source has no address of.
        let mut missing: Option<(IpAddr, AddrSet)> = None;
        let mut evaluated = false;
        for (dip, dset) in classes(space, &cuts) {
            let sip = if dip.is_ipv4() {
                src_space.v4.first().map(|x| to_ip(x, false))
            } else {
                src_space.v6.first().map(|x| to_ip(x, true))
            };
            let Some(sip) = sip else {
                let m = missing.get_or_insert_with(|| (dip, AddrSet::empty()));
                m.1 = m.1.union(&dset);
                continue;
            };
            evaluated = true;
            let dst_l = describe_addrs(&dset, dip);
            let flow = Flow {
                proto,
                want,
                src_ports,
                via_lb: None,
            };
            let leg = self.out_leg(src, sip, dip, flow, &dst_l);
            out.more.extend(leg.more.iter().cloned());
            out.less.extend(leg.less.iter().cloned());
            if !leg.ports.is_empty() {
                out.ports = out.ports.union(&leg.ports);
                out.sources = out.sources.union(&dset);
                if out.hops.is_empty() {
                    out.hops = leg.hops;
                }
            } else if let Some((stage, b)) = leg.block {
                if out.block.as_ref().is_none_or(|(s, _)| stage > *s) {
                    out.block = Some((stage, b));
                }
            }
        }
        // The interface has no address of the destination's family (an IPv6 destination from
        // an interface without IPv6): nothing was evaluated, say why.
        if let (false, Some((dip, dset))) = (evaluated, missing) {
            let dst_l = describe_addrs(&dset, dip);
            match self.no_family_block(src, dip.is_ipv6(), false, &dst_l) {
                Some(b) => out.block = Some((2, b)),
                None => {
                    out.less
                        .insert(format!("the subnet of `{}` is not known", src.address));
                    out.block = Some((
                        0,
                        block(
                            &src.address,
                            "eni",
                            "UNKNOWN_PLACEMENT",
                            format!("`{}` has no known subnet", src.address),
                            None,
                        ),
                    ));
                }
            }
        }
        out
    }
}
