//! `moat scan`: run the checks (`moat_core::Workspace::scan`) and render the report with a
//! `moat-report` writer.

use std::io::Write;
use std::path::PathBuf;

use moat_core::{FileConfig, LoadOptions, NothingRead, ScanOptions, Workspace};
use moat_model::Severity;

use crate::error::CliError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human text, grouped by file, with the offending source line.
    Text,
    /// JSON as documented in CONTRACTS.md.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// JUnit XML (one suite per rule).
    Junit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SeverityArg {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl From<SeverityArg> for Severity {
    fn from(s: SeverityArg) -> Severity {
        match s {
            SeverityArg::Critical => Severity::Critical,
            SeverityArg::High => Severity::High,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::Low => Severity::Low,
            SeverityArg::Info => Severity::Info,
        }
    }
}

pub const SCAN_AFTER_HELP: &str = "\
Exit status:
  0  no unsuppressed finding at or above --fail-on
  1  at least one unsuppressed finding at or above --fail-on
  2  usage error (bad flag, missing PATH, bad --var, bad moat.toml, a selector in
     moat.toml that matches no rule), or nothing could be read (no supported file
     found, or every file failed), or nothing could be checked (no resource, because
     the modules that declare the resources could not be read: run `terraform init`)

Files that cannot be parsed are reported (file and line) and the scan goes on with the others.

Suppress a finding in the scanned file with a comment on the finding's line, on the
resource's first line, or right above either; a reason is required:
  # moat:ignore S3002,S3003 logs bucket, versioned by the replication target

moat.toml (in the first PATH, read only if it is a regular file of at most 1 MiB
whose real path is inside that PATH; or --config FILE, anywhere):
  fail_on = \"high\"
  [rules]
  select = [\"S3\", \"SG001\"]   # IDs, ID prefixes, families or Checkov IDs
  ignore = [\"S3005\"]
  [rules.severity]
  S3002 = \"low\"";

/// Raw `moat scan` flags.
#[derive(Debug, clap::Args)]
#[command(after_help = SCAN_AFTER_HELP)]
pub struct ScanArgs {
    /// Directories (walked) or files to scan [default: .]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes the exit status 1 [default: low, or `fail_on` in moat.toml]
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,
    /// Configuration file [default: moat.toml in the first PATH]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Never colour the text output (colour is used only on a terminal; NO_COLOR is honoured).
    #[arg(long)]
    pub no_color: bool,
    #[command(flatten)]
    pub input: crate::input::InputArgs,
}

/// Validated scan configuration.
pub struct ScanConfig {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub fail_on: Severity,
    pub file: FileConfig,
    pub color: bool,
    pub load: LoadOptions,
}

impl ScanConfig {
    /// `color_ok`: whether standard output can take colour (a TTY, `NO_COLOR` unset).
    pub fn from_args(args: ScanArgs, color_ok: bool) -> Result<ScanConfig, CliError> {
        let paths = moat_core::check_paths(&args.paths)?;
        let defaults = moat_model::Limits::default();
        args.input.load_options(defaults)?;
        let mut file = FileConfig::discover(args.config.as_deref(), &paths)?;
        // `[limits]` come before `--limit` flags (later wins). A moat.toml found in the scanned
        // tree is untrusted: it may lower a limit, never raise one.
        let mut base = defaults;
        for (name, value) in file.applicable_limits(args.config.is_some()) {
            let _ = base.set(&name, value);
        }
        let load = args.input.load_options(base)?;
        let fail_on = args
            .fail_on
            .map(Severity::from)
            .or(file.fail_on)
            .unwrap_or(Severity::Low);
        let color =
            color_ok && !args.no_color && args.output.is_none() && args.format == Format::Text;
        Ok(ScanConfig {
            paths,
            format: args.format,
            output: args.output,
            fail_on,
            file,
            color,
            load,
        })
    }
}

pub fn run(
    args: ScanArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    color_ok: bool,
) -> Result<i32, CliError> {
    let cfg = ScanConfig::from_args(args, color_ok)?;
    for w in &cfg.file.warnings {
        writeln!(err, "moat: warning: {w}")?;
    }
    let opts = ScanOptions::new(cfg.file)?;
    let ws = Workspace::load(&cfg.paths, &cfg.load)?;
    let result = ws.scan(&opts);
    let report = &result.report;
    let catalogue = moat_core::rule_metas();
    let mut buf: Vec<u8> = Vec::new();
    match cfg.format {
        Format::Text => moat_report::text::write(
            &mut buf,
            report,
            &moat_report::text::TextOptions { color: cfg.color },
        )?,
        Format::Json => moat_report::json::write(&mut buf, report)?,
        Format::Sarif => moat_report::sarif::write(&mut buf, report, &catalogue)?,
        Format::Junit => moat_report::junit::write(&mut buf, report, &catalogue)?,
    }
    match &cfg.output {
        Some(path) => std::fs::write(path, &buf)
            .map_err(|e| CliError::usage(format!("cannot write `{}`: {e}", path.display())))?,
        None => out.write_all(&buf)?,
    }
    match result.nothing_read {
        Some(NothingRead::NothingChecked) => {
            let why = report.failed.as_deref().unwrap_or_default();
            writeln!(err, "moat: error: {why}")?;
            Ok(2)
        }
        Some(_) => {
            if report.files_scanned == 0 && report.errors.is_empty() {
                writeln!(
                    err,
                    "moat: error: no file to scan (Terraform `.tf`, `.tf.json`, a Terraform plan JSON, a CloudFormation template) was found"
                )?;
            } else {
                writeln!(
                    err,
                    "moat: error: no file could be read ({} errors)",
                    report.errors.len()
                )?;
            }
            Ok(2)
        }
        None => Ok(i32::from(result.fails_at(cfg.fail_on))),
    }
}
