//! `moat diagram` run as a user would: Mermaid by default, DOT on request, findings marked.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use assert_cmd::Command;

/// NET006's fixture (internet -> ALB -> app -> RDS, the app target public and open to the world),
/// which moat-net's diagram tests draw too.
fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/network/NET006/terraform/fail")
}

#[test]
fn mermaid_by_default_with_findings_marked() {
    let out = Command::cargo_bin("moat")
        .unwrap()
        .arg("diagram")
        .arg(fixture())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.starts_with("flowchart LR\n"), "{s}");
    // The app target sits in a public subnet and is open to the world: NET005 and NET006 on it.
    let app = s
        .lines()
        .find(|l| l.contains("\"aws_instance.app (instance)"))
        .unwrap_or_else(|| panic!("{s}"));
    assert!(app.contains("NET005") && app.contains("NET006"), "{app}");
    assert!(
        s.contains("subgraph") && s.contains("aws_subnet.app 10.0.2.0/24 private"),
        "{s}"
    );
    assert!(s.contains("class ") && s.contains(" finding\n"), "{s}");
}

#[test]
fn dot_on_request_and_same_bytes_twice() {
    let run = || {
        Command::cargo_bin("moat")
            .unwrap()
            .args(["diagram", "--format", "dot"])
            .arg(fixture())
            .output()
            .unwrap()
    };
    let a = run();
    assert_eq!(a.status.code(), Some(0));
    let s = String::from_utf8(a.stdout.clone()).unwrap();
    assert!(s.starts_with("digraph moat {"), "{s}");
    assert!(s.contains("label=\"tcp/3306\""), "{s}");
    assert_eq!(a.stdout, run().stdout);
}

#[test]
fn unknown_format_is_a_usage_error() {
    let out = Command::cargo_bin("moat")
        .unwrap()
        .args(["diagram", "--format", "png"])
        .arg(fixture())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
