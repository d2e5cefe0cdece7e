//! The Checkov IDs a finding claims depend on the finding, not only on the rule: the failing
//! flag, the resource type, where a policy is written. These pin the claims on the fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use moat_model::{Finding, Status};

/// The findings of `code` on the Terraform fixture `fixtures/<family>/<CODE>/terraform`.
fn findings(family: &str, code: &str) -> Vec<Finding> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(family)
        .join(code)
        .join("terraform");
    let estates = moat_terraform::load(&path, &moat_terraform::Options::default());
    estates
        .iter()
        .flat_map(|e| moat_rules::check_only(e, &[code]))
        .filter(|f| f.status == Status::Fail)
        .collect()
}

/// `(resource, line, claimed IDs joined by spaces)`.
fn claims(f: &[Finding]) -> Vec<(String, u32, String)> {
    let mut v: Vec<_> = f
        .iter()
        .map(|f| (f.resource.clone(), f.line, f.equivalent.checkov.join(" ")))
        .collect();
    v.sort();
    v
}

fn row(r: &str, line: u32, ids: &str) -> (String, u32, String) {
    (r.to_string(), line, ids.to_string())
}

#[test]
fn s3003_claims_only_the_failing_flag() {
    // `partial` has its own access block: block_public_policy = false (line 20) and
    // restrict_public_buckets unset (reported at the bucket, line 13).
    assert_eq!(
        claims(&findings("s3", "S3003")),
        vec![
            // No block at all: one finding, claiming the "has a block" check.
            row("aws_s3_bucket.none", 25, "CKV2_AWS_6"),
            row("aws_s3_bucket.partial", 13, "CKV_AWS_56"),
            row("aws_s3_bucket.partial", 20, "CKV2_AWS_6 CKV_AWS_54"),
        ]
    );
}

#[test]
fn rds001_claims_the_check_of_its_resource_type() {
    assert_eq!(
        claims(&findings("rds", "RDS001")),
        vec![
            row("aws_db_instance.off", 12, "CKV_AWS_16"),
            row("aws_db_instance.plain", 3, "CKV_AWS_16"),
            row("aws_rds_cluster.aurora", 33, "CKV_AWS_96"),
            row("aws_rds_cluster.provisioned", 52, "CKV_AWS_96"),
            row("aws_rds_cluster.serverless_v1_off", 49, ""),
        ]
    );
}

#[test]
fn iam002_claims_ckv_aws_63_only_for_a_literal_star() {
    assert_eq!(
        claims(&findings("iam", "IAM002")),
        vec![
            row("aws_iam_policy.from_document", 55, "CKV_AWS_49"),
            row("aws_iam_policy.s3all", 3, ""),
            row(
                "aws_iam_role_policy.interpolated_document",
                60,
                "CKV_AWS_49"
            ),
            row("aws_iam_role_policy.star", 40, "CKV_AWS_63"),
            row("aws_iam_user_policy.notaction", 15, ""),
        ]
    );
}

#[test]
fn iam001_claims_nothing_for_not_action_from_a_data_document() {
    assert_eq!(
        claims(&findings("iam", "IAM001")),
        vec![
            row("aws_iam_policy.admin", 3, "CKV_AWS_62"),
            row("aws_iam_role_policy.notaction", 19, ""),
        ]
    );
}

#[test]
fn iam008_claims_the_check_of_each_resource_type() {
    // Each unconditioned `Principal: "*"` claims the Checkov check of its type (SQS
    // CKV_AWS_168, SNS CKV_AWS_169, Lambda CKV_AWS_301, ECR CKV_AWS_32); unknown findings
    // claim nothing.
    assert_eq!(
        claims(&findings("iam", "IAM008")),
        vec![
            row("aws_ecr_repository.public", 115, "CKV_AWS_32"),
            row("aws_lambda_function.open", 82, "CKV_AWS_301"),
            row("aws_sns_topic.public", 202, "CKV_AWS_169"),
            row("aws_sqs_queue.public", 12, "CKV_AWS_168"),
        ]
    );
}
