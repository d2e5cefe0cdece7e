//! Adapters: the resolved Terraform estate into moat's typed AWS state
//! ([`moat_model::aws::AwsState`]).
//!
//! Every Terraform-specific fact lives here: resource type names, attribute names and the
//! provider's defaults (which differ from CloudFormation's and the API's). Rules and analyses
//! read only the typed state, so they run unchanged on every frontend. One module per service
//! family, mirroring `moat_model::aws`.

use moat_model::aws::AwsState;
use moat_model::Estate;

mod compute;
mod containers;
mod database;
mod edge;
mod identity;
mod logging;
mod messaging;
mod network;
mod security;
mod serverless;
/// The shared readers of one setting ([`moat_model::aws::setting`]).
use moat_model::aws::setting;
mod storage;
mod terms;

/// Build the typed AWS state of a resolved Terraform estate and store it in
/// [`Estate::aws`]. [`crate::load`] calls it for every root; tests that build an estate by hand
/// call it themselves.
pub fn adapt(estate: &mut Estate) {
    estate.aws = AwsState {
        network: network::build(estate),
        compute: compute::build(estate),
        database: database::build(estate),
        storage: storage::build(estate),
        security: security::build(estate),
        messaging: messaging::build(estate),
        identity: identity::build(estate),
        serverless: serverless::build(estate),
        logging: logging::build(estate),
        containers: containers::build(estate),
        edge: edge::build(estate),
        terms: terms::build(),
    };
}
