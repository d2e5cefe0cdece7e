//! NET005: load balancer target admits the traffic port from the whole internet.

use moat_model::Severity;
use moat_net::diagnose::DiagnosisKind;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Reports ingress rules that admit a target's traffic port from `0.0.0.0/0` or `::/0` on a
security group whose members sit behind an ALB (or an NLB that does not preserve client IPs).
The least-privilege pattern admits the port from the load balancer's security group only.

## Why is this bad?
Anything that can route to the target reaches it without the load balancer: no TLS
termination, no WAF, no listener rules. Opening the target's inbound rule to `0.0.0.0/0`
defeats the purpose of putting a load balancer in front of it.

## Example
```hcl
resource "aws_security_group" "app" {
  ingress {
    from_port   = 8000
    to_port     = 8000
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
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
- AWS: [Security groups for your Application Load Balancer](https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html) (restrict the targets' groups to the load balancer's group)
- AWS: [Update the security groups for your Network Load Balancer](https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "target_open_behind_lb",
    family: super::FAMILY,
    title: "Load balancer target admits the traffic port from the whole internet",
    severity: Severity::High,
    checkov: &[],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    super::emit(ctx, out, DiagnosisKind::TargetOpenBehindLb, ctx.lb_paths());
}
