//! Render a moat scan as text, JSON, SARIF 2.1.0 or JUnit XML.
//!
//! Every renderer writes to a `&mut dyn Write` the caller owns and never prints. The input is a
//! [`Report`]: the findings of a scan (already filtered, re-graded, suppressed and sorted by the
//! caller), the errors met while reading, the source texts for context lines, and counts.
//! [`RuleMeta`] describes the rule catalogue for formats that carry rule documentation.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::print_stdout,
        clippy::print_stderr
    )
)]

use std::collections::BTreeMap;
use std::sync::Arc;

use moat_model::{Finding, Note, ScanError, Severity, Status};

pub mod json;
pub mod junit;
pub mod sarif;
pub mod text;

/// The version of moat written into reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where users read more about moat (SARIF `informationUri`).
pub const INFORMATION_URI: &str = "https://github.com/moat-dev/moat";

/// One finding as it reaches the user, with the reason of its suppression if any.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub finding: Finding,
    /// The reason written in the `moat:ignore` comment, when `finding.suppressed` is true.
    pub suppression: Option<Suppression>,
}

/// Why a finding is suppressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// The justification the user wrote.
    pub reason: String,
    /// Where the suppression comment is (file, 1-based line).
    pub file: String,
    pub line: u32,
}

impl Entry {
    pub fn new(finding: Finding) -> Self {
        Entry {
            finding,
            suppression: None,
        }
    }
}

/// Everything a renderer needs.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Sorted (see `moat_model::sort_findings`), suppressed ones included.
    pub entries: Vec<Entry>,
    /// Sorted errors (file, line, message).
    pub errors: Vec<ScanError>,
    /// Sorted notes (unresolved modules, values that stayed unknown, functions not
    /// evaluated): every format reports them (text, JSON `notes`, SARIF tool execution
    /// notifications, JUnit `<system-out>`).
    pub notes: Vec<Note>,
    pub files_scanned: usize,
    pub resources: usize,
    /// Source text of the scanned files, by the path used in findings.
    pub sources: BTreeMap<Arc<str>, Arc<str>>,
    /// Why the scan could not do its job (nothing could be read or checked: exit 2), if so.
    /// SARIF reports it as `executionSuccessful: false` with an error notification.
    pub failed: Option<String>,
}

impl Report {
    /// The text of a line of a scanned file (1-based).
    pub fn source_line(&self, file: &str, line: u32) -> Option<&str> {
        let text = self.sources.get(file)?;
        text.lines().nth((line as usize).checked_sub(1)?)
    }

    /// Findings that are not suppressed.
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.entries
            .iter()
            .map(|e| &e.finding)
            .filter(|f| !f.suppressed)
    }

    /// Counts for the summary line.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for e in &self.entries {
            let f = &e.finding;
            if f.suppressed {
                c.suppressed += 1;
                continue;
            }
            c.findings += 1;
            if f.status == Status::Unknown {
                c.unknown += 1;
            }
            match f.severity {
                Severity::Critical => c.critical += 1,
                Severity::High => c.high += 1,
                Severity::Medium => c.medium += 1,
                Severity::Low => c.low += 1,
                Severity::Info => c.info += 1,
            }
        }
        c
    }
}

/// Finding counts (unsuppressed findings by severity, suppressed ones apart).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub findings: usize,
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
    /// Of `findings`, how many could not be decided (status `unknown`).
    pub unknown: usize,
    pub suppressed: usize,
}

/// What a report says about a rule (the catalogue, independent of the rules crate).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleMeta {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    /// Family (`s3`, `ec2`, `iam`, ...).
    pub family: String,
    pub checkov: Vec<String>,
    /// Markdown documentation.
    pub doc: String,
}

/// The rules a report refers to: the catalogue, plus any rule that appears only in findings
/// (an analysis outside the catalogue), sorted by id.
pub fn rules_for(report: &Report, catalogue: &[RuleMeta]) -> Vec<RuleMeta> {
    let mut by_id: BTreeMap<&str, RuleMeta> = catalogue
        .iter()
        .map(|r| (r.id.as_str(), r.clone()))
        .collect();
    for e in &report.entries {
        let f = &e.finding;
        by_id.entry(f.rule_id.as_str()).or_insert_with(|| RuleMeta {
            id: f.rule_id.clone(),
            title: f.title.clone(),
            severity: f.severity,
            family: String::new(),
            checkov: f.equivalent.checkov.clone(),
            doc: String::new(),
        });
    }
    by_id.into_values().collect()
}

/// The first paragraph of a Markdown doc that is not a heading, flattened to one line.
pub(crate) fn first_paragraph(doc: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for line in doc.lines() {
        let t = line.trim();
        if t.starts_with('#') {
            if out.is_empty() {
                continue;
            }
            break;
        }
        if t.is_empty() {
            if out.is_empty() {
                continue;
            }
            break;
        }
        out.push(t);
    }
    out.join(" ")
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Hand-built findings shared by the renderer tests.
    use super::*;
    use moat_model::{Equivalent, Finding};

    pub fn finding(
        rule: &str,
        sev: Severity,
        file: &str,
        line: u32,
        resource: &str,
        msg: &str,
    ) -> Finding {
        let rtype = resource.split('.').next().unwrap_or_default().to_string();
        Finding {
            rule_id: rule.into(),
            title: match rule {
                "S3002" => "S3 bucket versioning is not enabled".into(),
                "SG001" => "Security group allows SSH from the internet".into(),
                _ => format!("rule {rule}"),
            },
            severity: sev,
            resource: resource.into(),
            resource_type: rtype,
            file: file.into(),
            line,
            message: msg.into(),
            equivalent: Equivalent {
                checkov: match rule {
                    "S3002" => vec!["CKV_AWS_21".into()],
                    "SG001" => vec!["CKV_AWS_24".into()],
                    _ => vec![],
                },
            },
            suppressed: false,
            status: Status::Fail,
            root: String::new(),
        }
    }

    pub fn catalogue() -> Vec<RuleMeta> {
        vec![
            RuleMeta {
                id: "S3002".into(),
                title: "S3 bucket versioning is not enabled".into(),
                severity: Severity::Medium,
                family: "s3".into(),
                checkov: vec!["CKV_AWS_21".into()],
                doc: "## What it does\nChecks that every S3 bucket has versioning enabled.\n\n## Why is this bad?\nWithout versioning an overwrite or delete cannot be undone.\n".into(),
            },
            RuleMeta {
                id: "SG001".into(),
                title: "Security group allows SSH from the internet".into(),
                severity: Severity::High,
                family: "ec2".into(),
                checkov: vec!["CKV_AWS_24".into()],
                doc: "## What it does\nFlags ingress on port 22 from 0.0.0.0/0 or ::/0.\n".into(),
            },
            RuleMeta {
                id: "TRAIL001".into(),
                title: "CloudTrail is not multi-region".into(),
                severity: Severity::Medium,
                family: "cloudtrail".into(),
                checkov: vec![],
                doc: String::new(),
            },
        ]
    }

    pub fn report() -> Report {
        let mut sup = finding(
            "S3002",
            Severity::Medium,
            "storage/s3.tf",
            12,
            "aws_s3_bucket.scratch",
            "bucket `aws_s3_bucket.scratch` has no versioning configuration",
        );
        sup.suppressed = true;
        let mut unknown = finding(
            "SG001",
            Severity::Info,
            "network.tf",
            9,
            "aws_security_group.admin",
            "cannot decide: variable `admin_cidr` has no value",
        );
        unknown.status = Status::Unknown;
        let entries = vec![
            Entry::new(finding(
                "SG001",
                Severity::High,
                "network.tf",
                4,
                "aws_security_group.ssh",
                "ingress allows tcp/22 from `0.0.0.0/0`",
            )),
            Entry::new(unknown),
            Entry::new(finding(
                "S3002",
                Severity::Medium,
                "storage/s3.tf",
                1,
                "aws_s3_bucket.logs",
                "bucket `aws_s3_bucket.logs` has no versioning configuration",
            )),
            Entry {
                finding: sup,
                suppression: Some(Suppression {
                    reason: "scratch data, recreated nightly".into(),
                    file: "storage/s3.tf".into(),
                    line: 11,
                }),
            },
        ];
        let mut sources = BTreeMap::new();
        sources.insert(
            Arc::from("network.tf"),
            Arc::from(
                "resource \"aws_security_group\" \"ssh\" {\n  ingress {\n    from_port   = 22\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n\nresource \"aws_security_group\" \"admin\" {\n  ingress { cidr_blocks = [var.admin_cidr] }\n}\n",
            ),
        );
        sources.insert(
            Arc::from("storage/s3.tf"),
            Arc::from("resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n"),
        );
        Report {
            failed: None,
            entries,
            errors: vec![ScanError {
                file: "broken.tf".into(),
                line: 3,
                message: "expected `=` after attribute name `bucket`".into(),
            }],
            notes: vec![
                Note {
                    file: "main.tf".into(),
                    line: 7,
                    message: "module `vpc` (`terraform-aws-modules/vpc/aws`) was not resolved"
                        .into(),
                },
                Note {
                    file: "main.tf".into(),
                    line: 12,
                    message: "function `templatefile` is not supported; its result is unknown"
                        .into(),
                },
            ],
            files_scanned: 3,
            resources: 4,
            sources,
        }
    }
}
