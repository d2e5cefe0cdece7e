//! The Terraform adapter of the logging family (CloudTrail, CloudWatch Logs, flow logs, AWS
//! Config, GuardDuty, Security Hub).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[allow(unused_imports)] // each family uses some of them
use super::{id, load, load_hcl};

use moat_model::aws::network::Ref;
use moat_model::aws::AttrValue;
use moat_model::Unknown;

#[test]
fn trails_written_default_unknown_and_invalid() {
    let e = load_hcl(
        r#"
variable "multi" {}
variable "key" {}

resource "aws_cloudtrail" "a_off" {
  name           = "off"
  s3_bucket_name = "audit"
  enable_logging = false
}

resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = "audit"
  is_multi_region_trail      = var.multi
  enable_log_file_validation = "yes"
  kms_key_id                 = aws_kms_key.trail.arn
  cloud_watch_logs_group_arn = ""
}

resource "aws_cloudtrail" "vars" {
  name           = "vars"
  s3_bucket_name = "audit"
  kms_key_id     = var.key
}

resource "aws_kms_key" "trail" {}

data "aws_cloudtrail_service_account" "main" {}
"#,
    );
    let trails = &e.aws.logging.trails;
    assert_eq!(trails.len(), 3);
    let trail = |a: &str| trails.iter().find(|t| t.id == id(&e, a)).unwrap();

    let off = trail("aws_cloudtrail.a_off");
    assert_eq!(off.logging.value, AttrValue::Known(false));
    assert_eq!(off.logging.path, "enable_logging");
    assert_eq!(off.logging.loc.line, 8);
    assert_eq!(off.multi_region.value, AttrValue::Default(false));
    assert_eq!(
        off.multi_region.loc.line, 5,
        "a default is located at the resource"
    );
    assert_eq!(off.kms_key.value, AttrValue::Default(false));

    let main = trail("aws_cloudtrail.main");
    assert_eq!(main.logging.value, AttrValue::Default(true));
    assert!(matches!(
        &main.multi_region.value,
        AttrValue::Unknown(Unknown::Variable { name }) if name == "multi"
    ));
    assert_eq!(main.multi_region.loc.line, 14);
    assert_eq!(
        main.log_file_validation.value,
        AttrValue::Invalid {
            written: "yes".into(),
            expected: "a bool"
        }
    );
    assert_eq!(
        main.log_file_validation.describe(),
        "`enable_log_file_validation` is `yes`, not a bool"
    );
    // A key named by reference is set even though its ARN is known only after apply.
    assert_eq!(main.kms_key.value, AttrValue::Known(true));
    assert_eq!(main.kms_key.path, "kms_key_id");
    assert_eq!(main.kms_key.loc.line, 16);
    // Written empty: not set.
    assert_eq!(main.cloudwatch_logs.value, AttrValue::Known(false));
    assert_eq!(main.cloudwatch_logs.path, "cloud_watch_logs_group_arn");

    let vars = trail("aws_cloudtrail.vars");
    assert!(matches!(
        &vars.kms_key.value,
        AttrValue::Unknown(Unknown::Variable { name }) if name == "key"
    ));

    // The account findings go to the first trail that is switched on.
    assert_eq!(
        e.aws.logging.baseline_anchor(),
        Some(id(&e, "aws_cloudtrail.main"))
    );
}

#[test]
fn log_groups_flow_logs_and_account_services() {
    let e = load_hcl(
        r#"
variable "days" {}

resource "aws_cloudwatch_log_group" "month" {
  name              = "/app/month"
  retention_in_days = 30
}

resource "aws_cloudwatch_log_group" "forever" {
  name = "/app/forever"
}

resource "aws_cloudwatch_log_group" "var" {
  name              = "/app/var"
  retention_in_days = var.days
}

resource "aws_cloudwatch_log_group" "words" {
  name              = "/app/words"
  retention_in_days = "a year"
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_flow_log" "vpc" {
  vpc_id       = aws_vpc.main.id
  traffic_type = "ALL"
}

resource "aws_flow_log" "subnet" {
  subnet_id    = aws_subnet.a.id
  traffic_type = "REJECT"
}

resource "aws_flow_log" "external" {
  vpc_id       = "vpc-0123"
  traffic_type = "ALL"
}

resource "aws_config_configuration_recorder" "main" {
  role_arn = "arn:aws:iam::123456789012:role/config"
  recording_group {
    all_supported = false
  }
}

resource "aws_config_configuration_recorder_status" "main" {
  name       = aws_config_configuration_recorder.main.name
  is_enabled = true
}

resource "aws_guardduty_detector" "main" {
  enable = false
}

resource "aws_securityhub_account" "main" {}

resource "aws_securityhub_standards_subscription" "cis" {
  standards_arn = "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"
}
"#,
    );
    let l = &e.aws.logging;
    let group = |a: &str| l.log_groups.iter().find(|g| g.id == id(&e, a)).unwrap();
    let month = group("aws_cloudwatch_log_group.month");
    assert_eq!(month.retention_days.value, AttrValue::Known(30.0));
    assert_eq!(month.retention_days.path, "retention_in_days");
    assert_eq!(month.retention_days.loc.line, 6);
    assert_eq!(
        group("aws_cloudwatch_log_group.forever")
            .retention_days
            .value,
        AttrValue::Default(0.0)
    );
    assert!(matches!(
        group("aws_cloudwatch_log_group.var").retention_days.value,
        AttrValue::Unknown(Unknown::Variable { .. })
    ));
    assert_eq!(
        group("aws_cloudwatch_log_group.words")
            .retention_days
            .describe(),
        "`retention_in_days` is `a year`, not a number"
    );

    let flow = |a: &str| l.flow_logs.iter().find(|f| f.id == id(&e, a)).unwrap();
    let vpc = id(&e, "aws_vpc.main");
    assert_eq!(flow("aws_flow_log.vpc").vpc, Some(Ref::Res(vpc)));
    assert_eq!(flow("aws_flow_log.vpc").subnet, None);
    assert_eq!(
        flow("aws_flow_log.subnet").subnet,
        Some(Ref::Res(id(&e, "aws_subnet.a")))
    );
    assert_eq!(
        flow("aws_flow_log.external").vpc,
        Some(Ref::External("vpc-0123".into()))
    );

    let rec = &l.config_recorders[0];
    assert_eq!(rec.all_supported.value, AttrValue::Known(false));
    assert_eq!(rec.all_supported.path, "recording_group.all_supported");
    assert_eq!(
        rec.include_global_resource_types.value,
        AttrValue::Default(false)
    );
    let status = rec.enabled.as_ref().unwrap();
    assert_eq!(status.value, AttrValue::Known(true));
    assert_eq!(
        status.from,
        id(&e, "aws_config_configuration_recorder_status.main"),
        "the setting lives in the status resource"
    );

    assert_eq!(
        l.guardduty_detectors[0].enabled.value,
        AttrValue::Known(false)
    );
    assert_eq!(l.security_hub_accounts.len(), 1);
    assert_eq!(
        l.security_hub_standards[0].arn.get().map(String::as_str),
        Some("arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0")
    );
    // No trail: the baseline is anchored at the detector.
    assert_eq!(
        l.baseline_anchor(),
        Some(id(&e, "aws_guardduty_detector.main"))
    );
}

#[test]
fn an_application_configuration_has_no_baseline() {
    let e = load_hcl(
        r#"
resource "aws_cloudwatch_log_group" "app" {
  name = "/app"
}
"#,
    );
    assert_eq!(e.aws.logging.baseline_anchor(), None);
}
