//! Finding and reading candidate template files under the scanned path.
//!
//! Candidates are files named `*.yaml`, `*.yml`, `*.json` or `*.template` (any case), except
//! Terraform's `*.tf.json` and `*.tfvars.json`. Hidden directories (`.git`, `.terraform`,
//! `.aws-sam`) and `node_modules` are not entered; `cdk.out` is (it holds the templates a CDK
//! app synthesized, which are what gets deployed). Whether a candidate is a template is decided
//! by its content ([`crate::detect`]), never by its name.
//!
//! The walk and the reads go through the [`Sandbox`] ([`moat_model::files::walk`]): a symlink
//! that resolves outside the scanned tree is an error and is not followed, a FIFO or device is
//! an error and is not opened, a file larger than the sandbox's cap (10 MB by default) is an
//! error and is not read.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use moat_model::files::{self, DecodeError, WalkFilter};
use moat_model::{Limits, Node, Refusal, Sandbox, ScanError};

use crate::detect::{is_template, may_be_template};
use crate::parse::parse;

/// Directories not entered besides hidden ones.
pub const SKIP_DIRS: &[&str] = &["node_modules"];

/// Whether a file name may hold a template (`template.yaml`, `stack.template`, `app.json`).
pub fn is_candidate(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tf.json") || lower.ends_with(".tfvars.json") {
        return false;
    }
    [".yaml", ".yml", ".json", ".template"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// Every candidate file under `root` (sorted), and the errors met while walking (paths
/// relative to `root`).
pub fn walk(root: &Path, sandbox: &Sandbox) -> (Vec<PathBuf>, Vec<ScanError>) {
    files::walk(
        root,
        sandbox,
        WalkFilter {
            file: is_candidate,
            skip_dirs: SKIP_DIRS,
        },
    )
}

/// Read a file of the scanned tree as text, through the sandbox: confined to the tree, a
/// regular file, within the size cap, UTF-8 (a byte-order mark dropped) or UTF-16 with a
/// byte-order mark (as PowerShell writes). `rel` names the file in errors.
pub fn read(sandbox: &Sandbox, abs: &Path, rel: Arc<str>) -> Result<Arc<str>, ScanError> {
    let bytes = sandbox
        .read(abs, &rel)
        .map_err(|r| refusal_error(&rel, r))?;
    text_from_bytes(bytes, &rel)
}

/// Decode a file's bytes (see [`read`]).
pub fn text_from_bytes(bytes: Vec<u8>, rel: &str) -> Result<Arc<str>, ScanError> {
    files::decode(bytes).map(Arc::from).map_err(|e| ScanError {
        file: rel.to_string(),
        line: match e {
            DecodeError::NotUtf8 { line } => line,
            _ => 0,
        },
        message: e.to_string(),
    })
}

/// A refused read as an error of the file.
pub fn refusal_error(rel: &str, r: Refusal) -> ScanError {
    let message = match r {
        Refusal::TooLarge { max, .. } => format!("file is larger than {max} bytes, skipped"),
        Refusal::Io { reason, .. } => format!("cannot read file: {reason}"),
        other => other.to_string(),
    };
    ScanError {
        file: rel.to_string(),
        line: 0,
        message,
    }
}

/// Parse `text` if it is a template: `Ok(None)` for a file that is not one (a Kubernetes
/// manifest, a `package.json`, a Helm chart that is not even YAML), `Err` for a file that looks
/// like a template ([`may_be_template`]) but cannot be parsed.
pub fn parse_template(
    rel: Arc<str>,
    text: &str,
    limits: &Limits,
) -> Result<Option<Node>, ScanError> {
    if !may_be_template(text) {
        return Ok(None);
    }
    let node = parse(rel, text, limits)?;
    Ok(is_template(&node).then_some(node))
}
