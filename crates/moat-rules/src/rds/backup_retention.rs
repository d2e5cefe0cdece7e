use moat_model::Severity;

use crate::registry::{require, Ctx, Out, RuleDef};

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
- AWS Security Hub: [RDS.11] RDS instances should have automatic backups enabled
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
    for i in &ctx.aws().database.instances {
        require(
            ctx,
            out,
            i.id,
            &i.backup_retention_period,
            |days| *days != 0,
            "automated backups and point-in-time recovery are off",
        );
    }
}
