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
Targets stay `unhealthy` forever and the load balancer sends no traffic to them. A health-check
port that is not opened keeps the target unhealthy, and the security groups of an NLB's targets
must admit the health-check traffic from the NLB itself.

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
- AWS: [Health checks for your target groups](https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html)
- AWS: [Health checks for Network Load Balancer target groups](https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html)
- AWS: [Target security groups (Network Load Balancer)](https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-register-targets.html#target-security-groups)
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
