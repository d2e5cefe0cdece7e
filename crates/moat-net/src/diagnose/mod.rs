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
//! The diagnosis has no network semantics of its own: whether security groups admit a peer,
//! which ports a network ACL drops and which rule drops them, whether a rule admits the
//! internet, are all asked of the engine's stages (`stages.rs`), over the address classes of
//! each peer; the rest (NET012, the client side of NET004) reads the engine's load-balancer
//! targets and blocked components. The reference evaluator's property test checks the
//! diagnoses of load-balancer paths against one packet at a time.
//!
//! Each [`Diagnosis`] carries its [`DiagnosisKind`] (the rule layer maps kinds to codes), the
//! resource that breaks the path and the line to fix. When a value needed to decide is unknown
//! the diagnosis is marked `unknown` (never silently passed).

mod databases;
mod lb_paths;
mod stages;
mod subnets;
mod zones;

use std::collections::BTreeSet;
use std::net::IpAddr;

use ipnet::IpNet;
use moat_model::aws::network::{
    Eni, EniKind, LbKind, LoadBalancer, Network, Protocol, Ref, RouteTarget, SecurityGroup, SgRule,
    TargetGroup,
};
use moat_model::{Loc, ResourceId};

use stages::Peer;

pub use databases::{databases_in_public_subnets, databases_reachable_from_internet};
pub use lb_paths::lb_paths;
pub use subnets::private_subnets_routed_to_igw;
pub use zones::targets_in_unserved_zones;

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
// addresses

fn is_default_route(n: &IpNet) -> bool {
    n.prefix_len() == 0
}

// ---------------------------------------------------------------------------------------
// security groups

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
