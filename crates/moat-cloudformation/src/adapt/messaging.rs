//! The CloudFormation adapter of the messaging family (being written).

use moat_model::aws::messaging::Messaging;
use moat_model::Estate;

pub fn build(_e: &Estate) -> Messaging {
    Messaging::default()
}
