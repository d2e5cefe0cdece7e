use moat_model::Severity;

use super::ports;
use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every security-group rule written in the configuration has a `description`.

## Differences from Checkov
`CKV_AWS_23` also fails an `aws_security_group` that has no group-level `description` (Terraform
then writes "Managed by Terraform"), even when every rule is described. moat checks the rules,
which are what a reviewer must understand; a finding claims `CKV_AWS_23` on the rule it names.

## Why is this bad?
A review of a security group asks, for each rule, which flow it serves. A rule without a
description cannot be reviewed or removed with confidence, so rules accumulate.

## Example
```hcl
  ingress {
    protocol        = "tcp"
    from_port       = 8000
    to_port         = 8000
    security_groups = [aws_security_group.alb.id]
  }
```

## Use instead
```hcl
  ingress {
    description     = "app port from the ALB"
    protocol        = "tcp"
    from_port       = 8000
    to_port         = 8000
    security_groups = [aws_security_group.alb.id]
  }
```

## References
- AWS: [Security group rules](https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "rule_missing_description",
    family: super::FAMILY,
    title: "Security group rule has no description",
    severity: Severity::Low,
    checkov: &["CKV_AWS_23"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for sg in &ctx.net().security_groups {
        for rule in &sg.rules {
            if rule.implicit
                || rule
                    .description
                    .as_deref()
                    .is_some_and(|d| !d.trim().is_empty())
            {
                continue;
            }
            let Some(r) = ctx.resource(rule.declared_by) else {
                continue;
            };
            let dir = match rule.direction {
                moat_model::aws::network::Direction::Ingress => "ingress",
                moat_model::aws::network::Direction::Egress => "egress",
            };
            out.fail(
                r,
                &rule.loc,
                format!(
                    "{dir} rule `{}` of `{}` has no `{}`",
                    ports(rule),
                    sg.address,
                    ctx.aws().terms.sg_rule_description
                ),
            );
        }
    }
}
