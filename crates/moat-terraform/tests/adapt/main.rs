//! The Terraform adapters, family by family: each module loads small configurations and asserts
//! the typed state they produce (written values with their path and line, the provider's
//! defaults, unresolved values as unknown, invalid ones as invalid). One test binary for all
//! families, sharing the loading helpers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use moat_model::{Estate, ResourceId};

mod compute;
mod containers;
mod database;
mod edge;
mod identity;
mod logging;
mod security;
mod serverless;
mod storage;

/// Load one `main.tf` holding `hcl` (in a temporary directory): exactly one root module.
pub fn load(hcl: &str) -> Estate {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("main.tf"), hcl).unwrap();
    let mut estates = moat_terraform::load(d.path(), &moat_terraform::Options::default());
    assert_eq!(estates.len(), 1);
    estates.pop().unwrap()
}

/// [`load`], and the configuration must read without errors.
pub fn load_hcl(hcl: &str) -> Estate {
    load_file("main.tf", hcl)
}

/// One file called `name` holding `text` (`main.tf`, `main.tf.json`), read without errors.
pub fn load_file(name: &str, text: &str) -> Estate {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join(name), text).unwrap();
    load_dir(d.path())
}

/// The one root module in `dir`, read without errors.
pub fn load_dir(dir: &std::path::Path) -> Estate {
    let mut v = moat_terraform::load(dir, &moat_terraform::Options::default());
    assert_eq!(v.len(), 1);
    let e = v.remove(0);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    e
}

/// The resource at `address`.
pub fn id(e: &Estate, address: &str) -> ResourceId {
    e.by_address(address).unwrap()
}
