use moat_model::aws::AttrValue;
use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every `aws_cloudwatch_log_group` keeps its logs for at least a year: a
`retention_in_days` between 1 and 364 is reported. Unset or `0` means the logs never expire,
which satisfies the rule.

## Differences from Checkov
`CKV_AWS_338` also fails a log group without `retention_in_days`; CloudWatch Logs then keeps
the events forever, so moat passes it. (`CKV_AWS_66`, "retention is specified", is a cost
check, not a retention floor, and is not claimed.)

## Why is this bad?
Investigations often start months after the fact: audit, flow and application logs deleted
after 30 days cannot show how an intruder got in. AWS Security Hub's control asks for 365 days
by default, as do PCI DSS (one year) and many internal standards.

## Example
```hcl
resource "aws_cloudwatch_log_group" "app" {
  name              = "/app/web"
  retention_in_days = 30
}
```

## Use instead
```hcl
resource "aws_cloudwatch_log_group" "app" {
  name              = "/app/web"
  retention_in_days = 365
}
```

## References
- AWS Security Hub control CloudWatch.16: "CloudWatch log groups should be retained for a specified time period" (365 days by default)
- AWS: [Change log data retention in CloudWatch Logs](https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "log_group_retention",
    family: super::FAMILY,
    title: "CloudWatch log group keeps logs for less than a year",
    severity: Severity::Low,
    checkov: &["CKV_AWS_338"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for g in &ctx.aws().logging.log_groups {
        let Some(r) = ctx.resource(g.id) else {
            continue;
        };
        let days = &g.retention_days;
        match &days.value {
            // 0: never expire.
            AttrValue::Known(d) | AttrValue::Default(d) if *d > 0.0 && *d < 365.0 => out.fail(
                r,
                &days.loc,
                format!(
                    "{}: logs are deleted before a year has passed",
                    days.describe()
                ),
            ),
            AttrValue::Known(_) | AttrValue::Default(_) => {}
            AttrValue::Unknown(_) | AttrValue::Invalid { .. } => {
                out.unknown(r, &days.loc, days.describe())
            }
        }
    }
}
