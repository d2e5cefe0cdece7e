//! `moat iam simulate` and `moat iam who-can` (CONTRACTS.md): AWS's policy evaluation over
//! standalone requests or over the principals and resources of the scanned IaC. The decisions
//! are the library's (`moat_iam`); this module validates flags and renders.

use std::io::Write;
use std::path::PathBuf;

use moat_core::iam::{IamOptions, IamView};
use moat_core::Workspace;
use moat_iam::condition::RequestContext;
use moat_iam::eval::{Decision, DecisionKind};
use moat_iam::simulate::{decision_json, Request};
use serde_json::{json, Value};

use crate::error::CliError;

#[derive(Debug, clap::Args)]
pub struct IamArgs {
    #[command(subcommand)]
    pub command: IamCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum IamCommand {
    /// Decide requests as AWS would: standalone (`--input FILE`) or for a principal of the
    /// scanned IaC (`PATH --principal NAME --action A --resource ARN`).
    Simulate(SimulateArgs),
    /// Every principal of the scanned IaC and whether it can do ACTION on RESOURCE, directly
    /// or through a chain of roles.
    WhoCan(WhoCanArgs),
}

/// What both subcommands accept about the request and the estate.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RequestArgs {
    /// The action (`s3:GetObject`).
    #[arg(long)]
    pub action: Option<String>,
    /// The resource ARN (`arn:aws:s3:::reports/q1.csv`; `*` for actions without a resource).
    #[arg(long)]
    pub resource: Option<String>,
    /// A request context key (`--context aws:SourceIp=10.1.2.3`); repeat a key for a
    /// multi-valued key. Keys not given are unknown when answering from IaC.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// The scanned account's ID. Without it, whether a literal account ID in a policy is the
    /// scanned account is unknown.
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// An SCP level: a file with one policy or a JSON array of policies. Repeat from the
    /// organisation root down to the account; every level must allow.
    #[arg(long = "scp", value_name = "FILE")]
    pub scps: Vec<PathBuf>,
    /// An RCP level, like `--scp`, for the resources' account.
    #[arg(long = "rcp", value_name = "FILE")]
    pub rcps: Vec<PathBuf>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
    #[command(flatten)]
    pub input: crate::input::InputArgs,
}

#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// Directory or file of IaC whose principal is simulated (with `--principal`).
    pub path: Option<PathBuf>,
    /// A JSON file holding one request or an array of requests (CONTRACTS.md).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["path", "principal"])]
    pub input: Option<PathBuf>,
    /// The principal of the scanned IaC (`aws_iam_role.app`, its name, or its ARN).
    #[arg(long)]
    pub principal: Option<String>,
    /// Exit 1 unless every decision is this one (`allow`, `deny` for either denial,
    /// `explicit_deny`, `implicit_deny`, `unknown`).
    #[arg(long, value_parser = ["allow", "deny", "explicit_deny", "implicit_deny", "unknown"])]
    pub expect: Option<String>,
    #[command(flatten)]
    pub request: RequestArgs,
}

#[derive(Debug, clap::Args)]
pub struct WhoCanArgs {
    /// Directory or file of IaC to analyse.
    pub path: PathBuf,
    #[command(flatten)]
    pub request: RequestArgs,
}

pub fn run(args: IamArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32, CliError> {
    match args.command {
        IamCommand::Simulate(a) => simulate(a, out, err),
        IamCommand::WhoCan(a) => who_can(a, out, err),
    }
}

/// Whether a decision is the expected one. `deny` holds for either denial, and for an unknown
/// decision whose every possible outcome is a denial.
fn expect_holds(expect: &str, d: &Decision) -> bool {
    let is_deny =
        |k: DecisionKind| matches!(k, DecisionKind::ExplicitDeny | DecisionKind::ImplicitDeny);
    match expect {
        "deny" if d.kind == DecisionKind::Unknown => d.possible.iter().all(|k| is_deny(*k)),
        "deny" => is_deny(d.kind),
        other => other == d.kind.as_str(),
    }
}

/// Parse `--context` pairs into an open (IaC) or closed (standalone) context.
fn context(pairs: &[String], open: bool) -> Result<RequestContext, CliError> {
    let mut grouped: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for p in pairs {
        match p.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => grouped
                .entry(k.trim().to_string())
                .or_default()
                .push(v.to_string()),
            _ => {
                return Err(CliError::usage(format!(
                    "invalid `--context {p}`: expected `KEY=VALUE`"
                )))
            }
        }
    }
    let mut ctx = if open {
        RequestContext::open()
    } else {
        RequestContext::new()
    };
    for (k, vs) in &grouped {
        let refs: Vec<&str> = vs.iter().map(String::as_str).collect();
        ctx.set_multi(k, &refs);
    }
    Ok(ctx)
}

fn required<'a>(v: &'a Option<String>, flag: &str, cmd: &str) -> Result<&'a str, CliError> {
    v.as_deref().ok_or_else(|| {
        CliError::usage_help(
            format!("`moat iam {cmd}` needs `{flag}`"),
            "moat iam who-can PATH --action s3:GetObject --resource arn:aws:s3:::bucket/key",
        )
    })
}

fn simulate(args: SimulateArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32, CliError> {
    let r = &args.request;
    if let Some(file) = &args.input {
        if r.action.is_some() || r.resource.is_some() || !r.context.is_empty() {
            return Err(CliError::usage(
                "`--input` holds whole requests: `--action`, `--resource` and `--context` go in the file",
            ));
        }
        let text = std::fs::read_to_string(file)
            .map_err(|e| CliError::usage(format!("cannot read `{}`: {e}", file.display())))?;
        let json: Value = serde_json::from_str(&text).map_err(|e| {
            CliError::usage(format!(
                "`{}` is not JSON (line {}, column {}): {e}",
                file.display(),
                e.line(),
                e.column()
            ))
        })?;
        let items: Vec<&Value> = match &json {
            Value::Array(a) => a.iter().collect(),
            v => vec![v],
        };
        let mut decisions = Vec::new();
        let mut warned = std::collections::BTreeSet::new();
        for (i, v) in items.iter().enumerate() {
            let req = Request::from_json(i, v)
                .map_err(|e| CliError::usage(format!("`{}`: {e}", file.display())))?;
            if warned.insert(req.action.clone()) {
                warn_unknown_action(err, &req.action)?;
            }
            warn_resource_type(err, &req.action, &req.resource)?;
            decisions.push(req.evaluate());
        }
        let many = matches!(json, Value::Array(_));
        if r.format == "json" {
            let v: Vec<Value> = decisions.iter().map(decision_json).collect();
            let v = if many {
                Value::Array(v)
            } else {
                v.into_iter().next().unwrap_or(Value::Null)
            };
            serde_json::to_writer_pretty(&mut *out, &v)?;
            writeln!(out)?;
        } else {
            for (i, d) in decisions.iter().enumerate() {
                let label = if many {
                    format!("request {i}: ")
                } else {
                    String::new()
                };
                write_decision(out, &label, d)?;
            }
        }
        return Ok(expect_code(args.expect.as_deref(), &decisions));
    }
    let Some(path) = &args.path else {
        return Err(CliError::usage_help(
            "`moat iam simulate` needs `--input FILE`, or a PATH with `--principal`",
            "moat iam simulate --input request.json, or moat iam simulate infra/ --principal aws_iam_role.app --action s3:GetObject --resource arn:aws:s3:::b/k",
        ));
    };
    let principal = required(&args.principal, "--principal", "simulate")?;
    let action = required(&r.action, "--action", "simulate")?;
    let resource = required(&r.resource, "--resource", "simulate")?;
    let ctx = context(&r.context, true)?;
    warn_unknown_action(err, action)?;
    warn_resource_type(err, action, resource)?;
    let views = load(path, r, err)?;
    let mut found = Vec::new();
    for v in &views {
        if let Some(i) = v.estate.find_principal(principal) {
            if let Some(d) = v.estate.simulate(i, action, resource, &ctx) {
                found.push((v, i, d));
            }
        }
    }
    if found.is_empty() {
        let mut known: Vec<&str> = views
            .iter()
            .flat_map(|v| v.estate.principals.iter().map(|p| p.address.as_str()))
            .collect();
        known.sort_unstable();
        known.truncate(20);
        return Err(CliError::usage_help(
            format!("no principal `{principal}` in `{}`", path.display()),
            if known.is_empty() {
                "the scanned files declare no IAM role or user".to_string()
            } else {
                format!("principals: {}", known.join(", "))
            },
        ));
    }
    let decisions: Vec<Decision> = found.iter().map(|(_, _, d)| d.clone()).collect();
    if r.format == "json" {
        let items: Vec<Value> = found
            .iter()
            .map(|(v, i, d)| principal_json(v, *i, d))
            .collect();
        let v = if items.len() == 1 {
            items.into_iter().next().unwrap_or(Value::Null)
        } else {
            Value::Array(items)
        };
        serde_json::to_writer_pretty(&mut *out, &v)?;
        writeln!(out)?;
    } else {
        for (v, i, d) in &found {
            let name = principal_label(v, *i);
            write_decision(out, &format!("{name}: "), d)?;
        }
    }
    Ok(expect_code(args.expect.as_deref(), &decisions))
}

fn expect_code(expect: Option<&str>, decisions: &[Decision]) -> i32 {
    match expect {
        Some(e) if !decisions.iter().all(|d| expect_holds(e, d)) => 1,
        _ => 0,
    }
}

fn load(
    path: &std::path::Path,
    r: &RequestArgs,
    err: &mut dyn Write,
) -> Result<Vec<IamView>, CliError> {
    let load = r.input.load_options(moat_model::Limits::default())?;
    let ws = Workspace::load(std::slice::from_ref(&path.to_path_buf()), &load)?;
    if let Some(why) = ws.nothing_read() {
        return Err(CliError::Usage(super::nothing_read_message(&ws, why, path)));
    }
    for e in ws.errors() {
        writeln!(
            err,
            "moat: warning: {}:{}: {} (its policies are not analysed)",
            e.file, e.line, e.message
        )?;
    }
    let opts = IamOptions {
        account: r.account.clone(),
        scp_files: r.scps.clone(),
        rcp_files: r.rcps.clone(),
    };
    Ok(ws.iam(&opts)?)
}

fn principal_label(v: &IamView, i: usize) -> String {
    let addr = v
        .estate
        .principals
        .get(i)
        .map(|p| p.address.as_str())
        .unwrap_or("?");
    if v.root == "." {
        addr.to_string()
    } else {
        format!("{}/{addr}", v.root)
    }
}

fn principal_json(v: &IamView, i: usize, d: &Decision) -> Value {
    let mut j = decision_json(d);
    if let Some(map) = j.as_object_mut() {
        map.insert(
            "principal".into(),
            json!(v.estate.principals.get(i).map(|p| p.address.as_str())),
        );
        if let Some(p) = v.estate.principals.get(i) {
            map.insert("arn".into(), json!(p.arn));
        }
        if v.root != "." {
            map.insert("root".into(), json!(v.root));
        }
    }
    j
}

/// Warn about an action AWS does not have (a typo decides nothing: no statement matches it),
/// as Access Analyzer's policy validation does; an action newer than the embedded data is
/// possible, so it is a warning, not an error.
fn warn_unknown_action(err: &mut dyn Write, action: &str) -> Result<(), CliError> {
    use moat_iam::data::{action_existence, ActionExistence};
    let (prefix, _) = action.split_once(':').unwrap_or((action, ""));
    match action_existence(action) {
        ActionExistence::Exists => {}
        ActionExistence::NoSuchAction => writeln!(
            err,
            "moat: warning: `{action}` is not an action of `{prefix}` in AWS's service authorization data (a typo, or an action newer than moat's data)"
        )?,
        ActionExistence::UnknownService => writeln!(
            err,
            "moat: warning: `{prefix}` is not a service prefix in AWS's service authorization data (a typo, or a service newer than moat's data)"
        )?,
    }
    Ok(())
}

/// Warn when the resource is not of a type the action acts on (the request AWS would build
/// does not look like this one), from the embedded service authorization data. Approximate
/// (ARN formats matched with placeholders), so a warning, never an error.
fn warn_resource_type(err: &mut dyn Write, action: &str, resource: &str) -> Result<(), CliError> {
    let Some(info) = moat_iam::data::action_info(action) else {
        return Ok(());
    };
    let prefix = action.split_once(':').map(|(p, _)| p).unwrap_or(action);
    if info.resource_types.is_empty() {
        if resource != "*" {
            writeln!(
                err,
                "moat: warning: `{action}` acts on no resource type (AWS evaluates it against `Resource: *`), not on `{resource}`"
            )?;
        }
        return Ok(());
    }
    if resource == "*" || !resource.starts_with("arn:") {
        return Ok(());
    }
    let service = resource.split(':').nth(2).unwrap_or("");
    let types = moat_iam::data::resource_types_for_arn(service, resource);
    if types.is_empty() {
        // Another service's resource, or a format the data does not describe: say nothing
        // unless the service differs from the action's (condition keys of another service
        // would not be in the request either).
        return Ok(());
    }
    let fits = info.resource_types.iter().any(|t| types.contains(&t.name));
    if !fits && service.eq_ignore_ascii_case(prefix) {
        let wanted: Vec<&str> = info.resource_types.iter().map(|t| t.name).collect();
        writeln!(
            err,
            "moat: warning: `{resource}` is a {} ({service}), but `{action}` acts on {}",
            types.join(" or "),
            wanted.join(", ")
        )?;
    }
    Ok(())
}

/// One decision in text: the verdict, then the statements that decided it (or what is
/// missing, or what is unknown).
fn write_decision(out: &mut dyn Write, label: &str, d: &Decision) -> Result<(), CliError> {
    let denied_either_way = d.kind == DecisionKind::Unknown
        && !d.possible.is_empty()
        && !d.possible.contains(&DecisionKind::Allow);
    if denied_either_way {
        writeln!(out, "{label}deny (explicit or implicit: unknown)")?;
    } else {
        writeln!(out, "{label}{}", d.kind.as_str())?;
    }
    for r in &d.reasons {
        let sid = r
            .sid
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        let at = r
            .loc
            .as_ref()
            .map(|l| format!(" at {}:{}", l.file, l.line))
            .unwrap_or_default();
        let effect = match r.effect {
            moat_iam::policy::Effect::Allow => "Allow",
            moat_iam::policy::Effect::Deny => "Deny",
        };
        writeln!(
            out,
            "  {effect} by {} {} statement {}{sid}{at}",
            r.layer.as_str().replace('_', " "),
            r.policy,
            r.statement
        )?;
    }
    if !d.missing.is_empty() {
        writeln!(out, "  no statement allows in: {}", d.missing.join(", "))?;
    }
    if d.kind == DecisionKind::Unknown {
        let possible: Vec<&str> = d.possible.iter().map(|k| k.as_str()).collect();
        writeln!(out, "  could be: {}", possible.join(" or "))?;
        for u in &d.unknowns {
            writeln!(out, "  depends on: {u}")?;
        }
    }
    Ok(())
}

/// One principal's row in `who-can`: its own decision and, when that does not allow, the chain
/// through the principal graph to a principal whose decision does.
struct Row {
    label: String,
    json: Value,
    decision: Decision,
    /// The answer with the graph (`allow` through a chain, `unknown`, or the own decision).
    status: DecisionKind,
    chain: Vec<String>,
}

fn who_can(args: WhoCanArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32, CliError> {
    let r = &args.request;
    let action = required(&r.action, "--action", "who-can")?;
    let resource = required(&r.resource, "--resource", "who-can")?;
    let ctx = context(&r.context, true)?;
    warn_unknown_action(err, action)?;
    warn_resource_type(err, action, resource)?;
    let views = load(&args.path, r, err)?;
    let mut rows: Vec<Row> = Vec::new();
    for v in &views {
        let name = |i: usize| {
            v.estate
                .principals
                .get(i)
                .map(|p| p.address.clone())
                .unwrap_or_else(|| "?".into())
        };
        for a in v.estate.who_can_transitive(action, resource, &ctx) {
            let label = principal_label(v, a.principal);
            let mut j = principal_json(v, a.principal, &a.decision);
            let mut chain = Vec::new();
            if let Some(c) = &a.chain {
                let steps: Vec<Value> = c
                    .edges
                    .iter()
                    .map(|e| {
                        let from = e.from_principal().map(&name).unwrap_or_default();
                        let to = e.to_principal().map(&name).unwrap_or_default();
                        let mut step = json!({
                            "from": from,
                            "to": to,
                            "method": e.method,
                            "status": e.status.as_str(),
                        });
                        if let (Some(svc), Some(m)) = (e.service, step.as_object_mut()) {
                            m.insert("service".into(), json!(svc));
                        }
                        chain.push(format!("{from} -[{}]-> {to}", e.method));
                        step
                    })
                    .collect();
                if let Some(m) = j.as_object_mut() {
                    m.insert("via".into(), json!(name(c.target)));
                    m.insert("chain".into(), Value::Array(steps));
                }
            }
            if let Some(m) = j.as_object_mut() {
                m.insert("transitive".into(), json!(a.status.as_str()));
            }
            rows.push(Row {
                label,
                json: j,
                decision: a.decision,
                status: a.status,
                chain,
            });
        }
    }
    // Allowed first (directly, then through a chain), then those that may be allowed, then
    // the denied; by name within each.
    let rank = |row: &Row| match (row.decision.kind, row.status) {
        (DecisionKind::Allow, _) => 0,
        (_, DecisionKind::Allow) => 1,
        (DecisionKind::Unknown, _) if row.decision.possible.contains(&DecisionKind::Allow) => 2,
        (_, DecisionKind::Unknown) => 3,
        (DecisionKind::Unknown, _) => 4,
        (DecisionKind::ExplicitDeny, _) => 5,
        (DecisionKind::ImplicitDeny, _) => 6,
    };
    rows.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.label.cmp(&b.label)));
    if r.format == "json" {
        let items: Vec<&Value> = rows.iter().map(|row| &row.json).collect();
        serde_json::to_writer_pretty(&mut *out, &json!({ "principals": items }))?;
        writeln!(out)?;
        return Ok(0);
    }
    if rows.is_empty() {
        writeln!(out, "the scanned files declare no IAM role or user")?;
        return Ok(0);
    }
    for row in &rows {
        write_decision(out, &format!("{}: ", row.label), &row.decision)?;
        if !row.chain.is_empty() {
            let how = match row.status {
                DecisionKind::Allow => "can get there",
                _ => "may get there (unknown)",
            };
            writeln!(out, "  {how} through: {}", row.chain.join(" then "))?;
        }
    }
    Ok(0)
}
