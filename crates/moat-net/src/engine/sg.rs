//! The security-group stage: allow-only, the union of an interface's groups, stateful.

use std::net::IpAddr;

use moat_model::aws::network::{Direction, Eni, EniKind, Protocol, Ref, SecurityGroup, SgRule};
use moat_model::{Loc, Unknown};

use crate::sets::PortSet;

use super::*;

/// The other end of a stage: the address the packet carries (`None` when it has none a rule
/// could match) and the groups a group reference matches.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Peer<'p> {
    pub ip: Option<IpAddr>,
    pub groups: &'p [Ref],
}

/// What travels through the stages of a leg: the protocol, the destination ports asked
/// about, the client's source ports (for the network ACLs' reply direction), and the load
/// balancer that delivers the client's own address, if any (NLB client IP preservation).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Flow<'f> {
    pub proto: Protocol,
    pub want: &'f PortSet,
    pub src_ports: &'f PortSet,
    pub via_lb: Option<&'f Eni>,
}

impl<'f> Flow<'f> {
    /// The same traffic asking for other destination ports.
    pub(crate) fn with_want(self, want: &'f PortSet) -> Flow<'f> {
        Flow { want, ..self }
    }
}

/// A value the security-group stage could not read, which could admit more ports.
#[derive(Clone, Debug)]
pub(crate) enum SgUnknown<'a> {
    /// A group that is not in the scanned files.
    ExternalGroup(String),
    /// A group reference that could not be resolved.
    Group(Unknown),
    /// A rule with an unknown value (protocol, ports, peer).
    Rule(&'a SgRule, &'a Unknown),
    /// A rule whose prefix list has entries that are not known.
    PrefixList(&'a SgRule, &'a str),
}

impl SgUnknown<'_> {
    /// As the reachability engine words it among a query's unknowns.
    fn describe(&self) -> String {
        match self {
            SgUnknown::ExternalGroup(s) => {
                format!("rules of security group `{s}` are not in the scanned files")
            }
            SgUnknown::Group(u) => format!("a security group: {u}"),
            SgUnknown::Rule(rule, u) => format!("rule at {}: {u}", rule.loc),
            SgUnknown::PrefixList(rule, why) => format!("rule at {}: {why}", rule.loc),
        }
    }

    /// The unknown value itself.
    pub(crate) fn unknown(&self) -> Unknown {
        match self {
            SgUnknown::ExternalGroup(s) => {
                Unknown::derived(format!("security group `{s}` is not in the scanned files"))
            }
            SgUnknown::Group(u) => u.clone(),
            SgUnknown::Rule(_, u) => (*u).clone(),
            SgUnknown::PrefixList(_, why) => Unknown::derived(why.to_string()),
        }
    }
}

/// What a set of security groups does to one direction of traffic with one peer.
#[derive(Clone, Debug, Default)]
pub(crate) struct SgStage<'a> {
    /// The ports admitted.
    pub ports: PortSet,
    /// The admitting rule met first (groups in the order given, rules in order).
    pub first: Option<(&'a SecurityGroup, &'a SgRule)>,
    /// The admitting rule written first (lowest location): the one a path cites.
    pub earliest: Option<(&'a SecurityGroup, &'a SgRule)>,
    /// Ports that the rules in `unknowns` could admit.
    pub maybe: PortSet,
    pub unknowns: Vec<SgUnknown<'a>>,
}

impl<'a> Net<'a> {
    // -----------------------------------------------------------------------------------
    // security groups

    /// Security-group filtering at an ENI (none at an NLB without groups).
    pub(crate) fn eni_sg_ports(
        &self,
        eni: &Eni,
        dir: Direction,
        peer: Peer<'_>,
        flow: Flow<'_>,
        leg: &mut Leg,
    ) -> (PortSet, Option<Hop>) {
        if eni.kind == EniKind::LoadBalancer && self.sg_free.contains(&eni.owner) {
            return (
                flow.want.clone(),
                Some(Hop {
                    resource: eni.address.clone(),
                    kind: "load-balancer",
                    detail: "network load balancer without security groups: no filtering".into(),
                    loc: Some(eni.loc.clone()),
                }),
            );
        }
        self.sg_ports(&eni.groups, dir, peer, flow, leg)
    }

    /// Ports that the groups `groups` admit in `dir` from/to a peer, with the rule that
    /// admits them as a hop; what could not be read goes to the leg's unknowns.
    pub(crate) fn sg_ports(
        &self,
        groups: &[Ref],
        dir: Direction,
        peer: Peer<'_>,
        flow: Flow<'_>,
        leg: &mut Leg,
    ) -> (PortSet, Option<Hop>) {
        let st = self.sg_stage(groups, dir, peer, flow.proto, flow.want);
        for u in &st.unknowns {
            leg.more.push(u.describe());
        }
        if !st.unknowns.is_empty() {
            leg.maybe = leg.maybe.union(&st.maybe);
        }
        let hop = st.earliest.map(|(sg, rule)| Hop {
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
                    rule.protocol.map(|p| p.name()).unwrap_or_default(),
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
        });
        (st.ports, hop)
    }

    /// The security-group stage: the ports of `want` that the groups `groups` admit in `dir`
    /// from/to `peer` (allow-only, the union of the groups' rules; a group reference matches
    /// the peer's groups, a CIDR its address), and what could not be read. Both the engine's
    /// legs and the diagnosis decide here.
    pub(crate) fn sg_stage(
        &self,
        groups: &[Ref],
        dir: Direction,
        peer: Peer<'_>,
        proto: Protocol,
        want: &PortSet,
    ) -> SgStage<'a> {
        let mut st = SgStage::default();
        for g in groups {
            let sg: &'a SecurityGroup = match g {
                Ref::Res(id) => match self.sgs.get(id) {
                    Some(sg) => sg,
                    None => continue,
                },
                Ref::External(s) => {
                    st.unknowns.push(SgUnknown::ExternalGroup(s.clone()));
                    st.maybe = st.maybe.union(want);
                    continue;
                }
                Ref::Unknown(u) => {
                    st.unknowns.push(SgUnknown::Group(u.clone()));
                    st.maybe = st.maybe.union(want);
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
                            st.unknowns.push(SgUnknown::Rule(rule, u));
                        }
                        st.maybe = st.maybe.union(&could);
                    }
                    continue;
                }
                let Some(rp) = rule.protocol else { continue };
                if !rp.matches(proto) {
                    continue;
                }
                let peer_match = rule.ipv4.iter().any(|n| match peer.ip {
                    Some(IpAddr::V4(a)) => n.contains(&a),
                    _ => false,
                }) || rule.ipv6.iter().any(|n| match peer.ip {
                    Some(IpAddr::V6(a)) => n.contains(&a),
                    _ => false,
                }) || rule.groups.iter().any(|x| peer.groups.contains(x))
                    || (rule.self_ref && peer.groups.contains(&Ref::Res(sg.id)));
                if !peer_match {
                    if !rule.prefix_list_unknown.is_empty() && !could.is_empty() {
                        for why in &rule.prefix_list_unknown {
                            st.unknowns.push(SgUnknown::PrefixList(rule, why));
                        }
                        st.maybe = st.maybe.union(&could);
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
                st.ports = st.ports.union(&hit);
                st.first.get_or_insert((sg, rule));
                if st.earliest.is_none_or(|(_, f)| rule.loc < f.loc) {
                    st.earliest = Some((sg, rule));
                }
            }
        }
        st
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
