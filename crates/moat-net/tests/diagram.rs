//! `moat diagram` output: the seed 003 three-tier architecture drawn as Mermaid and DOT, with
//! the diagnosis findings marked.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;

use moat_model::aws::network::Network;
use moat_model::{Estate, Finding, Severity};
use moat_net::diagnose::{diagnose, DiagnosisKind};
use moat_net::diagram::{build, render_dot, render_mermaid, Diagram, EdgeKind, SubnetTier};

mod common;

/// The diagram's scenarios are NET rule fixtures (`three_tier` is NET006's: internet -> ALB ->
/// app -> RDS, with the app target in a public subnet and open to the world).
fn load(case: &str) -> Estate {
    let dir = match case {
        "three_tier" => common::rule_fixture("network", "NET006", "fail"),
        other => panic!("no diagram scenario `{other}`"),
    };
    let mut v = moat_terraform::load(&dir, &moat_terraform::Options::default());
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

/// The codes `moat-rules` gives the kinds (moat-net itself names no code).
fn code(k: DiagnosisKind) -> &'static str {
    match k {
        DiagnosisKind::TargetPortNotAdmitted => "NET001",
        DiagnosisKind::HealthCheckNotAdmitted => "NET002",
        DiagnosisKind::LbEgressMissing => "NET003",
        DiagnosisKind::NaclDropsLbPath => "NET004",
        DiagnosisKind::TargetOpenBehindLb => "NET005",
        DiagnosisKind::TargetBypassesLb => "NET006",
        DiagnosisKind::NlbClientsNotAdmitted => "NET007",
        DiagnosisKind::IpTargetOutsideVpc => "NET008",
        DiagnosisKind::PrivateSubnetToIgw => "NET009",
        DiagnosisKind::DatabaseReachableFromInternet => "NET010",
        DiagnosisKind::DatabaseInPublicSubnet => "NET011",
        DiagnosisKind::TargetAzNotServed => "NET012",
    }
}

/// The diagnosis findings, as `moat scan` reports them.
fn findings(net: &Network, e: &Estate) -> Vec<Finding> {
    diagnose(net)
        .into_iter()
        .filter_map(|d| {
            let r = e.get(d.resource)?;
            Some(Finding::new(
                code(d.kind),
                "",
                Severity::High,
                r,
                &d.loc,
                d.message,
            ))
        })
        .collect()
}

fn three_tier() -> Diagram {
    let e = load("three_tier");
    let net = e.aws.network.clone();
    let f = findings(&net, &e);
    build(&net, &e, &f)
}

#[test]
fn tiers_come_from_routes_and_edges_carry_ports() {
    let d = three_tier();
    let v = &d.vpcs["aws_vpc.main"];
    let tier = |s: &str| v.subnets[s].tier;
    assert_eq!(tier("aws_subnet.public_a"), SubnetTier::Public);
    assert_eq!(tier("aws_subnet.public_b"), SubnetTier::Public);
    // Named "private-app" and routed to the NAT gateway: private.
    assert_eq!(tier("aws_subnet.app"), SubnetTier::Private);
    assert_eq!(tier("aws_subnet.db_a"), SubnetTier::Private);
    let allowed: BTreeSet<(&str, &str, &str)> = d
        .edges
        .iter()
        .filter(|e| e.kind == EdgeKind::Allowed)
        .map(|e| (e.from.as_str(), e.to.as_str(), e.label.as_str()))
        .collect();
    for want in [
        ("internet", "aws_lb.web", "tcp/443"),
        ("aws_lb.web", "aws_instance.app", "tcp/8000"),
        ("aws_instance.app", "aws_db_instance.main", "tcp/3306"),
        // The flaw: the target is public and admits 8000 from the world.
        ("internet", "aws_instance.app", "tcp/8000"),
    ] {
        assert!(allowed.contains(&want), "{want:?} not in {allowed:#?}");
    }
    // Nothing reaches the database from the internet or from the ALB.
    assert!(!allowed
        .iter()
        .any(|(f, t, _)| *t == "aws_db_instance.main" && (*f == "internet" || *f == "aws_lb.web")));
    let app = &d.nodes["aws_instance.app"];
    assert_eq!(
        app.findings.iter().map(String::as_str).collect::<Vec<_>>(),
        vec!["NET005", "NET006"]
    );
}

#[test]
fn mermaid_snapshot_and_structure() {
    let d = three_tier();
    let m = render_mermaid(&d);
    assert_eq!(m, render_mermaid(&three_tier()), "deterministic");
    check_mermaid(&m);
    insta::assert_snapshot!(m);
}

#[test]
fn dot_snapshot_and_graphviz_accepts_it() {
    let d = three_tier();
    let dot = render_dot(&d);
    assert_eq!(dot, render_dot(&three_tier()), "deterministic");
    insta::assert_snapshot!(dot);
    // Graphviz is a peer: without it the syntax check skips, or fails under MOAT_REQUIRE_PEERS=1.
    let Ok(mut child) = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        common::missing_peer(
            "graphviz `dot` (DOT syntax check)",
            "apt-get install graphviz (bash .ci/install-peers)",
        );
        return;
    };
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
}

/// A structural check of the Mermaid flowchart (mermaid-cli is too heavy to install here):
/// balanced subgraphs, every edge endpoint and class member declared, quoted labels.
fn check_mermaid(m: &str) {
    let mut lines = m.lines();
    assert_eq!(lines.next(), Some("flowchart LR"));
    let mut depth = 0i32;
    let mut declared: BTreeSet<String> = BTreeSet::new();
    let mut used: Vec<String> = Vec::new();
    for l in lines {
        let t = l.trim();
        if t.starts_with("classDef ") || t.starts_with("direction ") {
            continue;
        }
        if let Some(rest) = t.strip_prefix("subgraph ") {
            depth += 1;
            let id = rest.split('[').next().unwrap();
            assert!(rest.ends_with("\"]"), "subgraph label must be quoted: {t}");
            declared.insert(id.to_string());
            continue;
        }
        if t == "end" {
            depth -= 1;
            assert!(depth >= 0, "unbalanced end");
            continue;
        }
        if let Some(rest) = t.strip_prefix("class ") {
            let (ids, class) = rest.rsplit_once(' ').unwrap();
            assert!(
                ["finding", "public", "private", "isolated"].contains(&class),
                "{t}"
            );
            used.extend(ids.split(',').map(str::to_string));
            continue;
        }
        if t.contains("-->") || t.contains("==>") || t.contains("-.->") {
            let parts: Vec<&str> = t.split_whitespace().collect();
            used.push(parts[0].to_string());
            used.push(parts[parts.len() - 1].to_string());
            if let Some(i) = t.find('|') {
                let label = &t[i..];
                assert!(
                    label.starts_with("|\"") && label.matches('|').count() == 2,
                    "{t}"
                );
            }
            continue;
        }
        // A node: id followed by a shape with a quoted label.
        let id: String = t
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        assert!(!id.is_empty(), "unexpected line: {t}");
        let shape = &t[id.len()..];
        assert!(
            shape.contains('"') && shape.matches('"').count() == 2,
            "label must be quoted once: {t}"
        );
        assert!(declared.insert(id.clone()), "node declared twice: {id}");
    }
    assert_eq!(depth, 0, "unbalanced subgraphs");
    for u in used {
        assert!(declared.contains(&u), "`{u}` used but not declared");
    }
}
