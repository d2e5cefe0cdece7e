//! `moat diagram`: the architecture as Mermaid or Graphviz DOT: VPCs, subnets (public,
//! private or isolated as their routes make them), gateways, load balancers, workloads and
//! databases, the security-group edges that allow traffic (with ports), and the findings of
//! `moat scan` marked on the nodes they concern.

use std::io::Write;
use std::path::PathBuf;

use moat_model::{Finding, Status};
use moat_net::diagram::{build, render_dot, render_mermaid, Diagram};

use crate::config::FileConfig;
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
    pub input: crate::load::InputArgs,
}

pub fn run(args: DiagramArgs, out: &mut dyn Write) -> Result<i32, CliError> {
    let paths = vec![args.path.clone()];
    let cfg = if args.no_findings {
        FileConfig::default()
    } else {
        FileConfig::discover(None, &paths)?
    };
    let estates = crate::load::load_estates(&paths, &args.input)?;
    if estates.is_empty() {
        return Err(CliError::usage(format!(
            "nothing to draw: no Terraform found under `{}`",
            args.path.display()
        )));
    }
    if let Some(why) = crate::load::nothing_read(&estates, &args.path) {
        return Err(CliError::usage(format!("nothing to draw: {why}")));
    }
    for x in crate::load::load_errors(&estates) {
        eprintln!(
            "moat: warning: the diagram is incomplete: file `{}` could not be read{}: {}",
            x.file,
            if x.line > 0 {
                format!(" (line {})", x.line)
            } else {
                String::new()
            },
            x.message
        );
    }
    let mut d = Diagram::default();
    for estate in &estates {
        let net = &estate.aws.network;
        let findings: Vec<Finding> = if args.no_findings {
            Vec::new()
        } else {
            let declared = moat_rules::Declared {
                invariants: &cfg.invariants,
            };
            let mut all = moat_rules::check_with(estate, &declared);
            all.retain(|f| f.status == Status::Fail);
            all
        };
        let one = build(net, estate, &findings);
        // Several roots: keep equal addresses of different roots apart.
        if estates.len() > 1 {
            d.merge(one.prefixed(&crate::cmd::reach::root_label(estate)));
        } else {
            d.merge(one);
        }
    }
    let text = match args.format.as_str() {
        "dot" => render_dot(&d),
        _ => render_mermaid(&d),
    };
    out.write_all(text.as_bytes())?;
    Ok(0)
}
