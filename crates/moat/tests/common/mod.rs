//! Helpers shared by the CLI test files.

use std::fs;
use std::path::Path;

/// Validate with Python's `jsonschema` against the official schema (a copy in
/// `crates/moat-report/schemas`); skipped with a message when either is missing.
pub fn validate_sarif(doc: &str) {
    let schema =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../moat-report/schemas/sarif-2.1.0.json");
    if !schema.exists() {
        eprintln!(
            "skipped SARIF schema validation: {} not found",
            schema.display()
        );
        return;
    }
    let has = std::process::Command::new("python3")
        .args(["-c", "import jsonschema"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !has {
        eprintln!("skipped SARIF schema validation: python3 `jsonschema` missing");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("out.sarif");
    fs::write(&p, doc).unwrap();
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import json,sys,jsonschema\ns=json.load(open(sys.argv[1]));d=json.load(open(sys.argv[2]))\nerrs=list(jsonschema.validators.validator_for(s)(s).iter_errors(d))\n[print(e.message) for e in errs]\nsys.exit(1 if errs else 0)",
        ])
        .arg(&schema)
        .arg(&p)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
