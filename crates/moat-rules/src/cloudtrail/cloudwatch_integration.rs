use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every `aws_cloudtrail` delivers to CloudWatch Logs (`cloud_watch_logs_group_arn`
set).

## Why is this bad?
The monitoring alarms of the CIS AWS Foundations Benchmark (root account use, IAM policy
changes, security group changes, CloudTrail configuration changes) are CloudWatch metric
filters on the trail's log group. Without delivery to CloudWatch Logs
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
- CIS AWS Foundations Benchmark v1.4, 3.4: "Ensure CloudTrail trails are integrated with CloudWatch Logs"
- AWS Security Hub control CloudTrail.5: "CloudTrail trails should be integrated with Amazon CloudWatch Logs"
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
    for t in &ctx.aws().logging.trails {
        super::require_named(
            ctx,
            out,
            t.id,
            &t.cloudwatch_logs,
            "no CloudWatch alarm can watch this trail",
        );
    }
}
