//! The CloudFormation adapter of the logging family (being written).

use moat_model::aws::logging::Logging;
use moat_model::Estate;

pub fn build(_e: &Estate) -> Logging {
    Logging::default()
}
