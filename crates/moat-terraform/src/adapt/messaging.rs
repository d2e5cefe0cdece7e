//! The Terraform adapter of the messaging family ([`moat_model::aws::messaging`]).

use moat_model::aws::messaging::Messaging;
use moat_model::Estate;

/// Build the messaging family of a Terraform estate.
pub(super) fn build(_e: &Estate) -> Messaging {
    Messaging::default()
}
