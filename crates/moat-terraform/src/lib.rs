//! Terraform frontend: `.tf` and `.tf.json` -> resolved [`Estate`].
//!
//! Work in progress: see the issue tracker. The public API below is fixed; other crates build
//! against it.

use std::path::{Path, PathBuf};

use moat_model::Estate;

/// Inputs that come from the command line.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--var k=v`, in the order given (later wins).
    pub vars: Vec<(String, String)>,
    /// `--var-file F`, in the order given (later wins, after `terraform.tfvars` and
    /// `*.auto.tfvars`).
    pub var_files: Vec<PathBuf>,
}

/// Load every Terraform root module under `path` (a directory, walked, or a single file).
/// Returns one indexed estate per root module, each holding its resources, the errors met while
/// reading (file:line), notes (unresolved modules), the source texts, and `files_scanned`.
/// File paths in locations are relative to `path` when it is a directory.
pub fn load(path: &Path, opts: &Options) -> Vec<Estate> {
    let _ = (path, opts);
    Vec::new()
}
