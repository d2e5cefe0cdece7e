//! NET004: a network acl drops traffic between a load balancer and its target.

use moat_model::Severity;
use moat_net::diagnose::DiagnosisKind;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Evaluates the network ACLs of the load balancer's subnets and of the target's subnet (numbered
rules, lowest first, first match wins, final deny) for the request on the traffic and
health-check ports and for the reply to the load balancer's ephemeral ports (1024-65535), in both
directions. NACLs do not apply within one subnet. The finding is on the rule that denies, or on
the NACL when nothing allows the traffic.

## Why is this bad?
NACLs are stateless: allowing the request is not enough, the reply must be allowed the other
way. A NACL that blocks the ephemeral ports drops the replies: both directions must be
allowed (usually 1024-65535).

## Example
```hcl
resource "aws_network_acl" "app" {
  subnet_ids = [aws_subnet.app.id]
  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "10.0.0.0/16"
    from_port  = 8000
    to_port    = 8000
  }
  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "0.0.0.0/0"
    from_port  = 443
    to_port    = 443
  } # the reply to the ALB's ports 1024-65535 is dropped
}
```

## Use instead
```hcl
  egress {
    rule_no    = 120
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "10.0.0.0/16"
    from_port  = 1024
    to_port    = 65535
  }
```

## References
- AWS: [Network access control lists](https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html)
- AWS: [Network ACLs: ephemeral ports](https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html)
- AWS: [Network ACLs for Network Load Balancer targets](https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-register-targets.html#network-acls)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "nacl_drops_lb_path",
    family: super::FAMILY,
    title: "A network ACL drops traffic between a load balancer and its target",
    severity: Severity::Medium,
    checkov: &[],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    super::emit(ctx, out, DiagnosisKind::NaclDropsLbPath, ctx.lb_paths());
}
