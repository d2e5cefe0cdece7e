//! Adapters: the resolved Terraform estate into moat's typed AWS state
//! ([`moat_model::aws::AwsState`]).
//!
//! Every Terraform-specific fact lives here: resource type names, attribute names and the
//! provider's defaults (which differ from CloudFormation's and the API's). Rules and analyses
//! read only the typed state, so they run unchanged on every frontend. One module per service
//! family, mirroring `moat_model::aws`.

use moat_model::aws::AwsState;
use moat_model::Estate;

mod network;

/// Build the typed AWS state of a resolved Terraform estate and store it in
/// [`Estate::aws`]. [`crate::load`] calls it for every root; tests that build an estate by hand
/// call it themselves.
pub fn adapt(estate: &mut Estate) {
    let mut aws = AwsState::default();
    aws.network = network::build(estate);
    estate.aws = aws;
}
