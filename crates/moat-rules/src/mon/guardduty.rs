use moat_model::Severity;

use crate::registry::{require, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that GuardDuty is on: every `aws_guardduty_detector` has `enable` not `false`
(default `true`), and a configuration that manages the account's security baseline (it
declares CloudTrail, Security Hub or AWS Config) also declares a GuardDuty detector.

## Differences from Checkov
`CKV_AWS_238` fails a declared `aws_guardduty_detector` with `enable = false`; those findings
claim it. Checkov has no check for a configuration that declares no detector at all, and
`CKV2_AWS_3` is a different property (an organization configuration that enables GuardDuty for
member accounts), so moat claims no equivalent for it.

## Why is this bad?
GuardDuty analyses CloudTrail, VPC Flow Logs and DNS logs for compromised credentials,
crypto-mining and reconnaissance across the account.

## Example
```hcl
resource "aws_guardduty_detector" "main" {
  enable = false
}
```

## Use instead
```hcl
resource "aws_guardduty_detector" "main" {
  enable = true
}
```

## References
- AWS Security Hub control GuardDuty.1: "GuardDuty should be enabled"
- AWS: [Getting started with GuardDuty](https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_settingup.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "guardduty",
    family: super::FAMILY,
    title: "GuardDuty is not enabled",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_238"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let detectors = &ctx.aws().logging.guardduty_detectors;
    for d in detectors {
        require(
            ctx,
            out,
            d.id,
            &d.enabled,
            |on| *on,
            "threat detection is off",
        );
    }
    if detectors.is_empty() {
        if let Some(b) = super::baseline(ctx) {
            // Checkov checks declared detectors only: nothing to claim for a missing one.
            out.claiming(&[], |out| out.fail(b, &b.loc, format!("this configuration manages the account baseline (`{}`) but declares no `{}`", b.address, ctx.aws().terms.guardduty_detector)));
        }
    }
}
