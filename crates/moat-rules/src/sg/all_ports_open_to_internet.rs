use moat_model::aws::network::Protocol;
use moat_model::Severity;

use super::{ports, sources};
use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks every security-group ingress rule for all traffic (`protocol = "-1"`) or every TCP/UDP
port (`0-65535`) open to `0.0.0.0/0` or `::/0`.

## Differences from Checkov
`CKV_AWS_277` fails rules for all protocols (`-1`) from `0.0.0.0/0` or `::/0`; a rule opening
every port of one protocol (`tcp 0-65535`) passes it. Only findings on all-protocol rules claim
`CKV_AWS_277`.

## Why is this bad?
Every service listening on the instance, including ones nobody meant to publish (databases,
admin consoles, debug ports), becomes reachable from the internet. An instance inbound rule
with the source 0.0.0.0/0 is also the most common misconfiguration behind a load balancer,
which it bypasses.

## Example
```hcl
  ingress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
```

## Use instead
Open only the application port, from the load balancer's security group:
```hcl
  ingress {
    protocol        = "tcp"
    from_port       = 8000
    to_port         = 8000
    security_groups = [aws_security_group.alb.id]
  }
```

## References
- AWS: [Security group rules](https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "all_ports_open_to_internet",
    family: super::FAMILY,
    title: "Security group allows all ports from the internet",
    severity: Severity::Critical,
    checkov: &["CKV_AWS_277"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for sg in &ctx.net().security_groups {
        for rule in sg.ingress() {
            let Some(r) = ctx.resource(rule.declared_by) else {
                continue;
            };
            let all = match (rule.protocol, rule.ports) {
                (Some(Protocol::All), _) => true,
                (Some(p), Some(pr)) => p.has_ports() && pr.is_all(),
                _ => false,
            };
            if all && rule.open_to_world() {
                // Checkov's check is about protocol `-1` only, not every port of one protocol.
                let ids: &[&'static str] = if rule.protocol == Some(Protocol::All) {
                    &["CKV_AWS_277"]
                } else {
                    &[]
                };
                out.claiming(ids, |out| {
                    out.fail(
                        r,
                        &rule.loc,
                        format!(
                            "ingress `{}` from `{}` opens every port of `{}` to the internet",
                            ports(rule),
                            sources(rule),
                            sg.address
                        ),
                    )
                });
            }
        }
    }
}
