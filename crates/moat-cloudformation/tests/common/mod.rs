//! Helpers shared by the CloudFormation test files.

#[path = "../../../../tests/support/peers.rs"]
mod peers;
pub use peers::missing_peer;
