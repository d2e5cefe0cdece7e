use moat_model::Severity;

use super::{ports, sources, world_ingress, Open};
use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks every security-group ingress rule for a database or cache port open to `0.0.0.0/0` or
`::/0`: MySQL/Aurora 3306, PostgreSQL 5432, SQL Server 1433, Oracle 1521, Redshift 5439,
Redis 6379, Memcached 11211, MongoDB/DocumentDB 27017, OpenSearch 9200. Rules that open every
port are reported by SG003 instead.

## Why is this bad?
Databases belong in private subnets, reachable only from the application tier's security
group (an application SG -> load balancer -> database SG chain).

## Example
```hcl
  ingress {
    protocol    = "tcp"
    from_port   = 3306
    to_port     = 3306
    cidr_blocks = ["0.0.0.0/0"]
  }
```

## Use instead
```hcl
  ingress {
    protocol        = "tcp"
    from_port       = 3306
    to_port         = 3306
    security_groups = [aws_security_group.app.id]
  }
```

## References
- AWS: [Working with a DB instance in a VPC](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html)
- AWS: [Controlling access with security groups (RDS)](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.RDSSecurityGroups.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "db_port_open_to_internet",
    family: super::FAMILY,
    title: "Security group allows a database port from the internet",
    severity: Severity::High,
    checkov: &[],
    doc: DOC,
    check,
};

const DB_PORTS: [(u16, &str); 9] = [
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (3306, "MySQL"),
    (5432, "PostgreSQL"),
    (5439, "Redshift"),
    (6379, "Redis"),
    (9200, "OpenSearch"),
    (11211, "Memcached"),
    (27017, "MongoDB"),
];

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for sg in &ctx.net().security_groups {
        for rule in sg.ingress() {
            let Some(r) = ctx.resource(rule.declared_by) else {
                continue;
            };
            if rule.ports.is_some_and(|p| p.is_all()) {
                continue;
            }
            let mut open = Vec::new();
            let mut unknown = None;
            for (port, name) in DB_PORTS {
                match world_ingress(rule, port) {
                    Open::Yes => open.push(format!("{name} {port}")),
                    Open::Unknown(u) => unknown = Some(u),
                    Open::No => {}
                }
            }
            if !open.is_empty() {
                out.fail(
                    r,
                    &rule.loc,
                    format!(
                        "ingress `{}` from `{}` exposes {} of `{}` to the internet",
                        ports(rule),
                        sources(rule),
                        open.join(", "),
                        sg.address
                    ),
                );
            } else if let Some(u) = unknown {
                out.unknown(
                    r,
                    &rule.loc,
                    format!(
                        "ingress rule of `{}` may expose a database port to the internet: {u}",
                        sg.address
                    ),
                );
            }
        }
    }
}
