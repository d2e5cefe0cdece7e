//! The Terraform adapter of the containers family ([`moat_model::aws::containers`]).

use moat_model::aws::containers::Containers;
use moat_model::Estate;

/// Build the containers family of a Terraform estate.
pub(super) fn build(_e: &Estate) -> Containers {
    Containers::default()
}
