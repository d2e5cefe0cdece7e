//! One module per subcommand. Each has an `Args` struct (clap derive) and
//! `run(args, out) -> Result<i32, CliError>` returning the exit code.

pub mod diagram;
pub mod exposure;
pub mod reach;
pub mod rules;
pub mod scan;
