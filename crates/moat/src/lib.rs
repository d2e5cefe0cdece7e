//! The `moat` command line as a library: the flags (`Cli`, clap) and every subcommand,
//! callable in-process with writers the caller owns (tests and fuzz targets use it; the binary
//! in `main.rs` only parses the arguments and picks the process's streams). A subcommand
//! validates its flags, calls the library facade (`moat_core`: load, scan, reach, exposure,
//! diagram, which return data) and renders the result (`moat-report` writers for scans); it
//! decides no verdict and computes no finding.

// Panic-free like every library crate; output goes only to the caller's writers.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::print_stdout,
        clippy::print_stderr
    )
)]

use std::io::Write;

use clap::{Parser, Subcommand};

pub mod cmd;
pub mod error;
pub mod input;

/// Verify AWS security architectures: checks, reachability, explanations down to file:line.
#[derive(Debug, Parser)]
#[command(name = "moat", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Terraform, plan JSON and CloudFormation against the rule catalogue and report findings.
    Scan(cmd::scan::ScanArgs),
    /// List the rules, or explain one (`moat rules S3002`).
    Rules(cmd::rules::RulesArgs),
    /// Can traffic get from a source to a destination? Along which path, or blocked where?
    Reach(cmd::reach::ReachArgs),
    /// Everything the internet can reach, and on which ports.
    Exposure(cmd::exposure::ExposureArgs),
    /// Draw the architecture (VPCs, subnets, reachability).
    Diagram(cmd::diagram::DiagramArgs),
    /// Who can do what in IAM: simulate requests as AWS decides them, list who can act on a
    /// resource.
    Iam(cmd::iam::IamArgs),
}

/// Run a parsed command line: output to `out`, messages to `err`. Returns the exit code
/// (documented in the README: 0, 1, 2).
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write, color_ok: bool) -> i32 {
    let result = match cli.command {
        Command::Scan(a) => cmd::scan::run(a, out, err, color_ok),
        Command::Rules(a) => cmd::rules::run(a, out),
        Command::Reach(a) => cmd::reach::run(a, out, err),
        Command::Exposure(a) => cmd::exposure::run(a, out, err),
        Command::Diagram(a) => cmd::diagram::run(a, out, err),
        Command::Iam(a) => cmd::iam::run(a, out, err),
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
