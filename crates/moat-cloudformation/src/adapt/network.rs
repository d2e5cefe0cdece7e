//! The CloudFormation adapter of the network family (being written).

use moat_model::aws::network::Network;
use moat_model::Estate;

pub fn build(_e: &Estate) -> Network {
    Network::default()
}
