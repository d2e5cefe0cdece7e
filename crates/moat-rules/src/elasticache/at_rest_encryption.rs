use moat_model::aws::AttrValue;
use moat_model::Severity;

use crate::registry::{require, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that `at_rest_encryption_enabled` is `true` on every
`aws_elasticache_replication_group`. The AWS provider's default depends on the engine: `false`
for `redis` (the default engine), `true` for `valkey`. Members of a global datastore
(`global_replication_group_id`) take the setting from it and are skipped.

## Differences from Checkov
`CKV_AWS_29` also fails a `valkey` group that leaves the argument unset, which the provider
encrypts by default; moat passes it. Checkov also fails global datastore members, whose
setting comes from the global datastore.

## Why is this bad?
Without encryption at rest, the cache's data on disk (swap, backups, snapshots exported to S3)
is readable to anyone who obtains a copy. Caches often hold sessions and tokens.

## Example
```hcl
resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id = "sessions"
  description          = "sessions"
  node_type            = "cache.t4g.small"
}
```

## Use instead
```hcl
resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id       = "sessions"
  description                = "sessions"
  node_type                  = "cache.t4g.small"
  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.cache.arn
}
```

## References
- AWS Security Hub: [ElastiCache.4] ElastiCache replication groups should be encrypted at rest
- AWS: [At-rest encryption in ElastiCache](https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/at-rest-encryption.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "at_rest_encryption",
    family: super::FAMILY,
    title: "ElastiCache replication group is not encrypted at rest",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_29"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    // Members of a global datastore take their encryption settings from it.
    for g in ctx
        .aws()
        .database
        .cache_replication_groups
        .iter()
        .filter(|g| !g.in_global_datastore)
    {
        let attr = &g.at_rest_encryption_enabled;
        // The default depends on the engine: an undecided engine decides nothing.
        if attr.is_default() {
            let engine = &g.engine;
            let why = match &engine.value {
                AttrValue::Unknown(_) => Some(engine.describe()),
                AttrValue::Invalid { written, .. } => {
                    Some(format!("`{}` is `{written}`", engine.path))
                }
                AttrValue::Known(_) | AttrValue::Default(_) => None,
            };
            if let (Some(why), Some(r)) = (why, ctx.resource(g.id)) {
                out.unknown(r, &engine.loc, why);
                continue;
            }
        }
        require(
            ctx,
            out,
            g.id,
            attr,
            |on| *on,
            "the cache's data is stored unencrypted on disk and in backups",
        );
    }
}
