//! The containers family of the typed state: EKS clusters (API endpoint access, control plane
//! logging, secrets encryption), ECR repositories and the registry's scanning configuration.
//!
//! Each frontend's adapter builds it (Terraform: `moat-terraform/src/adapt/containers.rs`) and
//! applies its defaults.

use std::fmt;

use crate::aws::Attr;
use crate::estate::ResourceId;

/// EKS clusters and ECR repositories.
#[derive(Clone, Debug, Default)]
pub struct Containers {
    pub eks_clusters: Vec<EksCluster>,
    pub ecr_repositories: Vec<EcrRepository>,
    /// Registry-level scanning configurations (they override the repositories' own setting).
    pub ecr_registry_scanning: Vec<RegistryScanning>,
}

/// A list of strings some of whose elements may be unknown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StrList {
    /// The known elements, in order.
    pub items: Vec<String>,
    /// Whether some element is unknown.
    pub partly_unknown: bool,
}

impl StrList {
    pub fn contains(&self, s: &str) -> bool {
        self.items.iter().any(|i| i == s)
    }
}

impl fmt::Display for StrList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.items.join(", "))
    }
}

/// An EKS cluster.
#[derive(Clone, Debug)]
pub struct EksCluster {
    pub id: ResourceId,
    pub endpoint_public_access: Attr<bool>,
    /// The CIDRs allowed to reach the public endpoint (default everything).
    pub public_access_cidrs: Attr<StrList>,
    /// The control plane log types sent to CloudWatch Logs.
    pub enabled_log_types: Attr<StrList>,
    /// The resources whose envelope encryption with a KMS key is configured (`secrets`).
    pub encrypted_resources: Attr<StrList>,
}

/// An ECR repository.
#[derive(Clone, Debug)]
pub struct EcrRepository {
    pub id: ResourceId,
    /// The repository name (`None` when not written).
    pub name: Option<Attr<String>>,
    /// `MUTABLE`, `IMMUTABLE`, `IMMUTABLE_WITH_EXCLUSION`, ...
    pub image_tag_mutability: Attr<String>,
    pub scan_on_push: Attr<bool>,
}

/// The registry's scanning configuration.
#[derive(Clone, Debug)]
pub struct RegistryScanning {
    pub id: ResourceId,
    pub rules: Vec<RegistryScanRule>,
}

/// One scanning rule of a registry: a frequency and the repository filters it applies to.
#[derive(Clone, Debug)]
pub struct RegistryScanRule {
    /// `SCAN_ON_PUSH`, `CONTINUOUS_SCAN` or `MANUAL` (`None` when not written).
    pub frequency: Option<Attr<String>>,
    /// Wildcard filters (`prod-*`) on repository names.
    pub filters: Vec<Attr<String>>,
}
