use moat_model::Severity;

use super::require_setting;
use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every S3 bucket has a lifecycle configuration with at least one enabled rule
(`aws_s3_bucket_lifecycle_configuration` with a rule whose `status = "Enabled"`, or the
legacy inline `lifecycle_rule` with `enabled = true`).

## Differences from Checkov
`CKV2_AWS_61` passes a bucket that has any lifecycle configuration, even one whose rules are
all disabled; moat requires an enabled rule. Only findings on buckets without a configuration
claim `CKV2_AWS_61`.

## Why is this bad?
With versioning on, noncurrent versions pile up forever unless a lifecycle rule expires them;
data kept past its retention period is data that can leak. A common rule expires noncurrent
versions after 90 days.

## Example
```hcl
resource "aws_s3_bucket_lifecycle_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    id     = "old-versions"
    status = "Disabled"
    noncurrent_version_expiration { noncurrent_days = 90 }
  }
}
```

## Use instead
```hcl
resource "aws_s3_bucket_lifecycle_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    id     = "old-versions"
    status = "Enabled"
    noncurrent_version_expiration { noncurrent_days = 90 }
  }
}
```

## References
- AWS Security Hub control S3.13: "S3 general purpose buckets should have Lifecycle configurations"
- AWS: [Managing the lifecycle of objects](https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lifecycle-mgmt.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "bucket_lifecycle",
    family: super::FAMILY,
    title: "S3 bucket has no enabled lifecycle rule",
    severity: Severity::Low,
    checkov: &["CKV2_AWS_61"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for b in &ctx.aws().storage.buckets {
        let Some(r) = ctx.resource(b.id) else {
            continue;
        };
        // Checkov only asks for a lifecycle configuration to exist: a configuration whose
        // rules are all disabled passes it.
        let ids: &[&'static str] = if b.lifecycle.is_default() {
            &["CKV2_AWS_61"]
        } else {
            &[]
        };
        out.claiming(ids, |out| {
            require_setting(
                ctx,
                out,
                r,
                &b.lifecycle,
                "lifecycle rule enabled",
                |v: &bool| *v,
                "old objects and versions are kept forever",
            )
        });
    }
}
