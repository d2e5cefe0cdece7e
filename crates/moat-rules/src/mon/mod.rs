//! Account monitoring baseline: GuardDuty, Security Hub, AWS Config (CIS AWS Foundations
//! Benchmark, sections "Logging" and "Monitoring"; AWS Security Hub controls GuardDuty.1 and
//! Config.1).
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

/// Where an account-wide finding (no GuardDuty, no Security Hub, no Config recorder) is
/// reported, if the configuration manages the account baseline at all
/// ([`moat_model::aws::logging::Logging::baseline_anchor`]): a trail that is switched on
/// rather than a disabled one, which would read as if that trail were the cause.
pub(crate) fn baseline<'e>(ctx: &Ctx<'e>) -> Option<&'e Resource> {
    ctx.resource(ctx.aws().logging.baseline_anchor()?)
}
