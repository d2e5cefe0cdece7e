//! Adapters: the resolved CloudFormation estate into moat's typed AWS state
//! ([`moat_model::aws::AwsState`]).
//!
//! Every CloudFormation-specific fact lives here: resource type names (`AWS::EC2::Instance`),
//! property names (`MetadataOptions.HttpTokens`) and the defaults CloudFormation applies (the
//! AWS API's, which differ from the Terraform provider's: a security group without
//! `SecurityGroupEgress` keeps the allow-all egress rule). Rules and analyses read only the
//! typed state, so they run unchanged on templates. One module per service family, mirroring
//! `moat_model::aws` and `moat-terraform/src/adapt`.

use moat_model::aws::AwsState;
use moat_model::Estate;

mod checkov;
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
mod storage;
mod terms;

/// The shared readers of one setting ([`moat_model::aws::setting`]).
#[allow(unused_imports)]
use moat_model::aws::setting;

/// Build the typed AWS state of a resolved CloudFormation estate and store it in
/// [`Estate::aws`]. [`crate::load`] calls it for every root template.
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
