use moat_model::Severity;

use crate::registry::{require, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that `enable_log_file_validation` is `true` on every `aws_cloudtrail` (default
`false`).

## Why is this bad?
Without digest files nobody can prove that a log file was not modified or deleted after
CloudTrail delivered it, and an intruder who reaches the bucket can cover their tracks.

## Example
```hcl
resource "aws_cloudtrail" "audit" {
  enable_log_file_validation = false
}
```

## Use instead
```hcl
resource "aws_cloudtrail" "audit" {
  enable_log_file_validation = true
}
```

## References
- CIS AWS Foundations Benchmark v3.0.0, 3.2: "Ensure CloudTrail log file validation is enabled"
- AWS Security Hub control CloudTrail.4: "CloudTrail log file validation should be enabled"
- AWS: [Validating CloudTrail log file integrity](https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "log_file_validation",
    family: super::FAMILY,
    title: "CloudTrail log file validation is not enabled",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_36"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for t in &ctx.aws().logging.trails {
        require(
            ctx,
            out,
            t.id,
            &t.log_file_validation,
            |on| *on,
            "tampering with delivered log files cannot be detected",
        );
    }
}
