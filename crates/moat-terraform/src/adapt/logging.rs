//! The Terraform adapter of the logging family ([`moat_model::aws::logging`]): `aws_cloudtrail`,
//! `aws_cloudwatch_log_group`, `aws_flow_log`, `aws_config_configuration_recorder` (with its
//! `aws_config_configuration_recorder_status`), `aws_guardduty_detector`,
//! `aws_securityhub_account` and `aws_securityhub_standards_subscription`.
//!
//! Managed resources only: a data source looks up a trail or detector that this configuration
//! does not manage.

use moat_model::aws::logging::*;
use moat_model::aws::network::Ref;
use moat_model::aws::Attr;
use moat_model::{Estate, Node, Resource, ResourceId};

use super::setting::{bool_attr, names_object, read, read_opt};

/// Build the logging family of a Terraform estate.
pub(super) fn build(e: &Estate) -> Logging {
    Logging {
        trails: e
            .managed_of_type("aws_cloudtrail")
            .map(|(id, r)| Trail {
                id,
                logging: bool_attr(r, id, "enable_logging", "enable_logging", true),
                multi_region: bool_attr(
                    r,
                    id,
                    "is_multi_region_trail",
                    "is_multi_region_trail",
                    false,
                ),
                log_file_validation: bool_attr(
                    r,
                    id,
                    "enable_log_file_validation",
                    "enable_log_file_validation",
                    false,
                ),
                kms_key: names_object(r, id, "kms_key_id", "kms_key_id"),
                cloudwatch_logs: names_object(
                    r,
                    id,
                    "cloud_watch_logs_group_arn",
                    "cloud_watch_logs_group_arn",
                ),
            })
            .collect(),
        log_groups: e
            .managed_of_type("aws_cloudwatch_log_group")
            .map(|(id, r)| LogGroup {
                id,
                // Not set (or 0): the events never expire.
                retention_days: read(
                    r,
                    id,
                    "retention_in_days",
                    "retention_in_days",
                    0.0,
                    "a number",
                    Node::as_f64,
                ),
            })
            .collect(),
        flow_logs: e
            .managed_of_type("aws_flow_log")
            .map(|(id, r)| FlowLog {
                id,
                vpc: reference(e, r, "vpc_id", &["aws_vpc", "aws_default_vpc"]),
                subnet: reference(e, r, "subnet_id", &["aws_subnet", "aws_default_subnet"]),
                eni: reference(e, r, "eni_id", &["aws_network_interface"]),
                loc: r.loc.clone(),
            })
            .collect(),
        config_recorders: e
            .managed_of_type("aws_config_configuration_recorder")
            .map(|(id, r)| ConfigRecorder {
                id,
                all_supported: bool_attr(
                    r,
                    id,
                    "recording_group.0.all_supported",
                    "recording_group.all_supported",
                    true,
                ),
                include_global_resource_types: bool_attr(
                    r,
                    id,
                    "recording_group.0.include_global_resource_types",
                    "recording_group.include_global_resource_types",
                    false,
                ),
                enabled: recorder_status(e, id),
            })
            .collect(),
        guardduty_detectors: e
            .managed_of_type("aws_guardduty_detector")
            .map(|(id, r)| GuardDutyDetector {
                id,
                enabled: bool_attr(r, id, "enable", "enable", true),
            })
            .collect(),
        security_hub_accounts: e
            .managed_of_type("aws_securityhub_account")
            .map(|(id, _)| SecurityHubAccount { id })
            .collect(),
        security_hub_standards: e
            .managed_of_type("aws_securityhub_standards_subscription")
            .filter_map(|(id, r)| {
                Some(SecurityHubStandard {
                    id,
                    arn: read_opt(r, id, "standards_arn", "standards_arn", "a string", |n| {
                        n.as_str().map(str::to_string)
                    })?,
                })
            })
            .collect(),
    }
}

/// The object a flow log attribute names (`None` when it is not set).
fn reference(e: &Estate, r: &Resource, attr: &str, types: &[&str]) -> Option<Ref> {
    Ref::from_resolved(e.resolve(r.get(attr)?, types, &[]))
}

/// `is_enabled` of the `aws_config_configuration_recorder_status` that names the recorder.
fn recorder_status(e: &Estate, recorder: ResourceId) -> Option<Attr<bool>> {
    e.referrers(recorder, "aws_config_configuration_recorder_status", None)
        .into_iter()
        .find_map(|sid| {
            let s = e.get(sid)?;
            read_opt(s, sid, "is_enabled", "is_enabled", "a bool", Node::as_bool)
        })
}
