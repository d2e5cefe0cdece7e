use moat_model::{Severity, Value};

use super::in_global_datastore;
use crate::registry::{bool_attr, why, BoolAttr, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every `aws_elasticache_replication_group` requires TLS:
`transit_encryption_enabled = true` (default `false`) and `transit_encryption_mode` not
`"preferred"` (which accepts clear-text clients as well, during a migration). Members of a
global datastore (`global_replication_group_id`) take the setting from it and are skipped.

## Differences from Checkov
`CKV_AWS_30` only reads `transit_encryption_enabled`: a group in `preferred` mode passes it.
moat reports that case without claiming the Checkov check. Checkov also fails global datastore
members, whose setting comes from the global datastore.

## Why is this bad?
Without TLS, everything sent to the cache (session tokens, cached query results, the `AUTH`
token itself) crosses the network in clear text.

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
  transit_encryption_enabled = true
}
```

## References
- Seed 001, security principles: "암호화: 전송 중/저장 데이터 암호화 (TLS/SSL, KMS)"
- AWS: [ElastiCache in-transit encryption (TLS)](https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "transit_encryption",
    family: super::FAMILY,
    title: "ElastiCache replication group does not require TLS",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_30"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for r in ctx.of_type("aws_elasticache_replication_group") {
        if in_global_datastore(r) {
            continue;
        }
        match bool_attr(r, "transit_encryption_enabled", false) {
            BoolAttr::Value(false, loc) => {
                let how = if r
                    .get("transit_encryption_enabled")
                    .is_some_and(|n| !n.is_null())
                {
                    "`transit_encryption_enabled` is `false`"
                } else {
                    "`transit_encryption_enabled` is not set (default `false`)"
                };
                out.fail(
                    r,
                    loc,
                    format!("{how}: clients talk to the cache in clear text"),
                );
            }
            BoolAttr::Value(true, _) => {
                let loc = r.loc_of("transit_encryption_mode");
                match r.get("transit_encryption_mode").map(|n| &n.value) {
                    Some(Value::String(m)) if m == "preferred" => out.claiming(&[], |out| {
                        out.fail(
                            r,
                            loc,
                            "`transit_encryption_mode` is `preferred`: clients may still connect without TLS",
                        )
                    }),
                    Some(Value::Unknown(u)) => out.unknown(
                        r,
                        loc,
                        format!("`transit_encryption_mode` is unknown: {}", why(u)),
                    ),
                    _ => {}
                }
            }
            BoolAttr::Unknown(u, loc) => out.unknown(
                r,
                loc,
                format!("`transit_encryption_enabled` is unknown: {}", why(u)),
            ),
            BoolAttr::Invalid(n, loc) => out.unknown(
                r,
                loc,
                format!("`transit_encryption_enabled` is `{n}`, not a bool"),
            ),
        }
    }
}
