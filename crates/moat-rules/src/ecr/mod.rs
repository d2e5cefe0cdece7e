//! ECR repositories (seed 001 container security: "ECR Image Scanning"; seed 004: "Amazon ECR
//! Image Scanning: 취약점 스캔").

pub(crate) mod mutable_tags;
pub(crate) mod scan_on_push;

pub(crate) const FAMILY: &str = "ecr";
