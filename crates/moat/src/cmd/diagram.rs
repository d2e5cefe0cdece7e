//! `moat diagram`: the architecture as Mermaid or Graphviz DOT: VPCs, subnets (public,
//! private or isolated as their routes make them), gateways, load balancers, workloads and
//! databases, the security-group edges that allow traffic (with ports), and the findings of
//! `moat scan` marked on the nodes they concern. The graph is the library's
//! (`moat_core::Workspace::diagram`); this module renders it.

use std::io::Write;
use std::path::PathBuf;

use moat_core::{DiagramOptions, FileConfig, Workspace};
use moat_net::diagram::{render_dot, render_mermaid};

use crate::error::CliError;

#[derive(Debug, clap::Args)]
pub struct DiagramArgs {
    /// Directory or file to analyse.
    pub path: PathBuf,
    /// Output format.
    #[arg(long, default_value = "mermaid", value_parser = ["mermaid", "dot"])]
    pub format: String,
    /// Do not run the rules and invariants (draw the architecture only).
    #[arg(long)]
    pub no_findings: bool,
    #[command(flatten)]
    pub input: crate::input::InputArgs,
}

pub fn run(args: DiagramArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32, CliError> {
    let paths = vec![args.path.clone()];
    let cfg = if args.no_findings {
        FileConfig::default()
    } else {
        FileConfig::discover(None, &paths)?
    };
    let load = args.input.load_options(moat_model::Limits::default())?;
    let ws = Workspace::load(&paths, &load)?;
    if ws.estates().next().is_none() {
        return Err(CliError::usage(format!(
            "nothing to draw: no Terraform, plan JSON or CloudFormation template found under `{}`",
            args.path.display()
        )));
    }
    if let Some(why) = ws.nothing_read() {
        return Err(CliError::usage(format!(
            "nothing to draw: {}",
            super::nothing_read_message(&ws, why, &args.path)
        )));
    }
    for x in ws.errors() {
        writeln!(
            err,
            "moat: warning: the diagram is incomplete: file `{}` could not be read{}: {}",
            x.file,
            if x.line > 0 {
                format!(" (line {})", x.line)
            } else {
                String::new()
            },
            x.message
        )?;
    }
    let d = ws.diagram(&DiagramOptions {
        findings: !args.no_findings,
        invariants: cfg.invariants,
    })?;
    let text = match args.format.as_str() {
        "dot" => render_dot(&d),
        _ => render_mermaid(&d),
    };
    out.write_all(text.as_bytes())?;
    Ok(0)
}
