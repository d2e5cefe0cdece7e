//! The CloudFormation adapter of the compute family (being written).

use moat_model::aws::compute::Compute;
use moat_model::Estate;

pub fn build(_e: &Estate) -> Compute {
    Compute::default()
}
