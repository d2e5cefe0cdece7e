//! The diagnosis asks the engine's stages, never its own matching: whether security groups
//! admit a peer (any of its addresses) on a port, and which ports a network ACL drops between
//! a subnet and a peer network, with the rule that drops them. Each peer is cut into the
//! address classes that the rules tell apart, and every class goes through the stage the
//! reachability engine uses for one packet.

use std::net::IpAddr;

use ipnet::IpNet;
use moat_model::aws::network::{Direction, Nacl, NaclRule, Protocol, Ref, SecurityGroup, SgRule};
use moat_model::Unknown;

use crate::engine::{classes, nacl_stage, Net, Peer as StagePeer};
use crate::sets::{AddrSet, PortSet};

/// A peer of a security-group rule: the groups of its interfaces and the addresses it may
/// use.
#[derive(Clone, Debug)]
pub(super) struct Peer {
    pub groups: Vec<Ref>,
    pub nets: Vec<IpNet>,
}

pub(super) enum Admit {
    Yes,
    No,
    Unknown(Unknown),
}

/// Whether the groups `sgs` admit `peer` in direction `dir` on `proto`/`port`: some address
/// of the peer is admitted (a rule that covers part of the peer's addresses admits some of
/// its interfaces: not a broken path). Decided by the engine's security-group stage; a value
/// it could not read makes the answer unknown unless some address is admitted anyway.
pub(super) fn sg_admits(
    n: &Net<'_>,
    sgs: &[Ref],
    dir: Direction,
    peer: &Peer,
    proto: Protocol,
    port: u16,
) -> Admit {
    if sgs.is_empty() {
        return Admit::Unknown(Unknown::derived(
            "no security group is attached, so the VPC's default group applies",
        ));
    }
    let want = PortSet::single(port);
    let mut unknown = None;
    for ip in peer_addresses(n, sgs, &peer.nets) {
        let p = StagePeer {
            ip,
            groups: &peer.groups,
        };
        let st = n.sg_stage(sgs, dir, p, proto, &want);
        if !st.ports.is_empty() {
            return Admit::Yes;
        }
        if unknown.is_none() {
            unknown = st.unknowns.first().map(|u| u.unknown());
        }
    }
    unknown.map_or(Admit::No, Admit::Unknown)
}

/// One address of each class of `nets` that the rules of `sgs` tell apart; a single `None`
/// when the peer has no known address (only group references can match it).
fn peer_addresses(n: &Net<'_>, sgs: &[Ref], nets: &[IpNet]) -> Vec<Option<IpAddr>> {
    let mut space = AddrSet::empty();
    for x in nets {
        space = space.union(&AddrSet::net(x));
    }
    if space.is_empty() {
        return vec![None];
    }
    let cuts = rule_cuts(n, sgs);
    classes(&space, &cuts)
        .into_iter()
        .map(|(ip, _)| Some(ip))
        .collect()
}

/// A rule and its group.
type RuleRef<'a> = (&'a SecurityGroup, &'a SgRule);

/// Every CIDR of the rules of `sgs`: the addresses they tell apart.
fn rule_cuts(n: &Net<'_>, sgs: &[Ref]) -> Vec<IpNet> {
    sgs.iter()
        .filter_map(Ref::res)
        .filter_map(|id| n.net.security_group(id))
        .flat_map(|sg| sg.rules.iter())
        .flat_map(|r| {
            r.ipv4
                .iter()
                .map(|c| IpNet::V4(*c))
                .chain(r.ipv6.iter().map(|c| IpNet::V6(*c)))
        })
        .collect()
}

/// The first ingress rule of `sgs` (groups in order, then rules in order) that admits some
/// internet address on `proto`/`port` (on any TCP or UDP port when `port` is `None`), as the
/// engine's security-group stage decides it for each class of the internet's addresses.
pub(super) fn internet_rule<'a>(
    n: &Net<'a>,
    sgs: &[Ref],
    proto: Protocol,
    port: Option<u16>,
) -> Option<RuleRef<'a>> {
    let wants = match port {
        Some(p) => vec![(proto, PortSet::single(p))],
        None => vec![
            (Protocol::Tcp, PortSet::all()),
            (Protocol::Udp, PortSet::all()),
        ],
    };
    let order = |sg: &SecurityGroup, rule: &SgRule| {
        (
            sgs.iter()
                .position(|g| *g == Ref::Res(sg.id))
                .unwrap_or(usize::MAX),
            sg.rules
                .iter()
                .position(|r| std::ptr::eq(r, rule))
                .unwrap_or(usize::MAX),
        )
    };
    let mut best: Option<((usize, usize), RuleRef<'a>)> = None;
    for (ip, _) in classes(&n.internet(), &rule_cuts(n, sgs)) {
        for (p, want) in &wants {
            let peer = StagePeer {
                ip: Some(ip),
                groups: &[],
            };
            let st = n.sg_stage(sgs, Direction::Ingress, peer, *p, want);
            if let Some((sg, rule)) = st.first {
                let at = order(sg, rule);
                if best.is_none_or(|(b, _)| at < b) {
                    best = Some((at, (sg, rule)));
                }
            }
        }
    }
    best.map(|(_, r)| r)
}

/// Whether the groups `sgs` admit, on `proto`/`port`, some address of `space` with the groups
/// `groups`: the engine's security-group stage over the classes of `space`. `Some(unknown)`
/// when nothing is admitted but a value it could not read might.
pub(super) fn sg_admits_any(
    n: &Net<'_>,
    sgs: &[Ref],
    space: &AddrSet,
    groups: &[Ref],
    proto: Protocol,
    port: u16,
) -> Result<bool, Unknown> {
    let want = PortSet::single(port);
    let cuts = rule_cuts(n, sgs);
    let mut addrs: Vec<Option<IpAddr>> = classes(space, &cuts)
        .into_iter()
        .map(|(ip, _)| Some(ip))
        .collect();
    if addrs.is_empty() {
        addrs.push(None);
    }
    let mut unknown = None;
    for ip in addrs {
        let p = StagePeer { ip, groups };
        let st = n.sg_stage(sgs, Direction::Ingress, p, proto, &want);
        if !st.ports.is_empty() {
            return Ok(true);
        }
        if unknown.is_none() {
            unknown = st.unknowns.first().map(|u| u.unknown());
        }
    }
    unknown.map_or(Ok(false), Err)
}

/// What a NACL does to traffic between one of its subnets and a peer network.
pub(super) struct NaclVerdict<'a> {
    /// Ports dropped (for at least some of the peer's addresses).
    pub denied: PortSet,
    /// The rule that denies first, or `None` for the final `*` deny.
    pub rule: Option<&'a NaclRule>,
    pub unknown: Option<Unknown>,
}

/// The engine's network-ACL stage over every class of the peer network's addresses: the
/// ports dropped for some of them, the first rule that drops them (by rule order), or
/// undecided when only the final deny drops them and a rule with unknown values comes first.
pub(super) fn nacl_eval<'a>(
    nacl: &'a Nacl,
    dir: Direction,
    peer: &IpNet,
    proto: Protocol,
    ports: &PortSet,
) -> NaclVerdict<'a> {
    let egress = dir == Direction::Egress;
    let rules = if egress { &nacl.egress } else { &nacl.ingress };
    let cuts: Vec<IpNet> = rules.iter().filter_map(|r| r.cidr).collect();
    let mut denied = PortSet::empty();
    let mut rule: Option<(usize, &NaclRule)> = None;
    let mut undecided: Option<Unknown> = None;
    for (ip, _) in classes(&AddrSet::net(peer), &cuts) {
        let st = nacl_stage(nacl, egress, ip, proto, ports);
        let dropped = ports.subtract(&st.allowed);
        if dropped.is_empty() {
            continue;
        }
        denied = denied.union(&dropped);
        match st.deny {
            Some(r) => {
                let at = rules
                    .iter()
                    .position(|x| std::ptr::eq(x, r))
                    .unwrap_or(usize::MAX);
                if rule.is_none_or(|(i, _)| at < i) {
                    rule = Some((at, r));
                }
            }
            None => {
                // The final deny, unless a rule that could not be read comes first.
                if undecided.is_none() {
                    undecided = st.unknown.first().and_then(|r| r.unknown.first()).cloned();
                }
            }
        }
    }
    let rule = rule.map(|(_, r)| r);
    NaclVerdict {
        denied,
        rule,
        unknown: if rule.is_none() { undecided } else { None },
    }
}

pub(super) fn dir_word(d: Direction) -> &'static str {
    match d {
        Direction::Ingress => "inbound",
        Direction::Egress => "outbound",
    }
}

/// Ports as the messages write them: `80`, `1024-65535`, `80,443`.
pub(super) fn ports_text(p: &PortSet) -> String {
    p.to_string()
}
