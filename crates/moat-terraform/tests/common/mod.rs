//! Helpers shared by the tests that run Terraform itself (`plan_diff`, `validate_corpus`).

use std::path::PathBuf;
use std::process::{Command, Stdio};

#[path = "../../../../tests/support/peers.rs"]
mod peers;
pub use peers::missing_peer;

/// How to get Terraform and the provider mirror: not from a package registry.
const TERRAFORM_INSTALL: &str = "terraform and its AWS provider mirror come with this kind of \
     machine (/usr/local/bin/terraform, /opt/tf-plugins); elsewhere install Terraform and an \
     unpacked provider filesystem mirror holding hashicorp/aws, and set MOAT_TERRAFORM and \
     MOAT_TF_PLUGIN_MIRROR";

/// `terraform` (or `MOAT_TERRAFORM`), when it runs.
fn terraform_bin() -> Option<PathBuf> {
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
fn plugin_mirror() -> Option<PathBuf> {
    let p = std::env::var_os("MOAT_TF_PLUGIN_MIRROR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/tf-plugins"));
    p.join("registry.terraform.io/hashicorp/aws")
        .is_dir()
        .then_some(p)
}

/// `(terraform, provider mirror)`, or `None` after [`missing_peer`] said which is missing (which
/// fails the test under `MOAT_REQUIRE_PEERS=1`).
#[track_caller]
pub fn terraform_and_mirror() -> Option<(PathBuf, PathBuf)> {
    let Some(tf) = terraform_bin() else {
        missing_peer(
            "`terraform` (MOAT_TERRAFORM, else PATH) does not run",
            TERRAFORM_INSTALL,
        );
        return None;
    };
    let Some(mirror) = plugin_mirror() else {
        missing_peer(
            "the AWS provider mirror (MOAT_TF_PLUGIN_MIRROR, default /opt/tf-plugins, must hold \
             registry.terraform.io/hashicorp/aws)",
            TERRAFORM_INSTALL,
        );
        return None;
    };
    Some((tf, mirror))
}
