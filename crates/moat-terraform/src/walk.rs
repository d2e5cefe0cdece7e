//! Finding and reading files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use moat_model::{Refusal, Sandbox};

use moat_model::ScanError;

use crate::error::TfError;
use crate::ir::Body;
use crate::source::SrcFile;

/// Files larger than this are skipped with an error.
pub(crate) const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

pub(crate) use moat_model::files::{normalize, relative, utf16};

pub(crate) fn is_tf(name: &str) -> bool {
    name.ends_with(".tf") || name.ends_with(".tf.json")
}

/// Walk `root` for `.tf`/`.tf.json` files, grouped by directory. Hidden directories (and so
/// `.terraform`) are skipped; symlinks are followed when they resolve inside the sandbox
/// (loops reported); a symlink out of the scanned tree, and a Terraform file that is not a
/// regular file (FIFO, device), is an error and is not read.
pub(crate) fn walk(
    root: &Path,
    sandbox: &Sandbox,
) -> (BTreeMap<PathBuf, Vec<PathBuf>>, Vec<ScanError>) {
    walk_matching(root, sandbox, is_tf)
}

/// [`walk`] for the files whose name `wanted` accepts (the plan frontend's `.json` files):
/// [`moat_model::files::walk`], grouped by directory.
pub(crate) fn walk_matching(
    root: &Path,
    sandbox: &Sandbox,
    wanted: fn(&str) -> bool,
) -> (BTreeMap<PathBuf, Vec<PathBuf>>, Vec<ScanError>) {
    let (files, errors) = moat_model::files::walk(
        root,
        sandbox,
        moat_model::files::WalkFilter {
            file: wanted,
            skip_dirs: &[],
        },
    );
    let mut dirs: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    for p in files {
        let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
        dirs.entry(dir).or_default().push(p);
    }
    (dirs, errors)
}

/// Read a file of the scanned tree as text, through the sandbox (confined to the scanned tree,
/// regular files only, size-capped). Oversized, binary and non-UTF-8 files are errors.
pub(crate) fn read_source(
    sandbox: &Sandbox,
    abs: &Path,
    rel: Arc<str>,
) -> Result<Arc<SrcFile>, ScanError> {
    let bytes = sandbox
        .read(abs, &rel)
        .map_err(|r| refusal_error(&rel, r))?;
    source_from_bytes(bytes, rel)
}

/// Read a file the user named on the command line: anywhere, but a regular file, size-capped.
pub(crate) fn read_named_source(abs: &Path, rel: Arc<str>) -> Result<Arc<SrcFile>, ScanError> {
    let bytes = moat_model::sandbox::read_regular(abs, &rel, MAX_FILE_BYTES)
        .map_err(|r| refusal_error(&rel, r))?;
    source_from_bytes(bytes, rel)
}

pub(crate) fn refusal_error(rel: &str, r: Refusal) -> ScanError {
    let message = match r {
        Refusal::TooLarge { .. } => TfError::TooLarge.to_string(),
        Refusal::Io { reason, .. } => TfError::Read(reason).to_string(),
        other => TfError::Refused(other.to_string()).to_string(),
    };
    ScanError {
        file: rel.to_string(),
        line: 0,
        message,
    }
}

/// Turn bytes into a source file (shared by the fuzz entry point).
pub(crate) fn source_from_bytes(bytes: Vec<u8>, rel: Arc<str>) -> Result<Arc<SrcFile>, ScanError> {
    let err = |e: TfError| ScanError {
        file: rel.to_string(),
        line: 0,
        message: e.to_string(),
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(err(TfError::TooLarge));
    }
    if let Some(enc) = utf16(&bytes) {
        return Err(err(TfError::Utf16(enc)));
    }
    if bytes.contains(&0) {
        return Err(err(TfError::Binary));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let upto = e.utf8_error().valid_up_to();
        let line = e
            .as_bytes()
            .get(..upto)
            .map(|b| b.iter().filter(|c| **c == b'\n').count() + 1)
            .unwrap_or(0);
        ScanError {
            file: rel.to_string(),
            line: line as u32,
            message: TfError::NotUtf8.to_string(),
        }
    })?;
    let text = match text.strip_prefix('\u{feff}') {
        Some(t) => t.to_string(),
        None => text,
    };
    Ok(Arc::new(SrcFile::new(rel, Arc::from(text))))
}

/// Parse a source file according to its extension.
pub(crate) fn parse_source(file: &Arc<SrcFile>) -> Result<Body, ScanError> {
    if file.rel.ends_with(".json") {
        crate::json::parse_json(file)
    } else {
        crate::parse::parse_hcl(file)
    }
}
