//! One module per subcommand. Each has an `Args` struct (clap derive) and
//! `run(args, out, ...) -> Result<i32, CliError>` returning the exit code: it validates the
//! flags, calls the library (`moat_core`) and renders what comes back.

use std::path::Path;

use moat_core::{NothingRead, Workspace};

pub mod diagram;
pub mod exposure;
pub mod iam;
pub mod reach;
pub mod rules;
pub mod scan;

/// Why `reach`, `exposure` and `diagram` have nothing to answer about under `path` (exit 2).
pub(crate) fn nothing_read_message(ws: &Workspace, why: NothingRead, path: &Path) -> String {
    match why {
        NothingRead::NoFile => format!(
            "no file to analyse (Terraform `.tf`, `.tf.json`, a Terraform plan JSON, a CloudFormation template) was found under `{}`",
            path.display()
        ),
        NothingRead::Unreadable => {
            let list: Vec<String> = ws
                .errors()
                .iter()
                .map(|e| format!("{}:{}: {}", e.file, e.line, e.message))
                .collect();
            format!(
                "no file could be read under `{}` ({} errors: {})",
                path.display(),
                ws.errors().len(),
                list.join("; ")
            )
        }
        NothingRead::NothingChecked => {
            let unread: Vec<String> = ws
                .unchecked()
                .iter()
                .map(|u| {
                    let m = &u.module;
                    let src = m.source.as_deref().unwrap_or("?");
                    if m.not_downloaded {
                        format!(
                            "module `{}` (`{src}`) at {}:{} was not downloaded (run `terraform init`)",
                            m.name, m.file, m.line
                        )
                    } else {
                        format!(
                            "module `{}` (`{src}`) at {}:{} could not be read: {}",
                            m.name, m.file, m.line, m.reason
                        )
                    }
                })
                .collect();
            format!(
                "nothing could be checked under `{}`: no resource was read, because {}",
                path.display(),
                unread.join("; ")
            )
        }
    }
}
