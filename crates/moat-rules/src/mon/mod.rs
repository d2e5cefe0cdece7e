//! Account monitoring baseline: GuardDuty, Security Hub, AWS Config (seed 001 "모니터링 및
//! 감사", seed 004 "위협 탐지 및 대응").
//!
//! Presence checks apply only to configurations that manage the account baseline (they
//! declare an `aws_cloudtrail`, a GuardDuty detector, Security Hub or a Config recorder):
//! an application module is not expected to enable account services.

pub(crate) mod config_recorder;
pub(crate) mod guardduty;
pub(crate) mod security_hub;

use moat_model::Resource;

use crate::registry::Ctx;

pub(crate) const FAMILY: &str = "mon";

const BASELINE: [&str; 4] = [
    "aws_cloudtrail",
    "aws_guardduty_detector",
    "aws_securityhub_account",
    "aws_config_configuration_recorder",
];

/// The first baseline resource of the estate (where a missing service is reported),
/// preferring one that is switched on: a trail with `enable_logging = false` is not where the
/// account's monitoring lives, and reporting there reads as if that trail were the cause.
pub(crate) fn baseline<'e>(ctx: &Ctx<'e>) -> Option<&'e Resource> {
    let enabled = |r: &&Resource| {
        r.get("enable_logging")
            .and_then(moat_model::Node::as_bool)
            .unwrap_or(true)
    };
    BASELINE
        .iter()
        .find_map(|t| ctx.of_type(t).find(enabled))
        .or_else(|| BASELINE.iter().find_map(|t| ctx.of_type(t).next()))
}
