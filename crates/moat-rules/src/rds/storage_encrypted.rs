use moat_model::Severity;

use crate::registry::{require_bool, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that `storage_encrypted` is `true` on `aws_db_instance` and `aws_rds_cluster`. The
attribute defaults to `false`. Read replicas (`replicate_source_db`) inherit the source's
encryption and are skipped.

## Why is this bad?
Unencrypted storage leaves the data, its automated backups and snapshots readable to anyone
who obtains a copy of the volume or a shared snapshot. Encryption cannot be turned on later
without a snapshot-copy-restore migration.

## Example
```hcl
resource "aws_db_instance" "db" {
  engine            = "mysql"
  instance_class    = "db.t3.medium"
  allocated_storage = 100
}
```

## Use instead
```hcl
resource "aws_db_instance" "db" {
  engine            = "mysql"
  instance_class    = "db.t3.medium"
  allocated_storage = 100
  storage_encrypted = true
  kms_key_id        = aws_kms_key.rds.arn
}
```

## References
- Seed 001, RDS checklist: "암호화 활성화" (`StorageEncrypted: true`, `KmsKeyId`)
- CIS AWS Foundations Benchmark v3.0.0, 2.3.1: "Ensure that encryption-at-rest is enabled for RDS Instances"
- AWS: [Encrypting Amazon RDS resources](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "storage_encrypted",
    family: super::FAMILY,
    title: "RDS storage is not encrypted",
    severity: Severity::High,
    checkov: &["CKV_AWS_16", "CKV_AWS_96"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for t in ["aws_db_instance", "aws_rds_cluster"] {
        for r in ctx.of_type(t) {
            if r.get("replicate_source_db").is_some_and(|n| !n.is_null()) {
                continue;
            }
            require_bool(
                out,
                r,
                "storage_encrypted",
                false,
                true,
                "the database storage, backups and snapshots are not encrypted at rest",
            );
        }
    }
}
