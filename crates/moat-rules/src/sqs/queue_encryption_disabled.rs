use moat_model::aws::AttrValue;
use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that no `aws_sqs_queue` turns server-side encryption off: a queue is reported when it
has no `kms_master_key_id` and sets `sqs_managed_sse_enabled = false`. Since October 2022 AWS
encrypts new queues with SQS-managed keys (SSE-SQS) unless told otherwise, and the Terraform
argument is optional and computed: a queue that sets neither argument is encrypted.

## Differences from Checkov
`CKV_AWS_27` also fails a queue that sets neither `kms_master_key_id` nor
`sqs_managed_sse_enabled`; such a queue is encrypted with SSE-SQS by AWS's default, so moat
passes it. Queues that disable encryption fail both.

## Why is this bad?
Messages wait in the queue, sometimes for days, and often carry application data. With
encryption off they are stored in clear.

## Example
```hcl
resource "aws_sqs_queue" "orders" {
  name                    = "orders"
  sqs_managed_sse_enabled = false
}
```

## Use instead
```hcl
resource "aws_sqs_queue" "orders" {
  name              = "orders"
  kms_master_key_id = aws_kms_key.sqs.id
}
```

## References
- AWS Security Hub control SQS.1: "Amazon SQS queues should be encrypted at rest"
- AWS: [Encryption at rest in Amazon SQS](https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "queue_encryption_disabled",
    family: super::FAMILY,
    title: "SQS queue encryption is disabled",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_27"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for q in &ctx.aws().messaging.queues {
        let Some(r) = ctx.resource(q.id) else {
            continue;
        };
        let (key, sse) = (&q.kms_key, &q.managed_sse);
        match &key.value {
            AttrValue::Known(true) | AttrValue::Default(true) => continue,
            AttrValue::Unknown(_) | AttrValue::Invalid { .. } => {
                // An unknown key only matters when SSE-SQS is off.
                if sse.get() != Some(&true) {
                    out.unknown(r, &key.loc, key.describe());
                }
                continue;
            }
            AttrValue::Known(false) | AttrValue::Default(false) => {}
        }
        match &sse.value {
            AttrValue::Known(true) | AttrValue::Default(true) => {}
            AttrValue::Known(false) | AttrValue::Default(false) => out.fail(
                r,
                &sse.loc,
                format!(
                    "`{}` is `false` and no `{}` is set: messages are stored unencrypted",
                    sse.path, key.path
                ),
            ),
            AttrValue::Unknown(_) | AttrValue::Invalid { .. } => {
                out.unknown(r, &sse.loc, sse.describe())
            }
        }
    }
}
