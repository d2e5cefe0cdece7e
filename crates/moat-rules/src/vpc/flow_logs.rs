use moat_model::{Resolved, Severity};

use crate::registry::{why, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every `aws_vpc` has an `aws_flow_log` attached (`vpc_id` referring to it). A flow
log whose `vpc_id` cannot be resolved offline makes the VPCs without a flow log unknown, not
failing.

## Why is this bad?
Flow logs are the record of who talked to whom. Without them the REJECT analysis of seed 000
(connection timeouts on 3306) and GuardDuty's network findings have no data.

## Example
```hcl
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
```

## Use instead
```hcl
resource "aws_flow_log" "main" {
  vpc_id               = aws_vpc.main.id
  traffic_type         = "ALL"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow.arn
  iam_role_arn         = aws_iam_role.flow.arn
}
```

## References
- Seed 001, VPC checklist: "VPC Flow Logs 활성화"; seed 004: VPC Flow Logs
- CIS AWS Foundations Benchmark v3.0.0, 3.7: "Ensure VPC flow logging is enabled in all VPCs"
- AWS: [Logging IP traffic using VPC Flow Logs](https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "flow_logs",
    family: super::FAMILY,
    title: "VPC has no flow log",
    severity: Severity::Medium,
    checkov: &["CKV2_AWS_11"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let e = ctx.estate;
    let mut floating = None;
    let mut covered = std::collections::HashSet::new();
    for (_, fl) in e.managed_of_type("aws_flow_log") {
        let Some(n) = fl.get("vpc_id") else { continue };
        match e.resolve(n, &["aws_vpc"], &[]) {
            Resolved::Resource(id) => {
                covered.insert(id);
            }
            Resolved::Unknown(u) => floating = Some((fl.address.clone(), u)),
            Resolved::External(_) | Resolved::Absent => {}
        }
    }
    for (id, r) in e.managed_of_type("aws_vpc") {
        if covered.contains(&id) {
            continue;
        }
        match &floating {
            Some((fl, u)) => out.unknown(
                r,
                &r.loc,
                format!(
                    "no flow log refers to this VPC, and the `vpc_id` of `{fl}` is unknown: {}",
                    why(u)
                ),
            ),
            None => out.fail(
                r,
                &r.loc,
                "no `aws_flow_log` has `vpc_id` pointing at this VPC: its traffic is not logged",
            ),
        }
    }
}
