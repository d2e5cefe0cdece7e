//! The database family of the typed state: rDS instances and Aurora clusters with their parameter groups, ElastiCache replication groups and clusters.

/// RDS instances and Aurora clusters with their parameter groups, ElastiCache replication groups and clusters.
#[derive(Clone, Debug, Default)]
pub struct Database {}
