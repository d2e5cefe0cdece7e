//! The network-ACL stage: ordered rules, first match wins, final deny, stateless.

use std::net::IpAddr;

use moat_model::aws::network::{Action, Nacl, NaclRule, Protocol};
use moat_model::ResourceId;

use crate::sets::PortSet;

use super::*;

/// What one network ACL does to one direction of traffic with one peer address.
#[derive(Clone, Debug, Default)]
pub(crate) struct NaclStage<'a> {
    /// The ports admitted.
    pub allowed: PortSet,
    /// The first rule that admits some of the ports.
    pub admit: Option<&'a NaclRule>,
    /// The first rule that denies some of the ports.
    pub deny: Option<&'a NaclRule>,
    /// Some ports matched no rule: the final rule `*` denies them.
    pub fell_through: bool,
    /// Rules with unknown values, skipped: any of them could decide differently.
    pub unknown: Vec<&'a NaclRule>,
}

/// The network-ACL stage: the rules of one direction in order, the first that matches the
/// protocol, the peer address and a port decides for that port; the ports no rule matches are
/// denied. Both the engine's legs and the diagnosis decide here.
pub(crate) fn nacl_stage<'a>(
    acl: &'a Nacl,
    egress: bool,
    peer_ip: IpAddr,
    proto: Protocol,
    want: &PortSet,
) -> NaclStage<'a> {
    let rules = if egress { &acl.egress } else { &acl.ingress };
    let mut remaining = want.clone();
    let mut st = NaclStage::default();
    for r in rules {
        if remaining.is_empty() {
            break;
        }
        if !r.unknown.is_empty() {
            st.unknown.push(r);
            continue;
        }
        let (Some(p), Some(c)) = (r.protocol, r.cidr) else {
            continue;
        };
        if !p.matches(proto) || !c.contains(&peer_ip) {
            continue;
        }
        let rp = match r.ports {
            Some(x) if p.has_ports() && proto.has_ports() => PortSet::range(x.from, x.to),
            _ => PortSet::all(),
        };
        let hit = remaining.intersect(&rp);
        if hit.is_empty() {
            continue;
        }
        remaining = remaining.subtract(&hit);
        match r.action {
            Action::Allow => {
                st.allowed = st.allowed.union(&hit);
                st.admit.get_or_insert(r);
            }
            Action::Deny => {
                st.deny.get_or_insert(r);
            }
        }
    }
    st.fell_through = !remaining.is_empty();
    st
}

impl Net<'_> {
    // -----------------------------------------------------------------------------------
    // NACLs

    /// Ports of `want` that the subnet's NACL admits in `dir` for peer `peer_ip`. Returns the
    /// allowed set, the first admitting rule, and the rule that denied (if any).
    pub(crate) fn nacl_ports(
        &self,
        subnet: ResourceId,
        egress: bool,
        peer_ip: IpAddr,
        proto: Protocol,
        want: &PortSet,
        leg: &mut Leg,
    ) -> (PortSet, Hop, Option<Hop>) {
        let Some(Some(acl)) = self.nacl.get(&subnet) else {
            return (
                want.clone(),
                Hop {
                    resource: self.name(subnet),
                    kind: "nacl",
                    detail: self.d(|| {
                        format!(
                            "default network ACL allows all {} traffic",
                            if egress { "outbound" } else { "inbound" }
                        )
                    }),
                    loc: None,
                },
                None,
            );
        };
        let st = nacl_stage(acl, egress, peer_ip, proto, want);
        for r in &st.unknown {
            for u in &r.unknown {
                leg.less.push(format!("network ACL rule at {}: {u}", r.loc));
            }
        }
        let hop = |r: &NaclRule| Hop {
            resource: acl.address.clone(),
            kind: "nacl",
            detail: self.d(|| {
                format!(
                    "{} rule {} {} {} {} {}",
                    if egress { "outbound" } else { "inbound" },
                    r.number,
                    if r.action == Action::Allow {
                        "allows"
                    } else {
                        "denies"
                    },
                    r.protocol.map(|p| p.name()).unwrap_or_default(),
                    r.ports
                        .map(|x| x.to_string())
                        .unwrap_or_else(|| "all".into()),
                    r.cidr.map(|c| c.to_string()).unwrap_or_default()
                )
            }),
            loc: Some(r.loc.clone()),
        };
        let deny = match st.deny {
            Some(r) => Some(hop(r)),
            None if st.fell_through => Some(Hop {
                resource: acl.address.clone(),
                kind: "nacl",
                detail: self.d(|| {
                    format!(
                        "no {} rule matches, the final rule `*` denies",
                        if egress { "outbound" } else { "inbound" }
                    )
                }),
                loc: Some(acl.loc.clone()),
            }),
            None => None,
        };
        let admit = st.admit.map(hop).unwrap_or_else(|| Hop {
            resource: acl.address.clone(),
            kind: "nacl",
            detail: "no rule admits".into(),
            loc: Some(acl.loc.clone()),
        });
        (st.allowed, admit, deny)
    }
}

/// One network-ACL check of an outbound connection: the subnet, the direction, the peer
/// address, the ports (the leg's, unless given), whether it is the reply's check, and the
/// stage number a block gets.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NaclStep<'p> {
    pub subnet: ResourceId,
    pub egress: bool,
    pub peer: IpAddr,
    pub want: Option<&'p PortSet>,
    pub reply: bool,
    pub stage: usize,
}

impl Net<'_> {
    /// The source subnet's network ACL for a connection that leaves the VPC through a gateway:
    /// out to `peer` (stage 3), then, for protocols with ports, the reply back in to the
    /// client's ports `src_ports` (stage 5). `false` when the leg stopped.
    pub(crate) fn nacl_out_and_reply(
        &self,
        leg: &mut Leg,
        subnet: ResourceId,
        peer: IpAddr,
        src_ports: &PortSet,
        proto: Protocol,
    ) -> bool {
        let out = NaclStep {
            subnet,
            egress: true,
            peer,
            want: None,
            reply: false,
            stage: 3,
        };
        let back = NaclStep {
            subnet,
            egress: false,
            peer,
            want: Some(src_ports),
            reply: true,
            stage: 5,
        };
        self.nacl_step(leg, out, proto) && (!proto.has_ports() || self.nacl_step(leg, back, proto))
    }

    /// Network-ACL check of one subnet for one direction of an outbound connection; stops the
    /// leg when nothing passes. `reply` marks the hop as the reply's.
    pub(crate) fn nacl_step(&self, leg: &mut Leg, step: NaclStep<'_>, proto: Protocol) -> bool {
        let NaclStep {
            subnet,
            egress,
            peer,
            want,
            reply,
            stage,
        } = step;
        let want = want.cloned().unwrap_or_else(|| leg.ports.clone());
        let want = &want;
        let (p, hop, deny) = self.nacl_ports(subnet, egress, peer, proto, want, leg);
        let dir = if egress { "outbound" } else { "inbound" };
        if reply {
            if p != *want {
                leg.stop(
                    stage,
                    nacl_reply_block(deny, &self.name(subnet), dir, want, &p, &peer.to_string()),
                );
                return false;
            }
            leg.hops.push(reply_hop(hop));
        } else {
            if p.is_empty() {
                leg.stop(
                    stage,
                    nacl_block(
                        deny,
                        &self.name(subnet),
                        dir,
                        proto,
                        want,
                        &peer.to_string(),
                    ),
                );
                return false;
            }
            leg.ports = p;
            leg.hops.push(hop);
        }
        true
    }
}

pub(crate) fn nacl_block(
    deny: Option<Hop>,
    subnet: &str,
    dir: &str,
    proto: Protocol,
    want: &PortSet,
    peer: &str,
) -> Block {
    let (res, loc, detail) = match deny {
        Some(h) => (h.resource, h.loc, h.detail),
        None => (subnet.to_string(), None, String::new()),
    };
    Block {
        resource: res,
        kind: "nacl",
        code: "SUBNET_ACL_RESTRICTION",
        reason: format!(
            "the network ACL of subnet `{subnet}` drops {dir} {} {want} for {peer} ({detail}); add an allow rule with a lower number",
            proto.name()
        ),
        loc,
    }
}

pub(crate) fn nacl_reply_block(
    deny: Option<Hop>,
    subnet: &str,
    dir: &str,
    src_ports: &PortSet,
    admitted: &PortSet,
    peer: &str,
) -> Block {
    let (res, loc, detail) = match deny {
        Some(h) => (h.resource, h.loc, h.detail),
        None => (subnet.to_string(), None, String::new()),
    };
    let admitted = if admitted.is_empty() {
        "none of them".to_string()
    } else {
        format!("only {admitted}")
    };
    Block {
        resource: res,
        kind: "nacl",
        code: "SUBNET_ACL_RESTRICTION",
        reason: format!(
            "network ACLs are stateless: replies to {peer} go to its ephemeral source ports {src_ports}, and the network ACL of subnet `{subnet}` admits {admitted} {dir} ({detail}); allow {dir} tcp/udp {src_ports} for the client's addresses"
        ),
        loc,
    }
}
