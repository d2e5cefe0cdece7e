//! `moat reach`: can traffic get from a source to a destination, along which paths, or which
//! component blocks it (see issue 3 and CONTRACTS.md). The answer is the library's
//! (`moat_core::Workspace::reach`, the engine's verdict); this module renders it.

use std::io::Write;
use std::path::PathBuf;

use moat_core::{ReachQuery, Workspace};
use moat_model::aws::network::Protocol;
use moat_net::{PortSet, ReachResult, Verdict};

use crate::error::CliError;

#[derive(Debug, clap::Args)]
pub struct ReachArgs {
    /// Directory or file to analyse.
    pub path: PathBuf,
    /// Source: `internet`, a CIDR (`10.0.0.0/8`), or a resource name (instance, load
    /// balancer, database, subnet; a security group means any member).
    #[arg(long)]
    pub from: String,
    /// Destination: a resource name, a security group (any member), or, from a resource,
    /// `internet` or a CIDR outside the VPCs (outbound through an internet gateway, NAT
    /// gateway or egress-only internet gateway).
    #[arg(long)]
    pub to: String,
    /// Protocol.
    #[arg(long, default_value = "tcp", value_parser = ["tcp", "udp", "icmp", "all"])]
    pub protocol: String,
    /// Destination port (for a path through a load balancer: the listener port). Default:
    /// every port.
    #[arg(long)]
    pub port: Option<u16>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
    /// Exit 1 when the verdict differs.
    #[arg(long, value_parser = ["reachable", "blocked"])]
    pub expect: Option<String>,
    #[command(flatten)]
    pub input: crate::input::InputArgs,
}

fn protocol(s: &str) -> Protocol {
    Protocol::parse(s).unwrap_or(Protocol::Tcp)
}

pub fn run(args: ReachArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32, CliError> {
    let load = args.input.load_options(moat_model::Limits::default())?;
    let ws = Workspace::load(std::slice::from_ref(&args.path), &load)?;
    if let Some(why) = ws.nothing_read() {
        return Err(CliError::Usage(super::nothing_read_message(
            &ws, why, &args.path,
        )));
    }
    let query = ReachQuery {
        from: args.from.clone(),
        to: args.to.clone(),
        protocol: protocol(&args.protocol),
        ports: match args.port {
            Some(p) => PortSet::single(p),
            None => PortSet::all(),
        },
    };
    let answer = ws.reach(&query)?;
    for w in &answer.warnings {
        writeln!(err, "moat: warning: {}", moat_net::unread::describe(w))?;
    }
    let r = &answer.result;
    let port_text = args
        .port
        .map(|p| p.to_string())
        .unwrap_or_else(|| "all ports".into());
    if args.format == "json" {
        let v = to_json(r);
        serde_json::to_writer_pretty(&mut *out, &v)?;
        writeln!(out)?;
    } else {
        write_text(out, r, &args.from, &args.to, &args.protocol, &port_text)?;
    }
    let code = match args.expect.as_deref() {
        Some("reachable") if r.verdict != Verdict::Reachable => 1,
        Some("blocked") if r.verdict != Verdict::Blocked => 1,
        _ => 0,
    };
    Ok(code)
}

fn loc_json(l: &Option<moat_model::Loc>) -> (serde_json::Value, serde_json::Value) {
    match l {
        Some(l) => (
            serde_json::Value::from(l.file.to_string()),
            serde_json::Value::from(l.line),
        ),
        None => (serde_json::Value::Null, serde_json::Value::from(0)),
    }
}

/// The contract JSON of a result.
pub fn to_json(r: &ReachResult) -> serde_json::Value {
    let paths: Vec<serde_json::Value> = r
        .paths
        .iter()
        .map(|p| {
            let hops: Vec<serde_json::Value> = p
                .hops
                .iter()
                .map(|h| {
                    let (file, line) = loc_json(&h.loc);
                    serde_json::json!({"resource": h.resource, "kind": h.kind, "detail": h.detail, "file": file, "line": line})
                })
                .collect();
            serde_json::json!({
                "hops": hops,
                "ports": p.ports.to_string(),
                "via": p.via,
                "destination": p.dest,
                "sources": p.sources.as_ref().map(|s| s.to_string()),
            })
        })
        .collect();
    let blocked = r.blocked.as_ref().map(|b| {
        let (file, line) = loc_json(&b.loc);
        serde_json::json!({"resource": b.resource, "kind": b.kind, "code": b.code, "reason": b.reason, "file": file, "line": line})
    });
    serde_json::json!({
        "verdict": r.verdict.as_str(),
        "paths": paths,
        "blocked": blocked,
        "unknowns": r.unknowns,
    })
}

fn write_text(
    out: &mut dyn Write,
    r: &ReachResult,
    from: &str,
    to: &str,
    proto: &str,
    port: &str,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{}: {from} -> {to} ({proto} {port})",
        r.verdict.as_str()
    )?;
    for (i, p) in r.paths.iter().enumerate() {
        let via = p
            .via
            .as_deref()
            .map(|v| format!(" via {v}"))
            .unwrap_or_else(|| " direct".into());
        writeln!(
            out,
            "\npath {}{via} to {}, ports {}:",
            i + 1,
            p.dest,
            p.ports
        )?;
        // The default NACL admits everything and cites nothing: leave it out of the listing.
        let hops = p
            .hops
            .iter()
            .filter(|h| !(h.kind == "nacl" && h.loc.is_none()));
        for (k, h) in hops.enumerate() {
            let at = h
                .loc
                .as_ref()
                .map(|l| format!("  ({l})"))
                .unwrap_or_default();
            writeln!(
                out,
                "  {:>2}. {:<15} {}: {}{at}",
                k + 1,
                h.kind,
                h.resource,
                h.detail
            )?;
        }
    }
    if let Some(b) = &r.blocked {
        let at = b
            .loc
            .as_ref()
            .map(|l| format!(" at {l}"))
            .unwrap_or_default();
        if r.verdict == Verdict::Unknown {
            writeln!(
                out,
                "\nunless an unknown value below admits it, stopped at {} `{}`{at} [{}]",
                b.kind, b.resource, b.code
            )?;
        } else {
            writeln!(
                out,
                "\nblocked by {} `{}`{at} [{}]",
                b.kind, b.resource, b.code
            )?;
        }
        writeln!(out, "  {}", b.reason)?;
    }
    if !r.unknowns.is_empty() {
        writeln!(out, "\nunknown values that can change the verdict:")?;
        for u in &r.unknowns {
            writeln!(out, "  - {u}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
pub(crate) mod tests {
    use super::*;

    const QA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../moat-net/tests/fixtures/qa");

    /// A scenario of the QA fixtures (shared network + its files) in a temporary directory.
    pub(crate) fn qa_dir(name: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let qa = std::path::Path::new(QA);
        std::fs::copy(qa.join("network.tf"), dir.path().join("network.tf")).unwrap();
        for f in std::fs::read_dir(qa.join(name)).unwrap() {
            let f = f.unwrap();
            std::fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
        }
        dir
    }

    fn args(path: &std::path::Path, from: &str, to: &str, format: &str) -> ReachArgs {
        ReachArgs {
            path: path.to_path_buf(),
            from: from.into(),
            to: to.into(),
            protocol: "tcp".into(),
            port: Some(443),
            format: format.into(),
            expect: Some("blocked".into()),
            input: crate::input::InputArgs::default(),
        }
    }

    /// QA item 1: the rule that admits the ALB sits in a file with a syntax error. Without
    /// it the path is blocked, but the verdict must be `unknown` naming the file and line, and
    /// `--expect blocked` must fail.
    #[test]
    fn reach_with_a_file_that_failed_to_parse_is_unknown() {
        let dir = qa_dir("r04_broken_rule");
        let mut out = Vec::new();
        let code = run(
            args(dir.path(), "internet", "aws_instance.app", "json"),
            &mut out,
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(code, 1, "--expect blocked must not pass");
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["verdict"], "unknown");
        let unknowns: Vec<&str> = v["unknowns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u.as_str().unwrap())
            .collect();
        assert_eq!(unknowns.len(), 1, "{unknowns:?}");
        assert!(
            unknowns[0].starts_with("file `extra_rules.tf` could not be read (line 7)"),
            "{unknowns:?}"
        );
        // The text says what would stop it, not "blocked by".
        let mut out = Vec::new();
        run(
            args(dir.path(), "internet", "aws_instance.app", "text"),
            &mut out,
            &mut Vec::new(),
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("unknown: "), "{text}");
        assert!(!text.contains("blocked by"), "{text}");
        assert!(text.contains("extra_rules.tf"), "{text}");
    }

    /// QA item 13: nothing could be read (every file broken, or no file): exit 2.
    #[test]
    fn reach_when_nothing_could_be_read_is_a_usage_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("broken.tf"), "resource \"x\" {\n  a = [\n").unwrap();
        let err = run(
            args(dir.path(), "internet", "aws_instance.app", "text"),
            &mut Vec::new(),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(
            matches!(&err, CliError::Usage(m) if m.starts_with("no file could be read") && m.contains("broken.tf")),
            "{err}"
        );
        let empty = tempfile::tempdir().unwrap();
        let err = run(
            args(empty.path(), "internet", "aws_instance.app", "text"),
            &mut Vec::new(),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(
            matches!(&err, CliError::Usage(m) if m.starts_with("no file to analyse")),
            "{err}"
        );
    }

    /// QA item 14: usage errors say which end is wrong, and that a CIDR is invalid.
    #[test]
    fn usage_errors_name_the_bad_end() {
        let dir = qa_dir("s04_alb_egress");
        let err = run(
            args(dir.path(), "internet", "aws_instance.nope", "text"),
            &mut Vec::new(),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(
            matches!(&err, CliError::Usage(m) if m.starts_with("`aws_instance.nope` is not a resource")),
            "{err}"
        );
        let err = run(
            args(dir.path(), "10.0.0.0/33", "aws_lb.web", "text"),
            &mut Vec::new(),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(
            matches!(&err, CliError::Usage(m) if m.starts_with("`--from 10.0.0.0/33` is not a valid CIDR")),
            "{err}"
        );
    }
}
