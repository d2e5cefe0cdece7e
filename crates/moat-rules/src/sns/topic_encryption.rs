use moat_model::aws::AttrValue;
use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every `aws_sns_topic` sets `kms_master_key_id`. SNS has no default encryption: a
topic without a key stores messages unencrypted until they are delivered. Any key counts,
including the AWS managed `alias/aws/sns`.

## Why is this bad?
Topics often carry alarms, order events or notifications with personal data. Server-side
encryption keeps the stored messages unreadable without the key, and a customer managed key
lets the key policy decide who may publish and read.

## Example
```hcl
resource "aws_sns_topic" "alerts" {
  name = "alerts"
}
```

## Use instead
```hcl
resource "aws_sns_topic" "alerts" {
  name              = "alerts"
  kms_master_key_id = aws_kms_key.sns.id
}
```

## References
- AWS Security Hub control SNS.1: "SNS topics should be encrypted at-rest using AWS KMS"
- AWS: [Encryption at rest for Amazon SNS](https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "topic_encryption",
    family: super::FAMILY,
    title: "SNS topic is not encrypted",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_26"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for t in &ctx.aws().messaging.topics {
        let Some(r) = ctx.resource(t.id) else {
            continue;
        };
        let key = &t.kms_key;
        let how = match &key.value {
            AttrValue::Known(true) | AttrValue::Default(true) => continue,
            AttrValue::Known(false) => "is empty",
            AttrValue::Default(false) => "is not set",
            AttrValue::Unknown(_) | AttrValue::Invalid { .. } => {
                out.unknown(r, &key.loc, key.describe());
                continue;
            }
        };
        out.fail(
            r,
            &key.loc,
            format!(
                "`{}` {how}: SNS stores the topic's messages unencrypted",
                key.path
            ),
        );
    }
}
