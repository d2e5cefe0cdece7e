//! `moat exposure`: everything the internet can reach, on which ports, directly or through
//! which load balancer (see issue 3 and CONTRACTS.md). The list is the library's
//! (`moat_core::Workspace::exposure`); this module renders it.

use std::io::Write;
use std::path::PathBuf;

use moat_core::Workspace;

use crate::error::CliError;

#[derive(Debug, clap::Args)]
pub struct ExposureArgs {
    /// Directory or file to analyse.
    pub path: PathBuf,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
    #[command(flatten)]
    pub input: crate::input::InputArgs,
}

pub fn run(args: ExposureArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32, CliError> {
    let load = args.input.load_options(moat_model::Limits::default())?;
    let ws = Workspace::load(std::slice::from_ref(&args.path), &load)?;
    if let Some(why) = ws.nothing_read() {
        return Err(CliError::Usage(super::nothing_read_message(
            &ws, why, &args.path,
        )));
    }
    let found = ws.exposure()?;
    // Files that failed to parse may declare anything: the list is incomplete.
    let errors: Vec<String> = found
        .unread
        .iter()
        .map(moat_net::unread::describe)
        .collect();
    for w in &errors {
        writeln!(err, "moat: warning: exposure is incomplete: {w}")?;
    }
    let all = &found.exposures;
    if args.format == "json" {
        let v: Vec<serde_json::Value> = all
            .iter()
            .map(|x| serde_json::json!({"resource": x.resource, "protocol": x.protocol, "ports": x.ports, "sources": x.sources, "via": x.via, "unknown": x.unknown, "summary": x.summary}))
            .collect();
        serde_json::to_writer_pretty(
            &mut *out,
            &serde_json::json!({ "exposures": v, "errors": errors }),
        )?;
        writeln!(out)?;
        return Ok(0);
    }
    if all.is_empty() {
        if errors.is_empty() {
            writeln!(out, "nothing is reachable from the internet")?;
        } else {
            writeln!(
                out,
                "nothing is reachable from the internet in the files that could be read ({} could not be read)",
                errors.len()
            )?;
        }
        return Ok(0);
    }
    for x in all {
        let via = if x.via.is_empty() {
            "directly".to_string()
        } else {
            format!("via {}", x.via.join(", "))
        };
        if x.unknown.is_empty() {
            writeln!(
                out,
                "{} {} {} from {} {via}",
                x.resource, x.protocol, x.ports, x.summary
            )?;
        } else {
            writeln!(
                out,
                "{} {} {} unknown: may be open from {} {via}, depending on: {}",
                x.resource,
                x.protocol,
                x.ports,
                x.summary,
                x.unknown.join("; ")
            )?;
        }
    }
    if !errors.is_empty() {
        writeln!(
            out,
            "incomplete: {} file(s) could not be read (see the warnings)",
            errors.len()
        )?;
    }
    Ok(0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn args(path: &std::path::Path, format: &str) -> ExposureArgs {
        ExposureArgs {
            path: path.to_path_buf(),
            format: format.into(),
            input: crate::input::InputArgs::default(),
        }
    }

    /// QA item 1 (exposure side): a file that failed to parse is reported in JSON `errors`
    /// and the text says the list is incomplete; nothing readable at all is exit 2.
    #[test]
    fn exposure_reports_files_that_failed_to_parse() {
        let dir = crate::cmd::reach::tests::qa_dir("r04_broken_rule");
        let mut out = Vec::new();
        assert_eq!(
            run(args(dir.path(), "json"), &mut out, &mut Vec::new()).unwrap(),
            0
        );
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let errors = v["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1);
        assert!(errors[0]
            .as_str()
            .unwrap()
            .starts_with("file `extra_rules.tf` could not be read (line 7)"));
        let mut out = Vec::new();
        run(args(dir.path(), "text"), &mut out, &mut Vec::new()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("incomplete: 1 file(s) could not be read"),
            "{text}"
        );

        let broken = tempfile::tempdir().unwrap();
        std::fs::write(
            broken.path().join("broken.tf"),
            "resource \"x\" {\n  a = [\n",
        )
        .unwrap();
        assert!(matches!(
            run(
                args(broken.path(), "text"),
                &mut Vec::new(),
                &mut Vec::new()
            ),
            Err(CliError::Usage(_))
        ));
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(
            run(args(empty.path(), "text"), &mut Vec::new(), &mut Vec::new()),
            Err(CliError::Usage(_))
        ));
    }
}
