//! NET001: load balancer target does not admit the traffic port from the load balancer.

use moat_model::Severity;
use moat_net::diagnose::DiagnosisKind;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Verifies every path listener -> target group -> target of every load balancer: the security
groups of each target must admit the target group's traffic port from the load balancer (its
security group, or its subnets' addresses). An ALB opens a new connection from its own private
addresses, so the source the target sees is the ALB, never the client. The finding is on the
target's security group.

## Why is this bad?
Requests time out (HTTP 504 from an ALB) while everything looks configured. The target's
security group must admit exactly the application port from the load balancer's security
group.

## Example
```hcl
resource "aws_lb_target_group" "app" {
  port     = 8000
  protocol = "HTTP"
}

resource "aws_security_group_rule" "app_from_alb" {
  type                     = "ingress"
  security_group_id        = aws_security_group.app.id
  from_port                = 8080 # the target group sends 8000
  to_port                  = 8080
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.alb.id
}
```

## Use instead
```hcl
resource "aws_security_group_rule" "app_from_alb" {
  type                     = "ingress"
  security_group_id        = aws_security_group.app.id
  from_port                = 8000
  to_port                  = 8000
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.alb.id
}
```

## References
- AWS: [Security groups for your Application Load Balancer](https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html)
- AWS: [Target security groups (Network Load Balancer)](https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-register-targets.html#target-security-groups)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "target_port_not_admitted",
    family: super::FAMILY,
    title: "Load balancer target does not admit the traffic port from the load balancer",
    severity: Severity::Medium,
    checkov: &[],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    super::emit(
        ctx,
        out,
        DiagnosisKind::TargetPortNotAdmitted,
        ctx.lb_paths(),
    );
}
