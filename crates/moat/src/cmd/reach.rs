//! `moat reach` (owned by the reachability work; see issue 3).

use std::io::Write;
use std::path::PathBuf;

use crate::error::CliError;

#[derive(Debug, clap::Args)]
pub struct ReachArgs {
    /// Directory or file to analyse.
    pub path: PathBuf,
    #[command(flatten)]
    pub input: crate::load::InputArgs,
}

pub fn run(args: ReachArgs, out: &mut dyn Write) -> Result<i32, CliError> {
    let _ = (args, out);
    Err(CliError::Usage("`moat reach` is not implemented yet".into()))
}
