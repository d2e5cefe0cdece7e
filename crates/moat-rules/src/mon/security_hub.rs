use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that a configuration that manages the account's security baseline (it declares
CloudTrail, GuardDuty or AWS Config) also enables Security Hub (`aws_securityhub_account`).

## Why is this bad?
Security Hub aggregates GuardDuty, Config and Inspector findings and runs the CIS and
Foundational Security Best Practices standards continuously; without it findings stay
scattered per service and per region.

## Example
```hcl
resource "aws_guardduty_detector" "main" {
  enable = true
}
```

## Use instead
```hcl
resource "aws_securityhub_account" "main" {}

resource "aws_securityhub_standards_subscription" "cis" {
  depends_on    = [aws_securityhub_account.main]
  standards_arn = "arn:aws:securityhub:ap-northeast-2::standards/cis-aws-foundations-benchmark/v/1.4.0"
}
```

## References
- AWS: [Enabling Security Hub](https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-settingup.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "security_hub",
    family: super::FAMILY,
    title: "Security Hub is not enabled",
    severity: Severity::Low,
    checkov: &[],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    if !ctx.aws().logging.security_hub_accounts.is_empty() {
        return;
    }
    if let Some(b) = super::baseline(ctx) {
        out.fail(
            b,
            &b.loc,
            format!(
                "this configuration manages the account baseline (`{}`) but declares no `{}`",
                b.address,
                ctx.aws().terms.security_hub
            ),
        );
    }
}
