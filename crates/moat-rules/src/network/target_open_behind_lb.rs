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
termination, no WAF, no listener rules. Seed 002's first misconfiguration: "EC2 인바운드의 소스를
0.0.0.0/0로 개방 — ALB를 둔 의미가 약화됩니다".

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
- Seed 002, misconfiguration 1 and "정답 패턴"
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
