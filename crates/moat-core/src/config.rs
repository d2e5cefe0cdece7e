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
//! [[network.invariant]]        # checked by NET100 on every scan, see `moat_net::invariant`
//! to = "aws_db_instance.main"
//! ports = "3306"
//! only_from = ["aws_security_group.app"]
//! ```
//!
//! Selectors also accept the Checkov IDs in a finding's `equivalent.checkov`, so a Checkov
//! skip list carries over. Findings that could not be decided (status `unknown`) keep the
//! severity `info` whatever the re-grading says: an undecided check is not a proven failure.
//! A selector that matches no rule, or a `select` that leaves no rule to run, is a usage error
//! ([`FileConfig::check_selectors`]): a typo must not turn a scan into a silent pass.
//!
//! `moat.toml` found in the scanned tree is untrusted like the rest of the tree
//! ([`FileConfig::discover`]): it is read only when its real path is inside the directory it
//! was found in and it is a regular file of at most [`MAX_CONFIG_BYTES`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use moat_model::{Finding, Refusal, Sandbox, Severity, Status};
use serde::Deserialize;
use toml::Spanned;

use crate::error::Error;

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
    #[serde(default)]
    limits: BTreeMap<Spanned<String>, Spanned<i64>>,
    #[serde(flatten)]
    other: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// The largest `moat.toml` read (a configuration is a few lines; a huge or endless file in a
/// scanned tree is refused rather than read into memory).
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Where a selector is written in the configuration (for messages).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SelectorAt {
    /// 1-based line (0 when not known).
    pub line: usize,
    /// `rules.select`, `rules.ignore` or `rules.severity`.
    pub key: &'static str,
    pub selector: String,
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
    /// `[[network.invariant]]` tables, checked by NET100 on every scan (`moat_net::invariant`).
    pub invariants: Vec<moat_net::invariant::Invariant>,
    /// Things worth telling the user (unknown sections).
    pub warnings: Vec<String>,
    /// How the configuration is named in messages (its path, or `moat.toml`).
    pub name: String,
    /// Every selector with the key and line it is written at, in file order.
    pub selectors: Vec<SelectorAt>,
    /// A `moat.toml` found in the scanned tree that was refused (a symlink out of the tree,
    /// not a regular file, too large): the scan goes on with the defaults, and this error is
    /// reported in `errors` with the findings.
    pub refused: Option<moat_model::ScanError>,
    /// `[limits]`: evaluation limits (see `moat_model::Limits`), before `--limit` flags.
    pub limits: Vec<(String, u64)>,
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map(|s| s.bytes().filter(|b| *b == b'\n').count() + 1)
        .unwrap_or(1)
}

impl FileConfig {
    /// Parse the text of a `moat.toml`. `name` is used in messages.
    pub fn parse(text: &str, name: &str) -> Result<FileConfig, Error> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
            Error::usage(format!(
                "invalid config `{name}` at line {line}: {}",
                e.message().trim_end_matches('\n')
            ))
        })?;
        let sev = |s: &Spanned<String>| -> Result<Severity, Error> {
            s.get_ref().parse::<Severity>().map_err(|m| {
                Error::usage(format!(
                    "invalid config `{name}` at line {}: {m}",
                    line_of(text, s.span().start)
                ))
            })
        };
        let line = |sp: &std::ops::Range<usize>| line_of(text, sp.start);
        let mut selectors = Vec::new();
        for s in raw.rules.select.iter().flatten() {
            selectors.push(SelectorAt {
                line: line(&s.span()),
                key: "rules.select",
                selector: s.get_ref().clone(),
            });
        }
        for s in &raw.rules.ignore {
            selectors.push(SelectorAt {
                line: line(&s.span()),
                key: "rules.ignore",
                selector: s.get_ref().clone(),
            });
        }
        let mut severity = Vec::new();
        for (k, v) in &raw.rules.severity {
            selectors.push(SelectorAt {
                line: line(&k.span()),
                key: "rules.severity",
                selector: k.get_ref().clone(),
            });
            severity.push((k.get_ref().clone(), sev(v)?));
        }
        selectors.sort();
        let fail_on = raw.fail_on.as_ref().map(sev).transpose()?;
        let invariants = moat_net::invariant::parse(text)
            .map_err(|e| Error::usage(format!("invalid config `{name}`: {e}")))?;
        let mut limits = Vec::new();
        for (k, v) in &raw.limits {
            let at = line_of(text, k.span().start);
            let value = u64::try_from(*v.get_ref()).ok().filter(|n| *n > 0);
            let mut probe = moat_model::Limits::default();
            match value.map(|n| probe.set(k.get_ref(), n)) {
                Some(Ok(())) => limits.push((k.get_ref().clone(), value.unwrap_or(1))),
                Some(Err(e)) => {
                    return Err(Error::usage(format!("invalid config `{name}` line {at}: {e}")))
                }
                None => {
                    return Err(Error::usage(format!(
                        "invalid config `{name}` line {at}: limit `{}` must be a whole number greater than 0",
                        k.get_ref()
                    )))
                }
            }
        }
        let warnings = raw
            .other
            .keys()
            .filter(|k| !OTHER_SECTIONS.contains(&k.as_str()))
            .map(|k| format!("unknown key `{k}` in `{name}` is ignored"))
            .collect();
        Ok(FileConfig {
            path: None,
            select: raw
                .rules
                .select
                .map(|v| v.into_iter().map(Spanned::into_inner).collect()),
            ignore: raw
                .rules
                .ignore
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            severity,
            fail_on,
            invariants,
            warnings,
            name: name.to_string(),
            selectors,
            refused: None,
            limits,
        })
    }

    /// Read `--config FILE`, or `moat.toml` in the first scanned path (its directory, for a
    /// file). No `moat.toml` there is the default configuration.
    ///
    /// A `moat.toml` found in the scanned tree is untrusted: it is read only when its real
    /// path (every symlink followed) is inside the directory it was found in, when it is a
    /// regular file (not a FIFO, a device, a socket or a directory, checked before opening:
    /// opening a FIFO blocks), and when it holds at most [`MAX_CONFIG_BYTES`] (read through a
    /// bounded reader, so a file that grows while read cannot pass the cap). `--config FILE`
    /// is trusted as to location (the user named it) but not as to kind or size.
    pub fn discover(explicit: Option<&Path>, paths: &[PathBuf]) -> Result<FileConfig, Error> {
        let (path, text) = match explicit {
            Some(p) => {
                if std::fs::symlink_metadata(p).is_err() {
                    return Err(Error::usage(format!(
                        "config file `{}` does not exist",
                        p.display()
                    )));
                }
                (p.to_path_buf(), read_config(p, None)?)
            }
            None => {
                let root = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
                let dir = if root.is_dir() {
                    root
                } else {
                    root.parent()
                        .filter(|p| !p.as_os_str().is_empty())
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| PathBuf::from("."))
                };
                let candidate = dir.join("moat.toml");
                // Present at all, even as a dangling symlink (which is refused, not skipped).
                match std::fs::symlink_metadata(&candidate) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        return Ok(FileConfig::default())
                    }
                    Err(e) => {
                        return Err(Error::usage(format!(
                            "cannot read config `{}`: {e}",
                            candidate.display()
                        )))
                    }
                    Ok(_) => {}
                }
                match read_config(&candidate, Some(&dir)) {
                    Ok(text) => (candidate, text),
                    // Refused, not fatal: the defaults are the strictest configuration, and the
                    // refusal is reported with the findings (exit 1 or more as usual).
                    Err(e) => {
                        return Ok(FileConfig {
                            refused: Some(moat_model::ScanError {
                                file: "moat.toml".into(),
                                line: 0,
                                message: format!("{e}; the default configuration is used"),
                            }),
                            ..FileConfig::default()
                        })
                    }
                }
            }
        };
        let mut cfg = FileConfig::parse(&text, &path.display().to_string())?;
        cfg.path = Some(path);
        Ok(cfg)
    }

    /// Check every selector against the catalogue (`known`: id, family, Checkov ids): one
    /// that matches no rule, or a `select` that leaves no rule to run, is a usage error that
    /// names the selectors, their keys and lines, and suggests close names.
    pub fn check_selectors(&self, known: &[(String, String, Vec<String>)]) -> Result<(), Error> {
        let matches = |s: &str| {
            known
                .iter()
                .any(|(id, fam, ck)| selector_score(s, id, fam, ck).is_some())
        };
        let unmatched: Vec<&SelectorAt> = self
            .selectors
            .iter()
            .filter(|s| !matches(&s.selector))
            .collect();
        let name = self.display_name();
        if let [one] = unmatched.as_slice() {
            return Err(Error::usage_help(
                format!(
                    "`{}` in `{}` at `{name}{}` matches no rule",
                    one.selector,
                    one.key,
                    if one.line > 0 {
                        format!(":{}", one.line)
                    } else {
                        String::new()
                    }
                ),
                selector_help(&[&one.selector], known),
            ));
        }
        if !unmatched.is_empty() {
            let list: Vec<String> = unmatched
                .iter()
                .map(|s| format!("`{}` (`{}`{})", s.selector, s.key, at_line(s.line)))
                .collect();
            let names: Vec<&str> = unmatched.iter().map(|s| s.selector.as_str()).collect();
            return Err(Error::usage_help(
                format!(
                    "{} selectors in `{name}` match no rule: {}",
                    unmatched.len(),
                    list.join(", ")
                ),
                selector_help(&names, known),
            ));
        }
        let Some(select) = &self.select else {
            return Ok(());
        };
        let m = |s: &String, (id, fam, ck): &(String, String, Vec<String>)| {
            selector_score(s, id, fam, ck).is_some()
        };
        let runs = known
            .iter()
            .any(|r| select.iter().any(|s| m(s, r)) && !self.ignore.iter().any(|s| m(s, r)));
        if runs {
            return Ok(());
        }
        if select.is_empty() {
            Err(Error::usage_help(
                format!("`rules.select` in `{name}` is empty, so no rule would run"),
                "remove `select` to run every rule, or list rule IDs (`S3002`), ID prefixes (`S3`), families (`s3`) or Checkov IDs; `moat rules` lists them".to_string(),
            ))
        } else {
            Err(Error::usage_help(
                format!("`rules.ignore` in `{name}` ignores every rule that `rules.select` selects, so no rule would run"),
                "remove the overlap between `select` and `ignore`; `moat rules` lists the rules".to_string(),
            ))
        }
    }

    /// The `[limits]` to apply, in file order, on top of the defaults and before any limit the
    /// user gives on the command line. A configuration found in the scanned tree (`trusted`
    /// false) is untrusted: it may lower a limit, never raise one; each raise is left out with
    /// a warning (in [`FileConfig::warnings`]).
    pub fn applicable_limits(&mut self, trusted: bool) -> Vec<(String, u64)> {
        let defaults = moat_model::Limits::default();
        let shown = self.display_name();
        let mut out = Vec::new();
        let mut warnings = Vec::new();
        for (name, value) in &self.limits {
            let mut probe = defaults;
            let _ = probe.set(name, *value);
            if probe.raises(&defaults) && !trusted {
                warnings.push(format!(
                    "`[limits] {name}` in `{shown}` would raise a limit and is ignored: a scanned repository cannot raise moat's limits (use `--limit {name}={value}` or `--config FILE`)"
                ));
                continue;
            }
            out.push((name.clone(), *value));
        }
        self.warnings.extend(warnings);
        out
    }

    /// How the configuration is named in messages.
    pub fn display_name(&self) -> String {
        match &self.path {
            Some(p) => p.display().to_string(),
            None if !self.name.is_empty() => self.name.clone(),
            None => "moat.toml".to_string(),
        }
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

/// `, line N`, or nothing when the line is not known.
fn at_line(line: usize) -> String {
    if line > 0 {
        format!(", line {line}")
    } else {
        String::new()
    }
}

/// Edit distance between two short names (case-insensitive).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_ascii_uppercase().chars().collect();
    let b: Vec<char> = b.to_ascii_uppercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

/// Advice for selectors that match no rule: the closest names of the catalogue (rule IDs,
/// ID prefixes, families, Checkov IDs), and where to find them all.
fn selector_help(unmatched: &[&str], known: &[(String, String, Vec<String>)]) -> String {
    let mut names: BTreeSet<String> = BTreeSet::new();
    for (id, fam, ck) in known {
        names.insert(id.clone());
        // `S3002` -> `S3`, `NET012` -> `NET`: IDs end in three digits.
        if let Some(p) = id
            .get(..id.len().saturating_sub(3))
            .filter(|p| !p.is_empty())
        {
            names.insert(p.to_string());
        }
        if !fam.is_empty() {
            names.insert(fam.clone());
        }
        names.extend(ck.iter().cloned());
    }
    let mut hints = Vec::new();
    for sel in unmatched {
        let sel = sel.trim();
        let scored: Vec<(usize, &String)> = names
            .iter()
            .map(|n| (distance(sel, n), n))
            .filter(|(d, _)| *d <= 2 && *d < sel.chars().count())
            .collect();
        let Some(best) = scored.iter().map(|(d, _)| *d).min() else {
            continue;
        };
        // A family and an ID prefix often differ only in case (`sg`, `SG`): name one.
        let mut seen = BTreeSet::new();
        let close: Vec<String> = scored
            .iter()
            .filter(|(d, n)| *d == best && seen.insert(n.to_ascii_uppercase()))
            .take(3)
            .map(|(_, n)| format!("`{n}`"))
            .collect();
        let close = close.join(" or ");
        hints.push(if unmatched.len() > 1 {
            format!("{close} (for `{sel}`)")
        } else {
            close
        });
    }
    if hints.is_empty() {
        "a selector is a rule ID (`S3002`), an ID prefix (`S3`), a family (`s3`) or a Checkov ID (`CKV_AWS_21`); `moat rules` lists the rules".to_string()
    } else {
        format!(
            "did you mean {}? `moat rules` lists the rules",
            hints.join(", ")
        )
    }
}

/// Read a configuration file: a regular file of at most [`MAX_CONFIG_BYTES`]; with
/// `confine`, only when its real path lies inside that directory (a `moat.toml` found in a
/// scanned tree). The checks are the scanned tree's ([`moat_model::Sandbox`]).
fn read_config(path: &Path, confine: Option<&Path>) -> Result<String, Error> {
    let shown = path.display().to_string();
    let read = match confine {
        Some(dir) => {
            let mut sandbox = Sandbox::new(dir);
            sandbox.max_bytes = MAX_CONFIG_BYTES;
            sandbox.read(path, &shown)
        }
        None => moat_model::sandbox::read_regular(path, &shown, MAX_CONFIG_BYTES),
    };
    let bytes = read.map_err(|refusal| match refusal {
        Refusal::Outside { .. } => {
            let to = std::fs::canonicalize(path)
                .map(|r| format!(" to `{}`", r.display()))
                .unwrap_or_default();
            Error::usage_help(
                format!(
                    "config `{shown}` resolves{to}, outside the scanned directory `{}`: not read",
                    confine.unwrap_or(Path::new(".")).display()
                ),
                "a scanned repository cannot make moat read files outside it; pass `--config FILE` to use a configuration kept elsewhere",
            )
        }
        Refusal::NotRegular { kind, .. } => Error::usage(format!(
            "config `{shown}` is {kind}, not a regular file: not read"
        )),
        Refusal::TooLarge { max, .. } => Error::usage(format!(
            "config `{shown}` is larger than {max} bytes: not read"
        )),
        Refusal::Io { reason, .. } => {
            Error::usage(format!("cannot read config `{shown}`: {reason}"))
        }
    })?;
    String::from_utf8(bytes)
        .map_err(|_| Error::usage(format!("config `{shown}` is not valid UTF-8: not read")))
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

    fn known() -> Vec<(String, String, Vec<String>)> {
        vec![
            ("S3002".into(), "s3".into(), vec!["CKV_AWS_21".into()]),
            ("SG001".into(), "sg".into(), vec![]),
            ("NET100".into(), "network".into(), vec![]),
        ]
    }

    fn check(toml: &str) -> Result<(), (String, Option<String>)> {
        FileConfig::parse(toml, "cfg/moat.toml")
            .unwrap()
            .check_selectors(&known())
            .map_err(|e| (e.to_string(), e.help().map(str::to_string)))
    }

    #[test]
    fn selectors_keep_their_key_and_line() {
        let c = FileConfig::parse(
            "[rules]\nselect = [\"S3\",\n  \"SG001\"]\nignore = [\"S3005\"]\n[rules.severity]\nS3002 = \"low\"\n",
            "moat.toml",
        )
        .unwrap();
        let at: Vec<(usize, &str, &str)> = c
            .selectors
            .iter()
            .map(|s| (s.line, s.key, s.selector.as_str()))
            .collect();
        assert_eq!(
            at,
            [
                (2, "rules.select", "S3"),
                (3, "rules.select", "SG001"),
                (4, "rules.ignore", "S3005"),
                (6, "rules.severity", "S3002"),
            ]
        );
    }

    #[test]
    fn selectors_that_match_rules_pass() {
        assert_eq!(check(""), Ok(()));
        assert_eq!(
            check("[rules]\nselect = [\"s3\", \"sg001\", \"ckv_aws_21\"]\nignore = [\"NET\"]\n[rules.severity]\nS3 = \"low\"\n"),
            Ok(())
        );
    }

    #[test]
    fn a_selector_that_matches_no_rule_is_an_error_with_a_suggestion() {
        let (msg, help) = check("[rules]\nignore = [\"S3O02\"]\n").unwrap_err();
        assert_eq!(
            msg,
            "`S3O02` in `rules.ignore` at `cfg/moat.toml:2` matches no rule"
        );
        assert_eq!(
            help.as_deref(),
            Some("did you mean `S3002`? `moat rules` lists the rules")
        );
        // Nothing close: say what a selector is.
        let (msg, help) = check("[rules.severity]\nXYZZY99 = \"low\"\n").unwrap_err();
        assert_eq!(
            msg,
            "`XYZZY99` in `rules.severity` at `cfg/moat.toml:2` matches no rule"
        );
        assert!(help.unwrap().contains("`moat rules` lists the rules"));
    }

    #[test]
    fn several_unmatched_selectors_are_all_named() {
        let (msg, help) =
            check("[rules]\nselect = [\"SGG\", \"S3\"]\n[rules.severity]\nNOPE123 = \"low\"\n")
                .unwrap_err();
        assert_eq!(
            msg,
            "2 selectors in `cfg/moat.toml` match no rule: `SGG` (`rules.select`, line 2), `NOPE123` (`rules.severity`, line 4)"
        );
        assert_eq!(
            help.as_deref(),
            Some("did you mean `SG` (for `SGG`)? `moat rules` lists the rules")
        );
    }

    #[test]
    fn a_select_that_leaves_no_rule_is_an_error() {
        let (msg, _) = check("[rules]\nselect = []\n").unwrap_err();
        assert_eq!(
            msg,
            "`rules.select` in `cfg/moat.toml` is empty, so no rule would run"
        );
        let (msg, _) = check("[rules]\nselect = [\"S3\"]\nignore = [\"s3\"]\n").unwrap_err();
        assert_eq!(
            msg,
            "`rules.ignore` in `cfg/moat.toml` ignores every rule that `rules.select` selects, so no rule would run"
        );
    }

    #[test]
    fn edit_distance() {
        assert_eq!(distance("S3O02", "S3002"), 1);
        assert_eq!(distance("sg", "SG"), 0);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
