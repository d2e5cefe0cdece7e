//! Messages take their frontend words from the typed state's vocabulary
//! (`moat_model::aws::Terms`), never from rule code: the same estate with another adapter's
//! terms speaks that adapter's language.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use moat_model::aws::Terms;
use moat_model::{Estate, Status};

const HCL: &str = r#"
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_cloudtrail" "org" {
  name           = "org"
  s3_bucket_name = "trail-logs"
}
"#;

/// The estate of [`HCL`], loaded through the Terraform frontend.
fn estate(case: &str) -> Estate {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("moat-rules-terms-{}-{case}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("main.tf"), HCL).unwrap();
    let mut estates = moat_terraform::load(&dir, &moat_terraform::Options::default());
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(estates.len(), 1);
    estates.remove(0)
}

/// The one message of a rule, checked to be a failure.
fn message(e: &Estate, code: &str) -> String {
    let f = moat_rules::check_only(e, &[code]);
    assert_eq!(f.len(), 1, "{code}: {f:?}");
    assert_eq!(f[0].status, Status::Fail);
    f[0].message.clone()
}

/// The words a CloudFormation adapter would give.
fn cloudformation() -> Terms {
    Terms {
        flow_log: "AWS::EC2::FlowLog".into(),
        flow_log_vpc: "ResourceId".into(),
        guardduty_detector: "AWS::GuardDuty::Detector".into(),
        ..Terms::default()
    }
}

#[test]
fn terraform_terms_speak_terraform() {
    let e = estate("tf");
    assert_eq!(
        message(&e, "VPC001"),
        "no `aws_flow_log` has `vpc_id` pointing at this VPC: its traffic is not logged"
    );
    assert_eq!(
        message(&e, "MON001"),
        "this configuration manages the account baseline (`aws_cloudtrail.org`) but declares \
         no `aws_guardduty_detector`"
    );
}

#[test]
fn replaced_terms_are_the_words_of_the_message() {
    let mut e = estate("cfn");
    e.aws.terms = cloudformation();
    let vpc = message(&e, "VPC001");
    assert_eq!(
        vpc,
        "no `AWS::EC2::FlowLog` has `ResourceId` pointing at this VPC: its traffic is not logged"
    );
    let mon = message(&e, "MON001");
    assert_eq!(
        mon,
        "this configuration manages the account baseline (`aws_cloudtrail.org`) but declares \
         no `AWS::GuardDuty::Detector`"
    );
    for m in [&vpc, &mon] {
        assert!(!m.contains("aws_flow_log") && !m.contains("vpc_id"), "{m}");
        assert!(!m.contains("aws_guardduty_detector"), "{m}");
    }
}

#[test]
fn neutral_defaults_name_no_terraform_type() {
    let t = Terms::default();
    let all = [
        &t.ebs_encryption_by_default,
        &t.root_block_device,
        &t.device_encrypted_on,
        &t.config_recorder,
        &t.guardduty_detector,
        &t.security_hub,
        &t.bucket_public_access_block,
        &t.account_public_access_block,
        &t.bucket_versioning,
        &t.bucket_logging,
        &t.log_target_bucket,
        &t.policy_bucket,
        &t.secret_rotation,
        &t.rotation_secret,
        &t.default_security_group,
        &t.default_security_group_vpc,
        &t.flow_log,
        &t.flow_log_vpc,
        &t.waf_association_resource,
        &t.db_engine,
        &t.function_environment,
        &t.sg_rule_description,
        &t.attachment_groups,
        &t.attachment_roles,
    ];
    for w in all {
        assert!(!w.is_empty());
        assert!(!w.starts_with("aws_") && !w.contains('_'), "{w}");
    }
    // An adapter that fills no term still gets a correct AWS word.
    let mut e = estate("default");
    e.aws.terms = Terms::default();
    assert_eq!(
        message(&e, "VPC001"),
        "no `AWS::EC2::FlowLog` has `ResourceId` pointing at this VPC: its traffic is not logged"
    );
}
