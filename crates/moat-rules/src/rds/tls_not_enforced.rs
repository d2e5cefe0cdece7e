use moat_model::{Node, Resolved, Resource, Severity, Value};

use crate::registry::{why, Ctx, Out, RuleDef};

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
- Seed 001, RDS checklist: "SSL/TLS 연결: 연결 암호화 필수" and "파라미터 그룹 설정: 보안 관련 파라미터 설정"
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
fn engine_param(r: &Resource, engine: &str) -> Option<Result<(&'static str, bool), String>> {
    if engine == "mysql" || engine == "mariadb" {
        return Some(Ok(("require_secure_transport", false)));
    }
    if engine.starts_with("sqlserver") {
        return Some(Ok(("rds.force_ssl", false)));
    }
    if engine != "postgres" {
        return None;
    }
    let on = match r.get("engine_version").map(|n| &n.value) {
        None | Some(Value::Null) => Ok(true),
        Some(Value::String(v)) => match v.split('.').next().and_then(|m| m.parse::<u32>().ok()) {
            Some(major) => Ok(major >= 15),
            None => Err(format!("`engine_version` `{v}` has no major version")),
        },
        Some(Value::Unknown(u)) => Err(format!("`engine_version` is unknown: {}", why(u))),
        Some(v) => Err(format!("`engine_version` is `{v}`")),
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

/// The engine of an instance, following `replicate_source_db` to the source in the estate.
fn engine<'e>(ctx: &Ctx<'e>, r: &'e Resource) -> Result<&'e str, String> {
    match r.get("engine").map(|n| &n.value) {
        Some(Value::String(s)) => Ok(s.as_str()),
        Some(Value::Unknown(u)) => Err(format!("`engine` is unknown: {}", why(u))),
        _ => match r.get("replicate_source_db") {
            Some(n) if !n.is_null() => {
                match ctx.estate.resolve(n, &["aws_db_instance"], &["identifier"]) {
                    Resolved::Resource(id) => match ctx.resource(id) {
                        Some(src) if src.address != r.address => engine(ctx, src),
                        _ => Err("the replica's source is not readable".to_string()),
                    },
                    _ => Err(
                        "`engine` comes from a source database that is not in the scanned files"
                            .to_string(),
                    ),
                }
            }
            _ => Err("`engine` is not set (restored from a snapshot?)".to_string()),
        },
    }
}

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for r in ctx.of_type("aws_db_instance") {
        let engine = match engine(ctx, r) {
            Ok(e) => e,
            Err(why) => {
                out.unknown(r, r.loc_of("engine"), why);
                continue;
            }
        };
        let (param, default_on) = match engine_param(r, engine) {
            None => continue,
            Some(Ok(p)) => p,
            Some(Err(why)) => {
                out.unknown(r, r.loc_of("engine_version"), why);
                continue;
            }
        };
        let group_node = r.get("parameter_group_name").filter(|n| !n.is_null());
        let group = match group_node {
            None => None,
            Some(n) => match ctx
                .estate
                .resolve(n, &["aws_db_parameter_group"], &["name"])
            {
                Resolved::Resource(id) => ctx.resource(id),
                Resolved::External(s) if s.starts_with("default.") => None,
                Resolved::External(s) => {
                    out.unknown(
                        r,
                        r.loc_of("parameter_group_name"),
                        format!("parameter group `{s}` is not in the scanned files: `{param}` cannot be read"),
                    );
                    continue;
                }
                Resolved::Absent => None,
                Resolved::Unknown(u) => {
                    out.unknown(
                        r,
                        r.loc_of("parameter_group_name"),
                        format!("`parameter_group_name` is unknown: {}", why(&u)),
                    );
                    continue;
                }
            },
        };
        let set: Option<&Node> = group.and_then(|g| {
            g.blocks("parameter")
                .into_iter()
                .find(|p| p.get("name").and_then(Node::as_str) == Some(param))
                .and_then(|p| p.get("value"))
        });
        let loc = r.loc_of(if group_node.is_some() {
            "parameter_group_name"
        } else {
            "engine"
        });
        let place = match (group, group_node.and_then(Node::as_str)) {
            (Some(g), _) => format!("`{}`", g.address),
            (None, Some(name)) => format!("the default parameter group `{name}`"),
            (None, None) => "the default parameter group".to_string(),
        };
        // Checkov's check reads a parameter group connected by reference. The reference
        // (`aws_db_parameter_group.x.name`) evaluates to the configured name, so it is read
        // from the text of the attribute.
        let referenced = group.is_some()
            && group_node
                .and_then(|n| n.loc.as_ref())
                .and_then(|l| ctx.estate.source_line(&l.file, l.line))
                .is_some_and(|t| t.contains("aws_db_parameter_group."));
        let ids: &[&'static str] = if referenced { &["CKV2_AWS_69"] } else { &[] };
        out.claiming(ids, |out| match set.map(|n| (&n.value, n)) {
            None if default_on => {}
            None => out.fail(
                r,
                loc,
                format!("{place} does not set `{param}` (default off for `{engine}`): clients may connect without TLS"),
            ),
            Some((Value::Unknown(u), _)) => out.unknown(
                r,
                loc,
                format!("`{param}` in {place} is unknown: {}", why(u)),
            ),
            Some((_, n)) => {
                let v = n.to_string();
                let v = v.trim_matches('"');
                if !is_on(param, v) {
                    out.fail(
                        r,
                        loc,
                        format!("`{param}` is `{v}` in {place}: clients may connect without TLS"),
                    );
                }
            }
        });
    }
}
