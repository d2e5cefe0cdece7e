//! The storage family of the typed state: S3 buckets with every setting merged onto the
//! bucket, wherever the frontend writes it.
//!
//! A frontend may write a bucket's settings on the bucket itself or in separate resources
//! (Terraform's `aws_s3_bucket_versioning`, `aws_s3_bucket_public_access_block`, ...). The
//! adapter links each such resource to its bucket and merges the setting onto the [`Bucket`];
//! [`Attr::from`] then names the resource that decides it, so a message can say "in
//! `aws_s3_bucket_versioning.v`". A configuration whose link to its bucket cannot be resolved
//! offline could belong to any bucket: the buckets it may apply to see that setting as
//! unknown, never as absent.
//!
//! Defaults ([`crate::aws::AttrValue::Default`]) are located at the bucket's declaration.

use crate::aws::Attr;
use crate::estate::ResourceId;
use crate::value::{Loc, Unknown};

/// S3 buckets with every setting that may live in a separate resource (versioning, encryption,
/// logging, lifecycle, public access block, ACLs), merged onto the bucket.
#[derive(Clone, Debug, Default)]
pub struct Storage {
    /// Every bucket of the estate, in the estate's order.
    pub buckets: Vec<Bucket>,
    /// The first access-logging configuration whose target bucket is unknown: it may deliver
    /// logs to any bucket.
    pub log_target_unknown: Option<UnknownLink>,
}

/// A configuration whose link to a bucket cannot be decided offline.
#[derive(Clone, Debug, PartialEq)]
pub struct UnknownLink {
    /// The resource that holds the configuration.
    pub from: ResourceId,
    /// Where the link is written.
    pub loc: Loc,
    /// Why it is unknown.
    pub why: Unknown,
}

/// An S3 bucket with its settings.
#[derive(Clone, Debug)]
pub struct Bucket {
    pub id: ResourceId,
    /// The bucket name as written: `None` when it is not written (generated, possibly from a
    /// prefix), unknown when it cannot be resolved.
    pub name: Option<Attr<String>>,
    /// Default server-side encryption. `Known(None)`: a configuration exists but sets no
    /// algorithm (its `from` names it); `Default(None)`: none is configured (S3 then applies
    /// SSE-S3, `AES256`).
    pub encryption: Attr<Option<Sse>>,
    /// Versioning status as the S3 API names it: `Enabled`, `Suspended`, or `Disabled` (never
    /// enabled, the default). A value written otherwise is kept as written.
    pub versioning: Attr<String>,
    /// Block Public Access, bucket-level and account-level merged: each flag is on when it is on
    /// at either level.
    pub public_access_block: PublicAccessBlock,
    /// Whether the bucket has a public access block of its own (as opposed to only the
    /// account's).
    pub own_public_access_block: bool,
    /// Server access logging is configured.
    pub logging: Attr<bool>,
    /// The bucket is the target of an access-logging configuration of the estate.
    pub receives_access_logs: bool,
    /// The canned ACL (`private` by default).
    pub acl: Attr<String>,
    /// The ACL grants that name a grantee URI.
    pub grants: Vec<Grant>,
    /// A lifecycle configuration with at least one enabled rule. `Known(false)`: a
    /// configuration exists, with no enabled rule; `Default(false)`: none exists.
    pub lifecycle: Attr<bool>,
    /// The resources that attach a bucket policy to this bucket (the bucket itself for a
    /// policy written on it, or separate bucket-policy resources). The policy documents belong
    /// to the identity family.
    pub policies: Vec<ResourceId>,
    /// A bucket-policy resource whose bucket is unknown: it may attach a policy to this bucket.
    pub policy_link_unknown: Option<UnknownLink>,
}

/// Server-side encryption by default.
#[derive(Clone, Debug, PartialEq)]
pub struct Sse {
    /// `AES256`, `aws:kms`, `aws:kms:dsse`.
    pub algorithm: String,
    /// Whether a KMS key is named (a reference to a key not yet created counts).
    pub kms_key: bool,
}

/// The four Block Public Access settings of a bucket (bucket and account level merged).
#[derive(Clone, Debug)]
pub struct PublicAccessBlock {
    pub block_public_acls: Attr<bool>,
    pub block_public_policy: Attr<bool>,
    pub ignore_public_acls: Attr<bool>,
    pub restrict_public_buckets: Attr<bool>,
}

impl PublicAccessBlock {
    /// The four flags in the S3 API's order: `BlockPublicAcls`, `BlockPublicPolicy`,
    /// `IgnorePublicAcls`, `RestrictPublicBuckets`.
    pub fn flags(&self) -> [&Attr<bool>; 4] {
        [
            &self.block_public_acls,
            &self.block_public_policy,
            &self.ignore_public_acls,
            &self.restrict_public_buckets,
        ]
    }
}

/// Where an ACL grant is declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantSource {
    /// On the bucket itself (Terraform's legacy inline `grant` block).
    Bucket,
    /// In a separate bucket ACL resource (Terraform's `aws_s3_bucket_acl`).
    AclResource,
}

/// One ACL grant to a grantee named by URI (a group such as `AllUsers`).
#[derive(Clone, Debug)]
pub struct Grant {
    pub source: GrantSource,
    /// The grantee's URI (`http://acs.amazonaws.com/groups/global/AllUsers`); its `from` is
    /// the resource that declares the grant.
    pub uri: Attr<String>,
    /// The permission (or permissions) as written: `READ`, `WRITE`, `FULL_CONTROL`...
    pub permission: String,
}
