//! The Terraform adapter of the database family ([`moat_model::aws::database`]):
//! `aws_db_instance`, `aws_rds_cluster_instance`, `aws_rds_cluster`, `aws_db_parameter_group`
//! and `aws_elasticache_replication_group`.
//!
//! Provider and AWS defaults applied here: `publicly_accessible`, `deletion_protection` and
//! `storage_encrypted` are `false` (a `serverless` cluster is always encrypted); automated
//! backups are kept for 1 day; a cluster's `engine_mode` is `provisioned`; a replication
//! group's engine is `redis`, encrypted at rest by default only for `valkey`, and transit
//! encryption is off.

use moat_model::aws::database::{
    CacheReplicationGroup, ClusterInstance, Database, DbCluster, DbInstance, DbParameterGroup,
    GroupTarget, ParameterGroupRef,
};
use moat_model::aws::network::Ref;
use moat_model::aws::{Attr, AttrValue};
use moat_model::{Estate, Node, Resolved, Resource, ResourceId, Written};

use super::setting::{bool_attr, node_setting, read, read_opt, text, written};

fn string(r: &Resource, id: ResourceId, path: &'static str) -> Option<Attr<String>> {
    read_opt(r, id, path, path, "a string", text)
}

fn parameter_group(e: &Estate, r: &Resource) -> Option<ParameterGroupRef> {
    let n = written(r, "parameter_group_name")?;
    let loc = n.loc.clone().unwrap_or_else(|| r.loc.clone());
    let target = match e.resolve(n, &["aws_db_parameter_group"], &["name"]) {
        Resolved::Resource(id) => {
            // Checkov follows a reference to the group (`aws_db_parameter_group.x.name`),
            // which evaluates to the group's name: how the attribute was written tells.
            let by_reference = matches!(
                r.written.get("parameter_group_name"),
                Some(Written::Reference(t)) if t == "aws_db_parameter_group"
            );
            GroupTarget::Managed { id, by_reference }
        }
        Resolved::External(s) if s.starts_with("default.") => GroupTarget::AwsDefault(s),
        Resolved::External(s) => GroupTarget::External(s),
        Resolved::Absent => return None,
        Resolved::Unknown(u) => GroupTarget::Unknown(u),
    };
    Some(ParameterGroupRef {
        target,
        loc,
        path: "parameter_group_name",
    })
}

fn db_instance(e: &Estate, r: &Resource, id: ResourceId) -> DbInstance {
    let replicate_source = written(r, "replicate_source_db")
        .and_then(|n| Ref::from_resolved(e.resolve(n, &["aws_db_instance"], &["identifier"])));
    DbInstance {
        id,
        engine: string(r, id, "engine"),
        engine_version: string(r, id, "engine_version"),
        replicate_source,
        publicly_accessible: bool_attr(r, id, "publicly_accessible", "publicly_accessible", false),
        backup_retention_period: read(
            r,
            id,
            "backup_retention_period",
            "backup_retention_period",
            1,
            "a whole number",
            Node::as_i64,
        ),
        deletion_protection: bool_attr(r, id, "deletion_protection", "deletion_protection", false),
        storage_encrypted: bool_attr(r, id, "storage_encrypted", "storage_encrypted", false),
        parameter_group: parameter_group(e, r),
    }
}

fn cluster(r: &Resource, id: ResourceId) -> DbCluster {
    let engine_mode = read(
        r,
        id,
        "engine_mode",
        "engine_mode",
        "provisioned".to_string(),
        "a string",
        text,
    );
    let serverless = engine_mode.get().is_some_and(|m| m == "serverless");
    DbCluster {
        id,
        is_replica: written(r, "replicate_source_db").is_some(),
        deletion_protection: bool_attr(r, id, "deletion_protection", "deletion_protection", false),
        storage_encrypted: bool_attr(r, id, "storage_encrypted", "storage_encrypted", serverless),
        engine_mode,
    }
}

fn parameter_group_def(r: &Resource, id: ResourceId) -> DbParameterGroup {
    let parameters = r
        .blocks("parameter")
        .into_iter()
        .filter_map(|p| {
            let name = p.get("name").and_then(Node::as_str)?;
            let at = p.loc.clone().unwrap_or_else(|| r.loc.clone());
            let value = node_setting(p.get("value"), &at, id, "parameter.value", "a string", text)?;
            Some((name.to_string(), value))
        })
        .collect();
    DbParameterGroup { id, parameters }
}

fn replication_group(r: &Resource, id: ResourceId) -> CacheReplicationGroup {
    let engine = read(
        r,
        id,
        "engine",
        "engine",
        "redis".to_string(),
        "a string",
        |n| n.as_str().map(str::to_string),
    );
    let valkey = matches!(&engine.value, AttrValue::Known(e) if e == "valkey");
    CacheReplicationGroup {
        id,
        in_global_datastore: written(r, "global_replication_group_id").is_some(),
        at_rest_encryption_enabled: bool_attr(
            r,
            id,
            "at_rest_encryption_enabled",
            "at_rest_encryption_enabled",
            valkey,
        ),
        transit_encryption_enabled: bool_attr(
            r,
            id,
            "transit_encryption_enabled",
            "transit_encryption_enabled",
            false,
        ),
        transit_encryption_mode: string(r, id, "transit_encryption_mode"),
        engine,
    }
}

/// Build the database family of a Terraform estate.
pub(super) fn build(e: &Estate) -> Database {
    Database {
        instances: e
            .managed_of_type("aws_db_instance")
            .map(|(id, r)| db_instance(e, r, id))
            .collect(),
        cluster_instances: e
            .managed_of_type("aws_rds_cluster_instance")
            .map(|(id, r)| ClusterInstance {
                id,
                publicly_accessible: bool_attr(
                    r,
                    id,
                    "publicly_accessible",
                    "publicly_accessible",
                    false,
                ),
            })
            .collect(),
        clusters: e
            .managed_of_type("aws_rds_cluster")
            .map(|(id, r)| cluster(r, id))
            .collect(),
        parameter_groups: e
            .of_type("aws_db_parameter_group")
            .map(|(id, r)| parameter_group_def(r, id))
            .collect(),
        cache_replication_groups: e
            .managed_of_type("aws_elasticache_replication_group")
            .map(|(id, r)| replication_group(r, id))
            .collect(),
    }
}
