//! `--format json`: exactly the shape in CONTRACTS.md, pretty-printed.
//!
//! Fields, in order: `moat_version`, `findings` (rule_id, title, severity, resource,
//! resource_type, file, line, message, equivalent{checkov}, suppressed, then the added fields
//! `status`, `root` (the root module, when known) and, for suppressed findings,
//! `suppression_reason`), `errors` (file, line,
//! message), then the added `notes` (file, line, message: what moat could not analyse, such
//! as a registry module that was not downloaded), `summary` (files_scanned, resources).

use std::io::{self, Write};

use serde_json::{json, Map, Value};

use crate::{Entry, Report};

/// The report as a JSON value (field order preserved).
pub fn to_value(report: &Report) -> Value {
    let findings: Vec<Value> = report.entries.iter().map(entry).collect();
    let errors: Vec<Value> = report
        .errors
        .iter()
        .map(|e| json!({ "file": e.file, "line": e.line, "message": e.message }))
        .collect();
    let notes: Vec<Value> = report
        .notes
        .iter()
        .map(|n| json!({ "file": n.file, "line": n.line, "message": n.message }))
        .collect();
    json!({
        "moat_version": crate::VERSION,
        "findings": findings,
        "errors": errors,
        "notes": notes,
        "summary": {
            "files_scanned": report.files_scanned,
            "resources": report.resources,
        },
    })
}

fn entry(e: &Entry) -> Value {
    let f = &e.finding;
    let mut m = Map::new();
    m.insert("rule_id".into(), json!(f.rule_id));
    m.insert("title".into(), json!(f.title));
    m.insert("severity".into(), json!(f.severity.as_str()));
    m.insert("resource".into(), json!(f.resource));
    m.insert("resource_type".into(), json!(f.resource_type));
    m.insert("file".into(), json!(f.file));
    m.insert("line".into(), json!(f.line));
    m.insert("message".into(), json!(f.message));
    m.insert(
        "equivalent".into(),
        json!({ "checkov": f.equivalent.checkov }),
    );
    m.insert("suppressed".into(), json!(f.suppressed));
    m.insert(
        "status".into(),
        json!(match f.status {
            moat_model::Status::Fail => "fail",
            moat_model::Status::Unknown => "unknown",
        }),
    );
    if !f.root.is_empty() {
        m.insert("root".into(), json!(f.root));
    }
    if let Some(s) = &e.suppression {
        m.insert("suppression_reason".into(), json!(s.reason));
    }
    Value::Object(m)
}

/// Write the report as pretty-printed JSON followed by a newline.
pub fn write(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report))?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::fixtures;

    #[test]
    fn snapshot() {
        let mut buf = Vec::new();
        write(&mut buf, &fixtures::report()).unwrap();
        insta::assert_snapshot!(String::from_utf8(buf).unwrap());
    }

    #[test]
    fn field_order_matches_the_contract() {
        let v = to_value(&fixtures::report());
        let top: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            top,
            ["moat_version", "findings", "errors", "notes", "summary"]
        );
        let f: Vec<&str> = v["findings"][0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            f,
            [
                "rule_id",
                "title",
                "severity",
                "resource",
                "resource_type",
                "file",
                "line",
                "message",
                "equivalent",
                "suppressed",
                "status"
            ]
        );
        assert_eq!(v["findings"][3]["suppressed"], true);
        assert_eq!(
            v["findings"][3]["suppression_reason"],
            "scratch data, recreated nightly"
        );
        assert_eq!(v["findings"][1]["status"], "unknown");
        assert_eq!(v["errors"][0]["line"], 3);
        assert_eq!(
            v["notes"],
            json!([
                {
                    "file": "main.tf",
                    "line": 7,
                    "message": "module `vpc` (`terraform-aws-modules/vpc/aws`) was not resolved",
                },
                {
                    "file": "main.tf",
                    "line": 12,
                    "message": "function `templatefile` is not supported; its result is unknown",
                },
            ])
        );
        assert_eq!(v["summary"]["files_scanned"], 3);
        assert_eq!(v["summary"]["resources"], 4);
    }
}
