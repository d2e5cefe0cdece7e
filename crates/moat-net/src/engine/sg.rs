//! The security-group stage: allow-only, the union of an interface's groups, stateful.

use std::net::IpAddr;

use moat_model::aws::network::{Direction, Eni, EniKind, Protocol, Ref, SecurityGroup};
use moat_model::Loc;

use crate::sets::PortSet;

use super::*;

impl Net<'_> {
    // -----------------------------------------------------------------------------------
    // security groups

    /// Ports that the groups `groups` admit in `dir` from/to a peer.
    #[allow(clippy::too_many_arguments)]
    /// Security-group filtering at an ENI (none at an NLB without groups).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn eni_sg_ports(
        &self,
        eni: &Eni,
        dir: Direction,
        peer_ip: IpAddr,
        peer_groups: &[Ref],
        proto: Protocol,
        want: &PortSet,
        leg: &mut Leg,
    ) -> (PortSet, Option<Hop>) {
        if eni.kind == EniKind::LoadBalancer && self.sg_free.contains(&eni.owner) {
            return (
                want.clone(),
                Some(Hop {
                    resource: eni.address.clone(),
                    kind: "load-balancer",
                    detail: "network load balancer without security groups: no filtering".into(),
                    loc: Some(eni.loc.clone()),
                }),
            );
        }
        self.sg_ports(&eni.groups, dir, peer_ip, peer_groups, proto, want, leg)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn sg_ports(
        &self,
        groups: &[Ref],
        dir: Direction,
        peer_ip: IpAddr,
        peer_groups: &[Ref],
        proto: Protocol,
        want: &PortSet,
        leg: &mut Leg,
    ) -> (PortSet, Option<Hop>) {
        let mut allowed = PortSet::empty();
        let mut first: Option<Hop> = None;
        for g in groups {
            let sg = match g {
                Ref::Res(id) => match self.sgs.get(id) {
                    Some(sg) => *sg,
                    None => continue,
                },
                Ref::External(s) => {
                    leg.more.push(format!(
                        "rules of security group `{s}` are not in the scanned files"
                    ));
                    leg.maybe = leg.maybe.union(want);
                    continue;
                }
                Ref::Unknown(u) => {
                    leg.more.push(format!("a security group: {u}"));
                    leg.maybe = leg.maybe.union(want);
                    continue;
                }
            };
            for rule in sg.rules.iter().filter(|r| r.direction == dir) {
                // The ports this rule could admit, as far as its protocol and ports are
                // known: an unknown part of a rule matters only for those.
                let could = match (rule.protocol, rule.ports) {
                    (Some(rp), _) if !rp.matches(proto) => PortSet::empty(),
                    (Some(rp), Some(r)) if rp.has_ports() && proto.has_ports() => {
                        PortSet::range(r.from, r.to).intersect(want)
                    }
                    _ => want.clone(),
                };
                if !rule.unknown.is_empty() {
                    if !could.is_empty() {
                        for u in &rule.unknown {
                            leg.more.push(format!("rule at {}: {u}", rule.loc));
                        }
                        leg.maybe = leg.maybe.union(&could);
                    }
                    continue;
                }
                let Some(rp) = rule.protocol else { continue };
                if !rp.matches(proto) {
                    continue;
                }
                let peer_match = rule.ipv4.iter().any(|n| match peer_ip {
                    IpAddr::V4(a) => n.contains(&a),
                    IpAddr::V6(_) => false,
                }) || rule.ipv6.iter().any(|n| match peer_ip {
                    IpAddr::V6(a) => n.contains(&a),
                    IpAddr::V4(_) => false,
                }) || rule.groups.iter().any(|x| peer_groups.contains(x))
                    || (rule.self_ref && peer_groups.contains(&Ref::Res(sg.id)));
                if !peer_match {
                    if !rule.prefix_list_unknown.is_empty() && !could.is_empty() {
                        for why in &rule.prefix_list_unknown {
                            leg.more.push(format!("rule at {}: {why}", rule.loc));
                        }
                        leg.maybe = leg.maybe.union(&could);
                    }
                    continue;
                }
                let ports = match (rp, rule.ports) {
                    (p, Some(r)) if p.has_ports() && proto.has_ports() => {
                        PortSet::range(r.from, r.to)
                    }
                    _ => PortSet::all(),
                };
                let hit = ports.intersect(want);
                if hit.is_empty() {
                    continue;
                }
                allowed = allowed.union(&hit);
                let cand = Hop {
                    resource: sg.address.clone(),
                    kind: "security-group",
                    detail: self.d(|| {
                        format!(
                            "{} rule {} {} {}{}",
                            if dir == Direction::Ingress {
                                "ingress"
                            } else {
                                "egress"
                            },
                            rp.name(),
                            rule.ports
                                .map(|p| p.to_string())
                                .unwrap_or_else(|| "all".into()),
                            if dir == Direction::Ingress {
                                "from "
                            } else {
                                "to "
                            },
                            peer_desc(self, rule)
                        )
                    }),
                    loc: Some(rule.loc.clone()),
                };
                if first.as_ref().is_none_or(|f| cand.loc < f.loc) {
                    first = Some(cand);
                }
            }
        }
        (allowed, first)
    }

    /// The security group to name when an interface's groups stop traffic: its only group
    /// (or the first of several, by address), at the group's declaration; the interface when
    /// no group of the estate is attached.
    pub(crate) fn blocking_group(&self, groups: &[Ref], eni: &str, eni_loc: &Loc) -> (String, Loc) {
        let mut v: Vec<&SecurityGroup> = groups
            .iter()
            .filter_map(|g| g.res().and_then(|id| self.sgs.get(&id).copied()))
            .collect();
        v.sort_by(|a, b| a.address.cmp(&b.address));
        match v.first() {
            Some(g) => (g.address.clone(), g.loc.clone()),
            None => (eni.to_string(), eni_loc.clone()),
        }
    }
}

pub(crate) fn peer_desc(n: &Net<'_>, rule: &moat_model::aws::network::SgRule) -> String {
    let mut v: Vec<String> = rule.ipv4.iter().map(|n| n.to_string()).collect();
    v.extend(rule.ipv6.iter().map(|n| n.to_string()));
    if rule.self_ref {
        v.push("self".into());
    }
    for g in &rule.groups {
        v.push(match g {
            Ref::Res(id) => n.name(*id),
            Ref::External(s) => s.clone(),
            Ref::Unknown(_) => "(unknown group)".into(),
        });
    }
    v.join(",")
}

pub(crate) fn group_names(n: &Net<'_>, groups: &[Ref]) -> String {
    if groups.is_empty() {
        return "the security groups (none attached)".into();
    }
    let v: Vec<String> = groups
        .iter()
        .map(|g| match g {
            Ref::Res(id) => format!("`{}`", n.name(*id)),
            Ref::External(s) => format!("`{s}`"),
            Ref::Unknown(_) => "(unknown group)".into(),
        })
        .collect();
    v.join(", ")
}
