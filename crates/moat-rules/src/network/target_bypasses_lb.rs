//! NET006: load balancer target is directly reachable from the internet.

use moat_model::Severity;
use moat_net::diagnose::DiagnosisKind;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Reports load-balancer targets that the internet can reach directly: the target has a public IP
(or EIP), its subnet routes `0.0.0.0/0` to an internet gateway, and its security group admits the
traffic port from internet addresses. When the public IP is unknown the finding is `unknown`.

## Why is this bad?
Clients can go around the load balancer and its controls. Only the load balancer should be
public; its targets belong in private subnets.

## Example
```hcl
resource "aws_instance" "app" {
  subnet_id                   = aws_subnet.public_a.id
  associate_public_ip_address = true
  vpc_security_group_ids      = [aws_security_group.app.id] # admits 8000 from 0.0.0.0/0
}
```

## Use instead
```hcl
resource "aws_instance" "app" {
  subnet_id              = aws_subnet.app.id # private: 0.0.0.0/0 -> NAT
  vpc_security_group_ids = [aws_security_group.app.id]
}
```

## References
- AWS Security Hub: [EC2.9] Amazon EC2 instances should not have a public IPv4 address (related: the public address is one condition of this rule)
- AWS: [Security groups for your Application Load Balancer](https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html)
- AWS: [Subnets for your VPC: subnet types](https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html#subnet-types)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "target_bypasses_lb",
    family: super::FAMILY,
    title: "Load balancer target is directly reachable from the internet",
    severity: Severity::High,
    checkov: &[],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    super::emit(ctx, out, DiagnosisKind::TargetBypassesLb, ctx.lb_paths());
}
