//! The logging family of the typed state: CloudTrail trails, CloudWatch log groups, VPC flow
//! logs, AWS Config recorders, GuardDuty detectors, Security Hub.
//!
//! Only what the configuration declares is here (a Terraform data source that looks up an
//! existing trail is not). Each element keeps the [`ResourceId`] of the resource that declares
//! it, so findings name it.

use crate::aws::network::Ref;
use crate::aws::Attr;
use crate::estate::ResourceId;
use crate::value::Loc;

/// A CloudTrail trail.
#[derive(Clone, Debug, PartialEq)]
pub struct Trail {
    pub id: ResourceId,
    /// The trail records events (AWS default `true`).
    pub logging: Attr<bool>,
    /// The trail records every region (default `false`).
    pub multi_region: Attr<bool>,
    /// Digest files let log files be validated (default `false`).
    pub log_file_validation: Attr<bool>,
    /// A KMS key is named for the log files (a literal key ID or ARN, or a reference to a key):
    /// `true`; not set or empty: `false` (the default, log files use the bucket's encryption).
    pub kms_key: Attr<bool>,
    /// A CloudWatch Logs group receives the events (named as for `kms_key`; default `false`).
    pub cloudwatch_logs: Attr<bool>,
}

/// A CloudWatch Logs log group.
#[derive(Clone, Debug, PartialEq)]
pub struct LogGroup {
    pub id: ResourceId,
    /// Days the events are kept; `0` means forever (the default).
    pub retention_days: Attr<f64>,
}

/// What a VPC flow log records: one VPC, subnet or network interface (`None` where it names
/// none of them, e.g. a transit gateway).
#[derive(Clone, Debug, PartialEq)]
pub struct FlowLog {
    pub id: ResourceId,
    pub vpc: Option<Ref>,
    pub subnet: Option<Ref>,
    pub eni: Option<Ref>,
    pub loc: Loc,
}

/// An AWS Config configuration recorder.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigRecorder {
    pub id: ResourceId,
    /// Records every supported resource type (default `true`).
    pub all_supported: Attr<bool>,
    /// Records global resources such as IAM users and roles (default `false`).
    pub include_global_resource_types: Attr<bool>,
    /// Whether the recorder is started, when the configuration sets its status (Terraform:
    /// `aws_config_configuration_recorder_status`); `None` when nothing declares it.
    pub enabled: Option<Attr<bool>>,
}

/// A GuardDuty detector.
#[derive(Clone, Debug, PartialEq)]
pub struct GuardDutyDetector {
    pub id: ResourceId,
    /// Default `true`.
    pub enabled: Attr<bool>,
}

/// Security Hub enabled in an account (and region).
#[derive(Clone, Debug, PartialEq)]
pub struct SecurityHubAccount {
    pub id: ResourceId,
}

/// A Security Hub standard the account subscribes to.
#[derive(Clone, Debug, PartialEq)]
pub struct SecurityHubStandard {
    pub id: ResourceId,
    /// The standard's ARN.
    pub arn: Attr<String>,
}

/// CloudTrail trails, CloudWatch log groups, VPC flow logs, AWS Config recorders, GuardDuty
/// detectors, Security Hub, each list in the order the frontend declares them (Terraform:
/// address order).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Logging {
    pub trails: Vec<Trail>,
    pub log_groups: Vec<LogGroup>,
    pub flow_logs: Vec<FlowLog>,
    pub config_recorders: Vec<ConfigRecorder>,
    pub guardduty_detectors: Vec<GuardDutyDetector>,
    pub security_hub_accounts: Vec<SecurityHubAccount>,
    pub security_hub_standards: Vec<SecurityHubStandard>,
}

impl Logging {
    /// Whether the configuration manages the account's monitoring baseline (it declares a
    /// trail, a GuardDuty detector, Security Hub or a Config recorder), and where account-wide
    /// findings (no GuardDuty, no recorder...) are reported: the first trail that is not
    /// switched off, else the first detector, Security Hub account or recorder, else the first
    /// trail. An application configuration declares none of them and is not expected to
    /// enable account services: `None`.
    pub fn baseline_anchor(&self) -> Option<ResourceId> {
        self.trails
            .iter()
            .find(|t| t.logging.written() != Some(&false))
            .map(|t| t.id)
            .or_else(|| self.guardduty_detectors.first().map(|d| d.id))
            .or_else(|| self.security_hub_accounts.first().map(|a| a.id))
            .or_else(|| self.config_recorders.first().map(|r| r.id))
            .or_else(|| self.trails.first().map(|t| t.id))
    }
}
