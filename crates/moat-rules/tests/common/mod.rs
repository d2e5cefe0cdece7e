//! Helpers shared by the rule test files.

#[path = "../../../../tests/support/peers.rs"]
mod peers;
pub use peers::missing_peer;
