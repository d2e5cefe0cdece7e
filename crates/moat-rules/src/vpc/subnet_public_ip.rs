use moat_model::Severity;

use moat_model::aws::network::Declared;

use crate::registry::{require, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that `aws_subnet` does not set `map_public_ip_on_launch = true` (default `false`).

## Why is this bad?
Every instance launched in the subnet gets a public IPv4 address, whether or not it is meant to
be reachable. Public entry belongs to load balancers and NAT gateways.

## Example
```hcl
resource "aws_subnet" "app" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  map_public_ip_on_launch = true
}
```

## Use instead
```hcl
resource "aws_subnet" "app" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
```

## References
- AWS Security Hub control EC2.15: "Amazon EC2 subnets should not automatically assign public IP addresses"
- AWS: [Modify the public IPv4 addressing attribute](https://docs.aws.amazon.com/vpc/latest/userguide/subnet-public-ip.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "subnet_public_ip",
    family: super::FAMILY,
    title: "Subnet assigns public IPs by default",
    severity: Severity::Low,
    checkov: &["CKV_AWS_130"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    // Default subnets are public by design (AWS default `true`): only created subnets.
    for s in ctx.net().subnets.iter() {
        if s.declared == Declared::Created {
            require(
                ctx,
                out,
                s.id,
                &s.map_public_ip_on_launch,
                |on| !*on,
                "every instance launched here gets a public IP",
            );
        }
    }
}
