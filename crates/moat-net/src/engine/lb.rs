//! Load balancers: listener -> target group -> target, the load balancer's own leg, and the
//! checks of every target on its traffic and health-check ports.

use std::collections::{BTreeMap, BTreeSet};

use moat_model::aws::network::{Eni, HealthPort, LbKind, Network, Protocol, Ref, TargetRef};
use moat_model::{Loc, ResourceId, Tri};

use crate::sets::{AddrSet, PortSet};

use super::*;

pub(crate) type NoteFn<'n> = dyn FnMut(&PairResult, &mut Option<(usize, Block)>) + 'n;

/// Paths from a source to a load balancer's listeners.
pub(crate) fn lb_entry(
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
    let r = n.pair(
        s,
        space,
        lb_eni,
        Flow {
            proto: q.protocol,
            want: &want,
            src_ports: &q.src_ports,
            via_lb: None,
        },
    );
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
                    TargetRef::Resource(id) => net.target_enis_of(*id),
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
/// The traffic port is the target's (`t.port`).
pub(crate) fn lb_to_target(
    n: &Net<'_>,
    kind: LbKind,
    lb_eni: &Eni,
    t: &LbTarget<'_>,
    client: &Src<'_>,
    client_space: &AddrSet,
    proto: Protocol,
) -> PairResult {
    let port = t.port;
    let preserve = kind == LbKind::Network && t.preserve_client_ip.is_true();
    if preserve {
        // Source address: the client; the reply returns through the NLB, so no route back.
        let mut r = n.pair(
            client,
            client_space,
            t.eni,
            Flow {
                proto,
                want: &PortSet::single(port),
                src_ports: &PortSet::ephemeral(),
                via_lb: Some(lb_eni),
            },
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
        Flow {
            proto,
            want: &PortSet::single(port),
            src_ports: &PortSet::ephemeral(),
            via_lb: None,
        },
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
                            Flow {
                                proto: Protocol::Tcp,
                                want: &PortSet::single(port),
                                src_ports: &PortSet::ephemeral(),
                                via_lb: None,
                            },
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
                                Flow {
                                    proto: Protocol::Tcp,
                                    want: &PortSet::single(lp),
                                    src_ports: &PortSet::ephemeral(),
                                    via_lb: None,
                                },
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
                            Flow {
                                proto: Protocol::Tcp,
                                want: &PortSet::single(port),
                                src_ports: &PortSet::ephemeral(),
                                via_lb: Some(le),
                            },
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
