//! The storage family of the typed state: s3 buckets with every setting that may live in a separate resource (versioning, encryption, logging, lifecycle, public access block, ACLs), merged onto the bucket.

/// S3 buckets with every setting that may live in a separate resource (versioning, encryption, logging, lifecycle, public access block, ACLs), merged onto the bucket.
#[derive(Clone, Debug, Default)]
pub struct Storage {}
