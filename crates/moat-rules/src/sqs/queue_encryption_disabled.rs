use moat_model::Severity;

use crate::registry::{bool_attr, presence, why, BoolAttr, Ctx, Out, Presence, RuleDef};

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
- Seed 001, security principles: "암호화: 전송 중/저장 데이터 암호화"
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
    for r in ctx.of_type("aws_sqs_queue") {
        match presence(r.get("kms_master_key_id")) {
            Presence::Set => continue,
            Presence::Unknown(u) => {
                // An unknown key only matters when SSE-SQS is off.
                if matches!(
                    bool_attr(r, "sqs_managed_sse_enabled", true),
                    BoolAttr::Value(true, _)
                ) {
                    continue;
                }
                out.unknown(
                    r,
                    r.loc_of("kms_master_key_id"),
                    format!("`kms_master_key_id` is unknown: {}", why(u)),
                );
                continue;
            }
            Presence::Absent => {}
        }
        match bool_attr(r, "sqs_managed_sse_enabled", true) {
            BoolAttr::Value(true, _) => {}
            BoolAttr::Value(false, loc) => out.fail(
                r,
                loc,
                "`sqs_managed_sse_enabled` is `false` and no `kms_master_key_id` is set: messages are stored unencrypted",
            ),
            BoolAttr::Unknown(u, loc) => out.unknown(
                r,
                loc,
                format!("`sqs_managed_sse_enabled` is unknown: {}", why(u)),
            ),
            BoolAttr::Invalid(n, loc) => out.unknown(
                r,
                loc,
                format!("`sqs_managed_sse_enabled` is `{n}`, not a bool"),
            ),
        }
    }
}
