//! `gen-corpus --files N --out DIR [--seed S] [--format terraform|cloudformation|plan]`: write a
//! deterministic Terraform (or CloudFormation, or plan JSON) corpus.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

/// What the corpus is written in.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    /// Root modules of `.tf` and `.tfvars` files, and shared local modules.
    Terraform,
    /// One template per stack (YAML with short-form tags, every third one JSON), and shared
    /// nested-stack templates.
    Cloudformation,
    /// Terraform plan JSON (`terraform show -json`), one per stack, of the same estates as the
    /// Terraform corpus of the same seed.
    Plan,
}

/// Write a realistic Terraform corpus of exactly N files (root modules under `stacks/`, shared
/// local modules under `modules/`), the same bytes for the same seed.
#[derive(Debug, Parser)]
#[command(name = "gen-corpus", version)]
struct Cli {
    /// Number of files to write (`.tf` and `.tfvars`, templates, or plans).
    #[arg(long)]
    files: usize,
    /// Directory to write into (created if needed).
    #[arg(long)]
    out: PathBuf,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The same estate shape as Terraform or as CloudFormation templates.
    #[arg(long, value_enum, default_value_t = Format::Terraform)]
    format: Format,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let written = match cli.format {
        Format::Terraform => moat_bench::generate(cli.files, cli.seed, &cli.out),
        Format::Cloudformation => {
            moat_bench::cloudformation::generate(cli.files, cli.seed, &cli.out)
        }
        Format::Plan => moat_bench::plan::generate(cli.files, cli.seed, &cli.out),
    };
    match written {
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
