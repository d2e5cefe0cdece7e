//! Helpers shared by the CLI test files.

use std::fs;
use std::path::Path;

#[path = "../../../../tests/support/peers.rs"]
mod peers;
pub use peers::missing_peer;

/// Validate with Python's `jsonschema` against the official schema (a copy in
/// `crates/moat-report/schemas`). The schema is committed, so its absence fails; without
/// `jsonschema` the check is skipped with a message, or fails under `MOAT_REQUIRE_PEERS=1`.
pub fn validate_sarif(doc: &str) {
    let schema =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../moat-report/schemas/sarif-2.1.0.json");
    assert!(
        schema.exists(),
        "SARIF schema {} not found",
        schema.display()
    );
    let has = std::process::Command::new("python3")
        .args(["-c", "import jsonschema"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !has {
        missing_peer(
            "python3 module `jsonschema` (SARIF schema validation)",
            "python3 -m pip install jsonschema (bash .ci/install-peers)",
        );
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
