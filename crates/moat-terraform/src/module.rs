//! Module calls: resolving the source, instantiating with inputs, count/for_each.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use moat_model::{Limit, Node, Refusal, Sandbox, Unknown, Value};

use crate::config::ModuleConfig;
use crate::error::TfError;
use crate::eval::{ChildSet, Evaluator, Expansion, Frame, Scope};
use crate::value_ops::instance_key;
use crate::walk::{is_tf, normalize, parse_source, read_source, relative};

/// Arguments of a module block that are not inputs.
const CALL_META: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];
const MAX_MODULE_DEPTH: usize = 32;

/// `.terraform/modules/modules.json`: module key (`vpc`, `vpc.subnets`) -> directory.
/// Read through the sandbox: a `modules.json` that is a symlink out of the tree, a FIFO or a
/// device is not read (the modules it would name stay unresolved, with a note).
pub(crate) fn read_modules_json(
    root_dir: &Path,
    sandbox: &Sandbox,
) -> Option<HashMap<String, PathBuf>> {
    let path = root_dir
        .join(".terraform")
        .join("modules")
        .join("modules.json");
    let bytes = sandbox.read(&path, "modules.json").ok()?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let mut out = HashMap::new();
    for m in json.get("Modules")?.as_array()? {
        let (Some(key), Some(dir)) = (
            m.get("Key").and_then(|k| k.as_str()),
            m.get("Dir").and_then(|d| d.as_str()),
        ) else {
            continue;
        };
        if key.is_empty() {
            continue;
        }
        out.insert(key.to_string(), normalize(&root_dir.join(dir)));
    }
    Some(out)
}

pub(crate) fn is_local_source(s: &str) -> bool {
    s == "."
        || s == ".."
        || s.starts_with("./")
        || s.starts_with("../")
        || s.starts_with(".\\")
        || s.starts_with("..\\")
}

/// Load (or reuse) the configuration of a module directory. The directory must resolve inside
/// the sandbox (a module source such as `../../../etc` or a symlink out of the tree is refused).
pub(crate) fn load_config(
    ev: &mut Evaluator,
    dir: &Path,
) -> Result<Option<Arc<ModuleConfig>>, Refusal> {
    if let Some(c) = ev.configs.get(dir) {
        return Ok(Some(c.clone()));
    }
    let shown = relative(dir, &ev.scan_root);
    let real = ev.sandbox.resolve(dir, &shown)?;
    let Ok(rd) = std::fs::read_dir(&real) else {
        return Ok(None);
    };
    // Every entry with a Terraform name but directories: the sandbox refuses symlinks out of
    // the tree and files that are not regular, each with an error.
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
        .filter(|e| is_tf(&e.file_name().to_string_lossy()))
        .map(|e| dir.join(e.file_name()))
        .filter(|p| !p.is_dir())
        .collect();
    files.sort();
    if files.is_empty() {
        return Ok(None);
    }
    let cfg = Arc::new(build_config(
        dir.to_path_buf(),
        &files,
        &ev.scan_root,
        &ev.sandbox,
    ));
    ev.configs.insert(dir.to_path_buf(), cfg.clone());
    Ok(Some(cfg))
}

/// Read and parse files of one directory into a configuration.
pub(crate) fn build_config(
    dir: PathBuf,
    files: &[PathBuf],
    scan_root: &Path,
    sandbox: &Sandbox,
) -> ModuleConfig {
    let mut cfg = ModuleConfig::new(dir);
    for f in files {
        let rel: Arc<str> = Arc::from(relative(f, scan_root));
        add_file(sandbox, &mut cfg, f, rel);
    }
    cfg
}

pub(crate) fn add_file(sandbox: &Sandbox, cfg: &mut ModuleConfig, abs: &Path, rel: Arc<str>) {
    match read_source(sandbox, abs, rel) {
        Ok(src) => {
            cfg.files.push(src.clone());
            match parse_source(&src) {
                Ok(body) => cfg.add_body(body),
                Err(e) => cfg.errors.push(e),
            }
        }
        Err(e) => cfg.errors.push(e),
    }
}

/// Instantiate module call `ci` of module instance `m`.
pub(crate) fn instantiate(ev: &mut Evaluator, m: usize, ci: usize) -> ChildSet {
    let Some(cfg) = ev.mods.get(m).map(|mi| mi.config.clone()) else {
        return ChildSet::Unresolved(Unknown::derived("no such module"));
    };
    let Some(call) = cfg.modules.get(ci) else {
        return ChildSet::Unresolved(Unknown::derived("no such module"));
    };
    let parent_prefix = ev
        .mods
        .get(m)
        .map(|mi| mi.prefix.clone())
        .unwrap_or_default();
    let parent_key = ev.mod_key_path(m);
    let key_path = if parent_key.is_empty() {
        call.name.clone()
    } else {
        format!("{parent_key}.{}", call.name)
    };
    let source = call.source.clone().unwrap_or_default();
    let unresolved = Unknown::Module {
        name: call.name.clone(),
        source: source.clone(),
    };
    let base = if parent_prefix.is_empty() {
        format!("module.{}", call.name)
    } else {
        format!("{parent_prefix}.module.{}", call.name)
    };
    if ev.mod_depth(m) + 1 > MAX_MODULE_DEPTH {
        ev.error(&call.loc, TfError::ModuleDepth(base).to_string());
        return ChildSet::Unresolved(unresolved);
    }
    let dir = if is_local_source(&source) {
        Some(normalize(&cfg.dir.join(&source)))
    } else {
        ev.modules_json_dir(&key_path)
    };
    let unread = |ev: &mut Evaluator, not_downloaded: bool, reason: String| {
        ev.unread_modules.push(moat_model::UnreadModule {
            file: call.loc.file.to_string(),
            line: call.loc.line,
            name: call.name.clone(),
            source: call.source.clone(),
            not_downloaded,
            reason,
        });
    };
    let Some(dir) = dir else {
        unread(ev, true, String::new());
        ev.note(
            &call.loc,
            format!(
                "module `{}` (`{source}`) was not resolved (run `terraform init` to download it); its resources are not analysed and its outputs are unknown",
                call.name
            ),
        );
        return ChildSet::Unresolved(unresolved);
    };
    // A module that calls itself, directly or through others: Terraform rejects the
    // configuration (it would never end); moat reports the cycle and does not expand it.
    let callers = ev.mod_dirs(m);
    if let Some(pos) = callers.iter().position(|(d, _)| *d == dir) {
        let mut chain: Vec<String> = callers
            .iter()
            .take(pos + 1)
            .map(|(d, _)| relative(d, &ev.scan_root))
            .collect();
        chain.reverse();
        chain.push(relative(&dir, &ev.scan_root));
        ev.error(
            &call.loc,
            TfError::ModuleCycle {
                name: call.name.clone(),
                chain: chain.join("` -> `"),
            }
            .to_string(),
        );
        return ChildSet::Unresolved(unresolved);
    }
    let child_cfg = match load_config(ev, &dir) {
        Ok(Some(c)) => c,
        Ok(None) => {
            let shown = relative(&dir, &ev.scan_root);
            unread(ev, false, format!("no Terraform files in `{shown}`"));
            ev.error(
                &call.loc,
                format!("module `{}`: no Terraform files in `{shown}`", call.name),
            );
            return ChildSet::Unresolved(unresolved);
        }
        Err(r) => {
            unread(ev, false, r.to_string());
            ev.error(
                &call.loc,
                format!(
                    "module `{}` (`{source}`) is not loaded: {r}; its resources are not analysed and its outputs are unknown",
                    call.name
                ),
            );
            return ChildSet::Unresolved(unresolved);
        }
    };
    ev.stack.push(Frame::ModuleInputs);
    ev.begin_item();
    let (expansion, keys) = ev.expand(m, &call.body, &base, &call.loc, Limit::ModuleInstances);
    ev.count_instances(Limit::ModuleInstances, keys.len());
    if keys.is_empty() && expansion == Expansion::Unknown {
        // Over the module instance limit (the error is recorded): not analysed.
        ev.end_item();
        ev.stack.pop();
        return ChildSet::Unresolved(unresolved);
    }
    let mut insts = Vec::new();
    for (key, mut sc) in keys {
        let prefix = match &key {
            Some(k) => format!("{base}{}", instance_key(k)),
            None => base.clone(),
        };
        let mut inputs: HashMap<String, Node> = HashMap::new();
        for a in &call.body.attrs {
            if CALL_META.contains(&a.name.as_str()) {
                continue;
            }
            let mut n = ev.eval(&a.expr, &mut sc);
            if n.loc.is_none() {
                n.loc = Some(a.loc.clone());
            }
            inputs.insert(a.name.clone(), n);
        }
        let vars = variable_values(ev, &child_cfg, inputs);
        let depth = ev.mod_depth(m) + 1;
        let id = ev.add_module(
            prefix,
            key_path.clone(),
            child_cfg.clone(),
            vars,
            depth,
            Some(m),
        );
        insts.push((key, id));
    }
    ev.end_item();
    ev.stack.pop();
    if expansion == Expansion::Unknown {
        // Nothing more: the note was written by `expand`.
    }
    ChildSet::Resolved { expansion, insts }
}

/// Values of a module's variables: the given value, else the default, else unknown.
pub(crate) fn variable_values(
    ev: &mut Evaluator,
    cfg: &ModuleConfig,
    mut given: HashMap<String, Node>,
) -> HashMap<String, Node> {
    let mut out = HashMap::new();
    for (name, decl) in &cfg.variables {
        let given_value = given
            .remove(name)
            .filter(|v| !(decl.not_nullable && decl.default.is_some() && v.is_null()));
        let v = match given_value {
            Some(v) => v,
            None => match &decl.default {
                Some(d) => {
                    let mut sc = Scope {
                        m: usize::MAX,
                        no_refs: true,
                        ..Default::default()
                    };
                    let mut n = ev.eval(&d.expr, &mut sc);
                    if n.loc.is_none() {
                        n.loc = Some(d.loc.clone());
                    }
                    n
                }
                None => Node::new(
                    Value::Unknown(Unknown::Variable { name: name.clone() }),
                    Some(decl.loc.clone()),
                ),
            },
        };
        let ty = crate::types::of_attr(ev, decl.ty.as_ref());
        let v = crate::types::convert(v, &ty);
        if decl.sensitive {
            ev.mark_sensitive(&v);
        }
        out.insert(name.clone(), v);
    }
    out
}
