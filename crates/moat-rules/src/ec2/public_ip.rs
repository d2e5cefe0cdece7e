use moat_model::Severity;

use crate::registry::{require_bool, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that `aws_instance` and `aws_launch_configuration` do not set
`associate_public_ip_address = true`.

## Why is this bad?
The seeds' pattern is "only the load balancer is public, instances are private": an instance
with a public address in a public subnet is one security-group mistake away from exposure
(seed 002, "공개는 ALB만, EC2는 프라이빗").

## Example
```hcl
resource "aws_instance" "app" {
  associate_public_ip_address = true
}
```

## Use instead
```hcl
resource "aws_instance" "app" {
  associate_public_ip_address = false
  subnet_id                   = aws_subnet.private_a.id
}
```

## References
- Seed 002 section 11; seed 003 (private application subnet behind the ALB)
- AWS: [Public IPv4 addresses](https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-instance-addressing.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "public_ip",
    family: super::FAMILY,
    title: "Instance is given a public IP address",
    severity: Severity::Low,
    checkov: &["CKV_AWS_88"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for t in ["aws_instance", "aws_launch_configuration"] {
        for r in ctx.of_type(t) {
            if r.get("associate_public_ip_address").is_some() {
                require_bool(
                    out,
                    r,
                    "associate_public_ip_address",
                    false,
                    false,
                    "the instance is directly addressable from the internet",
                );
            }
        }
    }
}
