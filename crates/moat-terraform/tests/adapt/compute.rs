//! The Terraform adapter of the compute family: written values, the provider's defaults,
//! unresolved variables and invalid values, with their locations and attribute paths.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[allow(unused_imports)] // each family uses some of them
use super::{id, load, load_hcl};

use moat_model::aws::compute::{DeviceRole, Instance, InstanceKind};
use moat_model::aws::{Attr, AttrValue};
use moat_model::{Estate, Unknown};

fn instance<'e>(e: &'e Estate, address: &str) -> &'e Instance {
    let id = e.by_address(address).unwrap();
    e.aws.compute.instances.iter().find(|i| i.id == id).unwrap()
}

fn assert_at<T: std::fmt::Debug + PartialEq>(
    a: &Attr<T>,
    value: AttrValue<T>,
    path: &str,
    line: u32,
) {
    assert_eq!(a.value, value, "{a:?}");
    assert_eq!(a.path, path);
    assert_eq!(a.loc.line, line, "{a:?}");
    assert_eq!(&*a.loc.file, "main.tf");
}

const HCL: &str = r#"variable "tokens" {}

resource "aws_instance" "written" {
  ami                         = "ami-123"
  associate_public_ip_address = true
  metadata_options {
    http_tokens   = "required"
    http_endpoint = "enabled"
  }
  root_block_device {
    encrypted = true
  }
  ebs_block_device {
    device_name = "/dev/sdf"
    snapshot_id = "snap-123"
  }
}

resource "aws_instance" "defaults" {
  ami = "ami-123"
}

resource "aws_launch_template" "unknown" {
  metadata_options {
    http_tokens = var.tokens
  }
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      encrypted = "yes"
    }
  }
}

resource "aws_launch_configuration" "lc" {
  image_id                    = "ami-123"
  associate_public_ip_address = var.tokens
}

resource "aws_ebs_volume" "plain" {
  availability_zone = "eu-west-1a"
}

resource "aws_ebs_volume" "encrypted" {
  availability_zone = "eu-west-1a"
  encrypted         = true
}

resource "aws_ebs_encryption_by_default" "account" {}
"#;

#[test]
fn written_values_are_known_where_written() {
    let e = load(HCL);
    let i = instance(&e, "aws_instance.written");
    assert_eq!(i.kind, InstanceKind::Instance);
    assert_at(
        &i.metadata_http_tokens,
        AttrValue::Known("required".into()),
        "metadata_options.http_tokens",
        7,
    );
    assert_at(
        &i.metadata_http_endpoint,
        AttrValue::Known("enabled".into()),
        "metadata_options.http_endpoint",
        8,
    );
    assert_at(
        i.associate_public_ip_address.as_ref().unwrap(),
        AttrValue::Known(true),
        "associate_public_ip_address",
        5,
    );
    assert_eq!(e.get(i.id).unwrap().address, "aws_instance.written");
    let roles: Vec<DeviceRole> = i.block_devices.iter().map(|d| d.role).collect();
    assert_eq!(roles, [DeviceRole::Root, DeviceRole::Ebs]);
    assert!(i.declares_root_device());
    assert_at(
        &i.block_devices[0].encrypted,
        AttrValue::Known(true),
        "root_block_device.encrypted",
        11,
    );
    // Not written on a device created from a snapshot: the default, which the snapshot's
    // encryption overrides.
    let ebs = &i.block_devices[1];
    assert!(ebs.from_snapshot);
    assert_at(
        &ebs.encrypted,
        AttrValue::Default(false),
        "ebs_block_device.encrypted",
        13,
    );
    let v = &e.aws.compute.volumes;
    assert_eq!(v.len(), 2);
    let enc = v
        .iter()
        .find(|v| Some(v.id) == e.by_address("aws_ebs_volume.encrypted"))
        .unwrap();
    assert_at(&enc.encrypted, AttrValue::Known(true), "encrypted", 46);
}

#[test]
fn absent_values_take_the_provider_defaults() {
    let e = load(HCL);
    let i = instance(&e, "aws_instance.defaults");
    // No `metadata_options` block: the defaults are located at the resource.
    assert_at(
        &i.metadata_http_tokens,
        AttrValue::Default("optional".into()),
        "metadata_options.http_tokens",
        19,
    );
    assert_at(
        &i.metadata_http_endpoint,
        AttrValue::Default("enabled".into()),
        "metadata_options.http_endpoint",
        19,
    );
    assert_eq!(
        i.metadata_http_tokens.describe(),
        "`metadata_options.http_tokens` is not set (default `optional`)"
    );
    assert!(i.associate_public_ip_address.is_none());
    assert!(i.block_devices.is_empty());
    assert!(!i.declares_root_device());
    let plain = e
        .aws
        .compute
        .volumes
        .iter()
        .find(|v| Some(v.id) == e.by_address("aws_ebs_volume.plain"))
        .unwrap();
    assert_at(&plain.encrypted, AttrValue::Default(false), "encrypted", 40);
    let account = &e.aws.compute.ebs_encryption_by_default;
    assert_eq!(account.len(), 1);
    assert_at(&account[0].enabled, AttrValue::Default(true), "enabled", 49);
}

#[test]
fn unresolved_variables_are_unknown_and_bad_values_invalid() {
    let e = load(HCL);
    let t = instance(&e, "aws_launch_template.unknown");
    assert_eq!(t.kind, InstanceKind::LaunchTemplate);
    assert_at(
        &t.metadata_http_tokens,
        AttrValue::Unknown(Unknown::Variable {
            name: "tokens".into(),
        }),
        "metadata_options.http_tokens",
        25,
    );
    assert!(t.metadata_http_tokens.is_undecided());
    // Launch templates have no instance-level public address setting, nor a root device.
    assert!(t.associate_public_ip_address.is_none());
    assert_eq!(t.block_devices.len(), 1);
    assert_eq!(t.block_devices[0].role, DeviceRole::Mapping);
    assert_at(
        &t.block_devices[0].encrypted,
        AttrValue::Invalid {
            written: "yes".into(),
            expected: "a bool",
        },
        "block_device_mappings.ebs.encrypted",
        30,
    );
    let lc = instance(&e, "aws_launch_configuration.lc");
    assert_eq!(lc.kind, InstanceKind::LaunchConfiguration);
    let public = lc.associate_public_ip_address.as_ref().unwrap();
    assert!(matches!(public.value, AttrValue::Unknown(_)));
    assert_eq!(public.loc.line, 37);
}
