//! The CloudFormation adapter of the database family ([`moat_model::aws::database`]):
//! `AWS::RDS::DBInstance` (stand-alone, or a member of a cluster when it names
//! `DBClusterIdentifier`), `AWS::RDS::DBCluster`, `AWS::RDS::DBParameterGroup` and
//! `AWS::ElastiCache::ReplicationGroup`.
//!
//! Defaults applied here are the RDS and ElastiCache APIs', which CloudFormation passes on:
//! - `PubliclyAccessible` not set: the instance is public when the VPC of its subnets has an
//!   internet gateway attached, private otherwise; without `DBSubnetGroupName` that VPC is the
//!   region's default VPC, which the template does not describe, so the setting is unknown
//!   ([CreateDBInstance](https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html)).
//!   With a subnet group of the template, the adapter follows its subnets to their VPC and looks
//!   for an `AWS::EC2::VPCGatewayAttachment` of an internet gateway; a VPC or subnet outside the
//!   template leaves it unknown.
//! - `BackupRetentionPeriod` is 1 day; `DeletionProtection` and `StorageEncrypted` are `false`
//!   ([AWS::RDS::DBInstance](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html)).
//!   An instance restored from a snapshot (`DBSnapshotIdentifier`), or a cluster restored from
//!   one (`SnapshotIdentifier`), inherits the snapshot's encryption: unknown when not written.
//! - A cluster's `EngineMode` is `provisioned`; a `serverless` (v1) cluster is always
//!   encrypted. A cluster that replicates or clones another (`ReplicationSourceIdentifier`,
//!   `SourceDBClusterIdentifier`) takes its encryption from it.
//! - A replication group's `Engine` is `redis`; `AtRestEncryptionEnabled` is `false` except
//!   for `valkey`; `TransitEncryptionEnabled` is `false`
//!   ([AWS::ElastiCache::ReplicationGroup](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticache-replicationgroup.html)).

use std::collections::BTreeSet;

use moat_model::aws::database::{
    CacheReplicationGroup, ClusterInstance, Database, DbCluster, DbInstance, DbParameterGroup,
    GroupTarget, ParameterGroupRef,
};
use moat_model::aws::network::Ref;
use moat_model::aws::{Attr, AttrValue};
use moat_model::{Estate, Loc, Node, Resolved, Resource, ResourceId, Unknown, Value};

use super::compute::bool_of;
use super::setting::{node_setting, read, read_opt, text, written};

const DB_INSTANCE: &str = "AWS::RDS::DBInstance";
const DB_CLUSTER: &str = "AWS::RDS::DBCluster";
const PARAMETER_GROUP: &str = "AWS::RDS::DBParameterGroup";
const SUBNET_GROUP: &str = "AWS::RDS::DBSubnetGroup";
const PUBLIC: &str = "PubliclyAccessible";

fn string(r: &Resource, id: ResourceId, path: &'static str) -> Option<Attr<String>> {
    read_opt(r, id, path, path, "a string", text)
}

fn flag(r: &Resource, id: ResourceId, path: &'static str, default: bool) -> Attr<bool> {
    read(r, id, path, path, default, "a bool", bool_of)
}

fn loc_or(n: &Node, r: &Resource) -> Loc {
    n.loc.clone().unwrap_or_else(|| r.loc.clone())
}

/// Whether the VPC of the subnets of a DB subnet group has an internet gateway attached:
/// `Ok(true)`/`Ok(false)` when the template decides it, `Err(why)` otherwise.
fn subnet_group_has_igw(e: &Estate, group: &Node) -> Result<bool, String> {
    let g = match e.resolve(group, &[SUBNET_GROUP], &["DBSubnetGroupName"]) {
        Resolved::Resource(id) => e
            .get(id)
            .filter(|g| g.rtype == SUBNET_GROUP)
            .ok_or_else(|| "`DBSubnetGroupName` does not name an `AWS::RDS::DBSubnetGroup`".to_string())?,
        Resolved::External(s) if s.eq_ignore_ascii_case("default") => {
            return Err("the subnet group `default` is in the region's default VPC, which the template does not describe".to_string())
        }
        Resolved::External(s) => {
            return Err(format!(
                "subnet group `{s}` is not in the scanned files"
            ))
        }
        Resolved::Unknown(u) => return Err(format!("`DBSubnetGroupName` is unknown: {u}")),
        Resolved::Absent => return Err("`DBSubnetGroupName` is not set".to_string()),
    };
    let subnets = written(g, "SubnetIds").ok_or("the subnet group lists no `SubnetIds`")?;
    let list = match &subnets.value {
        Value::List(l) => l,
        Value::Unknown(u) => {
            return Err(format!("the subnet group's `SubnetIds` are unknown: {u}"))
        }
        _ => return Err("the subnet group's `SubnetIds` is not a list".to_string()),
    };
    let mut vpcs = BTreeSet::new();
    for s in list {
        let subnet = match e.resolve(s, &["AWS::EC2::Subnet"], &[]) {
            Resolved::Resource(id) => e
                .get(id)
                .filter(|x| x.rtype == "AWS::EC2::Subnet")
                .ok_or("a subnet of the subnet group is not an `AWS::EC2::Subnet`")?,
            Resolved::External(s) => {
                return Err(format!("subnet `{s}` is not in the scanned files"))
            }
            Resolved::Unknown(u) => {
                return Err(format!("a subnet of the subnet group is unknown: {u}"))
            }
            Resolved::Absent => continue,
        };
        let vpc = written(subnet, "VpcId").ok_or("a subnet names no `VpcId`")?;
        match e.resolve(vpc, &["AWS::EC2::VPC"], &[]) {
            Resolved::Resource(id) => {
                vpcs.insert(id);
            }
            Resolved::External(v) => return Err(format!("VPC `{v}` is not in the scanned files")),
            Resolved::Unknown(u) => return Err(format!("the subnets' VPC is unknown: {u}")),
            Resolved::Absent => return Err("a subnet names no `VpcId`".to_string()),
        }
    }
    if vpcs.is_empty() {
        return Err("the subnet group lists no subnet".to_string());
    }
    let mut unknown = None;
    for (_, a) in e.managed_of_type("AWS::EC2::VPCGatewayAttachment") {
        if written(a, "InternetGatewayId").is_none() {
            continue;
        }
        let Some(v) = written(a, "VpcId") else {
            continue;
        };
        match e.resolve(v, &["AWS::EC2::VPC"], &[]) {
            Resolved::Resource(id) if vpcs.contains(&id) => return Ok(true),
            Resolved::Unknown(u) => {
                unknown.get_or_insert(format!(
                    "the VPC of internet gateway attachment `{}` is unknown: {u}",
                    a.address
                ));
            }
            _ => {}
        }
    }
    match unknown {
        Some(why) => Err(why),
        None => Ok(false),
    }
}

/// `PubliclyAccessible` of an instance: written, else decided by the VPC of `subnet_group`.
fn publicly_accessible(
    e: &Estate,
    r: &Resource,
    id: ResourceId,
    subnet_group: Result<Option<&Node>, String>,
) -> Attr<bool> {
    if let Some(a) = read_opt(r, id, PUBLIC, PUBLIC, "a bool", bool_of) {
        return a;
    }
    let decided = match subnet_group {
        Ok(Some(g)) => subnet_group_has_igw(e, g),
        Ok(None) => Err(
            "without `DBSubnetGroupName` the instance is in the region's default VPC, which the template does not describe (a default VPC has an internet gateway unless it was removed)"
                .to_string(),
        ),
        Err(why) => Err(why),
    };
    match decided {
        Ok(public) => Attr::default(public, r.loc.clone(), PUBLIC, id),
        Err(why) => Attr::unknown(
            Unknown::derived(format!(
                "not set, so RDS makes the instance public if its VPC has an internet gateway, and {why}"
            )),
            r.loc.clone(),
            PUBLIC,
            id,
        ),
    }
}

fn parameter_group(e: &Estate, r: &Resource) -> Option<ParameterGroupRef> {
    const PATH: &str = "DBParameterGroupName";
    let n = written(r, PATH)?;
    let loc = loc_or(n, r);
    let target = match e.resolve(n, &[PARAMETER_GROUP], &["DBParameterGroupName"]) {
        Resolved::Resource(id) if e.get(id).is_some_and(|g| g.rtype == PARAMETER_GROUP) => {
            // Checkov's `CKV2_AWS_69` follows a reference to the group in Terraform only.
            GroupTarget::Managed {
                id,
                by_reference: false,
            }
        }
        Resolved::Resource(_) => GroupTarget::Unknown(Unknown::derived(
            "`DBParameterGroupName` does not name an `AWS::RDS::DBParameterGroup`",
        )),
        Resolved::External(s) if s.starts_with("default.") => GroupTarget::AwsDefault(s),
        Resolved::External(s) => GroupTarget::External(s),
        Resolved::Absent => return None,
        Resolved::Unknown(u) => GroupTarget::Unknown(u),
    };
    Some(ParameterGroupRef {
        target,
        loc,
        path: PATH,
    })
}

/// `StorageEncrypted`: written, else inherited from the snapshot named by `snapshot`, else
/// `default`.
fn storage_encrypted(r: &Resource, id: ResourceId, snapshot: &str, default: bool) -> Attr<bool> {
    const PATH: &str = "StorageEncrypted";
    if let Some(a) = read_opt(r, id, PATH, PATH, "a bool", bool_of) {
        return a;
    }
    match written(r, snapshot) {
        Some(s) => Attr::unknown(
            Unknown::derived(format!(
                "not set, and `{snapshot}` restores a snapshot whose encryption the database inherits"
            )),
            loc_or(s, r),
            PATH,
            id,
        ),
        None => Attr::default(default, r.loc.clone(), PATH, id),
    }
}

fn db_instance(e: &Estate, r: &Resource, id: ResourceId) -> DbInstance {
    let replicate_source = written(r, "SourceDBInstanceIdentifier")
        .and_then(|n| Ref::from_resolved(e.resolve(n, &[DB_INSTANCE], &["DBInstanceIdentifier"])));
    DbInstance {
        id,
        engine: string(r, id, "Engine"),
        engine_version: string(r, id, "EngineVersion"),
        replicate_source,
        publicly_accessible: publicly_accessible(e, r, id, Ok(written(r, "DBSubnetGroupName"))),
        backup_retention_period: read(
            r,
            id,
            "BackupRetentionPeriod",
            "BackupRetentionPeriod",
            1,
            "a whole number",
            Node::as_i64,
        ),
        deletion_protection: flag(r, id, "DeletionProtection", false),
        storage_encrypted: storage_encrypted(r, id, "DBSnapshotIdentifier", false),
        parameter_group: parameter_group(e, r),
    }
}

/// An instance of a cluster: its subnet group is its own or its cluster's.
fn cluster_instance(e: &Estate, r: &Resource, id: ResourceId) -> ClusterInstance {
    let group = match written(r, "DBSubnetGroupName") {
        Some(g) => Ok(Some(g)),
        None => match written(r, "DBClusterIdentifier")
            .map(|c| e.resolve(c, &[DB_CLUSTER], &["DBClusterIdentifier"]))
        {
            Some(Resolved::Resource(cid)) => match e.get(cid) {
                Some(c) if c.rtype == DB_CLUSTER => Ok(written(c, "DBSubnetGroupName")),
                _ => {
                    Err("`DBClusterIdentifier` does not name an `AWS::RDS::DBCluster`".to_string())
                }
            },
            Some(Resolved::External(s)) => Err(format!(
                "cluster `{s}` (whose subnet group applies) is not in the scanned files"
            )),
            Some(Resolved::Unknown(u)) => Err(format!("`DBClusterIdentifier` is unknown: {u}")),
            Some(Resolved::Absent) | None => Ok(None),
        },
    };
    ClusterInstance {
        id,
        publicly_accessible: publicly_accessible(e, r, id, group),
    }
}

fn cluster(r: &Resource, id: ResourceId) -> DbCluster {
    let engine_mode = read(
        r,
        id,
        "EngineMode",
        "EngineMode",
        "provisioned".to_string(),
        "a string",
        text,
    );
    let serverless = engine_mode.get().is_some_and(|m| m == "serverless");
    DbCluster {
        id,
        is_replica: written(r, "ReplicationSourceIdentifier").is_some()
            || written(r, "SourceDBClusterIdentifier").is_some(),
        deletion_protection: flag(r, id, "DeletionProtection", false),
        storage_encrypted: storage_encrypted(r, id, "SnapshotIdentifier", serverless),
        engine_mode,
    }
}

/// `Parameters` is a map of parameter names to values.
fn parameter_group_def(r: &Resource, id: ResourceId) -> DbParameterGroup {
    let parameters = written(r, "Parameters")
        .and_then(Node::as_map)
        .map(|m| {
            m.iter()
                .filter_map(|(name, v)| {
                    let value = node_setting(Some(v), &r.loc, id, "Parameters", "a string", text)?;
                    Some((name.clone(), value))
                })
                .collect()
        })
        .unwrap_or_default();
    DbParameterGroup { id, parameters }
}

fn replication_group(r: &Resource, id: ResourceId) -> CacheReplicationGroup {
    let engine = read(
        r,
        id,
        "Engine",
        "Engine",
        "redis".to_string(),
        "a string",
        |n| n.as_str().map(str::to_string),
    );
    let valkey = matches!(&engine.value, AttrValue::Known(e) if e.eq_ignore_ascii_case("valkey"));
    CacheReplicationGroup {
        id,
        in_global_datastore: written(r, "GlobalReplicationGroupId").is_some(),
        at_rest_encryption_enabled: flag(r, id, "AtRestEncryptionEnabled", valkey),
        transit_encryption_enabled: flag(r, id, "TransitEncryptionEnabled", false),
        transit_encryption_mode: string(r, id, "TransitEncryptionMode"),
        engine,
    }
}

/// Build the database family of a CloudFormation estate.
pub fn build(e: &Estate) -> Database {
    let in_cluster = |r: &Resource| written(r, "DBClusterIdentifier").is_some();
    Database {
        instances: e
            .managed_of_type(DB_INSTANCE)
            .filter(|(_, r)| !in_cluster(r))
            .map(|(id, r)| db_instance(e, r, id))
            .collect(),
        cluster_instances: e
            .managed_of_type(DB_INSTANCE)
            .filter(|(_, r)| in_cluster(r))
            .map(|(id, r)| cluster_instance(e, r, id))
            .collect(),
        clusters: e
            .managed_of_type(DB_CLUSTER)
            .map(|(id, r)| cluster(r, id))
            .collect(),
        parameter_groups: e
            .of_type(PARAMETER_GROUP)
            .map(|(id, r)| parameter_group_def(r, id))
            .collect(),
        cache_replication_groups: e
            .managed_of_type("AWS::ElastiCache::ReplicationGroup")
            .map(|(id, r)| replication_group(r, id))
            .collect(),
    }
}
