//! Regression: `for_each = aws_s3_bucket.team`, where that resource's own for_each is unknown,
//! iterated the attributes of its placeholder instance (`aws_s3_bucket_versioning.team["bucket"]`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use moat_terraform::parse_and_evaluate_str;

#[test]
fn for_each_over_a_resource_with_unknown_instances() {
    let e = parse_and_evaluate_str(
        "main.tf",
        r#"
variable "bucket_names" {
  type = set(string)
}
resource "aws_s3_bucket" "team" {
  for_each = var.bucket_names
  bucket   = "acme-team-${each.key}"
}
resource "aws_s3_bucket_versioning" "team" {
  for_each = aws_s3_bucket.team
  bucket   = each.value.id
  versioning_configuration {
    status = "Suspended"
  }
}
"#,
    );
    let addrs: Vec<&str> = e.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addrs,
        vec!["aws_s3_bucket.team", "aws_s3_bucket_versioning.team"]
    );
    let v = &e.resources[e
        .by_address("aws_s3_bucket_versioning.team")
        .unwrap()
        .index()];
    assert_eq!(
        v.get("bucket").unwrap().computed_ref(),
        Some(("aws_s3_bucket.team", "id"))
    );
}
