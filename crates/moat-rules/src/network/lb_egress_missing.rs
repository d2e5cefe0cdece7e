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
is unhealthy. An outbound rule set that is missing or too narrow, with no rule to the target
port, makes every connection fail.

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
- AWS: [Security groups for your Application Load Balancer](https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html)
- AWS: [Update the security groups for your Network Load Balancer](https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html)
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
