//! The Terraform adapter of the logging family ([`moat_model::aws::logging`]).

use moat_model::aws::logging::Logging;
use moat_model::Estate;

/// Build the logging family of a Terraform estate.
pub(super) fn build(_e: &Estate) -> Logging {
    Logging::default()
}
