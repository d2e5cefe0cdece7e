//! IAM questions over a loaded workspace: the IAM view of each estate (`moat_iam::estate`),
//! built from the typed state by `moat_iam::from_model`, with the SCP and RCP levels the user
//! supplies.

use std::path::{Path, PathBuf};

use moat_iam::estate::IamEstate;
use moat_iam::eval::NamedPolicy;
use moat_iam::policy::Policy;

use crate::load::root_label;
use crate::{Error, Workspace};

/// What the IAM view needs beyond the files: the account ID (unknown otherwise) and the
/// organisation's policies.
#[derive(Clone, Debug, Default)]
pub struct IamOptions {
    /// The scanned account's ID; without it, literal account IDs in policies may or may not be
    /// the scanned account, and decisions that depend on it are unknown.
    pub account: Option<String>,
    /// SCP files, one level each (from the organisation root down to the account); a file
    /// holds one policy or a JSON array of policies.
    pub scp_files: Vec<PathBuf>,
    /// RCP files, likewise.
    pub rcp_files: Vec<PathBuf>,
}

/// The IAM view of one estate of the workspace.
#[derive(Debug)]
pub struct IamView {
    /// The root module's directory (`.` or `envs/prod`).
    pub root: String,
    pub estate: IamEstate,
}

/// Read a policy file (one policy or an array) into named policies.
pub fn read_policy_file(path: &Path, label: &str) -> Result<Vec<NamedPolicy>, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::usage(format!("cannot read `{}`: {e}", path.display())))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Error::usage(format!(
            "`{}` is not JSON (line {}, column {}): {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    let docs: Vec<&serde_json::Value> = match &json {
        serde_json::Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let name = path.display().to_string();
    docs.into_iter()
        .enumerate()
        .map(|(i, d)| {
            let p = Policy::from_json(d).map_err(|e| {
                Error::usage(format!("{label} `{}`: policy {i}: {e}", path.display()))
            })?;
            let n = if matches!(json, serde_json::Value::Array(_)) {
                format!("{name}[{i}]")
            } else {
                name.clone()
            };
            Ok(NamedPolicy::new(n, p))
        })
        .collect()
}

impl Workspace {
    /// The IAM view of every estate, with the organisation's policies appended to each.
    pub fn iam(&self, opts: &IamOptions) -> Result<Vec<IamView>, Error> {
        self.require_something()?;
        let mut scps = Vec::new();
        for f in &opts.scp_files {
            scps.push(read_policy_file(f, "--scp")?);
        }
        let mut rcps = Vec::new();
        for f in &opts.rcp_files {
            rcps.push(read_policy_file(f, "--rcp")?);
        }
        let mut out = Vec::new();
        for e in self.estates() {
            let mut estate = moat_iam::from_model::from_model(&e.aws, e, opts.account.as_deref());
            for level in &scps {
                let start = estate.policies.len();
                estate.policies.extend(level.iter().cloned());
                estate.scps.push((start..estate.policies.len()).collect());
            }
            for level in &rcps {
                let start = estate.policies.len();
                estate.policies.extend(level.iter().cloned());
                estate.rcps.push((start..estate.policies.len()).collect());
            }
            out.push(IamView {
                root: root_label(e),
                estate,
            });
        }
        Ok(out)
    }
}
