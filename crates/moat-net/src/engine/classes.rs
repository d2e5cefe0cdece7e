//! Address classes: the cuts that make every rule behave alike within a class, and how a
//! class is named in reasons.

use std::net::IpAddr;

use moat_model::aws::network::{Eni, EniKind, Ref};

use crate::sets::{AddrSet, IntervalSet};

use super::*;

// ---------------------------------------------------------------------------------------
// Address classes

impl Net<'_> {
    /// Internet addresses in a reason: `the internet`, `the internet except ...`, or the
    /// blocks, whichever is shortest.
    pub(crate) fn describe_external(&self, set: &AddrSet, rep: IpAddr) -> String {
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
    pub(crate) fn no_family_block(
        &self,
        eni: &Eni,
        v6: bool,
        dest: bool,
        peer: &str,
    ) -> Option<Block> {
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
pub(crate) struct Label<'a>(pub(crate) Box<dyn Fn() -> String + 'a>);

impl std::fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&(self.0)())
    }
}

/// An interface in a reason: its resource and the address the packet carries.
pub(crate) fn eni_label(e: &Eni, ip: IpAddr) -> String {
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

pub(crate) fn to_ip(x: u128, v6: bool) -> IpAddr {
    if v6 {
        IpAddr::V6(std::net::Ipv6Addr::from(x))
    } else {
        IpAddr::V4(std::net::Ipv4Addr::from(u32::try_from(x).unwrap_or(0)))
    }
}

impl Net<'_> {
    /// Every CIDR that can make a difference for traffic between `src` and `dst`.
    pub(crate) fn cuts_for(
        &self,
        dst: &Eni,
        src: Option<&Eni>,
        internal: bool,
    ) -> Vec<ipnet::IpNet> {
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
