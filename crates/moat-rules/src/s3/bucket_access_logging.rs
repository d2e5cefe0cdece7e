use moat_model::Severity;

use crate::registry::{require_eff, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that server access logging is configured for every S3 bucket, with an
`aws_s3_bucket_logging` resource or the legacy inline `logging` block.

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
- Seed 001, S3 checklist: "접근 로그 활성화"
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
    for b in ctx.s3_buckets() {
        require_eff(
            out,
            b.resource,
            &b.logging,
            "logging",
            |v: &bool| *v,
            "requests to this bucket are not logged",
        );
    }
}
