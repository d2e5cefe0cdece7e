//! The containers family of the typed state: eKS clusters and ECR repositories.

/// EKS clusters and ECR repositories.
#[derive(Clone, Debug, Default)]
pub struct Containers {}
