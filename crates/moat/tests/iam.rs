//! End-to-end tests of `moat iam simulate` and `moat iam who-can`: the real binary on the
//! request file and the Terraform estate in `tests/iam/` (a bucket with a policy that admits a
//! user and denies plain HTTP, an ETL role that reads it, a web role with the AWS managed
//! `ReadOnlyAccess`, a developer who can assume a deployer role that can pass the ETL role to
//! Glue). Assertions are on decisions, the statements that decided them (file:line), the
//! chains, exit codes and error messages.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn moat() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_moat"));
    c.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    c
}

fn dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/iam")
        .join(name)
}

const OBJECT: &str = "arn:aws:s3:::acme-reports/q1.csv";

fn run_json(args: &[&str]) -> (Value, i32) {
    let out = moat().args(args).output().unwrap();
    let code = out.status.code().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, code)
}

#[test]
fn simulate_input_file_decides_each_request() {
    let file = dir("requests.json");
    let (v, code) = run_json(&[
        "iam",
        "simulate",
        "--input",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let a = v.as_array().unwrap();
    assert_eq!(a.len(), 3);
    assert_eq!(a[0]["decision"], "allow");
    assert_eq!(a[0]["reasons"][0]["policy"], "identity[0]");
    assert_eq!(a[0]["reasons"][0]["sid"], "Read");
    assert_eq!(a[1]["decision"], "explicit_deny");
    assert_eq!(a[1]["reasons"][0]["policy"], "scps[1][0]");
    assert_eq!(a[1]["reasons"][0]["statement"], 1);
    assert_eq!(a[1]["reasons"][0]["sid"], "NoDelete");
    // Cross-account without a resource policy: the resource side is missing.
    assert_eq!(a[2]["decision"], "implicit_deny");
    assert_eq!(a[2]["missing"], serde_json::json!(["resource_policy"]));

    // Text: one block per request.
    let out = moat()
        .args(["iam", "simulate", "--input", file.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("request 0: allow\n  Allow by identity identity[0] statement 0 (Read)"),
        "{text}"
    );
    assert!(
        text.contains("request 1: explicit_deny\n  Deny by scp scps[1][0] statement 1 (NoDelete)"),
        "{text}"
    );
    assert!(
        text.contains("request 2: implicit_deny\n  no statement allows in: resource_policy"),
        "{text}"
    );
}

#[test]
fn simulate_expect_sets_the_exit_code() {
    let file = dir("requests.json");
    let f = file.to_str().unwrap();
    // Not every request is allowed: 1.
    moat()
        .args(["iam", "simulate", "--input", f, "--expect", "allow"])
        .assert()
        .code(1);
    // A single request file that is denied either way.
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("one.json");
    std::fs::write(
        &one,
        r#"{"principal": "arn:aws:iam::111122223333:user/bob", "action": "iam:CreateUser", "resource": "*"}"#,
    )
    .unwrap();
    let o = one.to_str().unwrap();
    moat()
        .args(["iam", "simulate", "--input", o, "--expect", "deny"])
        .assert()
        .code(0);
    moat()
        .args(["iam", "simulate", "--input", o, "--expect", "implicit_deny"])
        .assert()
        .code(0);
    moat()
        .args(["iam", "simulate", "--input", o, "--expect", "allow"])
        .assert()
        .code(1);
}

#[test]
fn simulate_input_errors_name_the_file_and_place() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"principal\": \"x\",\n  \"action\": }\n").unwrap();
    let out = moat()
        .args(["iam", "simulate", "--input", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("bad.json` is not JSON (line 3, column"),
        "{err}"
    );

    let typo = tmp.path().join("typo.json");
    std::fs::write(
        &typo,
        r#"{"principal": "p", "action": "s3:GetObject", "resource": "*", "identiy": []}"#,
    )
    .unwrap();
    let out = moat()
        .args(["iam", "simulate", "--input", typo.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("request 0: unknown key `identiy`"));
}

#[test]
fn simulate_a_principal_of_the_scanned_estate() {
    let d = dir("chain");
    let p = d.to_str().unwrap();
    // The web role has AWS's ReadOnlyAccess (embedded data): reads, never deletes.
    let (v, code) = run_json(&[
        "iam",
        "simulate",
        p,
        "--principal",
        "aws_iam_role.web",
        "--action",
        "s3:GetObject",
        "--resource",
        OBJECT,
        "--context",
        "aws:SecureTransport=true",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["decision"], "allow");
    assert_eq!(v["principal"], "aws_iam_role.web");
    assert_eq!(
        v["reasons"][0]["policy"],
        "arn:aws:iam::aws:policy/ReadOnlyAccess"
    );
    // Without the context key the bucket policy's TLS deny may apply: unknown, naming it.
    let (v, _) = run_json(&[
        "iam",
        "simulate",
        p,
        "--principal",
        "web",
        "--action",
        "s3:GetObject",
        "--resource",
        OBJECT,
        "--format",
        "json",
    ]);
    assert_eq!(v["decision"], "unknown");
    assert_eq!(v["possible"], serde_json::json!(["allow", "explicit_deny"]));
    assert!(v["unknowns"][0]
        .as_str()
        .unwrap()
        .contains("aws:SecureTransport"));
    assert_eq!(v["reasons"][0]["file"], "main.tf");
    assert_eq!(v["reasons"][0]["type"], "resource_policy");
    // Delete: denied whatever the request says.
    moat()
        .args([
            "iam",
            "simulate",
            p,
            "--principal",
            "web",
            "--action",
            "s3:DeleteObject",
            "--resource",
            OBJECT,
            "--expect",
            "deny",
        ])
        .assert()
        .code(0);
    // An SCP level from a file denies S3 to everyone of the account.
    let scp = dir("scp-deny-s3.json");
    let (v, _) = run_json(&[
        "iam",
        "simulate",
        p,
        "--principal",
        "web",
        "--action",
        "s3:GetObject",
        "--resource",
        OBJECT,
        "--context",
        "aws:SecureTransport=true",
        "--scp",
        scp.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(v["decision"], "explicit_deny");
    assert_eq!(v["reasons"][0]["type"], "scp");
    assert_eq!(v["reasons"][0]["sid"], "NoS3");

    // An unknown principal is a usage error listing the principals.
    let out = moat()
        .args([
            "iam",
            "simulate",
            p,
            "--principal",
            "aws_iam_role.nope",
            "--action",
            "s3:GetObject",
            "--resource",
            OBJECT,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("no principal `aws_iam_role.nope`"), "{err}");
    assert!(
        err.contains("aws_iam_role.deployer, aws_iam_role.etl"),
        "{err}"
    );
}

#[test]
fn who_can_lists_every_principal_allowed_first_with_chains() {
    let d = dir("chain");
    let (v, code) = run_json(&[
        "iam",
        "who-can",
        d.to_str().unwrap(),
        "--action",
        "s3:GetObject",
        "--resource",
        OBJECT,
        "--context",
        "aws:SecureTransport=true",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let ps = v["principals"].as_array().unwrap();
    let names: Vec<&str> = ps
        .iter()
        .map(|p| p["principal"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "aws_iam_role.etl",
            "aws_iam_role.web",
            "aws_iam_user.bob",
            "aws_iam_role.deployer",
            "aws_iam_user.dev"
        ]
    );
    assert_eq!(ps[0]["decision"], "allow");
    assert_eq!(
        ps[0]["reasons"][0]["policy"],
        "aws_iam_role_policy.etl_read.policy"
    );
    assert_eq!(ps[0]["reasons"][0]["line"], 15);
    // Bob is named by the bucket policy: allowed by it alone (same account).
    assert_eq!(ps[2]["decision"], "allow");
    assert_eq!(ps[2]["reasons"][0]["type"], "resource_policy");
    // The deployer cannot read, but can pass the ETL role to Glue.
    assert_eq!(ps[3]["decision"], "implicit_deny");
    assert_eq!(ps[3]["transitive"], "allow");
    assert_eq!(ps[3]["via"], "aws_iam_role.etl");
    assert_eq!(ps[3]["chain"][0]["method"], "PassRole+glue:CreateJob");
    assert_eq!(ps[3]["chain"][0]["service"], "glue.amazonaws.com");
    // The developer assumes the deployer first.
    assert_eq!(ps[4]["transitive"], "allow");
    let chain: Vec<(&str, &str, &str)> = ps[4]["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["from"].as_str().unwrap(),
                e["method"].as_str().unwrap(),
                e["to"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        chain,
        [
            (
                "aws_iam_user.dev",
                "sts:AssumeRole",
                "aws_iam_role.deployer"
            ),
            (
                "aws_iam_role.deployer",
                "PassRole+glue:CreateJob",
                "aws_iam_role.etl"
            ),
        ]
    );

    // Text names the chain.
    let out = moat()
        .args([
            "iam",
            "who-can",
            d.to_str().unwrap(),
            "--action",
            "s3:GetObject",
            "--resource",
            OBJECT,
            "--context",
            "aws:SecureTransport=true",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("aws_iam_user.dev: implicit_deny\n  no statement allows in: identity\n  can get there through: aws_iam_user.dev -[sts:AssumeRole]-> aws_iam_role.deployer then aws_iam_role.deployer -[PassRole+glue:CreateJob]-> aws_iam_role.etl"), "{text}");
}

/// Run `moat iam who-can` on the chain estate: exit code and stderr.
fn who_can_stderr(action: &str, resource: &str) -> (i32, String) {
    let d = dir("chain");
    let out = moat()
        .args([
            "iam",
            "who-can",
            d.to_str().unwrap(),
            "--action",
            action,
            "--resource",
            resource,
        ])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn actions_aws_does_not_have_are_warned_about() {
    let (code, err) = who_can_stderr("s3:GetObjectt", OBJECT);
    assert_eq!(code, 0);
    assert!(
        err.contains("warning: `s3:GetObjectt` is not an action of `s3`"),
        "{err}"
    );
    let (_, err) = who_can_stderr("s4:GetObject", OBJECT);
    assert!(err.contains("`s4` is not a service prefix"), "{err}");
    let (_, err) = who_can_stderr("S3:getobject", OBJECT);
    assert_eq!(err, "");
    // A bucket where the action wants an object; an account-level action on a resource.
    let (_, err) = who_can_stderr("s3:GetObject", "arn:aws:s3:::acme-reports");
    assert!(
        err.contains(
            "warning: `arn:aws:s3:::acme-reports` is a bucket (s3), but `s3:GetObject` acts on"
        ),
        "{err}"
    );
    let (_, err) = who_can_stderr("s3:ListAllMyBuckets", "arn:aws:s3:::acme-reports");
    assert!(
        err.contains("`s3:ListAllMyBuckets` acts on no resource type"),
        "{err}"
    );
}

#[test]
fn who_can_needs_action_and_resource() {
    let d = dir("chain");
    let out = moat()
        .args([
            "iam",
            "who-can",
            d.to_str().unwrap(),
            "--action",
            "s3:GetObject",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("needs `--resource`"));
}
