use moat_model::Severity;

use crate::registry::{require, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that `enable_logging` is not `false` on any `aws_cloudtrail` (default `true`).

## Why is this bad?
A trail that exists but does not log gives false assurance: nothing is recorded.

## Example
```hcl
resource "aws_cloudtrail" "audit" {
  enable_logging = false
}
```

## Use instead
```hcl
resource "aws_cloudtrail" "audit" {
  enable_logging = true
}
```

## References
- AWS: [Turning logging on and off](https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-turning-off-logging.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "logging_disabled",
    family: super::FAMILY,
    title: "CloudTrail trail is not logging",
    severity: Severity::High,
    checkov: &["CKV_AWS_251"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for t in &ctx.aws().logging.trails {
        require(
            ctx,
            out,
            t.id,
            &t.logging,
            |on| *on,
            "the trail records nothing",
        );
    }
}
