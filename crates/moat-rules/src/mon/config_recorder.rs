use moat_model::Severity;

use crate::registry::{require, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that AWS Config records every supported resource type: each
`aws_config_configuration_recorder` must not set `recording_group.all_supported = false`
(default `true`), and a configuration that manages the account's security baseline (it
declares CloudTrail, GuardDuty or Security Hub) must declare a recorder.

## Differences from Checkov
No Checkov check decides this property. `CKV2_AWS_48` checks
`recording_group.include_global_resource_types` (global IAM resources), not
`all_supported`, and Checkov has no check for a configuration without a recorder: moat claims
no equivalent.

## Why is this bad?
AWS Config rules (unencrypted EBS volumes, public buckets, unused credentials, open security
groups), and the Security Hub controls built on them, evaluate only the resources Config
records.

## Example
```hcl
resource "aws_config_configuration_recorder" "main" {
  role_arn = aws_iam_role.config.arn
  recording_group {
    all_supported  = false
    resource_types = ["AWS::EC2::Instance"]
  }
}
```

## Use instead
```hcl
  recording_group {
    all_supported                 = true
    include_global_resource_types = true
  }
```

## References
- AWS Security Hub control Config.1: "AWS Config should be enabled"
- CIS AWS Foundations Benchmark v3.0.0, 3.3: "Ensure AWS Config is enabled in all regions"
- AWS: [Recording AWS resources](https://docs.aws.amazon.com/config/latest/developerguide/select-resources.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "config_recorder",
    family: super::FAMILY,
    title: "AWS Config does not record all resources",
    severity: Severity::Low,
    checkov: &[],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let recorders = &ctx.aws().logging.config_recorders;
    for rec in recorders {
        require(
            ctx,
            out,
            rec.id,
            &rec.all_supported,
            |all| *all,
            "resource types not listed are not evaluated",
        );
    }
    if recorders.is_empty() {
        if let Some(b) = super::baseline(ctx) {
            out.fail(
                b,
                &b.loc,
                format!(
                    "this configuration manages the account baseline (`{}`) but declares no `{}`",
                    b.address,
                    ctx.aws().terms.config_recorder
                ),
            );
        }
    }
}
