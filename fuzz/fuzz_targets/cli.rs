//! Fuzz the command-line configuration: a `moat.toml` text (everything before the first NUL
//! byte) and the arguments of a command line (the rest, split at NUL bytes). `moat.toml`
//! parsing, selector checking against the catalogue and limit validation, and clap's parsing
//! with moat's argument validation (`--var`, `--limit`), must never panic or hang. Nothing
//! is scanned: no path from the input is walked.
#![no_main]

use clap::Parser;
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let _watchdog = common::Watchdog::start(data);
    let mut parts = data.split(|b| *b == 0);
    let toml = parts.next().unwrap_or_default();
    if let Ok(text) = std::str::from_utf8(toml) {
        if let Ok(cfg) = moat_core::FileConfig::parse(text, "moat.toml") {
            let known: Vec<(String, String, Vec<String>)> = moat_core::rule_metas()
                .into_iter()
                .map(|r| (r.id, r.family, r.checkov))
                .collect();
            let _ = cfg.check_selectors(&known);
            let mut cfg = cfg;
            let mut limits = moat_terraform::Options::default().limits;
            for (name, value) in cfg.applicable_limits(false) {
                let _ = limits.set(&name, value);
            }
        }
    }
    let args: Vec<String> = std::iter::once("moat".to_string())
        .chain(parts.map(|p| String::from_utf8_lossy(p).into_owned()))
        .collect();
    if let Ok(cli) = moat::Cli::try_parse_from(&args) {
        let input = match &cli.command {
            moat::Command::Scan(a) => Some(&a.input),
            moat::Command::Reach(a) => Some(&a.input),
            moat::Command::Exposure(a) => Some(&a.input),
            moat::Command::Diagram(a) => Some(&a.input),
            moat::Command::Rules(_) => None,
            moat::Command::Iam(a) => match &a.command {
                moat::cmd::iam::IamCommand::Simulate(s) => Some(&s.request.input),
                moat::cmd::iam::IamCommand::WhoCan(w) => Some(&w.request.input),
            },
        };
        if let Some(i) = input {
            let _ = i.load_options(moat_model::Limits::default());
        }
    }
});
