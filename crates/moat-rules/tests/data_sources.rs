//! Regression: data sources only look up objects that this configuration does not manage; a
//! `data "aws_s3_bucket"` got eight S3 findings and a `data "aws_vpc"` a flow-log finding.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use moat_terraform::parse_and_evaluate_str;

#[test]
fn looked_up_objects_are_not_checked_as_managed_ones() {
    let e = parse_and_evaluate_str(
        "main.tf",
        r#"
data "aws_s3_bucket" "artifacts" {
  bucket = "shared-artifacts"
}
data "aws_vpc" "shared" {
  id = "vpc-0123456789abcdef0"
}
data "aws_kms_key" "shared" {
  key_id = "alias/shared"
}
data "aws_db_instance" "legacy" {
  db_instance_identifier = "legacy"
}
resource "aws_s3_bucket" "own" {
  bucket = "own"
}
"#,
    );
    let findings = moat_rules::check(&e);
    assert!(
        findings.iter().all(|f| !f.resource.starts_with("data.")),
        "{findings:#?}"
    );
    // The managed bucket is still checked (no versioning).
    assert!(findings
        .iter()
        .any(|f| f.rule_id == "S3002" && f.resource == "aws_s3_bucket.own"));
}
