//! Diagnosis: the troubleshooting cases of the seeds (002's eight misconfigurations, 003's
//! three-tier trace, 000's NLB gateway) turned into findings on the component that breaks
//! the path.
//!
//! For every load balancer, every listener -> target group -> target is verified on the
//! traffic port and on the health-check port: security groups of the LB (egress) and of the
//! target (ingress), NACLs of both subnets in both directions (the reply goes to the LB's
//! ephemeral ports 1024-65535), client-IP preservation of NLBs. Beside the paths: targets
//! reachable around their LB, "private" subnets routed to an IGW, databases reachable from
//! the internet.
//!
//! Each [`Diagnosis`] carries its [`DiagnosisKind`] (the rule layer maps kinds to codes), the
//! resource that breaks the path
//! and the line to fix. When a value needed to decide is unknown the diagnosis is marked
//! `unknown` (never silently passed).

use std::collections::BTreeSet;
use std::net::IpAddr;

use ipnet::IpNet;
use moat_model::aws::network::{
    Action, Direction, Eni, EniKind, HealthPort, LbKind, LoadBalancer, Nacl, NaclRule, Network,
    Protocol, Ref, RouteTarget, SecurityGroup, SgRule, TargetGroup, TargetRef,
};
use moat_model::{Loc, ResourceId, Tri, Unknown};

/// What a diagnosis is about. The rule layer (`moat-rules`) maps each kind to its rule and
/// code; this crate names no rule code. Declared in the order of those codes, which is the
/// order diagnoses sort in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DiagnosisKind {
    /// Target security group does not admit the traffic port from the load balancer.
    TargetPortNotAdmitted,
    /// Target security group does not admit the health-check port from the load balancer.
    HealthCheckNotAdmitted,
    /// Load balancer security group has no egress to the target port.
    LbEgressMissing,
    /// A NACL drops the request or the reply (ephemeral ports) between LB and target.
    NaclDropsLbPath,
    /// Target security group admits the world although the target is behind a load balancer.
    TargetOpenBehindLb,
    /// A load-balancer target is directly reachable from the internet.
    TargetBypassesLb,
    /// NLB target with client IP preservation whose security group does not admit the clients.
    NlbClientsNotAdmitted,
    /// IP target outside the VPC: security groups (and SG references) do not protect it.
    IpTargetOutsideVpc,
    /// A subnet named or tagged private routes 0.0.0.0/0 to an internet gateway.
    PrivateSubnetToIgw,
    /// A database or cache reachable from the internet.
    DatabaseReachableFromInternet,
    /// A database or cache placed in a subnet whose route table sends 0.0.0.0/0 to an
    /// internet gateway (a public subnet), whether or not it is publicly accessible.
    DatabaseInPublicSubnet,
    /// A target registered in an Availability Zone where its load balancer has no subnet.
    TargetAzNotServed,
}

/// One diagnosed problem.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnosis {
    pub kind: DiagnosisKind,
    /// The component that breaks the path (the resource to fix).
    pub resource: ResourceId,
    /// The line to fix (the rule, route, association or attribute).
    pub loc: Loc,
    pub message: String,
    /// True when a value needed to decide is unknown; the message names it.
    pub unknown: bool,
}

/// Every diagnosis, sorted and without duplicates.
pub fn diagnose(net: &Network) -> Vec<Diagnosis> {
    let mut out = lb_paths(net);
    out.extend(private_subnets_routed_to_igw(net));
    out.extend(databases_reachable_from_internet(net));
    out.extend(databases_in_public_subnets(net));
    out.extend(targets_in_unserved_zones(net));
    out.sort();
    out.dedup();
    out
}

// ---------------------------------------------------------------------------------------
// small sets of ports

type Ports = Vec<(u16, u16)>;

fn ports_subtract(a: &[(u16, u16)], lo: u16, hi: u16) -> Ports {
    let mut out = Vec::new();
    for &(x, y) in a {
        if hi < x || lo > y {
            out.push((x, y));
            continue;
        }
        if lo > x {
            out.push((x, lo - 1));
        }
        if hi < y {
            out.push((hi + 1, y));
        }
    }
    out
}

fn ports_intersect(a: &[(u16, u16)], lo: u16, hi: u16) -> Ports {
    a.iter()
        .filter_map(|&(x, y)| {
            let l = x.max(lo);
            let h = y.min(hi);
            (l <= h).then_some((l, h))
        })
        .collect()
}

fn ports_text(p: &[(u16, u16)]) -> String {
    crate::invariant::format_ports(&crate::invariant::merge_ranges(p.to_vec()))
}

// ---------------------------------------------------------------------------------------
// addresses

fn contains_net(outer: &IpNet, inner: &IpNet) -> bool {
    outer.contains(inner)
}

fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

const PRIVATE_V4: &[&str] = &[
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
];
const PRIVATE_V6: &[&str] = &["fc00::/7", "fe80::/10", "::1/128"];

/// True if the network holds at least one internet (non-private) address.
fn has_public_addresses(n: &IpNet) -> bool {
    let list = match n {
        IpNet::V4(_) => PRIVATE_V4,
        IpNet::V6(_) => PRIVATE_V6,
    };
    !list
        .iter()
        .filter_map(|s| s.parse::<IpNet>().ok())
        .any(|p| p.contains(n))
}

fn is_default_route(n: &IpNet) -> bool {
    n.prefix_len() == 0
}

// ---------------------------------------------------------------------------------------
// security groups

/// A peer of a security-group rule: the groups of its ENIs and the addresses it may use.
#[derive(Clone, Debug)]
struct Peer {
    groups: Vec<Ref>,
    nets: Vec<IpNet>,
}

enum Admit {
    Yes,
    No,
    Unknown(Unknown),
}

fn rule_matches_peer(sg: &SecurityGroup, rule: &SgRule, peer: &Peer) -> bool {
    if rule.self_ref && peer.groups.contains(&Ref::Res(sg.id)) {
        return true;
    }
    for g in &rule.groups {
        match g {
            Ref::Res(_) | Ref::External(_) if peer.groups.contains(g) => return true,
            _ => {}
        }
    }
    if peer.nets.is_empty() {
        return false;
    }
    // The peer is admitted when every address it may use is in the rule; a rule that covers
    // part of the peer's addresses admits some of its ENIs: not a broken path.
    let nets: Vec<IpNet> = rule
        .ipv4
        .iter()
        .map(|n| IpNet::V4(*n))
        .chain(rule.ipv6.iter().map(|n| IpNet::V6(*n)))
        .collect();
    peer.nets
        .iter()
        .any(|p| nets.iter().any(|r| contains_net(r, p) || overlaps(r, p)))
}

/// Whether the groups `sgs` admit `peer` in direction `dir` on `proto`/`port`.
fn sg_admits(
    net: &Network,
    sgs: &[Ref],
    dir: Direction,
    peer: &Peer,
    proto: Protocol,
    port: u16,
) -> Admit {
    let mut unknown: Option<Unknown> = None;
    if sgs.is_empty() {
        return Admit::Unknown(Unknown::derived(
            "no security group is attached, so the VPC's default group applies",
        ));
    }
    for g in sgs {
        let sg = match g {
            Ref::Res(id) => match net.security_group(*id) {
                Some(sg) => sg,
                None => continue,
            },
            Ref::External(s) => {
                unknown.get_or_insert_with(|| {
                    Unknown::derived(format!("security group `{s}` is not in the scanned files"))
                });
                continue;
            }
            Ref::Unknown(u) => {
                unknown.get_or_insert_with(|| u.clone());
                continue;
            }
        };
        for rule in sg.rules.iter().filter(|r| r.direction == dir) {
            match rule.covers_port(proto, port) {
                Some(false) => continue,
                None => {
                    if let Some(u) = rule.unknown.first() {
                        unknown.get_or_insert_with(|| u.clone());
                    }
                    continue;
                }
                Some(true) => {}
            }
            if rule_matches_peer(sg, rule, peer) {
                return Admit::Yes;
            }
            if let Some(u) = rule.unknown.first() {
                unknown.get_or_insert_with(|| u.clone());
            }
            for g in rule.groups.iter().chain(rule.prefix_lists.iter()) {
                if let Ref::Unknown(u) = g {
                    unknown.get_or_insert_with(|| u.clone());
                }
            }
            if let Some(why) = rule.prefix_list_unknown.first() {
                unknown.get_or_insert_with(|| Unknown::derived(why.clone()));
            }
        }
    }
    match unknown {
        Some(u) => Admit::Unknown(u),
        None => Admit::No,
    }
}

fn first_group<'a>(net: &'a Network, sgs: &[Ref]) -> Option<&'a SecurityGroup> {
    sgs.iter()
        .filter_map(|g| g.res())
        .filter_map(|id| net.security_group(id))
        .min_by(|a, b| a.address.cmp(&b.address))
}

fn group_names(net: &Network, sgs: &[Ref]) -> String {
    let mut names: Vec<String> = sgs
        .iter()
        .map(|g| match g {
            Ref::Res(id) => net
                .security_group(*id)
                .map(|s| format!("`{}`", s.address))
                .unwrap_or_else(|| "(unknown group)".into()),
            Ref::External(s) => format!("`{s}`"),
            Ref::Unknown(_) => "(unknown group)".into(),
        })
        .collect();
    names.sort();
    names.dedup();
    names.join(", ")
}

// ---------------------------------------------------------------------------------------
// NACLs

/// What a NACL does to traffic between one of its subnets and a peer network.
struct NaclVerdict<'a> {
    /// Ports dropped (for at least some of the peer's addresses).
    denied: Ports,
    /// The rule that denies first, or `None` for the final `*` deny.
    rule: Option<&'a NaclRule>,
    unknown: Option<Unknown>,
}

fn nacl_eval<'a>(
    nacl: &'a Nacl,
    dir: Direction,
    peer: &IpNet,
    proto: Protocol,
    ports: &[(u16, u16)],
) -> NaclVerdict<'a> {
    let rules = match dir {
        Direction::Ingress => &nacl.ingress,
        Direction::Egress => &nacl.egress,
    };
    let mut remaining: Ports = ports.to_vec();
    let mut denied: Ports = Vec::new();
    let mut deny_rule: Option<&NaclRule> = None;
    let mut unknown = None;
    for rule in rules {
        if remaining.is_empty() {
            break;
        }
        let (Some(rp), Some(cidr)) = (rule.protocol, rule.cidr) else {
            if unknown.is_none() {
                unknown = rule.unknown.first().cloned().or_else(|| {
                    Some(Unknown::derived(format!(
                        "NACL rule {} of `{}` is not fully known",
                        rule.number, nacl.address
                    )))
                });
            }
            continue;
        };
        if !rp.matches(proto) {
            continue;
        }
        let (lo, hi) = if rp == Protocol::All || !proto.has_ports() {
            (0, 65535)
        } else {
            match rule.ports {
                Some(p) => (p.from, p.to),
                None => {
                    unknown.get_or_insert_with(|| {
                        Unknown::derived(format!(
                            "the ports of NACL rule {} of `{}` are not known",
                            rule.number, nacl.address
                        ))
                    });
                    continue;
                }
            }
        };
        let hit = ports_intersect(&remaining, lo, hi);
        if hit.is_empty() {
            continue;
        }
        if contains_net(&cidr, peer) {
            if rule.action == Action::Deny {
                denied.extend(hit);
                deny_rule.get_or_insert(rule);
            }
            remaining = ports_subtract(&remaining, lo, hi);
        } else if overlaps(&cidr, peer) && rule.action == Action::Deny {
            // Part of the peer's addresses is denied on these ports.
            denied.extend(hit);
            deny_rule.get_or_insert(rule);
        }
    }
    if !remaining.is_empty() && deny_rule.is_none() && unknown.is_some() {
        // The rest might be allowed by the unknown rule: undecided, not denied.
        return NaclVerdict {
            denied: remaining,
            rule: None,
            unknown,
        };
    }
    denied.extend(remaining);
    NaclVerdict {
        denied: crate::invariant::merge_ranges(denied),
        rule: deny_rule,
        unknown: None,
    }
}

fn dir_word(d: Direction) -> &'static str {
    match d {
        Direction::Ingress => "inbound",
        Direction::Egress => "outbound",
    }
}

// ---------------------------------------------------------------------------------------
// helpers over the view

fn subnet_nets(net: &Network, subnet: Option<&Ref>) -> Vec<IpNet> {
    subnet
        .and_then(Ref::res)
        .and_then(|s| net.subnet(s))
        .and_then(|s| s.cidr)
        .map(IpNet::V4)
        .into_iter()
        .collect()
}

fn eni_peer(net: &Network, eni: &Eni) -> Peer {
    let nets = match eni.private_ip {
        Some(ip) => vec![IpNet::from(ip)],
        None => subnet_nets(net, eni.subnet.as_ref()),
    };
    Peer {
        groups: eni.groups.clone(),
        nets,
    }
}

fn lb_peer(net: &Network, lb: &LoadBalancer) -> Peer {
    let mut nets = Vec::new();
    for s in &lb.subnets {
        nets.extend(subnet_nets(net, Some(s)));
    }
    nets.sort();
    nets.dedup();
    Peer {
        groups: lb.groups.clone(),
        nets,
    }
}

/// The route to 0.0.0.0/0 (or ::/0) through an internet gateway of the subnet, if any.
fn igw_default_route(
    net: &Network,
    subnet: ResourceId,
) -> Option<(
    &moat_model::aws::network::RouteTable,
    &moat_model::aws::network::Route,
)> {
    let rt = net.route_table_of(subnet)?;
    rt.routes
        .iter()
        .find(|r| {
            r.dest.as_ref().is_some_and(is_default_route) && matches!(r.target, RouteTarget::Igw(_))
        })
        .map(|r| (rt, r))
}

fn lb_kind_word(lb: &LoadBalancer) -> &'static str {
    match lb.kind {
        LbKind::Application => "ALB",
        LbKind::Network => "NLB",
        LbKind::Gateway => "GWLB",
        LbKind::Classic => "ELB",
    }
}

/// The target groups behind a load balancer, with the listener ports that reach them.
fn target_groups_of<'a>(net: &'a Network, lb: &LoadBalancer) -> Vec<(&'a TargetGroup, Vec<u16>)> {
    let mut out: Vec<(&TargetGroup, Vec<u16>)> = Vec::new();
    for l in &net.listeners {
        if l.lb.as_ref().and_then(Ref::res) != Some(lb.id) {
            continue;
        }
        for (tg, _) in &l.target_groups {
            let Some(tg) = tg
                .res()
                .and_then(|id| net.target_groups.iter().find(|t| t.id == id))
            else {
                continue;
            };
            match out.iter_mut().find(|(t, _)| t.id == tg.id) {
                Some((_, ports)) => ports.extend(l.port),
                None => out.push((tg, l.port.into_iter().collect())),
            }
        }
    }
    for (_, ports) in &mut out {
        ports.sort_unstable();
        ports.dedup();
    }
    out.sort_by(|a, b| a.0.address.cmp(&b.0.address));
    out
}

fn vpc_nets(net: &Network, vpc: Option<&Ref>) -> Vec<IpNet> {
    match vpc.and_then(Ref::res).and_then(|v| net.vpc(v)) {
        Some(v) => v.cidrs.clone(),
        None => net
            .vpcs
            .iter()
            .flat_map(|v| v.cidrs.iter().copied())
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------
// load-balancer paths (NET001-NET008)

struct Ctx<'a> {
    net: &'a Network,
    out: Vec<Diagnosis>,
}

impl Ctx<'_> {
    fn push(&mut self, kind: DiagnosisKind, resource: ResourceId, loc: &Loc, message: String) {
        self.out.push(Diagnosis {
            kind,
            resource,
            loc: loc.clone(),
            message,
            unknown: false,
        });
    }

    fn push_unknown(
        &mut self,
        kind: DiagnosisKind,
        resource: ResourceId,
        loc: &Loc,
        message: String,
    ) {
        self.out.push(Diagnosis {
            kind,
            resource,
            loc: loc.clone(),
            message,
            unknown: true,
        });
    }
}

/// Verify every listener -> target group -> target path of every load balancer (NET001 to
/// NET008).
pub fn lb_paths(net: &Network) -> Vec<Diagnosis> {
    let mut cx = Ctx {
        net,
        out: Vec::new(),
    };
    let mut lbs: Vec<&LoadBalancer> = net.load_balancers.iter().collect();
    lbs.sort_by(|a, b| a.address.cmp(&b.address));
    for lb in lbs {
        for (tg, listener_ports) in target_groups_of(net, lb) {
            check_target_group(&mut cx, lb, tg, &listener_ports);
        }
    }
    let mut out = cx.out;
    out.extend(lb_client_nacls(net));
    out.sort();
    out.dedup();
    out
}

/// NET004 on the client side of an internet-facing load balancer: a NACL of its subnets that
/// drops every internet client's request on a listener port, or the replies to the clients'
/// ephemeral ports. Decided by the reachability engine; a NACL that admits some clients (a
/// deliberate restriction) is not reported.
fn lb_client_nacls(net: &Network) -> Vec<Diagnosis> {
    use crate::engine::{Flow, Net, Src};
    use crate::sets::PortSet;
    let estate = moat_model::Estate::new();
    let n = Net::new(net, &estate);
    let internet = n.internet();
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut lbs: Vec<&LoadBalancer> = net
        .load_balancers
        .iter()
        .filter(|l| l.internal.is_false())
        .collect();
    lbs.sort_by(|a, b| a.address.cmp(&b.address));
    for lb in lbs {
        let mut ports: Vec<(Protocol, u16)> = net
            .listeners
            .iter()
            .filter(|l| l.lb.as_ref().and_then(Ref::res) == Some(lb.id))
            .filter_map(|l| {
                let p = l.port?;
                let udp = l
                    .protocol
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case("UDP"));
                Some((if udp { Protocol::Udp } else { Protocol::Tcp }, p))
            })
            .collect();
        ports.sort_by_key(|(p, port)| (p.name(), *port));
        ports.dedup();
        for eni in net.enis.iter().filter(|e| e.owner == lb.id) {
            for (proto, lp) in &ports {
                let r = n.pair(
                    &Src::External,
                    &internet,
                    eni,
                    Flow {
                        proto: *proto,
                        want: &PortSet::single(*lp),
                        src_ports: &PortSet::ephemeral(),
                        via_lb: None,
                    },
                );
                if !r.ports.is_empty() || !r.less.is_empty() || !r.more.is_empty() {
                    continue;
                }
                let Some((_, b)) = r.block else { continue };
                if b.kind != "nacl" {
                    continue;
                }
                let Some(nacl) = net.nacls.iter().find(|x| x.address == b.resource) else {
                    continue;
                };
                let loc = b.loc.clone().unwrap_or_else(|| nacl.loc.clone());
                // One finding per rule and listener, whichever of the subnets shows it.
                if !seen.insert((nacl.id, loc.clone(), lb.id, *lp)) {
                    continue;
                }
                out.push(Diagnosis {
                    kind: DiagnosisKind::NaclDropsLbPath,
                    resource: nacl.id,
                    loc,
                    message: format!(
                        "no internet client can use listener {}/{lp} of {} `{}`: {}",
                        proto.name(),
                        lb_kind_word(lb),
                        lb.address,
                        b.reason
                    ),
                    unknown: false,
                });
            }
        }
    }
    out
}

fn check_target_group(
    cx: &mut Ctx<'_>,
    lb: &LoadBalancer,
    tg: &TargetGroup,
    _listener_ports: &[u16],
) {
    let net = cx.net;
    if tg.target_type == "lambda" || tg.target_type == "alb" {
        return;
    }
    let proto = match tg
        .protocol
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some("UDP") => Protocol::Udp,
        _ => Protocol::Tcp,
    };
    let lbp = lb_peer(net, lb);
    let is_nlb = lb.kind == LbKind::Network;
    for t in net.targets.iter().filter(|t| t.group == Ref::Res(tg.id)) {
        let Some(tp) = t.port.or(tg.port) else {
            cx.push_unknown(
                DiagnosisKind::TargetPortNotAdmitted,
                tg.id,
                &tg.loc,
                format!("the traffic port of `{}` is not known", tg.address),
            );
            continue;
        };
        let hp = match &tg.health_port {
            HealthPort::TrafficPort => Some(tp),
            HealthPort::Port(p) => Some(*p),
            HealthPort::Unknown(u) => {
                cx.push_unknown(
                    DiagnosisKind::HealthCheckNotAdmitted,
                    tg.id,
                    &tg.health_loc,
                    format!("the health-check port of `{}` is unknown: {u}", tg.address),
                );
                None
            }
        };
        let enis: Vec<&Eni> = match &t.target {
            TargetRef::Resource(id) => net.enis_of(*id).collect(),
            TargetRef::Ip(ip) => {
                check_ip_target(cx, lb, tg, t.declared_by, &t.loc, *ip);
                match eni_at_ip(net, *ip) {
                    Some(e) => vec![e],
                    None => continue,
                }
            }
            TargetRef::External(_) | TargetRef::Unknown(_) => continue,
        };
        // Client IP preserved: the target sees the client's address, not the LB's.
        let preserved = is_nlb && tg.preserve_client_ip.is_true();
        for eni in enis {
            check_lb_target(cx, lb, &lbp, tg, eni, proto, tp, hp, preserved);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn check_lb_target(
    cx: &mut Ctx<'_>,
    lb: &LoadBalancer,
    lbp: &Peer,
    tg: &TargetGroup,
    eni: &Eni,
    proto: Protocol,
    tp: u16,
    hp: Option<u16>,
    preserved: bool,
) {
    let net = cx.net;
    let target_peer = eni_peer(net, eni);
    let pname = proto.name();
    let tsg = first_group(net, &eni.groups);
    let tsg_id = tsg.map(|s| s.id).unwrap_or(eni.owner);
    let tsg_loc = tsg
        .map(|s| s.loc.clone())
        .unwrap_or_else(|| eni.loc.clone());
    let lbw = lb_kind_word(lb);

    // NET003: the LB's own egress (only LBs with security groups).
    if !lb.groups.is_empty() {
        let mut missing = Vec::new();
        let mut unknown = None;
        let mut ports = vec![(tp, "traffic port")];
        if let Some(h) = hp.filter(|h| *h != tp) {
            ports.push((h, "health-check port"));
        }
        for (p, what) in &ports {
            match sg_admits(net, &lb.groups, Direction::Egress, &target_peer, proto, *p) {
                Admit::Yes => {}
                Admit::No => missing.push(format!("{pname}/{p} ({what})")),
                Admit::Unknown(u) => {
                    unknown.get_or_insert(u);
                }
            }
        }
        let lsg = first_group(net, &lb.groups);
        let (rid, loc) = lsg
            .map(|s| (s.id, s.loc.clone()))
            .unwrap_or((lb.id, lb.loc.clone()));
        if !missing.is_empty() {
            cx.push(
                DiagnosisKind::LbEgressMissing,
                rid,
                &loc,
                format!(
                    "{lbw} `{}` cannot open connections to target `{}` of `{}` on {}: no egress rule of {} allows them",
                    lb.address,
                    eni.address,
                    tg.address,
                    missing.join(" and "),
                    group_names(net, &lb.groups),
                ),
            );
        } else if let Some(u) = unknown {
            cx.push_unknown(
                DiagnosisKind::LbEgressMissing,
                rid,
                &loc,
                format!(
                    "cannot decide whether {lbw} `{}` may open connections to `{}` on {pname}/{tp}: {u}",
                    lb.address, eni.address
                ),
            );
        }
    }

    // NET001: traffic port from the LB (when the LB's address is the source).
    if !preserved {
        match sg_admits(net, &eni.groups, Direction::Ingress, lbp, proto, tp) {
            Admit::Yes => {}
            Admit::No => cx.push(
                DiagnosisKind::TargetPortNotAdmitted,
                tsg_id,
                &tsg_loc,
                format!(
                    "target `{}` of `{}` does not admit {pname}/{tp} from {lbw} `{}`: no ingress rule of {} allows the LB's security group or subnets, so requests time out",
                    eni.address,
                    tg.address,
                    lb.address,
                    group_names(net, &eni.groups),
                ),
            ),
            Admit::Unknown(u) => cx.push_unknown(
                DiagnosisKind::TargetPortNotAdmitted,
                tsg_id,
                &tsg_loc,
                format!(
                    "cannot decide whether `{}` admits {pname}/{tp} from `{}`: {u}",
                    eni.address, lb.address
                ),
            ),
        }
    }

    // NET002: health checks always come from the LB's own addresses.
    if let Some(h) = hp {
        if h != tp || preserved {
            let hproto = Protocol::Tcp;
            match sg_admits(net, &eni.groups, Direction::Ingress, lbp, hproto, h) {
                Admit::Yes => {}
                Admit::No => cx.push(
                    DiagnosisKind::HealthCheckNotAdmitted,
                    tsg_id,
                    &tsg_loc,
                    format!(
                        "health checks of `{}` go to tcp/{h} ({}) but {} of target `{}` does not admit tcp/{h} from {lbw} `{}`: the target stays unhealthy",
                        tg.address,
                        match tg.health_port {
                            HealthPort::TrafficPort => "the traffic port".to_string(),
                            _ => format!("set at {}", tg.health_loc),
                        },
                        group_names(net, &eni.groups),
                        eni.address,
                        lb.address,
                    ),
                ),
                Admit::Unknown(u) => cx.push_unknown(
                    DiagnosisKind::HealthCheckNotAdmitted,
                    tsg_id,
                    &tsg_loc,
                    format!(
                        "cannot decide whether `{}` admits health checks on tcp/{h} from `{}`: {u}",
                        eni.address, lb.address
                    ),
                ),
            }
        }
    }

    // NET004: NACLs between the LB's subnets and the target's subnet, both directions.
    check_nacls(cx, lb, tg, eni, proto, tp, hp);

    // NET005: target open to the world behind a load balancer.
    if !preserved {
        let mut seen = BTreeSet::new();
        for g in eni.groups.iter().filter_map(Ref::res) {
            let Some(sg) = net.security_group(g) else {
                continue;
            };
            for rule in sg.ingress() {
                if rule.open_to_world()
                    && rule.covers_port(proto, tp) == Some(true)
                    && seen.insert(rule.loc.clone())
                {
                    cx.push(
                        DiagnosisKind::TargetOpenBehindLb,
                        rule.declared_by,
                        &rule.loc,
                        format!(
                            "`{}` admits {pname}/{tp} from {} although its member `{}` is a target of {lbw} `{}`: traffic can bypass the load balancer; admit the LB's security group instead",
                            sg.address,
                            world_text(rule),
                            eni.address,
                            lb.address
                        ),
                    );
                }
            }
        }
    }

    // NET006: the target itself is reachable from the internet.
    check_bypass(cx, lb, tg, eni, proto, tp);

    // NET007: NLB with client IP preservation: the target must admit the clients.
    if preserved {
        check_nlb_clients(cx, lb, lbp, tg, eni, proto, tp);
    }
}

fn world_text(rule: &SgRule) -> String {
    let mut v: Vec<String> = rule
        .ipv4
        .iter()
        .filter(|n| n.prefix_len() == 0)
        .map(|n| n.to_string())
        .chain(
            rule.ipv6
                .iter()
                .filter(|n| n.prefix_len() == 0)
                .map(|n| n.to_string()),
        )
        .collect();
    v.sort();
    v.join(" and ")
}

fn check_nacls(
    cx: &mut Ctx<'_>,
    lb: &LoadBalancer,
    tg: &TargetGroup,
    eni: &Eni,
    proto: Protocol,
    tp: u16,
    hp: Option<u16>,
) {
    let net = cx.net;
    let Some(tsub) = eni.subnet.as_ref().and_then(Ref::res) else {
        return;
    };
    let Some(tnet) = net.subnet(tsub).and_then(|s| s.cidr).map(IpNet::V4) else {
        return;
    };
    let mut req_ports: Ports = vec![(tp, tp)];
    if let Some(h) = hp {
        req_ports.push((h, h));
    }
    let req_ports = crate::invariant::merge_ranges(req_ports);
    let ephemeral: Ports = vec![(1024, 65535)];
    for ls in lb.subnets.iter().filter_map(Ref::res) {
        if ls == tsub {
            continue; // NACLs do not apply within a subnet
        }
        let Some(lnet) = net.subnet(ls).and_then(|s| s.cidr).map(IpNet::V4) else {
            continue;
        };
        let lb_nacl = net.nacl_of(ls);
        let t_nacl = net.nacl_of(tsub);
        // (nacl, direction, peer network, ports, what)
        let mut legs: Vec<(&Nacl, Direction, IpNet, &Ports, &str)> = Vec::new();
        if let Some(n) = lb_nacl {
            legs.push((n, Direction::Egress, tnet, &req_ports, "request"));
            legs.push((n, Direction::Ingress, tnet, &ephemeral, "reply"));
        }
        if let Some(n) = t_nacl {
            legs.push((n, Direction::Ingress, lnet, &req_ports, "request"));
            legs.push((n, Direction::Egress, lnet, &ephemeral, "reply"));
        }
        for (nacl, dir, peer, ports, what) in legs {
            let v = nacl_eval(nacl, dir, &peer, proto, ports);
            if v.denied.is_empty() {
                continue;
            }
            let (loc, by) = match v.rule {
                Some(r) => (r.loc.clone(), format!("rule {} denies them", r.number)),
                None => (
                    nacl.loc.clone(),
                    "no rule allows them (final deny)".to_string(),
                ),
            };
            let port_words = if what == "reply" {
                format!(
                    "the reply to {} `{}`'s ephemeral ports {}/{}",
                    lb_kind_word(lb),
                    lb.address,
                    proto.name(),
                    ports_text(&v.denied)
                )
            } else {
                format!(
                    "the request from {} `{}` on {}/{}",
                    lb_kind_word(lb),
                    lb.address,
                    proto.name(),
                    ports_text(&v.denied)
                )
            };
            let msg = format!(
                "NACL `{}` drops {port_words} ({} {} {peer}): {by}; NACLs are stateless, so both directions must be allowed for target `{}` of `{}`",
                nacl.address,
                dir_word(dir),
                if dir == Direction::Ingress { "from" } else { "to" },
                eni.address,
                tg.address,
            );
            match v.unknown {
                Some(u) => cx.push_unknown(
                    DiagnosisKind::NaclDropsLbPath,
                    nacl.id,
                    &loc,
                    format!(
                        "cannot decide whether NACL `{}` passes {port_words}: {u}",
                        nacl.address
                    ),
                ),
                None => cx.push(DiagnosisKind::NaclDropsLbPath, nacl.id, &loc, msg),
            }
        }
    }
}

/// The ingress rules of `sgs` that admit internet addresses on `port`.
fn internet_rules<'a>(
    net: &'a Network,
    sgs: &[Ref],
    proto: Protocol,
    port: Option<u16>,
) -> Vec<(&'a SecurityGroup, &'a SgRule)> {
    let mut out = Vec::new();
    for g in sgs.iter().filter_map(Ref::res) {
        let Some(sg) = net.security_group(g) else {
            continue;
        };
        for rule in sg.ingress() {
            let covers = match port {
                Some(p) => rule.covers_port(proto, p) == Some(true),
                None => rule.protocol.is_some(),
            };
            if !covers {
                continue;
            }
            let public = rule
                .ipv4
                .iter()
                .any(|n| has_public_addresses(&IpNet::V4(*n)))
                || rule
                    .ipv6
                    .iter()
                    .any(|n| has_public_addresses(&IpNet::V6(*n)));
            if public {
                out.push((sg, rule));
            }
        }
    }
    out
}

fn rule_words(rule: &SgRule) -> String {
    let proto = rule
        .protocol
        .map(|p| p.name())
        .unwrap_or_else(|| "?".into());
    let ports = match (rule.protocol, rule.ports) {
        (Some(Protocol::All), _) | (_, None) => String::new(),
        (_, Some(p)) if p.is_all() => String::new(),
        (_, Some(p)) => format!("/{p}"),
    };
    let mut srcs: Vec<String> = rule
        .ipv4
        .iter()
        .map(|n| n.to_string())
        .chain(rule.ipv6.iter().map(|n| n.to_string()))
        .collect();
    srcs.sort();
    format!("{proto}{ports} from {} ({})", srcs.join(", "), rule.loc)
}

fn check_bypass(
    cx: &mut Ctx<'_>,
    lb: &LoadBalancer,
    tg: &TargetGroup,
    eni: &Eni,
    proto: Protocol,
    tp: u16,
) {
    let net = cx.net;
    let Some(sub) = eni.subnet.as_ref().and_then(Ref::res) else {
        return;
    };
    let Some((_, route)) = igw_default_route(net, sub) else {
        return;
    };
    let rules = internet_rules(net, &eni.groups, proto, Some(tp));
    let Some((sg, rule)) = rules.first() else {
        return;
    };
    let loc = eni.public_ip_loc.clone().unwrap_or_else(|| eni.loc.clone());
    match &eni.public_ip {
        Tri::False => {}
        Tri::True => cx.push(
            DiagnosisKind::TargetBypassesLb,
            eni.owner,
            &loc,
            format!(
                "target `{}` of `{}` has a public IP, its subnet routes 0.0.0.0/0 to an internet gateway ({}) and `{}` admits {}: clients can reach it directly, bypassing {} `{}`",
                eni.address,
                tg.address,
                route.loc,
                sg.address,
                rule_words(rule),
                lb_kind_word(lb),
                lb.address
            ),
        ),
        Tri::Unknown(u) => cx.push_unknown(
            DiagnosisKind::TargetBypassesLb,
            eni.owner,
            &loc,
            format!(
                "target `{}` of `{}` may be reachable around `{}` (its subnet routes to an internet gateway and `{}` admits {}), but whether it has a public IP is unknown: {u}",
                eni.address, tg.address, lb.address, sg.address, rule_words(rule)
            ),
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn check_nlb_clients(
    cx: &mut Ctx<'_>,
    lb: &LoadBalancer,
    lbp: &Peer,
    tg: &TargetGroup,
    eni: &Eni,
    proto: Protocol,
    tp: u16,
) {
    let net = cx.net;
    let internet_facing = lb.internal.is_false();
    let mut unknown = None;
    let mut admits_clients = false;
    for g in &eni.groups {
        let sg = match g {
            Ref::Res(id) => match net.security_group(*id) {
                Some(s) => s,
                None => continue,
            },
            Ref::External(s) => {
                unknown.get_or_insert_with(|| {
                    Unknown::derived(format!("security group `{s}` is not in the scanned files"))
                });
                continue;
            }
            Ref::Unknown(u) => {
                unknown.get_or_insert_with(|| u.clone());
                continue;
            }
        };
        for rule in sg.ingress() {
            match rule.covers_port(proto, tp) {
                Some(true) => {}
                Some(false) => continue,
                None => {
                    if let Some(u) = rule.unknown.first() {
                        unknown.get_or_insert_with(|| u.clone());
                    }
                    continue;
                }
            }
            if !rule.unknown.is_empty() || !rule.prefix_list_unknown.is_empty() {
                unknown.get_or_insert_with(|| {
                    rule.unknown
                        .first()
                        .cloned()
                        .unwrap_or_else(|| Unknown::derived("a rule uses a prefix list"))
                });
            }
            // A reference to the NLB's own group admits its clients (AWS evaluates the NLB's
            // security group for preserved client traffic).
            if rule
                .groups
                .iter()
                .any(|g| lb.groups.contains(g) && g.res().is_some())
            {
                admits_clients = true;
            }
            if internet_facing {
                if rule
                    .ipv4
                    .iter()
                    .any(|n| has_public_addresses(&IpNet::V4(*n)))
                    || rule
                        .ipv6
                        .iter()
                        .any(|n| has_public_addresses(&IpNet::V6(*n)))
                {
                    admits_clients = true;
                }
            } else {
                // Internal NLB: any source other than the NLB's own addresses is a client.
                if rule.groups.iter().any(|g| !lb.groups.contains(g)) || rule.self_ref {
                    admits_clients = true;
                }
                let beyond_lb = rule
                    .ipv4
                    .iter()
                    .map(|n| IpNet::V4(*n))
                    .chain(rule.ipv6.iter().map(|n| IpNet::V6(*n)))
                    .any(|n| !lbp.nets.iter().any(|l| l.contains(&n)));
                if beyond_lb {
                    admits_clients = true;
                }
            }
        }
    }
    if admits_clients {
        return;
    }
    let tsg = first_group(net, &eni.groups);
    let (rid, loc) = tsg
        .map(|s| (s.id, s.loc.clone()))
        .unwrap_or((eni.owner, eni.loc.clone()));
    let clients = if internet_facing {
        "internet clients"
    } else {
        "clients outside those subnets"
    };
    match unknown {
        Some(u) => cx.push_unknown(
            DiagnosisKind::NlbClientsNotAdmitted,
            rid,
            &loc,
            format!(
                "cannot decide whether target `{}` of NLB `{}` admits its clients on {}/{tp}: {u}",
                eni.address,
                lb.address,
                proto.name()
            ),
        ),
        None => cx.push(
            DiagnosisKind::NlbClientsNotAdmitted,
            rid,
            &loc,
            format!(
                "NLB `{}` preserves the client IP for target `{}` of `{}`, but {} admits {}/{tp} {}: the target sees the clients' own addresses, so connections from {clients} time out; admit the clients' CIDRs or security groups",
                lb.address,
                eni.address,
                tg.address,
                group_names(net, &eni.groups),
                proto.name(),
                if internet_facing {
                    "from no internet address".to_string()
                } else {
                    let mut nets: Vec<String> = lbp.nets.iter().map(|n| n.to_string()).collect();
                    nets.sort();
                    format!("at most from the NLB's own subnets ({})", nets.join(", "))
                },
            ),
        ),
    }
}

/// The interface an IP target designates: the ENI with that private IP, else the only
/// workload placed in the subnet that contains the address (an RDS instance registered by
/// its IP, as in seed 000). `None` when it cannot be told.
fn eni_at_ip(net: &Network, ip: IpAddr) -> Option<&Eni> {
    if let Some(e) = net.enis.iter().find(|e| e.private_ip == Some(ip)) {
        return Some(e);
    }
    let ipn = IpNet::from(ip);
    let subnet = net
        .subnets
        .iter()
        .find(|s| s.cidr.is_some_and(|c| IpNet::V4(c).contains(&ipn)))?;
    let here: Vec<&Eni> = net
        .enis
        .iter()
        .filter(|e| {
            e.private_ip.is_none()
                && e.kind != EniKind::LoadBalancer
                && e.subnet.as_ref().and_then(Ref::res) == Some(subnet.id)
        })
        .collect();
    let owners: BTreeSet<ResourceId> = here.iter().map(|e| e.owner).collect();
    if owners.len() == 1 {
        here.first().copied()
    } else {
        None
    }
}

fn check_ip_target(
    cx: &mut Ctx<'_>,
    lb: &LoadBalancer,
    tg: &TargetGroup,
    declared_by: ResourceId,
    loc: &Loc,
    ip: IpAddr,
) {
    let nets = vpc_nets(cx.net, tg.vpc.as_ref());
    if nets.is_empty() {
        return;
    }
    let ipn = IpNet::from(ip);
    if nets.iter().any(|n| n.contains(&ipn)) {
        return;
    }
    let mut cidrs: Vec<String> = nets.iter().map(|n| n.to_string()).collect();
    cidrs.sort();
    let lbsg = if lb.groups.is_empty() {
        String::new()
    } else {
        format!(
            " (references to {} included)",
            group_names(cx.net, &lb.groups)
        )
    };
    cx.push(
        DiagnosisKind::IpTargetOutsideVpc,
        declared_by,
        loc,
        format!(
            "IP target {ip} of `{}` is outside the VPC ({}): security groups of the VPC{lbsg} do not apply to it, so it cannot be restricted to `{}` by a security-group reference; restrict access on the target's own network",
            tg.address,
            cidrs.join(", "),
            lb.address
        ),
    );
}

// ---------------------------------------------------------------------------------------
// NET009

fn looks_private(s: &str) -> bool {
    let s = s.to_ascii_lowercase();
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w == "private" || w == "priv")
}

/// Subnets whose name or tags say "private" but whose route table sends 0.0.0.0/0 (or ::/0)
/// to an internet gateway (NET009).
pub fn private_subnets_routed_to_igw(net: &Network) -> Vec<Diagnosis> {
    let mut out = Vec::new();
    for s in &net.subnets {
        let name_hit = looks_private(&s.name) || looks_private(&s.address);
        if !name_hit {
            continue;
        }
        let Some((rt, route)) = igw_default_route(net, s.id) else {
            continue;
        };
        let assoc = rt
            .subnets
            .iter()
            .find(|(r, _)| *r == Ref::Res(s.id))
            .map(|(_, l)| l.clone());
        let (loc, how) = match &assoc {
            Some(l) => (
                l.clone(),
                format!("is associated ({l}) with `{}`", rt.address),
            ),
            None => (
                route.loc.clone(),
                format!("uses the VPC's main route table `{}`", rt.address),
            ),
        };
        let dest = route.dest.map(|d| d.to_string()).unwrap_or_default();
        out.push(Diagnosis {
            kind: DiagnosisKind::PrivateSubnetToIgw,
            resource: s.id,
            loc,
            message: format!(
                "subnet `{}` (\"{}\") is named private but {how}, which routes {dest} to an internet gateway ({}): it is a public subnet; associate it with a route table that sends 0.0.0.0/0 to a NAT gateway",
                s.address, s.name, route.loc
            ),
            unknown: false,
        });
    }
    out.sort();
    out
}

// ---------------------------------------------------------------------------------------
// NET010

/// Databases and caches reachable from the internet: public address, a subnet routed to an
/// internet gateway, and a security group admitting internet addresses (NET010).
pub fn databases_reachable_from_internet(net: &Network) -> Vec<Diagnosis> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for eni in &net.enis {
        if !matches!(eni.kind, EniKind::Database | EniKind::Cache) {
            continue;
        }
        if seen.contains(&eni.owner) {
            continue;
        }
        let Some(sub) = eni.subnet.as_ref().and_then(Ref::res) else {
            continue;
        };
        let Some((_, route)) = igw_default_route(net, sub) else {
            continue;
        };
        let rules = internet_rules(net, &eni.groups, Protocol::Tcp, None);
        let Some((sg, rule)) = rules.first() else {
            continue;
        };
        let loc = eni.public_ip_loc.clone().unwrap_or_else(|| eni.loc.clone());
        match &eni.public_ip {
            Tri::False => continue,
            Tri::True => {
                seen.insert(eni.owner);
                out.push(Diagnosis {
                    kind: DiagnosisKind::DatabaseReachableFromInternet,
                    resource: eni.owner,
                    loc,
                    message: format!(
                        "database `{}` is reachable from the internet: it is publicly accessible, its subnet routes 0.0.0.0/0 to an internet gateway ({}) and `{}` admits {}",
                        eni.address,
                        route.loc,
                        sg.address,
                        rule_words(rule)
                    ),
                    unknown: false,
                });
            }
            Tri::Unknown(u) => {
                seen.insert(eni.owner);
                out.push(Diagnosis {
                    kind: DiagnosisKind::DatabaseReachableFromInternet,
                    resource: eni.owner,
                    loc,
                    message: format!(
                        "database `{}` may be reachable from the internet (subnet routed to an internet gateway, `{}` admits {}), but whether it is publicly accessible is unknown: {u}",
                        eni.address,
                        sg.address,
                        rule_words(rule)
                    ),
                    unknown: true,
                });
            }
        }
    }
    out.extend(databases_behind_internet_facing_lbs(net, &seen));
    out.sort();
    out
}

/// Databases and caches whose subnet group holds public subnets (a default route to an
/// internet gateway): one diagnosis per database, naming the public subnets and routes.
/// Seeds 000 and 001: databases only in private subnets. The subnet's routes decide, not its
/// name; a database with no known subnet is not reported here.
pub fn databases_in_public_subnets(net: &Network) -> Vec<Diagnosis> {
    let mut by_owner: std::collections::BTreeMap<ResourceId, Vec<&Eni>> = Default::default();
    for eni in net
        .enis
        .iter()
        .filter(|e| matches!(e.kind, EniKind::Database | EniKind::Cache))
    {
        by_owner.entry(eni.owner).or_default().push(eni);
    }
    let mut out = Vec::new();
    for (owner, enis) in by_owner {
        let mut public: Vec<String> = Vec::new();
        let mut all = 0;
        for eni in &enis {
            let Some(sub) = eni.subnet.as_ref().and_then(Ref::res) else {
                continue;
            };
            all += 1;
            if let Some((rt, route)) = igw_default_route(net, sub) {
                let name = net
                    .subnet(sub)
                    .map(|s| s.address.clone())
                    .unwrap_or_default();
                public.push(format!(
                    "`{name}` (`{}` routes {} to an internet gateway at {})",
                    rt.address,
                    route.dest.map(|d| d.to_string()).unwrap_or_default(),
                    route.loc
                ));
            }
        }
        if public.is_empty() {
            continue;
        }
        public.sort();
        public.dedup();
        let Some(first) = enis.first() else { continue };
        let what = if first.kind == EniKind::Cache {
            "cache"
        } else {
            "database"
        };
        out.push(Diagnosis {
            kind: DiagnosisKind::DatabaseInPublicSubnet,
            resource: owner,
            loc: first.loc.clone(),
            message: format!(
                "{what} `{}` is placed in {} of its {all} subnet(s) that are public: {}; put databases in private subnets (no route to an internet gateway), so that a change of `publicly_accessible` or of a security group cannot expose them",
                first.address,
                public.len(),
                public.join(", ")
            ),
            unknown: false,
        });
    }
    out.sort();
    out
}

/// Databases and caches that are targets of an internet-facing load balancer whose listener
/// the internet can reach (NET010 through a load balancer).
fn databases_behind_internet_facing_lbs(
    net: &Network,
    already: &BTreeSet<ResourceId>,
) -> Vec<Diagnosis> {
    let mut out = Vec::new();
    let mut seen = already.clone();
    let mut lbs: Vec<&LoadBalancer> = net
        .load_balancers
        .iter()
        .filter(|l| l.internal.is_false())
        .collect();
    lbs.sort_by(|a, b| a.address.cmp(&b.address));
    for lb in lbs {
        let public_subnet = lb
            .subnets
            .iter()
            .filter_map(Ref::res)
            .any(|s| igw_default_route(net, s).is_some());
        if !public_subnet {
            continue;
        }
        for l in net
            .listeners
            .iter()
            .filter(|l| l.lb.as_ref().and_then(Ref::res) == Some(lb.id))
        {
            let Some(port) = l.port else { continue };
            let open = lb.groups.is_empty()
                || !internet_rules(net, &lb.groups, Protocol::Tcp, Some(port)).is_empty();
            if !open {
                continue;
            }
            for (tgr, _) in &l.target_groups {
                let Some(tg) = tgr
                    .res()
                    .and_then(|id| net.target_groups.iter().find(|t| t.id == id))
                else {
                    continue;
                };
                for t in net.targets.iter().filter(|t| t.group == Ref::Res(tg.id)) {
                    let enis: Vec<&Eni> = match &t.target {
                        TargetRef::Resource(id) => net.enis_of(*id).collect(),
                        TargetRef::Ip(ip) => eni_at_ip(net, *ip).into_iter().collect(),
                        _ => Vec::new(),
                    };
                    let Some(tp) = t.port.or(tg.port) else {
                        continue;
                    };
                    let preserved = lb.kind == LbKind::Network && tg.preserve_client_ip.is_true();
                    let lbp = lb_peer(net, lb);
                    for eni in enis {
                        if !matches!(eni.kind, EniKind::Database | EniKind::Cache)
                            || seen.contains(&eni.owner)
                        {
                            continue;
                        }
                        // The last leg must be admitted too: by the LB's egress and the
                        // database's ingress (from the clients when their IP is preserved).
                        let egress = if lb.groups.is_empty() {
                            Admit::Yes
                        } else {
                            sg_admits(
                                net,
                                &lb.groups,
                                Direction::Egress,
                                &eni_peer(net, eni),
                                Protocol::Tcp,
                                tp,
                            )
                        };
                        let ingress = if preserved {
                            if internet_rules(net, &eni.groups, Protocol::Tcp, Some(tp)).is_empty()
                            {
                                Admit::No
                            } else {
                                Admit::Yes
                            }
                        } else {
                            sg_admits(
                                net,
                                &eni.groups,
                                Direction::Ingress,
                                &lbp,
                                Protocol::Tcp,
                                tp,
                            )
                        };
                        let unknown = match (&egress, &ingress) {
                            (Admit::No, _) | (_, Admit::No) => continue,
                            (Admit::Unknown(u), _) | (_, Admit::Unknown(u)) => Some(u.clone()),
                            _ => None,
                        };
                        seen.insert(eni.owner);
                        if let Some(u) = unknown {
                            out.push(Diagnosis {
                                kind: DiagnosisKind::DatabaseReachableFromInternet,
                                resource: eni.owner,
                                loc: eni.loc.clone(),
                                message: format!(
                                    "database `{}` may be reachable from the internet through {} `{}` (listener `{}` on tcp/{port}), but whether its security groups admit the traffic is unknown: {u}",
                                    eni.address,
                                    lb_kind_word(lb),
                                    lb.address,
                                    l.address
                                ),
                                unknown: true,
                            });
                            continue;
                        }
                        out.push(Diagnosis {
                            kind: DiagnosisKind::DatabaseReachableFromInternet,
                            resource: eni.owner,
                            loc: eni.loc.clone(),
                            message: format!(
                                "database `{}` is reachable from the internet through {} `{}`: internet-facing, listener `{}` on tcp/{port} ({}) forwards to `{}` ({})",
                                eni.address,
                                lb_kind_word(lb),
                                lb.address,
                                l.address,
                                l.loc,
                                tg.address,
                                t.loc
                            ),
                            unknown: false,
                        });
                    }
                }
            }
        }
    }
    out
}

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
