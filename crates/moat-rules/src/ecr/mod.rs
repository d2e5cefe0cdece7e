//! ECR repositories: image tag mutability and scanning on push.

pub(crate) mod mutable_tags;
pub(crate) mod scan_on_push;

pub(crate) const FAMILY: &str = "ecr";
