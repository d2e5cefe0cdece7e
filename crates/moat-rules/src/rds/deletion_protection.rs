use moat_model::Severity;

use crate::registry::{require_bool, Ctx, Out, RuleDef};

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
- Seed 001, RDS checklist: "자동 백업 활성화", "스냅샷"
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

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for (t, id) in [
        ("aws_db_instance", "CKV_AWS_293"),
        ("aws_rds_cluster", "CKV_AWS_139"),
    ] {
        for r in ctx.of_type(t) {
            out.claiming(&[id], |out| {
                require_bool(
                    out,
                    r,
                    "deletion_protection",
                    false,
                    true,
                    "the database can be deleted by a single call",
                )
            });
        }
    }
}
