use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks every security-group ingress rule for TCP port 3389 (RDP) open to `0.0.0.0/0` or
`::/0`, including rules that open all ports or all protocols.

## Why is this bad?
RDP exposed to the internet is a leading way into Windows hosts (brute force, credential
stuffing, protocol vulnerabilities).

## Example
```hcl
resource "aws_vpc_security_group_ingress_rule" "rdp" {
  security_group_id = aws_security_group.win.id
  ip_protocol       = "tcp"
  from_port         = 3389
  to_port           = 3389
  cidr_ipv4         = "0.0.0.0/0"
}
```

## Use instead
Reach Windows hosts through SSM Fleet Manager or a VPN, or restrict `cidr_ipv4` to the office
range.

## References
- CIS AWS Foundations Benchmark v3.0.0, 5.2/5.3
- AWS: [Security group rules](https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "rdp_open_to_internet",
    family: super::FAMILY,
    title: "Security group allows RDP from the internet",
    severity: Severity::High,
    checkov: &["CKV_AWS_25"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    super::check_world_port(ctx, out, 3389, "RDP");
}
