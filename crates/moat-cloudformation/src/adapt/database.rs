//! The CloudFormation adapter of the database family (being written).

use moat_model::aws::database::Database;
use moat_model::Estate;

pub fn build(_e: &Estate) -> Database {
    Database::default()
}
