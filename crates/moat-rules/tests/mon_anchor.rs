//! Regression: account-wide findings (no GuardDuty...) were reported on a disabled trail
//! (`enable_logging = false`) that sorted first, reading as if that trail caused them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use moat_terraform::parse_and_evaluate_str;

#[test]
fn account_findings_are_reported_on_an_enabled_trail() {
    let e = parse_and_evaluate_str(
        "main.tf",
        r#"
resource "aws_cloudtrail" "a_legacy" {
  name           = "legacy"
  s3_bucket_name = "audit"
  enable_logging = false
}
resource "aws_cloudtrail" "org" {
  name           = "org"
  s3_bucket_name = "audit"
}
"#,
    );
    let findings = moat_rules::check(&e);
    let mon001: Vec<&str> = findings
        .iter()
        .filter(|f| f.rule_id == "MON001")
        .map(|f| f.resource.as_str())
        .collect();
    assert_eq!(mon001, vec!["aws_cloudtrail.org"]);
}
