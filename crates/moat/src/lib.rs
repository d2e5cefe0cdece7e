//! moat as a library: the command line (`Cli`), its validated configuration and every
//! subcommand, callable in-process with writers the caller owns (tests and fuzz targets use
//! it; the binary in `main.rs` only parses the arguments and picks the process's streams).

use std::io::Write;

use clap::{Parser, Subcommand};

pub mod cmd;
pub mod config;
pub mod error;
pub mod load;
pub mod scan;
pub mod suppress;

/// Verify AWS security architectures: checks, reachability, explanations down to file:line.
#[derive(Debug, Parser)]
#[command(name = "moat", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Terraform against the rule catalogue and report findings.
    Scan(cmd::scan::ScanArgs),
    /// List the rules, or explain one (`moat rules S3002`).
    Rules(cmd::rules::RulesArgs),
    /// Can traffic get from a source to a destination? Along which path, or blocked where?
    Reach(cmd::reach::ReachArgs),
    /// Everything the internet can reach, and on which ports.
    Exposure(cmd::exposure::ExposureArgs),
    /// Draw the architecture (VPCs, subnets, reachability).
    Diagram(cmd::diagram::DiagramArgs),
}

/// Run a parsed command line: output to `out`, messages to `err`. Returns the exit code
/// (documented in the README: 0, 1, 2).
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write, color_ok: bool) -> i32 {
    let result = match cli.command {
        Command::Scan(a) => cmd::scan::run(a, out, err, color_ok),
        Command::Rules(a) => cmd::rules::run(a, out),
        Command::Reach(a) => cmd::reach::run(a, out),
        Command::Exposure(a) => cmd::exposure::run(a, out),
        Command::Diagram(a) => cmd::diagram::run(a, out),
    };
    match result.and_then(|c| out.flush().map(|_| c).map_err(Into::into)) {
        Ok(c) => c,
        Err(error::CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let _ = writeln!(err, "moat: error: {e}");
            if let Some(help) = e.help() {
                let _ = writeln!(err, "  help: {help}");
            }
            2
        }
    }
}
