//! The CloudFormation adapter of the containers family (being written).

use moat_model::aws::containers::Containers;
use moat_model::Estate;

pub fn build(_e: &Estate) -> Containers {
    Containers::default()
}
