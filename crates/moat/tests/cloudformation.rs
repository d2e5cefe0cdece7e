//! End-to-end tests of the CloudFormation frontend: the real `moat` binary on templates
//! written the way users write them (a two-AZ VPC quick-start with NAT and an ALB, a SAM app,
//! nested stacks, conditions, mappings by region, `Fn::ForEach`, a JSON template, `Metadata`
//! suppressions, a `Rules` section), kept in `tests/cloudformation/` (each one cfn-lint clean,
//! checked below). Every assertion is on a real outcome: rule IDs on logical IDs, files and
//! lines, parameter and condition effects, reach verdicts (compared with the Terraform
//! equivalent in `tests/cloudformation/vpc-tf`), exit codes as docs/CONTRACTS.md says.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

mod common;
use common::{missing_peer, validate_sarif};

fn moat() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_moat"));
    c.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    c
}

/// A directory of templates under `tests/cloudformation`.
fn qa(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cloudformation")
        .join(name)
}

/// A temporary directory holding `files` (name, bytes).
fn dir(files: &[(&str, &[u8])]) -> TempDir {
    let d = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let p = d.path().join(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(p, bytes).unwrap();
    }
    d
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !r.stderr.contains("panicked"),
        "moat panicked:\n{}",
        r.stderr
    );
    assert!(matches!(r.code, 0..=2), "exit {}: {}", r.code, r.stderr);
    r
}

fn json(r: &Run) -> Value {
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", r.stdout, r.stderr))
}

fn scan(path: &Path, extra: &[&str]) -> (i32, Value) {
    let r = run(moat()
        .arg("scan")
        .arg(path)
        .args(["--format", "json"])
        .args(extra));
    (r.code, json(&r))
}

/// `(rule, resource, file, line)` of the findings with status `fail` that are not suppressed.
fn fails(v: &Value) -> BTreeSet<(String, String, String, u64)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail" && f["suppressed"] == false)
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// `(rule, resource)` of the findings with the given status.
fn pairs(v: &Value, status: &str) -> BTreeSet<(String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == status)
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn errors(v: &Value) -> Vec<(String, u64, String)> {
    v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap_or("").to_string(),
                e["line"].as_u64().unwrap_or(0),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// 1-based line of the `nth` (0-based) line of `file` that contains `needle`.
fn line_of(file: &Path, needle: &str, nth: usize) -> u64 {
    let text = fs::read_to_string(file).unwrap();
    let i = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} #{nth} not in {}", file.display()))
        .0;
    i as u64 + 1
}

fn t(rule: &str, res: &str, file: &str, line: u64) -> (String, String, String, u64) {
    (rule.into(), res.into(), file.into(), line)
}

fn p(rule: &str, res: &str) -> (String, String) {
    (rule.into(), res.into())
}

// ------------------------------------------------------------------- scan: findings and lines

/// The quick-start VPC: each finding on its logical ID, at the line of the logical ID or of
/// the offending property, typed `AWS::...`; nothing on the resources written correctly (the
/// database, the ALB's security group, the app instances' IMDS settings); no error.
#[test]
fn vpc_quickstart_findings_on_logical_ids_and_lines() {
    let f = qa("vpc/vpc.yaml");
    let (code, v) = scan(&qa("vpc"), &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(errors(&v), vec![], "a valid template gives no error");
    let id = |s: &str| line_of(&f, &format!("  {s}:"), 0);
    let rule22 = line_of(&f, "- IpProtocol: tcp", 3);
    let want: BTreeSet<_> = [
        t("SG006", "VPC", "vpc.yaml", id("VPC")),
        t("VPC001", "VPC", "vpc.yaml", id("VPC")),
        t("SG001", "BastionSecurityGroup", "vpc.yaml", rule22),
        t("SG005", "BastionSecurityGroup", "vpc.yaml", rule22),
        t("LB003", "LoadBalancer", "vpc.yaml", id("LoadBalancer")),
        t("LB004", "LoadBalancer", "vpc.yaml", id("LoadBalancer")),
        t("EBS002", "AppInstance1", "vpc.yaml", id("AppInstance1")),
        t("EBS002", "AppInstance2", "vpc.yaml", id("AppInstance2")),
        t("EBS002", "Bastion", "vpc.yaml", id("Bastion")),
        t("EC2001", "Bastion", "vpc.yaml", id("Bastion")),
        t(
            "EC2002",
            "Bastion",
            "vpc.yaml",
            line_of(&f, "AssociatePublicIpAddress: true", 0),
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(fails(&v), want);
    assert_eq!(v["summary"]["resources"], 30);
    for finding in v["findings"].as_array().unwrap() {
        let ty = finding["resource_type"].as_str().unwrap();
        assert!(ty.starts_with("AWS::"), "{finding}");
        let msg = finding["message"].as_str().unwrap();
        for tf in [
            "aws_",
            "ingress {",
            "cidr_blocks",
            "http_tokens",
            "from_port",
        ] {
            assert!(!msg.contains(tf), "Terraform name in {msg}");
        }
    }
    let bastion_sg = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "SG001")
        .unwrap();
    assert_eq!(bastion_sg["resource_type"], "AWS::EC2::SecurityGroup");
    let ec2002 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "EC2002")
        .unwrap();
    assert!(
        ec2002["message"]
            .as_str()
            .unwrap()
            .contains("`PublicSubnet1`"),
        "{ec2002}"
    );
}

/// The text report shows `file:line LogicalId` and the template's own source line.
#[test]
fn text_output_shows_the_template_line() {
    let r = run(moat().arg("scan").arg(qa("vpc")));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let f = qa("vpc/vpc.yaml");
    let l = line_of(&f, "AssociatePublicIpAddress: true", 0);
    assert!(
        r.stdout.contains(&format!("--> vpc.yaml:{l} Bastion")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(&format!("{l} |           AssociatePublicIpAddress: true")),
        "{}",
        r.stdout
    );
    let sg = line_of(&f, "  BastionSecurityGroup:", 0);
    assert!(r.stdout.contains("BastionSecurityGroup"), "{}", r.stdout);
    assert!(sg > 0);
    assert!(
        r.stdout.contains("11 findings") && r.stdout.contains("30 resources, 0 errors"),
        "{}",
        r.stdout
    );
}

/// The same template written as JSON (converted by cfn-lint's own YAML loader) gives the
/// same findings on the same logical IDs, at lines of the JSON file that hold what the YAML
/// lines hold.
#[test]
fn json_and_yaml_forms_give_the_same_findings() {
    let (_, y) = scan(&qa("vpc"), &[]);
    let (code, j) = scan(&qa("vpc-json"), &[]);
    assert_eq!(code, 1);
    assert_eq!(errors(&j), vec![]);
    assert_eq!(pairs(&y, "fail"), pairs(&j, "fail"));
    assert_eq!(pairs(&y, "unknown"), pairs(&j, "unknown"));
    let f = qa("vpc-json/vpc.json");
    let got = fails(&j);
    assert!(got.contains(&t(
        "EC2002",
        "Bastion",
        "vpc.json",
        line_of(&f, "\"AssociatePublicIpAddress\": true", 0)
    )));
    assert!(got.contains(&t(
        "EC2001",
        "Bastion",
        "vpc.json",
        line_of(&f, "    \"Bastion\": {", 0)
    )));
    assert!(got.contains(&t(
        "VPC001",
        "VPC",
        "vpc.json",
        line_of(&f, "    \"VPC\": {", 0)
    )));
}

/// Output is the same bytes run after run, findings sorted by file then line.
#[test]
fn output_is_deterministic_and_sorted() {
    let a = run(moat().arg("scan").arg(qa("")).args(["--format", "json"]));
    let b = run(moat().arg("scan").arg(qa("")).args(["--format", "json"]));
    assert_eq!(a.stdout, b.stdout);
    let v = json(&a);
    let keys: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    // Every template directory was read: the nested stacks once (their children are not
    // scanned again as roots), the Terraform equivalent beside them.
    let files: BTreeSet<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    for f in [
        "cond/bucket.yaml",
        "nested/app.yaml",
        "sam/template.yaml",
        "vpc/vpc.yaml",
        "vpc-json/vpc.json",
        "vpc-tf/main.tf",
    ] {
        assert!(files.contains(f), "{f} not in {files:?}");
    }
    let sg001_app: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "SG001" && f["file"] == "nested/app.yaml")
        .collect();
    assert_eq!(sg001_app.len(), 1, "{sg001_app:?}");
}

// -------------------------------------------------------------- parameters and conditions

/// `Env` defaults to `dev`: the bucket has no KMS encryption (`Fn::If` on `IsProd` gives
/// `AWS::NoValue`), versioning is `Suspended`, and the RDP group exists (`Condition:
/// IsNotProd`). With `Env=prod` all three are gone; the key exists only with `KeyArn` too.
#[test]
fn parameter_and_condition_change_the_outcome() {
    let f = qa("cond/bucket.yaml");
    let bucket = line_of(&f, "  DataBucket:", 0);
    let (code, dev) = scan(&qa("cond"), &[]);
    assert_eq!(code, 1);
    assert_eq!(errors(&dev), vec![]);
    let want: BTreeSet<_> = [
        t("S3001", "DataBucket", "bucket.yaml", bucket),
        t("S3004", "DataBucket", "bucket.yaml", bucket),
        t("S3007", "DataBucket", "bucket.yaml", bucket),
        t(
            "S3002",
            "DataBucket",
            "bucket.yaml",
            line_of(&f, "Status: !If [IsProd, Enabled, Suspended]", 0),
        ),
        t(
            "SG002",
            "DebugSg",
            "bucket.yaml",
            line_of(&f, "- IpProtocol: tcp", 0),
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(fails(&dev), want);
    assert_eq!(dev["summary"]["resources"], 2);

    let (_, prod) = scan(&qa("cond"), &["--parameter", "Env=prod"]);
    assert_eq!(
        pairs(&prod, "fail"),
        [p("S3004", "DataBucket"), p("S3007", "DataBucket")]
            .into_iter()
            .collect()
    );
    assert_eq!(
        prod["summary"]["resources"], 1,
        "DebugSg's condition is false"
    );

    let (_, key) = scan(
        &qa("cond"),
        &[
            "--parameter",
            "Env=prod",
            "--parameter",
            "KeyArn=arn:aws:kms:us-east-1:111122223333:key/1",
        ],
    );
    assert_eq!(
        fails(&key)
            .into_iter()
            .filter(|f| f.0 == "KMS001")
            .collect::<Vec<_>>(),
        vec![t(
            "KMS001",
            "ProdKey",
            "bucket.yaml",
            line_of(&f, "EnableKeyRotation: false", 0)
        )]
    );
    assert_eq!(key["summary"]["resources"], 2);

    // A value outside `AllowedValues` is an error at the parameter, and the scan goes on.
    let (_, bad) = scan(&qa("cond"), &["--parameter", "Env=qa"]);
    let errs = errors(&bad);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(
        (errs[0].0.as_str(), errs[0].1),
        ("bucket.yaml", line_of(&f, "  Env:", 0))
    );
    assert!(errs[0].2.contains("AllowedValues"), "{errs:?}");
}

/// Parameter files: the CloudFormation CLI's list, a template configuration file, the same
/// with a UTF-8 byte-order mark, and UTF-16 as PowerShell's `Out-File` writes it (with and
/// without a byte-order mark, little- and big-endian). `--parameter` wins over a file.
#[test]
fn parameter_files_in_every_encoding() {
    let cli = r#"[{"ParameterKey": "Env", "ParameterValue": "prod"}]"#;
    let cfg = r#"{"Parameters": {"Env": "prod"}, "Tags": {"team": "data"}}"#;
    let utf16le = |s: &str, bom: bool| -> Vec<u8> {
        let mut b = if bom { vec![0xFF, 0xFE] } else { vec![] };
        b.extend(s.encode_utf16().flat_map(|u| u.to_le_bytes()));
        b
    };
    let utf16be = |s: &str| -> Vec<u8> {
        let mut b = vec![0xFE, 0xFF];
        b.extend(s.encode_utf16().flat_map(|u| u.to_be_bytes()));
        b
    };
    let mut bom8 = vec![0xEF, 0xBB, 0xBF];
    bom8.extend(cli.as_bytes());
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("cli.json", cli.as_bytes().to_vec()),
        ("config.json", cfg.as_bytes().to_vec()),
        ("bom8.json", bom8),
        ("utf16le-bom.json", utf16le(cli, true)),
        ("utf16le.json", utf16le(cfg, false)),
        ("utf16be.json", utf16be(cfg)),
    ];
    let d = dir(&files
        .iter()
        .map(|(n, b)| (*n, b.as_slice()))
        .collect::<Vec<_>>());
    for (name, _) in &files {
        let pf = d.path().join(name);
        let (_, v) = scan(&qa("cond"), &["--parameter-file", pf.to_str().unwrap()]);
        assert_eq!(errors(&v), vec![], "{name}");
        assert_eq!(
            v["summary"]["resources"], 1,
            "{name}: Env=prod was not read"
        );
        assert!(
            !pairs(&v, "fail").contains(&p("S3001", "DataBucket")),
            "{name}"
        );
    }
    let pf = d.path().join("cli.json");
    let (_, v) = scan(
        &qa("cond"),
        &[
            "--parameter-file",
            pf.to_str().unwrap(),
            "--parameter",
            "Env=dev",
        ],
    );
    assert_eq!(
        v["summary"]["resources"], 2,
        "--parameter wins over the file"
    );
    assert!(pairs(&v, "fail").contains(&p("SG002", "DebugSg")));

    // A broken parameter file is an error with its line; the templates are still scanned.
    let bad = dir(&[("bad.json", b"[{\"ParameterKey\": \"Env\"\n")]);
    let pf = bad.path().join("bad.json");
    let (code, v) = scan(&qa("cond"), &["--parameter-file", pf.to_str().unwrap()]);
    assert_eq!(code, 1);
    let errs = errors(&v);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].0.ends_with("bad.json") && errs[0].1 == 2,
        "{errs:?}"
    );
    assert!(pairs(&v, "fail").contains(&p("SG002", "DebugSg")));

    // A missing parameter file is a usage error.
    let r = run(moat()
        .arg("scan")
        .arg(qa("cond"))
        .args(["--parameter-file", "/nonexistent/params.json"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run(moat()
        .arg("scan")
        .arg(qa("cond"))
        .args(["--parameter", "Envprod"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// Mappings by region and `Fn::ForEach` (AWS::LanguageExtensions): without a region the
/// encryption algorithm is unknown (never a pass, never a fail); `AWS::Region` given by
/// `--parameter` picks the mapping's row. Each generated bucket has its own logical ID.
#[test]
fn mappings_by_region_and_foreach() {
    let f = qa("foreach/buckets.yaml");
    let sse = line_of(&f, "SSEAlgorithm: !FindInMap", 0);
    let sqs = line_of(&f, "SqsManagedSseEnabled:", 0);
    let buckets = ["CleanBucket", "CuratedBucket", "RawBucket"];
    let (code, v) = scan(&qa("foreach"), &[]);
    assert_eq!(code, 0, "unknowns alone do not fail: {v}");
    assert_eq!(errors(&v), vec![]);
    assert_eq!(v["summary"]["resources"], 5);
    assert_eq!(pairs(&v, "fail"), BTreeSet::new());
    let mut want: BTreeSet<_> = buckets.iter().map(|b| p("S3001", b)).collect();
    want.insert(p("SQS001", "OrdersQueue"));
    want.insert(p("SQS001", "PaymentsQueue"));
    assert_eq!(pairs(&v, "unknown"), want);
    let msg = v["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("AWS::Region"), "{msg}");

    let (_, eu) = scan(&qa("foreach"), &["--parameter", "AWS::Region=eu-west-1"]);
    assert_eq!(
        fails(&eu),
        buckets
            .iter()
            .map(|b| t("S3001", b, "buckets.yaml", sse))
            .collect()
    );
    assert_eq!(pairs(&eu, "unknown"), BTreeSet::new());

    let (_, us) = scan(&qa("foreach"), &["--parameter", "AWS::Region=us-east-1"]);
    assert_eq!(
        fails(&us),
        ["OrdersQueue", "PaymentsQueue"]
            .iter()
            .map(|q| t("SQS001", q, "buckets.yaml", sqs))
            .collect()
    );
}

// --------------------------------------------------------------------------- suppressions

/// `Metadata: moat: ignore` suppresses by rule ID or Checkov ID; an entry without a reason is
/// not honoured and is an error at its line.
#[test]
fn metadata_ignore_suppresses() {
    let f = qa("ignore/template.yaml");
    let (code, v) = scan(&qa("ignore"), &[]);
    assert_eq!(code, 1);
    let suppressed: BTreeSet<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == true)
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        suppressed,
        [p("SG001", "WebSg"), p("S3004", "Logs")]
            .into_iter()
            .collect()
    );
    assert!(pairs(&v, "fail").contains(&p("SG005", "WebSg")));
    let errs = errors(&v);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(
        (errs[0].0.as_str(), errs[0].1),
        ("template.yaml", line_of(&f, "- id: SG005", 0))
    );
    assert!(errs[0].2.contains("no reason"), "{errs:?}");
}

// ------------------------------------------------------------------------------ bad input

/// Broken templates are errors with file and line; the valid template beside them is still
/// scanned (exit 1 for its findings); a directory of broken templates only exits 2.
#[test]
fn malformed_templates_are_errors_and_the_rest_is_scanned() {
    let good = fs::read(qa("ignore/template.yaml")).unwrap();
    let broken_yaml = b"AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: [unclosed\n  Other:\n    Type: AWS::S3::Bucket\n";
    let broken_json = b"{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {\n    \"Bucket\": {\n      \"Type\": \"AWS::S3::Bucket\",\n      \"Properties\": { \"BucketName\": \"x\", }\n    }\n  }\n}\n";
    let dangling = b"AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIp: !Ref NoSuchParam\n";
    let d = dir(&[
        ("good.yaml", &good),
        ("broken.yaml", broken_yaml),
        ("broken.json", broken_json),
        ("dangling.yaml", dangling),
    ]);
    let (code, v) = scan(d.path(), &[]);
    assert_eq!(code, 1, "{v}");
    let errs = errors(&v);
    let at: BTreeSet<(String, u64)> = errs.iter().map(|e| (e.0.clone(), e.1)).collect();
    assert!(at.contains(&("broken.json".into(), 6)), "{errs:?}");
    assert!(
        errs.iter()
            .any(|e| e.0 == "broken.yaml" && (6..=7).contains(&e.1)),
        "{errs:?}"
    );
    assert!(at.contains(&("dangling.yaml".into(), 11)), "{errs:?}");
    assert!(
        errs.iter()
            .any(|e| e.0 == "dangling.yaml" && e.2.contains("`NoSuchParam`")),
        "{errs:?}"
    );
    assert!(pairs(&v, "fail").contains(&p("SG005", "WebSg")));
    // The dangling `Ref` makes the CIDR unknown, not open and not closed.
    assert!(pairs(&v, "unknown").contains(&p("SG001", "Sg")));
    assert!(!pairs(&v, "fail").contains(&p("SG001", "Sg")));

    let only = dir(&[("broken.yaml", broken_yaml)]);
    let r = run(moat().arg("scan").arg(only.path()));
    assert_eq!(r.code, 2, "nothing could be read: {}", r.stdout);
    assert!(r.stdout.contains("broken.yaml:"), "{}", r.stdout);
}

/// A YAML bomb (aliases that expand to billions of nodes) and a deeply nested JSON template
/// are refused quickly, each with an error naming the file.
#[test]
fn yaml_bomb_and_deep_nesting_are_refused_quickly() {
    let mut bomb = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nMetadata:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    let mut prev = 'a';
    for c in 'b'..='p' {
        bomb.push_str(&format!(
            "  {c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
        ));
        prev = c;
    }
    bomb.push_str(&format!(
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: *{prev}\n"
    ));
    let deep = format!(
        "{{\"AWSTemplateFormatVersion\":\"2010-09-09\",\"Resources\":{{\"B\":{{\"Type\":\"AWS::S3::Bucket\",\"Properties\":{{\"Tags\":{}{}}}}}}}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let good = fs::read(qa("ignore/template.yaml")).unwrap();
    let d = dir(&[
        ("bomb.yaml", bomb.as_bytes()),
        ("deep.json", deep.as_bytes()),
        ("good.yaml", &good),
    ]);
    let start = Instant::now();
    let (code, v) = scan(d.path(), &[]);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(20), "took {took:?}");
    assert_eq!(code, 1);
    let errs = errors(&v);
    assert!(
        errs.iter()
            .any(|e| e.0 == "bomb.yaml" && e.2.contains("alias")),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.0 == "deep.json" && e.2.contains("nesting")),
        "{errs:?}"
    );
    assert!(pairs(&v, "fail").contains(&p("SG005", "WebSg")));
}

// ------------------------------------------------------------------- nested stacks and SAM

/// Nested stacks with local `TemplateURL`s: parameters passed down (`IngressCidr`), outputs
/// passed across (`!GetAtt Network.Outputs.PublicSubnetId`); resources named
/// `<Stack>.<LogicalId>` at lines of the child templates; the children are not scanned again
/// as roots with their own defaults.
#[test]
fn nested_stacks_findings_reach_and_exposure() {
    let app = qa("nested/app.yaml");
    let net = qa("nested/network.yaml");
    let (code, v) = scan(&qa("nested"), &[]);
    assert_eq!(code, 1);
    assert_eq!(errors(&v), vec![]);
    let want: BTreeSet<_> = [
        t(
            "SG001",
            "App.WebSg",
            "app.yaml",
            line_of(&app, "- IpProtocol: tcp", 0),
        ),
        t(
            "SG006",
            "Network.Vpc",
            "network.yaml",
            line_of(&net, "  Vpc:", 0),
        ),
        t(
            "VPC002",
            "Network.PublicSubnet",
            "network.yaml",
            line_of(&net, "MapPublicIpOnLaunch: true", 0),
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(fails(&v), want);

    let r = run(moat()
        .arg("reach")
        .arg(qa("nested"))
        .args(["--from", "internet", "--to", "App.Web", "--port", "22"])
        .args(["--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let reach = json(&r);
    assert_eq!(reach["verdict"], "reachable");
    let hops: Vec<(String, String, u64)> = reach["paths"][0]["hops"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["file"].is_string())
        .map(|h| {
            (
                h["resource"].as_str().unwrap().to_string(),
                h["file"].as_str().unwrap().to_string(),
                h["line"].as_u64().unwrap(),
            )
        })
        .collect();
    for want in [
        (
            "Network.Igw".to_string(),
            "network.yaml".to_string(),
            line_of(&net, "  Igw:", 0),
        ),
        (
            "App.WebSg".to_string(),
            "app.yaml".to_string(),
            line_of(&app, "- IpProtocol: tcp", 0),
        ),
        (
            "App.Web".to_string(),
            "app.yaml".to_string(),
            line_of(&app, "  Web:", 0),
        ),
    ] {
        assert!(hops.contains(&want), "{want:?} not in {hops:?}");
    }
    let r = run(moat()
        .arg("exposure")
        .arg(qa("nested"))
        .args(["--format", "json"]));
    let e = json(&r);
    let exp: Vec<(String, String)> = e["exposures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["resource"].as_str().unwrap().to_string(),
                x["ports"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(exp, vec![("App.Web".to_string(), "22".to_string())]);
}

/// A SAM app (Globals, policy templates, implicit API, function URL): findings land on the
/// logical IDs SAM generates, at the SAM source lines; no error on the valid template.
#[test]
fn sam_app_findings_on_generated_logical_ids() {
    let f = qa("sam/template.yaml");
    let (code, v) = scan(&qa("sam"), &[]);
    assert_eq!(code, 1);
    assert_eq!(errors(&v), vec![]);
    let got = fails(&v);
    for want in [
        t(
            "IAM001",
            "AdminFunctionRole",
            "template.yaml",
            line_of(&f, "- Effect: Allow", 0),
        ),
        t(
            "LMB002",
            "AdminFunctionUrl",
            "template.yaml",
            line_of(&f, "AuthType: NONE", 0),
        ),
        t(
            "LMB001",
            "CreateOrderFunction",
            "template.yaml",
            line_of(&f, "    Environment:", 0),
        ),
        t(
            "API001",
            "ServerlessRestApiProdStage",
            "template.yaml",
            line_of(&f, "        Create:", 0),
        ),
    ] {
        assert!(got.contains(&want), "{want:?} not in {got:#?}");
    }
    let types: BTreeSet<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["resource"].as_str().unwrap().to_string(),
                f["resource_type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(types.contains(&("AdminFunctionRole".into(), "AWS::IAM::Role".into())));
    assert!(types.contains(&("AdminFunctionUrl".into(), "AWS::Lambda::Url".into())));
    // The read-only policy templates grant no wildcard action.
    assert!(!got
        .iter()
        .any(|f| f.0 == "IAM002" && f.1 != "AdminFunctionRole"));
}

/// A `Rules` section with the short forms `!Contains`, `!EachMemberEquals`, `!ValueOf`
/// (valid CloudFormation, accepted by cfn-lint and common in AWS samples: AWS's
/// `aws-cloudformation-templates` SapPrivateLink.yaml uses `!ValueOf`) must not make the
/// template unreadable.
#[test]
fn rules_section_short_forms_are_read() {
    let f = qa("rules-section/template.yaml");
    let (_, v) = scan(&qa("rules-section"), &[]);
    assert_eq!(errors(&v), vec![], "a valid template gives no error");
    assert_eq!(v["summary"]["resources"], 6);
    let (_, dev) = scan(&qa("rules-section"), &["--parameter", "Env=dev"]);
    assert!(fails(&dev).contains(&t(
        "SG001",
        "AppSg",
        "template.yaml",
        line_of(&f, "- IpProtocol: tcp", 0)
    )));
    assert!(fails(&dev).contains(&t(
        "CT001",
        "Trail",
        "template.yaml",
        line_of(&f, "IsMultiRegionTrail:", 0)
    )));
}

// --------------------------------------------------------- reach and exposure vs Terraform

/// The logical IDs of `vpc/vpc.yaml` and the addresses of its Terraform equivalent.
const CORRESPONDS: &[(&str, &str)] = &[
    ("internet", "internet"),
    ("AppInstance1", "aws_instance.app1"),
    ("AppInstance2", "aws_instance.app2"),
    ("Bastion", "aws_instance.bastion"),
    ("Database", "aws_db_instance.db"),
    ("LoadBalancer", "aws_lb.lb"),
];

fn tf(cfn: &str) -> &'static str {
    CORRESPONDS.iter().find(|(c, _)| *c == cfn).unwrap().1
}

fn reach(dir: &Path, from: &str, to: &str, port: &str) -> Value {
    let r = run(moat().arg("reach").arg(dir).args([
        "--from", from, "--to", to, "--port", port, "--format", "json",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    json(&r)
}

/// The same verdicts, blocking kinds and codes as the Terraform equivalent; the CloudFormation
/// hops and blocking components are logical IDs at lines of the template.
#[test]
fn reach_and_exposure_match_terraform() {
    let f = qa("vpc/vpc.yaml");
    let queries = [
        ("internet", "AppInstance1", "8080", "blocked"),
        ("internet", "AppInstance1", "22", "blocked"),
        ("internet", "Bastion", "22", "reachable"),
        ("internet", "Database", "5432", "blocked"),
        ("AppInstance1", "Database", "5432", "reachable"),
        ("Bastion", "Database", "5432", "blocked"),
        ("internet", "LoadBalancer", "443", "reachable"),
        ("AppInstance1", "internet", "443", "reachable"),
    ];
    for (from, to, port, verdict) in queries {
        let c = reach(&qa("vpc"), from, to, port);
        let t = reach(&qa("vpc-tf"), tf(from), tf(to), port);
        let q = format!("{from} -> {to}:{port}");
        assert_eq!(c["verdict"], verdict, "{q}: {c}");
        assert_eq!(t["verdict"], verdict, "{q} (Terraform): {t}");
        assert_eq!(c["blocked"]["kind"], t["blocked"]["kind"], "{q}");
        assert_eq!(c["blocked"]["code"], t["blocked"]["code"], "{q}");
        assert_eq!(
            c["paths"].as_array().unwrap().len(),
            t["paths"].as_array().unwrap().len(),
            "{q}"
        );
        for h in c["paths"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["hops"].as_array().unwrap())
        {
            let res = h["resource"].as_str().unwrap();
            assert!(!res.starts_with("aws_"), "{q}: {h}");
            if h["file"].is_string() {
                assert_eq!(h["file"], "vpc.yaml", "{q}: {h}");
                assert!(h["line"].as_u64().unwrap() > 0, "{q}: {h}");
            }
        }
    }
    // The blocking component is the NAT gateway, at its logical ID's line.
    let c = reach(&qa("vpc"), "internet", "Database", "5432");
    assert_eq!(c["blocked"]["resource"], "NatGateway1");
    assert_eq!(c["blocked"]["file"], "vpc.yaml");
    assert_eq!(c["blocked"]["line"], line_of(&f, "  NatGateway1:", 0));
    let c = reach(&qa("vpc"), "Bastion", "Database", "5432");
    assert_eq!(c["blocked"]["resource"], "DatabaseSecurityGroup");
    assert_eq!(c["blocked"]["code"], "ENI_SG_RULES_MISMATCH");
    // The path to the database names the separate ingress resource's line.
    let c = reach(&qa("vpc"), "AppInstance1", "Database", "5432");
    let sg_hop = c["paths"][0]["hops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["resource"] == "DatabaseSecurityGroup")
        .unwrap();
    assert_eq!(sg_hop["line"], line_of(&f, "  DatabaseIngressFromApp:", 0));

    let exposure = |d: &Path| -> Vec<(String, String, String)> {
        let r = run(moat().arg("exposure").arg(d).args(["--format", "json"]));
        assert_eq!(r.code, 0, "{}", r.stderr);
        json(&r)["exposures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["resource"].as_str().unwrap().to_string(),
                    x["ports"].as_str().unwrap().to_string(),
                    x["via"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap())
                        .collect::<Vec<_>>()
                        .join(","),
                )
            })
            .collect()
    };
    let c = exposure(&qa("vpc"));
    let want: Vec<(String, String, String)> = vec![
        ("AppInstance1".into(), "443".into(), "LoadBalancer".into()),
        ("AppInstance2".into(), "443".into(), "LoadBalancer".into()),
        ("Bastion".into(), "22".into(), String::new()),
        ("LoadBalancer".into(), "443".into(), String::new()),
    ];
    assert_eq!(c, want);
    let t: Vec<(String, String, String)> = exposure(&qa("vpc-tf"));
    let mapped: Vec<(String, String, String)> = c
        .iter()
        .map(|(r, p, v)| {
            (
                tf(r).to_string(),
                p.clone(),
                if v.is_empty() {
                    String::new()
                } else {
                    tf(v).to_string()
                },
            )
        })
        .collect();
    assert_eq!(t, mapped);

    // Findings agree too, rule for rule on corresponding resources.
    let (_, cv) = scan(&qa("vpc"), &[]);
    let (_, tv) = scan(&qa("vpc-tf"), &[]);
    let names: &[(&str, &str)] = &[
        ("VPC", "aws_vpc.vpc"),
        ("BastionSecurityGroup", "aws_security_group.bastion"),
        ("LoadBalancer", "aws_lb.lb"),
        ("AppInstance1", "aws_instance.app1"),
        ("AppInstance2", "aws_instance.app2"),
        ("Bastion", "aws_instance.bastion"),
    ];
    let to_tf = |s: &(String, String)| -> (String, String) {
        let n = names
            .iter()
            .find(|(c, _)| *c == s.1)
            .unwrap_or_else(|| panic!("no Terraform name for {s:?}"));
        (s.0.clone(), n.1.to_string())
    };
    let cfn_as_tf: BTreeSet<_> = pairs(&cv, "fail").iter().map(to_tf).collect();
    assert_eq!(cfn_as_tf, pairs(&tv, "fail"));
}

/// `diagram --format mermaid` draws the nested stack's resources by their logical IDs.
#[test]
fn diagram_names_logical_ids() {
    let r = run(moat()
        .arg("diagram")
        .arg(qa("nested"))
        .args(["--format", "mermaid"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("flowchart"), "{}", r.stdout);
    for id in [
        "Network.Vpc 10.50.0.0/16",
        "Network.PublicSubnet",
        "App.Web",
        "Network.Igw",
    ] {
        assert!(r.stdout.contains(id), "{id} not in\n{}", r.stdout);
    }
}

// ---------------------------------------------------------------------------- validity

fn find_cfn_lint() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MOAT_CFN_LINT") {
        return Some(PathBuf::from(p));
    }
    let home = std::env::var_os("HOME")?;
    let p = Path::new(&home).join(".cache/moat-peers/cfn-lint/bin/cfn-lint");
    p.is_file().then_some(p)
}

/// Every template here is valid CloudFormation: cfn-lint reports no error (`E`) on it.
#[test]
fn the_templates_are_valid_cloudformation() {
    let Some(lint) = find_cfn_lint() else {
        missing_peer(
            "`cfn-lint` (MOAT_CFN_LINT, ~/.cache/moat-peers/cfn-lint/bin)",
            "bash .ci/install-peers",
        );
        return;
    };
    let mut files = Vec::new();
    for d in fs::read_dir(qa("")).unwrap() {
        let d = d.unwrap().path();
        for f in fs::read_dir(&d).unwrap() {
            let f = f.unwrap().path();
            if matches!(
                f.extension().and_then(|e| e.to_str()),
                Some("yaml" | "json")
            ) {
                files.push(f);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    let out = std::process::Command::new(lint)
        .args(["--format", "parseable"])
        .args(&files)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let errs: Vec<&str> = text
        .lines()
        .filter(|l| l.split(':').nth(5).is_some_and(|c| c.starts_with('E')))
        .collect();
    assert!(errs.is_empty(), "cfn-lint errors:\n{}", errs.join("\n"));
}

/// `Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]` with SAM functions
/// generated by `Fn::ForEach`: CloudFormation expands the loop first, then SAM, so each
/// generated function gets its role, its URL and the `Globals`. (The SAM transform used to
/// run before the loop was expanded: the functions stayed `AWS::Serverless::Function`, with
/// no finding and no error.)
#[test]
fn sam_functions_generated_by_foreach() {
    let f = qa("sam-foreach/main.json");
    let (code, v) = scan(&qa("sam-foreach"), &[]);
    assert_eq!(code, 1);
    assert_eq!(errors(&v), vec![]);
    assert_eq!(v["summary"]["resources"], 10);
    let env = line_of(&f, "\"Environment\": {", 0);
    let url = line_of(&f, "\"AuthType\": \"NONE\"", 0);
    let stmt = line_of(&f, "\"Effect\": \"Allow\"", 0) - 1;
    let mut want = BTreeSet::new();
    for n in ["a", "b"] {
        want.insert(t("LMB001", &format!("Fn{n}"), "main.json", env));
        want.insert(t("LMB002", &format!("Fn{n}Url"), "main.json", url));
        want.insert(t("IAM001", &format!("Fn{n}Role"), "main.json", stmt));
        want.insert(t("IAM002", &format!("Fn{n}Role"), "main.json", stmt));
        // The URL's permission (SAM adds it) lets anyone invoke the function: its resource
        // policy, evaluated (IAM008), at the URL's AuthType.
        want.insert(t("IAM008", &format!("Fn{n}"), "main.json", url));
    }
    assert_eq!(fails(&v), want);
    // One function per name in the parameter given on the command line.
    let (_, one) = scan(&qa("sam-foreach"), &["--parameter", "Names=Solo"]);
    assert_eq!(
        pairs(&one, "fail"),
        [
            p("IAM001", "FnSoloRole"),
            p("IAM002", "FnSoloRole"),
            p("IAM008", "FnSolo"),
            p("LMB001", "FnSolo"),
            p("LMB002", "FnSoloUrl"),
        ]
        .into_iter()
        .collect()
    );
}

/// A conditional NAT gateway: the app tier reaches the internet only when the parameter
/// creates it; the app port (a parameter) moves with `--parameter`.
#[test]
fn a_parameter_changes_a_reach_verdict() {
    let d = qa("net-conditional");
    let q = |extra: &[&str], from: &str, to: &str, port: &str| -> Value {
        let r = run(moat()
            .arg("reach")
            .arg(&d)
            .args([
                "--from", from, "--to", to, "--port", port, "--format", "json",
            ])
            .args(extra));
        assert_eq!(r.code, 0, "{}", r.stderr);
        json(&r)
    };
    let f = qa("net-conditional/stack.yaml");
    let off = q(&[], "Asg", "internet", "443");
    assert_eq!(off["verdict"], "blocked");
    assert_eq!(off["blocked"]["resource"], "AppRt");
    let on = q(&["--parameter", "CreateNat=true"], "Asg", "internet", "443");
    assert_eq!(on["verdict"], "reachable");
    let hops: Vec<&str> = on["paths"][0]["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["resource"].as_str().unwrap())
        .collect();
    assert!(
        hops.contains(&"Nat") && hops.contains(&"AppNacl"),
        "{hops:?}"
    );
    // The NACL lets only 443 out.
    let http = q(&["--parameter", "CreateNat=true"], "Asg", "internet", "80");
    assert_eq!(http["blocked"]["resource"], "AppNacl");
    assert_eq!(http["blocked"]["code"], "SUBNET_ACL_RESTRICTION");
    // Through the ALB on the default app port, and not on another.
    assert_eq!(q(&[], "Alb", "Asg", "8080")["verdict"], "reachable");
    let moved = q(&["--parameter", "AppPort=9000"], "Alb", "Asg", "8080");
    assert_eq!(moved["verdict"], "blocked");
    assert_eq!(moved["blocked"]["resource"], "AlbSg");
    assert_eq!(
        q(&["--parameter", "AppPort=9000"], "Alb", "Asg", "9000")["verdict"],
        "reachable"
    );
    let internet = q(&[], "internet", "Asg", "8080");
    assert_eq!(internet["verdict"], "blocked");
    assert_eq!(internet["blocked"]["line"], line_of(&f, "  Asg:", 0));
    let (_, v) = scan(&d, &[]);
    assert_eq!(errors(&v), vec![]);
    assert_eq!(pairs(&v, "fail"), [p("SG006", "Vpc")].into_iter().collect());
}

/// A directory with nothing to scan says which files moat looks for, CloudFormation included.
#[test]
fn nothing_to_scan_names_cloudformation() {
    let d = dir(&[("README.md", b"# nothing here\n")]);
    let r = run(moat().arg("scan").arg(d.path()));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("CloudFormation"), "{}", r.stderr);
}

/// SARIF output of a CloudFormation scan is valid against the SARIF 2.1.0 schema and locates
/// each result in the template at its line.
#[test]
fn sarif_locates_findings_in_the_template() {
    let r = run(moat()
        .arg("scan")
        .arg(qa("vpc"))
        .args(["--format", "sarif"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    validate_sarif(&r.stdout);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let f = qa("vpc/vpc.yaml");
    let want = line_of(&f, "AssociatePublicIpAddress: true", 0);
    let results = v["runs"][0]["results"].as_array().unwrap();
    let ec2002 = results
        .iter()
        .find(|x| x["ruleId"] == "EC2002")
        .unwrap_or_else(|| panic!("no EC2002 in {results:?}"));
    let loc = &ec2002["locations"][0]["physicalLocation"];
    assert!(
        loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("vpc.yaml"),
        "{loc}"
    );
    assert_eq!(loc["region"]["startLine"], want);
}

/// Values CloudFormation reads when it deploys are unknown, never pass nor fail: a dynamic
/// reference (`{{resolve:ssm:...}}`; it used to be taken as literal text, so versioning
/// "`{{resolve:ssm:/corp/versioning}}`" failed S3002) and an `AWS::SSM::Parameter::Value<...>`
/// parameter, whose default is the SSM parameter's name.
#[test]
fn dynamic_references_and_ssm_parameters_are_unknown() {
    let f = qa("dynamic-references/template.yaml");
    let (code, v) = scan(&qa("dynamic-references"), &[]);
    assert_eq!(code, 1);
    assert_eq!(errors(&v), vec![]);
    let unknown = pairs(&v, "unknown");
    for want in [
        p("SG001", "FromSsm"),
        p("SG001", "FromDynamic"),
        p("S3002", "Bucket"),
    ] {
        assert!(unknown.contains(&want), "{want:?} not in {unknown:?}");
    }
    let failed = pairs(&v, "fail");
    assert!(
        !failed.iter().any(|(r, _)| r == "SG001" || r == "S3002"),
        "{failed:?}"
    );
    let s3002 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule_id"] == "S3002")
        .unwrap();
    assert_eq!(s3002["line"], line_of(&f, "Status: \"{{resolve:", 0));
    assert!(
        s3002["message"]
            .as_str()
            .unwrap()
            .contains("dynamic reference"),
        "{s3002}"
    );
}

/// A name that is not in the templates: the error suggests a logical ID, not a Terraform
/// address.
#[test]
fn reach_unknown_name_suggests_a_logical_id() {
    let r = run(moat().arg("reach").arg(qa("vpc")).args([
        "--from",
        "internet",
        "--to",
        "NoSuchResource",
        "--port",
        "22",
    ]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("`NoSuchResource`"), "{}", r.stderr);
    assert!(!r.stderr.contains("aws_instance"), "{}", r.stderr);
}

/// `!GetAtt Vpc.CidrBlock` is not known before deployment; the message says so in
/// CloudFormation's terms, not Terraform's "after apply".
#[test]
fn getatt_unknown_is_worded_for_cloudformation() {
    let (_, v) = scan(&qa("dynamic-references"), &[]);
    let sg = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule_id"] == "SG001" && x["resource"] == "FromVpc")
        .unwrap();
    assert_eq!(sg["status"], "unknown");
    let msg = sg["message"].as_str().unwrap();
    assert!(!msg.contains("apply"), "{msg}");
}

/// `Fn::ForEach` loops nested in `Resources` and in `Outputs`, with `!GetAtt [!Sub ..., !Ref
/// Identifier]` in the inner body (the shape of AWS's own ForEach samples): every combination
/// is a resource, no error. (Nested loops used to stay unexpanded: "output
/// `Fn::ForEach::...` has no `Value`", then "`Fn::GetAtt` takes [resource, attribute]".)
#[test]
fn nested_foreach_loops_expand() {
    let f = qa("foreach-nested/template.yaml");
    let (code, v) = scan(&qa("foreach-nested"), &[]);
    assert_eq!(code, 1);
    assert_eq!(errors(&v), vec![]);
    assert_eq!(v["summary"]["resources"], 4);
    let l = line_of(&f, "SqsManagedSseEnabled: false", 0);
    let want: BTreeSet<_> = [
        "BillingColdQueue",
        "BillingHotQueue",
        "SearchColdQueue",
        "SearchHotQueue",
    ]
    .iter()
    .map(|q| t("SQS001", q, "template.yaml", l))
    .collect();
    assert_eq!(fails(&v), want);
    let (_, one) = scan(&qa("foreach-nested"), &["--parameter", "Teams=Ops"]);
    assert_eq!(errors(&one), vec![]);
    assert_eq!(
        pairs(&one, "fail"),
        [p("SQS001", "OpsColdQueue"), p("SQS001", "OpsHotQueue")]
            .into_iter()
            .collect()
    );
}

/// `moat scan template.yaml` (one file, the first thing a new user types) reads it as
/// CloudFormation only: no error, the same findings as scanning its directory.
#[test]
fn a_single_template_file_is_scanned_without_error() {
    let (code, v) = scan(&qa("cond/bucket.yaml"), &[]);
    assert_eq!(code, 1);
    assert_eq!(errors(&v), vec![]);
    assert_eq!(v["summary"]["files_scanned"], 1);
    let (_, dir) = scan(&qa("cond"), &[]);
    assert_eq!(fails(&v), fails(&dir));
    let (_, j) = scan(&qa("vpc-json/vpc.json"), &[]);
    assert_eq!(errors(&j), vec![]);
    assert_eq!(j["summary"]["files_scanned"], 1);
}

/// `Fn::If` on an unknown condition choosing between two maps (a resource's whole
/// `Properties`, a property block): what both branches set alike is known, what they set
/// differently is unknown. (Whole `Properties` used to become unknown and then read as
/// absent: KMS001 failed a key that rotates in both branches, and the queue that is
/// unencrypted in one branch passed on SQS's default.)
#[test]
fn if_between_property_maps_keeps_what_both_branches_set() {
    let f = qa("properties-if/template.yaml");
    let (code, v) = scan(&qa("properties-if"), &[]);
    assert_eq!(code, 1);
    assert_eq!(errors(&v), vec![]);
    let all: BTreeSet<(String, String)> = pairs(&v, "fail")
        .union(&pairs(&v, "unknown"))
        .cloned()
        .collect();
    assert!(
        !all.iter().any(|(r, _)| r == "KMS001" || r == "S3003"),
        "{all:?}"
    );
    // `Properties: !If [Cond, {...}, !Ref AWS::NoValue]`: the topic's key is set in one
    // branch only, so SNS001 is unknown, not a fail.
    assert_eq!(
        pairs(&v, "unknown"),
        [
            p("SQS001", "Queue"),
            p("S3002", "Bucket"),
            p("SNS001", "Topic")
        ]
        .into_iter()
        .collect()
    );
    let (_, us) = scan(
        &qa("properties-if"),
        &["--parameter", "AWS::Region=us-east-1"],
    );
    assert!(fails(&us).contains(&t(
        "SQS001",
        "Queue",
        "template.yaml",
        line_of(&f, "SqsManagedSseEnabled: false", 0)
    )));
    assert!(!pairs(&us, "fail").contains(&p("S3002", "Bucket")));
    assert!(!pairs(&us, "fail").contains(&p("SNS001", "Topic")));
    let (_, eu) = scan(
        &qa("properties-if"),
        &["--parameter", "AWS::Region=eu-west-1"],
    );
    assert!(fails(&eu).contains(&t(
        "SNS001",
        "Topic",
        "template.yaml",
        line_of(&f, "  Topic:", 0)
    )));
    assert!(!pairs(&eu, "fail").contains(&p("SQS001", "Queue")));
    assert!(fails(&eu).contains(&t(
        "S3002",
        "Bucket",
        "template.yaml",
        line_of(&f, "- Status: Suspended", 0)
    )));
}

/// Properties that come whole from `Fn::Transform` (`AWS::Include` of an S3 snippet) are
/// unknown: no rule may fail or pass the bucket on defaults.
#[test]
fn properties_from_a_transform_are_unknown() {
    let (_, v) = scan(&qa("include"), &[]);
    assert_eq!(errors(&v), vec![]);
    assert_eq!(pairs(&v, "fail"), BTreeSet::new(), "{v}");
}
