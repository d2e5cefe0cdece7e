//! The Terraform adapter of the containers family: written values, the provider's defaults,
//! unresolved variables and invalid values, partly unknown lists.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[allow(unused_imports)] // each family uses some of them
use super::{id, load, load_hcl};

use moat_model::aws::containers::{EcrRepository, EksCluster, StrList};
use moat_model::aws::{Attr, AttrValue};
use moat_model::{Estate, Unknown};

fn assert_at<T: std::fmt::Debug + PartialEq>(
    a: &Attr<T>,
    value: AttrValue<T>,
    path: &str,
    line: u32,
) {
    assert_eq!(a.value, value, "{a:?}");
    assert_eq!(a.path, path);
    assert_eq!(a.loc.line, line, "{a:?}");
}

fn list(items: &[&str], partly_unknown: bool) -> StrList {
    StrList {
        items: items.iter().map(|s| s.to_string()).collect(),
        partly_unknown,
    }
}

const HCL: &str = r#"variable "cidr" {}
variable "mutability" {}

resource "aws_eks_cluster" "written" {
  name                      = "a"
  enabled_cluster_log_types = ["api", "audit"]
  vpc_config {
    endpoint_public_access = true
    public_access_cidrs    = ["10.0.0.0/8", var.cidr]
  }
  encryption_config {
    resources = ["secrets"]
  }
}

resource "aws_eks_cluster" "defaults" {
  name = "b"
  vpc_config {
    subnet_ids = []
  }
}

resource "aws_ecr_repository" "written" {
  name                 = "prod-api"
  image_tag_mutability = var.mutability
  image_scanning_configuration {
    scan_on_push = "sometimes"
  }
}

resource "aws_ecr_repository" "defaults" {
  name = "dev"
}

resource "aws_ecr_registry_scanning_configuration" "registry" {
  scan_type = "ENHANCED"
  rule {
    scan_frequency = "SCAN_ON_PUSH"
    repository_filter {
      filter      = "prod-*"
      filter_type = "WILDCARD"
    }
  }
}
"#;

fn eks<'e>(e: &'e Estate, a: &str) -> &'e EksCluster {
    let id = e.by_address(a).unwrap();
    e.aws
        .containers
        .eks_clusters
        .iter()
        .find(|c| c.id == id)
        .unwrap()
}

fn ecr<'e>(e: &'e Estate, a: &str) -> &'e EcrRepository {
    let id = e.by_address(a).unwrap();
    e.aws
        .containers
        .ecr_repositories
        .iter()
        .find(|c| c.id == id)
        .unwrap()
}

#[test]
fn eks_clusters() {
    let e = load(HCL);
    let w = eks(&e, "aws_eks_cluster.written");
    assert_at(
        &w.endpoint_public_access,
        AttrValue::Known(true),
        "vpc_config.endpoint_public_access",
        8,
    );
    // An unknown element keeps the known ones.
    assert_at(
        &w.public_access_cidrs,
        AttrValue::Known(list(&["10.0.0.0/8"], true)),
        "public_access_cidrs",
        9,
    );
    assert_at(
        &w.enabled_log_types,
        AttrValue::Known(list(&["api", "audit"], false)),
        "enabled_cluster_log_types",
        6,
    );
    assert!(w.encrypted_resources.get().unwrap().contains("secrets"));
    assert!(!w.encrypted_resources.is_default());

    let d = eks(&e, "aws_eks_cluster.defaults");
    assert_at(
        &d.endpoint_public_access,
        AttrValue::Default(true),
        "vpc_config.endpoint_public_access",
        16,
    );
    // The default CIDR list is located at the `vpc_config` block.
    assert_at(
        &d.public_access_cidrs,
        AttrValue::Default(list(&["0.0.0.0/0"], false)),
        "public_access_cidrs",
        18,
    );
    assert_at(
        &d.enabled_log_types,
        AttrValue::Default(list(&[], false)),
        "enabled_cluster_log_types",
        16,
    );
    assert_at(
        &d.encrypted_resources,
        AttrValue::Default(list(&[], false)),
        "encryption_config.resources",
        16,
    );
}

#[test]
fn ecr_repositories_and_registry_rules() {
    let e = load(HCL);
    let w = ecr(&e, "aws_ecr_repository.written");
    assert_at(
        w.name.as_ref().unwrap(),
        AttrValue::Known("prod-api".into()),
        "name",
        24,
    );
    assert_at(
        &w.image_tag_mutability,
        AttrValue::Unknown(Unknown::Variable {
            name: "mutability".into(),
        }),
        "image_tag_mutability",
        25,
    );
    assert_at(
        &w.scan_on_push,
        AttrValue::Invalid {
            written: "sometimes".into(),
            expected: "a bool",
        },
        "image_scanning_configuration.scan_on_push",
        27,
    );
    let d = ecr(&e, "aws_ecr_repository.defaults");
    assert_at(
        &d.image_tag_mutability,
        AttrValue::Default("MUTABLE".into()),
        "image_tag_mutability",
        31,
    );
    assert_at(
        &d.scan_on_push,
        AttrValue::Default(false),
        "image_scanning_configuration.scan_on_push",
        31,
    );

    let reg = &e.aws.containers.ecr_registry_scanning;
    assert_eq!(reg.len(), 1);
    let rule = &reg[0].rules[0];
    assert_at(
        rule.frequency.as_ref().unwrap(),
        AttrValue::Known("SCAN_ON_PUSH".into()),
        "rule.scan_frequency",
        38,
    );
    assert_eq!(rule.filters.len(), 1);
    assert_at(
        &rule.filters[0],
        AttrValue::Known("prod-*".into()),
        "rule.repository_filter.filter",
        40,
    );
}
