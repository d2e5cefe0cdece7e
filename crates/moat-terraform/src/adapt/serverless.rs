//! The Terraform adapter of the serverless family ([`moat_model::aws::serverless`]).

use moat_model::aws::serverless::Serverless;
use moat_model::Estate;

/// Build the serverless family of a Terraform estate.
pub(super) fn build(_e: &Estate) -> Serverless {
    Serverless::default()
}
