//! Turning PATH arguments into estates (every frontend), shared by all subcommands.

use std::path::{Path, PathBuf};

use moat_model::Estate;

use crate::error::CliError;

/// Options that every subcommand that reads an architecture accepts.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct InputArgs {
    /// Set a Terraform variable (`--var region=eu-west-1`); repeatable, later wins.
    #[arg(long = "var", value_name = "K=V")]
    pub vars: Vec<String>,
    /// Read Terraform variables from a `.tfvars` or `.tfvars.json` file; repeatable.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Raise (or lower) an evaluation limit (`--limit fuel=50000000`); repeatable. Limits:
    /// max_string_bytes, max_collection_len, max_module_instances, max_resource_instances,
    /// fuel. See docs/RELIABILITY.md.
    #[arg(long = "limit", value_name = "NAME=N")]
    pub limits: Vec<String>,
}

/// Validated inputs shared by every frontend.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub vars: Vec<(String, String)>,
    pub var_files: Vec<PathBuf>,
    pub limits: moat_model::Limits,
}

impl Inputs {
    /// Check `--var` (must be `K=V` with a non-empty K) and `--var-file` (must exist).
    pub fn from_args(args: &InputArgs) -> Result<Inputs, CliError> {
        let mut vars = Vec::new();
        for v in &args.vars {
            vars.push(parse_var(v)?);
        }
        for f in &args.var_files {
            if !f.is_file() {
                return Err(CliError::usage(format!(
                    "variable file `{}` does not exist or is not a file",
                    f.display()
                )));
            }
        }
        let mut limits = moat_model::Limits::default();
        for l in &args.limits {
            limits
                .set_pair(l)
                .map_err(|e| CliError::usage(format!("invalid `--limit {l}`: {e}")))?;
        }
        Ok(Inputs {
            vars,
            var_files: args.var_files.clone(),
            limits,
        })
    }
}

/// Parse `K=V` (the value may contain `=`).
pub fn parse_var(s: &str) -> Result<(String, String), CliError> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(CliError::usage(format!(
            "invalid `--var {s}`: expected `NAME=VALUE`"
        ))),
    }
}

/// A frontend: reads what it understands under a path into estates.
pub struct Frontend {
    #[allow(dead_code)] // for messages once there are several frontends
    pub name: &'static str,
    pub load: fn(&Path, &Inputs) -> Vec<Estate>,
}

fn terraform(path: &Path, inputs: &Inputs) -> Vec<Estate> {
    let opts = moat_terraform::Options {
        vars: inputs.vars.clone(),
        var_files: inputs.var_files.clone(),
        limits: inputs.limits,
    };
    moat_terraform::load(path, &opts)
}

/// Every frontend, in the order they run. Add CloudFormation, inventory, Kubernetes here.
pub const FRONTENDS: &[Frontend] = &[Frontend {
    name: "terraform",
    load: terraform,
}];

/// The paths to scan: the arguments, or the current directory. A path that does not exist is
/// a usage error.
pub fn check_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    for p in &paths {
        if !p.exists() {
            return Err(CliError::usage(format!(
                "path `{}` does not exist",
                p.display()
            )));
        }
    }
    Ok(paths)
}

/// Load every estate under each path, keeping which path it came from.
pub fn load_roots(
    paths: &[PathBuf],
    input: &InputArgs,
) -> Result<Vec<(PathBuf, Vec<Estate>)>, CliError> {
    let inputs = Inputs::from_args(input)?;
    let paths = check_paths(paths)?;
    Ok(paths
        .into_iter()
        .map(|p| {
            let estates = FRONTENDS
                .iter()
                .flat_map(|f| (f.load)(&p, &inputs))
                .collect();
            (p, estates)
        })
        .collect())
}

/// Load every estate (Terraform root module, later CloudFormation stack...) under the paths.
#[allow(dead_code)] // for `reach`, `exposure`, `diagram`
pub fn load_estates(
    paths: &[PathBuf],
    input: &InputArgs,
) -> Result<Vec<Estate>, crate::error::CliError> {
    Ok(load_roots(paths, input)?
        .into_iter()
        .flat_map(|(_, e)| e)
        .collect())
}

/// Parse errors of the estates, sorted (file, line), for `reach`, `exposure`, `diagram`:
/// an analysis over an estate with unreadable files is incomplete.
pub fn load_errors(estates: &[Estate]) -> Vec<moat_model::ScanError> {
    let mut v: Vec<moat_model::ScanError> = estates
        .iter()
        .flat_map(|e| e.errors.iter().cloned())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// `Some(reason)` when nothing could be read (no supported file, or every file that was read
/// failed and no resource came out): `reach`, `exposure` and `diagram` exit 2, as `scan` does.
pub fn nothing_read(estates: &[Estate], path: &Path) -> Option<String> {
    let files: usize = estates.iter().map(|e| e.files_scanned).sum();
    let errors = load_errors(estates);
    if files == 0 && errors.is_empty() {
        return Some(format!(
            "no file to analyse (Terraform `.tf`, `.tf.json`) was found under `{}`",
            path.display()
        ));
    }
    let resources = estates.iter().map(|e| e.resources.len()).sum::<usize>();
    let readable: std::collections::BTreeSet<&str> = estates
        .iter()
        .flat_map(|e| e.sources.keys().map(|k| &**k))
        .collect();
    let failed: std::collections::BTreeSet<&str> = errors.iter().map(|e| e.file.as_str()).collect();
    if files == 0
        || (!errors.is_empty() && resources == 0 && readable.iter().all(|f| failed.contains(f)))
    {
        let list: Vec<String> = errors
            .iter()
            .map(|e| format!("{}:{}: {}", e.file, e.line, e.message))
            .collect();
        return Some(format!(
            "no file could be read under `{}` ({} errors: {})",
            path.display(),
            errors.len(),
            list.join("; ")
        ));
    }
    // Files were read, but no resource came out because the modules that declare them
    // could not be read: there is nothing to analyse, and answering would mislead.
    let unread: Vec<String> = estates
        .iter()
        .flat_map(|e| e.unread_modules.iter())
        .map(|m| {
            let src = m.source.as_deref().unwrap_or("?");
            if m.not_downloaded {
                format!(
                    "module `{}` (`{src}`) at {}:{} was not downloaded (run `terraform init`)",
                    m.name, m.file, m.line
                )
            } else {
                format!(
                    "module `{}` (`{src}`) at {}:{} could not be read: {}",
                    m.name, m.file, m.line, m.reason
                )
            }
        })
        .collect();
    if resources == 0 && !unread.is_empty() {
        return Some(format!(
            "nothing could be checked under `{}`: no resource was read, because {}",
            path.display(),
            unread.join("; ")
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn var_needs_name_and_equals() {
        assert_eq!(
            parse_var("a=b=c").ok(),
            Some(("a".to_string(), "b=c".to_string()))
        );
        assert_eq!(
            parse_var("empty=").ok(),
            Some(("empty".to_string(), String::new()))
        );
        assert!(parse_var("novalue").is_err());
        assert!(parse_var("=v").is_err());
    }

    #[test]
    fn missing_path_is_a_usage_error() {
        let err = check_paths(&[PathBuf::from("/nonexistent/moat/path")]);
        assert!(matches!(err, Err(CliError::Usage(m)) if m.contains("/nonexistent/moat/path")));
    }
}
