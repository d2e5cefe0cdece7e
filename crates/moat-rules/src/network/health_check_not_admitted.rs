//! NET002: load balancer health checks are not admitted by the target.

use moat_model::Severity;
use moat_net::diagnose::DiagnosisKind;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that the target's security groups admit the target group's health-check port from the
load balancer when it differs from the traffic port (`health_check { port = ... }`), and, for
NLBs that preserve the client IP, that the NLB's own addresses are admitted (health checks come
from the NLB even when client traffic keeps the client's address).

## Why is this bad?
Targets stay `unhealthy` forever and the load balancer sends no traffic to them. Seed 002:
"헬스체크 포트를 안 열음 — 타깃이 지속적으로 unhealthy"; seed 000: "Security Group이 NLB에서
Health Check 트래픽을 허용하는지 확인".

## Example
```hcl
resource "aws_lb_target_group" "app" {
  port = 8000
  health_check {
    port = "8081"
  }
}
# EC2-SG admits only 8000 from ALB-SG
```

## Use instead
```hcl
resource "aws_security_group_rule" "app_health_from_alb" {
  type                     = "ingress"
  security_group_id        = aws_security_group.app.id
  from_port                = 8081
  to_port                  = 8081
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.alb.id
}
```

## References
- Seed 002, "헬스체크 주의"
- Seed 000, troubleshooting "Target Health Check 실패"
- AWS: [Health checks for your target groups](https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "health_check_not_admitted",
    family: super::FAMILY,
    title: "Load balancer health checks are not admitted by the target",
    severity: Severity::Medium,
    checkov: &[],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    super::emit(
        ctx,
        out,
        DiagnosisKind::HealthCheckNotAdmitted,
        ctx.lb_paths(),
    );
}
