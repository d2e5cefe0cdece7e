//! The set-based reachability engine.
//!
//! A query asks which ports of a protocol travel from a source (the internet, a CIDR, a
//! resource with network interfaces, a security group, a subnet) to a destination. Ports are
//! [`PortSet`]s and addresses are cut into classes by every CIDR that matters (rules, routes),
//! so the engine never enumerates ports or addresses: within one class every address behaves
//! the same, and each class is evaluated once with port intervals.
//!
//! Semantics (AWS documentation):
//! * security groups: allow-only, the union of the ENI's groups, stateful; egress at the
//!   source ENI, ingress at the destination ENI; a group reference matches only the private
//!   addresses of member ENIs;
//! * NACLs: ordered, first match wins, final deny, stateless: the reply must pass the other
//!   direction on the client's source port (1024-65535 by default); not applied when source
//!   and destination share a subnet; no NACL declared means the default NACL, which allows
//!   all;
//! * routes: local route for the VPC's CIDRs, then longest prefix; inbound from the internet
//!   needs an IGW route back and a public address on the ENI; peering is not transitive;
//! * load balancers: listener port -> target groups -> targets; an ALB (and an NLB that does
//!   not preserve the client IP) opens a new connection from its own interfaces and groups;
//!   an NLB preserving the client IP delivers the client's address to the target.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

use moat_model::aws::network::{
    Action, Direction, Eni, EniKind, HealthPort, LbKind, Nacl, Network, Protocol, Ref, RouteTable,
    RouteTarget, SecurityGroup, TargetRef, Vpc,
};
use moat_model::{Estate, Loc, ResourceId, Tri};

use crate::sets::{AddrSet, IntervalSet, PortSet};

/// One end of a query.
#[derive(Clone, Debug, PartialEq)]
pub enum Endpoint {
    /// Any public address.
    Internet,
    /// An address block.
    Cidr(ipnet::IpNet),
    /// A resource: an instance, ENI, load balancer, database, subnet, or a security group
    /// (any member).
    Resource(ResourceId),
}

/// A reachability question.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub from: Endpoint,
    pub to: Endpoint,
    pub protocol: Protocol,
    /// Destination ports (for a load balancer path: the listener port).
    pub ports: PortSet,
    /// The client's source ports (ephemeral range by default).
    pub src_ports: PortSet,
}

impl Query {
    pub fn new(from: Endpoint, to: Endpoint, protocol: Protocol, ports: PortSet) -> Query {
        Query {
            from,
            to,
            protocol,
            ports,
            src_ports: PortSet::ephemeral(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    Reachable,
    Blocked,
    Unknown,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Reachable => "reachable",
            Verdict::Blocked => "blocked",
            Verdict::Unknown => "unknown",
        }
    }
}

/// One step of a path, with the rule or route that admitted it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hop {
    pub resource: String,
    pub kind: &'static str,
    pub detail: String,
    pub loc: Option<Loc>,
}

/// The component that stops the traffic.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Block {
    pub resource: String,
    pub kind: &'static str,
    /// Reachability Analyzer explanation code where one fits.
    pub code: &'static str,
    pub reason: String,
    pub loc: Option<Loc>,
}

/// A path that delivers some ports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    pub hops: Vec<Hop>,
    /// Ports that arrive along this path (listener ports for LB paths).
    pub ports: PortSet,
    /// Addresses of the sources that arrive (external sources only).
    pub sources: Option<AddrSet>,
    /// The load balancer the path goes through.
    pub via: Option<String>,
    /// The final destination resource.
    pub dest: String,
}

/// The answer to a query.
#[derive(Clone, Debug, PartialEq)]
pub struct ReachResult {
    pub verdict: Verdict,
    pub paths: Vec<Path>,
    pub blocked: Option<Block>,
    /// What was unknown and could change the verdict.
    pub unknowns: Vec<String>,
}

/// Errors of a query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReachError {
    #[error("`{0}` is not a resource with network interfaces in the scanned files")]
    NotFound(String),
    #[error("`{0}` has no network interface the engine can place (no subnet)")]
    NoInterface(String),
}

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
    fn stop(&mut self, stage: usize, b: Block) {
        self.ports = PortSet::empty();
        self.block = Some((stage, b));
    }
}

/// Precomputed lookups.
pub struct Net<'a> {
    pub net: &'a Network,
    pub estate: &'a Estate,
    sgs: HashMap<ResourceId, &'a SecurityGroup>,
    subnet_vpc: HashMap<ResourceId, Option<ResourceId>>,
    subnet_cidr: HashMap<ResourceId, AddrSet>,
    vpcs: HashMap<ResourceId, &'a Vpc>,
    rt: HashMap<ResourceId, Option<&'a RouteTable>>,
    nacl: HashMap<ResourceId, Option<&'a Nacl>>,
    igw_of_vpc: HashMap<ResourceId, &'a moat_model::aws::network::Gateway>,
    /// Network/gateway load balancers without security groups: nothing filters at them.
    sg_free: std::collections::HashSet<ResourceId>,
    /// Addresses of every VPC: not "the internet".
    pub vpc_space: AddrSet,
    /// Write the hop details (the admitting rule or route) of the paths found. `reach` does;
    /// `exposure` and the SG matrix only need verdicts and port sets, and skip the formatting.
    explain: bool,
    /// Count a connection as made when the network ACLs pass replies to SOME of the client's
    /// ephemeral ports. A legitimate client picks its source port, so `reach` and the
    /// diagnosis need all of them (else connections fail at random); an attacker chooses
    /// theirs, so `exposure` needs only one.
    any_source_port: bool,
}

/// Address blocks that are not on the internet (IANA special-purpose registries).
const NOT_INTERNET: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "::/8",
    "100::/8",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
];

fn res_of(r: &Option<Ref>) -> Option<ResourceId> {
    r.as_ref().and_then(Ref::res)
}

impl<'a> Net<'a> {
    pub fn new(net: &'a Network, estate: &'a Estate) -> Net<'a> {
        let sgs = net.security_groups.iter().map(|g| (g.id, g)).collect();
        let vpcs: HashMap<ResourceId, &Vpc> = net.vpcs.iter().map(|v| (v.id, v)).collect();
        let mut subnet_vpc = HashMap::new();
        let mut subnet_cidr = HashMap::new();
        let mut rt = HashMap::new();
        let mut nacl = HashMap::new();
        for s in &net.subnets {
            subnet_vpc.insert(s.id, res_of(&s.vpc));
            let mut a = AddrSet::empty();
            if let Some(c) = s.cidr {
                a = a.union(&AddrSet::net(&ipnet::IpNet::V4(c)));
            }
            if let Some(c) = s.ipv6_cidr {
                a = a.union(&AddrSet::net(&ipnet::IpNet::V6(c)));
            }
            subnet_cidr.insert(s.id, a);
            rt.insert(s.id, net.route_table_of(s.id));
            nacl.insert(s.id, net.nacl_of(s.id));
        }
        let mut igw_of_vpc = HashMap::new();
        for g in &net.igws {
            if let Some(v) = res_of(&g.vpc) {
                igw_of_vpc.insert(v, g);
            }
        }
        let mut vpc_space = AddrSet::empty();
        for v in &net.vpcs {
            for c in &v.cidrs {
                vpc_space = vpc_space.union(&AddrSet::net(c));
            }
        }
        let sg_free = net
            .load_balancers
            .iter()
            .filter(|l| l.groups.is_empty() && matches!(l.kind, LbKind::Network | LbKind::Gateway))
            .map(|l| l.id)
            .collect();
        Net {
            sg_free,
            net,
            estate,
            sgs,
            subnet_vpc,
            subnet_cidr,
            vpcs,
            rt,
            nacl,
            igw_of_vpc,
            vpc_space,
            explain: true,
            any_source_port: false,
        }
    }

    /// For exposure: a reply that passes on any of the client's ports makes the service
    /// reachable (the client, an attacker, chooses its source port).
    pub fn any_source_port(mut self) -> Self {
        self.any_source_port = true;
        self
    }

    /// Whether the network ACLs' admitted reply ports `admitted` stop the connection.
    fn reply_blocked(&self, admitted: &PortSet, src_ports: &PortSet) -> bool {
        if self.any_source_port {
            admitted.is_empty()
        } else {
            admitted != src_ports
        }
    }

    /// The same, without hop details: for analyses that need verdicts and port sets only
    /// (`exposure`, the SG matrix), where formatting every hop of every address class would
    /// cost more than the analysis itself.
    pub fn quiet(mut self) -> Self {
        self.explain = false;
        self
    }

    /// A hop detail, formatted only when paths are explained.
    fn d(&self, f: impl FnOnce() -> String) -> String {
        if self.explain {
            f()
        } else {
            String::new()
        }
    }

    fn name(&self, id: ResourceId) -> String {
        self.estate
            .get(id)
            .map(|r| r.address.clone())
            .unwrap_or_else(|| format!("#{}", id.0))
    }

    fn subnet_id(eni: &Eni) -> Option<ResourceId> {
        res_of(&eni.subnet)
    }

    fn vpc_of_eni(&self, eni: &Eni) -> Option<ResourceId> {
        Self::subnet_id(eni).and_then(|s| self.subnet_vpc.get(&s).copied().flatten())
    }

    /// The addresses an ENI may have: its private IP, else its subnet's CIDR.
    pub fn eni_addrs(&self, eni: &Eni) -> AddrSet {
        let mut a = match eni.private_ip {
            Some(ip) => AddrSet::ip(ip),
            None => {
                let v4 = Self::subnet_id(eni)
                    .and_then(|s| self.subnet_cidr.get(&s))
                    .map(|a| AddrSet {
                        v4: a.v4.clone(),
                        v6: IntervalSet::empty(),
                    })
                    .filter(|a| !a.is_empty());
                v4.unwrap_or_else(|| AddrSet::net(&ipnet::IpNet::V4(ipnet::Ipv4Net::default())))
            }
        };
        for n in &eni.ipv6 {
            a = a.union(&AddrSet::net(&ipnet::IpNet::V6(*n)));
        }
        a
    }

    /// Every public address: IPv4 and IPv6 outside the estate's VPCs and outside the
    /// address blocks that are never routed on the internet (RFC 1918, shared, loopback,
    /// link-local, unique-local, multicast, reserved). Those reach a VPC only through a
    /// private attachment (transit gateway, VPN, peering), which `--from CIDR` asks about.
    pub fn internet(&self) -> AddrSet {
        let mut not_internet = self.vpc_space.clone();
        for c in NOT_INTERNET {
            if let Ok(n) = c.parse::<ipnet::IpNet>() {
                not_internet = not_internet.union(&AddrSet::net(&n));
            }
        }
        AddrSet::all().subtract(&not_internet)
    }

    /// Subnet whose CIDR contains `ip`.
    fn subnet_containing(&self, ip: IpAddr) -> Option<ResourceId> {
        let mut v: Vec<_> = self
            .subnet_cidr
            .iter()
            .filter(|(_, a)| a.contains(ip))
            .map(|(id, _)| *id)
            .collect();
        v.sort();
        v.first().copied()
    }

    fn vpc_containing(&self, ip: IpAddr) -> Option<ResourceId> {
        let mut v: Vec<_> = self
            .vpcs
            .values()
            .filter(|x| x.cidrs.iter().any(|c| c.contains(&ip)))
            .map(|x| x.id)
            .collect();
        v.sort();
        v.first().copied()
    }

    // -----------------------------------------------------------------------------------
    // security groups

    /// Ports that the groups `groups` admit in `dir` from/to a peer.
    #[allow(clippy::too_many_arguments)]
    /// Security-group filtering at an ENI (none at an NLB without groups).
    #[allow(clippy::too_many_arguments)]
    fn eni_sg_ports(
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
    fn sg_ports(
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
    fn blocking_group(&self, groups: &[Ref], eni: &str, eni_loc: &Loc) -> (String, Loc) {
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

    // -----------------------------------------------------------------------------------
    // NACLs

    /// Ports of `want` that the subnet's NACL admits in `dir` for peer `peer_ip`. Returns the
    /// allowed set, the first admitting rule, and the rule that denied (if any).
    fn nacl_ports(
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

    // -----------------------------------------------------------------------------------
    // routes

    /// Route from a subnet to `ip`: the target and the hop that cites it. `None` = no route.
    fn route(&self, subnet: ResourceId, ip: IpAddr, leg: &mut Leg) -> Option<(RouteTarget, Hop)> {
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

    fn target_name(&self, t: &RouteTarget) -> String {
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
    fn peering_in_estate(&self, pcx: &Ref) -> bool {
        let Some(id) = pcx.res() else { return false };
        self.net.peerings.iter().any(|p| {
            p.id == id
                && res_of(&p.vpc).is_some_and(|v| self.vpcs.contains_key(&v))
                && res_of(&p.peer_vpc).is_some_and(|v| self.vpcs.contains_key(&v))
        })
    }

    fn peering_connects(&self, pcx: &Ref, a: Option<ResourceId>, b: Option<ResourceId>) -> bool {
        let Some(id) = pcx.res() else { return false };
        self.net.peerings.iter().any(|p| {
            p.id == id
                && ((res_of(&p.vpc) == a && res_of(&p.peer_vpc) == b)
                    || (res_of(&p.vpc) == b && res_of(&p.peer_vpc) == a))
        })
    }

    // -----------------------------------------------------------------------------------
    // one leg, one class of addresses

    /// Evaluate traffic from `src` (address `src_ip`) to `dst` (address `dst_ip`).
    /// `check_return_route`: for external sources, whether the destination subnet must route
    /// replies to the internet (false when the path comes back through a load balancer).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn leg(
        &self,
        src: &Src<'_>,
        src_ip: IpAddr,
        dst: &Eni,
        dst_ip: IpAddr,
        proto: Protocol,
        want: &PortSet,
        src_ports: &PortSet,
        via_lb: Option<&Eni>,
        labels: (&Label<'_>, &Label<'_>),
    ) -> Leg {
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
            let (p, _) = self.eni_sg_ports(
                dst,
                Direction::Ingress,
                src_ip,
                peer_groups,
                proto,
                want,
                &mut probe,
            );
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
            let (p, hop) = self.eni_sg_ports(
                e,
                Direction::Egress,
                dst_ip,
                &dst.groups,
                proto,
                &leg.ports.clone(),
                &mut leg,
            );
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
        let peer_groups = &peer_groups;
        let (p, hop) = self.eni_sg_ports(
            dst,
            Direction::Ingress,
            src_ip,
            peer_groups,
            proto,
            &leg.ports.clone(),
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

impl Net<'_> {
    /// Network-ACL check of one subnet for one direction of an outbound connection; stops the
    /// leg when nothing passes. `reply` marks the hop as the reply's.
    #[allow(clippy::too_many_arguments)]
    fn nacl_step(
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

    /// A connection from an interface to an address outside every VPC (the internet, a CIDR):
    /// out through an internet gateway (IPv4 needs a public address on the interface), an
    /// egress-only internet gateway (IPv6), or a NAT gateway in a subnet that routes to an
    /// internet gateway.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn out_leg(
        &self,
        src: &Eni,
        src_ip: IpAddr,
        dst_ip: IpAddr,
        proto: Protocol,
        want: &PortSet,
        src_ports: &PortSet,
        dst_l: &str,
    ) -> Leg {
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
        let (p, hop) = self.eni_sg_ports(
            src,
            Direction::Egress,
            dst_ip,
            &[],
            proto,
            &leg.ports.clone(),
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
                if !self.nacl_step(&mut leg, ss, true, dst_ip, proto, None, false, 3)
                    || (proto.has_ports()
                        && !self.nacl_step(
                            &mut leg,
                            ss,
                            false,
                            dst_ip,
                            proto,
                            Some(src_ports),
                            true,
                            5,
                        ))
                {
                    return leg;
                }
                leg.hops.push(igw_hop(self, &g));
            }
            Some((RouteTarget::EgressOnlyIgw(g), hop)) if dst_ip.is_ipv6() => {
                leg.hops.push(hop);
                if !self.nacl_step(&mut leg, ss, true, dst_ip, proto, None, false, 3)
                    || (proto.has_ports()
                        && !self.nacl_step(
                            &mut leg,
                            ss,
                            false,
                            dst_ip,
                            proto,
                            Some(src_ports),
                            true,
                            5,
                        ))
                {
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
                    && (!self.nacl_step(&mut leg, ss, true, dst_ip, proto, None, false, 3)
                        || !self.nacl_step(&mut leg, ns, false, src_ip, proto, None, false, 4)
                        || (proto.has_ports()
                            && (!self.nacl_step(
                                &mut leg,
                                ns,
                                true,
                                src_ip,
                                proto,
                                Some(src_ports),
                                true,
                                5,
                            ) || !self.nacl_step(
                                &mut leg,
                                ss,
                                false,
                                dst_ip,
                                proto,
                                Some(src_ports),
                                true,
                                5,
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
                        if !self.nacl_step(&mut leg, ns, true, dst_ip, proto, None, false, 6)
                            || (proto.has_ports()
                                && !self.nacl_step(
                                    &mut leg,
                                    ns,
                                    false,
                                    dst_ip,
                                    proto,
                                    Some(&PortSet::ephemeral()),
                                    true,
                                    7,
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
            let leg = self.out_leg(src, sip, dip, proto, want, src_ports, &dst_l);
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

/// Marks a network-ACL hop as the check of the reply direction.
fn reply_hop(mut h: Hop) -> Hop {
    h.detail = format!("reply: {}", h.detail);
    h
}

impl Leg {
    fn ports_or(&self, want: &PortSet) -> String {
        if self.ports.is_empty() {
            want.to_string()
        } else {
            self.ports.to_string()
        }
    }
}

fn peer_desc(n: &Net<'_>, rule: &moat_model::aws::network::SgRule) -> String {
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

fn group_names(n: &Net<'_>, groups: &[Ref]) -> String {
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

fn block(
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

fn nacl_block(
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

fn nacl_reply_block(
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

// ---------------------------------------------------------------------------------------
// Address classes

impl Net<'_> {
    /// Internet addresses in a reason: `the internet`, `the internet except ...`, or the
    /// blocks, whichever is shortest.
    fn describe_external(&self, set: &AddrSet, rep: IpAddr) -> String {
        let internet = self.internet();
        let (fam, inet) = if rep.is_ipv4() {
            (set.v4.clone(), internet.v4)
        } else {
            (set.v6.clone(), internet.v6)
        };
        let as_set = |x: IntervalSet| {
            if rep.is_ipv4() {
                AddrSet {
                    v4: x,
                    v6: IntervalSet::empty(),
                }
            } else {
                AddrSet {
                    v4: IntervalSet::empty(),
                    v6: x,
                }
            }
        };
        let which = if rep.is_ipv4() { "IPv4" } else { "IPv6" };
        if !inet.is_empty() && inet.is_subset(&fam) {
            return format!("the {which} internet");
        }
        let missing = as_set(inet.subtract(&fam)).to_string();
        let blocks: Vec<String> = as_set(fam)
            .to_string()
            .split(',')
            .map(str::to_string)
            .collect();
        let direct = blocks.join(", ");
        if missing.len() < direct.len() && missing.len() <= 120 {
            format!("the {which} internet except {}", missing.replace(',', ", "))
        } else if blocks.len() <= 2 {
            direct
        } else {
            // A slice of the internet that every rule treats alike: name it by its first
            // block rather than listing them all.
            format!(
                "internet addresses ({} and {} more blocks that every rule treats alike)",
                blocks.first().map(String::as_str).unwrap_or_default(),
                blocks.len() - 1
            )
        }
    }
}

impl Net<'_> {
    /// Why `eni` takes no part in traffic of one address family (IPv6 when `v6`): it has no
    /// address of that family. Names the closest cause: the VPC without a block of that family,
    /// else the subnet, else the interface itself. `dest`: whether `eni` is the destination
    /// (else the source); `peer`: the other end, as written in reasons. `None` when the
    /// interface's subnet is not known (the caller reports it as unknown).
    fn no_family_block(&self, eni: &Eni, v6: bool, dest: bool, peer: &str) -> Option<Block> {
        let name = &eni.address;
        let sub_id = Self::subnet_id(eni)?;
        let fam = if v6 { "IPv6" } else { "IPv4" };
        let consequence = if dest {
            format!("so nothing routes {peer} to it")
        } else {
            format!("so it cannot send to {peer}")
        };
        let subnet = self.net.subnets.iter().find(|s| s.id == sub_id);
        let vpc = self
            .subnet_vpc
            .get(&sub_id)
            .copied()
            .flatten()
            .and_then(|v| self.vpcs.get(&v));
        let has = |c: &ipnet::IpNet| c.addr().is_ipv6() == v6;
        if let Some(v) = vpc.filter(|v| !v.cidrs.iter().any(has)) {
            return Some(block(
                &v.address,
                "vpc",
                "NO_ROUTE_TO_DESTINATION",
                format!(
                    "VPC `{}` has no {fam} CIDR block: `{name}` has no {fam} address, {consequence}{}",
                    v.address,
                    if v6 {
                        "; for IPv6, give the VPC an IPv6 block (`assign_generated_ipv6_cidr_block = true`), its subnets an `ipv6_cidr_block` and the interface an IPv6 address"
                    } else {
                        ""
                    }
                ),
                Some(v.loc.clone()),
            ));
        }
        let subnet_has = subnet.map(|s| {
            if v6 {
                s.ipv6_cidr.is_some()
            } else {
                s.cidr.is_some()
            }
        });
        if let (Some(s), Some(false)) = (subnet, subnet_has) {
            return Some(block(
                &s.address,
                "subnet",
                "NO_ROUTE_TO_DESTINATION",
                format!(
                    "subnet `{}` has no {fam} CIDR block: `{name}` in it has no {fam} address, {consequence}{}",
                    s.address,
                    if v6 {
                        "; give the subnet an `ipv6_cidr_block` and the interface an IPv6 address"
                    } else {
                        ""
                    }
                ),
                Some(s.loc.clone()),
            ));
        }
        let how = match (v6, eni.kind) {
            (false, _) => String::new(),
            (true, EniKind::LoadBalancer) => {
                "; set `ip_address_type = \"dualstack\"` on the load balancer".into()
            }
            (true, EniKind::Database | EniKind::Cache) => {
                "; set `network_type = \"DUAL\"`".into()
            }
            (true, _) => "; set `ipv6_address_count` (or `ipv6_addresses`) on the interface, or `assign_ipv6_address_on_creation` on the subnet".into(),
        };
        Some(block(
            name,
            "eni",
            "NO_ROUTE_TO_DESTINATION",
            format!(
                "`{name}` has no {fam} address{}, {consequence}{how}",
                subnet
                    .map(|s| format!(" (its subnet `{}` has an {fam} block)", s.address))
                    .unwrap_or_default()
            ),
            Some(eni.loc.clone()),
        ))
    }
}

/// A name in a reason (an interface, a block of addresses), computed only when written.
pub(crate) struct Label<'a>(Box<dyn Fn() -> String + 'a>);

impl std::fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&(self.0)())
    }
}

/// An interface in a reason: its resource and the address the packet carries.
fn eni_label(e: &Eni, ip: IpAddr) -> String {
    // Without a set private address `ip` only stands for the subnet's addresses.
    if e.private_ip == Some(ip) || e.ipv6.iter().any(|n| ipnet::IpNet::V6(*n).contains(&ip)) {
        format!("`{}` ({ip})", e.address)
    } else {
        format!("`{}`", e.address)
    }
}

/// A class of addresses in a reason, as CIDR blocks (or what the family lacks, when shorter;
/// a long list names its size and the address evaluated).
pub(crate) fn describe_addrs(set: &AddrSet, rep: IpAddr) -> String {
    let fam = if rep.is_ipv4() {
        AddrSet {
            v4: set.v4.clone(),
            v6: IntervalSet::empty(),
        }
    } else {
        AddrSet {
            v4: IntervalSet::empty(),
            v6: set.v6.clone(),
        }
    };
    let all = if rep.is_ipv4() {
        AddrSet::all_v4()
    } else {
        AddrSet::all().subtract(&AddrSet::all_v4())
    };
    let zero = if rep.is_ipv4() { "0.0.0.0/0" } else { "::/0" };
    let direct: Vec<String> = fam.to_string().split(',').map(str::to_string).collect();
    let missing = all.subtract(&fam);
    let text = if missing.is_empty() {
        zero.to_string()
    } else {
        let m: Vec<String> = missing.to_string().split(',').map(str::to_string).collect();
        if m.len() < direct.len() {
            format!("{zero} except {}", m.join(", "))
        } else {
            direct.join(", ")
        }
    };
    if text.len() > 120 {
        format!("{rep} and the addresses that behave like it")
    } else {
        text
    }
}

/// Cut `space` into classes on which every rule that matters behaves the same. Returns one
/// representative address and the class for each.
pub(crate) fn classes(space: &AddrSet, cuts: &[ipnet::IpNet]) -> Vec<(IpAddr, AddrSet)> {
    let mut c4 = Vec::new();
    let mut c6 = Vec::new();
    for c in cuts {
        AddrSet::net(c).boundaries(&mut c4, &mut c6);
    }
    space.boundaries(&mut c4, &mut c6);
    c4.sort_unstable();
    c4.dedup();
    c6.sort_unstable();
    c6.dedup();
    let mut out = Vec::new();
    for (set, cuts, v6) in [(&space.v4, &c4, false), (&space.v6, &c6, true)] {
        for w in cuts.windows(2) {
            let (Some(a), Some(b)) = (w.first(), w.get(1)) else {
                continue;
            };
            let piece = IntervalSet::range(*a, b.saturating_sub(1)).intersect(set);
            if let Some(x) = piece.first() {
                let as_set = if v6 {
                    AddrSet {
                        v4: IntervalSet::empty(),
                        v6: piece,
                    }
                } else {
                    AddrSet {
                        v4: piece,
                        v6: IntervalSet::empty(),
                    }
                };
                out.push((to_ip(x, v6), as_set));
            }
        }
        // the last boundary to the end of the space
        if let Some(last) = cuts.last() {
            let end = if v6 { u128::MAX } else { u128::from(u32::MAX) };
            let piece = IntervalSet::range(*last, end).intersect(set);
            if let Some(x) = piece.first() {
                let as_set = if v6 {
                    AddrSet {
                        v4: IntervalSet::empty(),
                        v6: piece,
                    }
                } else {
                    AddrSet {
                        v4: piece,
                        v6: IntervalSet::empty(),
                    }
                };
                out.push((to_ip(x, v6), as_set));
            }
        }
    }
    out
}

fn to_ip(x: u128, v6: bool) -> IpAddr {
    if v6 {
        IpAddr::V6(std::net::Ipv6Addr::from(x))
    } else {
        IpAddr::V4(std::net::Ipv4Addr::from(u32::try_from(x).unwrap_or(0)))
    }
}

impl Net<'_> {
    /// Every CIDR that can make a difference for traffic between `src` and `dst`.
    fn cuts_for(&self, dst: &Eni, src: Option<&Eni>, internal: bool) -> Vec<ipnet::IpNet> {
        let mut cuts = Vec::new();
        let mut groups: Vec<&Ref> = dst.groups.iter().collect();
        if let Some(s) = src {
            groups.extend(s.groups.iter());
        }
        for g in groups {
            if let Some(sg) = g.res().and_then(|id| self.sgs.get(&id)) {
                for r in &sg.rules {
                    cuts.extend(r.ipv4.iter().map(|n| ipnet::IpNet::V4(*n)));
                    cuts.extend(r.ipv6.iter().map(|n| ipnet::IpNet::V6(*n)));
                }
            }
        }
        let mut subnets = vec![Self::subnet_id(dst)];
        if let Some(s) = src {
            subnets.push(Self::subnet_id(s));
        }
        for s in subnets.into_iter().flatten() {
            if let Some(Some(acl)) = self.nacl.get(&s) {
                cuts.extend(
                    acl.ingress
                        .iter()
                        .chain(acl.egress.iter())
                        .filter_map(|r| r.cidr),
                );
            }
            if let Some(Some(t)) = self.rt.get(&s) {
                cuts.extend(t.routes.iter().filter_map(|r| r.dest));
            }
            if let Some(c) = self.subnet_cidr.get(&s) {
                let _ = c;
            }
        }
        // An internal CIDR source may span subnets (each with its own NACL) and VPCs.
        let unplaced = internal || src.is_some_and(|e| e.private_ip.is_none());
        for s in self.net.subnets.iter().filter(|_| unplaced) {
            if let Some(c) = s.cidr {
                cuts.push(ipnet::IpNet::V4(c));
            }
            if let Some(c) = s.ipv6_cidr {
                cuts.push(ipnet::IpNet::V6(c));
            }
        }
        for v in self.net.vpcs.iter().filter(|_| unplaced) {
            cuts.extend(v.cidrs.iter().copied());
        }
        cuts
    }
}

/// One evaluated pair of endpoints (summed over address classes).
#[derive(Clone, Debug, Default)]
pub(crate) struct PairResult {
    pub ports: PortSet,
    pub sources: AddrSet,
    pub hops: Vec<Hop>,
    pub block: Option<(usize, Block)>,
    pub more: BTreeSet<String>,
    pub less: BTreeSet<String>,
    /// Different address classes of an ENI with an unknown address disagree.
    pub addr_dependent: Option<String>,
    /// Ports that rules with unknown values could admit (beyond `ports`), and from which
    /// source addresses at most.
    pub maybe: PortSet,
    pub maybe_sources: AddrSet,
    /// Source addresses and the ports they get, per address class.
    pub per_class: Vec<(AddrSet, PortSet)>,
}

impl Net<'_> {
    /// Traffic from a source (ENI or address space) to one destination ENI.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn pair(
        &self,
        src: &Src<'_>,
        src_space: &AddrSet,
        dst: &Eni,
        proto: Protocol,
        want: &PortSet,
        src_ports: &PortSet,
        via_lb: Option<&Eni>,
    ) -> PairResult {
        let src_eni = match src {
            Src::Eni(e) => Some(*e),
            _ => None,
        };
        let cuts = self.cuts_for(dst, src_eni, matches!(src, Src::Internal));
        let dst_space = self.eni_addrs(dst);
        let src_classes = classes(src_space, &cuts);
        let dst_classes = classes(&dst_space, &cuts);
        let mut out = PairResult::default();
        // Delivered? per (destination class, source class).
        let mut seen: BTreeMap<(usize, usize), bool> = BTreeMap::new();
        for (di, (dip, _)) in dst_classes.iter().enumerate() {
            for (si, (sip, sset)) in src_classes.iter().enumerate() {
                if sip.is_ipv4() != dip.is_ipv4() {
                    continue;
                }
                // Internal source addresses only: an ENI source talks from its own address.
                let src_kind = match src {
                    Src::Eni(e) => Src::Eni(e),
                    Src::External => Src::External,
                    Src::Internal => {
                        if self.vpc_space.contains(*sip) {
                            Src::Internal
                        } else {
                            Src::External
                        }
                    }
                };
                // Names for reasons, written only when a reason is.
                // Not at all when nothing is explained (exposure, matrix).
                let src_l = Label(Box::new(|| {
                    self.d(|| match src_kind {
                        Src::Eni(e) => eni_label(e, *sip),
                        Src::External => self.describe_external(sset, *sip),
                        Src::Internal => describe_addrs(sset, *sip),
                    })
                }));
                let dst_l = Label(Box::new(|| {
                    self.d(|| match dst_classes.get(di) {
                        Some((_, dset)) if dst.private_ip.is_none() => {
                            format!("`{}` ({})", dst.address, describe_addrs(dset, *dip))
                        }
                        _ => eni_label(dst, *dip),
                    })
                }));
                let leg = self.leg(
                    &src_kind,
                    *sip,
                    dst,
                    *dip,
                    proto,
                    want,
                    src_ports,
                    via_lb,
                    (&src_l, &dst_l),
                );
                out.more.extend(leg.more.iter().cloned());
                out.less.extend(leg.less.iter().cloned());
                seen.insert((di, si), !leg.ports.is_empty());
                let maybe = leg.maybe.subtract(&leg.ports);
                if !maybe.is_empty() {
                    out.maybe = out.maybe.union(&maybe);
                    out.maybe_sources = out.maybe_sources.union(sset);
                }
                if !leg.ports.is_empty() {
                    // A class whose delivery depends on an unknown value is not a firm
                    // source: it counts with the ports that may be open.
                    if leg.less.is_empty() {
                        out.per_class.push((sset.clone(), leg.ports.clone()));
                    } else {
                        out.maybe = out.maybe.union(&leg.ports);
                        out.maybe_sources = out.maybe_sources.union(sset);
                    }
                    out.ports = out.ports.union(&leg.ports);
                    out.sources = out.sources.union(sset);
                    if out.hops.is_empty() {
                        out.hops = leg.hops;
                    }
                } else if let Some((stage, b)) = leg.block {
                    if out.block.as_ref().is_none_or(|(s, _)| stage > *s) {
                        out.block = Some((stage, b));
                    }
                }
            }
        }
        // No address of the source shares a family with an address of the destination (IPv6
        // clients, a destination without IPv6): no leg was evaluated, and no component was met.
        // Name what explains it, so that a `blocked` verdict never comes without its reason.
        if seen.is_empty() {
            let src_fam = |v6: bool| src_classes.iter().any(|(ip, _)| ip.is_ipv6() == v6);
            // The family the source has: the one the destination lacks.
            let v6 = src_fam(true) && !src_fam(false);
            let rep = src_classes.first().map(|(ip, _)| *ip);
            let src_l = match (src, rep) {
                (Src::Eni(e), _) => format!("`{}`", e.address),
                (Src::External, Some(ip)) => self.describe_external(src_space, ip),
                (_, Some(ip)) => describe_addrs(src_space, ip),
                (_, None) => "the source".to_string(),
            };
            match self.no_family_block(dst, v6, true, &src_l) {
                Some(b) => out.block = Some((2, b)),
                None => {
                    let dname = &dst.address;
                    out.less
                        .insert(format!("the subnet of `{dname}` is not known"));
                    out.block = Some((
                        0,
                        block(
                            dname,
                            "eni",
                            "UNKNOWN_PLACEMENT",
                            format!("`{dname}` has no known subnet"),
                            None,
                        ),
                    ));
                }
            }
        }
        // An interface without a set address may have any address of its subnet: the verdict
        // depends on it when, for one address of the other end, two of its possible
        // addresses (of the same family) disagree.
        let family = |c: &[(IpAddr, AddrSet)], i: usize| c.get(i).map(|x| x.0.is_ipv4());
        let disagree = |by_dst: bool| {
            seen.iter().any(|(&(d, s), &ok)| {
                seen.iter().any(|(&(d2, s2), &ok2)| {
                    ok != ok2
                        && if by_dst {
                            s == s2
                                && d != d2
                                && family(&dst_classes, d) == family(&dst_classes, d2)
                        } else {
                            d == d2
                                && s != s2
                                && family(&src_classes, s) == family(&src_classes, s2)
                        }
                })
            })
        };
        let dst_dep = dst.private_ip.is_none() && dst_classes.len() > 1 && disagree(true);
        let src_dep = src_eni.is_some_and(|e| e.private_ip.is_none())
            && src_classes.len() > 1
            && disagree(false);
        let unknown_addr = dst_dep || src_dep;
        if unknown_addr {
            out.addr_dependent = Some(format!(
                "the verdict depends on the private IP address of `{}`, which is not set",
                if dst_dep {
                    &dst.address
                } else {
                    src_eni.map(|e| e.address.as_str()).unwrap_or("")
                }
            ));
        }
        out
    }
}

// ---------------------------------------------------------------------------------------
// Queries

/// What a query end stands for.
enum Side<'a> {
    External(AddrSet),
    Internal(AddrSet),
    Enis(Vec<&'a Eni>),
}

impl<'a> Net<'a> {
    fn side(&self, ep: &Endpoint) -> Result<Side<'a>, ReachError> {
        let net: &'a Network = self.net;
        match ep {
            Endpoint::Internet => Ok(Side::External(self.internet())),
            Endpoint::Cidr(c) => {
                let a = AddrSet::net(c);
                if a.is_subset(&self.vpc_space) {
                    Ok(Side::Internal(a))
                } else {
                    Ok(Side::External(a))
                }
            }
            Endpoint::Resource(id) => {
                let id = *id;
                let mut v: Vec<&'a Eni> = net.enis.iter().filter(|e| e.owner == id).collect();
                if v.is_empty() {
                    // a security group: its members; a subnet: the ENIs in it
                    v = net
                        .enis
                        .iter()
                        .filter(|e| {
                            e.groups.contains(&Ref::Res(id)) || e.subnet == Some(Ref::Res(id))
                        })
                        .collect();
                }
                if v.is_empty() {
                    if let Some(c) = self.subnet_cidr.get(&id).filter(|c| !c.is_empty()) {
                        return Ok(Side::Internal(c.clone()));
                    }
                    return Err(ReachError::NotFound(self.name(id)));
                }
                Ok(Side::Enis(v))
            }
        }
    }
}

/// Answer a query.
pub fn reach(net: &Network, estate: &Estate, q: &Query) -> Result<ReachResult, ReachError> {
    let n = Net::new(net, estate);
    reach_with(&n, q)
}

/// Answer a query with precomputed lookups (for many queries on one network).
pub fn reach_with(n: &Net<'_>, q: &Query) -> Result<ReachResult, ReachError> {
    let from = n.side(&q.from)?;
    let to = n.side(&q.to)?;
    if let (Side::Enis(srcs), Side::External(space)) = (&from, &to) {
        return Ok(reach_out(n, srcs, space, q));
    }
    let Side::Enis(dsts) = to else {
        return Err(ReachError::NotFound(match &q.to {
            Endpoint::Internet => "internet".into(),
            Endpoint::Cidr(c) => c.to_string(),
            Endpoint::Resource(id) => n.name(*id),
        }));
    };
    let mut paths = Vec::new();
    let mut best_block: Option<(usize, Block)> = None;
    let mut more = BTreeSet::new();
    let mut less = BTreeSet::new();
    let mut addr_dep = BTreeSet::new();
    let mut note = |r: &PairResult, best: &mut Option<(usize, Block)>| {
        more.extend(r.more.iter().cloned());
        less.extend(r.less.iter().cloned());
        if let Some(a) = &r.addr_dependent {
            addr_dep.insert(a.clone());
        }
        if r.ports.is_empty() {
            if let Some((s, b)) = &r.block {
                if best.as_ref().is_none_or(|(bs, _)| *s > *bs) {
                    *best = Some((*s, b.clone()));
                }
            }
        }
    };
    let srcs: Vec<(Src<'_>, AddrSet, String)> = match &from {
        Side::External(a) => vec![(Src::External, a.clone(), "external".into())],
        Side::Internal(a) => vec![(Src::Internal, a.clone(), "internal".into())],
        Side::Enis(v) => v
            .iter()
            .map(|e| (Src::Eni(e), n.eni_addrs(e), e.address.clone()))
            .collect(),
    };
    let lb_dest = dsts.iter().all(|d| d.kind == EniKind::LoadBalancer);
    // A resource that is both ends (or the only member of a group asked about both ways).
    let mut same_owner: Option<&Eni> = None;
    // Direct paths (to a load balancer: to its listeners).
    for d in &dsts {
        for (s, space, _) in &srcs {
            if let Src::Eni(e) = s {
                if e.owner == d.owner {
                    same_owner.get_or_insert(*d);
                    continue;
                }
            }
            if d.kind == EniKind::LoadBalancer {
                let lr = lb_entry(n, s, space, d, q, &mut note, &mut best_block);
                paths.extend(lr);
                continue;
            }
            let r = n.pair(s, space, d, q.protocol, &q.ports, &q.src_ports, None);
            note(&r, &mut best_block);
            if !r.ports.is_empty() {
                paths.push(Path {
                    hops: r.hops,
                    ports: r.ports,
                    sources: matches!(s, Src::External | Src::Internal).then_some(r.sources),
                    via: None,
                    dest: d.address.clone(),
                });
            }
        }
    }
    // Paths through load balancers whose targets include the destination.
    if !lb_dest {
        let owners: BTreeSet<ResourceId> = dsts.iter().map(|d| d.owner).collect();
        for lb in &n.net.load_balancers {
            let hits = lb_targets(n, lb.id);
            let relevant: Vec<_> = hits
                .iter()
                .filter(|t| owners.contains(&t.eni.owner))
                .collect();
            if relevant.is_empty() {
                continue;
            }
            for lb_eni in n.net.enis.iter().filter(|e| e.owner == lb.id) {
                for (s, space, _) in &srcs {
                    for t in &relevant {
                        let Some(lport) = t.listener_port else {
                            continue;
                        };
                        if !q.ports.contains(lport) {
                            continue;
                        }
                        if let Some(az) = az_not_served(n, lb.id, t) {
                            if best_block.as_ref().is_none_or(|(s, _)| *s < 10) {
                                best_block = Some((
                                    10,
                                    block(
                                        &lb.address,
                                        "load-balancer",
                                        "ELB_INSTALLED_AZ_RESTRICTION",
                                        format!(
                                            "`{}` is registered in `{}` but is in {az}, a zone where `{}` has no subnet: a load balancer sends traffic only to targets in its enabled zones; add a subnet in {az} to the load balancer",
                                            t.eni.address, t.tg, lb.address
                                        ),
                                        Some(lb.loc.clone()),
                                    ),
                                ));
                            }
                            continue;
                        }
                        // client -> LB
                        let first = n.pair(
                            s,
                            space,
                            lb_eni,
                            q.protocol,
                            &PortSet::single(lport),
                            &q.src_ports,
                            None,
                        );
                        note(&first, &mut best_block);
                        if first.ports.is_empty() {
                            continue;
                        }
                        // LB -> target
                        let mut second = lb_to_target(
                            n,
                            lb.kind,
                            lb_eni,
                            t,
                            s,
                            &first.sources,
                            q.protocol,
                            t.port,
                        );
                        // A block behind the load balancer is further along than any block
                        // of a direct path.
                        if let Some((stage, _)) = second.block.as_mut() {
                            *stage += 10;
                        }
                        note(&second, &mut best_block);
                        if second.ports.is_empty() {
                            continue;
                        }
                        let mut hops = first.hops.clone();
                        hops.push(Hop {
                            resource: t.listener.clone(),
                            kind: "listener",
                            detail: n.d(|| format!("listener {lport} forwards to {}", t.tg)),
                            loc: Some(t.listener_loc.clone()),
                        });
                        hops.push(Hop {
                            resource: t.tg.clone(),
                            kind: "target-group",
                            detail: n.d(|| format!("target group sends to port {}", t.port)),
                            loc: Some(t.tg_loc.clone()),
                        });
                        hops.extend(second.hops);
                        paths.push(Path {
                            hops,
                            ports: PortSet::single(lport),
                            sources: matches!(s, Src::External | Src::Internal)
                                .then_some(first.sources.clone()),
                            via: Some(lb.address.clone()),
                            dest: t.eni.address.clone(),
                        });
                    }
                }
            }
        }
    }
    paths.sort_by(|a, b| {
        (&a.via, &a.dest, a.ports.first()).cmp(&(&b.via, &b.dest, b.ports.first()))
    });
    paths.dedup_by(|a, b| a.via == b.via && a.dest == b.dest && a.ports == b.ports);
    // The VPCs' AWS-assigned IPv6 blocks are stand-ins: an address the user gives inside the
    // stand-in range cannot be placed.
    let stand_in = AddrSet::net(&ipnet::IpNet::V6(
        moat_model::aws::network::vpc_ipv6_stand_in(),
    ));
    for ep in [&q.from, &q.to] {
        if let Endpoint::Cidr(c) = ep {
            // A wider block (`::/0`) holds the whole stand-in range and means "any address".
            if AddrSet::net(c).overlaps(&stand_in) && AddrSet::net(c).is_subset(&stand_in) {
                less.insert(format!(
                    "{c} overlaps {}, where moat places the IPv6 blocks that AWS assigns to VPCs at apply time (not known offline)",
                    moat_model::aws::network::VPC_IPV6_STAND_IN
                ));
            }
        }
    }
    let mut unknowns: Vec<String> = less.iter().cloned().collect();
    unknowns.extend(addr_dep.iter().cloned());
    let verdict = if !paths.is_empty() {
        if less.is_empty() && addr_dep.is_empty() {
            Verdict::Reachable
        } else {
            Verdict::Unknown
        }
    } else if more.is_empty() && less.is_empty() && addr_dep.is_empty() {
        Verdict::Blocked
    } else {
        unknowns.extend(more.iter().cloned());
        Verdict::Unknown
    };
    unknowns.sort();
    unknowns.dedup();
    // Nothing blocks a path that exists: `blocked` is for when no path is found.
    let blocked = if verdict == Verdict::Reachable || !paths.is_empty() {
        None
    } else {
        best_block.map(|(_, b)| b).or_else(|| {
            // No pair of ends was evaluated: every source is its own destination.
            let d = same_owner.or(dsts.first().copied())?;
            Some(block(
                &d.address,
                "eni",
                "NO_PATH_FOUND",
                if same_owner.is_some() {
                    format!("`{}` is both the source and the destination: traffic from a resource to itself does not cross the network, so there is no path to analyse", d.address)
                } else {
                    format!("no path to `{}` was found", d.address)
                },
                Some(d.loc.clone()),
            ))
        })
    };
    Ok(ReachResult {
        verdict,
        paths,
        blocked,
        unknowns,
    })
}

/// From interfaces to addresses outside every VPC.
fn reach_out(n: &Net<'_>, srcs: &[&Eni], space: &AddrSet, q: &Query) -> ReachResult {
    let mut paths = Vec::new();
    let mut best: Option<(usize, Block)> = None;
    let mut more = BTreeSet::new();
    let mut less = BTreeSet::new();
    for e in srcs {
        let r = n.outbound(e, space, q.protocol, &q.ports, &q.src_ports);
        more.extend(r.more.iter().cloned());
        less.extend(r.less.iter().cloned());
        if r.ports.is_empty() {
            if let Some((s, b)) = r.block {
                if best.as_ref().is_none_or(|(bs, _)| s > *bs) {
                    best = Some((s, b));
                }
            }
            continue;
        }
        let via = r
            .hops
            .iter()
            .find(|h| matches!(h.kind, "nat" | "egress-only-igw"))
            .map(|h| h.resource.clone());
        paths.push(Path {
            hops: r.hops,
            ports: r.ports,
            sources: Some(r.sources),
            via,
            dest: match &q.to {
                Endpoint::Cidr(c) => c.to_string(),
                _ => "internet".into(),
            },
        });
    }
    paths.sort_by(|a, b| (&a.via, &a.dest).cmp(&(&b.via, &b.dest)));
    paths.dedup_by(|a, b| a.via == b.via && a.dest == b.dest && a.ports == b.ports);
    let verdict = if !paths.is_empty() {
        if less.is_empty() {
            Verdict::Reachable
        } else {
            Verdict::Unknown
        }
    } else if more.is_empty() && less.is_empty() {
        Verdict::Blocked
    } else {
        Verdict::Unknown
    };
    let mut unknowns: Vec<String> = less.into_iter().collect();
    if paths.is_empty() {
        unknowns.extend(more);
    }
    unknowns.sort();
    unknowns.dedup();
    ReachResult {
        verdict,
        paths,
        blocked: if verdict == Verdict::Reachable {
            None
        } else {
            best.map(|(_, b)| b).or_else(|| {
                let e = srcs.first()?;
                Some(block(
                    &e.address,
                    "eni",
                    "NO_PATH_FOUND",
                    format!("no path from `{}` was found", e.address),
                    Some(e.loc.clone()),
                ))
            })
        },
        unknowns,
    }
}

type NoteFn<'n> = dyn FnMut(&PairResult, &mut Option<(usize, Block)>) + 'n;

/// Paths from a source to a load balancer's listeners.
fn lb_entry(
    n: &Net<'_>,
    s: &Src<'_>,
    space: &AddrSet,
    lb_eni: &Eni,
    q: &Query,
    note: &mut NoteFn<'_>,
    best: &mut Option<(usize, Block)>,
) -> Vec<Path> {
    let listeners: Vec<_> = n
        .net
        .listeners
        .iter()
        .filter(|l| l.lb.as_ref().and_then(Ref::res) == Some(lb_eni.owner))
        .collect();
    let mut lports = PortSet::empty();
    for l in &listeners {
        if let Some(p) = l.port {
            lports = lports.union(&PortSet::single(p));
        }
    }
    let want = q.ports.intersect(&lports);
    if want.is_empty() {
        let b = block(
            &lb_eni.address,
            "load-balancer",
            "ELBV2_LISTENER_PORT_RESTRICTION",
            format!(
                "`{}` has no listener on {} {} (listeners: {lports}); add a listener for the port",
                lb_eni.address,
                q.protocol.name(),
                q.ports
            ),
            Some(lb_eni.loc.clone()),
        );
        if best.as_ref().is_none_or(|(s, _)| *s < 7) {
            *best = Some((7, b));
        }
        return Vec::new();
    }
    let r = n.pair(s, space, lb_eni, q.protocol, &want, &q.src_ports, None);
    note(&r, best);
    if r.ports.is_empty() {
        return Vec::new();
    }
    let mut hops = r.hops;
    for l in &listeners {
        if l.port.is_some_and(|p| r.ports.contains(p)) {
            hops.push(Hop {
                resource: l.address.clone(),
                kind: "listener",
                detail: n.d(|| {
                    format!(
                        "listener {}",
                        l.port.map(|p| p.to_string()).unwrap_or_default()
                    )
                }),
                loc: Some(l.loc.clone()),
            });
        }
    }
    vec![Path {
        hops,
        ports: r.ports,
        sources: matches!(s, Src::External | Src::Internal).then_some(r.sources),
        via: None,
        dest: lb_eni.address.clone(),
    }]
}

/// One target of a load balancer, flattened: listener -> target group -> target ENI.
#[derive(Clone, Debug)]
pub struct LbTarget<'a> {
    pub listener: String,
    pub listener_loc: Loc,
    pub listener_port: Option<u16>,
    pub tg: String,
    pub tg_id: ResourceId,
    pub tg_loc: Loc,
    pub eni: &'a Eni,
    /// Traffic port (attachment port, else the group's port).
    pub port: u16,
    pub health_port: Option<u16>,
    pub health_loc: Loc,
    pub target_type: String,
    pub preserve_client_ip: Tri,
    pub target_loc: Loc,
}

/// The Availability Zone of a target that its load balancer does not serve: a load balancer
/// sends traffic only to targets in the zones enabled for it (its subnets), cross-zone or not.
/// `None` when the zone is served, or when any zone involved is not known.
pub fn az_not_served(n: &Net<'_>, lb: ResourceId, t: &LbTarget<'_>) -> Option<String> {
    let az_of = |r: &Ref| {
        r.res()
            .and_then(|id| n.net.subnet(id))
            .and_then(|s| s.az.clone())
    };
    let target_az = az_of(t.eni.subnet.as_ref()?)?;
    let lb = n.net.load_balancers.iter().find(|l| l.id == lb)?;
    if lb.subnets.is_empty() {
        return None;
    }
    let mut served = Vec::new();
    for s in &lb.subnets {
        served.push(az_of(s)?);
    }
    (!served.contains(&target_az)).then_some(target_az)
}

/// Every (listener, target group, target ENI) of a load balancer.
pub fn lb_targets<'a>(n: &Net<'a>, lb: ResourceId) -> Vec<LbTarget<'a>> {
    let net: &'a Network = n.net;
    let mut out = Vec::new();
    for l in net
        .listeners
        .iter()
        .filter(|l| l.lb.as_ref().and_then(Ref::res) == Some(lb))
    {
        for (tg_ref, _) in &l.target_groups {
            let Some(tg) = tg_ref
                .res()
                .and_then(|id| net.target_groups.iter().find(|t| t.id == id))
            else {
                continue;
            };
            for t in net.targets.iter().filter(|t| t.group == Ref::Res(tg.id)) {
                let port = t.port.or(tg.port);
                let Some(port) = port else { continue };
                let enis: Vec<&'a Eni> = match &t.target {
                    TargetRef::Resource(id) => net.enis.iter().filter(|e| e.owner == *id).collect(),
                    TargetRef::Ip(ip) => net
                        .enis
                        .iter()
                        .filter(|e| e.private_ip == Some(*ip))
                        .collect(),
                    _ => Vec::new(),
                };
                for eni in enis {
                    out.push(LbTarget {
                        listener: l.address.clone(),
                        listener_loc: l.loc.clone(),
                        listener_port: l.port,
                        tg: tg.address.clone(),
                        tg_id: tg.id,
                        tg_loc: tg.loc.clone(),
                        eni,
                        port,
                        health_port: match &tg.health_port {
                            HealthPort::TrafficPort => Some(port),
                            HealthPort::Port(p) => Some(*p),
                            HealthPort::Unknown(_) => None,
                        },
                        health_loc: tg.health_loc.clone(),
                        target_type: tg.target_type.clone(),
                        preserve_client_ip: tg.preserve_client_ip.clone(),
                        target_loc: t.loc.clone(),
                    });
                }
            }
        }
    }
    out
}

/// The second leg: load balancer to target. ALBs (and NLBs that do not preserve the client
/// IP) open a new connection from their own interface; an NLB that preserves the client IP
/// delivers the client's address, so the target must admit the client.
#[allow(clippy::too_many_arguments)]
fn lb_to_target(
    n: &Net<'_>,
    kind: LbKind,
    lb_eni: &Eni,
    t: &LbTarget<'_>,
    client: &Src<'_>,
    client_space: &AddrSet,
    proto: Protocol,
    port: u16,
) -> PairResult {
    let preserve = kind == LbKind::Network && t.preserve_client_ip.is_true();
    if preserve {
        // Source address: the client; the reply returns through the NLB, so no route back.
        let mut r = n.pair(
            client,
            client_space,
            t.eni,
            proto,
            &PortSet::single(port),
            &PortSet::ephemeral(),
            Some(lb_eni),
        );
        // The NLB's own egress does not apply; hops carry the target side.
        r.hops.insert(
            0,
            Hop {
                resource: lb_eni.address.clone(),
                kind: "load-balancer",
                detail: "network load balancer preserves the client IP address".into(),
                loc: Some(lb_eni.loc.clone()),
            },
        );
        return r;
    }
    let mut r = n.pair(
        &Src::Eni(lb_eni),
        &n.eni_addrs(lb_eni),
        t.eni,
        proto,
        &PortSet::single(port),
        &PortSet::ephemeral(),
        None,
    );
    r.hops.insert(
        0,
        Hop {
            resource: lb_eni.address.clone(),
            kind: "load-balancer",
            detail: n.d(|| {
                format!(
                    "{} opens a new connection from its own interfaces",
                    if kind == LbKind::Application {
                        "application load balancer"
                    } else {
                        "load balancer"
                    }
                )
            }),
            loc: Some(lb_eni.loc.clone()),
        },
    );
    r
}

/// Result of checking one load-balancer target on one port.
#[derive(Clone, Debug, PartialEq)]
pub struct LegCheck {
    pub port: u16,
    pub verdict: Verdict,
    pub block: Option<Block>,
    pub unknowns: Vec<String>,
}

/// One target of one listener, checked on the traffic port and the health-check port.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetCheck {
    pub lb: ResourceId,
    pub lb_address: String,
    pub lb_kind: LbKind,
    pub listener: String,
    pub target_group: String,
    pub target: String,
    pub target_owner: ResourceId,
    pub target_type: String,
    pub traffic: LegCheck,
    /// `None` when the health-check port is unknown.
    pub health: Option<LegCheck>,
}

/// For every load balancer: listener -> target group -> each target, on the traffic port and
/// the health-check port (health checks always come from the load balancer's own
/// interfaces). Sorted by load balancer, listener, target group, target.
pub fn check_lb_targets(n: &Net<'_>) -> Vec<TargetCheck> {
    let mut out = Vec::new();
    for lb in &n.net.load_balancers {
        let lb_enis: Vec<&Eni> = n.net.enis.iter().filter(|e| e.owner == lb.id).collect();
        let mut seen = BTreeMap::new();
        for t in lb_targets(n, lb.id) {
            let key = (
                t.listener.clone(),
                t.tg.clone(),
                t.eni.address.clone(),
                t.port,
            );
            if seen.insert(key, ()).is_some() {
                continue;
            }
            let check = |port: u16, health: bool| -> LegCheck {
                let mut best: Option<(usize, Block)> = None;
                let mut unknowns = BTreeSet::new();
                let mut ok = false;
                for le in &lb_enis {
                    let r = if health
                        || !(lb.kind == LbKind::Network && t.preserve_client_ip.is_true())
                    {
                        n.pair(
                            &Src::Eni(le),
                            &n.eni_addrs(le),
                            t.eni,
                            Protocol::Tcp,
                            &PortSet::single(port),
                            &PortSet::ephemeral(),
                            None,
                        )
                    } else {
                        // client IP preserved: the target must admit the clients, who are
                        // whoever reaches the listener (the internet or the VPCs, as far as
                        // the load balancer's groups and NACLs let them).
                        let space = if lb.internal.is_false() {
                            n.internet()
                        } else {
                            n.vpc_space.clone()
                        };
                        let src = if lb.internal.is_false() {
                            Src::External
                        } else {
                            Src::Internal
                        };
                        let mut clients = space.clone();
                        if let Some(lp) = t.listener_port {
                            let entry = n.pair(
                                &src,
                                &space,
                                le,
                                Protocol::Tcp,
                                &PortSet::single(lp),
                                &PortSet::ephemeral(),
                                None,
                            );
                            unknowns.extend(entry.less.iter().cloned());
                            if !entry.sources.is_empty() {
                                clients = entry.sources;
                            }
                        }
                        n.pair(
                            &src,
                            &clients,
                            t.eni,
                            Protocol::Tcp,
                            &PortSet::single(port),
                            &PortSet::ephemeral(),
                            Some(le),
                        )
                    };
                    unknowns.extend(r.less.iter().cloned());
                    if !r.ports.is_empty() {
                        ok = true;
                    } else {
                        unknowns.extend(r.more.iter().cloned());
                        if let Some((s, b)) = r.block {
                            if best.as_ref().is_none_or(|(bs, _)| s > *bs) {
                                best = Some((s, b));
                            }
                        }
                    }
                }
                let verdict = if ok && unknowns.is_empty() {
                    Verdict::Reachable
                } else if !ok && unknowns.is_empty() {
                    Verdict::Blocked
                } else {
                    Verdict::Unknown
                };
                LegCheck {
                    port,
                    verdict,
                    block: if ok { None } else { best.map(|(_, b)| b) },
                    unknowns: unknowns.into_iter().collect(),
                }
            };
            let traffic = check(t.port, false);
            let health = t.health_port.map(|p| check(p, true));
            out.push(TargetCheck {
                lb: lb.id,
                lb_address: lb.address.clone(),
                lb_kind: lb.kind,
                listener: t.listener.clone(),
                target_group: t.tg.clone(),
                target: t.eni.address.clone(),
                target_owner: t.eni.owner,
                target_type: t.target_type.clone(),
                traffic,
                health,
            });
        }
    }
    out.sort_by(|a, b| {
        (&a.lb_address, &a.listener, &a.target_group, &a.target).cmp(&(
            &b.lb_address,
            &b.listener,
            &b.target_group,
            &b.target,
        ))
    });
    out
}

// ---------------------------------------------------------------------------------------
// Exposure

/// One thing the internet can reach.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Exposure {
    pub resource: String,
    pub protocol: String,
    pub ports: String,
    /// Every source address that gets these ports, as CIDR blocks (`0.0.0.0/0` and `::/0`
    /// for the whole internet of a family), complete.
    pub sources: Vec<String>,
    pub via: Vec<String>,
    /// Empty for a firm exposure; otherwise the unknown values (rules that could not be
    /// read) that decide whether these ports are open, and `sources` is an upper bound.
    pub unknown: Vec<String>,
    /// `sources` for people: `0.0.0.0/0 except 198.51.100.0/24` where shorter.
    pub summary: String,
}

/// Pieces of one (resource, protocol, via): source sets with their ports.
#[derive(Default)]
struct ExpAcc {
    firm: Vec<(AddrSet, PortSet)>,
    maybe: Vec<(AddrSet, PortSet)>,
    unknown: BTreeSet<String>,
}

/// Group ports by the exact set of sources that get them: one entry per distinct source set.
fn group_by_sources(pieces: &[(AddrSet, PortSet)]) -> Vec<(AddrSet, PortSet)> {
    let mut cuts: Vec<u128> = Vec::new();
    for (_, p) in pieces {
        for (a, b) in p.0.ranges() {
            cuts.push(*a);
            cuts.push(b + 1);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut groups: Vec<(AddrSet, PortSet)> = Vec::new();
    for w in cuts.windows(2) {
        let (Some(&lo), Some(&next)) = (w.first(), w.get(1)) else {
            continue;
        };
        let mut src = AddrSet::empty();
        for (a, p) in pieces {
            if p.0.contains(lo) {
                src = src.union(a);
            }
        }
        if src.is_empty() {
            continue;
        }
        let (Ok(lo16), Ok(hi16)) = (u16::try_from(lo), u16::try_from(next - 1)) else {
            continue;
        };
        let atom = PortSet::range(lo16, hi16);
        match groups.iter_mut().find(|(g, _)| *g == src) {
            Some(g) => g.1 = g.1.union(&atom),
            None => groups.push((src, atom)),
        }
    }
    groups
}

/// Everything reachable from the internet: direct (per ENI owner, TCP and UDP), and through
/// each internet-facing load balancer (listener ports, to the load balancer and to each
/// target that the path reaches). One entry per distinct source set; ports that only rules
/// with unknown values could open are listed apart, marked `unknown`.
pub fn exposure(net: &Network, estate: &Estate) -> Vec<Exposure> {
    let n = Net::new(net, estate).quiet().any_source_port();
    let internet = n.internet();
    let mut acc: BTreeMap<(String, String, Vec<String>), ExpAcc> = BTreeMap::new();
    let sources_of = |pieces: &[(AddrSet, PortSet)], port: u16| {
        let mut a = AddrSet::empty();
        for (s, p) in pieces {
            if p.contains(port) {
                a = a.union(s);
            }
        }
        a
    };
    for eni in &net.enis {
        if eni.public_ip.is_false() {
            continue;
        }
        for proto in [Protocol::Tcp, Protocol::Udp] {
            let want = if eni.kind == EniKind::LoadBalancer {
                let mut p = PortSet::empty();
                for l in net
                    .listeners
                    .iter()
                    .filter(|l| l.lb.as_ref().and_then(Ref::res) == Some(eni.owner))
                {
                    let lp = l.protocol.as_deref().unwrap_or("HTTP").to_ascii_uppercase();
                    let is_udp = lp.contains("UDP");
                    if (proto == Protocol::Udp) == is_udp || (lp == "TCP_UDP") {
                        if let Some(x) = l.port {
                            p = p.union(&PortSet::single(x));
                        }
                    }
                }
                p
            } else {
                PortSet::all()
            };
            if want.is_empty() {
                continue;
            }
            let r = n.pair(
                &Src::External,
                &internet,
                eni,
                proto,
                &want,
                &PortSet::ephemeral(),
                None,
            );
            let key = (eni.address.clone(), proto.name(), Vec::new());
            if !r.per_class.is_empty() || !r.maybe.is_empty() {
                let e = acc.entry(key).or_default();
                e.firm.extend(r.per_class.iter().cloned());
                if !r.maybe.is_empty() {
                    e.maybe.push((r.maybe_sources.clone(), r.maybe.clone()));
                    e.unknown.extend(r.more.iter().cloned());
                    e.unknown.extend(r.less.iter().cloned());
                }
            }
            if r.ports.is_empty() || eni.kind != EniKind::LoadBalancer {
                continue;
            }
            let lb_kind = net
                .load_balancers
                .iter()
                .find(|l| l.id == eni.owner)
                .map(|l| l.kind)
                .unwrap_or(LbKind::Application);
            for t in lb_targets(&n, eni.owner) {
                let Some(lp) = t.listener_port else { continue };
                if az_not_served(&n, eni.owner, &t).is_some() {
                    continue;
                }
                // The clients that reach this listener port.
                let clients = sources_of(&r.per_class, lp);
                if clients.is_empty() {
                    continue;
                }
                let second = lb_to_target(
                    &n,
                    lb_kind,
                    eni,
                    &t,
                    &Src::External,
                    &clients,
                    proto,
                    t.port,
                );
                let preserve = lb_kind == LbKind::Network && t.preserve_client_ip.is_true();
                let key = (
                    t.eni.address.clone(),
                    proto.name(),
                    vec![eni.address.clone()],
                );
                if !second.ports.is_empty() {
                    let src = if preserve {
                        sources_of(&second.per_class, t.port)
                    } else {
                        clients.clone()
                    };
                    acc.entry(key.clone())
                        .or_default()
                        .firm
                        .push((src, PortSet::single(lp)));
                } else if !second.maybe.is_empty() {
                    let e = acc.entry(key).or_default();
                    e.maybe.push((
                        if preserve {
                            second.maybe_sources.clone()
                        } else {
                            clients.clone()
                        },
                        PortSet::single(lp),
                    ));
                    e.unknown.extend(second.more.iter().cloned());
                    e.unknown.extend(second.less.iter().cloned());
                }
            }
        }
    }
    let mut out: Vec<Exposure> = Vec::new();
    for ((resource, protocol, via), a) in acc {
        let firm = group_by_sources(&a.firm);
        let mut firm_ports = PortSet::empty();
        for (src, ports) in &firm {
            firm_ports = firm_ports.union(ports);
            out.push(Exposure {
                resource: resource.clone(),
                protocol: protocol.clone(),
                ports: ports.to_string(),
                sources: exact_sources(src, &internet),
                via: via.clone(),
                unknown: Vec::new(),
                summary: summarise_sources(src, &internet),
            });
        }
        let mut maybe_ports = PortSet::empty();
        let mut maybe_src = AddrSet::empty();
        for (s, p) in &a.maybe {
            maybe_ports = maybe_ports.union(p);
            maybe_src = maybe_src.union(s);
        }
        let maybe_ports = maybe_ports.subtract(&firm_ports);
        if !maybe_ports.is_empty() && !maybe_src.is_empty() {
            out.push(Exposure {
                resource,
                protocol,
                ports: maybe_ports.to_string(),
                sources: exact_sources(&maybe_src, &internet),
                via,
                unknown: a.unknown.into_iter().collect(),
                summary: summarise_sources(&maybe_src, &internet),
            });
        }
    }
    out.sort();
    out
}

/// Every source as CIDR blocks; the whole internet of a family as `0.0.0.0/0` / `::/0`.
fn exact_sources(src: &AddrSet, internet: &AddrSet) -> Vec<String> {
    let all4 = !internet.v4.is_empty() && internet.v4.is_subset(&src.v4);
    let all6 = !internet.v6.is_empty() && internet.v6.is_subset(&src.v6);
    let mut v: Vec<String> = Vec::new();
    if all4 {
        v.push("0.0.0.0/0".into());
    } else if !src.v4.is_empty() {
        let only4 = AddrSet {
            v4: src.v4.clone(),
            v6: IntervalSet::empty(),
        };
        v.extend(only4.to_string().split(',').map(str::to_string));
    }
    if all6 {
        v.push("::/0".into());
    } else if !src.v6.is_empty() {
        let only6 = AddrSet {
            v4: IntervalSet::empty(),
            v6: src.v6.clone(),
        };
        v.extend(only6.to_string().split(',').map(str::to_string));
    }
    v
}

/// The sources for a reader: like [`exact_sources`], but a family that covers most of the
/// address space is written as what it leaves out (`0.0.0.0/0 except 198.51.100.0/24`).
fn summarise_sources(src: &AddrSet, internet: &AddrSet) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (v6, have, zero) in [(false, &src.v4, "0.0.0.0/0"), (true, &src.v6, "::/0")] {
        if have.is_empty() {
            continue;
        }
        let fam = |x: IntervalSet| {
            if v6 {
                AddrSet {
                    v4: IntervalSet::empty(),
                    v6: x,
                }
            } else {
                AddrSet {
                    v4: x,
                    v6: IntervalSet::empty(),
                }
            }
        };
        let inet = if v6 { &internet.v6 } else { &internet.v4 };
        if !inet.is_empty() && inet.is_subset(have) {
            parts.push(zero.into());
            continue;
        }
        let direct = fam(have.clone()).to_string();
        // What the internet of this family has that the sources lack.
        let missing = fam(inet.subtract(have)).to_string();
        if missing.split(',').count() < direct.split(',').count() {
            parts.push(format!("{zero} except {}", missing.replace(',', ", ")));
        } else {
            parts.push(direct);
        }
    }
    parts.join(",")
}

// ---------------------------------------------------------------------------------------
// Security-group matrix

/// One entry of the security-group matrix: every member of `from` may open connections to
/// every member of `to` on `ports` of the protocol, as far as security groups decide (routes
/// and NACLs are not part of the matrix; use [`reach`] for a full path).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SgEdge {
    pub from: ResourceId,
    pub to: ResourceId,
    pub ports: PortSet,
}

/// The SG-to-SG matrix for one protocol: `from`'s egress and `to`'s ingress both admit, by a
/// group reference or by a CIDR that contains every member address. Pairs with no port are
/// left out. Sorted by (from, to).
pub fn sg_matrix(net: &Network, proto: Protocol) -> Vec<SgEdge> {
    let mut out = Vec::new();
    sg_matrix_each(net, proto, &mut |e| out.push(e));
    out.sort_by_key(|e| (e.from, e.to));
    out
}

/// [`sg_matrix`] without collecting: `f` gets every entry, in (from, to) order of the
/// groups in the view. A dense matrix of thousands of groups has millions of entries; this
/// keeps memory flat.
pub fn sg_matrix_each(net: &Network, proto: Protocol, f: &mut dyn FnMut(SgEdge)) {
    // Address hull of the members of each group: a CIDR contains every member address iff it
    // contains the hull (a CIDR is one interval).
    let mut hull: HashMap<ResourceId, (u128, u128)> = HashMap::new();
    for e in &net.enis {
        let Some(IpAddr::V4(ip)) = e.private_ip else {
            continue;
        };
        let x = u128::from(u32::from(ip));
        for g in e.groups.iter().filter_map(Ref::res) {
            let h = hull.entry(g).or_insert((x, x));
            h.0 = h.0.min(x);
            h.1 = h.1.max(x);
        }
    }
    /// Per group and direction: ports by referenced group, and CIDR rules as intervals.
    #[derive(Default)]
    struct Side {
        refs: HashMap<ResourceId, Vec<(u128, u128)>>,
        cidrs: Vec<(u128, u128, (u128, u128))>,
    }
    let rule_ports = |r: &moat_model::aws::network::SgRule| -> Option<(u128, u128)> {
        if !r.unknown.is_empty() {
            return None;
        }
        let p = r.protocol?;
        if !p.matches(proto) {
            return None;
        }
        Some(match r.ports {
            Some(x) if p.has_ports() && proto.has_ports() => (u128::from(x.from), u128::from(x.to)),
            _ => (0, 65535),
        })
    };
    let side = |sg: &SecurityGroup, dir: Direction| -> Side {
        let mut s = Side::default();
        for r in sg.rules.iter().filter(|r| r.direction == dir) {
            let Some(ports) = rule_ports(r) else { continue };
            for g in r.groups.iter().filter_map(Ref::res) {
                s.refs.entry(g).or_default().push(ports);
            }
            if r.self_ref {
                s.refs.entry(sg.id).or_default().push(ports);
            }
            for c in &r.ipv4 {
                let lo = u128::from(u32::from(c.network()));
                let hi = u128::from(u32::from(c.broadcast()));
                s.cidrs.push((lo, hi, ports));
            }
        }
        s
    };
    let ids: Vec<ResourceId> = net.security_groups.iter().map(|g| g.id).collect();
    let egress: Vec<Side> = net
        .security_groups
        .iter()
        .map(|g| side(g, Direction::Egress))
        .collect();
    let ingress: Vec<Side> = net
        .security_groups
        .iter()
        .map(|g| side(g, Direction::Ingress))
        .collect();
    let admitted = |s: &Side, peer: ResourceId, buf: &mut Vec<(u128, u128)>| {
        buf.clear();
        if let Some(v) = s.refs.get(&peer) {
            buf.extend_from_slice(v);
        }
        if let Some((a, b)) = hull.get(&peer) {
            for (lo, hi, ports) in &s.cidrs {
                if lo <= a && b <= hi {
                    buf.push(*ports);
                }
            }
        }
    };
    let mut eb = Vec::new();
    let mut ib = Vec::new();
    for (fi, from) in ids.iter().enumerate() {
        let Some(es) = egress.get(fi) else { continue };
        if es.refs.is_empty() && es.cidrs.is_empty() {
            continue;
        }
        for (ti, to) in ids.iter().enumerate() {
            let Some(is) = ingress.get(ti) else { continue };
            admitted(is, *from, &mut ib);
            if ib.is_empty() {
                continue;
            }
            admitted(es, *to, &mut eb);
            if eb.is_empty() {
                continue;
            }
            let ports = PortSet(IntervalSet::from_ranges(ib.clone()))
                .intersect(&PortSet(IntervalSet::from_ranges(eb.clone())));
            if !ports.is_empty() {
                f(SgEdge {
                    from: *from,
                    to: *to,
                    ports,
                });
            }
        }
    }
}
