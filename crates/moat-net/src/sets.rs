//! Sets of ports and addresses as sorted, disjoint, inclusive intervals. Nothing here ever
//! enumerates members: a rule `0-65535` is one interval.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

/// A set of `u128` values as sorted, disjoint, non-adjacent inclusive intervals.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct IntervalSet {
    ranges: Vec<(u128, u128)>,
}

impl IntervalSet {
    pub fn empty() -> Self {
        IntervalSet { ranges: Vec::new() }
    }

    pub fn range(lo: u128, hi: u128) -> Self {
        if lo > hi {
            return Self::empty();
        }
        IntervalSet {
            ranges: vec![(lo, hi)],
        }
    }

    pub fn from_ranges(mut v: Vec<(u128, u128)>) -> Self {
        v.retain(|(a, b)| a <= b);
        v.sort_unstable();
        let mut out: Vec<(u128, u128)> = Vec::with_capacity(v.len());
        for (a, b) in v {
            match out.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => {
                    if b > last.1 {
                        last.1 = b;
                    }
                }
                _ => out.push((a, b)),
            }
        }
        IntervalSet { ranges: out }
    }

    pub fn ranges(&self) -> &[(u128, u128)] {
        &self.ranges
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn contains(&self, x: u128) -> bool {
        let i = self.ranges.partition_point(|(_, hi)| *hi < x);
        self.ranges.get(i).is_some_and(|(lo, _)| *lo <= x)
    }

    pub fn union(&self, other: &Self) -> Self {
        let mut v = self.ranges.clone();
        v.extend_from_slice(&other.ranges);
        Self::from_ranges(v)
    }

    pub fn intersect(&self, other: &Self) -> Self {
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while let (Some(a), Some(b)) = (self.ranges.get(i), other.ranges.get(j)) {
            let lo = a.0.max(b.0);
            let hi = a.1.min(b.1);
            if lo <= hi {
                out.push((lo, hi));
            }
            if a.1 < b.1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        IntervalSet { ranges: out }
    }

    /// `self` minus `other`.
    pub fn subtract(&self, other: &Self) -> Self {
        let mut out = Vec::new();
        let mut j = 0;
        for &(lo, hi) in &self.ranges {
            let mut cur = lo;
            let mut done = false;
            while let Some(&(blo, bhi)) = other.ranges.get(j) {
                if bhi < cur {
                    j += 1;
                    continue;
                }
                if blo > hi {
                    break;
                }
                if blo > cur {
                    out.push((cur, blo - 1));
                }
                if bhi >= hi {
                    done = true;
                    break;
                }
                cur = bhi + 1;
                j += 1;
            }
            if !done {
                out.push((cur, hi));
            }
        }
        IntervalSet { ranges: out }
    }

    pub fn is_subset(&self, other: &Self) -> bool {
        self.subtract(other).is_empty()
    }

    pub fn first(&self) -> Option<u128> {
        self.ranges.first().map(|r| r.0)
    }
}

/// A set of TCP/UDP ports.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PortSet(pub IntervalSet);

impl PortSet {
    pub fn all() -> Self {
        PortSet(IntervalSet::range(0, 65535))
    }
    pub fn empty() -> Self {
        PortSet(IntervalSet::empty())
    }
    pub fn range(lo: u16, hi: u16) -> Self {
        PortSet(IntervalSet::range(lo.into(), hi.into()))
    }
    pub fn single(p: u16) -> Self {
        Self::range(p, p)
    }
    /// Client source ports: 1024-65535 (AWS documents this range for NAT gateways, load
    /// balancers and most clients; Linux uses a subset of it).
    pub fn ephemeral() -> Self {
        Self::range(1024, 65535)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn is_all(&self) -> bool {
        *self == Self::all()
    }
    pub fn union(&self, o: &Self) -> Self {
        PortSet(self.0.union(&o.0))
    }
    pub fn intersect(&self, o: &Self) -> Self {
        PortSet(self.0.intersect(&o.0))
    }
    pub fn subtract(&self, o: &Self) -> Self {
        PortSet(self.0.subtract(&o.0))
    }
    pub fn contains(&self, p: u16) -> bool {
        self.0.contains(p.into())
    }
    pub fn first(&self) -> Option<u16> {
        self.0.first().and_then(|x| u16::try_from(x).ok())
    }
}

impl fmt::Display for PortSet {
    /// `22`, `8000-8010`, `80,443`; empty prints as `none`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        let parts: Vec<String> = self
            .0
            .ranges()
            .iter()
            .map(|(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a}-{b}")
                }
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// A set of IP addresses, IPv4 and IPv6 kept apart.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct AddrSet {
    pub v4: IntervalSet,
    pub v6: IntervalSet,
}

const V4_MAX: u128 = u32::MAX as u128;

impl AddrSet {
    pub fn empty() -> Self {
        AddrSet::default()
    }
    pub fn all() -> Self {
        AddrSet {
            v4: IntervalSet::range(0, V4_MAX),
            v6: IntervalSet::range(0, u128::MAX),
        }
    }
    pub fn all_v4() -> Self {
        AddrSet {
            v4: IntervalSet::range(0, V4_MAX),
            v6: IntervalSet::empty(),
        }
    }
    pub fn net(n: &IpNet) -> Self {
        match n {
            IpNet::V4(x) => AddrSet {
                v4: IntervalSet::range(
                    u32::from(x.network()).into(),
                    u32::from(x.broadcast()).into(),
                ),
                v6: IntervalSet::empty(),
            },
            IpNet::V6(x) => AddrSet {
                v4: IntervalSet::empty(),
                v6: IntervalSet::range(u128::from(x.network()), u128::from(x.broadcast())),
            },
        }
    }
    pub fn ip(ip: IpAddr) -> Self {
        Self::net(&IpNet::from(ip))
    }
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }
    pub fn union(&self, o: &Self) -> Self {
        AddrSet {
            v4: self.v4.union(&o.v4),
            v6: self.v6.union(&o.v6),
        }
    }
    pub fn intersect(&self, o: &Self) -> Self {
        AddrSet {
            v4: self.v4.intersect(&o.v4),
            v6: self.v6.intersect(&o.v6),
        }
    }
    pub fn subtract(&self, o: &Self) -> Self {
        AddrSet {
            v4: self.v4.subtract(&o.v4),
            v6: self.v6.subtract(&o.v6),
        }
    }
    pub fn is_subset(&self, o: &Self) -> bool {
        self.subtract(o).is_empty()
    }
    pub fn overlaps(&self, o: &Self) -> bool {
        !self.intersect(o).is_empty()
    }
    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => self.v4.contains(u32::from(a).into()),
            IpAddr::V6(a) => self.v6.contains(u128::from(a)),
        }
    }
    /// One address of the set (the lowest IPv4 one first), for examples.
    pub fn sample(&self) -> Option<IpAddr> {
        if let Some(x) = self.v4.first() {
            return u32::try_from(x).ok().map(|x| IpAddr::V4(Ipv4Addr::from(x)));
        }
        self.v6.first().map(|x| IpAddr::V6(Ipv6Addr::from(x)))
    }

    /// Cut points: every interval boundary, for partitioning address space into classes.
    pub fn boundaries(&self, out4: &mut Vec<u128>, out6: &mut Vec<u128>) {
        for (a, b) in self.v4.ranges() {
            out4.push(*a);
            out4.push(b.saturating_add(1));
        }
        for (a, b) in self.v6.ranges() {
            out6.push(*a);
            if *b < u128::MAX {
                out6.push(b + 1);
            }
        }
    }
}

impl fmt::Display for AddrSet {
    /// As a list of CIDR blocks.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        for (a, b) in self.v4.ranges() {
            let (Ok(a), Ok(b)) = (u32::try_from(*a), u32::try_from(*b)) else {
                continue;
            };
            parts.extend(
                ipnet::Ipv4Subnets::new(Ipv4Addr::from(a), Ipv4Addr::from(b), 0)
                    .map(|n| n.to_string()),
            );
        }
        for (a, b) in self.v6.ranges() {
            let nets: Vec<_> =
                ipnet::Ipv6Subnets::new(Ipv6Addr::from(*a), Ipv6Addr::from(*b), 0).collect();
            parts.extend(nets.into_iter().map(|n| n.to_string()));
        }
        if parts.is_empty() {
            return f.write_str("none");
        }
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn subtract_and_union() {
        let a = PortSet::all();
        let b = PortSet::range(1024, 65535);
        assert_eq!(a.subtract(&b), PortSet::range(0, 1023));
        assert_eq!(
            PortSet::single(80).union(&PortSet::single(443)).to_string(),
            "80,443"
        );
        assert_eq!(
            PortSet::range(80, 81)
                .union(&PortSet::range(82, 90))
                .to_string(),
            "80-90"
        );
        let x = PortSet::range(10, 20).subtract(&PortSet::single(15));
        assert_eq!(x.to_string(), "10-14,16-20");
        assert!(x.contains(14) && !x.contains(15));
    }

    #[test]
    fn addr_display() {
        let a = AddrSet::net(&"10.0.0.0/8".parse().unwrap());
        assert_eq!(a.to_string(), "10.0.0.0/8");
        let all = AddrSet::all_v4().subtract(&a);
        assert!(!all.contains("10.1.2.3".parse().unwrap()));
        assert!(all.contains("11.1.2.3".parse().unwrap()));
    }
}
