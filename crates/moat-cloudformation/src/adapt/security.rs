//! The CloudFormation adapter of the security family (being written).

use moat_model::aws::security::Security;
use moat_model::Estate;

pub fn build(_e: &Estate) -> Security {
    Security::default()
}
