//! Findings: what analyses produce and reports render.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::estate::Resource;
use crate::value::Loc;

/// Severity, ordered from `Info` (lowest) to `Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity `{other}`, expected critical, high, medium, low or info"
            )),
        }
    }
}

/// Whether the finding is a proven failure or could not be decided because a value is unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Fail,
    Unknown,
}

/// Identifiers of peer tools' checks that decide the same property.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Equivalent {
    pub checkov: Vec<String>,
}

/// One finding, as the JSON contract (CONTRACTS.md) lays it out.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub resource: String,
    pub resource_type: String,
    pub file: String,
    pub line: u32,
    pub message: String,
    pub equivalent: Equivalent,
    pub suppressed: bool,
    /// `fail`, or `unknown` when an input could not be resolved (reported, never passed).
    pub status: Status,
    /// The root module the finding was found in (`.`, `envs/prod`), so that the same module
    /// file flagged through two roots stays two findings. Omitted when empty.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub root: String,
}

impl Finding {
    /// A finding on `resource` at `loc` (use [`Resource::loc_of`] to point at the attribute).
    pub fn new(
        rule_id: &str,
        title: &str,
        severity: Severity,
        resource: &Resource,
        loc: &Loc,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            rule_id: rule_id.to_string(),
            title: title.to_string(),
            severity,
            resource: resource.address.clone(),
            resource_type: resource.rtype.clone(),
            file: loc.file.to_string(),
            line: loc.line,
            message: message.into(),
            equivalent: Equivalent::default(),
            suppressed: false,
            status: Status::Fail,
            root: String::new(),
        }
    }

    pub fn with_checkov(mut self, ids: &[&str]) -> Self {
        self.equivalent.checkov = ids.iter().map(|s| s.to_string()).collect();
        self.equivalent.checkov.sort();
        self
    }

    /// Mark as undecidable: the status becomes `unknown` and the severity `info`, so that it is
    /// reported but does not fail a build at the default threshold.
    pub fn unknown(mut self) -> Self {
        self.status = Status::Unknown;
        self.severity = Severity::Info;
        self
    }

    /// The order in which findings reach the user.
    pub fn sort_key(&self) -> (&str, u32, &str, &str, &str, &str) {
        (
            self.file.as_str(),
            self.line,
            self.rule_id.as_str(),
            self.resource.as_str(),
            self.message.as_str(),
            self.root.as_str(),
        )
    }
}

/// Sort findings into the order users see them, and drop exact duplicates.
pub fn sort_findings(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
}
