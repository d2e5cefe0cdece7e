//! IPv6: dual-stack VPC and ALB, `::/0` routes to an internet gateway and to an egress-only
//! internet gateway, IPv6 security-group rules, IPv6 addresses on interfaces.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use moat_model::aws::network::Protocol;
use moat_model::Estate;
use moat_net::{exposure, reach, Endpoint, PortSet, Query, ReachResult, Verdict};

const FIXTURE: &str = include_str!("fixtures/ipv6/main.tf");

fn variant(replacements: &[(&str, &str)], extra: &str) -> Estate {
    let mut text = FIXTURE.to_string();
    for (a, b) in replacements {
        assert!(text.contains(a), "fixture does not contain {a:?}");
        text = text.replacen(a, b, 1);
    }
    text.push_str(extra);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), text).unwrap();
    let mut v = moat_terraform::load(dir.path(), &moat_terraform::Options::default());
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

fn ask(e: &Estate, from: &str, to: &str, port: u16) -> ReachResult {
    let net = e.aws.network.clone();
    let ep = |s: &str| {
        if s == "internet" {
            Endpoint::Internet
        } else if let Ok(c) = s.parse() {
            Endpoint::Cidr(c)
        } else {
            Endpoint::Resource(e.by_address(s).unwrap_or_else(|| panic!("no {s}")))
        }
    };
    reach(
        &net,
        e,
        &Query::new(ep(from), ep(to), Protocol::Tcp, PortSet::single(port)),
    )
    .unwrap()
}

#[test]
fn view_assigns_ipv6_addresses() {
    let e = variant(&[], "");
    let net = e.aws.network.clone();
    let v6 = |a: &str| {
        net.enis
            .iter()
            .filter(|x| x.address == a)
            .map(|x| x.ipv6.len())
            .sum::<usize>()
    };
    assert_eq!(v6("aws_instance.app"), 1, "ipv6_address_count = 1");
    assert_eq!(
        v6("aws_instance.bastion"),
        1,
        "assign_ipv6_address_on_creation"
    );
    assert_eq!(v6("aws_lb.web"), 2, "dual-stack ALB, one per subnet");
    // The AWS-assigned blocks are stand-ins, distinct per subnet, inside the VPC's.
    let s: Vec<_> = net.subnets.iter().filter_map(|s| s.ipv6_cidr).collect();
    assert_eq!(s.len(), 3);
    let vpc6 = net.vpcs[0]
        .cidrs
        .iter()
        .find(|c| c.addr().is_ipv6())
        .unwrap();
    assert!(s.iter().all(|n| vpc6.contains(&ipnet::IpNet::V6(*n))));
    assert!(s[0] != s[1] && s[1] != s[2]);
}

/// Seed 002, dual-stack variant: the ALB-SG admits only 0.0.0.0/0, so IPv6 clients are
/// dropped at the ALB even though the ALB has IPv6 addresses and ::/0 routes to the IGW.
#[test]
fn dualstack_alb_needs_an_ipv6_rule() {
    let e = variant(&[], "");
    let r = ask(&e, "internet", "aws_lb.web", 443);
    assert_eq!(r.verdict, Verdict::Reachable);
    let src = r.paths[0].sources.as_ref().unwrap();
    assert!(
        !src.v4.is_empty() && src.v6.is_empty(),
        "IPv4 clients only: {src}"
    );
    let r = ask(&e, "::/0", "aws_lb.web", 443);
    assert_eq!(r.verdict, Verdict::Blocked, "{r:?}");
    let b = r.blocked.unwrap();
    // The group whose rules lack the port, not the load balancer (QA item 9).
    assert_eq!(
        (b.resource.as_str(), b.code),
        ("aws_security_group.alb", "ENI_SG_RULES_MISMATCH")
    );
    // Through the ALB to the app: IPv6 clients blocked too.
    assert_eq!(
        ask(&e, "::/0", "aws_instance.app", 443).verdict,
        Verdict::Blocked
    );

    let e = variant(
        &[(
            "    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n  egress {\n    from_port       = 8000",
            "    cidr_blocks = [\"0.0.0.0/0\"]\n    ipv6_cidr_blocks = [\"::/0\"]\n  }\n  egress {\n    from_port       = 8000",
        )],
        "",
    );
    let r = ask(&e, "2001:db8:ffff::1/128", "aws_lb.web", 443);
    assert_eq!(r.verdict, Verdict::Reachable, "{r:?}");
    let route = r.paths[0]
        .hops
        .iter()
        .find(|h| h.kind == "route-table")
        .unwrap();
    assert_eq!(route.detail, "route ::/0 -> aws_internet_gateway.igw");
    assert_eq!(route.loc.as_ref().unwrap().line, 46);
    let r = ask(&e, "::/0", "aws_instance.app", 443);
    assert_eq!(r.verdict, Verdict::Reachable, "{r:?}");
    assert_eq!(r.paths[0].via.as_deref(), Some("aws_lb.web"));
    // Exposure lists both families.
    let net = e.aws.network.clone();
    let x = exposure(&net, &e);
    let alb = x.iter().find(|x| x.resource == "aws_lb.web").unwrap();
    assert_eq!(
        alb.sources,
        vec!["0.0.0.0/0".to_string(), "::/0".to_string()]
    );
}

/// An egress-only internet gateway carries IPv6 connections opened from inside only.
#[test]
fn egress_only_gateway_is_outbound_only() {
    let e = variant(&[], "");
    let r = ask(&e, "::/0", "aws_instance.app", 22);
    assert_eq!(r.verdict, Verdict::Blocked, "{r:?}");
    let b = r.blocked.unwrap();
    assert_eq!(
        (b.resource.as_str(), b.kind, b.code),
        (
            "aws_egress_only_internet_gateway.eigw",
            "egress-only-igw",
            "NO_ROUTE_TO_DESTINATION"
        )
    );
    // Outbound over IPv6 works; IPv4 has no route (no NAT) and no egress rule.
    let r = ask(&e, "aws_instance.app", "2600::/16", 443);
    assert_eq!(r.verdict, Verdict::Reachable, "{r:?}");
    assert_eq!(
        r.paths[0].via.as_deref(),
        Some("aws_egress_only_internet_gateway.eigw")
    );
    let r = ask(&e, "aws_instance.app", "8.8.8.8/32", 443);
    assert_eq!(r.verdict, Verdict::Blocked);
    assert_eq!(r.blocked.unwrap().code, "ENI_SG_RULES_MISMATCH");
}

/// IPv6 addresses are global: no public IPv4 address is needed through the IGW.
#[test]
fn ipv6_only_reachability_without_public_ipv4() {
    let e = variant(&[], "");
    let r = ask(&e, "internet", "aws_instance.bastion", 22);
    assert_eq!(r.verdict, Verdict::Reachable, "{r:?}");
    let src = r.paths[0].sources.as_ref().unwrap();
    assert_eq!(src.to_string(), "2001:db8:ffff::/48");
    let sg = r.paths[0]
        .hops
        .iter()
        .find(|h| h.kind == "security-group")
        .unwrap();
    assert_eq!(sg.loc.as_ref().unwrap().line, 122);
    // IPv4 SSH is blocked at the missing public address.
    let r = ask(&e, "203.0.113.0/24", "aws_instance.bastion", 22);
    assert_eq!(r.verdict, Verdict::Blocked);
    assert_eq!(
        r.blocked.unwrap().code,
        "IGW_PUBLIC_IP_ASSOCIATION_FOR_INGRESS"
    );
    // A NACL rule on IPv6 denies it.
    let e = variant(
        &[],
        r#"
resource "aws_network_acl" "public" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.public_a.id]
  ingress {
    rule_no         = 90
    action          = "deny"
    protocol        = "tcp"
    ipv6_cidr_block = "2001:db8:ffff::/48"
    from_port       = 22
    to_port         = 22
  }
  ingress {
    rule_no         = 100
    action          = "allow"
    protocol        = "-1"
    ipv6_cidr_block = "::/0"
  }
  egress {
    rule_no         = 100
    action          = "allow"
    protocol        = "-1"
    ipv6_cidr_block = "::/0"
  }
}
"#,
    );
    let r = ask(&e, "2001:db8:ffff::/48", "aws_instance.bastion", 22);
    assert_eq!(r.verdict, Verdict::Blocked, "{r:?}");
    let b = r.blocked.unwrap();
    assert_eq!(
        (b.resource.as_str(), b.code),
        ("aws_network_acl.public", "SUBNET_ACL_RESTRICTION")
    );
    assert!(b.reason.contains("rule 90"), "{}", b.reason);
}
