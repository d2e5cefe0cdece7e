//! `moat.toml`: select, skip and re-grade rules, and set the failing severity.
//!
//! ```toml
//! fail_on = "high"
//!
//! [rules]
//! select = ["S3", "SG001"]     # rule IDs or prefixes (ruff-style) or family names; default: all
//! ignore = ["S3005"]           # same forms; applied after `select`
//!
//! [rules.severity]
//! S3002 = "low"                # re-grade (the longest matching selector wins)
//!
//! [[network.invariant]]        # checked on every scan, see `moat_net::invariant`
//! to = "aws_db_instance.main"
//! ports = "3306"
//! only_from = ["aws_security_group.app"]
//! ```
//!
//! Selectors also accept the Checkov IDs in a finding's `equivalent.checkov`, so a Checkov
//! skip list carries over. Findings that could not be decided (status `unknown`) keep the
//! severity `info` whatever the re-grading says: an undecided check is not a proven failure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use moat_model::{Finding, Severity, Status};
use serde::Deserialize;
use toml::Spanned;

use crate::error::CliError;

/// Top-level keys other parts of moat read from `moat.toml` (not warned about).
const OTHER_SECTIONS: &[&str] = &[
    "network",
    "invariants",
    "baseline",
    "reach",
    "exposure",
    "iam",
];

#[derive(Debug, Default, Deserialize)]
struct RawConfig {
    #[serde(default)]
    rules: RawRules,
    fail_on: Option<Spanned<String>>,
    #[serde(flatten)]
    other: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    select: Option<Vec<String>>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<String>>,
}

/// The rules part of the configuration, validated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileConfig {
    /// Where it was read from (for messages), if any.
    pub path: Option<PathBuf>,
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub severity: Vec<(String, Severity)>,
    pub fail_on: Option<Severity>,
    /// `[[network.invariant]]` tables, checked on every scan (`moat_net::invariant`).
    pub invariants: Vec<moat_net::invariant::Invariant>,
    /// Things worth telling the user (unknown sections).
    pub warnings: Vec<String>,
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map(|s| s.bytes().filter(|b| *b == b'\n').count() + 1)
        .unwrap_or(1)
}

impl FileConfig {
    /// Parse the text of a `moat.toml`. `name` is used in messages.
    pub fn parse(text: &str, name: &str) -> Result<FileConfig, CliError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
            CliError::usage(format!(
                "invalid config `{name}` at line {line}: {}",
                e.message().trim_end_matches('\n')
            ))
        })?;
        let sev = |s: &Spanned<String>| -> Result<Severity, CliError> {
            s.get_ref().parse::<Severity>().map_err(|m| {
                CliError::usage(format!(
                    "invalid config `{name}` at line {}: {m}",
                    line_of(text, s.span().start)
                ))
            })
        };
        let mut severity = Vec::new();
        for (k, v) in &raw.rules.severity {
            severity.push((k.clone(), sev(v)?));
        }
        let fail_on = raw.fail_on.as_ref().map(sev).transpose()?;
        let invariants = moat_net::invariant::parse(text)
            .map_err(|e| CliError::usage(format!("invalid config `{name}`: {e}")))?;
        let warnings = raw
            .other
            .keys()
            .filter(|k| !OTHER_SECTIONS.contains(&k.as_str()))
            .map(|k| format!("unknown key `{k}` in `{name}` is ignored"))
            .collect();
        Ok(FileConfig {
            path: None,
            select: raw.rules.select,
            ignore: raw.rules.ignore,
            severity,
            fail_on,
            invariants,
            warnings,
        })
    }

    /// Read `--config FILE` (must exist), or `moat.toml` beside the first scanned path.
    pub fn discover(explicit: Option<&Path>, paths: &[PathBuf]) -> Result<FileConfig, CliError> {
        let path = match explicit {
            Some(p) => {
                if !p.is_file() {
                    return Err(CliError::usage(format!(
                        "config file `{}` does not exist",
                        p.display()
                    )));
                }
                p.to_path_buf()
            }
            None => {
                let root = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
                let dir = if root.is_dir() {
                    root
                } else {
                    root.parent()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| PathBuf::from("."))
                };
                let candidate = dir.join("moat.toml");
                if !candidate.is_file() {
                    return Ok(FileConfig::default());
                }
                candidate
            }
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            CliError::usage(format!("cannot read config `{}`: {e}", path.display()))
        })?;
        let mut cfg = FileConfig::parse(&text, &path.display().to_string())?;
        cfg.path = Some(path);
        Ok(cfg)
    }

    /// Selectors that match no known rule (for a warning); `known` is the catalogue.
    pub fn unmatched_selectors(&self, known: &[(String, String, Vec<String>)]) -> Vec<String> {
        let mut all: Vec<&String> = self.ignore.iter().collect();
        all.extend(self.select.iter().flatten());
        all.extend(self.severity.iter().map(|(k, _)| k));
        let mut out: Vec<String> = all
            .into_iter()
            .filter(|s| {
                !known
                    .iter()
                    .any(|(id, fam, ck)| selector_score(s, id, fam, ck).is_some())
            })
            .cloned()
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Apply select/ignore and re-grading. `family` gives a rule's family by id.
    pub fn apply(&self, findings: Vec<Finding>, family: &dyn Fn(&str) -> String) -> Vec<Finding> {
        findings
            .into_iter()
            .filter(|f| {
                let fam = family(&f.rule_id);
                let m = |s: &String| {
                    selector_score(s, &f.rule_id, &fam, &f.equivalent.checkov).is_some()
                };
                let selected = self.select.as_ref().is_none_or(|sel| sel.iter().any(m));
                selected && !self.ignore.iter().any(m)
            })
            .map(|mut f| {
                if f.status == Status::Unknown {
                    return f;
                }
                let fam = family(&f.rule_id);
                let best = self
                    .severity
                    .iter()
                    .filter_map(|(s, sev)| {
                        selector_score(s, &f.rule_id, &fam, &f.equivalent.checkov)
                            .map(|score| (score, *sev))
                    })
                    .max_by_key(|(score, _)| *score);
                if let Some((_, sev)) = best {
                    f.severity = sev;
                }
                f
            })
            .collect()
    }
}

/// Whether a selector matches a rule, and how specifically (longer is more specific): the
/// exact id or a Checkov id (most specific), an id prefix, or the family name. Case-insensitive.
pub fn selector_score(sel: &str, id: &str, family: &str, checkov: &[String]) -> Option<usize> {
    let s = sel.trim();
    if s.is_empty() {
        return None;
    }
    if s.eq_ignore_ascii_case(id) || checkov.iter().any(|c| c.eq_ignore_ascii_case(s)) {
        return Some(usize::MAX);
    }
    let upper = s.to_ascii_uppercase();
    if id.to_ascii_uppercase().starts_with(&upper) {
        return Some(s.len());
    }
    if !family.is_empty() && s.eq_ignore_ascii_case(family) {
        return Some(0);
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_rules_and_fail_on() {
        let c = FileConfig::parse(
            "fail_on = \"high\"\n[rules]\nselect = [\"S3\"]\nignore = [\"S3005\"]\n[rules.severity]\nS3002 = \"low\"\n",
            "moat.toml",
        )
        .unwrap();
        assert_eq!(c.fail_on, Some(Severity::High));
        assert_eq!(c.select, Some(vec!["S3".to_string()]));
        assert_eq!(c.severity, vec![("S3002".to_string(), Severity::Low)]);
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn bad_severity_names_its_line() {
        let e = FileConfig::parse(
            "[rules]\n\n[rules.severity]\nS3002 = \"urgent\"\n",
            "m.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("line 4"), "{e}");
        assert!(e.contains("urgent"), "{e}");
    }

    #[test]
    fn syntax_error_names_its_line() {
        let e = FileConfig::parse("[rules]\nselect = [\"S3\"\n", "m.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("invalid config `m.toml` at line 2"), "{e}");
    }

    #[test]
    fn unknown_rules_key_is_an_error() {
        let e = FileConfig::parse("[rules]\nselcet = [\"S3\"]\n", "m.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("selcet"), "{e}");
    }

    #[test]
    fn selectors() {
        let ck = vec!["CKV_AWS_21".to_string()];
        assert_eq!(
            selector_score("S3002", "S3002", "s3", &ck),
            Some(usize::MAX)
        );
        assert_eq!(selector_score("s3", "S3002", "s3", &ck), Some(2));
        assert_eq!(
            selector_score("ckv_aws_21", "S3002", "s3", &ck),
            Some(usize::MAX)
        );
        assert_eq!(selector_score("SG", "S3002", "s3", &ck), None);
        assert_eq!(selector_score("ec2", "SG001", "ec2", &[]), Some(0));
    }
}
