//! The CloudFormation adapter of the storage family (being written).

use moat_model::aws::storage::Storage;
use moat_model::Estate;

pub fn build(_e: &Estate) -> Storage {
    Storage::default()
}
