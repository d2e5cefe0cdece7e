//! The `moat` binary: parses the arguments and runs them with the process's streams. Thin on
//! purpose; everything else is in the library (`lib.rs`).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = moat::Cli::parse();
    let stdout = std::io::stdout();
    let color_ok = anstream::AutoStream::choice(&stdout) != anstream::ColorChoice::Never;
    let mut out = stdout.lock();
    let mut err = std::io::stderr().lock();
    let code = moat::run(cli, &mut out, &mut err, color_ok);
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}
