//! The database family of the typed state: RDS instances, the instances of Aurora/RDS clusters
//! and the clusters, DB parameter groups (read for TLS enforcement), ElastiCache replication
//! groups.
//!
//! Each frontend's adapter builds it (Terraform: `moat-terraform/src/adapt/database.rs`) and
//! applies its defaults.

use crate::aws::network::Ref;
use crate::aws::Attr;
use crate::estate::ResourceId;
use crate::value::{Loc, Unknown};

/// RDS instances and Aurora clusters with their parameter groups, ElastiCache replication
/// groups.
#[derive(Clone, Debug, Default)]
pub struct Database {
    /// Stand-alone RDS instances (not members of a cluster).
    pub instances: Vec<DbInstance>,
    /// Instances of an Aurora or Multi-AZ DB cluster (they take most settings from it).
    pub cluster_instances: Vec<ClusterInstance>,
    pub clusters: Vec<DbCluster>,
    pub parameter_groups: Vec<DbParameterGroup>,
    pub cache_replication_groups: Vec<CacheReplicationGroup>,
}

impl Database {
    pub fn parameter_group(&self, id: ResourceId) -> Option<&DbParameterGroup> {
        self.parameter_groups.iter().find(|g| g.id == id)
    }

    pub fn instance(&self, id: ResourceId) -> Option<&DbInstance> {
        self.instances.iter().find(|i| i.id == id)
    }
}

/// An RDS DB instance.
#[derive(Clone, Debug)]
pub struct DbInstance {
    pub id: ResourceId,
    /// The engine as written (`None` when not written: it comes from a snapshot or the
    /// source of a read replica).
    pub engine: Option<Attr<String>>,
    /// `None` when not written (AWS picks the engine's default version).
    pub engine_version: Option<Attr<String>>,
    /// The database this instance replicates (`None`: not a read replica).
    pub replicate_source: Option<Ref>,
    pub publicly_accessible: Attr<bool>,
    /// Days of automated backups; `0` turns them off.
    pub backup_retention_period: Attr<i64>,
    pub deletion_protection: Attr<bool>,
    pub storage_encrypted: Attr<bool>,
    /// The parameter group (`None`: the engine's default group).
    pub parameter_group: Option<ParameterGroupRef>,
}

/// The parameter group an instance names.
#[derive(Clone, Debug)]
pub struct ParameterGroupRef {
    pub target: GroupTarget,
    /// Where the group is named.
    pub loc: Loc,
    /// The attribute that names it, as the frontend's users write it.
    pub path: &'static str,
}

/// What a parameter group name resolves to.
#[derive(Clone, Debug)]
pub enum GroupTarget {
    /// A group of the estate; `by_reference` when the instance names it through a reference
    /// to the group (not a literal name), which is what Checkov's check follows.
    Managed {
        id: ResourceId,
        by_reference: bool,
    },
    /// One of AWS's default groups (`default.postgres15`).
    AwsDefault(String),
    /// A group outside the scanned files.
    External(String),
    Unknown(Unknown),
}

/// An instance of an Aurora or Multi-AZ DB cluster.
#[derive(Clone, Debug)]
pub struct ClusterInstance {
    pub id: ResourceId,
    pub publicly_accessible: Attr<bool>,
}

/// An Aurora or Multi-AZ DB cluster.
#[derive(Clone, Debug)]
pub struct DbCluster {
    pub id: ResourceId,
    /// `provisioned`, `serverless` (Aurora Serverless v1, always encrypted), ...
    pub engine_mode: Attr<String>,
    /// Whether the cluster is a replica of another database (it takes its encryption from it).
    pub is_replica: bool,
    pub deletion_protection: Attr<bool>,
    /// Its default depends on `engine_mode` (true for `serverless`); when the mode is
    /// undecided the default given is `false` and a rule must report the mode.
    pub storage_encrypted: Attr<bool>,
}

/// A DB parameter group with the parameters it sets.
#[derive(Clone, Debug)]
pub struct DbParameterGroup {
    pub id: ResourceId,
    /// Parameters with a known name, in source order; values as text (`1`, `ON`).
    pub parameters: Vec<(String, Attr<String>)>,
}

impl DbParameterGroup {
    /// The first value set for a parameter.
    pub fn parameter(&self, name: &str) -> Option<&Attr<String>> {
        self.parameters
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

/// An ElastiCache replication group (Redis OSS or Valkey).
#[derive(Clone, Debug)]
pub struct CacheReplicationGroup {
    pub id: ResourceId,
    /// `redis` or `valkey`.
    pub engine: Attr<String>,
    /// A member of a global datastore takes its encryption settings from the datastore.
    pub in_global_datastore: bool,
    /// Its default depends on the engine (true for `valkey`); when the engine is undecided the
    /// default given is `false` and a rule must report the engine.
    pub at_rest_encryption_enabled: Attr<bool>,
    pub transit_encryption_enabled: Attr<bool>,
    /// `preferred` or `required`, when written.
    pub transit_encryption_mode: Option<Attr<String>>,
}
