//! TEMPORARY: candidate files and confined reads until `crate::walk` provides them (then
//! this module goes and the resolver calls `crate::walk::{walk, read}`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use moat_model::{Sandbox, ScanError};

/// Candidate template files under `root` (`.yaml`, `.yml`, `.json`, `.template`; not
/// `.tf.json`), sorted.
pub(super) fn walk(root: &Path, _sandbox: &Sandbox) -> (Vec<PathBuf>, Vec<ScanError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for entry in ignore::WalkBuilder::new(root).hidden(true).build() {
        match entry {
            Ok(e) => {
                let p = e.path();
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().to_lowercase())
                    .unwrap_or_default();
                let ok = (name.ends_with(".yaml")
                    || name.ends_with(".yml")
                    || name.ends_with(".json")
                    || name.ends_with(".template"))
                    && !name.ends_with(".tf.json");
                if ok && e.file_type().is_some_and(|t| t.is_file() || t.is_symlink()) {
                    out.push(p.to_path_buf());
                }
            }
            Err(e) => errors.push(ScanError {
                file: String::new(),
                line: 0,
                message: format!("cannot walk: {e}"),
            }),
        }
    }
    out.sort();
    (out, errors)
}

/// Read a scanned file through the sandbox.
pub(super) fn read(sandbox: &Sandbox, abs: &Path, rel: &str) -> Result<Arc<str>, ScanError> {
    let bytes = sandbox.read(abs, rel).map_err(|e| ScanError {
        file: rel.to_string(),
        line: 0,
        message: e.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| ScanError {
        file: rel.to_string(),
        line: 0,
        message: "not UTF-8 text".into(),
    })?;
    Ok(Arc::from(text))
}
