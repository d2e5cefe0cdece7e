//! Issue 6: a scanned repository is untrusted, and nothing is silent in machine-readable
//! output. The real `moat` binary on temporary directories:
//!
//! * notes (a module that was not downloaded, ...) reach every format;
//! * a tree whose only content is a module that was not downloaded is "nothing could be
//!   checked" (exit 2), not an empty pass;
//! * `moat.toml` selectors that match no rule are usage errors;
//! * a `moat.toml` in the scanned tree that is a symlink out of it, a FIFO, a device or too
//!   large is refused (exit 2), without hanging;
//! * every `blocked` verdict of `moat reach` names the component and the reason.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::fs;
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::{json, Value};
use tempfile::TempDir;

mod common;
use common::validate_sarif;

const BUCKET: &str = r#"resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}
"#;

/// A registry module call; `terraform init` was never run, so it is not downloaded.
const REGISTRY_MODULE: &str = r#"module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.8.1"

  cidr = "10.0.0.0/16"
}
"#;

const VPC_NOTE: &str = "module `vpc` (`terraform-aws-modules/vpc/aws`) was not resolved";

fn moat() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_moat"));
    c.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        // A refusal must come at once; a read that blocks (a FIFO, /dev/stdin) is killed
        // here and fails the test through its missing exit code.
        .timeout(Duration::from_secs(60));
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
        // Killed by the timeout: no code.
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !r.stderr.contains("panicked"),
        "moat panicked:\n{}",
        r.stderr
    );
    assert!(
        matches!(r.code, 0..=2),
        "exit {} (-1: killed after the timeout, it hung): {}",
        r.code,
        r.stderr
    );
    r
}

fn scan(path: &Path, extra: &[&str]) -> Run {
    run(moat().arg("scan").arg(path).args(extra))
}

fn scan_json(path: &Path, extra: &[&str]) -> (i32, Value, String) {
    let r = scan(path, &[&["--format", "json"], extra].concat());
    let v: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", r.stdout, r.stderr));
    (r.code, v, r.stderr)
}

/// 1-based line of the first line of `text` that starts with `start`.
fn line_of(text: &str, start: &str) -> u64 {
    text.lines().position(|l| l.starts_with(start)).unwrap() as u64 + 1
}

// ---------------------------------------------------------------- notes in every format

#[test]
fn notes_reach_every_format() {
    let main = format!("{BUCKET}\n{REGISTRY_MODULE}");
    let line = line_of(&main, "module \"vpc\"");
    let d = dir(&[("main.tf", &main)]);

    let (code, v, stderr) = scan_json(d.path(), &[]);
    assert_eq!(code, 1, "the bucket has findings: {stderr}");
    let notes = v["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{v:#}");
    assert_eq!(notes[0]["file"], "main.tf");
    assert_eq!(notes[0]["line"], line);
    assert!(
        notes[0]["message"].as_str().unwrap().starts_with(VPC_NOTE),
        "{v:#}"
    );
    let keys: Vec<&str> = notes[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["file", "line", "message"]);
    // A module beside resources is a note, not an error.
    assert_eq!(v["errors"], json!([]), "{v:#}");

    let r = scan(d.path(), &["--format", "sarif"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let s: Value = serde_json::from_str(&r.stdout).unwrap();
    let n = s["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(n.len(), 1, "{s:#}");
    assert_eq!(n[0]["level"], "note");
    assert_eq!(n[0]["message"]["text"], notes[0]["message"]);
    let loc = &n[0]["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"],
        json!({ "uri": "main.tf", "uriBaseId": "%SRCROOT%" })
    );
    assert_eq!(loc["region"]["startLine"], line);
    validate_sarif(&r.stdout);

    let r = scan(d.path(), &["--format", "junit"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let suite = r
        .stdout
        .split("<testsuite ")
        .find(|s| s.starts_with("name=\"moat.notes\""))
        .unwrap_or_else(|| panic!("no moat.notes suite:\n{}", r.stdout));
    assert!(
        suite.contains(&format!("<system-out>note: main.tf:{line}: {VPC_NOTE}")),
        "{suite}"
    );

    let r = scan(d.path(), &["--format", "text"]);
    assert!(
        r.stdout
            .contains(&format!("note: main.tf:{line}: {VPC_NOTE}")),
        "{}",
        r.stdout
    );
}

// ---------------------------------------------------------------- nothing could be checked

const NOTHING_CHECKED: &str = "nothing could be checked: module `vpc` (`terraform-aws-modules/vpc/aws`) was not downloaded, and nothing else declares a resource; run `terraform init` (moat then reads the module from `.terraform/modules`) or scan the module's source directory";

#[test]
fn only_a_module_that_was_not_downloaded_is_nothing_checked() {
    let vars = "variable \"region\" {\n  type = string\n}\n";
    let main = REGISTRY_MODULE;
    let d = dir(&[("main.tf", main), ("variables.tf", vars)]);
    let (code, v, stderr) = scan_json(d.path(), &[]);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(
        v["errors"],
        json!([{ "file": "main.tf", "line": 1, "message": NOTHING_CHECKED }])
    );
    assert_eq!(v["summary"]["resources"], 0);
    assert_eq!(v["summary"]["files_scanned"], 2);
    assert!(
        v["notes"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with(VPC_NOTE),
        "{v:#}"
    );
    assert_eq!(stderr, format!("moat: error: {NOTHING_CHECKED}\n"));

    // Every format says so, and exits 2.
    let r = scan(d.path(), &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stdout
            .contains(&format!("error: main.tf:1: {NOTHING_CHECKED}")),
        "{}",
        r.stdout
    );
    let r = scan(d.path(), &["--format", "sarif"]);
    assert_eq!(r.code, 2);
    let s: Value = serde_json::from_str(&r.stdout).unwrap();
    let n = &s["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(n[0]["level"], "error");
    assert_eq!(n[0]["message"]["text"], NOTHING_CHECKED);
    assert_eq!(n[1]["level"], "note");
    validate_sarif(&r.stdout);
    // `--fail-on` does not turn it into a pass.
    assert_eq!(scan(d.path(), &["--fail-on", "critical"]).code, 2);
}

#[test]
fn a_local_module_without_files_is_nothing_checked() {
    let d = dir(&[(
        "main.tf",
        "module \"net\" {\n  source = \"./modules/net\"\n}\n",
    )]);
    fs::create_dir_all(d.path().join("modules/net")).unwrap();
    let (code, v, stderr) = scan_json(d.path(), &[]);
    assert_eq!(code, 2, "{v:#}");
    let errors = v["errors"].as_array().unwrap();
    let msg = "nothing could be checked: module `net` (`./modules/net`) could not be read (no Terraform files in `modules/net`), and nothing else declares a resource";
    assert!(
        errors
            .iter()
            .any(|e| e == &json!({ "file": "main.tf", "line": 1, "message": msg })),
        "{v:#}"
    );
    assert_eq!(stderr, format!("moat: error: {msg}\n"));
}

#[test]
fn no_resources_and_no_unread_module_is_a_pass() {
    let d = dir(&[
        ("variables.tf", "variable \"x\" {\n  type = string\n}\n"),
        ("outputs.tf", "output \"y\" {\n  value = var.x\n}\n"),
    ]);
    let (code, v, stderr) = scan_json(d.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(v["errors"], json!([]));
    assert_eq!(v["notes"], json!([]));
    assert_eq!(v["findings"], json!([]));
    assert_eq!(stderr, "");
}

#[test]
fn a_module_that_was_not_downloaded_beside_resources_is_a_note() {
    let d = dir(&[("main.tf", REGISTRY_MODULE), ("s3.tf", BUCKET)]);
    let (code, v, stderr) = scan_json(d.path(), &[]);
    assert_eq!(code, 1, "the bucket has findings: {stderr}");
    assert_eq!(v["errors"], json!([]), "{v:#}");
    assert_eq!(v["notes"].as_array().unwrap().len(), 1, "{v:#}");
}

// ---------------------------------------------------------------- moat.toml selectors

fn config_error(toml: &str) -> Run {
    let d = dir(&[("main.tf", BUCKET), ("moat.toml", toml)]);
    let r = scan(d.path(), &["--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stdout, "", "no report for a configuration error");
    let cfg = d.path().join("moat.toml").display().to_string();
    Run {
        stderr: r.stderr.replace(&cfg, "moat.toml"),
        ..r
    }
}

#[test]
fn a_selector_that_matches_no_rule_is_a_usage_error() {
    let r = config_error("[rules]\nselect = [\"S3\"]\nignore = [\"S3O02\"]\n");
    assert_eq!(
        r.stderr,
        "moat: error: `S3O02` in `rules.ignore` at `moat.toml:3` matches no rule\n  help: did you mean `S3002`? `moat rules` lists the rules\n"
    );
    // A Checkov ID with a typo.
    let r = config_error("[rules]\nselect = [\"CKV_AWS_21x\"]\n");
    assert!(
        r.stderr.starts_with(
            "moat: error: `CKV_AWS_21x` in `rules.select` at `moat.toml:2` matches no rule\n  help: did you mean `CKV_AWS_21`"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_severity_key_that_matches_no_rule_is_a_usage_error() {
    let r = config_error("[rules.severity]\nS3002 = \"low\"\nNOPE123 = \"high\"\n");
    assert_eq!(
        r.stderr,
        "moat: error: `NOPE123` in `rules.severity` at `moat.toml:3` matches no rule\n  help: a selector is a rule ID (`S3002`), an ID prefix (`S3`), a family (`s3`) or a Checkov ID (`CKV_AWS_21`); `moat rules` lists the rules\n"
    );
}

#[test]
fn a_select_that_selects_no_rule_is_a_usage_error() {
    let r = config_error("[rules]\nselect = []\n");
    assert_eq!(
        r.stderr,
        "moat: error: `rules.select` in `moat.toml` is empty, so no rule would run\n  help: remove `select` to run every rule, or list rule IDs (`S3002`), ID prefixes (`S3`), families (`s3`) or Checkov IDs; `moat rules` lists them\n"
    );
    let r = config_error("[rules]\nselect = [\"S3002\"]\nignore = [\"s3\"]\n");
    assert!(
        r.stderr.starts_with(
            "moat: error: `rules.ignore` in `moat.toml` ignores every rule that `rules.select` selects, so no rule would run\n"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn several_unmatched_selectors_are_named_together() {
    let r = config_error("[rules]\nselect = [\"SGG\", \"S3\"]\nignore = [\"XYZZY\"]\n");
    assert!(
        r.stderr.starts_with(
            "moat: error: 2 selectors in `moat.toml` match no rule: `SGG` (`rules.select`, line 2), `XYZZY` (`rules.ignore`, line 3)\n  help: did you mean `SG` (for `SGG`)?"
        ),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------- moat.toml is untrusted

/// A valid configuration that would change the scan (only S3002 runs).
const CONFIG: &str = "[rules]\nselect = [\"S3002\"]\n";

/// A refused in-tree `moat.toml`: the scan goes on with the default configuration (every
/// rule, not only S3002), the refusal is an `errors` entry for `moat.toml`, exit 1 (findings).
fn refused_config(path: &Path) -> String {
    let (code, v, stderr) = scan_json(path, &[]);
    assert_eq!(code, 1, "{stderr}");
    let errors = v["errors"].as_array().unwrap();
    let mine: Vec<&Value> = errors.iter().filter(|e| e["file"] == "moat.toml").collect();
    assert_eq!(mine.len(), 1, "{v:#}");
    assert_eq!(mine[0]["line"], 0);
    let message = mine[0]["message"].as_str().unwrap().to_string();
    assert!(
        message.ends_with("; the default configuration is used"),
        "{message}"
    );
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] != "S3002"),
        "the default configuration was not used: {v:#}"
    );
    message
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "mkfifo {} failed", path.display());
}

#[cfg(unix)]
#[test]
fn a_moat_toml_that_links_out_of_the_scanned_tree_is_refused() {
    let elsewhere = dir(&[("moat.toml", CONFIG)]);
    let d = dir(&[("main.tf", BUCKET)]);
    let link = d.path().join("moat.toml");
    symlink(&elsewhere.path().join("moat.toml"), &link);
    let message = refused_config(d.path());
    let real = fs::canonicalize(elsewhere.path().join("moat.toml")).unwrap();
    assert!(
        message.starts_with(&format!(
            "config `{}` resolves to `{}`, outside the scanned directory `{}`: not read",
            link.display(),
            real.display(),
            d.path().display()
        )),
        "{message}"
    );

    // To a system file: refused the same way, and its content never shows.
    for target in [
        "/etc/shadow",
        "/etc/passwd",
        "/dev/zero",
        "/proc/self/environ",
    ] {
        if fs::symlink_metadata(target).is_err() {
            continue;
        }
        fs::remove_file(&link).unwrap();
        symlink(Path::new(target), &link);
        let r = scan(d.path(), &["--format", "json"]);
        assert_eq!(r.code, 1, "{target}: {}", r.stderr);
        assert!(
            r.stdout.contains("outside the scanned directory"),
            "{target}: {}",
            r.stdout
        );
        assert!(!r.stdout.contains("root:"), "{}", r.stdout);
    }

    // Through a directory symlink too (`conf -> elsewhere`, `moat.toml -> conf/moat.toml`).
    fs::remove_file(&link).unwrap();
    symlink(elsewhere.path(), &d.path().join("conf"));
    symlink(Path::new("conf/moat.toml"), &link);
    let message = refused_config(d.path());
    assert!(
        message.contains("outside the scanned directory"),
        "{message}"
    );

    // The user may name that file: `--config` is trusted as to location.
    fs::remove_file(&link).unwrap();
    let cfg = elsewhere.path().join("moat.toml");
    let (code, v, stderr) = scan_json(d.path(), &["--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule_id"] == "S3002"),
        "{v:#}"
    );
}

#[cfg(unix)]
#[test]
fn a_moat_toml_symlink_inside_the_tree_is_read() {
    let d = dir(&[("main.tf", BUCKET), ("config/moat.toml", CONFIG)]);
    symlink(Path::new("config/moat.toml"), &d.path().join("moat.toml"));
    let (code, v, stderr) = scan_json(d.path(), &[]);
    assert_eq!(code, 1, "{stderr}");
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["S3002"], "{v:#}");
}

#[cfg(unix)]
#[test]
fn a_dangling_moat_toml_symlink_is_an_error_not_a_silent_default() {
    let d = dir(&[("main.tf", BUCKET)]);
    symlink(Path::new("nowhere.toml"), &d.path().join("moat.toml"));
    let message = refused_config(d.path());
    assert!(
        message.starts_with(&format!(
            "cannot read config `{}`: ",
            d.path().join("moat.toml").display()
        )),
        "{message}"
    );
}

#[cfg(unix)]
#[test]
fn a_moat_toml_fifo_is_refused_without_hanging() {
    let d = dir(&[("main.tf", BUCKET)]);
    let fifo = d.path().join("moat.toml");
    mkfifo(&fifo);
    let message = refused_config(d.path());
    assert_eq!(
        message,
        format!(
            "config `{}` is a FIFO, not a regular file: not read; the default configuration is used",
            fifo.display()
        )
    );
    // A symlink to it, inside the tree: the same.
    fs::rename(&fifo, d.path().join("pipe")).unwrap();
    symlink(Path::new("pipe"), &fifo);
    let message = refused_config(d.path());
    assert!(message.contains("is a FIFO"), "{message}");
}

#[cfg(unix)]
#[test]
fn an_explicit_config_must_be_a_regular_file() {
    let d = dir(&[("main.tf", BUCKET)]);
    let fifo = d.path().join("cfg.fifo");
    mkfifo(&fifo);
    for (cfg, kind) in [
        (fifo.to_str().unwrap(), "a FIFO"),
        // The test harness keeps the child's stdin open as a pipe: reading it would block.
        ("/dev/stdin", "a FIFO"),
        ("/dev/zero", "a character device"),
        ("/tmp", "a directory"),
    ] {
        if fs::metadata(cfg).is_err() {
            continue;
        }
        let r = scan(d.path(), &["--config", cfg]);
        assert_eq!(r.code, 2, "{cfg}: {}", r.stderr);
        assert_eq!(
            r.stderr,
            format!("moat: error: config `{cfg}` is {kind}, not a regular file: not read\n"),
            "{cfg}"
        );
    }
}

#[test]
fn a_config_larger_than_1_mib_is_refused() {
    let big = format!("{CONFIG}{}", "# padding\n".repeat(110_000));
    assert!(big.len() > 1024 * 1024);
    let d = dir(&[("main.tf", BUCKET), ("moat.toml", &big)]);
    let message = refused_config(d.path());
    assert_eq!(
        message,
        format!(
            "config `{}` is larger than 1048576 bytes: not read; the default configuration is used",
            d.path().join("moat.toml").display()
        )
    );
    // The same through --config.
    let cfg = d.path().join("moat.toml");
    let r = scan(d.path(), &["--config", cfg.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("larger than 1048576 bytes"),
        "{}",
        r.stderr
    );
    // Just under the cap is read.
    fs::write(&cfg, &big[..1024 * 1024]).unwrap();
    let (code, _, stderr) = scan_json(d.path(), &[]);
    assert_eq!(code, 1, "{stderr}");
}

// ---------------------------------------------------------------- reach: blocked names its cause

fn three_tier() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/three-tier")
}

fn reach_json(from: &str, to: &str, extra: &[&str]) -> (i32, Value) {
    let r = run(moat()
        .arg("reach")
        .arg(three_tier())
        .args(["--from", from, "--to", to, "--format", "json"])
        .args(extra));
    let v: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", r.stdout, r.stderr));
    (r.code, v)
}

/// The bug: `moat reach --from ::/0 --to X` answered `blocked` with `blocked: null` (the
/// example VPC has no IPv6 block, so no component was ever met).
#[test]
fn reach_from_ipv6_blocked_null() {
    let vpc_reason = |to: &str, from: &str| {
        format!(
            "VPC `module.network.aws_vpc.this` has no IPv6 CIDR block: `{to}` has no IPv6 address, so nothing routes {from} to it; for IPv6, give the VPC an IPv6 block (`assign_generated_ipv6_cidr_block = true`), its subnets an `ipv6_cidr_block` and the interface an IPv6 address"
        )
    };
    for (from, shown) in [
        ("::/0", "the IPv6 internet"),
        ("2001:db8::/32", "2001:db8::/32"),
    ] {
        for to in ["aws_instance.app[0]", "aws_lb.web", "aws_db_instance.main"] {
            let (code, v) = reach_json(from, to, &["--port", "443", "--expect", "blocked"]);
            assert_eq!(code, 0, "{from} -> {to}: {v:#}");
            assert_eq!(v["verdict"], "blocked", "{from} -> {to}: {v:#}");
            assert_eq!(
                v["blocked"],
                json!({
                    "resource": "module.network.aws_vpc.this",
                    "kind": "vpc",
                    "code": "NO_ROUTE_TO_DESTINATION",
                    "reason": vpc_reason(to, shown),
                    "file": "modules/network/main.tf",
                    "line": 10,
                }),
                "{from} -> {to}"
            );
        }
    }
    // Outbound to IPv6 from an interface without IPv6.
    let (_, v) = reach_json("aws_instance.app[0]", "::/0", &["--port", "443"]);
    assert_eq!(v["verdict"], "blocked", "{v:#}");
    assert_eq!(v["blocked"]["resource"], "module.network.aws_vpc.this");
    assert!(
        v["blocked"]["reason"]
            .as_str()
            .unwrap()
            .contains("`aws_instance.app[0]` has no IPv6 address, so it cannot send to ::/0"),
        "{v:#}"
    );
    // The text names it too.
    let r = run(moat().arg("reach").arg(three_tier()).args([
        "--from",
        "::/0",
        "--to",
        "aws_instance.app[0]",
        "--port",
        "443",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        format!(
            "blocked: ::/0 -> aws_instance.app[0] (tcp 443)\n\nblocked by vpc `module.network.aws_vpc.this` at modules/network/main.tf:10 [NO_ROUTE_TO_DESTINATION]\n  {}\n",
            vpc_reason("aws_instance.app[0]", "the IPv6 internet")
        )
    );
}

/// Every `blocked` answer on the example names a component, from address ranges of both
/// families and from each instance, to each destination.
#[test]
fn every_blocked_reach_names_its_cause() {
    let sources = [
        "internet",
        "0.0.0.0/0",
        "::/0",
        "10.0.0.0/8",
        "203.0.113.0/24",
        "fd00::/8",
        "aws_instance.bastion",
        "aws_instance.app[0]",
    ];
    let dests = [
        "aws_instance.app[0]",
        "aws_instance.bastion",
        "aws_lb.web",
        "aws_db_instance.main",
    ];
    let mut blocked = 0;
    for from in sources {
        for to in dests {
            for port in ["22", "443", "3306"] {
                let (_, v) = reach_json(from, to, &["--port", port]);
                if v["verdict"] != "blocked" {
                    continue;
                }
                blocked += 1;
                let b = &v["blocked"];
                for k in ["resource", "kind", "code", "reason"] {
                    assert!(
                        b[k].as_str().is_some_and(|s| !s.is_empty()),
                        "{from} -> {to} port {port}: `{k}` missing in {v:#}"
                    );
                }
            }
        }
    }
    assert!(blocked > 20, "only {blocked} blocked answers");
}

/// `reach`, `exposure` and `diagram` on a directory whose only module was not downloaded:
/// nothing could be checked, exit 2, naming the module call (not an empty answer).
#[test]
fn reach_exposure_and_diagram_say_when_nothing_could_be_checked() {
    let d = dir(&[(
        "main.tf",
        "module \"vpc\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\n",
    )]);
    let p = d.path().to_str().unwrap();
    for args in [
        vec!["exposure", p],
        vec!["diagram", p, "--format", "mermaid"],
        vec!["reach", p, "--from", "internet", "--to", "aws_instance.x"],
    ] {
        let r = run(moat().args(&args));
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains(
                "nothing could be checked under `"
            ) && r.stderr.contains(
                "no resource was read, because module `vpc` (`terraform-aws-modules/vpc/aws`) at main.tf:1 was not downloaded (run `terraform init`)"
            ),
            "{args:?}: {}",
            r.stderr
        );
        assert_eq!(r.stdout, "", "{args:?}");
    }
}

/// What "nothing could be checked" means is decided once, for every command: a data source
/// (read, not managed) beside a module that was not downloaded leaves nothing to check, for
/// `reach`, `exposure` and `diagram` as for `scan` (exposure used to answer "nothing is
/// reachable from the internet", exit 0).
#[test]
fn a_data_source_alone_is_nothing_to_check_for_every_command() {
    let d = dir(&[(
        "main.tf",
        "data \"aws_caller_identity\" \"me\" {}\n\nmodule \"vpc\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\n",
    )]);
    let p = d.path().to_str().unwrap();
    let r = scan(d.path(), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("nothing could be checked: module `vpc`"),
        "{}",
        r.stderr
    );
    for args in [
        vec!["exposure", p],
        vec!["diagram", p, "--format", "mermaid"],
        vec!["reach", p, "--from", "internet", "--to", "aws_instance.x"],
    ] {
        let r = run(moat().args(&args));
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains(
                "no resource was read, because module `vpc` (`terraform-aws-modules/vpc/aws`) at main.tf:3 was not downloaded (run `terraform init`)"
            ),
            "{args:?}: {}",
            r.stderr
        );
        assert_eq!(r.stdout, "", "{args:?}");
    }
}

/// SARIF says the run did not succeed when nothing could be checked (exit 2), and did when
/// the scan did its job.
#[test]
fn sarif_execution_successful_follows_the_outcome() {
    let d = dir(&[(
        "main.tf",
        "module \"vpc\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\n",
    )]);
    let r = scan(d.path(), &["--format", "sarif"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], json!(false), "{v:#}");
    let texts: Vec<&str> = inv["toolExecutionNotifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["level"] == "error")
        .map(|n| n["message"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts.len(), 1, "{v:#}");
    assert!(texts[0].starts_with("nothing could be checked: module `vpc`"));
    let ok = dir(&[("main.tf", BUCKET)]);
    let r = scan(ok.path(), &["--format", "sarif"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v["runs"][0]["invocations"][0]["executionSuccessful"],
        json!(true)
    );
}

/// `[limits]` in a moat.toml of the scanned tree may lower a limit (the overrun is an error
/// at its line) but not raise one (a warning says it was ignored); an unknown limit is a
/// usage error; `--limit` applies on top.
#[test]
fn limits_from_moat_toml_and_the_command_line() {
    const BIG: &str = "locals {\n  big = [for x in range(1000) : [for y in range(100) : y]]\n}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b${length(local.big)}\"\n}\n";
    let fuel_error = |v: &Value, units: &str| {
        v["errors"].as_array().unwrap().iter().any(|e| {
            e["file"] == "main.tf"
                && e["line"] == 2
                && e["message"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("work limit `fuel` ({units} units"))
        })
    };
    // Lowered by the tree's moat.toml: 1,000 units, a fifth (200) per item.
    let d = dir(&[("main.tf", BIG), ("moat.toml", "[limits]\nfuel = 1000\n")]);
    let (_, v, stderr) = scan_json(d.path(), &[]);
    assert!(fuel_error(&v, "200"), "{v:#} {stderr}");
    // Raised by the tree's moat.toml: ignored with a warning, the default applies (no error).
    let d = dir(&[
        ("main.tf", BIG),
        ("moat.toml", "[limits]\nfuel = 900000000\n"),
    ]);
    let (_, v, stderr) = scan_json(d.path(), &[]);
    assert!(
        stderr.contains("`[limits] fuel` in `")
            && stderr.contains("would raise a limit and is ignored"),
        "{stderr}"
    );
    assert!(!fuel_error(&v, "180000000"), "{v:#}");
    // `--limit` on the command line, after the file.
    let (_, v, _) = scan_json(d.path(), &["--limit", "fuel=500"]);
    assert!(fuel_error(&v, "100"), "{v:#}");
    // Unknown names are usage errors, in the file and on the command line.
    let d = dir(&[("main.tf", BIG), ("moat.toml", "[limits]\nspeed = 3\n")]);
    let r = scan(d.path(), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("unknown limit `speed`"), "{}", r.stderr);
    let r = scan(d.path(), &["--config", "/dev/null", "--limit", "fuel=lots"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("invalid `--limit fuel=lots`"),
        "{}",
        r.stderr
    );
}
