//! Turning PATH arguments into estates (every frontend), shared by all subcommands.

use std::path::PathBuf;

use moat_model::Estate;

/// Options that every subcommand that reads an architecture accepts.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct InputArgs {
    /// Set a Terraform variable (`--var region=eu-west-1`); repeatable, later wins.
    #[arg(long = "var", value_name = "K=V")]
    pub vars: Vec<String>,
    /// Read Terraform variables from a `.tfvars` or `.tfvars.json` file; repeatable.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
}

/// Load every estate (Terraform root module, later CloudFormation stack...) under the paths.
pub fn load_estates(paths: &[PathBuf], input: &InputArgs) -> Result<Vec<Estate>, crate::error::CliError> {
    let _ = (paths, input);
    Ok(Vec::new())
}
