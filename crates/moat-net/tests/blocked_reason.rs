//! Issue 6: `moat reach --from ::/0 --to X` answered `blocked` with `blocked: null`. When no
//! address of the source shared a family with an address of the destination (IPv6 clients, a
//! destination without IPv6), no leg was evaluated, no component was met, and nothing said why.
//! Every `blocked` verdict now names the component and the reason: the VPC without an IPv6
//! block, else the subnet, else the interface (`NO_ROUTE_TO_DESTINATION`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;
use std::path::Path;

mod common;

use moat_model::aws::network::Protocol;
use moat_model::Estate;
use moat_net::{reach, Block, Endpoint, PortSet, Query, ReachResult, Verdict};

fn load_dir(dir: &Path) -> Estate {
    let mut v = moat_terraform::load(dir, &moat_terraform::Options::default());
    assert_eq!(v.len(), 1, "{}", dir.display());
    let e = v.remove(0);
    // Some fixtures write the seeds' mutual inline security-group references, which Terraform
    // rejects as a cycle: moat reports it and still reads every resource.
    assert!(
        e.errors.iter().all(|x| x.is_reference_cycle()),
        "{:?}",
        e.errors
    );
    e
}

fn fixture(name: &str) -> Estate {
    // `lb_az` is NET012's fixture, shared with moat-rules.
    if name == "lb_az" {
        return load_dir(&common::rule_fixture("network", "NET012", "fail"));
    }
    load_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
}

/// The IPv6 fixture with some text replaced.
fn ipv6_variant(replacements: &[(&str, &str)]) -> Estate {
    let mut text = include_str!("fixtures/ipv6/main.tf").to_string();
    for (a, b) in replacements {
        assert!(text.contains(a), "fixture does not contain {a:?}");
        text = text.replacen(a, b, 1);
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), text).unwrap();
    load_dir(dir.path())
}

fn ep(e: &Estate, s: &str) -> Endpoint {
    if s == "internet" {
        Endpoint::Internet
    } else if let Ok(c) = s.parse() {
        Endpoint::Cidr(c)
    } else {
        Endpoint::Resource(e.by_address(s).unwrap_or_else(|| panic!("no {s}")))
    }
}

fn ask(e: &Estate, from: &str, to: &str, ports: PortSet) -> ReachResult {
    let net = e.aws.network.clone();
    reach(
        &net,
        e,
        &Query::new(ep(e, from), ep(e, to), Protocol::Tcp, ports),
    )
    .unwrap()
}

fn blocked(e: &Estate, from: &str, to: &str, port: u16) -> Block {
    let r = ask(e, from, to, PortSet::single(port));
    assert_eq!(r.verdict, Verdict::Blocked, "{from} -> {to}: {r:?}");
    assert!(r.paths.is_empty());
    r.blocked
        .unwrap_or_else(|| panic!("{from} -> {to}: blocked without a reason"))
}

#[test]
fn blocked_null_from_ipv6_into_a_vpc_without_ipv6() {
    let e = fixture("three_tier");
    for from in ["::/0", "2001:db8::/32", "2600:1f18::1/128"] {
        for to in ["aws_instance.nginx", "aws_lb.web", "aws_db_instance.mysql"] {
            let b = blocked(&e, from, to, 443);
            assert_eq!(
                (b.resource.as_str(), b.kind, b.code),
                ("aws_vpc.main", "vpc", "NO_ROUTE_TO_DESTINATION"),
                "{from} -> {to}"
            );
            let loc = b.loc.unwrap();
            assert_eq!((&*loc.file, loc.line), ("main.tf", 4));
            assert!(
                b.reason.starts_with(&format!(
                    "VPC `aws_vpc.main` has no IPv6 CIDR block: `{to}` has no IPv6 address, so nothing routes "
                )),
                "{}",
                b.reason
            );
        }
    }
    assert_eq!(
        blocked(&e, "::/0", "aws_instance.nginx", 443).reason,
        "VPC `aws_vpc.main` has no IPv6 CIDR block: `aws_instance.nginx` has no IPv6 address, so nothing routes the IPv6 internet to it; for IPv6, give the VPC an IPv6 block (`assign_generated_ipv6_cidr_block = true`), its subnets an `ipv6_cidr_block` and the interface an IPv6 address"
    );
    // Every port, too.
    let r = ask(&e, "::/0", "aws_instance.nginx", PortSet::all());
    assert_eq!(r.verdict, Verdict::Blocked);
    assert_eq!(r.blocked.unwrap().resource, "aws_vpc.main");
    // IPv4 is unchanged: it meets real components.
    let b = blocked(&e, "0.0.0.0/0", "aws_instance.nginx", 22);
    assert_ne!(b.kind, "vpc", "{b:?}");
}

#[test]
fn blocked_null_from_ipv6_into_a_subnet_without_ipv6() {
    let e = ipv6_variant(&[(
        "  cidr_block        = \"10.0.11.0/24\"\n  ipv6_cidr_block   = cidrsubnet(aws_vpc.main.ipv6_cidr_block, 8, 11)\n",
        "  cidr_block        = \"10.0.11.0/24\"\n",
    )]);
    let b = blocked(&e, "::/0", "aws_instance.app", 22);
    assert_eq!(
        (b.resource.as_str(), b.kind, b.code),
        ("aws_subnet.private_a", "subnet", "NO_ROUTE_TO_DESTINATION")
    );
    assert_eq!(
        b.reason,
        "subnet `aws_subnet.private_a` has no IPv6 CIDR block: `aws_instance.app` in it has no IPv6 address, so nothing routes the IPv6 internet to it; give the subnet an `ipv6_cidr_block` and the interface an IPv6 address"
    );
    assert_eq!(b.loc.unwrap().line, 33);
}

#[test]
fn blocked_null_from_ipv6_to_an_interface_without_ipv6() {
    let e = ipv6_variant(&[("  ipv6_address_count     = 1\n", "")]);
    let b = blocked(&e, "::/0", "aws_instance.app", 22);
    assert_eq!(
        (b.resource.as_str(), b.kind, b.code),
        ("aws_instance.app", "eni", "NO_ROUTE_TO_DESTINATION")
    );
    assert_eq!(
        b.reason,
        "`aws_instance.app` has no IPv6 address (its subnet `aws_subnet.private_a` has an IPv6 block), so nothing routes the IPv6 internet to it; set `ipv6_address_count` (or `ipv6_addresses`) on the interface, or `assign_ipv6_address_on_creation` on the subnet"
    );
    // A load balancer that is not dual-stack: say how to make it one. (Its subnets do not
    // assign IPv6 addresses on creation either: the view gives any interface in such a subnet
    // an IPv6 address.)
    let e = ipv6_variant(&[
        ("  ip_address_type    = \"dualstack\"\n", ""),
        ("  assign_ipv6_address_on_creation = true\n", ""),
        ("  assign_ipv6_address_on_creation = true\n", ""),
    ]);
    let b = blocked(&e, "2001:db8:ffff::1/128", "aws_lb.web", 443);
    assert_eq!((b.resource.as_str(), b.kind), ("aws_lb.web", "eni"));
    assert!(
        b.reason
            .ends_with("set `ip_address_type = \"dualstack\"` on the load balancer"),
        "{}",
        b.reason
    );
}

#[test]
fn blocked_null_outbound_from_an_interface_without_ipv6() {
    let e = fixture("three_tier");
    for to in ["::/0", "2600::/16"] {
        let b = blocked(&e, "aws_instance.nginx", to, 443);
        assert_eq!(
            (b.resource.as_str(), b.kind, b.code),
            ("aws_vpc.main", "vpc", "NO_ROUTE_TO_DESTINATION"),
            "{to}"
        );
        assert!(
            b.reason.contains(&format!(
                "`aws_instance.nginx` has no IPv6 address, so it cannot send to {to}"
            )),
            "{}",
            b.reason
        );
    }
}

#[test]
fn blocked_null_when_the_source_is_the_destination() {
    let e = fixture("three_tier");
    let b = blocked(&e, "aws_instance.nginx", "aws_instance.nginx", 80);
    assert_eq!(
        (b.resource.as_str(), b.kind, b.code),
        ("aws_instance.nginx", "eni", "NO_PATH_FOUND")
    );
    assert!(
        b.reason
            .starts_with("`aws_instance.nginx` is both the source and the destination"),
        "{}",
        b.reason
    );
}

/// The invariant behind the bug, on every fixture: from address ranges of both families and
/// from every interface's owner, to every owner and to outside addresses, on every port and on
/// single ports, a `blocked` verdict always names a component, a code and a reason.
#[test]
fn every_blocked_verdict_names_its_component() {
    let mut estates: Vec<(String, Estate)> = [
        "three_tier",
        "ipv6",
        "alb_ec2_standard",
        "lb_az",
        "nacl_partial_reply",
        "peering",
    ]
    .iter()
    .map(|n| (n.to_string(), fixture(n)))
    .collect();
    estates.push(("ipv6 without IPv6 on app".into(), {
        ipv6_variant(&[("  ipv6_address_count     = 1\n", "")])
    }));
    let ranges = [
        "internet",
        "0.0.0.0/0",
        "::/0",
        "10.0.0.0/8",
        "203.0.113.0/24",
        "2001:db8::/32",
        "fd00::/8",
    ];
    let outside = ["internet", "::/0", "8.8.8.8/32", "2600::/16"];
    let mut checked = 0;
    for (name, e) in &estates {
        let net = e.aws.network.clone();
        let owners: BTreeSet<String> = net
            .enis
            .iter()
            .filter_map(|x| e.get(x.owner).map(|r| r.address.clone()))
            .collect();
        let mut queries: Vec<(String, String)> = Vec::new();
        for to in &owners {
            for from in ranges
                .iter()
                .map(|s| s.to_string())
                .chain(owners.iter().cloned())
            {
                queries.push((from, to.clone()));
            }
        }
        for from in &owners {
            for to in outside {
                queries.push((from.clone(), to.to_string()));
            }
        }
        for (from, to) in &queries {
            for ports in [PortSet::all(), PortSet::single(22), PortSet::single(443)] {
                let q = Query::new(ep(e, from), ep(e, to), Protocol::Tcp, ports.clone());
                let Ok(r) = reach(&net, e, &q) else { continue };
                checked += 1;
                if r.verdict != Verdict::Blocked {
                    continue;
                }
                let b = r.blocked.as_ref().unwrap_or_else(|| {
                    panic!("{name}: {from} -> {to} ({ports}): blocked without a reason")
                });
                assert!(
                    !b.resource.is_empty() && !b.code.is_empty() && !b.reason.is_empty(),
                    "{name}: {from} -> {to} ({ports}): {b:?}"
                );
            }
        }
    }
    assert!(checked > 700, "only {checked} queries answered");
}
