use moat_model::Severity;

use crate::registry::{presence, why, Ctx, Out, Presence, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every `aws_cloudtrail` delivers to CloudWatch Logs (`cloud_watch_logs_group_arn`
set).

## Why is this bad?
The seeds' alarms (root use, IAM policy changes, security groups opened, CloudTrail stopped)
are CloudWatch metric filters on the trail's log group. Without delivery to CloudWatch Logs
none of them can fire.

## Example
```hcl
resource "aws_cloudtrail" "audit" {
  name = "audit"
}
```

## Use instead
```hcl
resource "aws_cloudtrail" "audit" {
  name                       = "audit"
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"
  cloud_watch_logs_role_arn  = aws_iam_role.trail.arn
}
```

## References
- Seed 001 CloudTrail example (`CloudWatchLogsLogGroupArn`) and CloudWatch alarm table
- CIS AWS Foundations Benchmark v1.4, 3.4: "Ensure CloudTrail trails are integrated with CloudWatch Logs"
- AWS: [Sending events to CloudWatch Logs](https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "cloudwatch_integration",
    family: super::FAMILY,
    title: "CloudTrail trail is not sent to CloudWatch Logs",
    severity: Severity::Low,
    checkov: &["CKV2_AWS_10"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for r in ctx.of_type("aws_cloudtrail") {
        let attr = "cloud_watch_logs_group_arn";
        match presence(r.get(attr)) {
            Presence::Set => {}
            Presence::Absent => out.fail(
                r,
                r.loc_of(attr),
                format!("`{attr}` is not set: no CloudWatch alarm can watch this trail"),
            ),
            Presence::Unknown(u) => out.unknown(
                r,
                r.loc_of(attr),
                format!("`{attr}` is unknown: {}", why(u)),
            ),
        }
    }
}
