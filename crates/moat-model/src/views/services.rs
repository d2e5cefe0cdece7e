//! Typed views of services (S3 buckets with their split resources, ...).
