//! Databases and caches reachable from the internet (NET010) or placed in public subnets
//! (NET011).

use std::collections::BTreeSet;

use moat_model::aws::network::{
    Direction, Eni, EniKind, LbKind, LoadBalancer, Network, Protocol, Ref, TargetRef,
};
use moat_model::{ResourceId, Tri};

use super::stages::{internet_rule, sg_admits, Admit};
use super::*;

// ---------------------------------------------------------------------------------------
// NET010

/// Databases and caches reachable from the internet: public address, a subnet routed to an
/// internet gateway, and a security group admitting internet addresses (NET010).
pub fn databases_reachable_from_internet(net: &Network) -> Vec<Diagnosis> {
    let estate = moat_model::Estate::new();
    let n = crate::engine::Net::new(net, &estate);
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
        let Some((sg, rule)) = internet_rule(&n, &eni.groups, Protocol::Tcp, None) else {
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
                "{what} `{}` is placed in {} of its {all} subnet(s) that are public: {}; put databases in private subnets (no route to an internet gateway), so that making them publicly accessible or changing a security group cannot expose them",
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
    let estate = moat_model::Estate::new();
    let n = crate::engine::Net::new(net, &estate);
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
                || internet_rule(&n, &lb.groups, Protocol::Tcp, Some(port)).is_some();
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
                        TargetRef::Resource(id) => net.target_enis_of(*id),
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
                                &n,
                                &lb.groups,
                                Direction::Egress,
                                &eni_peer(net, eni),
                                Protocol::Tcp,
                                tp,
                            )
                        };
                        let ingress = if preserved {
                            if internet_rule(&n, &eni.groups, Protocol::Tcp, Some(tp)).is_none() {
                                Admit::No
                            } else {
                                Admit::Yes
                            }
                        } else {
                            sg_admits(&n, &eni.groups, Direction::Ingress, &lbp, Protocol::Tcp, tp)
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
