//! Managed prefix lists in security-group rules: lists in the scanned files are resolved to
//! their entries; AWS-managed lists (`pl-...`) are unknown, and named.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use moat_model::aws::network::Protocol;
use moat_model::Estate;
use moat_net::{reach, Endpoint, PortSet, Query, ReachResult, Verdict};

const STANDARD: &str = include_str!("fixtures/alb_ec2_standard/main.tf");
const OPEN: &str =
    "    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n  egress {\n    description     = \"to the app\"";

fn with_alb_peer(peer: &str, extra: &str) -> Estate {
    assert!(STANDARD.contains(OPEN));
    let text = STANDARD.replacen(
        OPEN,
        &format!("    {peer}\n  }}\n  egress {{\n    description     = \"to the app\""),
        1,
    ) + extra;
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
    let from = if from == "internet" {
        Endpoint::Internet
    } else {
        Endpoint::Cidr(from.parse().unwrap())
    };
    let to = Endpoint::Resource(e.by_address(to).unwrap());
    reach(
        &net,
        e,
        &Query::new(from, to, Protocol::Tcp, PortSet::single(port)),
    )
    .unwrap()
}

const CORP: &str = r#"
resource "aws_ec2_managed_prefix_list" "corp" {
  name           = "corp"
  address_family = "IPv4"
  max_entries    = 5
  entry {
    cidr        = "203.0.113.0/24"
    description = "office"
  }
}

resource "aws_ec2_managed_prefix_list_entry" "vpn" {
  prefix_list_id = aws_ec2_managed_prefix_list.corp.id
  cidr           = "198.51.100.0/24"
}
"#;

#[test]
fn prefix_list_in_the_estate_is_resolved() {
    let e = with_alb_peer(
        "prefix_list_ids = [aws_ec2_managed_prefix_list.corp.id]",
        CORP,
    );
    let net = e.aws.network.clone();
    let sg = net
        .security_groups
        .iter()
        .find(|g| g.address == "aws_security_group.alb")
        .unwrap();
    let rule = sg.ingress().next().unwrap();
    let mut got: Vec<String> = rule.ipv4.iter().map(|n| n.to_string()).collect();
    got.sort();
    assert_eq!(got, vec!["198.51.100.0/24", "203.0.113.0/24"]);
    assert!(rule.prefix_list_unknown.is_empty());

    let r = ask(&e, "internet", "aws_lb.web", 443);
    assert_eq!(r.verdict, Verdict::Reachable, "{r:?}");
    assert_eq!(
        r.paths[0].sources.as_ref().unwrap().to_string(),
        "198.51.100.0/24,203.0.113.0/24"
    );
    assert_eq!(
        ask(&e, "198.51.100.7/32", "aws_instance.app", 443).verdict,
        Verdict::Reachable
    );
    let r = ask(&e, "192.0.2.0/24", "aws_lb.web", 443);
    assert_eq!(r.verdict, Verdict::Blocked, "{r:?}");
    assert_eq!(r.blocked.unwrap().code, "ENI_SG_RULES_MISMATCH");
}

#[test]
fn aws_managed_prefix_list_is_unknown_and_named() {
    let e = with_alb_peer("prefix_list_ids = [\"pl-0123456789abcdef0\"]", "");
    let r = ask(&e, "internet", "aws_lb.web", 443);
    assert_eq!(r.verdict, Verdict::Unknown, "{r:?}");
    assert!(
        r.unknowns
            .iter()
            .any(|u| u.contains("pl-0123456789abcdef0")),
        "{:?}",
        r.unknowns
    );
    // An entry that is a variable makes the list unknown too.
    let e = with_alb_peer(
        "prefix_list_ids = [aws_ec2_managed_prefix_list.corp.id]",
        &CORP.replace("\"198.51.100.0/24\"", "var.vpn_cidr"),
    );
    let r = ask(&e, "internet", "aws_lb.web", 443);
    assert_eq!(r.verdict, Verdict::Unknown, "{r:?}");
    assert!(
        r.unknowns
            .iter()
            .any(|u| u.contains("aws_ec2_managed_prefix_list.corp")),
        "{:?}",
        r.unknowns
    );
}
