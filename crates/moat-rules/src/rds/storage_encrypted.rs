use moat_model::Severity;

use crate::registry::{require, Ctx, Out, RuleDef};

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
- AWS Security Hub: [RDS.3] RDS DB instances should have encryption at-rest enabled
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

const WHAT: &str = "the database storage, backups and snapshots are not encrypted at rest";

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let db = &ctx.aws().database;
    out.claiming(&["CKV_AWS_16"], |out| {
        // A read replica takes its encryption from its source.
        for i in db.instances.iter().filter(|i| i.replicate_source.is_none()) {
            require(ctx, out, i.id, &i.storage_encrypted, |on| *on, WHAT);
        }
    });
    for c in db.clusters.iter().filter(|c| !c.is_replica) {
        let attr = &c.storage_encrypted;
        // The default depends on the engine mode: an undecided mode decides nothing.
        if attr.is_default() {
            if let Some(why) = c.engine_mode.why_undecided() {
                if let Some(r) = ctx.resource(c.id) {
                    out.unknown(
                        r,
                        &c.engine_mode.loc,
                        format!(
                            "`{}` is not set and `{}` is unknown: {why}",
                            attr.path, c.engine_mode.path
                        ),
                    );
                }
                continue;
            }
        }
        // Checkov passes every serverless cluster: no claim for an explicit `false` there.
        let serverless = c.engine_mode.get().is_some_and(|m| m == "serverless");
        let ids: &[&'static str] = if serverless { &[] } else { &["CKV_AWS_96"] };
        out.claiming(ids, |out| {
            require(ctx, out, c.id, attr, |on| *on, WHAT);
        });
    }
}
