//! Seed scenarios as Terraform: the ALB -> EC2 standard design of seed 002 and its
//! misconfigurations, checked end to end (Terraform frontend -> network view -> engine).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use moat_model::aws::network::Protocol;
use moat_model::Estate;
use moat_net::{
    check_lb_targets, exposure, reach, Endpoint, Net, PortSet, Query, ReachResult, Verdict,
};

const STANDARD: &str = include_str!("fixtures/alb_ec2_standard/main.tf");

fn load_dir(dir: &Path) -> Estate {
    let mut v = moat_terraform::load(dir, &moat_terraform::Options::default());
    assert_eq!(v.len(), 1, "one root module");
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

/// The standard fixture with textual replacements applied.
fn variant(replacements: &[(&str, &str)], extra: &str) -> Estate {
    let mut text = STANDARD.to_string();
    for (a, b) in replacements {
        assert!(text.contains(a), "fixture does not contain {a:?}");
        text = text.replacen(a, b, 1);
    }
    text.push_str(extra);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), text).unwrap();
    load_dir(dir.path())
}

fn ask(e: &Estate, from: &str, to: &str, port: u16) -> ReachResult {
    let net = e.aws.network.clone();
    let ep = |s: &str| {
        if s == "internet" {
            Endpoint::Internet
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
fn standard_design_reaches_app_only_through_the_alb() {
    let e = load_dir(Path::new("tests/fixtures/alb_ec2_standard"));
    let r = ask(&e, "internet", "aws_instance.app", 443);
    assert_eq!(r.verdict, Verdict::Reachable);
    assert_eq!(r.paths.len(), 1);
    assert_eq!(r.paths[0].via.as_deref(), Some("aws_lb.web"));
    let sg = r.paths[0]
        .hops
        .iter()
        .filter(|h| h.kind == "security-group")
        .map(|h| (h.resource.as_str(), h.loc.as_ref().unwrap().line))
        .collect::<Vec<_>>();
    assert_eq!(
        sg,
        vec![
            ("aws_security_group.alb", 59),
            ("aws_security_group.alb", 66),
            ("aws_security_group.app", 86)
        ]
    );
    // Not directly: private subnet, no public IP.
    let r = ask(&e, "internet", "aws_instance.app", 8000);
    assert_eq!(r.verdict, Verdict::Blocked);
    assert_eq!(
        r.blocked.unwrap().code,
        "IGW_PUBLIC_IP_ASSOCIATION_FOR_INGRESS"
    );
    // Exposure: the ALB on 443 directly and the app on 443 via the ALB, nothing else.
    let net = e.aws.network.clone();
    let x = exposure(&net, &e);
    let got: Vec<_> = x
        .iter()
        .map(|x| (x.resource.as_str(), x.ports.as_str(), x.via.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("aws_instance.app", "443", vec!["aws_lb.web".to_string()]),
            ("aws_lb.web", "443", vec![])
        ]
    );
    // Every target is healthy-reachable on traffic and health-check ports.
    let checks = check_lb_targets(&Net::new(&net, &e));
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].traffic.verdict, Verdict::Reachable);
    assert_eq!(
        checks[0].health.as_ref().unwrap().verdict,
        Verdict::Reachable
    );
}

#[test]
fn misconfig_health_check_port_not_admitted() {
    let e = variant(
        &[(
            "    path = \"/healthz\"\n",
            "    path = \"/healthz\"\n    port = \"8081\"\n",
        )],
        "",
    );
    let net = e.aws.network.clone();
    let checks = check_lb_targets(&Net::new(&net, &e));
    assert_eq!(checks[0].traffic.verdict, Verdict::Reachable);
    let h = checks[0].health.as_ref().unwrap();
    assert_eq!(h.port, 8081);
    assert_eq!(h.verdict, Verdict::Blocked);
    let b = h.block.as_ref().unwrap();
    // The ALB's egress admits only 8000: the first component to drop 8081 is the ALB SG.
    assert_eq!(b.code, "ENI_SG_RULES_MISMATCH");
    assert_eq!(b.resource, "aws_security_group.alb");
}

#[test]
fn misconfig_alb_egress_missing() {
    let e = variant(&[("  egress {\n    description     = \"to the app\"\n    from_port       = 8000\n    to_port         = 8000\n    protocol        = \"tcp\"\n    security_groups = [aws_security_group.app.id]\n  }\n", "")], "");
    let r = ask(&e, "internet", "aws_instance.app", 443);
    assert_eq!(r.verdict, Verdict::Blocked);
    let b = r.blocked.unwrap();
    assert_eq!(b.code, "ENI_SG_RULES_MISMATCH");
    // The group whose egress lacks the port (QA item 9), at its declaration.
    assert_eq!(b.resource, "aws_security_group.alb");
    assert!(b.reason.contains("egress"), "{}", b.reason);
}

#[test]
fn misconfig_target_open_to_world_in_public_subnet_bypasses_alb() {
    let e = variant(
        &[
            ("  subnet_id              = aws_subnet.private_a.id", "  subnet_id              = aws_subnet.public_a.id\n  associate_public_ip_address = true"),
            ("  source_security_group_id = aws_security_group.alb.id", "  cidr_blocks              = [\"0.0.0.0/0\"]"),
        ],
        "",
    );
    let r = ask(&e, "internet", "aws_instance.app", 8000);
    assert_eq!(r.verdict, Verdict::Reachable);
    assert!(r.paths.iter().any(|p| p.via.is_none()));
    let net = e.aws.network.clone();
    let x = exposure(&net, &e);
    assert!(
        x.iter()
            .any(|x| x.resource == "aws_instance.app" && x.via.is_empty() && x.ports == "8000"),
        "{x:?}"
    );
}

#[test]
fn misconfig_public_ip_in_private_subnet() {
    let e = variant(&[("  subnet_id              = aws_subnet.private_a.id", "  subnet_id              = aws_subnet.private_a.id\n  associate_public_ip_address = true")], "");
    let r = ask(&e, "internet", "aws_instance.app", 8000);
    assert_eq!(r.verdict, Verdict::Blocked);
    let b = r.blocked.unwrap();
    assert_eq!(b.code, "NO_ROUTE_TO_DESTINATION");
    assert_eq!(b.resource, "aws_route_table.private");
}

const NACL_PRIVATE: &str = r#"
resource "aws_network_acl" "private" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.private_a.id]
  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    from_port  = 8000
    to_port    = 8000
    cidr_block = "10.0.0.0/16"
  }
  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    from_port  = EPHEMERAL_FROM
    to_port    = 65535
    cidr_block = "10.0.0.0/16"
  }
}
"#;

#[test]
fn misconfig_nacl_blocks_ephemeral_reply() {
    // Outbound only 32768-65535: the ALB uses 1024-65535 as source ports, so replies to
    // 1024-32767 are dropped; with 1024-65535 everything passes.
    let e = variant(&[], &NACL_PRIVATE.replace("EPHEMERAL_FROM", "1024"));
    assert_eq!(
        ask(&e, "internet", "aws_instance.app", 443).verdict,
        Verdict::Reachable
    );
    let e = variant(&[], &NACL_PRIVATE.replace("EPHEMERAL_FROM", "80"));
    assert_eq!(
        ask(&e, "internet", "aws_instance.app", 443).verdict,
        Verdict::Reachable
    );
    let e = variant(
        &[],
        &NACL_PRIVATE
            .replace("egress {", "egress {\n    # replies only to 8000\n")
            .replace("EPHEMERAL_FROM", "8000")
            .replace("to_port    = 65535", "to_port    = 8000"),
    );
    let r = ask(&e, "internet", "aws_instance.app", 443);
    assert_eq!(r.verdict, Verdict::Blocked);
    let b = r.blocked.unwrap();
    assert_eq!(b.code, "SUBNET_ACL_RESTRICTION");
    assert_eq!(b.resource, "aws_network_acl.private");
    assert!(b.reason.contains("ephemeral"), "{}", b.reason);
    let net = e.aws.network.clone();
    let checks = check_lb_targets(&Net::new(&net, &e));
    assert_eq!(checks[0].traffic.verdict, Verdict::Blocked);
}

#[test]
fn unknown_cidr_gives_unknown_not_blocked() {
    let e = variant(
        &[(
            "  source_security_group_id = aws_security_group.alb.id",
            "  cidr_blocks              = var.allowed",
        )],
        "\nvariable \"allowed\" {\n  type = list(string)\n}\n",
    );
    let r = ask(&e, "internet", "aws_instance.app", 443);
    assert_eq!(r.verdict, Verdict::Unknown, "{r:?}");
    assert!(
        r.unknowns.iter().any(|u| u.contains("allowed")),
        "{:?}",
        r.unknowns
    );
}

const NLB: &str = include_str!("fixtures/nlb_gateway/main.tf.tmpl");

fn nlb(target_type: &str, target_id: &str, extra: &str) -> Estate {
    let text = NLB.replace("TARGET_TYPE", target_type).replace("TARGET_ID", target_id).replace(
        "  vpc_id      = aws_vpc.main.id\n}\n\nresource \"aws_lb_target_group_attachment\"",
        &format!("  vpc_id      = aws_vpc.main.id\n{extra}}}\n\nresource \"aws_lb_target_group_attachment\""),
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), text).unwrap();
    load_dir(dir.path())
}

#[test]
fn nlb_instance_targets_see_the_client_ip() {
    // The gateway admits only the VPC: internet clients arrive with their own address.
    let e = nlb("instance", "aws_instance.gateway.id", "");
    let r = ask(&e, "internet", "aws_instance.gateway", 5432);
    assert_eq!(r.verdict, Verdict::Blocked);
    let b = r.blocked.unwrap();
    assert_eq!(b.code, "ENI_SG_RULES_MISMATCH");
    assert_eq!(b.resource, "aws_security_group.gateway");
    // The NLB itself is reachable (no security group on it).
    assert_eq!(
        ask(&e, "internet", "aws_lb.db", 5432).verdict,
        Verdict::Reachable
    );
    let net = e.aws.network.clone();
    let checks = check_lb_targets(&Net::new(&net, &e));
    assert_eq!(checks[0].traffic.verdict, Verdict::Blocked);
    // Health checks come from the NLB's own addresses, inside the VPC: they pass.
    assert_eq!(
        checks[0].health.as_ref().unwrap().verdict,
        Verdict::Reachable
    );
}

#[test]
fn nlb_ip_targets_without_client_ip_preservation_come_from_the_nlb() {
    let e = nlb("ip", "\"10.1.2.10\"", "  preserve_client_ip = false\n");
    let r = ask(&e, "internet", "aws_instance.gateway", 5432);
    assert_eq!(r.verdict, Verdict::Reachable, "{r:?}");
    assert_eq!(r.paths[0].via.as_deref(), Some("aws_lb.db"));
    // With preservation on, the client address reaches the target and is refused.
    let e = nlb("ip", "\"10.1.2.10\"", "  preserve_client_ip = true\n");
    assert_eq!(
        ask(&e, "internet", "aws_instance.gateway", 5432).verdict,
        Verdict::Blocked
    );
}

#[test]
fn peering_is_not_transitive() {
    let e = load_dir(Path::new("tests/fixtures/peering"));
    let r = ask(&e, "aws_instance.a", "aws_instance.b", 22);
    assert_eq!(r.verdict, Verdict::Reachable, "{r:?}");
    assert!(r.paths[0]
        .hops
        .iter()
        .any(|h| h.detail.contains("aws_vpc_peering_connection.ab")));
    assert_eq!(
        ask(&e, "aws_instance.b", "aws_instance.c", 22).verdict,
        Verdict::Reachable
    );
    let r = ask(&e, "aws_instance.a", "aws_instance.c", 22);
    assert_eq!(r.verdict, Verdict::Blocked);
    let b = r.blocked.unwrap();
    assert_eq!(b.code, "NO_ROUTE_TO_DESTINATION");
    assert_eq!(b.resource, "aws_route_table.a");
    assert!(b.reason.contains("not transitive"), "{}", b.reason);
}

#[test]
fn sg_matrix_of_the_standard_design() {
    // Members need addresses for CIDR rules; group references work without them.
    let e = load_dir(Path::new("tests/fixtures/alb_ec2_standard"));
    let net = e.aws.network.clone();
    let m = moat_net::sg_matrix(&net, Protocol::Tcp);
    let got: Vec<_> = m
        .iter()
        .map(|x| {
            (
                e.get(x.from).unwrap().address.as_str(),
                e.get(x.to).unwrap().address.as_str(),
                x.ports.to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![(
            "aws_security_group.alb",
            "aws_security_group.app",
            "8000".to_string()
        )]
    );
}
