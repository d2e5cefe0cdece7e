//! Differential test against Checkov: every `equivalent.checkov` claim that moat makes on the
//! rule fixtures and the bundled example must be a check that Checkov fails on the same
//! resource, except for the known disagreements listed in [`ALLOWED`] (each with its reason).
//!
//! Checkov runs once over a temporary directory holding a copy of every fixture (one
//! subdirectory each, so that fixtures stay separate Terraform roots). The test looks for
//! `checkov` in `$MOAT_CHECKOV`, on `PATH`, then at `$HOME/.cache/moat-peers/checkov/bin/checkov`
//! (where `.ci/install-peers` puts it); without it the test prints why and passes, or fails under
//! `MOAT_REQUIRE_PEERS=1` (as in CI).
//!
//! A claim on resource R at `file:line` is confirmed when Checkov fails the same ID in the
//! same file on R itself, on a resource whose block holds that line (a policy from a
//! `data "aws_iam_policy_document"`), or on a resource R references or that references R
//! (Checkov reports `CKV_AWS_53` on the `aws_s3_bucket_public_access_block`, moat on the bucket;
//! `CKV2_AWS_12` on the `aws_vpc`, moat on its `aws_default_security_group`).
//!
//! The same holds for CloudFormation: `checkov --framework cloudformation` runs over a copy of
//! every rule fixture's `cloudformation` directory and of `examples/three-tier-cloudformation`,
//! and every claim moat makes on a CloudFormation resource must be a check that Checkov fails
//! on the same logical ID (Checkov names it `AWS::S3::Bucket.LogicalId`), on a resource linked
//! to it by a `Ref`/`Fn::GetAtt` either way, or on a resource whose lines hold the finding's
//! line; known Checkov mistakes are in [`ALLOWED_CFN`]. An unconfirmed claim says whether
//! Checkov passed that check on the resource or has no CloudFormation check of that ID for
//! its type (then the rule must not claim it on CloudFormation resources).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use moat_model::{Estate, Finding, Status};

mod common;
use common::missing_peer;

/// Known disagreements where moat is right: `(fixture file, resource, Checkov ID, reason)`.
/// The file is relative to the copy root (`<family>/<fixture>/<file>`). An entry that no
/// longer matches a disagreement fails the test, so the list cannot go stale.
const ALLOWED: &[(&str, &str, &str, &str)] = &[
    (
        "lb/LB002/LB002.tf",
        "aws_lb_listener.old",
        "CKV_AWS_103",
        // CKV_AWS_103 accepts any policy whose name contains `ELBSecurityPolicy-TLS13`, but
        // `ELBSecurityPolicy-TLS13-1-0-2021-06` also negotiates TLS 1.0 and 1.1.
        "checkov accepts every ELBSecurityPolicy-TLS13-* policy, including TLS13-1-0 (TLS 1.0+)",
    ),
    (
        "rds/RDS002/RDS002.tf",
        "aws_rds_cluster_instance.node",
        "CKV_AWS_17",
        // moat expands `count`: instance 0 has `publicly_accessible = count.index == 0`.
        "checkov does not evaluate `count.index`, so the expression is not `true` to it",
    ),
    (
        "sg/SG001/SG001.tf",
        "aws_vpc_security_group_ingress_rule.ssh_v6",
        "CKV_AWS_24",
        // On `aws_vpc_security_group_ingress_rule`, `cidr_ipv6` is a string; Checkov iterates
        // it as if it were a list, character by character, so `::/0` never matches.
        "checkov misses `cidr_ipv6 = \"::/0\"` on aws_vpc_security_group_ingress_rule",
    ),
    (
        "iam/IAM006/IAM006.tf",
        "aws_iam_role_policy_attachment.ci_admin_any_partition",
        "CKV_AWS_274",
        // moat resolves `data.aws_partition.current.partition` to `aws` (the provider's region
        // is not a China or GovCloud one), so the ARN is the literal AdministratorAccess ARN.
        "checkov does not evaluate `data.aws_partition`, so the templated ARN is not the literal to it",
    ),
];

/// Known disagreements on CloudFormation fixtures where moat is right:
/// `(fixture file, logical ID, Checkov ID, reason)`, the file relative to the copy root
/// (`<family>/<CODE>/<file>`). An entry that no longer matches fails the test.
const ALLOWED_CFN: &[(&str, &str, &str, &str)] = &[
    // Checkov's CloudFormation CKV_AWS_8 answers UNKNOWN for a launch configuration without
    // `BlockDeviceMappings`; its Terraform CKV_AWS_8 fails an omitted `root_block_device`
    // (checkov issue 496), as moat does: the root volume then follows the AMI's snapshot, and
    // EBS encryption is off unless the account enables it by default.
    (
        "ebs/EBS002/EBS002.yaml",
        "Configuration",
        "CKV_AWS_8",
        "checkov (CloudFormation) leaves a launch configuration without BlockDeviceMappings undecided",
    ),
    (
        "ec2/EC2001/EC2001.yaml",
        "Configuration",
        "CKV_AWS_8",
        "checkov (CloudFormation) leaves a launch configuration without BlockDeviceMappings undecided",
    ),
    (
        "ec2/EC2002/EC2002.yaml",
        "Configuration",
        "CKV_AWS_8",
        "checkov (CloudFormation) leaves a launch configuration without BlockDeviceMappings undecided",
    ),
    // CKV_AWS_17 passes an unset `PubliclyAccessible` (`missing_block_result=PASSED`). AWS
    // makes an instance public by default when its DB subnet group's VPC has an internet
    // gateway attached (CreateDBInstance, PubliclyAccessible:
    // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html),
    // which is this fixture's case.
    (
        "rds/RDS002/RDS002.yaml",
        "InVpcWithGateway",
        "CKV_AWS_17",
        "checkov treats an unset PubliclyAccessible as private; AWS makes it public in a VPC with an internet gateway",
    ),
    // Checkov does not expand `Fn::ForEach` (the `AWS::LanguageExtensions` transform): the
    // buckets it writes are not checked at all.
    (
        "s3/S3002/S3002.yaml",
        "ManyA",
        "CKV_AWS_21",
        "checkov does not expand Fn::ForEach",
    ),
    (
        "s3/S3002/S3002.yaml",
        "ManyB",
        "CKV_AWS_21",
        "checkov does not expand Fn::ForEach",
    ),
    (
        "s3/S3002/S3002.yaml",
        "ManyA",
        "CKV_AWS_18",
        "checkov does not expand Fn::ForEach",
    ),
    (
        "s3/S3002/S3002.yaml",
        "ManyB",
        "CKV_AWS_18",
        "checkov does not expand Fn::ForEach",
    ),
    // Checkov's CloudFormation CKV_AWS_24/CKV_AWS_25 only look at rules with `FromPort` and
    // `ToPort`; a rule with `IpProtocol: "-1"` (all protocols, every port) has neither, so it
    // passes, although it admits SSH and RDP from anywhere.
    (
        "sg/SG002/SG002.yaml",
        "All",
        "CKV_AWS_24",
        "checkov (CloudFormation) skips rules without FromPort/ToPort (IpProtocol -1, all ports)",
    ),
    (
        "sg/SG002/SG002.yaml",
        "All",
        "CKV_AWS_25",
        "checkov (CloudFormation) skips rules without FromPort/ToPort (IpProtocol -1, all ports)",
    ),
    (
        "sg/SG003/SG003.yaml",
        "Open",
        "CKV_AWS_24",
        "checkov (CloudFormation) skips rules without FromPort/ToPort (IpProtocol -1, all ports)",
    ),
    (
        "sg/SG003/SG003.yaml",
        "Open",
        "CKV_AWS_25",
        "checkov (CloudFormation) skips rules without FromPort/ToPort (IpProtocol -1, all ports)",
    ),
    // `KmsMasterKeyId: !If [Encrypt, !Ref Key, !Ref AWS::NoValue]` with the condition false
    // (parameter defaults): the property is removed. Checkov does not evaluate the condition
    // and takes the property as set.
    (
        "sns/SNS001/SNS001.yaml",
        "KeyLeftOut",
        "CKV_AWS_26",
        "checkov does not evaluate Fn::If on a false condition (AWS::NoValue removes the key)",
    ),
];

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn find_checkov() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MOAT_CHECKOV") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Some(p);
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join("checkov");
            if p.is_file() {
                return Some(p);
            }
        }
    }
    let home = std::env::var_os("HOME")?;
    let p = Path::new(&home).join(".cache/moat-peers/checkov/bin/checkov");
    p.is_file().then_some(p)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// Every fixture of one frontend as `(name relative to the copy root, source directory)`: the
/// `<frontend>` directory of each rule fixture (`fixtures/<family>/<CODE>/<frontend>`, copied
/// as `<family>/<CODE>`; the network fixtures hold one Terraform root per case below it), and
/// the bundled `example` (`examples/<example>`).
fn fixtures(frontend: &str, example: &str) -> Vec<(String, PathBuf)> {
    let root = manifest().join("../../fixtures");
    let mut out = Vec::new();
    for fam in std::fs::read_dir(&root).unwrap() {
        let fam = fam.unwrap().path();
        if !fam.is_dir() {
            continue;
        }
        let fname = fam.file_name().unwrap().to_string_lossy().to_string();
        for e in std::fs::read_dir(&fam).unwrap() {
            let p = e.unwrap().path().join(frontend);
            if p.is_dir() {
                let code = p.parent().unwrap().file_name().unwrap().to_string_lossy();
                out.push((format!("{fname}/{code}"), p));
            }
        }
    }
    out.push((
        format!("examples/{example}"),
        manifest().join("../../examples").join(example),
    ));
    out.sort();
    out
}

/// `checkov`, or `None` after [`missing_peer`] said it is missing.
fn checkov() -> Option<PathBuf> {
    let bin = find_checkov();
    if bin.is_none() {
        missing_peer(
            "`checkov` (MOAT_CHECKOV, PATH, ~/.cache/moat-peers/checkov/bin)",
            "bash .ci/install-peers (a venv in ~/.cache/moat-peers/checkov with pip install 'checkov==3.*')",
        );
    }
    bin
}

/// A fresh temporary directory `prefix-<pid>` holding a copy of each fixture under its name.
fn copy_fixtures(fixtures: &[(String, PathBuf)], prefix: &str) -> PathBuf {
    let tmp = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    for (name, src) in fixtures {
        copy_dir(src, &tmp.join(name));
    }
    tmp
}

/// `module.a["x"].aws_s3_bucket.b[0]` -> `aws_s3_bucket.b`.
fn norm(addr: &str) -> String {
    let mut s = String::new();
    let mut depth = 0;
    for c in addr.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => s.push(c),
            _ => {}
        }
    }
    let parts: Vec<&str> = s.split('.').collect();
    let mut i = 0;
    while parts.len() > i + 2 && parts[i] == "module" {
        i += 2;
    }
    // Checkov names a data source without its `data.` prefix.
    if parts.len() > i + 2 && parts[i] == "data" {
        i += 1;
    }
    parts[i..].join(".")
}

/// One failed Checkov check.
struct Failed {
    resource: String,
    lines: (u32, u32),
}

impl Failed {
    /// Whether this failure stands for moat's claim on `resource` (with its related resources
    /// `near`) found at `line`: the same resource, a related one, or one whose lines hold it.
    fn covers(&self, resource: &str, near: &BTreeSet<String>, line: u32) -> bool {
        self.resource == resource
            || near.contains(&self.resource)
            || (self.lines.0 <= line && line <= self.lines.1)
    }
}

/// `(file relative to the copy root, Checkov ID)` -> checks that failed.
type Results = BTreeMap<(String, String), Vec<Failed>>;

/// Checkov's failed and passed checks under `dir` with one `framework`.
fn run_checkov(bin: &Path, dir: &Path, framework: &str) -> (Results, Results) {
    let out = Command::new(bin)
        .arg("-d")
        .arg(dir)
        .args(["--framework", framework, "-o", "json", "--skip-download"])
        // `--quiet` leaves out the passed checks, which only the CloudFormation comparison
        // reads (to say why a claim is not confirmed).
        .args((framework != "cloudformation").then_some("--quiet"))
        .env("BC_SKIP_MAPPING", "TRUE")
        .output()
        .expect("run checkov");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "checkov failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let reports = match json {
        serde_json::Value::Array(v) => v,
        other => vec![other],
    };
    let mut failed = Results::new();
    let mut passed = Results::new();
    for rep in reports {
        for (key, into) in [
            ("failed_checks", &mut failed),
            ("passed_checks", &mut passed),
        ] {
            let Some(list) = rep["results"][key].as_array() else {
                continue;
            };
            for c in list {
                let file = c["file_path"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches('/')
                    .to_string();
                let range = &c["file_line_range"];
                let resource = c["resource"].as_str().unwrap();
                into.entry((file, c["check_id"].as_str().unwrap().to_string()))
                    .or_default()
                    .push(Failed {
                        resource: if framework == "cloudformation" {
                            logical_id(resource).to_string()
                        } else {
                            norm(resource)
                        },
                        lines: (
                            range[0].as_u64().unwrap_or(0) as u32,
                            range[1].as_u64().unwrap_or(0) as u32,
                        ),
                    });
            }
        }
    }
    (failed, passed)
}

/// Checkov's CloudFormation resource name `AWS::S3::Bucket.Logs` -> `Logs`; moat's name of a
/// resource of a nested stack `Child.Logs` -> `Logs` (Checkov reports it in the child's file).
fn logical_id(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// Normalised addresses of the resources linked to the finding's resource: by a reference
/// either way, by a literal bucket name (`bucket = "logs"` in a split S3 resource), or named on
/// the finding's line (`policy = data.aws_iam_policy_document.x.json`, which the frontend
/// renders to a string, so no reference remains).
fn related(e: &Estate, address: &str, file: &str, line: u32) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Some(id) = e.by_address(address) else {
        return out;
    };
    for edge in e.refs_from(id).chain(e.refs_to(id)) {
        for other in [edge.from, edge.to] {
            if let Some(r) = e.get(other) {
                out.insert(norm(&r.address));
            }
        }
    }
    if let Some(name) = e.get(id).and_then(|r| r.str_attr("bucket")) {
        for r in &e.resources {
            if r.str_attr("bucket") == Some(name) {
                out.insert(norm(&r.address));
            }
        }
    }
    if let Some(text) = e.source_line(file, line) {
        for (i, _) in text.match_indices("data.") {
            let name: String = text[i + 5..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
                .collect();
            let mut parts = name.split('.');
            if let (Some(t), Some(n)) = (parts.next(), parts.next()) {
                out.insert(format!("{t}.{n}"));
            }
        }
    }
    out
}

/// A known disagreement: `(fixture file, resource, Checkov ID, reason)`.
type Allowed = (&'static str, &'static str, &'static str, &'static str);

/// What moat claimed, per (file, Checkov ID): (resource, related resources, line).
type Claim = (String, BTreeSet<String>, u32);

/// moat's claims of Checkov equivalents on one frontend's fixtures, against Checkov's results.
struct Tally<'a> {
    failed: &'a Results,
    allowed: &'a [Allowed],
    claims: usize,
    confirmed: usize,
    allowed_used: BTreeSet<usize>,
    made: BTreeMap<(String, String), Vec<Claim>>,
    /// Claims neither confirmed nor allowed, as messages.
    wrong: Vec<String>,
}

impl<'a> Tally<'a> {
    fn new(failed: &'a Results, allowed: &'a [Allowed]) -> Self {
        Tally {
            failed,
            allowed,
            claims: 0,
            confirmed: 0,
            allowed_used: BTreeSet::new(),
            made: BTreeMap::new(),
            wrong: Vec::new(),
        }
    }

    /// Records moat's claim of Checkov `id` on `resource` (related resources `near`, finding
    /// at `line`) in `file`; true when Checkov does not confirm it and no allowlist entry
    /// excuses it (the caller then says why in `wrong`).
    fn unconfirmed(
        &mut self,
        file: &str,
        id: &str,
        resource: &str,
        near: &BTreeSet<String>,
        line: u32,
    ) -> bool {
        self.claims += 1;
        let key = (file.to_string(), id.to_string());
        self.made
            .entry(key.clone())
            .or_default()
            .push((resource.to_string(), near.clone(), line));
        let failed = self.failed;
        if failed
            .get(&key)
            .is_some_and(|v| v.iter().any(|c| c.covers(resource, near, line)))
        {
            self.confirmed += 1;
            return false;
        }
        let allowed = self
            .allowed
            .iter()
            .position(|(af, ar, aid, _)| *af == file && *ar == resource && *aid == id);
        match allowed {
            Some(i) => {
                self.allowed_used.insert(i);
                false
            }
            None => true,
        }
    }

    /// Prints the counts and the Checkov failures of claimed IDs that moat does not claim
    /// (reported, not asserted: a moat miss, a moat `unknown`, or a difference documented in
    /// the rule's "Differences from Checkov"); asserts that every claim is confirmed or
    /// allowed and that every allowlist entry (`allowlist` names it) is still needed.
    /// `what` qualifies the fixtures in messages (`"CloudFormation "` or empty).
    fn finish(mut self, fixtures: usize, what: &str, allowlist: &str) {
        println!(
            "{} claims on {fixtures} {what}fixtures: {} confirmed by Checkov, {} allowlisted",
            self.claims,
            self.confirmed,
            self.allowed_used.len()
        );
        let listed: BTreeSet<&str> = moat_rules::catalogue()
            .iter()
            .flat_map(|r| r.checkov.iter().copied())
            .collect();
        let mut checkov_only: BTreeMap<&str, usize> = BTreeMap::new();
        for ((file, id), fails) in self.failed {
            let Some(id) = listed.get(id.as_str()) else {
                continue;
            };
            let mine = self.made.get(&(file.clone(), id.to_string()));
            for c in fails {
                let covered = mine.is_some_and(|v| {
                    v.iter()
                        .any(|(resource, near, line)| c.covers(resource, near, *line))
                });
                if !covered {
                    *checkov_only.entry(id).or_default() += 1;
                    if std::env::var_os("MOAT_CHECKOV_VERBOSE").is_some() {
                        println!("  checkov only: {id} {} ({file})", c.resource);
                    }
                }
            }
        }
        println!(
            "checkov-only {what}failures of claimed IDs (not asserted): {}",
            checkov_only
                .iter()
                .map(|(id, n)| format!("{id}={n}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        self.wrong.sort();
        self.wrong.dedup();
        assert!(
            self.wrong.is_empty(),
            "moat claims Checkov equivalents on {what}fixtures that Checkov does not fail:\n{}",
            self.wrong.join("\n")
        );
        let stale: Vec<_> = self
            .allowed
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.allowed_used.contains(i))
            .map(|(_, a)| format!("{a:?}"))
            .collect();
        assert!(
            stale.is_empty(),
            "{allowlist} entries no longer needed:\n{}",
            stale.join("\n")
        );
    }
}

/// Calls `visit` with each failed finding of moat on the fixtures (each loaded by `load`), its
/// estate and its file relative to the copy root.
fn for_each_failure(
    fixtures: &[(String, PathBuf)],
    load: impl Fn(&Path) -> Vec<Estate>,
    mut visit: impl FnMut(&Estate, &Finding, &str),
) {
    for (name, src) in fixtures {
        for e in &load(src) {
            for f in moat_rules::check(e) {
                if f.status == Status::Fail {
                    visit(e, &f, &format!("{name}/{}", f.file));
                }
            }
        }
    }
}

#[test]
fn moat_checkov_claims_are_confirmed_by_checkov() {
    let Some(bin) = checkov() else {
        return;
    };
    let fixtures = fixtures("terraform", "three-tier");
    let tmp = copy_fixtures(&fixtures, "moat-checkov-diff");
    let (failed, _) = run_checkov(&bin, &tmp, "terraform");
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(!failed.is_empty(), "checkov reported no failure at all");

    let mut tally = Tally::new(&failed, ALLOWED);
    let load = |src: &Path| moat_terraform::load(src, &moat_terraform::Options::default());
    for_each_failure(&fixtures, load, |e, f, file| {
        let addr = norm(&f.resource);
        let near = related(e, &f.resource, &f.file, f.line);
        for id in &f.equivalent.checkov {
            if tally.unconfirmed(file, id, &addr, &near, f.line) {
                tally.wrong.push(format!(
                    "{file}:{} {} {} claims {id}: {}",
                    f.line, f.rule_id, f.resource, f.message
                ));
            }
        }
    });
    tally.finish(fixtures.len(), "", "ALLOWED");
}

/// Checkov's CloudFormation checks: ID -> the resource types it covers (from `checkov --list`,
/// a Markdown table `| n | ID | type | entity | policy | IaC | link |`).
fn cfn_checks(bin: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let out = Command::new(bin)
        .args(["--list", "--framework", "cloudformation"])
        .env("BC_SKIP_MAPPING", "TRUE")
        .output()
        .expect("run checkov --list");
    let mut checks: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let cols: Vec<&str> = line.split('|').map(str::trim).collect();
        if cols.len() > 4 && cols[2].starts_with("CKV") && cols[4].starts_with("AWS::") {
            checks
                .entry(cols[2].to_string())
                .or_default()
                .insert(cols[4].to_string());
        }
    }
    assert!(
        checks.len() > 100,
        "checkov --list --framework cloudformation listed {} checks",
        checks.len()
    );
    checks
}

/// Logical IDs of the resources linked to the finding's resource by a reference either way
/// (`Ref`, `Fn::GetAtt`).
fn cfn_related(e: &Estate, address: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Some(id) = e.by_address(address) else {
        return out;
    };
    for edge in e.refs_from(id).chain(e.refs_to(id)) {
        for other in [edge.from, edge.to] {
            if let Some(r) = e.get(other) {
                out.insert(logical_id(&r.address).to_string());
            }
        }
    }
    out
}

#[test]
fn moat_cloudformation_claims_are_confirmed_by_checkov() {
    let Some(bin) = checkov() else {
        return;
    };
    let fixtures = fixtures("cloudformation", "three-tier-cloudformation");
    let tmp = copy_fixtures(&fixtures, "moat-checkov-cfn-diff");
    let (failed, passed) = run_checkov(&bin, &tmp, "cloudformation");
    let checks = cfn_checks(&bin);
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(
        !failed.is_empty(),
        "checkov reported no CloudFormation failure at all"
    );

    let mut tally = Tally::new(&failed, ALLOWED_CFN);
    let load =
        |src: &Path| moat_cloudformation::load(src, &moat_cloudformation::Options::default());
    for_each_failure(&fixtures, load, |e, f, file| {
        let lid = logical_id(&f.resource).to_string();
        let near = cfn_related(e, &f.resource);
        for id in &f.equivalent.checkov {
            if !tally.unconfirmed(file, id, &lid, &near, f.line) {
                continue;
            }
            let why = match checks.get(id) {
                None => "Checkov has no CloudFormation check of this ID".to_string(),
                Some(types) if !types.contains(&f.resource_type) => format!(
                    "Checkov's CloudFormation check covers {}, not this type",
                    types.iter().cloned().collect::<Vec<_>>().join(", ")
                ),
                Some(_)
                    if passed
                        .get(&(file.to_string(), id.clone()))
                        .is_some_and(|v| v.iter().any(|c| c.resource == lid)) =>
                {
                    "Checkov passes it".to_string()
                }
                Some(_) => "Checkov does not report it on this resource".to_string(),
            };
            tally.wrong.push(format!(
                "{file}:{} {} {} ({}) claims {id} ({why}): {}",
                f.line, f.rule_id, f.resource, f.resource_type, f.message
            ));
        }
    });
    tally.finish(fixtures.len(), "CloudFormation ", "ALLOWED_CFN");
}
