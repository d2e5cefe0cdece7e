//! The CloudFormation adapter of the serverless family (being written).

use moat_model::aws::serverless::Serverless;
use moat_model::Estate;

pub fn build(_e: &Estate) -> Serverless {
    Serverless::default()
}
