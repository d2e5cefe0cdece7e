use moat_model::Severity;

use crate::registry::{require, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that `publicly_accessible` is not `true` on `aws_db_instance` and
`aws_rds_cluster_instance` (default `false`).

## Differences from Checkov
moat evaluates `count` and `for_each`, so `publicly_accessible = count.index == 0` is reported
on the instance where it is `true`; Checkov does not evaluate the expression and passes it.

## Why is this bad?
A publicly accessible instance gets a public DNS name resolving to a public IP; with a route to
an internet gateway and a permissive security group, the database listener is reachable from
the internet. Databases belong in isolated private subnets.

## Example
```hcl
resource "aws_db_instance" "db" {
  publicly_accessible = true
}
```

## Use instead
```hcl
resource "aws_db_instance" "db" {
  publicly_accessible  = false
  db_subnet_group_name = aws_db_subnet_group.private.name
}
```

## References
- AWS Security Hub: [RDS.2] RDS DB Instances should prohibit public access, as determined by the PubliclyAccessible configuration
- CIS AWS Foundations Benchmark v3.0.0, 2.3.3: "Ensure that public access is not given to RDS Instance"
- AWS: [Working with a DB instance in a VPC](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "publicly_accessible",
    family: super::FAMILY,
    title: "RDS instance is publicly accessible",
    severity: Severity::High,
    checkov: &["CKV_AWS_17"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let db = &ctx.aws().database;
    let settings = db
        .instances
        .iter()
        .map(|i| (i.id, &i.publicly_accessible))
        .chain(
            db.cluster_instances
                .iter()
                .map(|i| (i.id, &i.publicly_accessible)),
        );
    for (id, attr) in settings {
        require(
            ctx,
            out,
            id,
            attr,
            |public| !public,
            "the instance gets a public IP address",
        );
    }
}
