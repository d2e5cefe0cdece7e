//! NET008: load balancer ip target is outside the vpc.

use moat_model::Severity;
use moat_net::diagnose::DiagnosisKind;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Reports target-group attachments that register an IP address outside the target group's VPC
(on-premises, another network). Security groups of the VPC, and rules that reference the load
balancer's security group, do not apply to such a target.

## Why is this bad?
Teams register an outside address and believe that `EC2-SG <- ALB-SG` still restricts who
reaches it. A security-group reference cannot protect an IP target outside the VPC.

## Example
```hcl
resource "aws_lb_target_group_attachment" "onprem" {
  target_group_arn  = aws_lb_target_group.mysql.arn
  target_id         = "192.168.50.10"
  availability_zone = "all"
}
```

## Use instead
Register instances (`target_type = "instance"`) or addresses inside the VPC, and restrict
the outside target with its own firewall.

## References
- AWS: [Target type (Application Load Balancer target groups)](https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#target-type)
- AWS: [Register targets for your Network Load Balancer](https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-register-targets.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "ip_target_outside_vpc",
    family: super::FAMILY,
    title: "Load balancer IP target is outside the VPC",
    severity: Severity::Medium,
    checkov: &[],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    super::emit(ctx, out, DiagnosisKind::IpTargetOutsideVpc, ctx.lb_paths());
}
