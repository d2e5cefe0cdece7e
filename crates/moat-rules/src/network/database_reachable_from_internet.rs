//! NET010: database is reachable from the internet.

use moat_model::Severity;
use moat_net::diagnose::{self, DiagnosisKind};

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Reports RDS instances and ElastiCache clusters that the internet can reach: publicly
accessible, placed in a subnet that routes `0.0.0.0/0` to an internet gateway, with a security
group that admits internet addresses; or targets of an internet-facing load balancer in a
public subnet whose listener the internet can reach and whose last leg (LB egress, database
ingress) is admitted. When `publicly_accessible` or a rule is unknown the finding is
`unknown`.

## Why is this bad?
Databases belong in private subnets behind application tiers, with no direct path from the
internet, and the database's security group should admit the database port only from the
application tier's security group.

## Example
```hcl
resource "aws_db_instance" "main" {
  publicly_accessible    = true
  db_subnet_group_name   = aws_db_subnet_group.public.name
  vpc_security_group_ids = [aws_security_group.db.id] # 3306 from 0.0.0.0/0
}
```

## Use instead
```hcl
resource "aws_db_instance" "main" {
  publicly_accessible    = false
  db_subnet_group_name   = aws_db_subnet_group.private.name
  vpc_security_group_ids = [aws_security_group.db.id] # 3306 from the app SG
}
```

## References
- AWS Security Hub: [RDS.2] RDS DB Instances should prohibit public access, as determined by the PubliclyAccessible configuration (the `publicly_accessible` part of this rule)
- AWS: [Working with a DB instance in a VPC](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html)
- AWS: [Controlling access with security groups (RDS)](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.RDSSecurityGroups.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "database_reachable_from_internet",
    family: super::FAMILY,
    title: "Database is reachable from the internet",
    severity: Severity::Critical,
    checkov: &[],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    super::emit(
        ctx,
        out,
        DiagnosisKind::DatabaseReachableFromInternet,
        &diagnose::databases_reachable_from_internet(ctx.net()),
    );
}
