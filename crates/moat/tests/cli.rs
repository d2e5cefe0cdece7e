//! End-to-end tests: the real `moat` binary on temporary directories.
//!
//! Tests that need the Terraform frontend check that it reads files at all (`files_scanned >
//! 0` on a known-good file) and say so when it does not yet; every assertion after that is
//! on real outcomes (rule IDs, files, lines, exit codes).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

mod common;
use common::validate_sarif;

const BUCKET: &str = r#"resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}
"#;

const SSH_OPEN: &str = r#"resource "aws_security_group" "ssh" {
  name        = "ssh"
  description = "ssh from anywhere"

  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#;

fn moat() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_moat"));
    c.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    c
}

fn dir(files: &[(&str, &str)]) -> TempDir {
    let d = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = d.path().join(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(p, text).unwrap();
    }
    d
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !r.stderr.contains("panicked"),
        "moat panicked:\n{}",
        r.stderr
    );
    assert!(matches!(r.code, 0..=2), "exit {}: {}", r.code, r.stderr);
    r
}

fn scan_json(path: &Path, extra: &[&str]) -> (i32, Value, String) {
    let r = run(moat()
        .arg("scan")
        .arg(path)
        .args(["--format", "json"])
        .args(extra));
    let v: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", r.stdout, r.stderr));
    (r.code, v, r.stderr)
}

/// The Terraform frontend reads files (asserted; kept as a guard at the top of tests).
fn frontend_live() -> bool {
    let d = dir(&[("main.tf", BUCKET)]);
    let (_, v, _) = scan_json(d.path(), &[]);
    // The frontend has landed: a test that skipped here could never fail, so this asserts.
    assert!(
        v["summary"]["files_scanned"].as_u64().unwrap_or(0) > 0,
        "the Terraform frontend read no file: {v}"
    );
    true
}

fn findings<'a>(v: &'a Value, rule: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .collect()
}

/// 1-based line range of the block that starts with `start` in `text`.
fn block_lines(text: &str, start: &str) -> std::ops::RangeInclusive<u64> {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.iter().position(|l| l.starts_with(start)).unwrap();
    let last = (first..lines.len()).find(|i| lines[*i] == "}").unwrap();
    (first as u64 + 1)..=(last as u64 + 1)
}

fn rule_severity(id: &str) -> String {
    let r = run(moat().args(["rules", id, "--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    v["severity"].as_str().unwrap().to_string()
}

// ---------------------------------------------------------------- flags and usage errors

#[test]
fn version() {
    let r = run(moat().arg("--version"));
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout.trim(),
        format!("moat {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_lists_subcommands_and_exit_codes() {
    let r = run(moat().arg("--help"));
    assert_eq!(r.code, 0);
    for sub in ["scan", "rules", "reach", "exposure", "diagram"] {
        assert!(
            r.stdout.contains(sub),
            "`{sub}` missing from help:\n{}",
            r.stdout
        );
    }
    let r = run(moat().args(["scan", "--help"]));
    assert_eq!(r.code, 0);
    for needle in [
        "Exit status",
        "--fail-on",
        "--format",
        "sarif",
        "junit",
        "--var",
        "--var-file",
        "--config",
        "--no-color",
        "--output",
        "moat:ignore",
    ] {
        assert!(
            r.stdout.contains(needle),
            "`{needle}` missing:\n{}",
            r.stdout
        );
    }
}

#[test]
fn nonexistent_path_is_exit_2() {
    let r = run(moat().args(["scan", "/nonexistent/moat-test-path"]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("`/nonexistent/moat-test-path` does not exist"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

#[test]
fn bad_var_is_exit_2() {
    let d = dir(&[("main.tf", BUCKET)]);
    let r = run(moat().arg("scan").arg(d.path()).args(["--var", "novalue"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("invalid `--var novalue`"), "{}", r.stderr);
    let r = run(moat()
        .arg("scan")
        .arg(d.path())
        .args(["--var-file", "/nonexistent/x.tfvars"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/nonexistent/x.tfvars"), "{}", r.stderr);
}

#[test]
fn bad_flag_values_are_exit_2() {
    let d = dir(&[("main.tf", BUCKET)]);
    let r = run(moat().arg("scan").arg(d.path()).args(["--format", "xml"]));
    assert_eq!(r.code, 2);
    let r = run(moat()
        .arg("scan")
        .arg(d.path())
        .args(["--fail-on", "urgent"]));
    assert_eq!(r.code, 2);
}

#[test]
fn bad_config_is_exit_2_with_line() {
    let d = dir(&[
        ("main.tf", BUCKET),
        (
            "moat.toml",
            "[rules]\nselect = [\"S3\"]\n\n[rules.severity]\nS3002 = \"urgent\"\n",
        ),
    ]);
    let r = run(moat().arg("scan").arg(d.path()));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("moat.toml"), "{}", r.stderr);
    assert!(r.stderr.contains("line 5"), "{}", r.stderr);

    let d = dir(&[("main.tf", BUCKET), ("moat.toml", "[rules\nselect = 1\n")]);
    let r = run(moat().arg("scan").arg(d.path()));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("line 1"), "{}", r.stderr);

    let r = run(moat()
        .arg("scan")
        .arg(d.path())
        .args(["--config", "/nonexistent/moat.toml"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/nonexistent/moat.toml"), "{}", r.stderr);
}

#[test]
fn empty_directory_is_exit_2() {
    let d = dir(&[("README.md", "nothing to scan\n")]);
    let r = run(moat().arg("scan").arg(d.path()));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no file"), "{}", r.stderr);
}

// ---------------------------------------------------------------- rules

#[test]
fn rules_lists_and_explains() {
    let r = run(moat().arg("rules"));
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("ID"), "{}", r.stdout);
    let r = run(moat().args(["rules", "--format", "json"]));
    assert_eq!(r.code, 0);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let rules = v.as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "rules are listed in id order");
    if ids.contains(&"S3002") {
        let r = run(moat().args(["rules", "s3002"]));
        assert_eq!(r.code, 0);
        assert!(r.stdout.starts_with("S3002: "), "{}", r.stdout);
        assert!(r.stdout.contains("severity: "), "{}", r.stdout);
    }
    let r = run(moat().args(["rules", "NOPE999"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown rule `NOPE999`"), "{}", r.stderr);
}

// ---------------------------------------------------------------- scanning

#[test]
fn findings_exit_1_and_json_shape() {
    if !frontend_live() {
        return;
    }
    let d = dir(&[("main.tf", BUCKET), ("network.tf", SSH_OPEN)]);
    let (code, v, stderr) = scan_json(d.path(), &[]);
    assert_eq!(code, 1, "{stderr}");
    let top: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        top,
        ["moat_version", "findings", "errors", "notes", "summary"]
    );
    assert_eq!(v["moat_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["summary"]["files_scanned"], 2);
    assert_eq!(v["summary"]["resources"], 2);
    assert_eq!(v["errors"].as_array().unwrap().len(), 0, "{v:#}");
    for f in v["findings"].as_array().unwrap() {
        let keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            &keys[..10],
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
                "suppressed"
            ]
        );
        assert!(f["equivalent"]["checkov"].is_array());
        assert!(["critical", "high", "medium", "low", "info"]
            .contains(&f["severity"].as_str().unwrap()));
        assert_eq!(f["suppressed"], false);
        assert!(!f["message"].as_str().unwrap().is_empty());
    }
    let s3 = findings(&v, "S3002");
    assert_eq!(s3.len(), 1, "{v:#}");
    assert_eq!(s3[0]["resource"], "aws_s3_bucket.logs");
    assert_eq!(s3[0]["resource_type"], "aws_s3_bucket");
    assert_eq!(s3[0]["file"], "main.tf");
    assert!(block_lines(BUCKET, "resource").contains(&s3[0]["line"].as_u64().unwrap()));
    let sg = findings(&v, "SG001");
    assert_eq!(sg.len(), 1, "{v:#}");
    assert_eq!(sg[0]["resource"], "aws_security_group.ssh");
    assert_eq!(sg[0]["file"], "network.tf");
    assert!(block_lines(SSH_OPEN, "resource").contains(&sg[0]["line"].as_u64().unwrap()));

    // Findings are sorted by file, then line.
    let keys: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);

    // Same input, same bytes.
    let a = run(moat().arg("scan").arg(d.path()).args(["--format", "json"]));
    let b = run(moat().arg("scan").arg(d.path()).args(["--format", "json"]));
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn clean_estate_exits_0() {
    if !frontend_live() {
        return;
    }
    let d = dir(&[(
        "main.tf",
        r#"resource "aws_security_group" "web" {
  name        = "web"
  description = "https from the load balancer"

  ingress {
    description = "https"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }
}
"#,
    )]);
    let (code, v, stderr) = scan_json(d.path(), &[]);
    let active: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "info")
        .collect();
    assert!(active.is_empty(), "{v:#}");
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn fail_on_threshold() {
    if !frontend_live() {
        return;
    }
    let d = dir(&[("network.tf", SSH_OPEN)]);
    let (code, v, _) = scan_json(d.path(), &[]);
    assert_eq!(findings(&v, "SG001").len(), 1);
    assert_eq!(code, 1);
    let sev = rule_severity("SG001");
    let (code, v, _) = scan_json(d.path(), &["--fail-on", &sev]);
    assert_eq!(code, 1, "a {sev} finding fails --fail-on {sev}");
    let worst = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .map(|s| {
            ["info", "low", "medium", "high", "critical"]
                .iter()
                .position(|x| *x == s)
                .unwrap()
        })
        .max()
        .unwrap();
    if worst < 4 {
        let (code, _, _) = scan_json(d.path(), &["--fail-on", "critical"]);
        assert_eq!(code, 0);
    }
    // fail_on in moat.toml, overridden by the flag.
    fs::write(d.path().join("moat.toml"), "fail_on = \"critical\"\n").unwrap();
    let (code, _, _) = scan_json(d.path(), &[]);
    assert_eq!(code, if worst < 4 { 0 } else { 1 });
    let (code, _, _) = scan_json(d.path(), &["--fail-on", "low"]);
    assert_eq!(code, 1);
}

#[test]
fn text_output_is_a_diagnostic() {
    if !frontend_live() {
        return;
    }
    let d = dir(&[("network.tf", SSH_OPEN)]);
    let r = run(moat().arg("scan").arg(d.path()));
    assert_eq!(r.code, 1);
    assert!(!r.stdout.contains('\x1b'), "no colour when not a TTY");
    assert!(r.stdout.starts_with("network.tf ("), "{}", r.stdout);
    assert!(r.stdout.contains("[SG001]: "), "{}", r.stdout);
    assert!(r.stdout.contains("--> network.tf:"), "{}", r.stdout);
    assert!(r.stdout.contains("aws_security_group.ssh"), "{}", r.stdout);
    let last = r.stdout.lines().last().unwrap();
    assert!(
        last.contains(", 0 suppressed, 1 files, 1 resources, 0 errors"),
        "{last}"
    );
    // The offending source line is shown.
    let (_, v, _) = scan_json(d.path(), &[]);
    let line = findings(&v, "SG001")[0]["line"].as_u64().unwrap() as usize;
    let src = SSH_OPEN.lines().nth(line - 1).unwrap();
    assert!(
        r.stdout.contains(&format!("{line} | {src}")),
        "{}",
        r.stdout
    );
}

#[test]
fn output_file() {
    if !frontend_live() {
        return;
    }
    let d = dir(&[("network.tf", SSH_OPEN)]);
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("report.json");
    let r = run(moat()
        .arg("scan")
        .arg(d.path())
        .args(["--format", "json", "--output"])
        .arg(&target));
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    let v: Value = serde_json::from_str(&fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(findings(&v, "SG001").len(), 1);
}

#[test]
fn sarif_output() {
    if !frontend_live() {
        return;
    }
    let d = dir(&[("main.tf", BUCKET), ("network.tf", SSH_OPEN)]);
    let r = run(moat().arg("scan").arg(d.path()).args(["--format", "sarif"]));
    assert_eq!(r.code, 1);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run0 = &v["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "moat");
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run0["results"].as_array().unwrap();
    let sg = results.iter().find(|r| r["ruleId"] == "SG001").unwrap();
    let idx = sg["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[idx]["id"], "SG001");
    let loc = &sg["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "network.tf");
    assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
    assert!(results.iter().any(|r| r["ruleId"] == "S3002"));
    validate_sarif(&r.stdout);
}

#[test]
fn junit_output() {
    if !frontend_live() {
        return;
    }
    let d = dir(&[("network.tf", SSH_OPEN)]);
    let r = run(moat().arg("scan").arg(d.path()).args(["--format", "junit"]));
    assert_eq!(r.code, 1);
    assert!(r.stdout.starts_with("<?xml"), "{}", r.stdout);
    assert!(
        r.stdout.contains("<testsuite name=\"SG001: "),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("<testcase name=\"aws_security_group.ssh (network.tf:"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("<failure "), "{}", r.stdout);
    // Rules without findings pass.
    assert!(r.stdout.contains("S3002: no finding"), "{}", r.stdout);
}

// ---------------------------------------------------------------- suppression and config

#[test]
fn suppression_with_reason() {
    if !frontend_live() {
        return;
    }
    let text = format!("# moat:ignore SG001 bastion, reachable only through the VPN\n{SSH_OPEN}");
    let d = dir(&[("network.tf", &text)]);
    let (code, v, stderr) = scan_json(d.path(), &["--fail-on", "high"]);
    let sg = findings(&v, "SG001");
    assert_eq!(sg.len(), 1, "{v:#}");
    assert_eq!(sg[0]["suppressed"], true, "{v:#}");
    assert_eq!(
        sg[0]["suppression_reason"],
        "bastion, reachable only through the VPN"
    );
    let others_high = v["findings"].as_array().unwrap().iter().any(|f| {
        f["suppressed"] == false && (f["severity"] == "high" || f["severity"] == "critical")
    });
    if !others_high {
        assert_eq!(code, 0, "{stderr}");
    }
    let r = run(moat().arg("scan").arg(d.path()));
    assert!(!r.stdout.contains("[SG001]"), "{}", r.stdout);
    assert!(r.stdout.contains(", 1 suppressed,"), "{}", r.stdout);

    // A trailing comment on the offending line works too, and several IDs.
    let line = sg[0]["line"].as_u64().unwrap() as usize - 1; // in SSH_OPEN
    let mut lines: Vec<String> = SSH_OPEN.lines().map(String::from).collect();
    lines[line - 1].push_str("  # moat:ignore SG002, SG001 lab only");
    let d = dir(&[("network.tf", &(lines.join("\n") + "\n"))]);
    let (_, v, _) = scan_json(d.path(), &[]);
    assert_eq!(findings(&v, "SG001")[0]["suppressed"], true, "{v:#}");
}

#[test]
fn suppression_without_reason_is_not_honoured() {
    if !frontend_live() {
        return;
    }
    let text = format!("# moat:ignore SG001\n{SSH_OPEN}");
    let d = dir(&[("network.tf", &text)]);
    let (code, v, _) = scan_json(d.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v, "SG001")[0]["suppressed"], false);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{v:#}");
    assert_eq!(errors[0]["file"], "network.tf");
    assert_eq!(errors[0]["line"], 1);
    assert!(errors[0]["message"].as_str().unwrap().contains("reason"));
}

#[test]
fn config_select_ignore_severity() {
    if !frontend_live() {
        return;
    }
    let files = [("main.tf", BUCKET), ("network.tf", SSH_OPEN)];
    let d = dir(&files);
    fs::write(d.path().join("moat.toml"), "[rules]\nselect = [\"SG\"]\n").unwrap();
    let (_, v, _) = scan_json(d.path(), &[]);
    assert!(findings(&v, "S3002").is_empty(), "{v:#}");
    assert_eq!(findings(&v, "SG001").len(), 1);
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["rule_id"].as_str().unwrap().starts_with("SG")));

    fs::write(
        d.path().join("moat.toml"),
        "[rules]\nignore = [\"SG001\", \"s3\"]\n",
    )
    .unwrap();
    let (_, v, _) = scan_json(d.path(), &[]);
    assert!(findings(&v, "SG001").is_empty(), "{v:#}");
    assert!(findings(&v, "S3002").is_empty(), "{v:#}");

    fs::write(
        d.path().join("moat.toml"),
        "[rules]\nselect = [\"SG001\"]\n[rules.severity]\nSG001 = \"info\"\n",
    )
    .unwrap();
    let (code, v, _) = scan_json(d.path(), &[]);
    assert_eq!(findings(&v, "SG001")[0]["severity"], "info");
    assert_eq!(
        code, 0,
        "an info finding does not fail at the default threshold"
    );

    // --config points elsewhere.
    let cfg = tempfile::tempdir().unwrap();
    let cfg_file = cfg.path().join("strict.toml");
    fs::write(&cfg_file, "[rules]\nselect = [\"S3002\"]\n").unwrap();
    let (_, v, _) = scan_json(d.path(), &["--config", cfg_file.to_str().unwrap()]);
    assert!(findings(&v, "SG001").is_empty());
    assert_eq!(findings(&v, "S3002").len(), 1);
}

#[test]
fn vars_and_var_files_reach_the_frontend() {
    if !frontend_live() {
        return;
    }
    let tf = r#"variable "admin_cidr" {
  type = string
}

resource "aws_security_group" "admin" {
  name        = "admin"
  description = "admin access"

  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }
}
"#;
    let d = dir(&[("main.tf", tf)]);
    // Unknown without a value: reported as undecided, never passed silently.
    let (_, v, _) = scan_json(d.path(), &[]);
    let sg = findings(&v, "SG001");
    assert_eq!(sg.len(), 1, "an unknown CIDR must be reported: {v:#}");
    assert_eq!(sg[0]["status"], "unknown");

    let (code, v, _) = scan_json(d.path(), &["--var", "admin_cidr=0.0.0.0/0"]);
    let sg = findings(&v, "SG001");
    assert_eq!(sg.len(), 1, "{v:#}");
    assert_eq!(sg[0]["status"], "fail");
    assert_eq!(code, 1);

    let (_, v, _) = scan_json(d.path(), &["--var", "admin_cidr=10.1.0.0/16"]);
    assert!(findings(&v, "SG001").is_empty(), "{v:#}");

    let vf = tempfile::tempdir().unwrap();
    let f = vf.path().join("open.tfvars");
    fs::write(&f, "admin_cidr = \"0.0.0.0/0\"\n").unwrap();
    let (_, v, _) = scan_json(d.path(), &["--var-file", f.to_str().unwrap()]);
    let sg = findings(&v, "SG001");
    assert_eq!(sg.len(), 1, "{v:#}");
    assert_eq!(sg[0]["status"], "fail");
}

// ---------------------------------------------------------------- bad input

/// The error entries for a file.
fn errors_for<'a>(v: &'a Value, file: &str) -> Vec<&'a Value> {
    v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["file"] == file)
        .collect()
}

#[test]
fn malformed_file_is_reported_and_others_scanned() {
    if !frontend_live() {
        return;
    }
    let d = dir(&[
        (
            "broken.tf",
            "resource \"aws_s3_bucket\" \"x\" {\n  bucket = \n}\n\nresource {\n",
        ),
        ("network.tf", SSH_OPEN),
    ]);
    let (code, v, stderr) = scan_json(d.path(), &[]);
    assert_eq!(code, 1, "{stderr}");
    let errs = errors_for(&v, "broken.tf");
    assert!(!errs.is_empty(), "{v:#}");
    assert!(errs[0]["line"].as_u64().unwrap() >= 1, "{v:#}");
    assert_eq!(findings(&v, "SG001").len(), 1, "{v:#}");
    let r = run(moat().arg("scan").arg(d.path()));
    assert!(r.stdout.contains("error: broken.tf:"), "{}", r.stdout);
}

#[test]
fn nothing_readable_is_exit_2() {
    if !frontend_live() {
        return;
    }
    let d = dir(&[("broken.tf", "resource \"aws_s3_bucket\" {{{\n")]);
    let (code, v, stderr) = scan_json(d.path(), &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(!errors_for(&v, "broken.tf").is_empty());
    assert!(stderr.contains("no file could be read"), "{stderr}");
}

#[test]
fn binary_invalid_utf8_and_huge_files() {
    if !frontend_live() {
        return;
    }
    let d = dir(&[("network.tf", SSH_OPEN)]);
    fs::write(
        d.path().join("blob.tf"),
        [0u8, 159, 146, 150, 0, 1, 2, 255, 0],
    )
    .unwrap();
    fs::write(
        d.path().join("latin1.tf"),
        b"resource \"aws_s3_bucket\" \"caf\xe9\" {\n  bucket = \"x\"\n}\n",
    )
    .unwrap();
    let mut huge = String::with_capacity(11 * 1024 * 1024);
    while huge.len() < 10 * 1024 * 1024 + 10 {
        huge.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    fs::write(d.path().join("huge.tf"), huge).unwrap();
    let start = std::time::Instant::now();
    let (code, v, stderr) = scan_json(d.path(), &[]);
    assert!(start.elapsed().as_secs() < 60);
    assert_eq!(code, 1, "{stderr}");
    for f in ["blob.tf", "latin1.tf", "huge.tf"] {
        assert!(!errors_for(&v, f).is_empty(), "no error for {f}: {v:#}");
    }
    assert_eq!(findings(&v, "SG001").len(), 1, "{v:#}");
}

#[cfg(unix)]
#[test]
fn symlink_loop_does_not_hang() {
    if !frontend_live() {
        return;
    }
    let d = dir(&[("network.tf", SSH_OPEN)]);
    std::os::unix::fs::symlink(d.path(), d.path().join("loop")).unwrap();
    std::os::unix::fs::symlink("self.tf", d.path().join("self.tf")).unwrap();
    let (code, v, stderr) = scan_json(d.path(), &[]);
    assert_eq!(code, 1, "{stderr}");
    let sg = findings(&v, "SG001");
    assert_eq!(sg.len(), 1, "{v:#}");
    assert_eq!(sg[0]["file"], "network.tf");
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    if !frontend_live() {
        return;
    }
    let d = dir(&[("network.tf", SSH_OPEN), ("secret.tf", BUCKET)]);
    let p = d.path().join("secret.tf");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&p).is_ok() {
        // Running as root: permissions do not stop reads, so there is nothing to test.
        eprintln!("skipped: running as root, chmod 000 does not block reads");
        return;
    }
    let (code, v, stderr) = scan_json(d.path(), &[]);
    fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(code, 1, "{stderr}");
    let errs = errors_for(&v, "secret.tf");
    assert_eq!(errs.len(), 1, "{v:#}");
    assert_eq!(errs[0]["line"], 0);
    assert_eq!(findings(&v, "SG001").len(), 1);
}

// ---------------------------------------------------------------- network invariants

const PUBLIC_WEB: &str = r#"resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  map_public_ip_on_launch = true
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}

resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}

resource "aws_security_group" "web" {
  name        = "web"
  description = "web"
  vpc_id      = aws_vpc.main.id
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "web" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.public.id
  vpc_security_group_ids = [aws_security_group.web.id]
}
"#;

#[test]
fn network_invariants_are_checked_on_scan() {
    if !frontend_live() {
        return;
    }
    let toml = "[rules]\nselect = [\"NET100\"]\n\n[[network.invariant]]\nfrom = \"internet\"\nto = \"aws_instance.web\"\nports = \"22\"\nexpect = \"blocked\"\n";
    let d = dir(&[("main.tf", PUBLIC_WEB), ("moat.toml", toml)]);
    let (code, v, stderr) = scan_json(d.path(), &[]);
    assert_eq!(code, 1, "{stderr}");
    let net = findings(&v, "NET100");
    assert_eq!(net.len(), 1, "{v:#}");
    assert_eq!(net[0]["resource"], "aws_instance.web");
    assert_eq!(net[0]["file"], "main.tf");
    assert!(
        net[0]["message"].as_str().unwrap().contains("moat.toml:4"),
        "{v:#}"
    );

    // Port 443 is not open: the invariant holds.
    fs::write(
        d.path().join("moat.toml"),
        toml.replace("\"22\"", "\"443\""),
    )
    .unwrap();
    let (code, v, _) = scan_json(d.path(), &[]);
    assert!(findings(&v, "NET100").is_empty(), "{v:#}");
    assert_eq!(code, 0);

    // A malformed invariant is a usage error.
    fs::write(
        d.path().join("moat.toml"),
        "[[network.invariant]]\nto = \"aws_instance.web\"\nexpect = \"sometimes\"\nfrom = \"internet\"\n",
    )
    .unwrap();
    let r = run(moat().arg("scan").arg(d.path()));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("sometimes"), "{}", r.stderr);
}

#[test]
fn unknown_config_selectors_and_keys_warn() {
    let d = dir(&[
        ("main.tf", BUCKET),
        (
            "moat.toml",
            "colour = true\n[rules]\nignore = [\"NOPE123\"]\n",
        ),
    ]);
    let r = run(moat().arg("scan").arg(d.path()));
    assert!(r.stderr.contains("unknown key `colour`"), "{}", r.stderr);
    let catalogue_empty = run(moat().args(["rules", "--format", "json"]))
        .stdout
        .trim()
        == "[]";
    if !catalogue_empty {
        // A selector that matches no rule is a usage error (see tests/silent.rs).
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("`NOPE123` in `rules.ignore` at `")
                && r.stderr.contains("moat.toml:3` matches no rule"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn several_paths_keep_file_names_apart() {
    if !frontend_live() {
        return;
    }
    let a = dir(&[("main.tf", SSH_OPEN)]);
    let b = dir(&[("main.tf", SSH_OPEN), ("other.tf", BUCKET)]);
    let r = run(moat()
        .arg("scan")
        .arg(a.path())
        .arg(b.path().join("main.tf"))
        .args(["--format", "json"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let files: std::collections::BTreeSet<String> = findings(&v, "SG001")
        .iter()
        .map(|f| f["file"].as_str().unwrap().to_string())
        .collect();
    let expect: std::collections::BTreeSet<String> = [
        format!("{}/main.tf", a.path().display()),
        format!("{}/main.tf", b.path().display()),
    ]
    .into();
    assert_eq!(files, expect);
    assert!(findings(&v, "S3002").is_empty(), "other.tf was not given");
    assert_eq!(v["summary"]["files_scanned"], 2);
}

/// Regression: a module shared by two root modules, flagged in both, gave ONE finding (same
/// address, file and line), hiding that the second root is affected too.
#[test]
fn module_flagged_through_two_roots_is_two_findings() {
    let module = r#"variable "name" {}
resource "aws_s3_bucket" "this" {
  bucket = var.name
}
"#;
    let caller = |name: &str| {
        format!("module \"b\" {{\n  source = \"../../modules/bucket\"\n  name   = \"{name}\"\n}}\n")
    };
    let (prod, dev) = (caller("prod-data"), caller("dev-data"));
    let d = dir(&[
        ("modules/bucket/main.tf", module),
        ("envs/prod/main.tf", prod.as_str()),
        ("envs/dev/main.tf", dev.as_str()),
    ]);
    let (code, v, _) = scan_json(d.path(), &[]);
    assert_eq!(code, 1);
    let s3002 = findings(&v, "S3002");
    let roots: Vec<(&str, &str, u64, &str)> = s3002
        .iter()
        .map(|f| {
            (
                f["resource"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
                f["root"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        roots,
        vec![
            (
                "module.b.aws_s3_bucket.this",
                "modules/bucket/main.tf",
                2,
                "envs/dev"
            ),
            (
                "module.b.aws_s3_bucket.this",
                "modules/bucket/main.tf",
                2,
                "envs/prod"
            ),
        ]
    );
    let text = run(moat().arg("scan").arg(d.path()).arg("--no-color")).stdout;
    assert!(text.contains("(in root `envs/prod`)"), "{text}");
}
