use moat_model::Severity;

use crate::registry::{require, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that `is_multi_region_trail` is `true` on every `aws_cloudtrail` (default `false`).

## Why is this bad?
A single-region trail misses API activity in every other region, where an attacker can start
instances or create keys unobserved.

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
  name                          = "audit"
  s3_bucket_name                = aws_s3_bucket.audit.id
  is_multi_region_trail         = true
  include_global_service_events = true
}
```

## References
- CIS AWS Foundations Benchmark v3.0.0, 3.1: "Ensure CloudTrail is enabled in all regions"
- AWS Security Hub control CloudTrail.1: "CloudTrail should be enabled and configured with at least one multi-Region trail that includes read and write management events"
- AWS: [Working with CloudTrail trails](https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-trails.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "multi_region",
    family: super::FAMILY,
    title: "CloudTrail trail is not multi-region",
    severity: Severity::High,
    checkov: &["CKV_AWS_67"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for t in &ctx.aws().logging.trails {
        require(
            ctx,
            out,
            t.id,
            &t.multi_region,
            |on| *on,
            "API activity in other regions is not recorded",
        );
    }
}
