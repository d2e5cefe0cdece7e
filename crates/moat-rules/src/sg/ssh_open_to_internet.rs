use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks every security-group ingress rule (inline, `aws_security_group_rule`,
`aws_vpc_security_group_ingress_rule`) for TCP port 22 (SSH) open to `0.0.0.0/0` or `::/0`,
including rules that open all ports or all protocols.

## Differences from Checkov
On `aws_vpc_security_group_ingress_rule`, Checkov's `CKV_AWS_24` reads `cidr_ipv6` as a list
while it is a single string, so a rule from `::/0` passes it; moat reports it.

## Why is this bad?
SSH open to the internet is scanned and brute-forced within minutes of launch. Administrative
access belongs to a bastion, a VPN, or SSM Session Manager, never to the whole internet.

## Example
```hcl
resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  security_group_id = aws_security_group.web.id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = ["0.0.0.0/0"]
}
```

## Use instead
```hcl
  cidr_blocks = ["10.0.0.0/8"] # or use SSM Session Manager and no SSH rule at all
```

## References
- CIS AWS Foundations Benchmark v3.0.0, 5.2/5.3: "Ensure no security groups allow ingress from 0.0.0.0/0 (::/0) to remote server administration ports"
- AWS: [Security group rules](https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "ssh_open_to_internet",
    family: super::FAMILY,
    title: "Security group allows SSH from the internet",
    severity: Severity::High,
    checkov: &["CKV_AWS_24"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    super::check_world_port(ctx, out, 22, "SSH");
}
