//! ElastiCache replication groups: encryption at rest and in transit.

pub(crate) mod at_rest_encryption;
pub(crate) mod transit_encryption;

pub(crate) const FAMILY: &str = "elasticache";
