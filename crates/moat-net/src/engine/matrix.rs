//! The security-group matrix.

use std::collections::HashMap;
use std::net::IpAddr;

use moat_model::aws::network::{Direction, Network, Protocol, Ref, SecurityGroup};
use moat_model::ResourceId;

use crate::sets::{IntervalSet, PortSet};

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
