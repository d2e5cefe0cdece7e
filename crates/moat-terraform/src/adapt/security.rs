//! The Terraform adapter of the security family ([`moat_model::aws::security`]).

use moat_model::aws::security::Security;
use moat_model::Estate;

/// Build the security family of a Terraform estate.
pub(super) fn build(_e: &Estate) -> Security {
    Security::default()
}
