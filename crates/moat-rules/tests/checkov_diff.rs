//! Differential test against Checkov: every `equivalent.checkov` claim that moat makes on the
//! rule fixtures and the bundled example must be a check that Checkov fails on the same
//! resource, except for the known disagreements listed in [`ALLOWED`] (each with its reason).
//!
//! Checkov runs once over a temporary directory holding a copy of every fixture (one
//! subdirectory each, so that fixtures stay separate Terraform roots). The test looks for
//! `checkov` in `$MOAT_CHECKOV`, on `PATH`, then at `$HOME/.cache/moat-peers/checkov/bin/checkov`
//! (where `.ci/install-peers` puts it); without it the test prints why and passes, or fails under
//! `MOAT_REQUIRE_PEERS=1` (as in CI).
//!
//! A claim on resource R at `file:line` is confirmed when Checkov fails the same ID in the
//! same file on R itself, on a resource whose block holds that line (a policy from a
//! `data "aws_iam_policy_document"`), or on a resource R references or that references R
//! (Checkov reports `CKV_AWS_53` on the `aws_s3_bucket_public_access_block`, moat on the bucket;
//! `CKV2_AWS_12` on the `aws_vpc`, moat on its `aws_default_security_group`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use moat_model::{Estate, Status};

mod common;
use common::missing_peer;

/// Known disagreements where moat is right: `(fixture file, resource, Checkov ID, reason)`.
/// The file is relative to the copy root (`<family>/<fixture>/<file>`). An entry that no
/// longer matches a disagreement fails the test, so the list cannot go stale.
const ALLOWED: &[(&str, &str, &str, &str)] = &[
    (
        "lb/LB002/LB002.tf",
        "aws_lb_listener.old",
        "CKV_AWS_103",
        // CKV_AWS_103 accepts any policy whose name contains `ELBSecurityPolicy-TLS13`, but
        // `ELBSecurityPolicy-TLS13-1-0-2021-06` also negotiates TLS 1.0 and 1.1.
        "checkov accepts every ELBSecurityPolicy-TLS13-* policy, including TLS13-1-0 (TLS 1.0+)",
    ),
    (
        "rds/RDS002/RDS002.tf",
        "aws_rds_cluster_instance.node",
        "CKV_AWS_17",
        // moat expands `count`: instance 0 has `publicly_accessible = count.index == 0`.
        "checkov does not evaluate `count.index`, so the expression is not `true` to it",
    ),
    (
        "sg/SG001/SG001.tf",
        "aws_vpc_security_group_ingress_rule.ssh_v6",
        "CKV_AWS_24",
        // On `aws_vpc_security_group_ingress_rule`, `cidr_ipv6` is a string; Checkov iterates
        // it as if it were a list, character by character, so `::/0` never matches.
        "checkov misses `cidr_ipv6 = \"::/0\"` on aws_vpc_security_group_ingress_rule",
    ),
    (
        "iam/IAM006/IAM006.tf",
        "aws_iam_role_policy_attachment.ci_admin_any_partition",
        "CKV_AWS_274",
        // moat resolves `data.aws_partition.current.partition` to `aws` (the provider's region
        // is not a China or GovCloud one), so the ARN is the literal AdministratorAccess ARN.
        "checkov does not evaluate `data.aws_partition`, so the templated ARN is not the literal to it",
    ),
];

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn find_checkov() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MOAT_CHECKOV") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Some(p);
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join("checkov");
            if p.is_file() {
                return Some(p);
            }
        }
    }
    let home = std::env::var_os("HOME")?;
    let p = Path::new(&home).join(".cache/moat-peers/checkov/bin/checkov");
    p.is_file().then_some(p)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// Every fixture as `(name relative to the copy root, source path)`: the Terraform directory of
/// each rule fixture (`fixtures/<family>/<CODE>/terraform`, copied as `<family>/<CODE>`; the
/// network fixtures hold one root per case below it), and the bundled example.
fn fixtures() -> Vec<(String, PathBuf)> {
    let root = manifest().join("../../fixtures");
    let mut out = Vec::new();
    for fam in std::fs::read_dir(&root).unwrap() {
        let fam = fam.unwrap().path();
        if !fam.is_dir() {
            continue;
        }
        let fname = fam.file_name().unwrap().to_string_lossy().to_string();
        for e in std::fs::read_dir(&fam).unwrap() {
            let p = e.unwrap().path().join("terraform");
            if p.is_dir() {
                let code = p.parent().unwrap().file_name().unwrap().to_string_lossy();
                out.push((format!("{fname}/{code}"), p));
            }
        }
    }
    out.push((
        "examples/three-tier".to_string(),
        manifest().join("../../examples/three-tier"),
    ));
    out.sort();
    out
}

/// `module.a["x"].aws_s3_bucket.b[0]` -> `aws_s3_bucket.b`.
fn norm(addr: &str) -> String {
    let mut s = String::new();
    let mut depth = 0;
    for c in addr.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => s.push(c),
            _ => {}
        }
    }
    let parts: Vec<&str> = s.split('.').collect();
    let mut i = 0;
    while parts.len() > i + 2 && parts[i] == "module" {
        i += 2;
    }
    // Checkov names a data source without its `data.` prefix.
    if parts.len() > i + 2 && parts[i] == "data" {
        i += 1;
    }
    parts[i..].join(".")
}

/// One failed Checkov check.
struct Failed {
    resource: String,
    lines: (u32, u32),
}

/// `(file relative to the copy root, Checkov ID)` -> failures.
fn run_checkov(bin: &Path, dir: &Path) -> BTreeMap<(String, String), Vec<Failed>> {
    let out = Command::new(bin)
        .arg("-d")
        .arg(dir)
        .args([
            "--framework",
            "terraform",
            "-o",
            "json",
            "--quiet",
            "--skip-download",
        ])
        .env("BC_SKIP_MAPPING", "TRUE")
        .output()
        .expect("run checkov");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "checkov failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let reports = match json {
        serde_json::Value::Array(v) => v,
        other => vec![other],
    };
    let mut failed: BTreeMap<(String, String), Vec<Failed>> = BTreeMap::new();
    for rep in reports {
        let Some(list) = rep["results"]["failed_checks"].as_array() else {
            continue;
        };
        for c in list {
            let file = c["file_path"]
                .as_str()
                .unwrap()
                .trim_start_matches('/')
                .to_string();
            let range = &c["file_line_range"];
            failed
                .entry((file, c["check_id"].as_str().unwrap().to_string()))
                .or_default()
                .push(Failed {
                    resource: norm(c["resource"].as_str().unwrap()),
                    lines: (
                        range[0].as_u64().unwrap_or(0) as u32,
                        range[1].as_u64().unwrap_or(0) as u32,
                    ),
                });
        }
    }
    failed
}

/// Normalised addresses of the resources linked to the finding's resource: by a reference
/// either way, by a literal bucket name (`bucket = "logs"` in a split S3 resource), or named on
/// the finding's line (`policy = data.aws_iam_policy_document.x.json`, which the frontend
/// renders to a string, so no reference remains).
fn related(e: &Estate, address: &str, file: &str, line: u32) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Some(id) = e.by_address(address) else {
        return out;
    };
    for edge in e.refs_from(id).chain(e.refs_to(id)) {
        for other in [edge.from, edge.to] {
            if let Some(r) = e.get(other) {
                out.insert(norm(&r.address));
            }
        }
    }
    if let Some(name) = e.get(id).and_then(|r| r.str_attr("bucket")) {
        for r in &e.resources {
            if r.str_attr("bucket") == Some(name) {
                out.insert(norm(&r.address));
            }
        }
    }
    if let Some(text) = e.source_line(file, line) {
        for (i, _) in text.match_indices("data.") {
            let name: String = text[i + 5..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
                .collect();
            let mut parts = name.split('.');
            if let (Some(t), Some(n)) = (parts.next(), parts.next()) {
                out.insert(format!("{t}.{n}"));
            }
        }
    }
    out
}

#[test]
fn moat_checkov_claims_are_confirmed_by_checkov() {
    let Some(bin) = find_checkov() else {
        missing_peer(
            "`checkov` (MOAT_CHECKOV, PATH, ~/.cache/moat-peers/checkov/bin)",
            "bash .ci/install-peers (a venv in ~/.cache/moat-peers/checkov with pip install 'checkov==3.*')",
        );
        return;
    };
    let tmp = std::env::temp_dir().join(format!("moat-checkov-diff-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let fixtures = fixtures();
    for (name, src) in &fixtures {
        let dest = tmp.join(name);
        if src.is_dir() {
            copy_dir(src, &dest);
        } else {
            std::fs::create_dir_all(&dest).unwrap();
            std::fs::copy(src, dest.join(src.file_name().unwrap())).unwrap();
        }
    }
    let failed = run_checkov(&bin, &tmp);
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(!failed.is_empty(), "checkov reported no failure at all");

    let mut claims = 0;
    let mut confirmed = 0;
    let mut allowed_used = BTreeSet::new();
    let mut wrong = Vec::new();
    // What moat claimed, per (file, Checkov ID): (resource, related resources, line).
    type Claim = (String, BTreeSet<String>, u32);
    let mut made: BTreeMap<(String, String), Vec<Claim>> = BTreeMap::new();
    for (name, src) in &fixtures {
        let estates = moat_terraform::load(src, &moat_terraform::Options::default());
        for e in &estates {
            for f in moat_rules::check(e) {
                if f.status != Status::Fail {
                    continue;
                }
                let file = format!("{name}/{}", f.file);
                let addr = norm(&f.resource);
                let near = related(e, &f.resource, &f.file, f.line);
                for id in &f.equivalent.checkov {
                    claims += 1;
                    made.entry((file.clone(), id.clone())).or_default().push((
                        addr.clone(),
                        near.clone(),
                        f.line,
                    ));
                    let ok = failed.get(&(file.clone(), id.clone())).is_some_and(|v| {
                        v.iter().any(|c| {
                            c.resource == addr
                                || near.contains(&c.resource)
                                || (c.lines.0 <= f.line && f.line <= c.lines.1)
                        })
                    });
                    if ok {
                        confirmed += 1;
                        continue;
                    }
                    let allowed = ALLOWED
                        .iter()
                        .position(|(af, ar, aid, _)| *af == file && *ar == addr && aid == id);
                    match allowed {
                        Some(i) => {
                            allowed_used.insert(i);
                        }
                        None => wrong.push(format!(
                            "{file}:{} {} {} claims {id}: {}",
                            f.line, f.rule_id, f.resource, f.message
                        )),
                    }
                }
            }
        }
    }
    println!(
        "{claims} claims on {} fixtures: {confirmed} confirmed by Checkov, {} allowlisted",
        fixtures.len(),
        allowed_used.len()
    );
    // The other direction is reported, not asserted: Checkov failures of the IDs moat claims
    // somewhere, with no moat claim on that resource (a moat miss, a moat `unknown`, or a
    // difference documented in the rule's "Differences from Checkov").
    let listed: BTreeSet<&str> = moat_rules::catalogue()
        .iter()
        .flat_map(|r| r.checkov.iter().copied())
        .collect();
    let mut checkov_only: BTreeMap<&str, usize> = BTreeMap::new();
    for ((file, id), fails) in &failed {
        let Some(id) = listed.get(id.as_str()) else {
            continue;
        };
        let mine = made.get(&(file.clone(), id.to_string()));
        for c in fails {
            let covered = mine.is_some_and(|v| {
                v.iter().any(|(addr, near, line)| {
                    *addr == c.resource
                        || near.contains(&c.resource)
                        || (c.lines.0 <= *line && *line <= c.lines.1)
                })
            });
            if !covered {
                *checkov_only.entry(id).or_default() += 1;
                if std::env::var_os("MOAT_CHECKOV_VERBOSE").is_some() {
                    println!("  checkov only: {id} {} ({file})", c.resource);
                }
            }
        }
    }
    println!(
        "checkov-only failures of claimed IDs (not asserted): {}",
        checkov_only
            .iter()
            .map(|(id, n)| format!("{id}={n}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "moat claims Checkov equivalents that Checkov does not fail:\n{}",
        wrong.join("\n")
    );
    let stale: Vec<_> = ALLOWED
        .iter()
        .enumerate()
        .filter(|(i, _)| !allowed_used.contains(i))
        .map(|(_, a)| format!("{a:?}"))
        .collect();
    assert!(
        stale.is_empty(),
        "allowlist entries no longer needed:\n{}",
        stale.join("\n")
    );
}
