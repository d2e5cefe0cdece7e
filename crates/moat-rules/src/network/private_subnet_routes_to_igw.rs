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
believes it is not. Seed 003: "라우트 테이블 규칙에 따라 서브넷이 public, private이 될지 결정된다";
seed 000: "NLB Subnet 라우팅 문제".

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
- Seed 003, "Route Table"
- Seed 002, "라우팅: ALB는 퍼블릭 서브넷(IGW), EC2는 프라이빗 서브넷(NAT)"
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
