//! What Terraform accepts, moat reads: `terraform validate` and moat side by side on a corpus
//! (issue 6, "valid input is accepted"). A file in a directory that `terraform validate`
//! accepts must not get a syntax or encoding error from moat.
//!
//! The corpus is `tests/fixtures/accepted/` (configurations written for this test: repeated
//! object keys, as in terraform-aws-modules' published examples, and other constructs that
//! strict parsers reject) plus, when `MOAT_TF_CORPUS` names them (`:`-separated), directories
//! of real module repositories: every directory below them that holds `.tf` files and whose
//! `terraform init` succeeds offline (only the AWS provider is in the local mirror) is
//! validated. `docs/RELIABILITY.md` records a run over terraform-aws-modules repositories.
//!
//! Needs `terraform` (or `MOAT_TERRAFORM`) and the provider mirror (`MOAT_TF_PLUGIN_MIRROR`,
//! default `/opt/tf-plugins`); without them it says so and passes without comparing, or fails
//! under `MOAT_REQUIRE_PEERS=1` (as in CI).

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::terraform_and_mirror;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let t = e.file_type().unwrap();
        if t.is_dir() {
            copy_dir(&e.path(), &to.join(&name));
        } else if t.is_file() {
            std::fs::copy(e.path(), to.join(&name)).unwrap();
        }
    }
}

/// Directories below `root` that hold `.tf` files (hidden ones skipped), sorted.
fn config_dirs(root: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(root) else {
        return;
    };
    let mut has_tf = false;
    let mut subdirs = Vec::new();
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue;
        }
        match e.file_type() {
            Ok(t) if t.is_dir() => subdirs.push(e.path()),
            Ok(t) if t.is_file() && name.ends_with(".tf") => has_tf = true,
            _ => {}
        }
    }
    if has_tf {
        out.push(root.to_path_buf());
    }
    subdirs.sort();
    for d in subdirs {
        config_dirs(&d, out);
    }
}

enum Verdict {
    Valid,
    Invalid,
    /// `terraform init` failed offline (another provider, a registry module).
    NotInitialised,
}

fn validate(tf: &Path, rc: &Path, dir: &Path) -> Verdict {
    let run = |args: &[&str]| {
        Command::new(tf)
            .args(args)
            .current_dir(dir)
            .env("TF_CLI_CONFIG_FILE", rc)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env_remove("TF_PLUGIN_CACHE_DIR")
            .output()
    };
    match run(&["init", "-input=false", "-no-color", "-backend=false"]) {
        Ok(o) if o.status.success() => {}
        _ => return Verdict::NotInitialised,
    }
    match run(&["validate", "-json", "-no-color"]) {
        Ok(o) => {
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
            if v["valid"] == serde_json::Value::Bool(true) {
                Verdict::Valid
            } else {
                Verdict::Invalid
            }
        }
        Err(_) => Verdict::NotInitialised,
    }
}

/// moat's errors that mean "this file was not read": syntax and encoding errors.
fn read_errors(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in moat_terraform::load(dir, &moat_terraform::Options::default()) {
        for x in &e.errors {
            // Only the directory's own files (a module elsewhere is validated on its own).
            if x.file.contains('/') {
                continue;
            }
            let m = &x.message;
            if m.starts_with("syntax error")
                || m.contains("not valid UTF-8")
                || m.contains("not UTF-8")
                || m.contains("looks binary")
                || m.starts_with("invalid JSON")
            {
                out.push(format!("{}:{}: {}", x.file, x.line, m));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn what_terraform_validate_accepts_moat_reads() {
    let Some((tf, mirror)) = terraform_and_mirror() else {
        return;
    };
    let mut roots: Vec<PathBuf> =
        vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/accepted")];
    if let Some(extra) = std::env::var_os("MOAT_TF_CORPUS") {
        roots.extend(std::env::split_paths(&extra));
    }
    let work = tempfile::tempdir().unwrap();
    let rc = work.path().join("cli.tfrc");
    std::fs::write(
        &rc,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
            mirror.display()
        ),
    )
    .unwrap();
    let (mut valid, mut invalid, mut skipped) = (0, 0, 0);
    let mut failures: Vec<String> = Vec::new();
    for (i, root) in roots.iter().enumerate() {
        // Validated in a copy: `terraform init` writes `.terraform` beside the files.
        let copy = work.path().join(format!("corpus{i}"));
        copy_dir(root, &copy);
        let mut dirs = Vec::new();
        config_dirs(&copy, &mut dirs);
        for d in dirs {
            let shown = format!(
                "{}/{}",
                root.display(),
                d.strip_prefix(&copy).unwrap_or(&d).display()
            );
            match validate(&tf, &rc, &d) {
                Verdict::Valid => {
                    valid += 1;
                    let errs = read_errors(&d);
                    if !errs.is_empty() {
                        failures.push(format!("{shown}: {}", errs.join("; ")));
                    }
                }
                Verdict::Invalid => invalid += 1,
                Verdict::NotInitialised => skipped += 1,
            }
        }
    }
    eprintln!(
        "terraform validate: {valid} valid directories compared, {invalid} invalid, {skipped} not initialised offline"
    );
    assert!(
        valid >= 3,
        "the committed corpus must be valid for terraform ({valid} valid)"
    );
    assert!(
        failures.is_empty(),
        "terraform accepts, moat rejects:\n{}",
        failures.join("\n")
    );
}
