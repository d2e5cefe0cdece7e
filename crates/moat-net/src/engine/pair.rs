//! One pair of endpoints, summed over the address classes of both ends.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use moat_model::aws::network::Eni;

use crate::sets::{AddrSet, PortSet};

use super::*;

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
    pub(crate) fn pair(
        &self,
        src: &Src<'_>,
        src_space: &AddrSet,
        dst: &Eni,
        flow: Flow<'_>,
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
                let leg = self.leg(&src_kind, *sip, dst, *dip, flow, (&src_l, &dst_l));
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
