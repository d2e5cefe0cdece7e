//! Helpers shared by the tests that run Terraform itself (`plan_diff`, `validate_corpus`).

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// `terraform` (or `MOAT_TERRAFORM`), when it runs.
pub fn terraform_bin() -> Option<PathBuf> {
    let bin = std::env::var_os("MOAT_TERRAFORM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("terraform"));
    let ok = Command::new(&bin)
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(bin)
}

/// The unpacked provider mirror (`MOAT_TF_PLUGIN_MIRROR`, default `/opt/tf-plugins`) holding
/// the AWS provider, when present.
pub fn plugin_mirror() -> Option<PathBuf> {
    let p = std::env::var_os("MOAT_TF_PLUGIN_MIRROR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/tf-plugins"));
    p.join("registry.terraform.io/hashicorp/aws")
        .is_dir()
        .then_some(p)
}
