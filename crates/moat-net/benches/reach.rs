//! Reachability at AWS quota scale: a synthetic network with 5,000 ENIs, 2,500 security
//! groups, 150,000 SG rules, 200 subnets with their own route tables, and 100 NACLs of 20-40
//! rules. Benchmarks full `exposure` and the SG-to-SG matrix. Results: docs/PERFORMANCE.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use criterion::{criterion_group, criterion_main, Criterion};
use ipnet::Ipv4Net;
use moat_model::aws::network::{
    Action, Direction, Eni, EniKind, Gateway, Nacl, NaclRule, Network, PortRange, Protocol, Ref,
    Route, RouteTable, RouteTarget, SecurityGroup, SgRule, Subnet, Vpc,
};
use moat_model::{Estate, Loc, ResourceId, Tri};

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub fn generate(
    enis: usize,
    sgs: usize,
    rules_per_sg: usize,
    subnets: usize,
    nacls: usize,
) -> Network {
    let mut rng = Lcg(42);
    let loc = |l: u32| Loc::new("gen.tf", l, 1);
    let mut id = 0u32;
    let mut next_id = || {
        id += 1;
        ResourceId(id)
    };
    let mut n = Network::default();
    let vpc = next_id();
    n.vpcs.push(Vpc {
        id: vpc,
        address: "aws_vpc.main".into(),
        declared: moat_model::aws::network::Declared::Created,
        cidrs: vec!["10.0.0.0/8".parse().unwrap()],
        unknown: vec![],
        loc: loc(1),
    });
    let igw = next_id();
    n.igws.push(Gateway {
        id: igw,
        address: "aws_internet_gateway.gw".into(),
        vpc: Some(Ref::Res(vpc)),
        loc: loc(2),
    });
    let mut subnet_ids = Vec::new();
    for i in 0..subnets {
        let s = next_id();
        subnet_ids.push(s);
        let cidr =
            Ipv4Net::new(Ipv4Addr::new(10, (i / 256) as u8, (i % 256) as u8, 0), 24).unwrap();
        n.subnets.push(Subnet {
            id: s,
            address: format!("aws_subnet.s{i}"),
            name: format!("s{i}"),
            vpc: Some(Ref::Res(vpc)),
            cidr: Some(cidr),
            ipv6_cidr: None,
            az: None,
            map_public_ip: Tri::False,
            declared: moat_model::aws::network::Declared::Created,
            map_public_ip_on_launch: moat_model::aws::Attr::default(
                false,
                loc(3),
                "map_public_ip_on_launch",
                s,
            ),
            unknown: vec![],
            loc: loc(3),
        });
        let rt = next_id();
        let mut routes = vec![];
        if i % 2 == 0 {
            routes.push(Route {
                dest: Some("0.0.0.0/0".parse().unwrap()),
                dest_unknown: None,
                target: RouteTarget::Igw(Ref::Res(igw)),
                declared_by: rt,
                loc: loc(4),
            });
        }
        n.route_tables.push(RouteTable {
            id: rt,
            address: format!("aws_route_table.r{i}"),
            vpc: Some(Ref::Res(vpc)),
            routes,
            subnets: vec![(Ref::Res(s), loc(5))],
            main: false,
            loc: loc(5),
        });
    }
    let ports = |rng: &mut Lcg| -> PortRange {
        match rng.below(6) {
            0 => PortRange::ALL,
            1 => PortRange::new(1024, 65535),
            2 => PortRange::new(443, 443),
            3 => PortRange::new(22, 22),
            _ => {
                let a = rng.below(60000) as u16;
                PortRange::new(a, a + rng.below(100) as u16)
            }
        }
    };
    let cidr = |rng: &mut Lcg| -> Ipv4Net {
        match rng.below(10) {
            0 => "0.0.0.0/0".parse().unwrap(),
            1..=5 => Ipv4Net::new(
                Ipv4Addr::new(10, rng.below(2) as u8, rng.below(256) as u8, 0),
                16 + rng.below(17) as u8,
            )
            .unwrap()
            .trunc(),
            _ => Ipv4Net::new(Ipv4Addr::from(rng.next() as u32), 8 + rng.below(25) as u8)
                .unwrap()
                .trunc(),
        }
    };
    for a in 0..nacls {
        let acl = next_id();
        let mut ingress = vec![];
        let mut egress = vec![];
        let k = 20 + rng.below(21) as i64;
        for r in 0..k {
            let rule = NaclRule {
                number: (r + 1) * 10,
                action: if rng.below(4) == 0 {
                    Action::Deny
                } else {
                    Action::Allow
                },
                protocol: Some(Protocol::Tcp),
                ports: Some(ports(&mut rng)),
                cidr: Some(ipnet::IpNet::V4(cidr(&mut rng))),
                unknown: vec![],
                declared_by: acl,
                loc: loc(6),
            };
            if r % 2 == 0 {
                ingress.push(rule)
            } else {
                egress.push(rule)
            }
        }
        let subs = vec![
            (Ref::Res(subnet_ids[(2 * a) % subnets]), loc(6)),
            (Ref::Res(subnet_ids[(2 * a + 1) % subnets]), loc(6)),
        ];
        n.nacls.push(Nacl {
            id: acl,
            address: format!("aws_network_acl.a{a}"),
            vpc: Some(Ref::Res(vpc)),
            subnets: subs,
            default: false,
            ingress,
            egress,
            loc: loc(6),
        });
    }
    let sg_ids: Vec<ResourceId> = (0..sgs).map(|_| next_id()).collect();
    for (i, sg) in sg_ids.iter().enumerate() {
        let mut rules = Vec::with_capacity(rules_per_sg);
        for r in 0..rules_per_sg {
            let dir = if r % 3 == 0 {
                Direction::Egress
            } else {
                Direction::Ingress
            };
            let by_group = rng.below(10) < 4;
            rules.push(SgRule {
                direction: dir,
                protocol: Some(if rng.below(10) == 0 {
                    Protocol::All
                } else {
                    Protocol::Tcp
                }),
                ports: Some(ports(&mut rng)),
                ipv4: if by_group {
                    vec![]
                } else {
                    vec![cidr(&mut rng)]
                },
                ipv6: vec![],
                groups: if by_group {
                    vec![Ref::Res(sg_ids[rng.below(sgs as u64) as usize])]
                } else {
                    vec![]
                },
                self_ref: false,
                prefix_lists: vec![],
                prefix_list_unknown: vec![],
                description: None,
                unknown: vec![],
                addresses_unknown: false,
                loc: loc(7 + r as u32),
                declared_by: *sg,
                implicit: false,
            });
        }
        n.security_groups.push(SecurityGroup {
            id: *sg,
            address: format!("aws_security_group.g{i}"),
            rtype: "aws_security_group".into(),
            name: None,
            vpc: Some(Ref::Res(vpc)),
            default: false,
            rules,
            loc: loc(7),
        });
    }
    for i in 0..enis {
        let s = rng.below(subnets as u64) as usize;
        let owner = next_id();
        let groups = (0..1 + rng.below(3))
            .map(|_| Ref::Res(sg_ids[rng.below(sgs as u64) as usize]))
            .collect();
        n.enis.push(Eni {
            owner,
            address: format!("aws_instance.i{i}"),
            kind: EniKind::Instance,
            subnet: Some(Ref::Res(subnet_ids[s])),
            groups,
            ipv6: Vec::new(),
            private_ip: Some(IpAddr::V4(Ipv4Addr::new(
                10,
                (s / 256) as u8,
                (s % 256) as u8,
                4 + (i % 250) as u8,
            ))),
            public_ip: Tri::from(rng.below(2) == 0),
            public_ip_loc: None,
            unknown: vec![],
            loc: loc(9),
        });
    }
    n
}

fn bench(c: &mut Criterion) {
    let net = generate(5000, 2500, 60, 200, 100);
    let estate = Estate::new();
    let mut g = c.benchmark_group("reachability");
    g.sample_size(10);
    g.bench_function("exposure_5000_enis_150k_rules", |b| {
        b.iter(|| black_box(moat_net::exposure(&net, &estate)).len())
    });
    g.bench_function("sg_matrix_2500_groups_tcp", |b| {
        b.iter(|| {
            let mut n = 0usize;
            moat_net::sg_matrix_each(&net, Protocol::Tcp, &mut |e| {
                n += e.ports.first().map_or(0, usize::from) & 1;
                n += 1;
            });
            black_box(n)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
