//! NET009: subnet named private routes 0.0.0.0/0 to an internet gateway.

use moat_model::Severity;
use moat_net::diagnose::{self, DiagnosisKind};

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Reports subnets whose name, `Name` tag or address says `private` but whose route table (the
explicit association, else the VPC's main table) sends `0.0.0.0/0` or `::/0` to an internet
gateway. A subnet is public because of its routes, not its name.

## Why is this bad?
Everything placed in the "private" subnet with a public IP is on the internet, while the team
believes it is not. The route table decides whether a subnet is public or private, and a
subnet routed the wrong way is a common cause of load-balancer path problems.

## Example
```hcl
resource "aws_route_table_association" "app" {
  subnet_id      = aws_subnet.app.id # Name = "private-app"
  route_table_id = aws_route_table.public.id
}
```

## Use instead
```hcl
resource "aws_route_table_association" "app" {
  subnet_id      = aws_subnet.app.id
  route_table_id = aws_route_table.private.id # 0.0.0.0/0 -> NAT gateway
}
```

## References
- AWS: [Subnets for your VPC: subnet types](https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html#subnet-types)
- AWS: [Configure route tables](https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "private_subnet_routes_to_igw",
    family: super::FAMILY,
    title: "Subnet named private routes 0.0.0.0/0 to an internet gateway",
    severity: Severity::High,
    checkov: &[],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    super::emit(
        ctx,
        out,
        DiagnosisKind::PrivateSubnetToIgw,
        &diagnose::private_subnets_routed_to_igw(ctx.net()),
    );
}
