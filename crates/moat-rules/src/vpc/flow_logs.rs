use std::collections::BTreeSet;

use moat_model::aws::network::{Declared, Ref};
use moat_model::Severity;

use crate::registry::{why, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every `aws_vpc` has an `aws_flow_log` attached (`vpc_id` referring to it). A flow
log whose `vpc_id` cannot be resolved offline makes the VPCs without a flow log unknown, not
failing.

## Why is this bad?
Flow logs are the record of who talked to whom. Without them rejected connections cannot be
investigated and GuardDuty's network findings have no data.

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
- AWS Security Hub control EC2.6: "VPC flow logging should be enabled in all VPCs"
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
    let mut floating = None;
    let mut covered = BTreeSet::new();
    for fl in &ctx.aws().logging.flow_logs {
        match &fl.vpc {
            Some(Ref::Res(id)) => {
                covered.insert(*id);
            }
            // The last one, in declaration order.
            Some(Ref::Unknown(u)) => floating = Some((fl.id, u)),
            Some(Ref::External(_)) | None => {}
        }
    }
    let terms = &ctx.aws().terms;
    for vpc in &ctx.net().vpcs {
        if vpc.declared != Declared::Created || covered.contains(&vpc.id) {
            continue;
        }
        let Some(r) = ctx.resource(vpc.id) else {
            continue;
        };
        match floating.and_then(|(fl, u)| Some((ctx.resource(fl)?, u))) {
            Some((fl, u)) => out.unknown(
                r,
                &vpc.loc,
                format!(
                    "no flow log refers to this VPC, and the `{}` of `{}` is unknown: {}",
                    terms.flow_log_vpc,
                    fl.address,
                    why(u)
                ),
            ),
            None => out.fail(
                r,
                &vpc.loc,
                format!(
                    "no `{}` has `{}` pointing at this VPC: its traffic is not logged",
                    terms.flow_log, terms.flow_log_vpc
                ),
            ),
        }
    }
}
