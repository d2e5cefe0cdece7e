//! One test per rule: for every frontend a fixture is written for
//! (`fixtures/<family>/<CODE>/<frontend>/`, at the workspace root), load it with that frontend,
//! run only that rule, and compare the findings with the annotations written in the fixture, then
//! snapshot the rendered findings (`<CODE>.snap` for Terraform, `<CODE>@<frontend>.snap` for the
//! others). The rule is the same code whichever frontend the estate comes from: only the
//! fixture and the adapter differ.
//!
//! Annotations sit at the end of the line where a finding is expected:
//! `# expect: S3002 aws_s3_bucket.a` (a failure) or `# expect-unknown: S3002 aws_s3_bucket.b`;
//! several are separated by ` ; `. Every finding must be annotated and every annotation found,
//! so passing resources are asserted to have none.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use moat_model::{Estate, Finding, Status};

/// The frontends a fixture can be written for: its directory name under `<CODE>/` and how the
/// frontend loads such a directory. CloudFormation, inventory and Kubernetes join here.
const FRONTENDS: &[(&str, Load)] = &[
    ("terraform", load_terraform),
    ("cloudformation", load_cloudformation),
];

/// How a frontend loads a fixture directory.
type Load = fn(&Path) -> Vec<Estate>;

fn load_terraform(path: &Path) -> Vec<Estate> {
    moat_terraform::load(path, &moat_terraform::Options::default())
}

fn load_cloudformation(path: &Path) -> Vec<Estate> {
    moat_cloudformation::load(path, &moat_cloudformation::Options::default())
}

/// `fixtures/<family>/<CODE>`.
fn fixture(family: &str, code: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(family)
        .join(code)
}

/// The files of a fixture, walked (file names are unique within a fixture).
fn files(path: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(path).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            v.extend(files(&p));
        } else {
            v.push(p);
        }
    }
    v.sort();
    v
}

type Row = (String, u32, String, String, &'static str);

fn expected(path: &Path) -> Vec<Row> {
    let mut out = Vec::new();
    for f in files(path) {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, line) in text.lines().enumerate() {
            for (marker, status) in [("# expect-unknown:", "unknown"), ("# expect:", "fail")] {
                if let Some(pos) = line.find(marker) {
                    for item in line[pos + marker.len()..].split(" ; ") {
                        let item = item.trim();
                        let (code, addr) = item
                            .split_once(' ')
                            .unwrap_or_else(|| panic!("bad annotation `{item}`"));
                        out.push((
                            name.clone(),
                            i as u32 + 1,
                            code.to_string(),
                            addr.trim().to_string(),
                            status,
                        ));
                    }
                    break;
                }
            }
        }
    }
    out.sort();
    out
}

fn base(file: &str) -> String {
    Path::new(file)
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default()
}

fn render(findings: &[Finding]) -> String {
    let mut s = String::new();
    for f in findings {
        let status = match f.status {
            Status::Fail => "",
            Status::Unknown => " (unknown)",
        };
        s.push_str(&format!(
            "{}:{} {} {}{} {} {}\n",
            base(&f.file),
            f.line,
            f.rule_id,
            f.severity,
            status,
            f.resource,
            f.message
        ));
    }
    s
}

fn run(family: &str, code: &str) {
    let dir = fixture(family, code);
    let mut ran = 0;
    for (frontend, load) in FRONTENDS {
        let path = dir.join(frontend);
        if path.is_dir() {
            run_one(code, frontend, &path, load(&path));
            ran += 1;
        }
    }
    assert!(ran > 0, "no fixture for {code} under {}", dir.display());
}

fn run_one(code: &str, frontend: &str, path: &Path, estates: Vec<Estate>) {
    let resources: usize = estates.iter().map(|e| e.resources.len()).sum();
    assert!(
        resources > 0,
        "the frontend read no resource from {}",
        path.display()
    );
    for e in &estates {
        assert!(
            e.errors.is_empty(),
            "errors reading {}: {:?}",
            path.display(),
            e.errors
        );
    }
    let mut findings: Vec<Finding> = estates
        .iter()
        .flat_map(|e| moat_rules::check_only(e, &[code]))
        .collect();
    moat_model::sort_findings(&mut findings);
    for f in &findings {
        assert_eq!(f.rule_id, code);
    }
    let mut actual: Vec<Row> = findings
        .iter()
        .map(|f| {
            let st = if f.status == Status::Unknown {
                "unknown"
            } else {
                "fail"
            };
            (
                base(&f.file),
                f.line,
                f.rule_id.clone(),
                f.resource.clone(),
                st,
            )
        })
        .collect();
    actual.sort();
    let want = expected(path);
    assert!(
        !want.iter().all(|w| w.4 != "fail"),
        "fixture for {code} has no failing case"
    );
    assert_eq!(actual, want, "\nfindings:\n{}", render(&findings));
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        let name = if frontend == "terraform" {
            code.to_string()
        } else {
            format!("{code}@{frontend}")
        };
        insta::assert_snapshot!(name, render(&findings));
    });
}

macro_rules! fixtures {
    ($($name:ident: $family:literal $code:literal;)*) => {
        $( #[test] fn $name() { run($family, $code); } )*

        /// Every rule has a fixture test.
        #[test]
        fn every_rule_has_a_fixture() {
            let tested = [$($code),*];
            // The network diagnosis family has its own fixtures in `src/network/tests.rs`.
            for r in moat_rules::catalogue().into_iter().filter(|r| r.family != "net") {
                assert!(tested.contains(&r.id), "no fixture test for {}", r.id);
                assert!(fixture(r.family, r.id).exists(), "no fixture for {}", r.id);
            }
        }
    };
}

fixtures! {
    s3001: "s3" "S3001";
    s3002: "s3" "S3002";
    s3003: "s3" "S3003";
    s3004: "s3" "S3004";
    s3005: "s3" "S3005";
    s3006: "s3" "S3006";
    s3007: "s3" "S3007";
    sg001: "sg" "SG001";
    sg002: "sg" "SG002";
    sg003: "sg" "SG003";
    sg004: "sg" "SG004";
    sg005: "sg" "SG005";
    sg006: "sg" "SG006";
    rds001: "rds" "RDS001";
    rds002: "rds" "RDS002";
    rds003: "rds" "RDS003";
    rds004: "rds" "RDS004";
    rds005: "rds" "RDS005";
    ct001: "cloudtrail" "CT001";
    ct002: "cloudtrail" "CT002";
    ct003: "cloudtrail" "CT003";
    ct004: "cloudtrail" "CT004";
    ct005: "cloudtrail" "CT005";
    kms001: "kms" "KMS001";
    kms002: "kms" "KMS002";
    iam001: "iam" "IAM001";
    iam002: "iam" "IAM002";
    iam003: "iam" "IAM003";
    iam004: "iam" "IAM004";
    iam005: "iam" "IAM005";
    iam006: "iam" "IAM006";
    iam007: "iam" "IAM007";
    iam008: "iam" "IAM008";
    iam009: "iam" "IAM009";
    iam010: "iam" "IAM010";
    ebs001: "ebs" "EBS001";
    ebs002: "ebs" "EBS002";
    ebs003: "ebs" "EBS003";
    ec2001: "ec2" "EC2001";
    ec2002: "ec2" "EC2002";
    vpc001: "vpc" "VPC001";
    vpc002: "vpc" "VPC002";
    lb001: "lb" "LB001";
    lb002: "lb" "LB002";
    lb003: "lb" "LB003";
    lb004: "lb" "LB004";
    eks001: "eks" "EKS001";
    eks002: "eks" "EKS002";
    eks003: "eks" "EKS003";
    mon001: "mon" "MON001";
    mon002: "mon" "MON002";
    mon003: "mon" "MON003";
    lmb001: "lambda" "LMB001";
    lmb002: "lambda" "LMB002";
    ecr001: "ecr" "ECR001";
    ecr002: "ecr" "ECR002";
    sns001: "sns" "SNS001";
    sqs001: "sqs" "SQS001";
    sm001: "secrets" "SM001";
    cwl001: "logs" "CWL001";
    elc001: "elasticache" "ELC001";
    elc002: "elasticache" "ELC002";
    api001: "apigw" "API001";
}
