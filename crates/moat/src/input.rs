//! The flags every subcommand that reads an architecture accepts, turned into the library's
//! [`LoadOptions`].

use std::path::PathBuf;

use moat_core::LoadOptions;

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
    /// Set a CloudFormation parameter (`--parameter Env=prod`), or a pseudo parameter
    /// (`--parameter AWS::Region=eu-west-1`); repeatable, later wins over parameter files.
    #[arg(long = "parameter", value_name = "K=V")]
    pub parameters: Vec<String>,
    /// Read CloudFormation parameters from a file: the CloudFormation CLI's JSON
    /// (`[{"ParameterKey": "K", "ParameterValue": "V"}]`) or a template configuration file
    /// (`{"Parameters": {"K": "V"}}`); repeatable.
    #[arg(long = "parameter-file", value_name = "FILE")]
    pub parameter_files: Vec<PathBuf>,
    /// Raise (or lower) an evaluation limit (`--limit fuel=50000000`); repeatable. Limits:
    /// max_string_bytes, max_collection_len, max_module_instances, max_resource_instances,
    /// fuel. See docs/RELIABILITY.md.
    #[arg(long = "limit", value_name = "NAME=N")]
    pub limits: Vec<String>,
}

impl InputArgs {
    /// Check `--var` (must be `K=V` with a non-empty K), `--var-file` (must exist) and
    /// `--limit` (a known limit and a number), applied over `base` limits (the defaults, or
    /// those of `moat.toml`).
    pub fn load_options(&self, base: moat_model::Limits) -> Result<LoadOptions, CliError> {
        let mut vars = Vec::new();
        for v in &self.vars {
            vars.push(parse_var(v)?);
        }
        let mut parameters = Vec::new();
        for p in &self.parameters {
            parameters.push(parse_pair("--parameter", p)?);
        }
        let mut opts = LoadOptions {
            vars,
            var_files: self.var_files.clone(),
            parameters,
            parameter_files: self.parameter_files.clone(),
            limits: base,
        };
        opts.check()?;
        for l in &self.limits {
            opts.limits
                .set_pair(l)
                .map_err(|e| CliError::usage(format!("invalid `--limit {l}`: {e}")))?;
        }
        Ok(opts)
    }
}

/// Parse `K=V` (the value may contain `=`).
pub fn parse_var(s: &str) -> Result<(String, String), CliError> {
    parse_pair("--var", s)
}

/// Parse the `K=V` of `flag` (the value may contain `=`).
fn parse_pair(flag: &str, s: &str) -> Result<(String, String), CliError> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(CliError::usage(format!(
            "invalid `{flag} {s}`: expected `NAME=VALUE`"
        ))),
    }
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
}
