//! `moat rules [ID]`: list the catalogue, or print one rule's documentation.

use std::io::Write;

use serde_json::json;

use crate::error::CliError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// A rule ID (`S3002`): print its documentation. Without it, list every rule.
    pub id: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

pub fn run(args: RulesArgs, out: &mut dyn Write) -> Result<i32, CliError> {
    let rules = moat_core::rule_metas();
    match args.id {
        None => match args.format {
            RulesFormat::Json => {
                let v: Vec<_> = rules
                    .iter()
                    .map(|r| {
                        json!({
                            "id": r.id,
                            "title": r.title,
                            "severity": r.severity.as_str(),
                            "family": r.family,
                            "checkov": r.checkov,
                        })
                    })
                    .collect();
                serde_json::to_writer_pretty(&mut *out, &v)?;
                writeln!(out)?;
            }
            RulesFormat::Text => {
                let w_id = rules.iter().map(|r| r.id.len()).max().unwrap_or(0).max(2);
                let w_fam = rules
                    .iter()
                    .map(|r| r.family.len())
                    .max()
                    .unwrap_or(0)
                    .max(6);
                writeln!(
                    out,
                    "{:<w_id$}  {:<8}  {:<w_fam$}  TITLE",
                    "ID", "SEVERITY", "FAMILY"
                )?;
                for r in &rules {
                    writeln!(
                        out,
                        "{:<w_id$}  {:<8}  {:<w_fam$}  {}",
                        r.id,
                        r.severity.as_str(),
                        r.family,
                        r.title
                    )?;
                }
                writeln!(out, "\n{} rules; `moat rules ID` explains one", rules.len())?;
            }
        },
        Some(id) => {
            let Some(r) = rules.iter().find(|r| r.id.eq_ignore_ascii_case(&id)) else {
                return Err(CliError::usage(format!(
                    "unknown rule `{id}`; `moat rules` lists them"
                )));
            };
            match args.format {
                RulesFormat::Json => {
                    let v = json!({
                        "id": r.id,
                        "title": r.title,
                        "severity": r.severity.as_str(),
                        "family": r.family,
                        "checkov": r.checkov,
                        "doc": r.doc,
                    });
                    serde_json::to_writer_pretty(&mut *out, &v)?;
                    writeln!(out)?;
                }
                RulesFormat::Text => {
                    writeln!(out, "{}: {}", r.id, r.title)?;
                    writeln!(out, "severity: {}", r.severity)?;
                    if !r.family.is_empty() {
                        writeln!(out, "family: {}", r.family)?;
                    }
                    if !r.checkov.is_empty() {
                        writeln!(out, "checkov: {}", r.checkov.join(", "))?;
                    }
                    writeln!(out)?;
                    writeln!(out, "{}", r.doc.trim_end())?;
                }
            }
        }
    }
    Ok(0)
}
