//! The Terraform adapter of the edge family ([`moat_model::aws::edge`]).

use moat_model::aws::edge::Edge;
use moat_model::Estate;

/// Build the edge family of a Terraform estate.
pub(super) fn build(_e: &Estate) -> Edge {
    Edge::default()
}
