use moat_model::Severity;

use crate::registry::{require_bool, why, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that `storage_encrypted` is `true` on `aws_db_instance` and `aws_rds_cluster`. The
attribute defaults to `false`, except on an Aurora Serverless v1 cluster
(`engine_mode = "serverless"`), which is always encrypted. Read replicas
(`replicate_source_db`) inherit the source's encryption and are skipped.

## Differences from Checkov
Checkov splits this property: `CKV_AWS_16` on `aws_db_instance`, `CKV_AWS_96` on
`aws_rds_cluster`. A finding claims only the ID of its own resource type. Checkov passes every
Aurora Serverless v1 cluster whatever `storage_encrypted` says; moat reports an explicit
`storage_encrypted = false` there, without claiming a Checkov equivalent.

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
    for (t, id) in [
        ("aws_db_instance", "CKV_AWS_16"),
        ("aws_rds_cluster", "CKV_AWS_96"),
    ] {
        for r in ctx.of_type(t) {
            if r.get("replicate_source_db").is_some_and(|n| !n.is_null()) {
                continue;
            }
            let default = match r.get("engine_mode").filter(|n| !n.is_null()) {
                None => false,
                Some(n) => match n.as_str() {
                    Some(mode) => t == "aws_rds_cluster" && mode == "serverless",
                    None => {
                        // An unknown mode decides the default only when the attribute is unset.
                        if r.get("storage_encrypted").is_none_or(|v| v.is_null()) {
                            let loc = n.loc.as_ref().unwrap_or(&r.loc);
                            let why = n.unknown_reason().map(why).unwrap_or_default();
                            out.unknown(
                                r,
                                loc,
                                format!(
                                    "`storage_encrypted` is not set and `engine_mode` is unknown: {why}"
                                ),
                            );
                            continue;
                        }
                        false
                    }
                },
            };
            // Checkov passes every serverless cluster: no claim for an explicit `false` there.
            let ids: &[&'static str] = if default { &[] } else { &[id] };
            out.claiming(ids, |out| {
                require_bool(
                    out,
                    r,
                    "storage_encrypted",
                    default,
                    true,
                    "the database storage, backups and snapshots are not encrypted at rest",
                );
            });
        }
    }
}
