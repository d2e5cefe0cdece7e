//! Seed 003: the three-tier trace, hop by hop, and outbound through the NAT gateway.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use moat_model::aws::network::Protocol;
use moat_model::Estate;
use moat_net::{reach, Endpoint, PortSet, Query, ReachResult, Verdict};

fn load() -> Estate {
    let mut v = moat_terraform::load(
        Path::new("tests/fixtures/three_tier"),
        &moat_terraform::Options::default(),
    );
    assert_eq!(v.len(), 1);
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

fn ep(e: &Estate, s: &str) -> Endpoint {
    if s == "internet" {
        Endpoint::Internet
    } else if let Ok(c) = s.parse() {
        Endpoint::Cidr(c)
    } else {
        Endpoint::Resource(e.by_address(s).unwrap_or_else(|| panic!("no {s}")))
    }
}

fn ask(e: &Estate, from: &str, to: &str, port: u16) -> ReachResult {
    let net = e.aws.network.clone();
    reach(
        &net,
        e,
        &Query::new(ep(e, from), ep(e, to), Protocol::Tcp, PortSet::single(port)),
    )
    .unwrap()
}

fn hops(r: &ReachResult, i: usize) -> Vec<(String, &'static str, String, u32)> {
    r.paths[i]
        .hops
        .iter()
        .map(|h| {
            (
                h.resource.clone(),
                h.kind,
                h.detail.clone(),
                h.loc.as_ref().map(|l| l.line).unwrap_or(0),
            )
        })
        .collect()
}

fn at(r: &ReachResult, i: usize, kind: &str, resource: &str) -> (String, u32) {
    let h = r.paths[i]
        .hops
        .iter()
        .find(|h| h.kind == kind && h.resource == resource)
        .unwrap_or_else(|| panic!("no {kind} hop at {resource}: {:#?}", hops(r, i)));
    (
        h.detail.clone(),
        h.loc.as_ref().map(|l| l.line).unwrap_or(0),
    )
}

/// Seed 003, inbound request, step 1: client -> IGW -> public subnet -> ALB:443.
#[test]
fn step1_client_to_alb() {
    let e = load();
    let r = ask(&e, "internet", "aws_lb.web", 443);
    assert_eq!(r.verdict, Verdict::Reachable, "{r:?}");
    assert_eq!(r.paths.len(), 1);
    let h: Vec<_> = r.paths[0].hops.iter().map(|h| h.kind).collect();
    assert_eq!(
        h,
        vec![
            "igw",
            "route-table",
            "nacl",
            "nacl",
            "security-group",
            "eni",
            "return",
            "listener"
        ]
    );
    assert_eq!(at(&r, 0, "igw", "aws_internet_gateway.igw").1, 8);
    assert_eq!(
        at(&r, 0, "route-table", "aws_route_table.public"),
        ("route 0.0.0.0/0 -> aws_internet_gateway.igw".into(), 53)
    );
    assert_eq!(
        at(&r, 0, "security-group", "aws_security_group.alb"),
        ("ingress rule tcp 443 from 0.0.0.0/0".into(), 117)
    );
    assert_eq!(at(&r, 0, "listener", "aws_lb_listener.https").1, 192);
    // Nothing else listens.
    let r = ask(&e, "internet", "aws_lb.web", 80);
    assert_eq!(r.verdict, Verdict::Blocked);
    assert_eq!(r.blocked.unwrap().code, "ELBV2_LISTENER_PORT_RESTRICTION");
}

/// Step 2: the ALB opens a new connection from its own address to nginx:80 (local route).
#[test]
fn step2_alb_to_nginx() {
    let e = load();
    let r = ask(&e, "aws_lb.web", "aws_instance.nginx", 80);
    assert_eq!(r.verdict, Verdict::Reachable, "{r:?}");
    assert_eq!(
        at(&r, 0, "security-group", "aws_security_group.alb"),
        ("egress rule tcp 80 to aws_security_group.web".into(), 124)
    );
    assert_eq!(
        at(&r, 0, "route-table", "aws_route_table.public"),
        ("local route 10.0.0.0/16".into(), 51)
    );
    assert_eq!(
        at(&r, 0, "security-group", "aws_security_group.web"),
        (
            "ingress rule tcp 80 from aws_security_group.alb".into(),
            136
        )
    );
    // The whole request path: internet -> ALB:443 -> target group -> nginx:80.
    let r = ask(&e, "internet", "aws_instance.nginx", 443);
    assert_eq!(r.verdict, Verdict::Reachable);
    assert_eq!(r.paths[0].via.as_deref(), Some("aws_lb.web"));
    assert_eq!(
        at(&r, 0, "target-group", "aws_lb_target_group.web"),
        ("target group sends to port 80".into(), 179)
    );
    assert!(at(&r, 0, "load-balancer", "aws_lb.web")
        .0
        .contains("new connection from its own interfaces"));
    // Not directly: the app subnet leaves through the NAT gateway, outbound only.
    let r = ask(&e, "internet", "aws_instance.nginx", 80);
    assert_eq!(r.verdict, Verdict::Blocked);
    let b = r.blocked.unwrap();
    assert_eq!(
        (b.resource.as_str(), b.kind, b.code),
        ("aws_nat_gateway.nat", "nat", "NO_ROUTE_TO_DESTINATION")
    );
    assert_eq!(b.loc.unwrap().line, 46);
}

/// Step 4: nginx/WAS -> RDS:3306 through the database subnets' NACL, with the stateless
/// reply on the ephemeral ports and the stateful security-group return.
#[test]
fn step4_nginx_to_rds_and_return() {
    let e = load();
    let r = ask(&e, "aws_instance.nginx", "aws_db_instance.mysql", 3306);
    assert_eq!(r.verdict, Verdict::Reachable, "{r:?}");
    let p = &r.paths[0];
    assert_eq!(p.via, None);
    assert_eq!(
        at(&r, 0, "route-table", "aws_route_table.private"),
        ("local route 10.0.0.0/16".into(), 69)
    );
    let nacl: Vec<_> = p
        .hops
        .iter()
        .filter(|h| h.resource == "aws_network_acl.db")
        .map(|h| (h.detail.as_str(), h.loc.as_ref().unwrap().line))
        .collect();
    assert_eq!(
        nacl,
        vec![
            ("inbound rule 100 allows tcp 3306 10.0.2.0/24", 96),
            (
                "reply: outbound rule 100 allows tcp 1024-65535 10.0.2.0/24",
                104
            )
        ]
    );
    assert_eq!(
        at(&r, 0, "security-group", "aws_security_group.db"),
        (
            "ingress rule tcp 3306 from aws_security_group.web".into(),
            154
        )
    );
    let last = p.hops.last().unwrap();
    assert_eq!(last.kind, "return");
    assert!(last.detail.contains("stateful"), "{}", last.detail);
    // Only the web tier: the ALB cannot talk to the database.
    let r = ask(&e, "aws_lb.web", "aws_db_instance.mysql", 3306);
    assert_eq!(r.verdict, Verdict::Blocked);
    assert_eq!(r.blocked.unwrap().code, "ENI_SG_RULES_MISMATCH");
}

/// The database is not reachable from the internet: no public address.
#[test]
fn internet_to_rds_is_blocked() {
    let e = load();
    let r = ask(&e, "internet", "aws_db_instance.mysql", 3306);
    assert_eq!(r.verdict, Verdict::Blocked);
    assert!(r.paths.is_empty());
    // The database subnets' way out is the NAT gateway, which carries outbound only.
    let b = r.blocked.unwrap();
    assert_eq!(
        (b.resource.as_str(), b.kind, b.code),
        ("aws_nat_gateway.nat", "nat", "NO_ROUTE_TO_DESTINATION")
    );
    assert!(b.reason.contains("aws_db_instance.mysql"), "{}", b.reason);
    // Without any route out, the missing public address blocks it.
    let e = variant(
        &[("  subnet_id      = aws_subnet.private_db.id\n  route_table_id = aws_route_table.private.id\n", "  subnet_id      = aws_subnet.private_db.id\n  route_table_id = aws_route_table.isolated.id\n")],
        "resource \"aws_route_table\" \"isolated\" {\n  vpc_id = aws_vpc.main.id\n}\n",
    );
    let r = ask(&e, "internet", "aws_db_instance.mysql", 3306);
    assert_eq!(r.verdict, Verdict::Blocked);
    let b = r.blocked.unwrap();
    assert_eq!(
        (b.resource.as_str(), b.code),
        (
            "aws_db_instance.mysql",
            "IGW_PUBLIC_IP_ASSOCIATION_FOR_INGRESS"
        )
    );
}

/// Outbound through the NAT gateway, which sits in a public subnet routing to the IGW.
#[test]
fn nat_outbound() {
    let e = load();
    for to in ["internet", "8.8.8.8/32"] {
        let r = ask(&e, "aws_instance.nginx", to, 443);
        assert_eq!(r.verdict, Verdict::Reachable, "{to}: {r:?}");
        assert_eq!(r.paths[0].via.as_deref(), Some("aws_nat_gateway.nat"));
        assert_eq!(
            r.paths[0].dest,
            if to == "internet" { "internet" } else { to }
        );
        let kinds: Vec<_> = r.paths[0]
            .hops
            .iter()
            .filter(|h| h.kind != "nacl")
            .map(|h| (h.kind, h.loc.as_ref().map(|l| l.line).unwrap_or(0)))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("eni", 163),
                ("security-group", 143),
                ("route-table", 71),
                ("nat", 46),
                ("route-table", 53),
                ("igw", 8),
                ("internet", 0),
                ("return", 0)
            ]
        );
    }
    // The database's group has no egress rule (Terraform removes the default one).
    let r = ask(&e, "aws_db_instance.mysql", "internet", 443);
    assert_eq!(r.verdict, Verdict::Blocked);
    assert_eq!(r.blocked.unwrap().code, "ENI_SG_RULES_MISMATCH");
}

fn variant(replacements: &[(&str, &str)], extra: &str) -> Estate {
    let mut text = include_str!("fixtures/three_tier/main.tf").to_string();
    for (a, b) in replacements {
        assert!(text.contains(a), "fixture does not contain {a:?}");
        text = text.replacen(a, b, 1);
    }
    text.push_str(extra);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), text).unwrap();
    let mut v = moat_terraform::load(dir.path(), &moat_terraform::Options::default());
    v.remove(0)
}

#[test]
fn nat_outbound_failures_name_the_component() {
    // NAT gateway in a subnet without a route to the IGW.
    let e = variant(
        &[(
            "  subnet_id     = aws_subnet.public_a.id",
            "  subnet_id     = aws_subnet.private_app.id",
        )],
        "",
    );
    let r = ask(&e, "aws_instance.nginx", "internet", 443);
    assert_eq!(r.verdict, Verdict::Blocked);
    let b = r.blocked.unwrap();
    assert_eq!((b.kind, b.code), ("route-table", "NO_ROUTE_TO_DESTINATION"));
    assert!(b.reason.contains("NAT gateway"), "{}", b.reason);
    // The NAT subnet's NACL drops the replies from the internet (NAT ports 1024-65535).
    let e = variant(
        &[],
        r#"
resource "aws_network_acl" "public" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.public_a.id]
  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    cidr_block = "10.0.0.0/16"
  }
  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    cidr_block = "0.0.0.0/0"
  }
}
"#,
    );
    let r = ask(&e, "aws_instance.nginx", "internet", 443);
    assert_eq!(r.verdict, Verdict::Blocked, "{r:?}");
    let b = r.blocked.unwrap();
    assert_eq!(
        (b.resource.as_str(), b.code),
        ("aws_network_acl.public", "SUBNET_ACL_RESTRICTION")
    );
    assert!(b.reason.contains("1024-65535"), "{}", b.reason);
    // A private instance routed straight to the IGW has no public address.
    let e = variant(
        &[(
            "    nat_gateway_id = aws_nat_gateway.nat.id",
            "    gateway_id     = aws_internet_gateway.igw.id",
        )],
        "",
    );
    let r = ask(&e, "aws_instance.nginx", "internet", 443);
    assert_eq!(r.verdict, Verdict::Blocked);
    assert_eq!(r.blocked.unwrap().resource, "aws_instance.nginx");
}
