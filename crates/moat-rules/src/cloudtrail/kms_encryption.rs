use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every `aws_cloudtrail` sets `kms_key_id`, so that log files are encrypted with a
KMS key (SSE-KMS) instead of the bucket's default encryption. A reference to a key managed
elsewhere in the configuration counts as set.

## Why is this bad?
With SSE-KMS, reading the audit log needs `kms:Decrypt` on the key in addition to S3 read
access: one more independent control on the most sensitive log of the account.

## Example
```hcl
resource "aws_cloudtrail" "audit" {
  name           = "audit"
  s3_bucket_name = aws_s3_bucket.audit.id
}
```

## Use instead
```hcl
resource "aws_cloudtrail" "audit" {
  name           = "audit"
  s3_bucket_name = aws_s3_bucket.audit.id
  kms_key_id     = aws_kms_key.audit.arn
}
```

## References
- CIS AWS Foundations Benchmark v3.0.0, 3.5: "Ensure CloudTrail logs are encrypted at rest using KMS CMKs"
- AWS Security Hub control CloudTrail.2: "CloudTrail should have encryption at-rest enabled"
- AWS: [Encrypting CloudTrail log files with KMS keys](https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "kms_encryption",
    family: super::FAMILY,
    title: "CloudTrail logs are not encrypted with a KMS key",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_35"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for t in &ctx.aws().logging.trails {
        super::require_named(
            ctx,
            out,
            t.id,
            &t.kms_key,
            "log files are not encrypted with a KMS key",
        );
    }
}
