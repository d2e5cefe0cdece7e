//! `moat exposure`: everything the internet can reach, on which ports, directly or through
//! which load balancer (see issue 3 and CONTRACTS.md).

use std::io::Write;
use std::path::PathBuf;

use moat_model::views::net::Network;

use crate::error::CliError;

#[derive(Debug, clap::Args)]
pub struct ExposureArgs {
    /// Directory or file to analyse.
    pub path: PathBuf,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
    #[command(flatten)]
    pub input: crate::load::InputArgs,
}

pub fn run(args: ExposureArgs, out: &mut dyn Write) -> Result<i32, CliError> {
    let estates = crate::load::load_estates(std::slice::from_ref(&args.path), &args.input)?;
    let mut all = Vec::new();
    for e in &estates {
        let net = Network::from_estate(e);
        all.extend(moat_net::exposure(&net, e));
    }
    all.sort();
    all.dedup();
    if args.format == "json" {
        let v: Vec<serde_json::Value> = all
            .iter()
            .map(|x| serde_json::json!({"resource": x.resource, "protocol": x.protocol, "ports": x.ports, "sources": x.sources, "via": x.via}))
            .collect();
        serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "exposures": v }))
            .map_err(|e| CliError::Usage(e.to_string()))?;
        writeln!(out)?;
        return Ok(0);
    }
    if all.is_empty() {
        writeln!(out, "nothing is reachable from the internet")?;
        return Ok(0);
    }
    for x in &all {
        let via = if x.via.is_empty() {
            "directly".to_string()
        } else {
            format!("via {}", x.via.join(", "))
        };
        writeln!(
            out,
            "{} {} {} from {} {via}",
            x.resource,
            x.protocol,
            x.ports,
            x.sources.join(",")
        )?;
    }
    Ok(0)
}
