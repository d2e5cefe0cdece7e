//! The `moat` command line: parses flags and wires the crates together. Thin on purpose.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
mod config;
mod error;
mod load;
mod scan;
mod suppress;

/// Verify AWS security architectures: checks, reachability, explanations down to file:line.
#[derive(Debug, Parser)]
#[command(name = "moat", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let color_ok = anstream::AutoStream::choice(&stdout) != anstream::ColorChoice::Never;
    let mut out = stdout.lock();
    let mut err = std::io::stderr().lock();
    let result = match cli.command {
        Command::Scan(a) => cmd::scan::run(a, &mut out, &mut err, color_ok),
        Command::Rules(a) => cmd::rules::run(a, &mut out),
        Command::Reach(a) => cmd::reach::run(a, &mut out),
        Command::Exposure(a) => cmd::exposure::run(a, &mut out),
        Command::Diagram(a) => cmd::diagram::run(a, &mut out),
    };
    let code = match result.and_then(|c| out.flush().map(|_| c).map_err(Into::into)) {
        Ok(c) => c,
        Err(error::CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let _ = writeln!(err, "moat: error: {e}");
            if let Some(help) = e.help() {
                let _ = writeln!(err, "  help: {help}");
            }
            2
        }
    };
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}
