//! The lookups precomputed once per network: groups, subnets, route tables, NACLs, the
//! VPCs' address space and the internet.

use std::collections::HashMap;
use std::net::IpAddr;

use moat_model::aws::network::{Eni, LbKind, Network, Ref, Vpc};
use moat_model::{Estate, ResourceId};

use crate::sets::{AddrSet, IntervalSet, PortSet};

use super::*;

/// Address blocks that are not on the internet (IANA special-purpose registries).
const NOT_INTERNET: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "::/8",
    "100::/8",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
];

pub(crate) fn res_of(r: &Option<Ref>) -> Option<ResourceId> {
    r.as_ref().and_then(Ref::res)
}

impl<'a> Net<'a> {
    /// The lookups for the network the estate holds (`estate.aws.network`).
    pub fn from_estate(estate: &'a Estate) -> Net<'a> {
        Net::new(&estate.aws.network, estate)
    }

    /// The lookups for `net`, naming resources from `estate` (tests and benchmarks build a
    /// network by hand and pass an empty estate).
    pub fn new(net: &'a Network, estate: &'a Estate) -> Net<'a> {
        let sgs = net.security_groups.iter().map(|g| (g.id, g)).collect();
        let vpcs: HashMap<ResourceId, &Vpc> = net.vpcs.iter().map(|v| (v.id, v)).collect();
        let mut subnet_vpc = HashMap::new();
        let mut subnet_cidr = HashMap::new();
        let mut rt = HashMap::new();
        let mut nacl = HashMap::new();
        for s in &net.subnets {
            subnet_vpc.insert(s.id, res_of(&s.vpc));
            let mut a = AddrSet::empty();
            if let Some(c) = s.cidr {
                a = a.union(&AddrSet::net(&ipnet::IpNet::V4(c)));
            }
            if let Some(c) = s.ipv6_cidr {
                a = a.union(&AddrSet::net(&ipnet::IpNet::V6(c)));
            }
            subnet_cidr.insert(s.id, a);
            rt.insert(s.id, net.route_table_of(s.id));
            nacl.insert(s.id, net.nacl_of(s.id));
        }
        let mut igw_of_vpc = HashMap::new();
        for g in &net.igws {
            if let Some(v) = res_of(&g.vpc) {
                igw_of_vpc.insert(v, g);
            }
        }
        let mut vpc_space = AddrSet::empty();
        for v in &net.vpcs {
            for c in &v.cidrs {
                vpc_space = vpc_space.union(&AddrSet::net(c));
            }
        }
        let sg_free = net
            .load_balancers
            .iter()
            .filter(|l| l.groups.is_empty() && matches!(l.kind, LbKind::Network | LbKind::Gateway))
            .map(|l| l.id)
            .collect();
        Net {
            sg_free,
            net,
            estate,
            sgs,
            subnet_vpc,
            subnet_cidr,
            vpcs,
            rt,
            nacl,
            igw_of_vpc,
            vpc_space,
            explain: true,
            any_source_port: false,
        }
    }

    /// For exposure: a reply that passes on any of the client's ports makes the service
    /// reachable (the client, an attacker, chooses its source port).
    pub fn any_source_port(mut self) -> Self {
        self.any_source_port = true;
        self
    }

    /// Whether the network ACLs' admitted reply ports `admitted` stop the connection.
    pub(crate) fn reply_blocked(&self, admitted: &PortSet, src_ports: &PortSet) -> bool {
        if self.any_source_port {
            admitted.is_empty()
        } else {
            admitted != src_ports
        }
    }

    /// The same, without hop details: for analyses that need verdicts and port sets only
    /// (`exposure`, the SG matrix), where formatting every hop of every address class would
    /// cost more than the analysis itself.
    pub fn quiet(mut self) -> Self {
        self.explain = false;
        self
    }

    /// A hop detail, formatted only when paths are explained.
    pub(crate) fn d(&self, f: impl FnOnce() -> String) -> String {
        if self.explain {
            f()
        } else {
            String::new()
        }
    }

    pub(crate) fn name(&self, id: ResourceId) -> String {
        self.estate
            .get(id)
            .map(|r| r.address.clone())
            .unwrap_or_else(|| format!("#{}", id.0))
    }

    pub(crate) fn subnet_id(eni: &Eni) -> Option<ResourceId> {
        res_of(&eni.subnet)
    }

    pub(crate) fn vpc_of_eni(&self, eni: &Eni) -> Option<ResourceId> {
        Self::subnet_id(eni).and_then(|s| self.subnet_vpc.get(&s).copied().flatten())
    }

    /// The addresses an ENI may have: its private IP, else its subnet's CIDR.
    pub fn eni_addrs(&self, eni: &Eni) -> AddrSet {
        let mut a = match eni.private_ip {
            Some(ip) => AddrSet::ip(ip),
            None => {
                let v4 = Self::subnet_id(eni)
                    .and_then(|s| self.subnet_cidr.get(&s))
                    .map(|a| AddrSet {
                        v4: a.v4.clone(),
                        v6: IntervalSet::empty(),
                    })
                    .filter(|a| !a.is_empty());
                v4.unwrap_or_else(|| AddrSet::net(&ipnet::IpNet::V4(ipnet::Ipv4Net::default())))
            }
        };
        for n in &eni.ipv6 {
            a = a.union(&AddrSet::net(&ipnet::IpNet::V6(*n)));
        }
        a
    }

    /// Every public address: IPv4 and IPv6 outside the estate's VPCs and outside the
    /// address blocks that are never routed on the internet (RFC 1918, shared, loopback,
    /// link-local, unique-local, multicast, reserved). Those reach a VPC only through a
    /// private attachment (transit gateway, VPN, peering), which `--from CIDR` asks about.
    pub fn internet(&self) -> AddrSet {
        let mut not_internet = self.vpc_space.clone();
        for c in NOT_INTERNET {
            if let Ok(n) = c.parse::<ipnet::IpNet>() {
                not_internet = not_internet.union(&AddrSet::net(&n));
            }
        }
        AddrSet::all().subtract(&not_internet)
    }

    /// Subnet whose CIDR contains `ip`.
    pub(crate) fn subnet_containing(&self, ip: IpAddr) -> Option<ResourceId> {
        let mut v: Vec<_> = self
            .subnet_cidr
            .iter()
            .filter(|(_, a)| a.contains(ip))
            .map(|(id, _)| *id)
            .collect();
        v.sort();
        v.first().copied()
    }

    pub(crate) fn vpc_containing(&self, ip: IpAddr) -> Option<ResourceId> {
        let mut v: Vec<_> = self
            .vpcs
            .values()
            .filter(|x| x.cidrs.iter().any(|c| c.contains(&ip)))
            .map(|x| x.id)
            .collect();
        v.sort();
        v.first().copied()
    }
}
