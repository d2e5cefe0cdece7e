use moat_model::aws::AttrValue;
use moat_model::Severity;

use crate::registry::{require, Ctx, Out, RuleDef};

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
- AWS Security Hub: [ElastiCache.5] ElastiCache replication groups should be encrypted in transit
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
    // Members of a global datastore take their encryption settings from it.
    for g in ctx
        .aws()
        .database
        .cache_replication_groups
        .iter()
        .filter(|g| !g.in_global_datastore)
    {
        let enabled = &g.transit_encryption_enabled;
        require(
            ctx,
            out,
            g.id,
            enabled,
            |on| *on,
            "clients talk to the cache in clear text",
        );
        if enabled.get() != Some(&true) {
            continue;
        }
        let (Some(mode), Some(r)) = (&g.transit_encryption_mode, ctx.resource(g.id)) else {
            continue;
        };
        match &mode.value {
            AttrValue::Known(m) if m == "preferred" => out.claiming(&[], |out| {
                out.fail(
                    r,
                    &mode.loc,
                    format!("{}: clients may still connect without TLS", mode.describe()),
                )
            }),
            AttrValue::Unknown(_) => out.unknown(r, &mode.loc, mode.describe()),
            _ => {}
        }
    }
}
