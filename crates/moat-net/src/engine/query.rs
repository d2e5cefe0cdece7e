//! Queries: what the ends stand for, direct paths and paths through load balancers.

use std::collections::BTreeSet;

use moat_model::aws::network::{Eni, EniKind, Network, Ref};
use moat_model::{Estate, ResourceId};

use crate::sets::{AddrSet, PortSet};

use super::*;

// ---------------------------------------------------------------------------------------
// Queries

/// What a query end stands for.
pub(crate) enum Side<'a> {
    External(AddrSet),
    Internal(AddrSet),
    Enis(Vec<&'a Eni>),
}

impl<'a> Net<'a> {
    pub(crate) fn side(&self, ep: &Endpoint) -> Result<Side<'a>, ReachError> {
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
            let r = n.pair(
                s,
                space,
                d,
                Flow {
                    proto: q.protocol,
                    want: &q.ports,
                    src_ports: &q.src_ports,
                    via_lb: None,
                },
            );
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
                            Flow {
                                proto: q.protocol,
                                want: &PortSet::single(lport),
                                src_ports: &q.src_ports,
                                via_lb: None,
                            },
                        );
                        note(&first, &mut best_block);
                        if first.ports.is_empty() {
                            continue;
                        }
                        // LB -> target
                        let mut second =
                            lb_to_target(n, lb.kind, lb_eni, t, s, &first.sources, q.protocol);
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
pub(crate) fn reach_out(n: &Net<'_>, srcs: &[&Eni], space: &AddrSet, q: &Query) -> ReachResult {
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
