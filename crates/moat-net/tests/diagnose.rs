//! Diagnosis (NET001-NET010) against the engine's own LB target checks, and the cases where
//! values are unknown.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use moat_model::Estate;
use moat_net::diagnose::{diagnose, Diagnosis, DiagnosisKind};
use moat_net::{check_lb_targets, Net, Verdict};

fn load(dir: &Path) -> Estate {
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

/// Every case of the NET rules' fixtures (`fixtures/network/<CODE>/terraform/<variant>/`).
fn rule_fixtures() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/network");
    let mut v: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path().join("terraform"))
        .filter(|t| t.is_dir())
        .flat_map(|t| {
            // `standard/terraform` is a case itself; the codes hold one case per variant.
            let mut cases = vec![t.clone()];
            cases.extend(std::fs::read_dir(&t).unwrap().map(|e| e.unwrap().path()));
            cases
        })
        .filter(|p| p.join("main.tf").is_file())
        .collect();
    v.sort();
    assert!(v.len() >= 15);
    v
}

fn mentions(d: &Diagnosis, kinds: &[DiagnosisKind], target: &str) -> bool {
    kinds.contains(&d.kind) && d.message.contains(&format!("`{target}`"))
}

/// Every path the engine proves blocked is explained by a diagnosis on the component that
/// blocks it, and every SG-level diagnosis matches a path the engine proves blocked.
#[test]
fn diagnosis_agrees_with_the_engine_on_every_fixture() {
    let mut blocked_seen = 0;
    for dir in rule_fixtures() {
        let e = load(&dir);
        let net = e.aws.network.clone();
        let diags = diagnose(&net);
        let n = Net::new(&net, &e);
        let checks = check_lb_targets(&n);
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        for c in &checks {
            if c.traffic.verdict == Verdict::Blocked
                || c.health
                    .as_ref()
                    .is_some_and(|h| h.verdict == Verdict::Blocked)
            {
                blocked_seen += 1;
            }
            if c.traffic.verdict == Verdict::Blocked {
                assert!(
                    diags.iter().any(|d| mentions(
                        d,
                        &[
                            DiagnosisKind::TargetPortNotAdmitted,
                            DiagnosisKind::LbEgressMissing,
                            DiagnosisKind::NaclDropsLbPath,
                            DiagnosisKind::NlbClientsNotAdmitted
                        ],
                        &c.target
                    )),
                    "{name}: engine blocks traffic to {} ({:?}) but no diagnosis: {diags:#?}",
                    c.target,
                    c.traffic.block
                );
            }
            if let Some(h) = &c.health {
                if h.verdict == Verdict::Blocked {
                    assert!(
                        diags.iter().any(|d| mentions(d, &[DiagnosisKind::TargetPortNotAdmitted, DiagnosisKind::HealthCheckNotAdmitted, DiagnosisKind::LbEgressMissing, DiagnosisKind::NaclDropsLbPath], &c.target)),
                        "{name}: engine blocks health checks to {} ({:?}) but no diagnosis: {diags:#?}",
                        c.target,
                        h.block
                    );
                }
            }
        }
        for d in diags.iter().filter(|d| {
            d.kind == DiagnosisKind::TargetPortNotAdmitted
                || d.kind == DiagnosisKind::LbEgressMissing
        }) {
            // The engine does not place IP targets registered by address without a matching
            // ENI (seed 000's RDS behind the NLB); the diagnosis does.
            if !checks
                .iter()
                .any(|c| d.message.contains(&format!("`{}`", c.target)))
            {
                continue;
            }
            assert!(
                checks
                    .iter()
                    .any(|c| d.message.contains(&format!("`{}`", c.target))
                        && (c.traffic.verdict == Verdict::Blocked
                            || c.health
                                .as_ref()
                                .is_some_and(|h| h.verdict == Verdict::Blocked))),
                "{name}: {:?} says blocked but the engine does not: {}",
                d.kind,
                d.message
            );
        }
    }
    // NET001, NET002, NET003 and NET004 fixtures each break a path for the engine. (NET007's
    // internal NLB: the engine takes the whole VPC as possible clients, and the NLB subnets
    // are admitted, so it answers "reachable for some clients".)
    assert!(
        blocked_seen >= 4,
        "only {blocked_seen} blocked paths: the test proves nothing"
    );
}

fn write(dir: &Path, text: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("main.tf"), text).unwrap();
}

fn standard() -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/network/standard/terraform/main.tf");
    std::fs::read_to_string(p).unwrap()
}

/// A security-group reference that comes from a variable without value is never read as
/// "admitted" nor as "blocked": the diagnosis is `unknown` and names the variable.
#[test]
fn unknown_source_group_gives_an_unknown_diagnosis() {
    let t = tempfile::tempdir().unwrap();
    let text = standard().replace(
        "  source_security_group_id = aws_security_group.alb.id\n}",
        "  source_security_group_id = var.alb_sg\n}",
    ) + "\nvariable \"alb_sg\" {\n  type = string\n}\n";
    write(t.path(), &text);
    let e = load(t.path());
    let d = diagnose(&e.aws.network.clone());
    let net001: Vec<&Diagnosis> = d
        .iter()
        .filter(|d| d.kind == DiagnosisKind::TargetPortNotAdmitted)
        .collect();
    assert_eq!(net001.len(), 1, "{d:#?}");
    assert!(net001[0].unknown, "{d:#?}");
    assert!(
        net001[0].message.contains("alb_sg"),
        "{}",
        net001[0].message
    );
}

/// A NACL deny rule that covers part of the ephemeral range drops part of the replies; rules
/// are evaluated lowest number first.
#[test]
fn nacl_deny_before_allow_on_part_of_the_ephemeral_range() {
    let t = tempfile::tempdir().unwrap();
    let text = standard()
        + r#"
resource "aws_network_acl" "public" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.public_a.id, aws_subnet.public_b.id]

  ingress {
    rule_no    = 90
    action     = "deny"
    protocol   = "tcp"
    cidr_block = "10.0.2.0/24"
    from_port  = 32768
    to_port    = 65535
  }

  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }

  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }
}
"#;
    write(t.path(), &text);
    let e = load(t.path());
    let d = diagnose(&e.aws.network.clone());
    let net004: Vec<&Diagnosis> = d
        .iter()
        .filter(|d| d.kind == DiagnosisKind::NaclDropsLbPath)
        .collect();
    // Both ALB subnets share the NACL: one diagnosis.
    assert_eq!(net004.len(), 1, "{d:#?}");
    for x in &net004 {
        assert!(!x.unknown);
        assert!(
            x.message.contains(
                "ephemeral ports tcp/32768-65535 (inbound from 10.0.2.0/24): rule 90 denies them"
            ),
            "{}",
            x.message
        );
    }
    // The finding points at the deny rule.
    let line = text
        .lines()
        .position(|l| l.contains("rule_no    = 90"))
        .unwrap() as u32;
    assert_eq!(net004[0].loc.line, line, "{:?}", net004[0].loc);
}
