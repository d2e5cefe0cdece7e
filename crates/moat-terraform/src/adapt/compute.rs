//! The Terraform adapter of the compute family ([`moat_model::aws::compute`]): `aws_instance`,
//! `aws_launch_template`, `aws_launch_configuration`, `aws_ebs_volume` and
//! `aws_ebs_encryption_by_default`.
//!
//! Provider defaults applied here: `metadata_options.http_endpoint` is `enabled` and
//! `http_tokens` `optional`; a block device's and a volume's `encrypted` is `false`;
//! `aws_ebs_encryption_by_default.enabled` is `true`.

use moat_model::aws::compute::{
    BlockDevice, Compute, DeviceRole, EbsDefaultEncryption, Instance, InstanceKind, Volume,
};
use moat_model::aws::identity::{RoleLink, RoleWords};
use moat_model::aws::Attr;
use moat_model::{Estate, Node, Resource, ResourceId};

use super::setting::{bool_attr, node_setting, read_opt, text};

const KINDS: [(&str, InstanceKind); 3] = [
    ("aws_instance", InstanceKind::Instance),
    ("aws_launch_template", InstanceKind::LaunchTemplate),
    (
        "aws_launch_configuration",
        InstanceKind::LaunchConfiguration,
    ),
];

fn device(r: &Resource, id: ResourceId, dev: &Node, role: DeviceRole) -> BlockDevice {
    let shown = match role {
        DeviceRole::Root => "root_block_device.encrypted",
        DeviceRole::Ebs => "ebs_block_device.encrypted",
        DeviceRole::Mapping => "block_device_mappings.ebs.encrypted",
    };
    let loc = dev.loc.clone().unwrap_or_else(|| r.loc.clone());
    let encrypted = node_setting(
        dev.get("encrypted"),
        &loc,
        id,
        shown,
        "a bool",
        Node::as_bool,
    )
    .unwrap_or_else(|| Attr::default(false, loc.clone(), shown, id));
    BlockDevice {
        role,
        loc,
        encrypted,
        from_snapshot: dev.get("snapshot_id").is_some_and(|s| !s.is_null()),
    }
}

/// Terraform's words for instance profiles and roles.
pub(super) const ROLE_WORDS: RoleWords<'static> = RoleWords {
    profile_types: &["aws_iam_instance_profile"],
    profile_match: &["name", "arn"],
    profile_role: "role",
    role_types: &["aws_iam_role"],
    role_match: &["name", "arn"],
};

/// The instance profile written on an instance or configuration (`iam_instance_profile`, a
/// name), or in a launch template's `iam_instance_profile` block (`name` or `arn`).
fn role_link(e: &Estate, r: &Resource, kind: InstanceKind) -> Option<RoleLink> {
    let n = match kind {
        InstanceKind::LaunchTemplate => {
            let blocks = r.blocks("iam_instance_profile");
            let b = blocks.first()?;
            b.get("name")
                .filter(|n| !n.is_null())
                .or_else(|| b.get("arn"))?
        }
        InstanceKind::Instance | InstanceKind::LaunchConfiguration => {
            r.get("iam_instance_profile")?
        }
    };
    RoleLink::through_profile(e, n, &ROLE_WORDS, &r.loc)
}

fn instance(e: &Estate, r: &Resource, id: ResourceId, kind: InstanceKind) -> Instance {
    let opts = r.blocks("metadata_options");
    let opt = opts.first().copied();
    let block_loc = opt
        .and_then(|o| o.loc.clone())
        .unwrap_or_else(|| r.loc.clone());
    let meta = |key: &str, shown: &'static str, default: &str| {
        node_setting(
            opt.and_then(|o| o.get(key)),
            &r.loc,
            id,
            shown,
            "a string",
            text,
        )
        .unwrap_or_else(|| Attr::default(default.to_string(), block_loc.clone(), shown, id))
    };
    let metadata_http_endpoint = meta("http_endpoint", "metadata_options.http_endpoint", "enabled");
    let metadata_http_tokens = meta("http_tokens", "metadata_options.http_tokens", "optional");
    let mut block_devices = Vec::new();
    let associate_public_ip_address = match kind {
        InstanceKind::LaunchTemplate => {
            for m in r.blocks("block_device_mappings") {
                for e in m.blocks("ebs") {
                    block_devices.push(device(r, id, e, DeviceRole::Mapping));
                }
            }
            None
        }
        InstanceKind::Instance | InstanceKind::LaunchConfiguration => {
            for d in r.blocks("root_block_device") {
                block_devices.push(device(r, id, d, DeviceRole::Root));
            }
            for d in r.blocks("ebs_block_device") {
                block_devices.push(device(r, id, d, DeviceRole::Ebs));
            }
            read_opt(
                r,
                id,
                "associate_public_ip_address",
                "associate_public_ip_address",
                "a bool",
                Node::as_bool,
            )
        }
    };
    Instance {
        id,
        kind,
        metadata_http_endpoint,
        metadata_http_tokens,
        associate_public_ip_address,
        block_devices,
        role: role_link(e, r, kind),
    }
}

/// Build the compute family of a Terraform estate.
pub(super) fn build(e: &Estate) -> Compute {
    let mut instances: Vec<Instance> = KINDS
        .iter()
        .flat_map(|(t, kind)| {
            e.managed_of_type(t)
                .map(move |(id, r)| instance(e, r, id, *kind))
        })
        .collect();
    instances.sort_by_key(|i| i.id);
    let volumes = e
        .managed_of_type("aws_ebs_volume")
        .map(|(id, r)| Volume {
            id,
            encrypted: bool_attr(r, id, "encrypted", "encrypted", false),
        })
        .collect();
    let ebs_encryption_by_default = e
        .managed_of_type("aws_ebs_encryption_by_default")
        .map(|(id, r)| EbsDefaultEncryption {
            id,
            enabled: bool_attr(r, id, "enabled", "enabled", true),
        })
        .collect();
    Compute {
        instances,
        volumes,
        ebs_encryption_by_default,
    }
}
