//! The CloudFormation adapter of the logging family ([`moat_model::aws::logging`]):
//! `AWS::CloudTrail::Trail`, `AWS::Logs::LogGroup`, `AWS::EC2::FlowLog`,
//! `AWS::Config::ConfigurationRecorder`, `AWS::GuardDuty::Detector`, `AWS::SecurityHub::Hub`
//! and `AWS::SecurityHub::Standard`.
//!
//! # Defaults
//! * Trail: `IsLogging` is required
//!   ([AWS::CloudTrail::Trail](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudtrail-trail.html));
//!   a trail without it cannot be created, so whether it logs is unknown (never a pass).
//!   `IsMultiRegionTrail` and `EnableLogFileValidation` default to `false` (the `CreateTrail`
//!   API's defaults); `KMSKeyId` and `CloudWatchLogsLogGroupArn` unset name nothing.
//! * Log group: without `RetentionInDays` the events never expire
//!   ([AWS::Logs::LogGroup](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-loggroup.html)).
//! * Config recorder: without `RecordingGroup`, AWS Config records every supported resource
//!   type; `RecordingGroup.AllSupported` and `RecordingGroup.IncludeGlobalResourceTypes` default
//!   to `false` in the API when a recording group is written
//!   ([RecordingGroup](https://docs.aws.amazon.com/config/latest/APIReference/API_RecordingGroup.html)).
//!   CloudFormation has no resource for the recorder's status: CloudFormation starts the
//!   recorder once a delivery channel exists, so `enabled` is not set.
//! * GuardDuty detector: `Enable` is required
//!   ([AWS::GuardDuty::Detector](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-guardduty-detector.html));
//!   without it, whether the detector is on is unknown.

use moat_model::aws::logging::*;
use moat_model::aws::network::Ref;
use moat_model::aws::Attr;
use moat_model::{Estate, Node, Resource, ResourceId, Unknown};

use super::setting::{bool_attr, names_object, read, read_opt, written};

/// Build the logging family of a CloudFormation estate.
pub fn build(e: &Estate) -> Logging {
    Logging {
        trails: e
            .managed_of_type("AWS::CloudTrail::Trail")
            .map(|(id, r)| Trail {
                id,
                logging: required_bool(r, id, "IsLogging"),
                multi_region: bool_attr(r, id, "IsMultiRegionTrail", "IsMultiRegionTrail", false),
                log_file_validation: bool_attr(
                    r,
                    id,
                    "EnableLogFileValidation",
                    "EnableLogFileValidation",
                    false,
                ),
                kms_key: names_object(r, id, "KMSKeyId", "KMSKeyId"),
                cloudwatch_logs: names_object(
                    r,
                    id,
                    "CloudWatchLogsLogGroupArn",
                    "CloudWatchLogsLogGroupArn",
                ),
            })
            .collect(),
        log_groups: e
            .managed_of_type("AWS::Logs::LogGroup")
            .map(|(id, r)| LogGroup {
                id,
                // Not set: the events never expire.
                retention_days: read(
                    r,
                    id,
                    "RetentionInDays",
                    "RetentionInDays",
                    0.0,
                    "a number",
                    Node::as_f64,
                ),
            })
            .collect(),
        flow_logs: e
            .managed_of_type("AWS::EC2::FlowLog")
            .map(|(id, r)| flow_log(e, id, r))
            .collect(),
        config_recorders: e
            .managed_of_type("AWS::Config::ConfigurationRecorder")
            .map(|(id, r)| recorder(id, r))
            .collect(),
        guardduty_detectors: e
            .managed_of_type("AWS::GuardDuty::Detector")
            .map(|(id, r)| GuardDutyDetector {
                id,
                enabled: required_bool(r, id, "Enable"),
            })
            .collect(),
        security_hub_accounts: e
            .managed_of_type("AWS::SecurityHub::Hub")
            .map(|(id, _)| SecurityHubAccount { id })
            .collect(),
        security_hub_standards: e
            .managed_of_type("AWS::SecurityHub::Standard")
            .filter_map(|(id, r)| {
                Some(SecurityHubStandard {
                    id,
                    arn: read_opt(r, id, "StandardsArn", "StandardsArn", "a string", |n| {
                        n.as_str().map(str::to_string)
                    })?,
                })
            })
            .collect(),
    }
}

/// A required bool property: absent, the resource cannot be created as written, and the
/// setting is unknown rather than a default.
fn required_bool(r: &Resource, id: ResourceId, key: &'static str) -> Attr<bool> {
    read_opt(r, id, key, key, "a bool", Node::as_bool).unwrap_or_else(|| {
        Attr::unknown(
            Unknown::derived(format!(
                "`{key}` is required and not set: `{}` cannot be created as written",
                r.address
            )),
            r.loc.clone(),
            key,
            id,
        )
    })
}

fn recorder(id: ResourceId, r: &Resource) -> ConfigRecorder {
    // No recording group: every supported resource type (global types excluded). A written
    // recording group without `AllSupported` records only what it lists.
    // A default is located at the recording group when one is written.
    let group =
        written(r, "RecordingGroup").map(|g| g.loc.clone().unwrap_or_else(|| r.loc.clone()));
    const ALL: &str = "RecordingGroup.AllSupported";
    ConfigRecorder {
        id,
        all_supported: read_opt(r, id, ALL, ALL, "a bool", Node::as_bool).unwrap_or_else(|| {
            let at = group.clone().unwrap_or_else(|| r.loc.clone());
            Attr::default(group.is_none(), at, ALL, id)
        }),
        include_global_resource_types: bool_attr(
            r,
            id,
            "RecordingGroup.IncludeGlobalResourceTypes",
            "RecordingGroup.IncludeGlobalResourceTypes",
            false,
        ),
        enabled: None,
    }
}

/// `ResourceId` names a VPC, a subnet or a network interface, as `ResourceType` says. When the
/// type is unknown, the resource is resolved against all three kinds: a reference decides
/// which; a literal ID by its prefix; otherwise it is unknown for each.
fn flow_log(e: &Estate, id: ResourceId, r: &Resource) -> FlowLog {
    const VPC: &[&str] = &["AWS::EC2::VPC"];
    const SUBNET: &[&str] = &["AWS::EC2::Subnet"];
    const ENI: &[&str] = &["AWS::EC2::NetworkInterface"];
    let mut out = FlowLog {
        id,
        vpc: None,
        subnet: None,
        eni: None,
        loc: r.loc.clone(),
    };
    let Some(target) = r.get("ResourceId") else {
        return out;
    };
    let resolve = |types: &[&str]| Ref::from_resolved(e.resolve(target, types, &[]));
    match r.get("ResourceType").map(|n| (n, n.as_str())) {
        Some((_, Some("VPC"))) => out.vpc = resolve(VPC),
        Some((_, Some("Subnet"))) => out.subnet = resolve(SUBNET),
        Some((_, Some("NetworkInterface"))) => out.eni = resolve(ENI),
        // Another type (a transit gateway): none of the three.
        Some((n, Some(_))) if !n.is_unknown() => {}
        _ => {
            // Unknown type: a reference to a resource of the estate says which it is.
            let all = [VPC, SUBNET, ENI].concat();
            match e.resolve(target, &all, &[]) {
                moat_model::Resolved::Resource(t) => {
                    let rtype = e.get(t).map(|t| t.rtype.as_str()).unwrap_or_default();
                    let slot = if VPC.contains(&rtype) {
                        &mut out.vpc
                    } else if SUBNET.contains(&rtype) {
                        &mut out.subnet
                    } else {
                        &mut out.eni
                    };
                    *slot = Some(Ref::Res(t));
                }
                other => {
                    let u = match other {
                        moat_model::Resolved::Unknown(u) => u,
                        _ => match r.get("ResourceType").and_then(Node::unknown_reason) {
                            Some(u) => u.clone(),
                            None => Unknown::derived("`ResourceType` is not set"),
                        },
                    };
                    out.vpc = Some(Ref::Unknown(u.clone()));
                    out.subnet = Some(Ref::Unknown(u.clone()));
                    out.eni = Some(Ref::Unknown(u));
                }
            }
        }
    }
    out
}
