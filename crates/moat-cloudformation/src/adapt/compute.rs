//! The CloudFormation adapter of the compute family ([`moat_model::aws::compute`]):
//! `AWS::EC2::Instance`, `AWS::EC2::LaunchTemplate`, `AWS::AutoScaling::LaunchConfiguration`
//! and `AWS::EC2::Volume`.
//!
//! Defaults applied here are the EC2 API's, which CloudFormation passes on:
//! - `MetadataOptions.HttpEndpoint` is `enabled`. `MetadataOptions.HttpTokens` is `optional`
//!   unless the AMI's `ImdsSupport` is `v2.0` or the account's IMDS defaults say otherwise;
//!   neither is in the template, so nothing here guarantees IMDSv2 and the default read is
//!   `optional`
//!   ([AWS::EC2::Instance MetadataOptions](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ec2-instance-metadataoptions.html)).
//! - An instance that names a launch template (`LaunchTemplate`) takes the template's metadata
//!   options, block devices and network interfaces where it sets none itself; a launch template
//!   outside the template (or named by a parameter without value) makes them unknown.
//! - A block device's `Ebs.Encrypted` and a volume's `Encrypted` are `false`; a volume or
//!   device created from a snapshot (`SnapshotId`) inherits the snapshot's encryption
//!   ([AWS::EC2::Volume](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-volume.html)).
//! - CloudFormation has no resource for the account's EBS encryption by default, so
//!   [`Compute::ebs_encryption_by_default`] stays empty.
//!
//! Which mapping of `BlockDeviceMappings` is the root volume depends on the AMI's root device
//! name, which the template does not state: a mapping for `/dev/xvda` or `/dev/sda1` (the root
//! device names of Amazon Linux, Ubuntu and Windows AMIs) is read as the root volume.

use moat_model::aws::compute::{BlockDevice, Compute, DeviceRole, Instance, InstanceKind, Volume};
use moat_model::aws::identity::{RoleLink, RoleWords};
use moat_model::aws::Attr;
use moat_model::{Estate, Node, Resolved, Resource, ResourceId, Unknown, Value};

use super::setting::{node_setting, read_opt, text, written};

const INSTANCE: &str = "AWS::EC2::Instance";
const LAUNCH_TEMPLATE: &str = "AWS::EC2::LaunchTemplate";
const LAUNCH_CONFIGURATION: &str = "AWS::AutoScaling::LaunchConfiguration";

/// A CloudFormation boolean: `true`/`false`, or the strings CloudFormation converts
/// (`"true"`, `"True"`, `"false"`, `"False"`).
pub(super) fn bool_of(n: &Node) -> Option<bool> {
    match &n.value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" || s == "True" => Some(true),
        Value::String(s) if s == "false" || s == "False" => Some(false),
        _ => None,
    }
}

/// The property paths of one kind of declaration.
struct Paths {
    kind: InstanceKind,
    rtype: &'static str,
    http_tokens: &'static str,
    http_endpoint: &'static str,
    devices: &'static str,
    encrypted: &'static str,
    public_ip: &'static str,
}

const INSTANCE_PATHS: Paths = Paths {
    kind: InstanceKind::Instance,
    rtype: INSTANCE,
    http_tokens: "MetadataOptions.HttpTokens",
    http_endpoint: "MetadataOptions.HttpEndpoint",
    devices: "BlockDeviceMappings",
    encrypted: "BlockDeviceMappings.Ebs.Encrypted",
    public_ip: "NetworkInterfaces.AssociatePublicIpAddress",
};

const TEMPLATE_PATHS: Paths = Paths {
    kind: InstanceKind::LaunchTemplate,
    rtype: LAUNCH_TEMPLATE,
    http_tokens: "LaunchTemplateData.MetadataOptions.HttpTokens",
    http_endpoint: "LaunchTemplateData.MetadataOptions.HttpEndpoint",
    devices: "LaunchTemplateData.BlockDeviceMappings",
    encrypted: "LaunchTemplateData.BlockDeviceMappings.Ebs.Encrypted",
    public_ip: "LaunchTemplateData.NetworkInterfaces.AssociatePublicIpAddress",
};

const CONFIGURATION_PATHS: Paths = Paths {
    kind: InstanceKind::LaunchConfiguration,
    rtype: LAUNCH_CONFIGURATION,
    http_tokens: "MetadataOptions.HttpTokens",
    http_endpoint: "MetadataOptions.HttpEndpoint",
    devices: "BlockDeviceMappings",
    encrypted: "BlockDeviceMappings.Ebs.Encrypted",
    public_ip: "AssociatePublicIpAddress",
};

/// Device names that are the root device of common AMIs.
const ROOT_DEVICES: [&str; 5] = ["/dev/xvda", "/dev/sda1", "/dev/sda", "xvda", "sda1"];

/// The launch template an instance names, when it names one.
enum Template<'e> {
    None,
    Managed(ResourceId, &'e Resource),
    /// Outside the template or unresolved: what it sets is unknown.
    Unknown(Unknown, moat_model::Loc),
}

fn launch_template<'e>(e: &'e Estate, r: &Resource) -> Template<'e> {
    let Some(lt) = written(r, "LaunchTemplate") else {
        return Template::None;
    };
    let loc = lt.loc.clone().unwrap_or_else(|| r.loc.clone());
    if let Value::Unknown(u) = &lt.value {
        return Template::Unknown(u.clone(), loc);
    }
    let (node, attrs): (&Node, &[&str]) =
        match (lt.get("LaunchTemplateId"), lt.get("LaunchTemplateName")) {
            (Some(n), _) if !n.is_null() => (n, &[]),
            (_, Some(n)) if !n.is_null() => (n, &["LaunchTemplateName"]),
            _ => return Template::None,
        };
    let at = node.loc.clone().unwrap_or(loc);
    match e.resolve(node, &[LAUNCH_TEMPLATE], attrs) {
        Resolved::Resource(id) => match e.get(id) {
            Some(t) if t.rtype == LAUNCH_TEMPLATE => Template::Managed(id, t),
            _ => Template::Unknown(
                Unknown::derived("`LaunchTemplate` does not name an `AWS::EC2::LaunchTemplate`"),
                at,
            ),
        },
        Resolved::External(s) => Template::Unknown(
            Unknown::derived(format!("launch template `{s}` is not in the scanned files")),
            at,
        ),
        Resolved::Unknown(u) => Template::Unknown(
            Unknown::derived(format!("the launch template is unknown: {u}")),
            at,
        ),
        Resolved::Absent => Template::None,
    }
}

/// A metadata option: written on the declaration, else on the instance's launch template, else
/// the default at the declaration.
fn metadata(
    r: &Resource,
    id: ResourceId,
    tmpl: &Template<'_>,
    own: &'static str,
    from_template: &'static str,
    default: &str,
) -> Attr<String> {
    if let Some(a) = read_opt(r, id, own, own, "a string", text) {
        return a;
    }
    match tmpl {
        Template::Managed(tid, t) => {
            match read_opt(t, *tid, from_template, from_template, "a string", text) {
                Some(a) => a,
                // The template does not set it either: the default applies to the instance.
                None => Attr::default(default.to_string(), r.loc.clone(), own, id),
            }
        }
        Template::Unknown(u, loc) => Attr::unknown(u.clone(), loc.clone(), own, id),
        Template::None => Attr::default(default.to_string(), r.loc.clone(), own, id),
    }
}

fn device(
    r: &Resource,
    id: ResourceId,
    mapping: &Node,
    role: DeviceRole,
    shown: &'static str,
) -> Option<BlockDevice> {
    let loc = mapping.loc.clone().unwrap_or_else(|| r.loc.clone());
    let ebs = match &mapping.value {
        // The whole mapping is unknown: so is its encryption.
        Value::Unknown(u) => {
            return Some(BlockDevice {
                role,
                loc: loc.clone(),
                encrypted: Attr::unknown(u.clone(), loc, shown, id),
                from_snapshot: false,
            })
        }
        _ => mapping.get("Ebs").filter(|n| !n.is_null())?,
    };
    let at = ebs.loc.clone().unwrap_or_else(|| loc.clone());
    let encrypted = match &ebs.value {
        Value::Unknown(u) => Attr::unknown(u.clone(), at.clone(), shown, id),
        _ => node_setting(ebs.get("Encrypted"), &at, id, shown, "a bool", bool_of)
            .unwrap_or_else(|| Attr::default(false, at.clone(), shown, id)),
    };
    Some(BlockDevice {
        role,
        loc: at,
        encrypted,
        from_snapshot: ebs.get("SnapshotId").is_some_and(|s| !s.is_null()),
    })
}

/// The role of a mapping of an instance or launch configuration, by device name.
fn role_of(mapping: &Node, kind: InstanceKind) -> DeviceRole {
    if kind == InstanceKind::LaunchTemplate {
        return DeviceRole::Mapping;
    }
    match mapping.get("DeviceName").and_then(Node::as_str) {
        Some(name) if ROOT_DEVICES.contains(&name) => DeviceRole::Root,
        _ => DeviceRole::Ebs,
    }
}

/// The block devices of `r` under `path`; `None` when `r` declares none.
fn devices(
    r: &Resource,
    id: ResourceId,
    path: &str,
    kind: InstanceKind,
    shown: &'static str,
) -> Option<Vec<BlockDevice>> {
    let list = written(r, path)?;
    let out = match &list.value {
        Value::Unknown(u) => {
            let loc = list.loc.clone().unwrap_or_else(|| r.loc.clone());
            let role = if kind == InstanceKind::LaunchTemplate {
                DeviceRole::Mapping
            } else {
                DeviceRole::Root
            };
            vec![BlockDevice {
                role,
                loc: loc.clone(),
                encrypted: Attr::unknown(u.clone(), loc, shown, id),
                from_snapshot: false,
            }]
        }
        Value::List(l) => l
            .iter()
            .filter_map(|m| device(r, id, m, role_of(m, kind), shown))
            .collect(),
        _ => Vec::new(),
    };
    Some(out)
}

/// Whether a network interface gets a public IPv4 address: the first interface of `r` under
/// `path` that says so.
fn public_ip(r: &Resource, id: ResourceId, path: &str, shown: &'static str) -> Option<Attr<bool>> {
    let list = written(r, path)?;
    let at = list.loc.clone().unwrap_or_else(|| r.loc.clone());
    match &list.value {
        Value::Unknown(u) => Some(Attr::unknown(u.clone(), at, shown, id)),
        Value::List(l) => l.iter().find_map(|ni| match &ni.value {
            Value::Unknown(u) => Some(Attr::unknown(
                u.clone(),
                ni.loc.clone().unwrap_or_else(|| at.clone()),
                shown,
                id,
            )),
            _ => node_setting(
                ni.get("AssociatePublicIpAddress"),
                &at,
                id,
                shown,
                "a bool",
                bool_of,
            ),
        }),
        _ => None,
    }
}

/// CloudFormation's words for instance profiles and roles (`Ref` of an instance profile or a
/// role is its name).
pub(super) const ROLE_WORDS: RoleWords<'static> = RoleWords {
    profile_types: &["AWS::IAM::InstanceProfile"],
    profile_match: &["InstanceProfileName"],
    profile_role: "Roles",
    role_types: &["AWS::IAM::Role"],
    role_match: &["RoleName"],
};

/// The instance profile written on an instance or launch configuration
/// (`IamInstanceProfile`, a name or ARN), or in a launch template's
/// `LaunchTemplateData.IamInstanceProfile` (`Name` or `Arn`); an instance without its own
/// takes its launch template's.
fn role_link(
    e: &Estate,
    r: &Resource,
    kind: InstanceKind,
    tmpl: &Template<'_>,
) -> Option<RoleLink> {
    let in_template = |t: &Resource| {
        let b = written(t, "LaunchTemplateData.IamInstanceProfile")?;
        let n = match &b.value {
            // Unknown as a whole: the profile is unknown.
            Value::Unknown(_) => b,
            _ => b
                .get("Name")
                .filter(|n| !n.is_null())
                .or_else(|| b.get("Arn"))?,
        };
        RoleLink::through_profile(e, n, &ROLE_WORDS, &t.loc)
    };
    match kind {
        InstanceKind::LaunchTemplate => in_template(r),
        InstanceKind::LaunchConfiguration => {
            RoleLink::through_profile(e, written(r, "IamInstanceProfile")?, &ROLE_WORDS, &r.loc)
        }
        InstanceKind::Instance => match written(r, "IamInstanceProfile") {
            Some(n) => RoleLink::through_profile(e, n, &ROLE_WORDS, &r.loc),
            None => match tmpl {
                Template::Managed(_, t) => in_template(t),
                Template::Unknown(u, loc) => Some(RoleLink {
                    profile: Some(Resolved::Unknown(u.clone())),
                    role: Resolved::Unknown(u.clone()),
                    loc: loc.clone(),
                }),
                Template::None => None,
            },
        },
    }
}

fn instance(e: &Estate, r: &Resource, id: ResourceId, p: &Paths) -> Instance {
    let tmpl = match p.kind {
        InstanceKind::Instance => launch_template(e, r),
        InstanceKind::LaunchTemplate | InstanceKind::LaunchConfiguration => Template::None,
    };
    let metadata_http_tokens = metadata(
        r,
        id,
        &tmpl,
        p.http_tokens,
        TEMPLATE_PATHS.http_tokens,
        "optional",
    );
    let metadata_http_endpoint = metadata(
        r,
        id,
        &tmpl,
        p.http_endpoint,
        TEMPLATE_PATHS.http_endpoint,
        "enabled",
    );

    let block_devices = match devices(r, id, p.devices, p.kind, p.encrypted) {
        Some(d) => d,
        None => match &tmpl {
            // The launch template's mappings, read as an instance's (by device name).
            Template::Managed(tid, t) => devices(
                t,
                *tid,
                TEMPLATE_PATHS.devices,
                InstanceKind::Instance,
                TEMPLATE_PATHS.encrypted,
            )
            .unwrap_or_default(),
            Template::Unknown(u, loc) => vec![BlockDevice {
                role: DeviceRole::Root,
                loc: loc.clone(),
                encrypted: Attr::unknown(u.clone(), loc.clone(), p.encrypted, id),
                from_snapshot: false,
            }],
            Template::None => Vec::new(),
        },
    };

    let associate_public_ip_address = match p.kind {
        InstanceKind::LaunchConfiguration => {
            read_opt(r, id, p.public_ip, p.public_ip, "a bool", bool_of)
        }
        InstanceKind::LaunchTemplate => {
            public_ip(r, id, "LaunchTemplateData.NetworkInterfaces", p.public_ip)
        }
        InstanceKind::Instance => {
            public_ip(r, id, "NetworkInterfaces", p.public_ip).or_else(|| match &tmpl {
                Template::Managed(tid, t) => public_ip(
                    t,
                    *tid,
                    "LaunchTemplateData.NetworkInterfaces",
                    TEMPLATE_PATHS.public_ip,
                ),
                Template::Unknown(u, loc) => {
                    Some(Attr::unknown(u.clone(), loc.clone(), p.public_ip, id))
                }
                Template::None => None,
            })
        }
    };
    let role = role_link(e, r, p.kind, &tmpl);
    Instance {
        id,
        kind: p.kind,
        metadata_http_endpoint,
        metadata_http_tokens,
        associate_public_ip_address,
        block_devices,
        role,
    }
}

fn volume(r: &Resource, id: ResourceId) -> Volume {
    const ENCRYPTED: &str = "Encrypted";
    let encrypted = match read_opt(r, id, ENCRYPTED, ENCRYPTED, "a bool", bool_of) {
        Some(a) => a,
        // Created from a snapshot: the snapshot's encryption decides.
        None => match written(r, "SnapshotId") {
            Some(s) => {
                let why = match &s.value {
                    Value::String(name) => format!(
                        "not set, and the volume is created from snapshot `{name}`, whose encryption it inherits"
                    ),
                    _ => "not set, and the volume is created from a snapshot, whose encryption it inherits"
                        .to_string(),
                };
                Attr::unknown(
                    Unknown::derived(why),
                    s.loc.clone().unwrap_or_else(|| r.loc.clone()),
                    ENCRYPTED,
                    id,
                )
            }
            None => Attr::default(false, r.loc.clone(), ENCRYPTED, id),
        },
    };
    Volume { id, encrypted }
}

/// Build the compute family of a CloudFormation estate.
pub fn build(e: &Estate) -> Compute {
    let mut instances: Vec<Instance> = [&INSTANCE_PATHS, &TEMPLATE_PATHS, &CONFIGURATION_PATHS]
        .into_iter()
        .flat_map(|p| {
            e.managed_of_type(p.rtype)
                .map(move |(id, r)| instance(e, r, id, p))
        })
        .collect();
    instances.sort_by_key(|i| i.id);
    let volumes = e
        .managed_of_type("AWS::EC2::Volume")
        .map(|(id, r)| volume(r, id))
        .collect();
    Compute {
        instances,
        volumes,
        ebs_encryption_by_default: Vec::new(),
    }
}
