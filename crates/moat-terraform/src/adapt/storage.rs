//! The Terraform adapter of the storage family ([`moat_model::aws::storage`]).

use moat_model::aws::storage::Storage;
use moat_model::Estate;

/// Build the storage family of a Terraform estate.
pub(super) fn build(_e: &Estate) -> Storage {
    Storage::default()
}
