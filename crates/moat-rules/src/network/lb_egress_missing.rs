//! NET003: load balancer security group does not allow egress to its targets.

use moat_model::Severity;
use moat_net::diagnose::DiagnosisKind;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that the load balancer's security groups allow outbound connections to every target on
the traffic port and on the health-check port. Terraform's `aws_security_group` removes the
allow-all egress rule that AWS adds to new groups, so a group written without `egress` allows
nothing out.

## Why is this bad?
The load balancer cannot open connections to its targets: every request fails and every target
is unhealthy. Seed 002: "ALB SG 아웃바운드를 과도 제한/미설정 — 타깃 포트로 나가는 규칙이 없으면
연결 실패".

## Example
```hcl
resource "aws_security_group" "alb" {
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  # no egress: Terraform removes the default allow-all rule
}
```

## Use instead
```hcl
resource "aws_security_group_rule" "alb_to_app" {
  type                     = "egress"
  security_group_id        = aws_security_group.alb.id
  from_port                = 8000
  to_port                  = 8000
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.app.id
}
```

## References
- Seed 002, misconfiguration "ALB SG 아웃바운드를 과도 제한/미설정"
- Terraform: [aws_security_group egress](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "lb_egress_missing",
    family: super::FAMILY,
    title: "Load balancer security group does not allow egress to its targets",
    severity: Severity::Medium,
    checkov: &[],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    super::emit(ctx, out, DiagnosisKind::LbEgressMissing, ctx.lb_paths());
}
