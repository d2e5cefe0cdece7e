//! The security family of the typed state: KMS keys and Secrets Manager secrets.

use crate::aws::Attr;
use crate::estate::ResourceId;
use crate::value::{Loc, Unknown};

/// KMS keys and Secrets Manager secrets.
#[derive(Clone, Debug, Default)]
pub struct Security {
    pub keys: Vec<KmsKey>,
    pub secrets: Vec<Secret>,
    /// The first rotation configuration whose secret is unknown: it may rotate any secret.
    pub rotation_target_unknown: Option<UnknownRotation>,
}

/// A customer managed KMS key.
#[derive(Clone, Debug)]
pub struct KmsKey {
    pub id: ResourceId,
    /// The key spec (`SYMMETRIC_DEFAULT` by default; `RSA_2048`, `HMAC_256`, ...). Only
    /// symmetric encryption keys can rotate automatically.
    pub key_spec: Attr<String>,
    /// Automatic rotation of the key material (off by default).
    pub rotation: Attr<bool>,
}

/// A Secrets Manager secret.
#[derive(Clone, Debug)]
pub struct Secret {
    pub id: ResourceId,
    /// The separate rotation configurations that name this secret (Terraform's
    /// `aws_secretsmanager_secret_rotation`).
    pub rotated_by: Vec<ResourceId>,
    /// Rotation configured on the secret itself (a rotation function named on it, as the
    /// Terraform AWS provider before version 5 allowed).
    pub inline_rotation: Attr<bool>,
}

/// A rotation configuration whose secret cannot be decided offline.
#[derive(Clone, Debug, PartialEq)]
pub struct UnknownRotation {
    /// The rotation resource.
    pub from: ResourceId,
    /// Where its link to the secret is written.
    pub loc: Loc,
    pub why: Unknown,
}
