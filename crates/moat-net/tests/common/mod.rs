//! Helpers shared by the reachability test files.

#[path = "../../../../tests/support/peers.rs"]
mod peers;
#[allow(unused_imports)] // not every test file compares with a peer
pub use peers::missing_peer;

/// A rule fixture shared with moat-rules (`fixtures/<family>/<CODE>/terraform/<variant>` at the
/// workspace root), so that a scenario both crates test is written once.
#[allow(dead_code)] // not every test file uses it
pub fn rule_fixture(family: &str, code: &str, variant: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(family)
        .join(code)
        .join("terraform")
        .join(variant)
}
