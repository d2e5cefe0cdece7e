//! The set-based engine against a brute-force reference that evaluates one concrete packet at a
//! time, straight from the AWS semantics, on random small networks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};

use ipnet::{IpNet, Ipv4Net};
use moat_model::aws::network::{
    Action, Direction, Eni, EniKind, Gateway, HealthPort, LbKind, Listener, LoadBalancer, Nacl,
    NaclRule, Network, PortRange, Protocol, Ref, Route, RouteTable, RouteTarget, SecurityGroup,
    SgRule, Subnet, Target, TargetGroup, TargetRef, Vpc,
};
use moat_model::{Estate, Loc, ResourceId, Tri};
use moat_net::diagnose::{lb_paths, DiagnosisKind};
use moat_net::{reach, Endpoint, PortSet, Query, Verdict};
use proptest::prelude::*;

fn loc(line: u32) -> Loc {
    Loc::new("main.tf", line, 1)
}

const VPC: ResourceId = ResourceId(1);
const IGW: ResourceId = ResourceId(2);
const EIGW: ResourceId = ResourceId(3);
fn subnet_id(i: usize) -> ResourceId {
    ResourceId(10 + i as u32)
}
fn sg_id(i: usize) -> ResourceId {
    ResourceId(100 + i as u32)
}
fn eni_id(i: usize) -> ResourceId {
    ResourceId(200 + i as u32)
}
fn rt_id(i: usize) -> ResourceId {
    ResourceId(300 + i as u32)
}
fn acl_id(i: usize) -> ResourceId {
    ResourceId(400 + i as u32)
}

const CIDRS: &[&str] = &[
    "0.0.0.0/0",
    "10.0.0.0/16",
    "10.0.1.0/24",
    "10.0.2.0/24",
    "10.0.1.7/32",
    "203.0.113.0/24",
    "198.51.100.0/25",
    "::/0",
    "2001:db8:10::/56",
    "2001:db8:10:1::/64",
    "2600::/16",
];
const EXTERNAL_IPS: &[&str] = &[
    "203.0.113.9",
    "198.51.100.1",
    "198.51.100.200",
    "8.8.8.8",
    "2600::5",
    "2a00::1",
];
const PORTS: &[(u16, u16)] = &[
    (22, 22),
    (80, 80),
    (443, 443),
    (0, 65535),
    (1024, 65535),
    (8000, 8010),
    (32768, 60999),
];

fn proto_of(i: u8) -> Protocol {
    match i % 3 {
        0 => Protocol::Tcp,
        1 => Protocol::Udp,
        _ => Protocol::All,
    }
}

#[derive(Clone, Debug)]
struct GenRule {
    ingress: bool,
    proto: u8,
    ports: usize,
    cidr: Option<usize>,
    group: Option<usize>,
}

#[derive(Clone, Debug)]
struct GenAcl {
    ingress: bool,
    number: i64,
    allow: bool,
    proto: u8,
    ports: usize,
    cidr: usize,
}

#[derive(Clone, Debug)]
struct GenNet {
    sg_rules: Vec<(usize, GenRule)>,
    acls: Vec<(usize, GenAcl)>,
    has_acl: Vec<bool>,
    igw_route: Vec<bool>,
    /// Per subnet: 0 no IPv6 route, 1 ::/0 -> IGW, 2 ::/0 -> egress-only IGW.
    v6_route: Vec<u8>,
    /// (subnet, groups, public IPv4, host, has an IPv6 address)
    enis: Vec<(usize, Vec<usize>, bool, u8, bool)>,
    /// Group 0 allows all egress and every interface is in it.
    baseline: bool,
}

fn gen_net() -> impl Strategy<Value = GenNet> {
    let cidr =
        prop_oneof![3 => Just(0usize), 3 => Just(1usize), 3 => Just(7usize), 2 => 0..CIDRS.len()];
    let rule = (
        any::<bool>(),
        any::<u8>(),
        prop_oneof![2 => Just(3usize), 3 => 0..PORTS.len()],
        proptest::option::weighted(0.7, cidr),
        proptest::option::weighted(0.4, 0..3usize),
    )
        .prop_map(|(ingress, proto, ports, cidr, group)| GenRule {
            ingress,
            proto,
            ports,
            cidr,
            group,
        });
    let acl = (
        any::<bool>(),
        1i64..200,
        proptest::bool::weighted(0.8),
        any::<u8>(),
        0..PORTS.len(),
        prop_oneof![2 => Just(0usize), 2 => Just(7usize), 1 => 0..CIDRS.len()],
    )
        .prop_map(|(ingress, number, allow, proto, ports, cidr)| GenAcl {
            ingress,
            number,
            allow,
            proto,
            ports,
            cidr,
        });
    (
        proptest::collection::vec((0..3usize, rule), 3..16),
        proptest::collection::vec((0..3usize, acl), 0..14),
        proptest::collection::vec(proptest::bool::weighted(0.4), 3),
        proptest::collection::vec(any::<bool>(), 3),
        proptest::collection::vec(0u8..3, 3),
        proptest::collection::vec(
            (
                0..3usize,
                proptest::collection::vec(0..3usize, 0..3),
                any::<bool>(),
                1u8..30,
                proptest::bool::weighted(0.6),
            ),
            1..5,
        ),
        proptest::bool::weighted(0.7),
    )
        .prop_map(
            |(sg_rules, acls, has_acl, igw_route, v6_route, enis, baseline)| GenNet {
                sg_rules,
                acls,
                has_acl,
                igw_route,
                v6_route,
                enis,
                baseline,
            },
        )
}

fn build(g: &GenNet) -> Network {
    let mut n = Network::default();
    n.vpcs.push(Vpc {
        id: VPC,
        address: "aws_vpc.main".into(),
        declared: moat_model::aws::network::Declared::Created,
        cidrs: vec![
            "10.0.0.0/16".parse().unwrap(),
            "2001:db8:10::/56".parse().unwrap(),
        ],
        unknown: vec![],
        loc: loc(1),
    });
    n.igws.push(Gateway {
        id: IGW,
        address: "aws_internet_gateway.gw".into(),
        vpc: Some(Ref::Res(VPC)),
        loc: loc(2),
    });
    n.egress_only_igws.push(Gateway {
        id: EIGW,
        address: "aws_egress_only_internet_gateway.e".into(),
        vpc: Some(Ref::Res(VPC)),
        loc: loc(2),
    });
    for i in 0..3 {
        n.subnets.push(Subnet {
            id: subnet_id(i),
            address: format!("aws_subnet.s{i}"),
            name: format!("s{i}"),
            vpc: Some(Ref::Res(VPC)),
            cidr: Some(format!("10.0.{i}.0/24").parse().unwrap()),
            ipv6_cidr: Some(format!("2001:db8:10:{i}::/64").parse().unwrap()),
            az: None,
            map_public_ip: Tri::False,
            declared: moat_model::aws::network::Declared::Created,
            map_public_ip_on_launch: moat_model::aws::Attr::default(
                false,
                loc(3),
                "map_public_ip_on_launch",
                subnet_id(i),
            ),
            unknown: vec![],
            loc: loc(3),
        });
        let mut routes = Vec::new();
        if g.igw_route[i] {
            routes.push(Route {
                dest: Some("0.0.0.0/0".parse().unwrap()),
                dest_unknown: None,
                target: RouteTarget::Igw(Ref::Res(IGW)),
                declared_by: rt_id(i),
                loc: loc(4),
            });
        }
        // IPv6: ::/0 to the IGW, or to an egress-only IGW (outbound only), or nothing.
        match g.v6_route[i] {
            1 => routes.push(Route {
                dest: Some("::/0".parse().unwrap()),
                dest_unknown: None,
                target: RouteTarget::Igw(Ref::Res(IGW)),
                declared_by: rt_id(i),
                loc: loc(4),
            }),
            2 => routes.push(Route {
                dest: Some("::/0".parse().unwrap()),
                dest_unknown: None,
                target: RouteTarget::EgressOnlyIgw(Ref::Res(EIGW)),
                declared_by: rt_id(i),
                loc: loc(4),
            }),
            _ => {}
        }
        n.route_tables.push(RouteTable {
            id: rt_id(i),
            address: format!("aws_route_table.r{i}"),
            vpc: Some(Ref::Res(VPC)),
            routes,
            subnets: vec![(Ref::Res(subnet_id(i)), loc(5))],
            main: false,
            loc: loc(5),
        });
        if g.has_acl[i] {
            let mut ingress = Vec::new();
            let mut egress = Vec::new();
            for (k, (s, a)) in g.acls.iter().enumerate() {
                if *s != i {
                    continue;
                }
                let p = proto_of(a.proto);
                let (f, t) = PORTS[a.ports];
                let r = NaclRule {
                    number: a.number,
                    action: if a.allow { Action::Allow } else { Action::Deny },
                    protocol: Some(p),
                    ports: Some(if p.has_ports() {
                        PortRange::new(f, t)
                    } else {
                        PortRange::ALL
                    }),
                    cidr: Some(CIDRS[a.cidr].parse().unwrap()),
                    unknown: vec![],
                    declared_by: acl_id(i),
                    loc: loc(100 + k as u32),
                };
                if a.ingress {
                    ingress.push(r)
                } else {
                    egress.push(r)
                }
            }
            // AWS rejects duplicate numbers; keep the first.
            for v in [&mut ingress, &mut egress] {
                v.sort_by_key(|r| r.number);
                v.dedup_by_key(|r| r.number);
            }
            n.nacls.push(Nacl {
                id: acl_id(i),
                address: format!("aws_network_acl.a{i}"),
                vpc: Some(Ref::Res(VPC)),
                subnets: vec![(Ref::Res(subnet_id(i)), loc(6))],
                default: false,
                ingress,
                egress,
                loc: loc(6),
            });
        }
    }
    for i in 0..3 {
        let mut rules = Vec::new();
        if g.baseline && i == 0 {
            rules.push(SgRule {
                direction: Direction::Egress,
                protocol: Some(Protocol::All),
                ports: Some(PortRange::ALL),
                ipv4: vec!["0.0.0.0/0".parse().unwrap()],
                ipv6: vec!["::/0".parse().unwrap()],
                groups: vec![],
                self_ref: false,
                prefix_lists: vec![],
                prefix_list_unknown: vec![],
                description: None,
                unknown: vec![],
                addresses_unknown: false,
                loc: loc(49),
                declared_by: sg_id(0),
                implicit: false,
            });
        }
        for (k, (s, r)) in g.sg_rules.iter().enumerate() {
            if *s != i {
                continue;
            }
            let p = proto_of(r.proto);
            let (f, t) = PORTS[r.ports];
            let mut ipv4 = Vec::new();
            let mut ipv6 = Vec::new();
            if let Some(c) = r.cidr {
                match CIDRS[c].parse::<IpNet>().unwrap() {
                    IpNet::V4(x) => ipv4.push(x),
                    IpNet::V6(x) => ipv6.push(x),
                }
            }
            rules.push(SgRule {
                direction: if r.ingress {
                    Direction::Ingress
                } else {
                    Direction::Egress
                },
                protocol: Some(p),
                ports: Some(if p.has_ports() {
                    PortRange::new(f, t)
                } else {
                    PortRange::ALL
                }),
                ipv4,
                ipv6,
                groups: r
                    .group
                    .map(|x| vec![Ref::Res(sg_id(x))])
                    .unwrap_or_default(),
                self_ref: false,
                prefix_lists: vec![],
                prefix_list_unknown: vec![],
                description: None,
                unknown: vec![],
                addresses_unknown: false,
                loc: loc(50 + k as u32),
                declared_by: sg_id(i),
                implicit: false,
            });
        }
        n.security_groups.push(SecurityGroup {
            id: sg_id(i),
            address: format!("aws_security_group.g{i}"),
            rtype: "aws_security_group".into(),
            name: None,
            vpc: Some(Ref::Res(VPC)),
            default: false,
            rules,
            loc: loc(7),
        });
    }
    for (k, (s, groups, public, host, v6)) in g.enis.iter().enumerate() {
        let mut gs: Vec<Ref> = groups.iter().map(|x| Ref::Res(sg_id(*x))).collect();
        if g.baseline {
            gs.push(Ref::Res(sg_id(0)));
        }
        gs.sort_by_key(|r| r.res());
        gs.dedup();
        n.enis.push(Eni {
            owner: eni_id(k),
            address: format!("aws_instance.i{k}"),
            kind: EniKind::Instance,
            subnet: Some(Ref::Res(subnet_id(*s))),
            groups: gs,
            ipv6: if *v6 {
                vec![format!(
                    "2001:db8:10:{s}::{:x}/128",
                    host.wrapping_add(k as u8 * 31) % 250 + 4
                )
                .parse()
                .unwrap()]
            } else {
                Vec::new()
            },
            private_ip: Some(IpAddr::V4(Ipv4Addr::new(
                10,
                0,
                *s as u8,
                host.wrapping_add(k as u8 * 31) % 250 + 4,
            ))),
            public_ip: Tri::from(*public),
            public_ip_loc: None,
            unknown: vec![],
            loc: loc(8),
        });
    }
    n
}

// ------------------------------------------------------------------------------------------
// The reference: one packet, no sets.

#[derive(Clone, Debug)]
struct Packet {
    src: Result<usize, IpAddr>,
    dst: usize,
    proto: Protocol,
    dport: u16,
    sport: u16,
}

fn rule_port_ok(p: Protocol, ports: Option<PortRange>, want_proto: Protocol, port: u16) -> bool {
    if !p.matches(want_proto) {
        return false;
    }
    if p == Protocol::All || !want_proto.has_ports() {
        return true;
    }
    ports.is_some_and(|r| r.from <= port && port <= r.to)
}

fn sg_allows(
    n: &Network,
    groups: &[Ref],
    dir: Direction,
    peer: IpAddr,
    peer_groups: &[Ref],
    proto: Protocol,
    port: u16,
) -> bool {
    groups.iter().any(|g| {
        let sg = n
            .security_groups
            .iter()
            .find(|s| Ref::Res(s.id) == *g)
            .unwrap();
        sg.rules.iter().any(|r| {
            r.direction == dir
                && rule_port_ok(r.protocol.unwrap(), r.ports, proto, port)
                && (r.ipv4.iter().any(|c| IpNet::V4(*c).contains(&peer))
                    || r.ipv6.iter().any(|c| IpNet::V6(*c).contains(&peer))
                    || r.groups.iter().any(|x| peer_groups.contains(x)))
        })
    })
}

fn acl_allows(
    n: &Network,
    subnet: ResourceId,
    egress: bool,
    peer: IpAddr,
    proto: Protocol,
    port: u16,
) -> bool {
    let Some(acl) = n
        .nacls
        .iter()
        .find(|a| a.subnets.iter().any(|(s, _)| *s == Ref::Res(subnet)))
    else {
        return true;
    };
    let rules = if egress { &acl.egress } else { &acl.ingress };
    for r in rules {
        if r.cidr.unwrap().contains(&peer)
            && rule_port_ok(r.protocol.unwrap(), r.ports, proto, port)
        {
            return r.action == Action::Allow;
        }
    }
    false
}

fn subnet_of(e: &Eni) -> ResourceId {
    e.subnet.as_ref().and_then(Ref::res).unwrap()
}

fn igw_route(n: &Network, subnet: ResourceId, ip: IpAddr) -> bool {
    let t = n
        .route_tables
        .iter()
        .find(|t| t.subnets.iter().any(|(s, _)| *s == Ref::Res(subnet)))
        .unwrap();
    // Longest prefix match among the routes of the packet's family (no local route applies
    // to an outside address); only an internet gateway brings traffic in.
    t.routes
        .iter()
        .filter(|r| r.dest.unwrap().contains(&ip))
        .max_by_key(|r| r.dest.unwrap().prefix_len())
        .is_some_and(|r| matches!(r.target, RouteTarget::Igw(_)))
}

/// The address of an interface in one family.
fn addr(e: &Eni, v6: bool) -> Option<IpAddr> {
    if v6 {
        e.ipv6.first().map(|n| IpAddr::V6(n.addr()))
    } else {
        e.private_ip
    }
}

fn reference(n: &Network, p: &Packet) -> bool {
    match p.src {
        // Between interfaces the engine answers for any family.
        Ok(_) => reference_family(n, p, false) || reference_family(n, p, true),
        Err(ip) => reference_family(n, p, ip.is_ipv6()),
    }
}

fn reference_family(n: &Network, p: &Packet, v6: bool) -> bool {
    let dst = &n.enis[p.dst];
    let Some(dip) = addr(dst, v6) else {
        return false;
    };
    let dsub = subnet_of(dst);
    match p.src {
        Ok(si) => {
            let src = &n.enis[si];
            let Some(sip) = addr(src, v6) else {
                return false;
            };
            let ssub = subnet_of(src);
            if !sg_allows(
                n,
                &src.groups,
                Direction::Egress,
                dip,
                &dst.groups,
                p.proto,
                p.dport,
            ) {
                return false;
            }
            if ssub != dsub {
                let reply_ports = p.proto.has_ports();
                if !acl_allows(n, ssub, true, dip, p.proto, p.dport)
                    || !acl_allows(n, dsub, false, sip, p.proto, p.dport)
                    || (reply_ports && !acl_allows(n, dsub, true, sip, p.proto, p.sport))
                    || (reply_ports && !acl_allows(n, ssub, false, dip, p.proto, p.sport))
                {
                    return false;
                }
            }
            sg_allows(
                n,
                &dst.groups,
                Direction::Ingress,
                sip,
                &src.groups,
                p.proto,
                p.dport,
            )
        }
        Err(ext) => {
            // IPv6 addresses are public; IPv4 needs a public address on the interface.
            if (!v6 && !dst.public_ip.is_true()) || !igw_route(n, dsub, ext) {
                return false;
            }
            if !acl_allows(n, dsub, false, ext, p.proto, p.dport) {
                return false;
            }
            if p.proto.has_ports() && !acl_allows(n, dsub, true, ext, p.proto, p.sport) {
                return false;
            }
            sg_allows(
                n,
                &dst.groups,
                Direction::Ingress,
                ext,
                &[],
                p.proto,
                p.dport,
            )
        }
    }
}

fn gen_packet(nenis: usize) -> impl Strategy<Value = Packet> {
    (
        prop_oneof![
            (0..nenis).prop_map(Ok),
            (0..EXTERNAL_IPS.len()).prop_map(|i| Err(EXTERNAL_IPS[i].parse::<IpAddr>().unwrap()))
        ],
        0..nenis,
        0u8..2,
        prop_oneof![
            Just(22u16),
            Just(80),
            Just(443),
            Just(8005),
            Just(1023),
            Just(1024),
            Just(40000),
            Just(65535),
            Just(0),
            any::<u16>()
        ],
        prop_oneof![
            Just(1024u16),
            Just(2000),
            Just(33000),
            Just(61000),
            Just(65535),
            any::<u16>()
        ],
    )
        .prop_map(|(src, dst, proto, dport, sport)| Packet {
            src,
            dst,
            proto: if proto == 0 {
                Protocol::Tcp
            } else {
                Protocol::Udp
            },
            dport,
            sport,
        })
}

fn engine(n: &Network, p: &Packet) -> Verdict {
    let estate = Estate::new();
    let from = match p.src {
        Ok(i) => Endpoint::Resource(n.enis[i].owner),
        Err(ip) => Endpoint::Cidr(IpNet::from(ip)),
    };
    let mut q = Query::new(
        from,
        Endpoint::Resource(n.enis[p.dst].owner),
        p.proto,
        PortSet::single(p.dport),
    );
    q.src_ports = PortSet::single(p.sport);
    reach(n, &estate, &q).unwrap().verdict
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn engine_agrees_with_reference(
        (g, packets) in gen_net().prop_flat_map(|g| {
            let ne = g.enis.len();
            (Just(g), proptest::collection::vec(gen_packet(ne), 12))
        })
    ) {
        let n = build(&g);
        for p in packets {
            if let Ok(s) = p.src {
                if s == p.dst { continue; }
            }
            let want = reference(&n, &p);
            let got = engine(&n, &p);
            prop_assert_eq!(got, if want { Verdict::Reachable } else { Verdict::Blocked }, "packet {:?}", p);
        }
    }
}

/// The generator must produce both verdicts often, or the property proves little.
#[test]
fn generator_produces_both_verdicts() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut yes, mut no) = (0, 0);
    let (mut yes6, mut no6) = (0, 0);
    for _ in 0..600 {
        let g = gen_net().new_tree(&mut runner).unwrap().current();
        let n = build(&g);
        let p = gen_packet(n.enis.len())
            .new_tree(&mut runner)
            .unwrap()
            .current();
        if p.src == Ok(p.dst) {
            continue;
        }
        let ok = reference(&n, &p);
        if ok {
            yes += 1
        } else {
            no += 1
        }
        let v6_src = matches!(p.src, Err(ip) if ip.is_ipv6());
        if v6_src || (p.src.is_ok() && !reference_family(&n, &p, false)) {
            if ok {
                yes6 += 1
            } else {
                no6 += 1
            }
        }
    }
    assert!(yes >= 30 && no >= 30, "reachable {yes}, blocked {no}");
    eprintln!("reachable {yes}, blocked {no}; IPv6 only: {yes6}, {no6}");
    assert!(
        yes6 >= 5 && no6 >= 5,
        "IPv6 only: reachable {yes6}, blocked {no6}"
    );
}

#[test]
fn nacl_reply_on_ephemeral_ports_is_checked() {
    // Instance 0 in s0 talks to instance 1 in s1 on 443; s1's NACL allows inbound 443 but
    // outbound only 80: the reply to the ephemeral port is dropped.
    let g = GenNet {
        sg_rules: vec![
            (
                0,
                GenRule {
                    ingress: false,
                    proto: 2,
                    ports: 3,
                    cidr: Some(0),
                    group: None,
                },
            ),
            (
                1,
                GenRule {
                    ingress: true,
                    proto: 0,
                    ports: 2,
                    cidr: Some(1),
                    group: None,
                },
            ),
        ],
        acls: vec![
            (
                1,
                GenAcl {
                    ingress: true,
                    number: 100,
                    allow: true,
                    proto: 0,
                    ports: 2,
                    cidr: 0,
                },
            ),
            (
                1,
                GenAcl {
                    ingress: false,
                    number: 100,
                    allow: true,
                    proto: 0,
                    ports: 1,
                    cidr: 0,
                },
            ),
        ],
        has_acl: vec![false, true, false],
        igw_route: vec![false, false, false],
        v6_route: vec![0, 0, 0],
        enis: vec![(0, vec![0], false, 5, false), (1, vec![1], false, 6, false)],
        baseline: false,
    };
    let n = build(&g);
    let estate = Estate::new();
    let q = Query::new(
        Endpoint::Resource(eni_id(0)),
        Endpoint::Resource(eni_id(1)),
        Protocol::Tcp,
        PortSet::single(443),
    );
    let r = reach(&n, &estate, &q).unwrap();
    assert_eq!(r.verdict, Verdict::Blocked);
    let b = r.blocked.unwrap();
    assert_eq!(b.code, "SUBNET_ACL_RESTRICTION");
    assert_eq!(b.resource, "aws_network_acl.a1");
    assert!(b.reason.contains("ephemeral"), "{}", b.reason);
}

#[test]
fn same_subnet_ignores_nacl_and_sg_reference_matches_members() {
    let g = GenNet {
        sg_rules: vec![
            (
                0,
                GenRule {
                    ingress: false,
                    proto: 0,
                    ports: 5,
                    cidr: None,
                    group: Some(1),
                },
            ),
            (
                1,
                GenRule {
                    ingress: true,
                    proto: 0,
                    ports: 5,
                    cidr: None,
                    group: Some(0),
                },
            ),
        ],
        acls: vec![],
        has_acl: vec![true, true, true], // deny-all NACLs
        igw_route: vec![false, false, false],
        v6_route: vec![0, 0, 0],
        enis: vec![
            (0, vec![0], false, 5, false),
            (0, vec![1], false, 6, false),
            (1, vec![1], false, 7, false),
        ],
        baseline: false,
    };
    let n = build(&g);
    let estate = Estate::new();
    let q = Query::new(
        Endpoint::Resource(eni_id(0)),
        Endpoint::Resource(eni_id(1)),
        Protocol::Tcp,
        PortSet::single(8000),
    );
    let r = reach(&n, &estate, &q).unwrap();
    assert_eq!(r.verdict, Verdict::Reachable);
    let sg_hop = r.paths[0]
        .hops
        .iter()
        .find(|h| h.kind == "security-group" && h.detail.starts_with("ingress"))
        .unwrap();
    assert_eq!(sg_hop.resource, "aws_security_group.g1");
    // Across subnets the deny-all NACL blocks.
    let q = Query::new(
        Endpoint::Resource(eni_id(0)),
        Endpoint::Resource(eni_id(2)),
        Protocol::Tcp,
        PortSet::single(8000),
    );
    let r = reach(&n, &estate, &q).unwrap();
    assert_eq!(r.verdict, Verdict::Blocked);
    assert_eq!(r.blocked.unwrap().code, "SUBNET_ACL_RESTRICTION");
}

#[test]
fn internet_needs_public_ip_and_igw_route() {
    let g = GenNet {
        sg_rules: vec![(
            0,
            GenRule {
                ingress: true,
                proto: 0,
                ports: 2,
                cidr: Some(0),
                group: None,
            },
        )],
        acls: vec![],
        has_acl: vec![false, false, false],
        igw_route: vec![true, false, false],
        v6_route: vec![0, 0, 0],
        enis: vec![
            (0, vec![0], true, 5, false),
            (0, vec![0], false, 6, false),
            (1, vec![0], true, 7, false),
        ],
        baseline: false,
    };
    let n = build(&g);
    let estate = Estate::new();
    let ask = |i: usize| {
        let q = Query::new(
            Endpoint::Internet,
            Endpoint::Resource(eni_id(i)),
            Protocol::Tcp,
            PortSet::single(443),
        );
        reach(&n, &estate, &q).unwrap()
    };
    assert_eq!(ask(0).verdict, Verdict::Reachable);
    let r = ask(1);
    assert_eq!(r.verdict, Verdict::Blocked);
    assert_eq!(
        r.blocked.unwrap().code,
        "IGW_PUBLIC_IP_ASSOCIATION_FOR_INGRESS"
    );
    let r = ask(2);
    assert_eq!(r.verdict, Verdict::Blocked);
    let b = r.blocked.unwrap();
    assert_eq!(b.code, "NO_ROUTE_TO_DESTINATION");
    assert_eq!(b.resource, "aws_route_table.r1");
    let _ = Ipv4Net::default();
}

// ------------------------------------------------------------------------------------------
// Diagnoses against the reference: an internal load balancer in subnet 2 sends to some of
// the interfaces. For every target, each component that the reference finds dropping the
// corresponding packets (load balancer -> target on the traffic and health-check ports, the
// replies to the load balancer's ephemeral ports) must be named by a diagnosis, and nothing
// else.

const LB: ResourceId = ResourceId(500);
const LISTENER: ResourceId = ResourceId(501);
const TG: ResourceId = ResourceId(502);
/// An address of the load balancer's subnet: no generated CIDR splits 10.0.2.0/24, so it
/// stands for every address the load balancer may send from.
const LB_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 10);
const LB_PORTS: &[u16] = &[22, 80, 443, 8005, 40000];
/// One client port of each stretch of 1024-65535 on which every generated rule behaves alike
/// (the rules' ports come from `PORTS`).
const EPHEMERAL_CLASSES: &[u16] = &[1024, 8000, 8011, 32768, 61000];

#[derive(Clone, Debug)]
struct GenLb {
    group: usize,
    targets: Vec<usize>,
    port: usize,
    health: Option<usize>,
}

fn gen_lb_net() -> impl Strategy<Value = (GenNet, GenLb)> {
    gen_net().prop_flat_map(|g| {
        let ne = g.enis.len();
        let lb = (
            0..3usize,
            proptest::collection::vec(0..ne, 1..=ne),
            0..LB_PORTS.len(),
            proptest::option::weighted(0.4, 0..LB_PORTS.len()),
        )
            .prop_map(|(group, mut targets, port, health)| {
                targets.sort_unstable();
                targets.dedup();
                GenLb {
                    group,
                    targets,
                    port,
                    health,
                }
            });
        (Just(g), lb)
    })
}

fn build_lb(g: &GenNet, l: &GenLb) -> Network {
    let mut n = build(g);
    for &t in &l.targets {
        // A target without groups gets the VPC's default group, which is not in the files.
        if n.enis[t].groups.is_empty() {
            n.enis[t].groups.push(Ref::Res(sg_id(0)));
        }
    }
    let mut groups = vec![Ref::Res(sg_id(l.group))];
    if g.baseline {
        groups.push(Ref::Res(sg_id(0)));
    }
    groups.sort_by_key(|r| r.res());
    groups.dedup();
    n.load_balancers.push(LoadBalancer {
        id: LB,
        address: "aws_lb.lb".into(),
        kind: LbKind::Application,
        internal: Tri::True,
        subnets: vec![Ref::Res(subnet_id(2))],
        groups: groups.clone(),
        loc: loc(600),
    });
    n.enis.push(Eni {
        owner: LB,
        address: "aws_lb.lb".into(),
        kind: EniKind::LoadBalancer,
        subnet: Some(Ref::Res(subnet_id(2))),
        groups,
        ipv6: Vec::new(),
        private_ip: None,
        public_ip: Tri::False,
        public_ip_loc: None,
        unknown: vec![],
        loc: loc(600),
    });
    n.listeners.push(Listener {
        id: LISTENER,
        address: "aws_lb_listener.l".into(),
        lb: Some(Ref::Res(LB)),
        port: Some(80),
        protocol: Some("HTTP".into()),
        target_groups: vec![(Ref::Res(TG), loc(601))],
        unknown: vec![],
        loc: loc(601),
    });
    n.target_groups.push(TargetGroup {
        id: TG,
        address: "aws_lb_target_group.tg".into(),
        port: Some(LB_PORTS[l.port]),
        protocol: Some("HTTP".into()),
        target_type: "instance".into(),
        health_port: match l.health {
            Some(h) => HealthPort::Port(LB_PORTS[h]),
            None => HealthPort::TrafficPort,
        },
        health_loc: loc(602),
        preserve_client_ip: Tri::False,
        vpc: Some(Ref::Res(VPC)),
        loc: loc(602),
    });
    for (k, &t) in l.targets.iter().enumerate() {
        n.targets.push(Target {
            group: Ref::Res(TG),
            target: TargetRef::Resource(eni_id(t)),
            port: None,
            declared_by: ResourceId(510 + k as u32),
            loc: loc(610 + k as u32),
        });
    }
    n
}

/// The group a diagnosis names for a set of groups: the first by address.
fn first_group(n: &Network, groups: &[Ref]) -> (ResourceId, Loc) {
    let sg = groups
        .iter()
        .filter_map(|g| n.security_groups.iter().find(|s| Ref::Res(s.id) == *g))
        .min_by(|a, b| a.address.cmp(&b.address))
        .unwrap();
    (sg.id, sg.loc.clone())
}

/// The rule that decides a packet at a network ACL, `None` for the final deny.
fn acl_decider(
    n: &Network,
    subnet: ResourceId,
    egress: bool,
    peer: IpAddr,
    port: u16,
) -> Option<&NaclRule> {
    let acl = n
        .nacls
        .iter()
        .find(|a| a.subnets.iter().any(|(s, _)| *s == Ref::Res(subnet)))?;
    let rules = if egress { &acl.egress } else { &acl.ingress };
    rules.iter().find(|r| {
        r.cidr.unwrap().contains(&peer)
            && rule_port_ok(r.protocol.unwrap(), r.ports, Protocol::Tcp, port)
    })
}

type Named = (DiagnosisKind, ResourceId, Loc, String);

/// What the reference says must be diagnosed: (kind, component, line, target).
fn reference_diagnoses(n: &Network, l: &GenLb) -> BTreeSet<Named> {
    let mut out = BTreeSet::new();
    let lb = &n.load_balancers[0];
    let lb_ip = IpAddr::V4(LB_IP);
    let tp = LB_PORTS[l.port];
    let hp = l.health.map_or(tp, |h| LB_PORTS[h]);
    let mut ports = vec![tp];
    if hp != tp {
        ports.push(hp);
    }
    for &t in &l.targets {
        let eni = &n.enis[t];
        let tip = eni.private_ip.unwrap();
        let name = eni.address.clone();
        // The load balancer's security groups: egress to the target.
        if ports.iter().any(|p| {
            !sg_allows(
                n,
                &lb.groups,
                Direction::Egress,
                tip,
                &eni.groups,
                Protocol::Tcp,
                *p,
            )
        }) {
            let (id, at) = first_group(n, &lb.groups);
            out.insert((DiagnosisKind::LbEgressMissing, id, at, name.clone()));
        }
        // The target's security groups: ingress from the load balancer.
        let ingress = |p: u16| {
            sg_allows(
                n,
                &eni.groups,
                Direction::Ingress,
                lb_ip,
                &lb.groups,
                Protocol::Tcp,
                p,
            )
        };
        let (tsg, tsg_loc) = first_group(n, &eni.groups);
        if !ingress(tp) {
            out.insert((
                DiagnosisKind::TargetPortNotAdmitted,
                tsg,
                tsg_loc.clone(),
                name.clone(),
            ));
        }
        if hp != tp && !ingress(hp) {
            out.insert((
                DiagnosisKind::HealthCheckNotAdmitted,
                tsg,
                tsg_loc,
                name.clone(),
            ));
        }
        // The network ACLs of both subnets, request and reply (not within one subnet).
        let tsub = subnet_of(eni);
        let lsub = subnet_id(2);
        if tsub == lsub {
            continue;
        }
        let legs: [(ResourceId, bool, IpAddr, &[u16]); 4] = [
            (lsub, true, tip, &ports),
            (lsub, false, tip, EPHEMERAL_CLASSES),
            (tsub, false, lb_ip, &ports),
            (tsub, true, lb_ip, EPHEMERAL_CLASSES),
        ];
        for (subnet, egress, peer, leg_ports) in legs {
            let Some(acl) = n
                .nacls
                .iter()
                .find(|a| a.subnets.iter().any(|(s, _)| *s == Ref::Res(subnet)))
            else {
                continue;
            };
            let dropped: Vec<u16> = leg_ports
                .iter()
                .copied()
                .filter(|p| !acl_allows(n, subnet, egress, peer, Protocol::Tcp, *p))
                .collect();
            if dropped.is_empty() {
                continue;
            }
            // The first rule (in order) that denies one of the dropped packets, else the
            // final deny at the ACL itself.
            let rules = if egress { &acl.egress } else { &acl.ingress };
            let at = dropped
                .iter()
                .filter_map(|p| acl_decider(n, subnet, egress, peer, *p))
                .filter_map(|r| rules.iter().position(|x| std::ptr::eq(x, r)))
                .min()
                .map_or(acl.loc.clone(), |i| rules[i].loc.clone());
            out.insert((DiagnosisKind::NaclDropsLbPath, acl.id, at, name.clone()));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn diagnoses_agree_with_reference((g, l) in gen_lb_net()) {
        let n = build_lb(&g, &l);
        let want = reference_diagnoses(&n, &l);
        let kinds = [
            DiagnosisKind::TargetPortNotAdmitted,
            DiagnosisKind::HealthCheckNotAdmitted,
            DiagnosisKind::LbEgressMissing,
            DiagnosisKind::NaclDropsLbPath,
        ];
        let diags = lb_paths(&n);
        let mut got = BTreeSet::new();
        for d in diags.iter().filter(|d| kinds.contains(&d.kind)) {
            prop_assert!(!d.unknown, "nothing is unknown here: {:?}", d);
            let target = l
                .targets
                .iter()
                .map(|&t| n.enis[t].address.clone())
                .find(|a| d.message.contains(&format!("`{a}`")));
            prop_assert!(target.is_some(), "a diagnosis names its target: {:?}", d);
            got.insert((d.kind, d.resource, d.loc.clone(), target.unwrap()));
        }
        prop_assert_eq!(got, want, "diagnoses: {:#?}", diags);
    }
}

/// The load-balancer generator must produce paths that pass and paths that each kind of
/// component drops, or the property proves little.
#[test]
fn lb_generator_produces_every_outcome() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut seen: std::collections::BTreeMap<DiagnosisKind, usize> = Default::default();
    let mut clean = 0;
    for _ in 0..400 {
        let (g, l) = gen_lb_net().new_tree(&mut runner).unwrap().current();
        let n = build_lb(&g, &l);
        let want = reference_diagnoses(&n, &l);
        if want.is_empty() {
            clean += 1;
        }
        for (k, ..) in want {
            *seen.entry(k).or_default() += 1;
        }
    }
    eprintln!("clean {clean}, {seen:?}");
    assert!(clean >= 20, "only {clean} clean load-balancer paths");
    for k in [
        DiagnosisKind::TargetPortNotAdmitted,
        DiagnosisKind::HealthCheckNotAdmitted,
        DiagnosisKind::LbEgressMissing,
        DiagnosisKind::NaclDropsLbPath,
    ] {
        assert!(seen.get(&k).copied().unwrap_or(0) >= 10, "{k:?}: {seen:?}");
    }
}
