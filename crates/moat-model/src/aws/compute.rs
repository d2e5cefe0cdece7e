//! The compute family of the typed state: EC2 instances, launch templates and configurations
//! (their metadata options, public address and block devices), EBS volumes and the account's
//! EBS encryption default.
//!
//! Each frontend's adapter builds it (Terraform: `moat-terraform/src/adapt/compute.rs`) and
//! applies its defaults: an unset `http_tokens` is `optional` in the Terraform provider, an
//! unset `encrypted` on a volume is `false`.

use crate::aws::Attr;
use crate::estate::ResourceId;
use crate::value::Loc;

/// EC2 instances, launch templates and configurations, EBS volumes and the account's EBS
/// encryption default.
#[derive(Clone, Debug, Default)]
pub struct Compute {
    /// Instances, launch templates and launch configurations, in address order.
    pub instances: Vec<Instance>,
    pub volumes: Vec<Volume>,
    /// Settings of the account's EBS encryption default (one per region in practice).
    pub ebs_encryption_by_default: Vec<EbsDefaultEncryption>,
}

/// What declares an instance's settings. Findings may claim different Checkov equivalents for
/// each (Checkov reads launch templates with other checks), and some settings exist only on
/// some kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceKind {
    Instance,
    LaunchTemplate,
    LaunchConfiguration,
}

/// An instance, or a template that launches instances.
#[derive(Clone, Debug)]
pub struct Instance {
    pub id: ResourceId,
    pub kind: InstanceKind,
    /// The instance metadata endpoint: `enabled` or `disabled`.
    pub metadata_http_endpoint: Attr<String>,
    /// Whether IMDSv2 session tokens are `required` or `optional`.
    pub metadata_http_tokens: Attr<String>,
    /// Whether the instance gets a public IPv4 address, when the source says so (`None`: the
    /// subnet's setting decides). Instances and launch configurations only.
    pub associate_public_ip_address: Option<Attr<bool>>,
    /// The block devices declared, in source order.
    pub block_devices: Vec<BlockDevice>,
    /// The role the instance runs as, through the instance profile written on it (an
    /// instance's, a launch template's or a configuration's own); `None` when none is
    /// written.
    pub role: Option<crate::aws::identity::RoleLink>,
}

impl Instance {
    /// Whether the source declares settings for the root volume (instances and launch
    /// configurations; a launch template's mappings do not say which device is the root).
    pub fn declares_root_device(&self) -> bool {
        self.block_devices
            .iter()
            .any(|d| d.role == DeviceRole::Root)
    }
}

/// Which volume a block device describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceRole {
    /// The root volume.
    Root,
    /// An additional EBS volume.
    Ebs,
    /// A device mapping of a launch template (root or not).
    Mapping,
}

/// An EBS volume declared with an instance or template.
#[derive(Clone, Debug)]
pub struct BlockDevice {
    pub role: DeviceRole,
    /// Where the device is declared.
    pub loc: Loc,
    pub encrypted: Attr<bool>,
    /// Created from a snapshot: an unset `encrypted` inherits the snapshot's encryption.
    pub from_snapshot: bool,
}

/// An EBS volume.
#[derive(Clone, Debug)]
pub struct Volume {
    pub id: ResourceId,
    pub encrypted: Attr<bool>,
}

/// The account's (region's) default encryption of new EBS volumes.
#[derive(Clone, Debug)]
pub struct EbsDefaultEncryption {
    pub id: ResourceId,
    pub enabled: Attr<bool>,
}
