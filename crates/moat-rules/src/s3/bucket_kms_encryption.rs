use moat_model::aws::storage::Sse;
use moat_model::aws::AttrValue;
use moat_model::Severity;

use super::undecided;
use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every S3 bucket encrypts new objects by default with a KMS key (`aws:kms` or
`aws:kms:dsse`), configured either in an `aws_s3_bucket_server_side_encryption_configuration`
resource or in the legacy inline `server_side_encryption_configuration` block.

## Why is this bad?
Since January 2023 S3 encrypts every new object with SSE-S3 (AES256, keys owned by AWS), so a
bucket is never stored in clear text. What SSE-S3 does not give is control: nobody can be
denied decryption through a key policy, key use is not logged per request in CloudTrail, and
the key cannot be disabled in an incident. Customer managed KMS keys give that control for
internal and confidential data.

## Example
```hcl
resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}
```

## Use instead
```hcl
resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}
```

## References
- AWS: [Using server-side encryption with AWS KMS keys (SSE-KMS)](https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html)
- AWS: [Setting default server-side encryption behavior for Amazon S3 buckets](https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "bucket_kms_encryption",
    family: super::FAMILY,
    title: "S3 bucket is not encrypted with a KMS key by default",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_145"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for b in &ctx.aws().storage.buckets {
        let Some(r) = ctx.resource(b.id) else {
            continue;
        };
        let msg = "new objects get SSE-S3 (keys owned by AWS), not a KMS key you control";
        let enc = &b.encryption;
        // The algorithm setting's own name: the path's last segment.
        let alg = enc.path.rsplit('.').next().unwrap_or(&enc.path);
        match &enc.value {
            AttrValue::Default(_) => out.fail(
                r,
                &r.loc,
                format!("no default encryption is configured (AWS applies `AES256`): {msg}"),
            ),
            AttrValue::Known(None) => {
                let from = ctx.resource(enc.from).map_or("", |f| f.address.as_str());
                out.fail(r, &enc.loc, format!("`{from}` sets no `{alg}`: {msg}"))
            }
            AttrValue::Known(Some(Sse { algorithm, .. })) if !algorithm.starts_with("aws:kms") => {
                out.fail(r, &enc.loc, format!("`{alg}` is `{algorithm}`: {msg}"))
            }
            AttrValue::Known(Some(_)) => {}
            AttrValue::Unknown(_) | AttrValue::Invalid { .. } => out.unknown(
                r,
                &enc.loc,
                format!("`{alg}` is unknown: {}", undecided(enc)),
            ),
        }
    }
}
