use moat_model::Severity;

use crate::registry::{require, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that `aws_ebs_encryption_by_default` is not set with `enabled = false` (default
`true`).

## Why is this bad?
Account-level default encryption is the safety net that encrypts every new volume and snapshot
copy, including those created outside Terraform. Turning it off removes the net.

## Example
```hcl
resource "aws_ebs_encryption_by_default" "this" {
  enabled = false
}
```

## Use instead
```hcl
resource "aws_ebs_encryption_by_default" "this" {
  enabled = true
}
```

## References
- AWS Security Hub: [EC2.7] EBS default encryption should be enabled
- CIS AWS Foundations Benchmark v3.0.0, 2.2.1
- AWS: [Encryption by default](https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "default_encryption_disabled",
    family: super::FAMILY,
    title: "EBS encryption by default is disabled",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_106"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for d in &ctx.aws().compute.ebs_encryption_by_default {
        require(
            ctx,
            out,
            d.id,
            &d.enabled,
            |on| *on,
            "new volumes are not encrypted by default",
        );
    }
}
