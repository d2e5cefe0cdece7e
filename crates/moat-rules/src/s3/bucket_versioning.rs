use moat_model::Severity;

use super::require_setting;
use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that versioning is enabled on every S3 bucket, set either with an
`aws_s3_bucket_versioning` resource (`status = "Enabled"`) or the legacy inline `versioning`
block. Versioning is off unless configured.

## Why is this bad?
Without versioning an overwrite or a delete (by mistake, by a compromised credential, or by
ransomware) destroys the only copy of the object. Versioning keeps earlier versions so that data
can be recovered.

## Example
```hcl
resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id
  versioning_configuration {
    status = "Suspended"
  }
}
```

## Use instead
```hcl
resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id
  versioning_configuration {
    status = "Enabled"
  }
}
```

## References
- AWS Security Hub control S3.14: "S3 general purpose buckets should have versioning enabled"
- AWS: [Using versioning in S3 buckets](https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "bucket_versioning",
    family: super::FAMILY,
    title: "S3 bucket versioning is not enabled",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_21"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for b in &ctx.aws().storage.buckets {
        let Some(r) = ctx.resource(b.id) else {
            continue;
        };
        require_setting(
            ctx,
            out,
            r,
            &b.versioning,
            &ctx.aws().terms.bucket_versioning,
            |s: &String| s == "Enabled",
            "overwritten or deleted objects cannot be recovered",
        );
    }
}
