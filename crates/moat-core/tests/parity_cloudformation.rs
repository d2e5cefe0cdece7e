//! Parity, the acceptance test of the CloudFormation frontend: the bundled example architecture
//! written in Terraform (`examples/three-tier`) and in CloudFormation
//! (`examples/three-tier-cloudformation`) must give the same rule IDs on corresponding resources,
//! the same `reach` verdicts and the same `exposure`.
//!
//! The correspondence between Terraform addresses and logical IDs is read from the template
//! itself: the comment above each logical ID names its Terraform counterparts
//! (`# terraform: aws_lb.web`, several separated by commas when Terraform splits one
//! CloudFormation resource into several, `# terraform: none (...)` for a resource that
//! Terraform writes inside another). The test checks that the table covers every resource on
//! both sides, so it cannot drift from either source.
//!
//! Where the two frontends differ by design, the difference is listed in [`DIFFERENCES`] with
//! its reason; an entry that no longer matches a difference fails the test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use moat_core::{LoadOptions, ReachQuery, ScanOptions, Workspace};
use moat_model::aws::network::Protocol;
use moat_model::{Mode, Status};
use moat_net::{PortSet, Verdict};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn terraform_dir() -> PathBuf {
    examples().join("three-tier")
}

fn cloudformation_dir() -> PathBuf {
    examples().join("three-tier-cloudformation")
}

/// Terraform resources with no CloudFormation counterpart at all, and why.
const TERRAFORM_ONLY: &[(&str, &str)] = &[(
    "module.network.aws_default_security_group.this",
    "CloudFormation has no resource type that adopts a VPC's default security group",
)];

/// Which side a difference is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    /// Only the Terraform scan reports it.
    Terraform,
    /// Only the CloudFormation scan reports it.
    CloudFormation,
}

/// Findings that only one frontend gives, by design: `(side, rule ID, resource as that side
/// names it, reason)`.
const DIFFERENCES: &[(Side, &str, &str, &str)] = &[(
    Side::CloudFormation,
    "SG006",
    "Vpc",
    // Terraform's `aws_default_security_group.this` adopts the default group and removes its
    // rules; CloudFormation cannot manage a VPC's default group, which keeps the AWS default
    // rules (all traffic between members, all egress).
    "the VPC's default security group cannot be restricted in CloudFormation",
)];

/// The correspondence table read from the template's comments.
#[derive(Debug, Default)]
struct Table {
    /// Logical ID -> the Terraform addresses it stands for (empty for `none`).
    by_logical: BTreeMap<String, Vec<String>>,
    /// Terraform address -> logical ID.
    by_address: BTreeMap<String, String>,
}

impl Table {
    /// The logical ID that stands for `address` (a Terraform resource or instance address).
    fn logical(&self, address: &str) -> &str {
        self.by_address
            .get(address)
            .unwrap_or_else(|| panic!("`{address}` is not in the correspondence table"))
    }
}

/// Whether `s` looks like a Terraform resource address (`aws_x.y`, `aws_x.y[0]`,
/// `module.m.aws_x.y["k"]`).
fn is_address(s: &str) -> bool {
    let base = s.split('[').next().unwrap_or(s);
    let parts: Vec<&str> = base.split('.').collect();
    let tail = if parts.first() == Some(&"module") {
        &parts[2.min(parts.len())..]
    } else {
        &parts[..]
    };
    tail.len() == 2
        && tail[0].starts_with("aws_")
        && tail
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        && (s == base || (s.ends_with(']') && s[base.len()..].starts_with('[')))
}

/// Parse the `# terraform:` comments above each logical ID of `Resources`.
fn table() -> Table {
    let path = cloudformation_dir().join("template.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut t = Table::default();
    let mut in_resources = false;
    let mut pending: Vec<(usize, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if !line.starts_with(' ') && !line.starts_with('#') && !line.trim().is_empty() {
            in_resources = line.trim_end() == "Resources:";
            pending.clear();
            continue;
        }
        if !in_resources {
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() {
            pending.clear();
        } else if let Some(c) = trimmed.strip_prefix('#') {
            if let Some(rest) = c.trim().strip_prefix("terraform:") {
                pending.push((n, rest.trim().to_string()));
            }
        } else if line.starts_with("  ") && !line.starts_with("   ") && trimmed.ends_with(':') {
            let id = trimmed.trim_end_matches(':').to_string();
            assert!(
                !pending.is_empty(),
                "template.yaml:{n}: resource `{id}` has no `# terraform:` comment above it"
            );
            let mut addrs = Vec::new();
            for (cn, rest) in pending.drain(..) {
                if rest.starts_with("none") {
                    continue;
                }
                for a in rest.split(',').map(str::trim) {
                    assert!(
                        is_address(a),
                        "template.yaml:{cn}: `{a}` is not a Terraform resource address"
                    );
                    let prev = t.by_address.insert(a.to_string(), id.clone());
                    assert!(
                        prev.is_none(),
                        "template.yaml:{cn}: `{a}` is named for `{}` and `{id}`",
                        prev.unwrap()
                    );
                    addrs.push(a.to_string());
                }
            }
            assert!(
                t.by_logical.insert(id.clone(), addrs).is_none(),
                "template.yaml:{n}: `{id}` twice"
            );
        }
    }
    assert!(t.by_logical.len() > 40, "{t:#?}");
    t
}

fn load(dir: &Path) -> Workspace {
    let ws = Workspace::load(&[dir.to_path_buf()], &LoadOptions::default()).unwrap();
    assert_eq!(ws.nothing_read(), None, "{}: nothing read", dir.display());
    assert!(
        ws.errors().is_empty(),
        "{}: errors: {:#?}",
        dir.display(),
        ws.errors()
    );
    ws
}

fn managed(ws: &Workspace) -> BTreeSet<String> {
    ws.estates()
        .flat_map(|e| e.resources.iter())
        .filter(|r| r.mode == Mode::Managed)
        .map(|r| r.address.clone())
        .collect()
}

#[test]
fn the_table_covers_both_sources() {
    let t = table();
    let tf = managed(&load(&terraform_dir()));
    let cfn = managed(&load(&cloudformation_dir()));
    let only: BTreeSet<&str> = TERRAFORM_ONLY.iter().map(|(a, _)| *a).collect();
    let mapped: BTreeSet<&str> = t.by_address.keys().map(String::as_str).collect();
    let tf_set: BTreeSet<&str> = tf.iter().map(String::as_str).collect();
    let missing: Vec<&&str> = tf_set
        .difference(&mapped)
        .filter(|a| !only.contains(**a))
        .collect();
    assert!(
        missing.is_empty(),
        "Terraform resources no `# terraform:` comment names: {missing:?}"
    );
    let stale: Vec<&&str> = mapped
        .union(&only)
        .filter(|a| !tf_set.contains(**a))
        .collect();
    assert!(
        stale.is_empty(),
        "named in the template's comments or TERRAFORM_ONLY, but not Terraform resources: {stale:?}"
    );
    let logical: BTreeSet<&str> = t.by_logical.keys().map(String::as_str).collect();
    let cfn_set: BTreeSet<&str> = cfn.iter().map(String::as_str).collect();
    assert_eq!(
        logical, cfn_set,
        "logical IDs of the comments vs resources read"
    );
}

/// `(rule ID, resource as the CloudFormation side names it, status)`; Terraform resources
/// without a counterpart keep their address.
type Key = (String, String, Status);

fn findings(ws: &Workspace, map: &dyn Fn(&str) -> String) -> BTreeSet<Key> {
    ws.scan(&ScanOptions::default())
        .report
        .entries
        .iter()
        .map(|e| &e.finding)
        .map(|f| (f.rule_id.clone(), map(&f.resource), f.status))
        .collect()
}

/// The 1-based lines of the template that contain `needle`.
fn lines_with(needle: &str) -> Vec<u32> {
    let text = std::fs::read_to_string(cloudformation_dir().join("template.yaml")).unwrap();
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .map(|(i, _)| i as u32 + 1)
        .collect()
}

#[test]
fn the_flaws_are_reported_at_their_template_lines() {
    let ws = load(&cloudformation_dir());
    let report = ws.scan(&ScanOptions::default()).report;
    // (rule, logical ID, text of the lines the finding may point at: the offending property,
    // or the logical ID when the property is missing).
    let flaws: &[(&str, &str, &[&str])] = &[
        (
            "SG001",
            "BastionSecurityGroup",
            &[
                "- Description: SSH from the administrators",
                "CidrIp: !Ref AdminCidr",
            ],
        ),
        ("S3002", "AppDataBucket", &["  AppDataBucket:"]),
        ("RDS003", "Database", &["BackupRetentionPeriod: 0"]),
        ("CT002", "Trail", &["EnableLogFileValidation: false"]),
        ("IAM001", "OpsAdminPolicy", &["- Sid: BreakGlass"]),
        ("IAM002", "OpsAdminPolicy", &["- Sid: BreakGlass"]),
    ];
    for (rule, res, needles) in flaws {
        let lines: Vec<u32> = needles.iter().flat_map(|n| lines_with(n)).collect();
        assert!(!lines.is_empty(), "{needles:?} not in the template");
        let f = report
            .entries
            .iter()
            .map(|e| &e.finding)
            .find(|f| f.rule_id == *rule && f.resource == *res)
            .unwrap_or_else(|| panic!("no {rule} on {res}"));
        assert_eq!(f.file, "template.yaml");
        assert_eq!(f.status, Status::Fail);
        assert!(
            lines.contains(&f.line),
            "{rule} on {res} at line {}, expected one of {lines:?}",
            f.line
        );
    }
}

#[test]
fn the_same_rules_fire_on_corresponding_resources() {
    let t = table();
    let tf_only: BTreeSet<&str> = TERRAFORM_ONLY.iter().map(|(a, _)| *a).collect();
    let to_cfn = |a: &str| -> String {
        if tf_only.contains(a) {
            a.to_string()
        } else {
            t.logical(a).to_string()
        }
    };
    let tf = findings(&load(&terraform_dir()), &to_cfn);
    let cfn = findings(&load(&cloudformation_dir()), &|a: &str| a.to_string());
    // The flaws of the README, on both sides.
    let mut unexplained = Vec::new();
    for (rule, res) in [
        ("SG001", "BastionSecurityGroup"),
        ("S3002", "AppDataBucket"),
        ("RDS003", "Database"),
        ("CT002", "Trail"),
        ("IAM001", "OpsAdminPolicy"),
    ] {
        let key = (rule.to_string(), res.to_string(), Status::Fail);
        for (side, set) in [("terraform", &tf), ("cloudformation", &cfn)] {
            if !set.contains(&key) {
                unexplained.push(format!("{side} misses the flaw {rule} on {res}"));
            }
        }
    }
    let mut used = BTreeSet::new();
    for (side, only) in [
        (Side::Terraform, tf.difference(&cfn)),
        (Side::CloudFormation, cfn.difference(&tf)),
    ] {
        for (rule, res, status) in only {
            // The name on the side that reports it.
            let name = match side {
                Side::CloudFormation => res.clone(),
                Side::Terraform => t
                    .by_logical
                    .get(res)
                    .and_then(|a| a.first().cloned())
                    .unwrap_or_else(|| res.clone()),
            };
            match DIFFERENCES
                .iter()
                .position(|(s, r, n, _)| *s == side && r == rule && *n == name)
            {
                Some(i) => {
                    used.insert(i);
                }
                None => unexplained.push(format!(
                    "only {side:?}: {rule} on {name} ({status:?}){}",
                    match side {
                        Side::Terraform => format!(" = {res}"),
                        Side::CloudFormation => String::new(),
                    }
                )),
            }
        }
    }
    assert!(
        unexplained.is_empty(),
        "findings that differ between the frontends:\n{}",
        unexplained.join("\n")
    );
    let stale: Vec<_> = DIFFERENCES
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .map(|(_, d)| format!("{d:?}"))
        .collect();
    assert!(
        stale.is_empty(),
        "DIFFERENCES entries that no longer differ:\n{}",
        stale.join("\n")
    );
}

/// Queries in Terraform names (`internet` stays), with the expected verdict.
const QUERIES: &[(&str, &str, u16, Verdict)] = &[
    ("internet", "aws_lb.web", 443, Verdict::Reachable),
    ("internet", "aws_lb.web", 80, Verdict::Reachable),
    ("internet", "aws_lb.web", 8080, Verdict::Blocked),
    // Through the ALB only: the listener on 443 forwards to the target group on 8000 (through
    // a load balancer, the port of a query is the listener port); nothing reaches 8000 from
    // outside, as the instances have no public address.
    ("internet", "aws_instance.app[0]", 443, Verdict::Reachable),
    ("internet", "aws_instance.app[1]", 443, Verdict::Reachable),
    ("internet", "aws_instance.app[0]", 8000, Verdict::Blocked),
    ("internet", "aws_instance.app[0]", 22, Verdict::Blocked),
    ("internet", "aws_instance.bastion", 22, Verdict::Reachable),
    ("internet", "aws_instance.bastion", 3389, Verdict::Blocked),
    ("internet", "aws_db_instance.main", 3306, Verdict::Blocked),
    (
        "aws_lb.web",
        "aws_instance.app[0]",
        8000,
        Verdict::Reachable,
    ),
    (
        "aws_instance.app[0]",
        "aws_db_instance.main",
        3306,
        Verdict::Reachable,
    ),
    (
        "aws_instance.app[1]",
        "aws_db_instance.main",
        3306,
        Verdict::Reachable,
    ),
    (
        "aws_instance.app[0]",
        "aws_db_instance.main",
        5432,
        Verdict::Blocked,
    ),
    (
        "aws_instance.bastion",
        "aws_db_instance.main",
        3306,
        Verdict::Blocked,
    ),
    (
        "aws_instance.bastion",
        "aws_instance.app[0]",
        22,
        Verdict::Reachable,
    ),
    (
        "aws_instance.app[0]",
        "aws_instance.app[1]",
        8000,
        Verdict::Blocked,
    ),
    ("aws_instance.app[0]", "internet", 443, Verdict::Reachable),
    ("aws_instance.app[0]", "internet", 80, Verdict::Blocked),
    ("aws_db_instance.main", "internet", 443, Verdict::Blocked),
];

fn query(from: &str, to: &str, port: u16) -> ReachQuery {
    ReachQuery {
        from: from.into(),
        to: to.into(),
        protocol: Protocol::Tcp,
        ports: PortSet::single(port),
    }
}

/// What is compared of an answer: the verdict, the load balancers (or NAT gateways) the paths
/// go through, and the component that blocks with its reason code.
type Answer = (
    Verdict,
    BTreeSet<Option<String>>,
    Option<(String, &'static str)>,
);

fn answer(
    ws: &Workspace,
    from: &str,
    to: &str,
    port: u16,
    map: &dyn Fn(&str) -> String,
) -> Result<Answer, String> {
    let r = ws
        .reach(&query(from, to, port))
        .map_err(|e| format!("reach {from} -> {to}:{port}: {e}"))?
        .result;
    Ok((
        r.verdict,
        r.paths.iter().map(|p| p.via.as_deref().map(map)).collect(),
        r.blocked.as_ref().map(|b| (map(&b.resource), b.code)),
    ))
}

#[test]
fn reach_gives_the_same_verdicts() {
    let t = table();
    let tf = load(&terraform_dir());
    let cfn = load(&cloudformation_dir());
    let name = |s: &str| -> String {
        if s == "internet" {
            s.to_string()
        } else {
            t.logical(s).to_string()
        }
    };
    let mut wrong = Vec::new();
    for &(from, to, port, want) in QUERIES {
        let a = answer(&tf, from, to, port, &|s| {
            t.by_address
                .get(s)
                .cloned()
                .unwrap_or_else(|| s.to_string())
        });
        let b = answer(&cfn, &name(from), &name(to), port, &|s| s.to_string());
        let (a, b) = match (a, b) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => {
                wrong.extend(a.err().map(|e| format!("terraform: {e}")));
                wrong.extend(b.err().map(|e| format!("cloudformation: {e}")));
                continue;
            }
        };
        println!("{from} -> {to}:{port}: {a:?}");
        if a.0 != want {
            wrong.push(format!(
                "terraform {from} -> {to}:{port}: {:?}, expected {want:?} ({a:?})",
                a.0
            ));
        }
        if a != b {
            wrong.push(format!(
                "{from} -> {to}:{port}: terraform {a:?}, cloudformation ({} -> {}) {b:?}",
                name(from),
                name(to)
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn exposure_is_the_same() {
    let t = table();
    let tf = load(&terraform_dir()).exposure().unwrap();
    let cfn = load(&cloudformation_dir()).exposure().unwrap();
    type Row = (String, String, String, Vec<String>, Vec<String>, bool);
    let rows = |x: &moat_core::Exposures, map: &dyn Fn(&str) -> String| -> BTreeSet<Row> {
        x.exposures
            .iter()
            .map(|e| {
                (
                    map(&e.resource),
                    e.protocol.clone(),
                    e.ports.clone(),
                    e.sources.clone(),
                    e.via.iter().map(|v| map(v)).collect(),
                    e.unknown.is_empty(),
                )
            })
            .collect()
    };
    let a = rows(&tf, &|s| t.logical(s).to_string());
    let b = rows(&cfn, &|s| s.to_string());
    // What the README says the internet reaches: the ALB on 80 and 443 and the bastion on 22
    // directly; the application instances only through the ALB.
    let direct: BTreeSet<(String, String)> = a
        .iter()
        .filter(|r| r.4.is_empty())
        .map(|r| (r.0.clone(), r.2.clone()))
        .collect();
    assert_eq!(
        direct,
        BTreeSet::from([
            ("BastionInstance".to_string(), "22".to_string()),
            ("WebLoadBalancer".to_string(), "80,443".to_string()),
        ]),
        "terraform exposure: {a:#?}"
    );
    assert_eq!(a, b, "exposure: terraform (mapped) vs cloudformation");
}
