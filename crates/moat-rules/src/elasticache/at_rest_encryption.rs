use moat_model::Severity;

use super::{engine, in_global_datastore};
use crate::registry::{require_bool, Ctx, Out, RuleDef};

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
- Seed 001, security principles: "암호화: 전송 중/저장 데이터 암호화 (TLS/SSL, KMS)"
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
    for r in ctx.of_type("aws_elasticache_replication_group") {
        if in_global_datastore(r) {
            continue;
        }
        let default = match engine(r) {
            Ok(e) => e == "valkey",
            Err(why) => {
                if r.get("at_rest_encryption_enabled")
                    .is_none_or(|n| n.is_null())
                {
                    out.unknown(r, r.loc_of("engine"), why);
                    continue;
                }
                false
            }
        };
        require_bool(
            out,
            r,
            "at_rest_encryption_enabled",
            default,
            true,
            "the cache's data is stored unencrypted on disk and in backups",
        );
    }
}
