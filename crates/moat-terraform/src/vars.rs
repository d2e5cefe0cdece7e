//! Root module variables: defaults, `terraform.tfvars`, `*.auto.tfvars`, `--var-file`,
//! `--var`, in Terraform's order of precedence (later wins).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use moat_model::{Loc, Node, Value};

use crate::config::ModuleConfig;
use crate::error::TfError;
use crate::eval::{Evaluator, Scope};
use crate::ir::{Attr, Expr};
use crate::json::KeyPositions;
use crate::walk::{read_named_source, read_source, relative};
use crate::Options;

/// Values for the root module's variables.
pub(crate) fn root_values(
    ev: &mut Evaluator,
    cfg: &ModuleConfig,
    opts: &Options,
) -> HashMap<String, Node> {
    let mut given: HashMap<String, Node> = HashMap::new();
    let dir = cfg.dir.clone();
    let mut auto: Vec<PathBuf> = Vec::new();
    for name in ["terraform.tfvars", "terraform.tfvars.json"] {
        let p = dir.join(name);
        // Anything but a directory: the sandbox refuses what is not a regular file inside the
        // scanned tree, with an error, instead of skipping it silently.
        if p.symlink_metadata().is_ok() && !p.is_dir() {
            auto.push(p);
        }
    }
    if let Ok(rd) = std::fs::read_dir(&dir) {
        let mut autos: Vec<PathBuf> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| {
                !p.is_dir()
                    && p.file_name().is_some_and(|n| {
                        let n = n.to_string_lossy();
                        n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
                    })
            })
            .collect();
        autos.sort();
        auto.extend(autos);
    }
    for p in &auto {
        read_var_file(ev, p, &mut given, false);
    }
    for p in &opts.var_files {
        read_var_file(ev, p, &mut given, true);
    }
    for (k, v) in &opts.vars {
        given.insert(k.clone(), cli_value(ev, v));
    }
    crate::module::variable_values(ev, cfg, given)
}

fn read_var_file(
    ev: &mut Evaluator,
    path: &Path,
    given: &mut HashMap<String, Node>,
    explicit: bool,
) {
    let abs = std::path::absolute(path)
        .map(|p| crate::walk::normalize(&p))
        .unwrap_or_else(|_| path.to_path_buf());
    let rel: Arc<str> = if explicit && !abs.starts_with(&ev.scan_root) {
        Arc::from(path.to_string_lossy().replace('\\', "/"))
    } else {
        Arc::from(relative(&abs, &ev.scan_root))
    };
    let read = if explicit {
        read_named_source(&abs, rel.clone())
    } else {
        read_source(&ev.sandbox, &abs, rel.clone())
    };
    let src = match read {
        Ok(s) => {
            ev.var_files_read.insert(abs.clone());
            s
        }
        Err(mut e) => {
            if explicit {
                e.message = TfError::VarFile(rel.to_string(), e.message).to_string();
            }
            ev.errors.push(e);
            return;
        }
    };
    ev.sources.insert(src.rel.clone(), src.text.clone());
    if rel.ends_with(".json") {
        let json: serde_json::Value = match serde_json::from_str(&src.text) {
            Ok(j) => j,
            Err(e) => {
                ev.errors.push(moat_model::ScanError {
                    file: rel.to_string(),
                    line: e.line() as u32,
                    message: format!("invalid JSON: {e}"),
                });
                return;
            }
        };
        let Some(obj) = json.as_object() else {
            ev.errors.push(moat_model::ScanError {
                file: rel.to_string(),
                line: 0,
                message: "a variables file must hold an object".into(),
            });
            return;
        };
        let pos = KeyPositions::scan(&src.text);
        for (k, v) in obj {
            let loc = pos
                .get(&[k])
                .map(|o| src.loc(o))
                .unwrap_or_else(|| src.file_loc());
            given.insert(
                k.clone(),
                Node::new(Value::from_json_at(v, Some(&loc)), Some(loc)),
            );
        }
        return;
    }
    match crate::parse::parse_hcl(&src) {
        Ok(body) => {
            for a in &body.attrs {
                given.insert(a.name.clone(), eval_literal(ev, a));
            }
        }
        Err(e) => ev.errors.push(e),
    }
}

fn eval_literal(ev: &mut Evaluator, a: &Attr) -> Node {
    let mut sc = Scope {
        m: usize::MAX,
        no_refs: true,
        ..Default::default()
    };
    let mut n = ev.eval(&a.expr, &mut sc);
    n.loc = Some(a.loc.clone());
    n
}

/// `--var k=v`: lists, maps, numbers and bools are parsed as HCL, anything else is a string.
fn cli_value(ev: &mut Evaluator, v: &str) -> Node {
    let t = v.trim();
    let looks_hcl = t.starts_with('[')
        || t.starts_with('{')
        || t == "true"
        || t == "false"
        || t == "null"
        || t.parse::<f64>().is_ok_and(|n| n.is_finite());
    if looks_hcl {
        if let Ok(expr) = hcl_edit::parser::parse_expr(t) {
            let loc = Loc::new("<command line>", 0, 0);
            let src = Arc::new(crate::source::SrcFile::new(
                Arc::from("<command line>"),
                Arc::from(t),
            ));
            let attr = Attr {
                name: String::new(),
                expr: Expr::Hcl(Arc::new(expr), src),
                loc,
            };
            let mut n = eval_literal(ev, &attr);
            n.loc = None;
            return n;
        }
    }
    Node::new(Value::String(v.to_string()), None)
}
