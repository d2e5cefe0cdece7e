//! The Terraform adapters of the security family (KMS keys, Secrets Manager secrets) and the
//! messaging family (SNS topics, SQS queues).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[allow(unused_imports)] // each family uses some of them
use super::{id, load, load_hcl};

use moat_model::aws::AttrValue;
use moat_model::Unknown;

#[test]
fn kms_keys_with_rotation_and_key_spec() {
    let e = load_hcl(
        r#"
variable "spec" {}

resource "aws_kms_key" "on" {
  enable_key_rotation = true
}

resource "aws_kms_key" "default" {
  description = "d"
}

resource "aws_kms_key" "bad" {
  enable_key_rotation      = "sometimes"
  customer_master_key_spec = var.spec
}
"#,
    );
    let keys = &e.aws.security.keys;
    assert_eq!(keys.len(), 3);
    let key = |a: &str| keys.iter().find(|k| k.id == id(&e, a)).unwrap();

    let on = key("aws_kms_key.on");
    assert_eq!(on.rotation.value, AttrValue::Known(true));
    assert_eq!(on.rotation.path, "enable_key_rotation");
    assert_eq!(on.rotation.loc.line, 5);
    assert_eq!(
        on.key_spec.value,
        AttrValue::Default("SYMMETRIC_DEFAULT".into())
    );

    let default = key("aws_kms_key.default");
    assert_eq!(default.rotation.value, AttrValue::Default(false));
    // A default is located at the resource.
    assert_eq!(default.rotation.loc.line, 8);

    let bad = key("aws_kms_key.bad");
    assert_eq!(
        bad.rotation.value,
        AttrValue::Invalid {
            written: "sometimes".into(),
            expected: "a bool"
        }
    );
    assert_eq!(
        bad.key_spec.value,
        AttrValue::Unknown(Unknown::Variable {
            name: "spec".into()
        })
    );
    assert_eq!(bad.key_spec.loc.line, 14);
}

#[test]
fn secrets_and_their_rotations() {
    let e = load_hcl(
        r#"
variable "secret" {}

resource "aws_secretsmanager_secret" "ref" {
  name = "ref"
}

resource "aws_secretsmanager_secret" "by_name" {
  name = "prod/db"
}

resource "aws_secretsmanager_secret" "none" {
  name = "none"
}

resource "aws_secretsmanager_secret_rotation" "ref" {
  secret_id           = aws_secretsmanager_secret.ref.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:rotate"
}

resource "aws_secretsmanager_secret_rotation" "by_name" {
  secret_id           = "prod/db"
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:rotate"
}

resource "aws_secretsmanager_secret_rotation" "unknown" {
  secret_id           = var.secret
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:rotate"
}
"#,
    );
    let sec = &e.aws.security;
    let secret = |a: &str| sec.secrets.iter().find(|s| s.id == id(&e, a)).unwrap();
    assert_eq!(
        secret("aws_secretsmanager_secret.ref").rotated_by,
        vec![id(&e, "aws_secretsmanager_secret_rotation.ref")]
    );
    assert_eq!(
        secret("aws_secretsmanager_secret.by_name").rotated_by,
        vec![id(&e, "aws_secretsmanager_secret_rotation.by_name")]
    );
    let none = secret("aws_secretsmanager_secret.none");
    assert!(none.rotated_by.is_empty());
    assert_eq!(none.inline_rotation.value, AttrValue::Default(false));
    let unknown = sec.rotation_target_unknown.as_ref().unwrap();
    assert_eq!(
        unknown.from,
        id(&e, "aws_secretsmanager_secret_rotation.unknown")
    );
    assert_eq!(unknown.loc.line, 27);
    assert_eq!(
        unknown.why,
        Unknown::Variable {
            name: "secret".into()
        }
    );
}

#[test]
fn topics_and_queues_with_their_encryption() {
    let e = load_hcl(
        r#"
variable "key" {}

resource "aws_kms_key" "k" {}

resource "aws_sns_topic" "ref" {
  kms_master_key_id = aws_kms_key.k.id
}

resource "aws_sns_topic" "empty" {
  kms_master_key_id = ""
}

resource "aws_sns_topic" "none" {}

resource "aws_sqs_queue" "off" {
  sqs_managed_sse_enabled = false
  kms_master_key_id       = var.key
}

resource "aws_sqs_queue" "default" {}
"#,
    );
    let m = &e.aws.messaging;
    let topic = |a: &str| m.topics.iter().find(|t| t.id == id(&e, a)).unwrap();
    // A reference to a key created with the topic is certainly set.
    let r = topic("aws_sns_topic.ref");
    assert_eq!(r.kms_key.value, AttrValue::Known(true));
    assert_eq!(r.kms_key.loc.line, 7);
    assert_eq!(r.kms_key.path, "kms_master_key_id");
    assert_eq!(
        topic("aws_sns_topic.empty").kms_key.value,
        AttrValue::Known(false)
    );
    let none = topic("aws_sns_topic.none");
    assert_eq!(none.kms_key.value, AttrValue::Default(false));
    assert_eq!(none.kms_key.loc.line, 14);

    let queue = |a: &str| m.queues.iter().find(|q| q.id == id(&e, a)).unwrap();
    let off = queue("aws_sqs_queue.off");
    assert_eq!(off.managed_sse.value, AttrValue::Known(false));
    assert_eq!(off.managed_sse.loc.line, 17);
    assert_eq!(
        off.kms_key.value,
        AttrValue::Unknown(Unknown::Variable { name: "key".into() })
    );
    // SSE-SQS is on unless turned off.
    let default = queue("aws_sqs_queue.default");
    assert_eq!(default.managed_sse.value, AttrValue::Default(true));
    assert_eq!(default.kms_key.value, AttrValue::Default(false));
}
