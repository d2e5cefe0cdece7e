//! Differential test against `cfn-lint` (AWS's CloudFormation linter): every template that is
//! meant to be valid must be one, and moat must read it without an error.
//!
//! The templates: every rule fixture written in CloudFormation
//! (`fixtures/<family>/<CODE>/cloudformation/**`), the bundled example
//! `examples/three-tier-cloudformation`, and the fixtures of this crate that are valid by
//! intent: those under a directory named `valid`
//! (`crates/moat-cloudformation/tests/fixtures/**/valid/**`) and those listed in
//! [`VALID_ELSEWHERE`]; the other fixtures of this crate may be broken on purpose and are not
//! linted. A file counts as a template when its extension is
//! `.yaml`, `.yml`, `.json` or `.template` and its text has a `Resources` section (parameter
//! files beside a template are left out).
//!
//! cfn-lint runs once over all of them; no match of level `Error` (an `E` rule) may remain.
//! Warnings (`W` rules) are allowed but printed, so that they stay visible. The test looks for
//! `cfn-lint` in `$MOAT_CFN_LINT`, at `$HOME/.cache/moat-peers/cfn-lint/bin/cfn-lint` (where
//! `.ci/install-peers` puts the pinned release), then on `PATH`; without
//! it the comparison is skipped, or fails under `MOAT_REQUIRE_PEERS=1` (as in CI). moat's side
//! (each template read, no error) runs either way.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::missing_peer;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn find_cfn_lint() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MOAT_CFN_LINT") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Some(p);
        }
    }
    // The pinned venv that .ci/install-peers makes comes before PATH: another cfn-lint
    // release bundles another resource specification and judges templates differently.
    if let Some(home) = std::env::var_os("HOME") {
        let p = Path::new(&home).join(".cache/moat-peers/cfn-lint/bin/cfn-lint");
        if p.is_file() {
            return Some(p);
        }
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("cfn-lint"))
        .find(|p| p.is_file())
}

/// Whether `p` is a template by name and content.
fn is_template(p: &Path) -> bool {
    let ext_ok = p
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "yaml" | "yml" | "json" | "template"));
    ext_ok
        && std::fs::read_to_string(p)
            .map(|t| t.contains("Resources"))
            .unwrap_or(false)
}

/// Every file below `dir`, recursively, sorted.
fn files_below(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_below(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Directories below `dir` (itself included) whose name is `name`.
fn dirs_named(dir: &Path, name: &str, out: &mut Vec<PathBuf>) {
    if dir.file_name().is_some_and(|n| n == name) {
        out.push(dir.to_path_buf());
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    for p in entries {
        dirs_named(&p, name, out);
    }
}

/// Valid templates of this crate's tests that live outside a `valid` directory (their tests
/// name them by path), relative to the workspace.
const VALID_ELSEWHERE: &[&str] = &[
    "crates/moat-cloudformation/tests/fixtures/sam/app.yaml",
    "crates/moat-cloudformation/tests/fixtures/sam/more.yaml",
    "crates/moat-cloudformation/tests/fixtures/sam/templates.yaml",
];

/// The templates meant to be valid, as canonical paths, sorted.
fn templates() -> Vec<PathBuf> {
    let ws = workspace();
    let mut dirs = Vec::new();
    dirs_named(&ws.join("fixtures"), "cloudformation", &mut dirs);
    dirs.push(ws.join("examples/three-tier-cloudformation"));
    dirs_named(
        &ws.join("crates/moat-cloudformation/tests/fixtures"),
        "valid",
        &mut dirs,
    );
    let mut files = Vec::new();
    for d in &dirs {
        files_below(d, &mut files);
    }
    for f in VALID_ELSEWHERE {
        let p = ws.join(f);
        assert!(p.is_file(), "{f} (VALID_ELSEWHERE) does not exist");
        files.push(p);
    }
    let mut out: Vec<PathBuf> = files
        .into_iter()
        .filter(|p| is_template(p))
        .map(|p| p.canonicalize().unwrap())
        .collect();
    out.sort();
    out.dedup();
    out
}

fn rel(p: &Path) -> String {
    let ws = workspace().canonicalize().unwrap();
    p.strip_prefix(&ws).unwrap_or(p).display().to_string()
}

/// One cfn-lint match.
struct Match {
    level: String,
    rule: String,
    file: String,
    line: u64,
    message: String,
}

fn run_cfn_lint(bin: &Path, files: &[PathBuf]) -> Vec<Match> {
    let out = Command::new(bin)
        .args(["--format", "json", "--"])
        .args(files)
        .output()
        .expect("run cfn-lint");
    // Exit codes are a bit mask of the levels found (2 error, 4 warning, 8 informational);
    // anything else (1, 32) is cfn-lint failing to run.
    let code = out.status.code().unwrap_or(-1);
    assert!(
        (0..16).contains(&code) && code & 1 == 0,
        "cfn-lint failed (exit {code}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "cfn-lint printed no JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    json.as_array()
        .expect("cfn-lint's JSON output is a list")
        .iter()
        .map(|m| Match {
            level: m["Level"].as_str().unwrap_or("").to_string(),
            rule: m["Rule"]["Id"].as_str().unwrap_or("").to_string(),
            file: rel(Path::new(m["Filename"].as_str().unwrap_or(""))),
            line: m["Location"]["Start"]["LineNumber"].as_u64().unwrap_or(0),
            message: m["Message"].as_str().unwrap_or("").to_string(),
        })
        .collect()
}

#[test]
fn the_templates_are_found() {
    let t = templates();
    let names: Vec<String> = t.iter().map(|p| rel(p)).collect();
    assert!(
        names.contains(&"examples/three-tier-cloudformation/template.yaml".to_string()),
        "{names:?}"
    );
    // Every template of a rule fixture sits in its rule's `cloudformation` directory.
    for n in names.iter().filter(|n| n.starts_with("fixtures/")) {
        let parts: Vec<&str> = n.split('/').collect();
        assert!(
            parts.len() >= 5 && parts[3] == "cloudformation",
            "{n} is not in fixtures/<family>/<CODE>/cloudformation/"
        );
    }
}

#[test]
fn moat_reads_every_valid_template_without_error() {
    let files = templates();
    // Load each directory once (a parent template reads its nested stacks from beside it).
    let mut by_dir: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        by_dir
            .entry(f.parent().unwrap().to_path_buf())
            .or_default()
            .insert(f.file_name().unwrap().to_string_lossy().to_string());
    }
    let wanted: BTreeSet<PathBuf> = files.iter().cloned().collect();
    let mut problems = Vec::new();
    for (dir, names) in &by_dir {
        let estates = moat_cloudformation::load(dir, &moat_cloudformation::Options::default());
        for e in &estates {
            // Only the templates meant to be valid: a directory may also hold other files
            // (the SAM translator's output beside the SAM fixtures).
            for err in e
                .errors
                .iter()
                .filter(|err| wanted.contains(&dir.join(&err.file)))
            {
                problems.push(format!(
                    "{}/{}:{}: moat error: {}",
                    rel(dir),
                    err.file,
                    err.line,
                    err.message
                ));
            }
        }
        for n in names {
            let read = estates.iter().any(|e| {
                e.sources
                    .keys()
                    .any(|k| Path::new(&**k).file_name().is_some_and(|f| f == n.as_str()))
            });
            if !read {
                problems.push(format!(
                    "{}/{n}: moat did not read it as a CloudFormation template",
                    rel(dir)
                ));
            }
        }
    }
    println!("moat read {} templates", files.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn cfn_lint_finds_no_error_in_the_valid_templates() {
    let Some(bin) = find_cfn_lint() else {
        missing_peer(
            "`cfn-lint` (MOAT_CFN_LINT, PATH, ~/.cache/moat-peers/cfn-lint/bin)",
            "bash .ci/install-peers (a venv in ~/.cache/moat-peers/cfn-lint with pip install 'cfn-lint==1.*')",
        );
        return;
    };
    let files = templates();
    let matches = run_cfn_lint(&bin, &files);
    // Messages may list hundreds of allowed values: keep the start.
    let fmt = |m: &Match| {
        let msg: String = m.message.chars().take(160).collect();
        let more = if msg.len() < m.message.len() {
            "..."
        } else {
            ""
        };
        format!("  {}:{} {} {msg}{more}", m.file, m.line, m.rule)
    };
    let warnings: Vec<String> = matches
        .iter()
        .filter(|m| m.level != "Error")
        .map(fmt)
        .collect();
    println!(
        "cfn-lint on {} templates: {} warnings (allowed){}{}",
        files.len(),
        warnings.len(),
        if warnings.is_empty() { "" } else { ":\n" },
        warnings.join("\n")
    );
    let errors: Vec<String> = matches
        .iter()
        .filter(|m| m.level == "Error" || m.rule.starts_with('E'))
        .map(fmt)
        .collect();
    assert!(
        errors.is_empty(),
        "cfn-lint errors in templates meant to be valid:\n{}",
        errors.join("\n")
    );
}
