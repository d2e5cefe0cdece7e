//! Exposure: everything the internet can reach.

use std::collections::{BTreeMap, BTreeSet};

use moat_model::aws::network::{EniKind, LbKind, Network, Protocol, Ref};
use moat_model::Estate;

use crate::sets::{AddrSet, IntervalSet, PortSet};

use super::*;

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
pub(crate) fn group_by_sources(pieces: &[(AddrSet, PortSet)]) -> Vec<(AddrSet, PortSet)> {
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
                Flow {
                    proto,
                    want: &want,
                    src_ports: &PortSet::ephemeral(),
                    via_lb: None,
                },
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
                let second = lb_to_target(&n, lb_kind, eni, &t, &Src::External, &clients, proto);
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
pub(crate) fn exact_sources(src: &AddrSet, internet: &AddrSet) -> Vec<String> {
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
pub(crate) fn summarise_sources(src: &AddrSet, internet: &AddrSet) -> String {
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
