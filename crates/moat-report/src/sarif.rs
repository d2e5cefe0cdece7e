//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it.
//!
//! One run; `tool.driver.rules` holds the catalogue (id, shortDescription, fullDescription,
//! help from the rule documentation, defaultConfiguration.level, properties.tags and
//! `security-severity`); each finding is a result with `ruleId`/`ruleIndex`, `level`, the
//! message, one physical location (uri relative to `%SRCROOT%`, startLine) and the resource as a
//! logical location, a `partialFingerprints` entry that does not depend on the line (so an alert
//! survives code moving), and `suppressions` for findings suppressed in source. Read errors
//! (level `error`) and notes (level `note`: a module that was not downloaded, a value that
//! stayed unknown) become `invocations[0].toolExecutionNotifications`, each with its file and
//! line.

use std::fmt::Write as _;
use std::io::{self, Write};

use moat_model::{Finding, Severity, Status};
use serde_json::{json, Map, Value};

use crate::{first_paragraph, rules_for, Entry, Report, RuleMeta};

/// The schema URI written in `$schema`.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// SARIF level for a severity: critical/high are errors, medium warnings, low/info notes.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (a CVSS-like score: >= 9 critical, >= 7 high, >= 4 medium,
/// > 0 low).
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// The report as a SARIF log.
pub fn to_value(report: &Report, catalogue: &[RuleMeta]) -> Value {
    let rules = rules_for(report, catalogue);
    let rule_values: Vec<Value> = rules.iter().map(rule).collect();
    let results: Vec<Value> = report.entries.iter().map(|e| result(e, &rules)).collect();
    // Read errors (level `error`), then notes (level `note`: what could not be analysed, such
    // as a registry module that was not downloaded), each list sorted by the caller.
    let mut notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| notification("error", &e.file, e.line, &e.message))
        .chain(
            report
                .notes
                .iter()
                .map(|n| notification("note", &n.file, n.line, &n.message)),
        )
        .collect();
    // The scan could not do its job (nothing could be read or checked): say so first.
    if let Some(why) = report
        .failed
        .as_ref()
        .filter(|w| !report.errors.iter().any(|e| &e.message == *w))
    {
        notifications.insert(0, json!({ "level": "error", "message": { "text": why } }));
    }
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [ {
            "tool": {
                "driver": {
                    "name": "moat",
                    "version": crate::VERSION,
                    "semanticVersion": crate::VERSION,
                    "informationUri": crate::INFORMATION_URI,
                    "rules": rule_values,
                }
            },
            "invocations": [ {
                "executionSuccessful": report.failed.is_none(),
                "toolExecutionNotifications": notifications,
            } ],
            "results": results,
            "columnKind": "unicodeCodePoints",
        } ],
    })
}

/// A `toolExecutionNotification` at a file (and line, when known).
fn notification(level: &str, file: &str, line: u32, message: &str) -> Value {
    let mut phys = Map::new();
    phys.insert("artifactLocation".into(), artifact(file));
    if line > 0 {
        phys.insert("region".into(), json!({ "startLine": line }));
    }
    json!({
        "level": level,
        "message": { "text": message },
        "locations": [ { "physicalLocation": Value::Object(phys) } ],
    })
}

fn rule(r: &RuleMeta) -> Value {
    let full = match first_paragraph(&r.doc) {
        s if s.is_empty() => r.title.clone(),
        s => s,
    };
    let help = if r.doc.trim().is_empty() {
        r.title.clone()
    } else {
        r.doc.clone()
    };
    let mut tags = vec!["security".to_string()];
    if !r.family.is_empty() {
        tags.push(r.family.clone());
    }
    let mut props = Map::new();
    props.insert("tags".into(), json!(tags));
    props.insert(
        "security-severity".into(),
        json!(security_severity(r.severity)),
    );
    props.insert("precision".into(), json!("high"));
    if !r.checkov.is_empty() {
        props.insert("checkov".into(), json!(r.checkov));
    }
    json!({
        "id": r.id,
        "name": pascal_name(&r.title),
        "shortDescription": { "text": r.title },
        "fullDescription": { "text": full },
        "help": { "text": help, "markdown": help },
        "defaultConfiguration": { "level": level(r.severity) },
        "properties": Value::Object(props),
    })
}

fn result(e: &Entry, rules: &[RuleMeta]) -> Value {
    let f = &e.finding;
    let mut phys = Map::new();
    phys.insert("artifactLocation".into(), artifact(&f.file));
    if f.line > 0 {
        phys.insert("region".into(), json!({ "startLine": f.line }));
    }
    let mut m = Map::new();
    m.insert("ruleId".into(), json!(f.rule_id));
    if let Some(i) = rules.iter().position(|r| r.id == f.rule_id) {
        m.insert("ruleIndex".into(), json!(i));
    }
    m.insert("level".into(), json!(level(f.severity)));
    m.insert("message".into(), json!({ "text": f.message }));
    m.insert(
        "locations".into(),
        json!([ {
            "physicalLocation": Value::Object(phys),
            "logicalLocations": [ {
                "name": f.resource,
                "fullyQualifiedName": f.resource,
                "kind": "resource",
            } ],
        } ]),
    );
    m.insert(
        "partialFingerprints".into(),
        json!({ "moatFindingHash/v1": fingerprint(f) }),
    );
    if f.suppressed {
        let justification = e
            .suppression
            .as_ref()
            .map(|s| s.reason.clone())
            .unwrap_or_default();
        m.insert(
            "suppressions".into(),
            json!([ { "kind": "inSource", "justification": justification } ]),
        );
    }
    m.insert(
        "properties".into(),
        json!({
            "severity": f.severity.as_str(),
            "status": match f.status { Status::Fail => "fail", Status::Unknown => "unknown" },
            "resourceType": f.resource_type,
        }),
    );
    Value::Object(m)
}

fn artifact(file: &str) -> Value {
    json!({ "uri": uri(file), "uriBaseId": "%SRCROOT%" })
}

/// A relative path as a URI reference: `/` separators, everything outside the unreserved set
/// percent-encoded.
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// A stable fingerprint of a finding that ignores its line: FNV-1a 64 over rule, resource,
/// file and message.
pub fn fingerprint(f: &Finding) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [&f.rule_id, &f.resource, &f.file, &f.message] {
        for b in part.bytes().chain(std::iter::once(0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn pascal_name(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(c) => c.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Write the SARIF log, pretty-printed, followed by a newline.
pub fn write(out: &mut dyn Write, report: &Report, catalogue: &[RuleMeta]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report, catalogue))?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used)]
    use super::*;
    use crate::fixtures;
    use std::path::PathBuf;

    #[test]
    fn snapshot() {
        let mut buf = Vec::new();
        write(&mut buf, &fixtures::report(), &fixtures::catalogue()).unwrap();
        insta::assert_snapshot!(String::from_utf8(buf).unwrap());
    }

    #[test]
    fn results_point_at_rules_and_lines() {
        let v = to_value(&fixtures::report(), &fixtures::catalogue());
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["S3002", "SG001", "TRAIL001"]);
        assert_eq!(rules[1]["defaultConfiguration"]["level"], "error");
        assert_eq!(rules[1]["properties"]["security-severity"], "8.0");
        assert_eq!(
            rules[0]["fullDescription"]["text"],
            "Checks that every S3 bucket has versioning enabled."
        );
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 4);
        assert_eq!(results[0]["ruleId"], "SG001");
        assert_eq!(results[0]["ruleIndex"], 1);
        assert_eq!(results[0]["level"], "error");
        let loc = &results[0]["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "network.tf");
        assert_eq!(loc["region"]["startLine"], 4);
        assert!(results[0].get("suppressions").is_none());
        assert_eq!(results[3]["suppressions"][0]["kind"], "inSource");
        assert_eq!(
            results[3]["suppressions"][0]["justification"],
            "scratch data, recreated nightly"
        );
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        let levels: Vec<&str> = notes.iter().map(|n| n["level"].as_str().unwrap()).collect();
        assert_eq!(levels, ["error", "note", "note"]);
        assert_eq!(
            notes[1],
            json!({
                "level": "note",
                "message": { "text": "module `vpc` (`terraform-aws-modules/vpc/aws`) was not resolved" },
                "locations": [ { "physicalLocation": {
                    "artifactLocation": { "uri": "main.tf", "uriBaseId": "%SRCROOT%" },
                    "region": { "startLine": 7 },
                } } ],
            })
        );
        assert_eq!(
            notes[2]["locations"][0]["physicalLocation"]["region"]["startLine"],
            12
        );
    }

    #[test]
    fn fingerprint_ignores_line() {
        let mut a = fixtures::finding("S3002", Severity::Medium, "a.tf", 1, "aws_s3_bucket.x", "m");
        let fa = fingerprint(&a);
        a.line = 40;
        assert_eq!(fingerprint(&a), fa);
        a.resource = "aws_s3_bucket.y".into();
        assert_ne!(fingerprint(&a), fa);
    }

    #[test]
    fn uris_are_escaped() {
        assert_eq!(uri("dir one/main.tf"), "dir%20one/main.tf");
        assert_eq!(uri("a\\b#c.tf"), "a/b%23c.tf");
    }

    /// Validate against the official OASIS schema (a copy in `crates/moat-report/schemas`) with
    /// Python's `jsonschema`.
    /// Skipped (with a message) when the schema file or the Python module is missing.
    #[test]
    fn validates_against_the_sarif_schema() {
        let schema = std::env::var_os("MOAT_SARIF_SCHEMA")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas/sarif-2.1.0.json")
            });
        if !schema.exists() {
            eprintln!("skipped: SARIF schema not found at {}", schema.display());
            return;
        }
        let ok = std::process::Command::new("python3")
            .args(["-c", "import jsonschema"])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            eprintln!("skipped: python3 with the `jsonschema` module is not available");
            return;
        }
        let dir = std::env::temp_dir().join(format!("moat-sarif-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let doc = dir.join("out.sarif");
        let mut buf = Vec::new();
        write(&mut buf, &fixtures::report(), &fixtures::catalogue()).unwrap();
        std::fs::write(&doc, &buf).unwrap();
        let script = "import json,sys,jsonschema\n\
            s=json.load(open(sys.argv[1]));d=json.load(open(sys.argv[2]))\n\
            v=jsonschema.validators.validator_for(s)(s)\n\
            errs=sorted(v.iter_errors(d),key=str)\n\
            [print(e.message, list(e.path)) for e in errs]\n\
            sys.exit(1 if errs else 0)\n";
        let out = std::process::Command::new("python3")
            .args(["-c", script])
            .arg(&schema)
            .arg(&doc)
            .output()
            .unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            out.status.success(),
            "SARIF output does not validate:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
