//! The Terraform adapter of the database family ([`moat_model::aws::database`]).

use moat_model::aws::database::Database;
use moat_model::Estate;

/// Build the database family of a Terraform estate.
pub(super) fn build(_e: &Estate) -> Database {
    Database::default()
}
