//! Load-balancer paths (NET001-NET008): every listener -> target group -> target, on the
//! traffic port and the health-check port.

use std::collections::BTreeSet;
use std::net::IpAddr;

use ipnet::IpNet;
use moat_model::aws::network::{
    Direction, Eni, HealthPort, LbKind, LoadBalancer, Nacl, Network, Protocol, Ref, SgRule,
    TargetGroup, TargetRef,
};
use moat_model::{Loc, ResourceId, Tri};

use super::stages::{
    dir_word, internet_rule, nacl_eval, ports_text, sg_admits, sg_admits_any, Admit, Peer,
};
use super::*;
use crate::engine::{Flow, Net, Src};
use crate::sets::{AddrSet, PortSet};

// ---------------------------------------------------------------------------------------
// load-balancer paths (NET001-NET008)

struct Ctx<'a> {
    net: &'a Network,
    /// The engine's lookups: every decision goes through its stages.
    n: Net<'a>,
    out: Vec<Diagnosis>,
}

/// One load balancer -> target leg to verify: the load balancer (and the addresses it sends
/// from), the target group, one interface of the target, the protocol, the traffic port and
/// the health-check port, and whether the target sees the client's address instead.
#[derive(Clone, Copy)]
struct TargetLeg<'t> {
    lb: &'t LoadBalancer,
    lbp: &'t Peer,
    tg: &'t TargetGroup,
    eni: &'t Eni,
    proto: Protocol,
    tp: u16,
    hp: Option<u16>,
    preserved: bool,
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
    let estate = moat_model::Estate::new();
    let mut cx = Ctx {
        net,
        n: Net::new(net, &estate),
        out: Vec::new(),
    };
    let mut lbs: Vec<&LoadBalancer> = net.load_balancers.iter().collect();
    lbs.sort_by(|a, b| a.address.cmp(&b.address));
    for lb in lbs {
        for (tg, listener_ports) in target_groups_of(net, lb) {
            check_target_group(&mut cx, lb, tg, &listener_ports);
        }
    }
    let mut out = lb_client_nacls(&cx.n);
    out.extend(cx.out);
    out.sort();
    out.dedup();
    out
}

/// NET004 on the client side of an internet-facing load balancer: a NACL of its subnets that
/// drops every internet client's request on a listener port, or the replies to the clients'
/// ephemeral ports. Decided by the reachability engine; a NACL that admits some clients (a
/// deliberate restriction) is not reported.
fn lb_client_nacls(n: &Net<'_>) -> Vec<Diagnosis> {
    let net = n.net;
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
            TargetRef::Resource(id) => net.target_enis_of(*id),
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
            let leg = TargetLeg {
                lb,
                lbp: &lbp,
                tg,
                eni,
                proto,
                tp,
                hp,
                preserved,
            };
            check_lb_target(cx, &leg);
        }
    }
}

fn check_lb_target(cx: &mut Ctx<'_>, leg: &TargetLeg<'_>) {
    let TargetLeg {
        lb,
        lbp,
        tg,
        eni,
        proto,
        tp,
        hp,
        preserved,
    } = *leg;
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
            match sg_admits(
                &cx.n,
                &lb.groups,
                Direction::Egress,
                &target_peer,
                proto,
                *p,
            ) {
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
        match sg_admits(&cx.n, &eni.groups, Direction::Ingress, lbp, proto, tp) {
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
            match sg_admits(&cx.n, &eni.groups, Direction::Ingress, lbp, hproto, h) {
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
    check_nacls(cx, leg);

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
    check_bypass(cx, leg);

    // NET007: NLB with client IP preservation: the target must admit the clients.
    if preserved {
        check_nlb_clients(cx, leg);
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

fn check_nacls(cx: &mut Ctx<'_>, leg: &TargetLeg<'_>) {
    let TargetLeg {
        lb,
        tg,
        eni,
        proto,
        tp,
        hp,
        ..
    } = *leg;
    let net = cx.net;
    let Some(tsub) = eni.subnet.as_ref().and_then(Ref::res) else {
        return;
    };
    let Some(tnet) = net.subnet(tsub).and_then(|s| s.cidr).map(IpNet::V4) else {
        return;
    };
    // The LB's network ACL sees the target's own address when it is set (the message names
    // the target's subnet).
    let taddr = eni.private_ip.map_or(tnet, IpNet::from);
    let mut req_ports = PortSet::single(tp);
    if let Some(h) = hp {
        req_ports = req_ports.union(&PortSet::single(h));
    }
    let ephemeral = PortSet::ephemeral();
    for ls in lb.subnets.iter().filter_map(Ref::res) {
        if ls == tsub {
            continue; // NACLs do not apply within a subnet
        }
        let Some(lnet) = net.subnet(ls).and_then(|s| s.cidr).map(IpNet::V4) else {
            continue;
        };
        let lb_nacl = net.nacl_of(ls);
        let t_nacl = net.nacl_of(tsub);
        // (nacl, direction, peer addresses, peer network as written, ports, what)
        let mut legs: Vec<(&Nacl, Direction, IpNet, IpNet, &PortSet, &str)> = Vec::new();
        if let Some(n) = lb_nacl {
            legs.push((n, Direction::Egress, taddr, tnet, &req_ports, "request"));
            legs.push((n, Direction::Ingress, taddr, tnet, &ephemeral, "reply"));
        }
        if let Some(n) = t_nacl {
            legs.push((n, Direction::Ingress, lnet, lnet, &req_ports, "request"));
            legs.push((n, Direction::Egress, lnet, lnet, &ephemeral, "reply"));
        }
        for (nacl, dir, addrs, peer, ports, what) in legs {
            let v = nacl_eval(nacl, dir, &addrs, proto, ports);
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

fn check_bypass(cx: &mut Ctx<'_>, leg: &TargetLeg<'_>) {
    let TargetLeg {
        lb,
        tg,
        eni,
        proto,
        tp,
        ..
    } = *leg;
    let net = cx.net;
    let Some(sub) = eni.subnet.as_ref().and_then(Ref::res) else {
        return;
    };
    let Some((_, route)) = igw_default_route(net, sub) else {
        return;
    };
    let Some((sg, rule)) = internet_rule(&cx.n, &eni.groups, proto, Some(tp)) else {
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

fn check_nlb_clients(cx: &mut Ctx<'_>, leg: &TargetLeg<'_>) {
    let TargetLeg {
        lb,
        lbp,
        tg,
        eni,
        proto,
        tp,
        ..
    } = *leg;
    let net = cx.net;
    let internet_facing = lb.internal.is_false();
    // The clients: internet addresses (or members of the NLB's own groups, which AWS
    // evaluates for preserved client traffic) for an internet-facing NLB; for an internal one,
    // any address beyond the NLB's own subnets, in any group.
    let (space, groups) = if internet_facing {
        (cx.n.internet(), lb.groups.clone())
    } else {
        let mut own = AddrSet::empty();
        for x in &lbp.nets {
            own = own.union(&AddrSet::net(x));
        }
        let mut groups: Vec<Ref> = lb.groups.clone();
        groups.extend(eni.groups.iter().cloned());
        for sg in eni
            .groups
            .iter()
            .filter_map(Ref::res)
            .filter_map(|g| net.security_group(g))
        {
            for r in sg.ingress() {
                groups.extend(r.groups.iter().filter(|g| !lb.groups.contains(g)).cloned());
            }
        }
        (AddrSet::all().subtract(&own), groups)
    };
    let (admits_clients, unknown) =
        match sg_admits_any(&cx.n, &eni.groups, &space, &groups, proto, tp) {
            Ok(admits) => (admits, None),
            Err(u) => (false, Some(u)),
        };
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
