//! The CloudFormation adapter of the edge family (being written).

use moat_model::aws::edge::Edge;
use moat_model::Estate;

pub fn build(_e: &Estate) -> Edge {
    Edge::default()
}
