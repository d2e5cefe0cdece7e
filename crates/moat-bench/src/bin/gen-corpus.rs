//! `gen-corpus --files N --out DIR [--seed S]`: write a deterministic Terraform corpus.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Write a realistic Terraform corpus of exactly N files (root modules under `stacks/`, shared
/// local modules under `modules/`), the same bytes for the same seed.
#[derive(Debug, Parser)]
#[command(name = "gen-corpus", version)]
struct Cli {
    /// Number of files to write (`.tf` and `.tfvars`).
    #[arg(long)]
    files: usize,
    /// Directory to write into (created if needed).
    #[arg(long)]
    out: PathBuf,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match moat_bench::generate(cli.files, cli.seed, &cli.out) {
        Ok(stats) => {
            println!(
                "wrote {} files ({} stacks, {} resource blocks, {} bytes) to {}",
                stats.files,
                stats.stacks,
                stats.resource_blocks,
                stats.bytes,
                cli.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let mut msg = format!("error: {e}");
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                msg.push_str(&format!(": {s}"));
                src = s.source();
            }
            eprintln!("{msg}");
            ExitCode::from(2)
        }
    }
}
