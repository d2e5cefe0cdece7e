//! The example architecture and the generated corpus, through the real frontend and rules.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;

use moat_model::{Finding, Status};
use moat_terraform::Options;

fn scan(root: &Path) -> (usize, Vec<String>, Vec<Finding>) {
    let estates = moat_terraform::load(root, &Options::default());
    let resources = estates.iter().map(|e| e.resources.len()).sum();
    let errors = estates
        .iter()
        .flat_map(|e| e.errors.iter())
        .map(|e| format!("{}:{}: {}", e.file, e.line, e.message))
        .collect();
    let findings = estates.iter().flat_map(moat_rules::check).collect();
    (resources, errors, findings)
}

#[test]
fn three_tier_example_reports_its_five_marked_flaws_at_their_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/three-tier");
    let (resources, errors, findings) = scan(&root);
    assert!(errors.is_empty(), "errors: {errors:?}");
    assert!(resources > 50, "only {resources} resources");
    let expected = [
        (
            "SG001",
            "aws_security_group.bastion",
            "security_groups.tf",
            113,
        ),
        ("S3002", "aws_s3_bucket.app_data", "s3.tf", 154),
        ("RDS003", "aws_db_instance.main", "database.tf", 40),
        ("CT002", "aws_cloudtrail.main", "logging.tf", 10),
        ("IAM001", "aws_iam_policy.ops_admin", "iam.tf", 90),
    ];
    for (rule, resource, file, line) in expected {
        assert!(
            findings.iter().any(|f| f.rule_id == rule
                && f.resource == resource
                && f.file == file
                && f.line == line
                && f.status == Status::Fail),
            "missing {rule} on {resource} at {file}:{line}; got {:#?}",
            findings
                .iter()
                .map(|f| format!("{} {} {}:{}", f.rule_id, f.resource, f.file, f.line))
                .collect::<Vec<_>>()
        );
    }
    // The good parts stay quiet: no SSH/RDP/all-ports finding on the tiers of the SG chain.
    for sg in [
        "aws_security_group.alb",
        "aws_security_group.app",
        "aws_security_group.db",
    ] {
        assert!(
            !findings.iter().any(|f| f.resource == sg
                && ["SG001", "SG002", "SG003", "SG004"].contains(&f.rule_id.as_str())),
            "unexpected finding on {sg}"
        );
    }
    assert!(!findings
        .iter()
        .any(|f| f.rule_id == "S3002" && f.resource == "aws_s3_bucket.logs"));
}

#[test]
fn generated_corpus_loads_without_errors_and_has_findings_of_both_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let stats = moat_bench::generate(46, 3, dir.path()).unwrap();
    assert_eq!(stats.stacks, 4);
    let (resources, errors, findings) = scan(dir.path());
    assert!(errors.is_empty(), "errors: {errors:?}");
    // 4 stacks, each well over 50 resource instances after expansion.
    assert!(resources > 200, "only {resources} resources");
    assert!(findings.iter().any(|f| f.rule_id.starts_with("SG")));
    assert!(findings.iter().any(|f| f.rule_id.starts_with("S3")));
    // Every finding points into the corpus.
    for f in &findings {
        assert!(
            dir.path().join(&f.file).is_file(),
            "{} is not a file",
            f.file
        );
        assert!(f.line > 0 || f.status == Status::Unknown, "{f:?}");
    }
}
