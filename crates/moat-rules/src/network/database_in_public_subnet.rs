//! NET011: database or cache placed in a public subnet.

use moat_model::Severity;
use moat_net::diagnose;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Reports RDS instances and ElastiCache clusters whose subnet group holds a public subnet: a
subnet whose route table (the explicit association, else the VPC's main table) sends
`0.0.0.0/0` or `::/0` to an internet gateway. The routes decide, not the subnet's name. The
finding points at the `db_subnet_group_name` (or `subnet_group_name`) of the database and
names each public subnet and the route that makes it public.

## Why is this bad?
A database in a public subnet is one setting away from the internet: turning on
`publicly_accessible` or widening a security group exposes it, while in a private subnet
neither can. Databases belong in private subnets, with no direct path from the internet. A
database that is already reachable is also reported by NET010.

## Example
```hcl
resource "aws_db_subnet_group" "db" {
  subnet_ids = [aws_subnet.public_a.id, aws_subnet.public_c.id] # 0.0.0.0/0 -> IGW
}
resource "aws_db_instance" "orders" {
  db_subnet_group_name = aws_db_subnet_group.db.name
  publicly_accessible  = false
}
```

## Use instead
```hcl
resource "aws_db_subnet_group" "db" {
  subnet_ids = [aws_subnet.data_a.id, aws_subnet.data_c.id] # no route to an IGW
}
```

## References
- AWS: [Working with a DB instance in a VPC](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html)
- AWS: [Subnets for your VPC: subnet types](https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html#subnet-types)
"#;

#[allow(dead_code)] // registered in `codes.rs` as NET011 by the catalogue's owner
pub(crate) const RULE: RuleDef = RuleDef {
    name: "database_in_public_subnet",
    family: super::FAMILY,
    title: "Database is placed in a public subnet",
    severity: Severity::Medium,
    checkov: &[],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for d in diagnose::databases_in_public_subnets(ctx.net()) {
        let Some(r) = ctx.resource(d.resource) else {
            continue;
        };
        // The line to fix: where the database picks its subnets.
        let loc = ctx
            .net()
            .placements
            .get(&d.resource)
            .cloned()
            .unwrap_or_else(|| d.loc.clone());
        out.fail(r, &loc, d.message);
    }
}
