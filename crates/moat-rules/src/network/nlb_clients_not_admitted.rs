//! NET007: nlb targets do not admit the clients whose ip the nlb preserves.

use moat_model::Severity;
use moat_net::diagnose::DiagnosisKind;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
For a Network Load Balancer that preserves the client IP (instance targets by default, IP
targets with `preserve_client_ip = true`), the target sees the client's address, so the target's
security group must admit the clients (their CIDRs or security groups, or the NLB's security
group when it has one). Reports targets whose groups admit the traffic port only from the NLB's
own subnets, or (internet-facing NLB) from no internet address.

## Why is this bad?
Health checks (from the NLB's addresses) pass while every client connection times out. Behind
an NLB that preserves the client IP, the target's inbound rules must admit the clients' addresses,
for example the application's security group in an application -> NLB -> database chain.

## Example
```hcl
resource "aws_security_group" "proxy" {
  ingress {
    from_port   = 3306
    to_port     = 3306
    protocol    = "tcp"
    cidr_blocks = ["10.20.4.0/24", "10.20.5.0/24"] # NLB subnets only
  }
}
```

## Use instead
```hcl
  ingress {
    from_port       = 3306
    to_port         = 3306
    protocol        = "tcp"
    security_groups = [aws_security_group.app.id] # the clients
  }
```

## References
- AWS: [Target security groups (Network Load Balancer)](https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-register-targets.html#target-security-groups)
- AWS: [Update the security groups for your Network Load Balancer](https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html)
- AWS: [Client IP preservation](https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "nlb_clients_not_admitted",
    family: super::FAMILY,
    title: "NLB targets do not admit the clients whose IP the NLB preserves",
    severity: Severity::Medium,
    checkov: &[],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    super::emit(
        ctx,
        out,
        DiagnosisKind::NlbClientsNotAdmitted,
        ctx.lb_paths(),
    );
}
