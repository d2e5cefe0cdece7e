//! The Terraform adapter of the identity family ([`moat_model::aws::identity`]).

use moat_model::aws::identity::Identity;
use moat_model::Estate;

/// Build the identity family of a Terraform estate.
pub(super) fn build(_e: &Estate) -> Identity {
    Identity::default()
}
