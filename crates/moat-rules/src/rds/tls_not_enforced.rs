use moat_model::aws::database::{DbInstance, GroupTarget};
use moat_model::aws::network::Ref;
use moat_model::aws::{Attr, AttrValue};
use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every `aws_db_instance` refuses unencrypted connections, through its DB parameter
group: `rds.force_ssl = 1` for PostgreSQL and SQL Server, `require_secure_transport = 1` (or
`ON`) for MySQL and MariaDB. A parameter the group does not set, or an instance without
`parameter_group_name` (the engine's `default.*` group), has the engine default: off for MySQL,
MariaDB and SQL Server; for PostgreSQL on from major version 15 (off before), and an instance
without `engine_version` gets the current default version, which is 15 or later. Oracle and
Db2 use other mechanisms (option groups, `db2comm`) and are not checked here, nor are Aurora
clusters (`aws_rds_cluster_parameter_group`). A parameter group that is not in the scanned
files, other than a `default.*` one, is reported as unknown.

## Differences from Checkov
`CKV2_AWS_69` passes an instance with no `aws_db_parameter_group` connected, although the
engine's default group does not force TLS for MySQL, MariaDB, SQL Server or PostgreSQL before
15; moat reports those without claiming the Checkov check. Checkov accepts only the value `1`
(moat also accepts `ON` for MySQL and MariaDB) and fails a PostgreSQL 15+ group that leaves
`rds.force_ssl` at its default of `1`. Findings on a referenced parameter group claim
`CKV2_AWS_69`.

## Why is this bad?
Unless the server requires TLS, a client that does not ask for it (a default driver setting,
a misconfigured job) sends credentials and query results in clear text across the network.

## Example
```hcl
resource "aws_db_instance" "app" {
  engine               = "mysql"
  instance_class       = "db.t3.medium"
  parameter_group_name = aws_db_parameter_group.app.name
}

resource "aws_db_parameter_group" "app" {
  family = "mysql8.0"
}
```

## Use instead
```hcl
resource "aws_db_parameter_group" "app" {
  family = "mysql8.0"
  parameter {
    name  = "require_secure_transport"
    value = "1"
  }
}
```

## References
- AWS: [Using SSL/TLS to encrypt a connection to a DB instance](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html)
- AWS: [Requiring an SSL/TLS connection to an RDS for PostgreSQL DB instance](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "tls_not_enforced",
    family: super::FAMILY,
    title: "RDS instance does not require TLS",
    severity: Severity::Medium,
    checkov: &["CKV2_AWS_69"],
    doc: DOC,
    check,
};

/// The parameter that forces TLS for an engine, and whether the engine default forces it.
/// `None` when the engine is not checked; `Err` when the default cannot be decided.
fn engine_param(
    version: Option<&Attr<String>>,
    engine: &str,
) -> Option<Result<(&'static str, bool), String>> {
    if engine == "mysql" || engine == "mariadb" {
        return Some(Ok(("require_secure_transport", false)));
    }
    if engine.starts_with("sqlserver") {
        return Some(Ok(("rds.force_ssl", false)));
    }
    if engine != "postgres" {
        return None;
    }
    let on = match version.map(|a| (a, &a.value)) {
        None => Ok(true),
        Some((a, AttrValue::Known(v) | AttrValue::Default(v))) => {
            match v.split('.').next().and_then(|m| m.parse::<u32>().ok()) {
                Some(major) => Ok(major >= 15),
                None => Err(format!("`{}` `{v}` has no major version", a.path)),
            }
        }
        Some((a, AttrValue::Unknown(_))) => Err(a.describe()),
        Some((a, AttrValue::Invalid { written, .. })) => {
            Err(format!("`{}` is `{written}`", a.path))
        }
    };
    Some(on.map(|on| ("rds.force_ssl", on)))
}

fn is_on(param: &str, v: &str) -> bool {
    if param == "require_secure_transport" {
        matches!(v.to_ascii_lowercase().as_str(), "1" | "on" | "true")
    } else {
        v == "1"
    }
}

/// The engine of an instance, following the source of a read replica in the estate.
fn engine<'e>(ctx: &Ctx<'e>, i: &'e DbInstance, depth: usize) -> Result<&'e str, String> {
    match i.engine.as_ref().map(|a| (a, &a.value)) {
        Some((_, AttrValue::Known(s) | AttrValue::Default(s))) => Ok(s.as_str()),
        Some((a, AttrValue::Unknown(_))) => Err(a.describe()),
        _ => match &i.replicate_source {
            Some(Ref::Res(src)) => match ctx.aws().database.instance(*src) {
                // A chain of replicas is short; a cycle is not readable.
                Some(s) if s.id != i.id && depth < 16 => engine(ctx, s, depth + 1),
                _ => Err("the replica's source is not readable".to_string()),
            },
            Some(_) => Err(format!(
                "`{}` comes from a source database that is not in the scanned files",
                ctx.aws().terms.db_engine
            )),
            None => Err(format!(
                "`{}` is not set (restored from a snapshot?)",
                ctx.aws().terms.db_engine
            )),
        },
    }
}

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let db = &ctx.aws().database;
    for i in &db.instances {
        let Some(r) = ctx.resource(i.id) else {
            continue;
        };
        let engine_loc = i.engine.as_ref().map_or(&r.loc, |a| &a.loc);
        let engine = match engine(ctx, i, 0) {
            Ok(e) => e,
            Err(why) => {
                out.unknown(r, engine_loc, why);
                continue;
            }
        };
        let (param, default_on) = match engine_param(i.engine_version.as_ref(), engine) {
            None => continue,
            Some(Ok(p)) => p,
            Some(Err(why)) => {
                let loc = i.engine_version.as_ref().map_or(&r.loc, |a| &a.loc);
                out.unknown(r, loc, why);
                continue;
            }
        };
        let mut referenced = false;
        let (group, place, loc) = match &i.parameter_group {
            None => (None, "the default parameter group".to_string(), engine_loc),
            Some(g) => match &g.target {
                GroupTarget::Managed { id, by_reference } => {
                    // Checkov's check reads a parameter group connected by reference.
                    referenced = *by_reference;
                    let name = ctx.resource(*id).map(|x| x.address.as_str()).unwrap_or("");
                    (db.parameter_group(*id), format!("`{name}`"), &g.loc)
                }
                GroupTarget::AwsDefault(name) => (
                    None,
                    format!("the default parameter group `{name}`"),
                    &g.loc,
                ),
                GroupTarget::External(s) => {
                    out.unknown(
                        r,
                        &g.loc,
                        format!("parameter group `{s}` is not in the scanned files: `{param}` cannot be read"),
                    );
                    continue;
                }
                GroupTarget::Unknown(u) => {
                    out.unknown(r, &g.loc, format!("`{}` is unknown: {u}", g.path));
                    continue;
                }
            },
        };
        let set = group.and_then(|g| g.parameter(param));
        let ids: &[&'static str] = if referenced { &["CKV2_AWS_69"] } else { &[] };
        out.claiming(ids, |out| {
            let v = match set.map(|a| &a.value) {
                None if default_on => return,
                None => {
                    out.fail(
                        r,
                        loc,
                        format!("{place} does not set `{param}` (default off for `{engine}`): clients may connect without TLS"),
                    );
                    return;
                }
                Some(AttrValue::Unknown(u)) => {
                    out.unknown(r, loc, format!("`{param}` in {place} is unknown: {u}"));
                    return;
                }
                Some(AttrValue::Known(v) | AttrValue::Default(v)) => v.as_str(),
                Some(AttrValue::Invalid { written, .. }) => written.as_str(),
            };
            let v = v.trim_matches('"');
            if !is_on(param, v) {
                out.fail(
                    r,
                    loc,
                    format!("`{param}` is `{v}` in {place}: clients may connect without TLS"),
                );
            }
        });
    }
}
