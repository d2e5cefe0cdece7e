//! The network-ACL stage: ordered rules, first match wins, final deny, stateless.

use std::net::IpAddr;

use moat_model::aws::network::{Action, Protocol};
use moat_model::ResourceId;

use crate::sets::PortSet;

use super::*;

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
        let rules = if egress { &acl.egress } else { &acl.ingress };
        let mut remaining = want.clone();
        let mut allowed = PortSet::empty();
        let mut admit: Option<Hop> = None;
        let mut deny: Option<Hop> = None;
        for r in rules {
            if remaining.is_empty() {
                break;
            }
            if !r.unknown.is_empty() {
                for u in &r.unknown {
                    leg.less.push(format!("network ACL rule at {}: {u}", r.loc));
                }
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
            let hop = Hop {
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
                        p.name(),
                        r.ports
                            .map(|x| x.to_string())
                            .unwrap_or_else(|| "all".into()),
                        c
                    )
                }),
                loc: Some(r.loc.clone()),
            };
            match r.action {
                Action::Allow => {
                    allowed = allowed.union(&hit);
                    if admit.is_none() {
                        admit = Some(hop);
                    }
                }
                Action::Deny => {
                    if deny.is_none() {
                        deny = Some(hop);
                    }
                }
            }
        }
        if !remaining.is_empty() && deny.is_none() {
            deny = Some(Hop {
                resource: acl.address.clone(),
                kind: "nacl",
                detail: self.d(|| {
                    format!(
                        "no {} rule matches, the final rule `*` denies",
                        if egress { "outbound" } else { "inbound" }
                    )
                }),
                loc: Some(acl.loc.clone()),
            });
        }
        let admit = admit.unwrap_or_else(|| Hop {
            resource: acl.address.clone(),
            kind: "nacl",
            detail: "no rule admits".into(),
            loc: Some(acl.loc.clone()),
        });
        (allowed, admit, deny)
    }
}

impl Net<'_> {
    /// Network-ACL check of one subnet for one direction of an outbound connection; stops the
    /// leg when nothing passes. `reply` marks the hop as the reply's.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn nacl_step(
        &self,
        leg: &mut Leg,
        subnet: ResourceId,
        egress: bool,
        peer: IpAddr,
        proto: Protocol,
        want: Option<&PortSet>,
        reply: bool,
        stage: usize,
    ) -> bool {
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
