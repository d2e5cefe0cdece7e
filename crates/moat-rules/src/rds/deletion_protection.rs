use moat_model::Severity;

use crate::registry::{require, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that `deletion_protection` is `true` on `aws_db_instance` and `aws_rds_cluster`
(default `false`).

## Differences from Checkov
Checkov splits this property: `CKV_AWS_293` on `aws_db_instance`, `CKV_AWS_139` on
`aws_rds_cluster`. A finding claims only the ID of its own resource type.

## Why is this bad?
Without deletion protection one API call (or a `terraform destroy`, or a resource rename in
the configuration) deletes the database.

## Example
```hcl
resource "aws_rds_cluster" "db" {
  engine = "aurora-postgresql"
}
```

## Use instead
```hcl
resource "aws_rds_cluster" "db" {
  engine              = "aurora-postgresql"
  deletion_protection = true
}
```

## References
- AWS Security Hub: [RDS.7] RDS clusters should have deletion protection enabled; [RDS.8] RDS DB instances should have deletion protection enabled
- AWS: [Deletion protection](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeletionProtection)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "deletion_protection",
    family: super::FAMILY,
    title: "RDS deletion protection is not enabled",
    severity: Severity::Low,
    checkov: &["CKV_AWS_139", "CKV_AWS_293"],
    doc: DOC,
    check,
};

const WHAT: &str = "the database can be deleted by a single call";

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let db = &ctx.aws().database;
    out.claiming(&["CKV_AWS_293"], |out| {
        for i in &db.instances {
            require(ctx, out, i.id, &i.deletion_protection, |on| *on, WHAT);
        }
    });
    out.claiming(&["CKV_AWS_139"], |out| {
        for c in &db.clusters {
            require(ctx, out, c.id, &c.deletion_protection, |on| *on, WHAT);
        }
    });
}
