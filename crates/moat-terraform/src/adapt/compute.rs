//! The Terraform adapter of the compute family ([`moat_model::aws::compute`]).

use moat_model::aws::compute::Compute;
use moat_model::Estate;

/// Build the compute family of a Terraform estate.
pub(super) fn build(_e: &Estate) -> Compute {
    Compute::default()
}
