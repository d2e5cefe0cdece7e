use moat_model::aws::AttrValue;
use moat_model::Severity;

use super::require_setting;
use crate::registry::{why, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that server access logging is configured for every S3 bucket, with an
`aws_s3_bucket_logging` resource or the legacy inline `logging` block.

A bucket that is itself the `target_bucket` of a logging configuration in the scanned files
(by reference or by bucket name) is exempt: it holds access logs, and logging it into itself
would log its own log deliveries in a loop (AWS advises against it); logging it elsewhere needs
yet another log bucket. When some logging configuration's `target_bucket` is unknown, a bucket
without logging may be that target, so it is reported as unknown rather than failed.

## Differences from Checkov
Checkov's `CKV_AWS_18` passes a bucket connected to any `aws_s3_bucket_logging`, which
includes the target bucket when it is named by reference: moat agrees there. A target named by
its literal bucket name, or by an inline `logging` block, is exempt in moat too, where Checkov
fails it.

## Why is this bad?
Access logs record every request made to the bucket (who, from where, which object). Without
them an investigation cannot tell what was read or deleted.

## Example
```hcl
resource "aws_s3_bucket" "data" {
  bucket = "payments-data"
}
```

## Use instead
```hcl
resource "aws_s3_bucket_logging" "data" {
  bucket        = aws_s3_bucket.data.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "access-logs/"
}
```

## References
- AWS Security Hub control S3.9: "S3 general purpose buckets should have server access logging enabled"
- AWS: [Logging requests with server access logging](https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "bucket_access_logging",
    family: super::FAMILY,
    title: "S3 bucket access logging is not enabled",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_18"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let storage = &ctx.aws().storage;
    for b in &storage.buckets {
        let Some(r) = ctx.resource(b.id) else {
            continue;
        };
        if b.logging.value == AttrValue::Default(false) {
            if b.receives_access_logs {
                continue;
            }
            if let Some(link) = &storage.log_target_unknown {
                let from = ctx.resource(link.from).map_or("", |f| f.address.as_str());
                out.unknown(
                    r,
                    &r.loc,
                    format!(
                        "logging is not configured, but this bucket may be the access-log target of `{from}`, whose `{}` is unknown: {}",
                        ctx.aws().terms.log_target_bucket,
                        why(&link.why)
                    ),
                );
                continue;
            }
        }
        require_setting(
            ctx,
            out,
            r,
            &b.logging,
            &ctx.aws().terms.bucket_logging,
            |v: &bool| *v,
            "requests to this bucket are not logged",
        );
    }
}
