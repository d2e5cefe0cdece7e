//! The Terraform adapter of the database family: written values, the provider's defaults,
//! unresolved variables and invalid values, parameter groups and replicas.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[allow(unused_imports)] // each family uses some of them
use super::{id, load, load_hcl};

use moat_model::aws::database::{DbInstance, GroupTarget};
use moat_model::aws::network::Ref;
use moat_model::aws::{Attr, AttrValue};
use moat_model::{Estate, Unknown};

fn db<'e>(e: &'e Estate, address: &str) -> &'e DbInstance {
    e.aws
        .database
        .instance(e.by_address(address).unwrap())
        .unwrap()
}

fn assert_at<T: std::fmt::Debug + PartialEq>(
    a: &Attr<T>,
    value: AttrValue<T>,
    path: &str,
    line: u32,
) {
    assert_eq!(a.value, value, "{a:?}");
    assert_eq!(a.path, path);
    assert_eq!(a.loc.line, line, "{a:?}");
}

const HCL: &str = r#"variable "public" {}

resource "aws_db_instance" "main" {
  engine                  = "postgres"
  engine_version          = "14.7"
  publicly_accessible     = var.public
  backup_retention_period = 0
  storage_encrypted       = "yes"
  parameter_group_name    = aws_db_parameter_group.pg.name
}

resource "aws_db_parameter_group" "pg" {
  name   = "pg"
  family = "postgres14"
  parameter {
    name  = "rds.force_ssl"
    value = 1
  }
}

resource "aws_db_instance" "replica" {
  replicate_source_db  = aws_db_instance.main.identifier
  parameter_group_name = "default.postgres14"
}

resource "aws_rds_cluster" "serverless" {
  engine_mode = "serverless"
}

resource "aws_rds_cluster" "provisioned" {
  deletion_protection = true
}

resource "aws_elasticache_replication_group" "valkey" {
  engine                     = "valkey"
  transit_encryption_enabled = true
  transit_encryption_mode    = "preferred"
}

resource "aws_elasticache_replication_group" "redis" {
  global_replication_group_id = "global"
}
"#;

#[test]
fn db_instances() {
    let e = load(HCL);
    let m = db(&e, "aws_db_instance.main");
    assert_at(
        m.engine.as_ref().unwrap(),
        AttrValue::Known("postgres".into()),
        "engine",
        4,
    );
    assert_at(
        &m.publicly_accessible,
        AttrValue::Unknown(Unknown::Variable {
            name: "public".into(),
        }),
        "publicly_accessible",
        6,
    );
    assert_at(
        &m.backup_retention_period,
        AttrValue::Known(0),
        "backup_retention_period",
        7,
    );
    assert_at(
        &m.storage_encrypted,
        AttrValue::Invalid {
            written: "yes".into(),
            expected: "a bool",
        },
        "storage_encrypted",
        8,
    );
    // Not written: the provider's defaults, at the resource.
    assert_at(
        &m.deletion_protection,
        AttrValue::Default(false),
        "deletion_protection",
        3,
    );
    assert!(m.replicate_source.is_none());
    // A reference to a group of the estate, which Checkov follows.
    let g = m.parameter_group.as_ref().unwrap();
    assert_eq!(g.loc.line, 9);
    let GroupTarget::Managed { id, by_reference } = &g.target else {
        panic!("{g:?}");
    };
    assert!(*by_reference);
    let group = e.aws.database.parameter_group(*id).unwrap();
    assert_at(
        group.parameter("rds.force_ssl").unwrap(),
        AttrValue::Known("1".into()),
        "parameter.value",
        17,
    );
    assert!(group.parameter("log_connections").is_none());

    let r = db(&e, "aws_db_instance.replica");
    assert!(r.engine.is_none());
    assert!(r.engine_version.is_none());
    assert_eq!(
        r.replicate_source,
        Some(Ref::Res(e.by_address("aws_db_instance.main").unwrap()))
    );
    assert_at(
        &r.backup_retention_period,
        AttrValue::Default(1),
        "backup_retention_period",
        21,
    );
    assert!(matches!(
        &r.parameter_group.as_ref().unwrap().target,
        GroupTarget::AwsDefault(n) if n == "default.postgres14"
    ));
}

#[test]
fn clusters_and_cache_groups() {
    let e = load(HCL);
    let cluster = |a: &str| {
        let id = e.by_address(a).unwrap();
        e.aws.database.clusters.iter().find(|c| c.id == id).unwrap()
    };
    let s = cluster("aws_rds_cluster.serverless");
    assert_at(
        &s.engine_mode,
        AttrValue::Known("serverless".into()),
        "engine_mode",
        27,
    );
    // Serverless v1 clusters are always encrypted.
    assert_at(
        &s.storage_encrypted,
        AttrValue::Default(true),
        "storage_encrypted",
        26,
    );
    let p = cluster("aws_rds_cluster.provisioned");
    assert_at(
        &p.engine_mode,
        AttrValue::Default("provisioned".into()),
        "engine_mode",
        30,
    );
    assert_at(
        &p.storage_encrypted,
        AttrValue::Default(false),
        "storage_encrypted",
        30,
    );
    assert_at(
        &p.deletion_protection,
        AttrValue::Known(true),
        "deletion_protection",
        31,
    );

    let groups = &e.aws.database.cache_replication_groups;
    assert_eq!(groups.len(), 2);
    let (redis, valkey) = (&groups[0], &groups[1]);
    assert_eq!(
        e.get(valkey.id).unwrap().address,
        "aws_elasticache_replication_group.valkey"
    );
    // The at-rest default follows the engine.
    assert_at(
        &valkey.at_rest_encryption_enabled,
        AttrValue::Default(true),
        "at_rest_encryption_enabled",
        34,
    );
    assert_at(
        valkey.transit_encryption_mode.as_ref().unwrap(),
        AttrValue::Known("preferred".into()),
        "transit_encryption_mode",
        37,
    );
    assert!(!valkey.in_global_datastore);
    assert_at(
        &redis.engine,
        AttrValue::Default("redis".into()),
        "engine",
        40,
    );
    assert_at(
        &redis.at_rest_encryption_enabled,
        AttrValue::Default(false),
        "at_rest_encryption_enabled",
        40,
    );
    assert!(redis.in_global_datastore);
    assert!(redis.transit_encryption_mode.is_none());
}
