use moat_model::{Severity, Value};

use crate::registry::{why, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that automated backups are not disabled on `aws_db_instance`: `backup_retention_period`
must not be `0`. When the attribute is not set, RDS keeps backups for 1 day.

## Why is this bad?
With retention 0 there are no automated backups and no point-in-time recovery: a bad
migration, a deletion or ransomware cannot be undone.

## Example
```hcl
resource "aws_db_instance" "db" {
  backup_retention_period = 0
}
```

## Use instead
```hcl
resource "aws_db_instance" "db" {
  backup_retention_period = 7
  backup_window           = "03:00-04:00"
}
```

## References
- Seed 001, RDS checklist: "자동 백업 활성화" (`BackupRetentionPeriod: 7`)
- AWS: [Introduction to backups](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "backup_retention",
    family: super::FAMILY,
    title: "RDS automated backups are disabled",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_133"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for r in ctx.of_type("aws_db_instance") {
        let Some(n) = r.get("backup_retention_period") else {
            continue;
        };
        let loc = r.loc_of("backup_retention_period");
        match (&n.value, n.as_i64()) {
            (Value::Unknown(u), _) => out.unknown(
                r,
                loc,
                format!("`backup_retention_period` is unknown: {}", why(u)),
            ),
            (_, Some(0)) => out.fail(
                r,
                loc,
                "`backup_retention_period` is `0`: automated backups and point-in-time recovery are off",
            ),
            _ => {}
        }
    }
}
