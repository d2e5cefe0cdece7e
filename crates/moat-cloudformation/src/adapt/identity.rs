//! The CloudFormation adapter of the identity family (being written).

use moat_model::aws::identity::Identity;
use moat_model::Estate;

pub fn build(_e: &Estate) -> Identity {
    Identity::default()
}
