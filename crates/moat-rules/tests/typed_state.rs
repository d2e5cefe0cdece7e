//! Rules read only the typed AWS state (`ctx.aws()`): no rule may name a frontend's resource
//! type (`"aws_instance"`, `"AWS::EC2::Instance"`, nor a backticked one inside a message),
//! look resources up by type, or read raw attributes or source text; a message takes such
//! words from the adapter's vocabulary, `ctx.aws().terms`. That is what lets one rule run on
//! every frontend.
//!
//! The check reads the rule sources with their documentation (raw strings `r#"..."#`, which
//! show Terraform examples) removed. `ALLOWED` lists the files not converted yet; it must only
//! shrink, and a listed file that no longer needs it fails the test too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

/// What a rule must not contain, with the reason shown on failure.
const FORBIDDEN: &[(&str, &str)] = &[
    ("\"aws_", "a Terraform resource type"),
    ("\"AWS::", "a CloudFormation resource type"),
    (
        "`aws_",
        "a Terraform resource type in a message (take it from `ctx.aws().terms`)",
    ),
    (
        "`AWS::",
        "a CloudFormation resource type in a message (take it from `ctx.aws().terms`)",
    ),
    ("of_type(", "a lookup by frontend resource type"),
    ("of_types(", "a lookup by frontend resource type"),
    (".attrs", "raw attributes"),
    (".blocks(", "raw nested blocks"),
    (".str_attr(", "raw attributes"),
    ("source_line(", "source text"),
    (".rtype", "the frontend's resource type"),
    ("ctx.estate", "the untyped estate"),
    (".get(\"", "a raw attribute looked up by name"),
    ("views::", "the untyped views that the typed state replaces"),
    ("s3_buckets()", "the untyped S3 view"),
    ("ctx.policies()", "the untyped policy view"),
];

/// Files that still read the untyped estate (to be converted; the list only shrinks).
const ALLOWED: &[&str] = &[];

/// Files that are not rules: the generated-docs renderer and test modules.
const NOT_RULES: &[&str] = &["docs.rs", "network/tests.rs"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The source without raw strings (`r#"..."#`) and without `#[cfg(test)]` modules.
fn code_only(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("r#\"") {
        out.push_str(&rest[..i]);
        match rest[i + 3..].find("\"#") {
            Some(j) => rest = &rest[i + 3 + j + 2..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    match out.find("#[cfg(test)]") {
        Some(i) => out[..i].to_string(),
        None => out,
    }
}

fn offences(text: &str) -> Vec<String> {
    let code = code_only(text);
    let mut v = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let l = line.trim_start();
        if l.starts_with("//") {
            continue;
        }
        for (pat, why) in FORBIDDEN {
            if line.contains(pat) {
                v.push(format!("line {}: `{pat}` ({why})", n + 1));
            }
        }
    }
    v
}

#[test]
fn rules_read_only_the_typed_state() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut bad = Vec::new();
    let mut stale = Vec::new();
    for f in &files {
        let rel = f
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if NOT_RULES.contains(&rel.as_str()) {
            continue;
        }
        let found = offences(&std::fs::read_to_string(f).unwrap());
        let allowed = ALLOWED.contains(&rel.as_str());
        if !found.is_empty() && !allowed {
            bad.push(format!("{rel}: {}", found.join(", ")));
        }
        if found.is_empty() && allowed {
            stale.push(rel);
        }
    }
    assert!(
        bad.is_empty(),
        "rules must read `ctx.aws()` only (the typed state); add the missing fields to \
         `moat_model::aws` and the frontend adapters instead:\n{}",
        bad.join("\n")
    );
    assert!(
        stale.is_empty(),
        "these files read only the typed state now; remove them from ALLOWED: {stale:?}"
    );
}

#[test]
fn the_check_sees_what_it_forbids() {
    assert!(!offences("fn check() { ctx.of_type(\"aws_instance\") }").is_empty());
    // A resource type named inside a message, not only as a whole literal.
    assert!(!offences("out.fail(r, &r.loc, \"declares no `aws_guardduty_detector`\")").is_empty());
    assert!(!offences("let m = \"no `aws_flow_log` has `{}`\";").is_empty());
    assert!(!offences("let m = \"declares no `AWS::GuardDuty::Detector`\";").is_empty());
    // The word taken from the adapter's vocabulary passes.
    assert!(
        offences("format!(\"declares no `{}`\", ctx.aws().terms.guardduty_detector)").is_empty()
    );
    assert!(offences("const DOC: &str = r#\"resource \"aws_instance\" \"a\" {}\"#;").is_empty());
    assert!(offences("// mentions \"aws_instance\" in a comment").is_empty());
}
