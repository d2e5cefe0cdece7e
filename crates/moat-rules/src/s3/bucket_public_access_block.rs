use moat_model::aws::AttrValue;
use moat_model::Severity;

use super::require_setting;
use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that each of the four S3 Block Public Access settings (`block_public_acls`,
`block_public_policy`, `ignore_public_acls`, `restrict_public_buckets`) is on for every bucket,
either in the bucket's `aws_s3_bucket_public_access_block` or in the account-wide
`aws_s3_account_public_access_block`. A setting that is on at either level protects the bucket.
One finding is reported per setting that is off.

## Differences from Checkov
Checkov checks each flag on the `aws_s3_bucket_public_access_block` resource (`CKV_AWS_53`
`block_public_acls`, `CKV_AWS_54` `block_public_policy`, `CKV_AWS_55` `ignore_public_acls`,
`CKV_AWS_56` `restrict_public_buckets`), and `CKV2_AWS_6` on the bucket (a connected access
block with `block_public_acls` and `block_public_policy` on). Each moat finding claims only the
IDs of the flag it reports: the per-flag ID when the bucket has its own access block, and
`CKV2_AWS_6` for the first two flags. moat also honours the account-wide
`aws_s3_account_public_access_block`, which Checkov ignores: a bucket protected only at account
level passes moat and fails `CKV2_AWS_6`.

When neither the bucket nor the account declares a block, the finding is reported once, at the
bucket: AWS turns the four settings on for buckets created since April 2023, but nothing in the
configuration keeps them on, and buckets created earlier have them off.

## Why is this bad?
Block Public Access is the guard rail that stops a later ACL or bucket policy change from
publishing the bucket. Without it, one careless `"Principal": "*"` exposes the data.

## Example
```hcl
resource "aws_s3_bucket_public_access_block" "data" {
  bucket              = aws_s3_bucket.data.id
  block_public_acls   = true
  block_public_policy = false
}
```

## Use instead
```hcl
resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
```

## References
- AWS Security Hub controls S3.1 (account-level) and S3.8 (bucket-level): S3 Block Public Access settings should be enabled
- CIS AWS Foundations Benchmark v3.0.0, 2.1.4: "Ensure that S3 Buckets are configured with 'Block public access (bucket settings)'"
- AWS: [Blocking public access to your Amazon S3 storage](https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "bucket_public_access_block",
    family: super::FAMILY,
    title: "S3 bucket public access block is not fully enabled",
    severity: Severity::High,
    checkov: &[
        "CKV2_AWS_6",
        "CKV_AWS_53",
        "CKV_AWS_54",
        "CKV_AWS_55",
        "CKV_AWS_56",
    ],
    doc: DOC,
    check,
};

/// The Checkov check of each flag, in `PublicAccessBlock::flags` order.
const FLAG_IDS: [&str; 4] = ["CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"];

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let terms = &ctx.aws().terms;
    for b in &ctx.aws().storage.buckets {
        let Some(r) = ctx.resource(b.id) else {
            continue;
        };
        let own_block = b.own_public_access_block;
        let flags = b.public_access_block.flags();
        // No block for the bucket nor the account: one finding, not four. AWS turns the four
        // settings on for buckets created since April 2023, but nothing in this configuration
        // keeps them on (or sets them on a bucket that predates that).
        if !own_block
            && flags
                .iter()
                .all(|flag| flag.value == AttrValue::Default(false))
        {
            out.claiming(&["CKV2_AWS_6"], |out| {
                out.fail(
                    r,
                    &r.loc,
                    format!(
                        "no `{}` for this bucket and no `{}`: AWS enables Block Public Access \
                         on new buckets by default, but nothing here keeps it on; declare the \
                         four settings explicitly",
                        terms.bucket_public_access_block, terms.account_public_access_block
                    ),
                )
            });
            continue;
        }
        for (i, (flag, flag_id)) in flags.into_iter().zip(FLAG_IDS).enumerate() {
            let mut ids = Vec::new();
            if own_block {
                ids.push(flag_id);
            }
            if i < 2 {
                ids.push("CKV2_AWS_6");
            }
            out.claiming(&ids, |out| {
                require_setting(
                    ctx,
                    out,
                    r,
                    flag,
                    &flag.path,
                    |v: &bool| *v,
                    "neither the bucket nor the account blocks this kind of public access",
                );
            });
        }
    }
}
