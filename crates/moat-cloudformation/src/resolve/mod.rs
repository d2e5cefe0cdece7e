//! Parameters, mappings, conditions, intrinsic functions, language extensions and nested
//! stacks: parsed templates into one [`Estate`] of resolved resources per root template.
//!
//! What the adapters receive (the contract between the resolver and the adapters):
//! - one [`moat_model::Resource`] per resource whose `Condition` is not false, addressed by
//!   its logical ID (`Net.PublicSubnet` inside nested stack `Net`, with `module` = `Net`),
//!   `rtype` the `Type` as written, `loc` the line of the logical ID;
//! - `attrs` the resolved `Properties`: known values are plain values; `Ref` to a resource and
//!   `Fn::GetAtt` are [`Unknown::Computed`] naming it (edges); a parameter without value is
//!   [`Unknown::Parameter`], as are pseudo parameters not given with `--parameter`;
//!   `AWS::NoValue` removes the key or list item; `Fn::Sub`/`Fn::Join` with unknown parts are
//!   [`Unknown::Template`]; `Fn::If` on an unknown condition is [`Unknown::Derived`] with the
//!   references of both branches;
//! - `written` for every property whose key contains `Policy`;
//! - `Metadata: moat: ignore: [{id, reason}]` as [`Estate::ignores`].
//!
//! Intrinsic functions: <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html>

mod eval;
mod inputs;
mod stack;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use moat_model::files::{normalize, relative};
use moat_model::{Estate, Limits, Node, Sandbox, ScanError, Value};
use rayon::prelude::*;

use crate::Options;
use eval::{Eval, Parsed, Shared, Stack};
use inputs::Inputs;

pub(crate) use crate::sam::SAM_TRANSFORM;

/// Every root template under `path` (a directory, walked, or a single file), resolved: one
/// indexed estate per root, named by the template's path relative to `path` (the file's name
/// for a single file). A template that another scanned template uses as a local nested stack
/// is resolved inside its parent, not as a root. Files that do not parse and do not look like
/// templates are not ours (Kubernetes manifests, CI files) and are skipped silently.
pub fn load(path: &Path, opts: &Options) -> Vec<Estate> {
    let inputs = Inputs::read(opts);
    let abs = std::path::absolute(path)
        .map(|p| normalize(&p))
        .unwrap_or_else(|_| path.to_path_buf());
    let sandbox = Sandbox::new(&abs);
    let (base, files, mut walk_errors) = if abs.is_file() {
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        (dir, vec![abs.clone()], Vec::new())
    } else if abs.is_dir() {
        let (files, errors) = crate::walk::walk(&abs, &sandbox);
        (abs.clone(), files, errors)
    } else {
        let mut e = Estate::new();
        e.errors.push(ScanError {
            file: path.to_string_lossy().into_owned(),
            line: 0,
            message: "cannot read: no such file or directory".into(),
        });
        e.errors.extend(inputs.errors);
        e.index();
        return vec![e];
    };
    let limits = opts.limits;
    let parsed: Vec<(PathBuf, Parsed)> = files
        .par_iter()
        .filter_map(|f| {
            let rel: Arc<str> = Arc::from(relative(f, &base));
            let text = match crate::walk::read(&sandbox, f, rel.clone()) {
                Ok(t) => t,
                Err(e) => {
                    return Some((
                        f.clone(),
                        Parsed {
                            rel,
                            text: Arc::from(""),
                            root: Err(e),
                        },
                    ))
                }
            };
            match crate::walk::parse_template(rel.clone(), &text, &limits) {
                Ok(Some(n)) => Some((
                    f.clone(),
                    Parsed {
                        rel,
                        text,
                        root: Ok(n),
                    },
                )),
                Ok(None) => None,
                Err(e) => Some((
                    f.clone(),
                    Parsed {
                        rel,
                        text,
                        root: Err(e),
                    },
                )),
            }
        })
        .collect();
    let parsed: BTreeMap<PathBuf, Parsed> = parsed.into_iter().collect();
    // Templates named as local nested stacks by another scanned template are not roots.
    let mut named: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    for (p, t) in &parsed {
        let Ok(root) = &t.root else { continue };
        let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
        for url in stack::local_children(root) {
            let child = normalize(&dir.join(url.strip_prefix("file://").unwrap_or(&url)));
            if &child != p {
                named.entry(p.clone()).or_default().insert(child);
            }
        }
    }
    let used: BTreeSet<&PathBuf> = named.values().flatten().collect();
    let mut roots: Vec<PathBuf> = parsed
        .keys()
        .filter(|p| !used.contains(p))
        .cloned()
        .collect();
    // Templates only reachable through a cycle of nested stacks are roots too.
    let mut reached: BTreeSet<PathBuf> = BTreeSet::new();
    let mut todo: Vec<PathBuf> = roots.clone();
    while let Some(p) = todo.pop() {
        if reached.insert(p.clone()) {
            todo.extend(named.get(&p).into_iter().flatten().cloned());
        }
    }
    roots.extend(parsed.keys().filter(|p| !reached.contains(*p)).cloned());
    roots.sort();
    roots.dedup();
    // A root that no other template uses is handed over whole and dropped once resolved:
    // only the templates used as nested stacks stay shared for the whole scan (the parsed
    // trees of a large repository would otherwise all live until the end, and each root be
    // copied before it is resolved).
    let used: BTreeSet<PathBuf> = used.into_iter().cloned().collect();
    let mut parsed = parsed;
    let own: Vec<(PathBuf, Parsed)> = roots
        .iter()
        .filter(|p| !used.contains(*p))
        .filter_map(|p| parsed.remove(p).map(|t| (p.clone(), t)))
        .collect();
    let shared_roots: Vec<(PathBuf, Parsed)> = roots
        .iter()
        .filter(|p| used.contains(*p))
        .filter_map(|p| parsed.get(p).map(|t| (p.clone(), t.clone())))
        .collect();
    let parsed = parsed;
    let mut estates: Vec<Estate> = own
        .into_par_iter()
        .chain(shared_roots.into_par_iter())
        .map(|(p, t)| {
            let mut sh = Shared::new(&inputs, limits);
            sh.sandbox = Some(&sandbox);
            sh.scan_root = Some(base.clone());
            sh.parsed = Some(&parsed);
            let e = match t.root {
                Ok(root) => resolve_root(sh, t.rel.clone(), t.text.clone(), Some(p), root),
                Err(err) => {
                    let mut e = Estate::new();
                    e.errors.push(err);
                    if !t.text.is_empty() {
                        e.sources.insert(t.rel.clone(), t.text.clone());
                        e.files_scanned = 1;
                    }
                    e.index();
                    e
                }
            };
            let mut e = e;
            e.root = t.rel.to_string();
            e
        })
        .collect();
    estates.sort_by(|a, b| a.root.cmp(&b.root));
    // Errors not tied to one template (the walk, parameter files) go to the first estate.
    walk_errors.extend(inputs.errors.iter().cloned());
    if !walk_errors.is_empty() {
        if estates.is_empty() {
            estates.push(Estate::new());
        }
        if let Some(first) = estates.first_mut() {
            first.errors.extend(walk_errors);
            first.index();
        }
    }
    estates
}

/// One template given as text, resolved, without file system access (nested stacks are not
/// read: a note says so).
pub fn load_str(name: &str, text: &str, opts: &Options) -> Estate {
    let inputs = Inputs::read(opts);
    let rel: Arc<str> = Arc::from(name);
    let text: Arc<str> = Arc::from(text);
    let mut e = match parse_text(rel.clone(), &text, &opts.limits) {
        Ok(root) => {
            let sh = Shared::new(&inputs, opts.limits);
            resolve_root(sh, rel.clone(), text, None, root)
        }
        Err(err) => {
            let mut e = Estate::new();
            e.errors.push(err);
            e.sources.insert(rel.clone(), text);
            e.files_scanned = 1;
            e
        }
    };
    e.errors.extend(inputs.errors);
    e.root = name.to_string();
    e.index();
    e
}

/// Parse a template's text (YAML or JSON).
pub(crate) fn parse_text(file: Arc<str>, text: &str, limits: &Limits) -> Result<Node, ScanError> {
    crate::parse::parse(file, text, limits)
}

/// Resolve a parsed root template (and its nested stacks) into an indexed estate.
fn resolve_root(
    mut sh: Shared,
    rel: Arc<str>,
    text: Arc<str>,
    abs: Option<PathBuf>,
    root: Node,
) -> Estate {
    sh.sources.insert(rel.clone(), text.clone());
    if let Some(a) = &abs {
        sh.chain.push(a.clone());
    }
    let mut st = Stack::new(rel);
    st.abs = abs;
    {
        let mut ev = Eval { st, sh: &mut sh };
        let root = apply_sam(&mut ev, root);
        stack::resolve_template(&mut ev, &root, None);
    }
    let mut e = Estate::new();
    e.files_scanned = sh.sources.len();
    e.sources = sh.sources;
    e.resources = sh.resources;
    e.errors = sh.errors;
    e.notes = sh.notes;
    e.ignores = sh.ignores;
    e.redactions = sh.redactions;
    e.sort_redactions();
    e.work = sh.fuel;
    e.index();
    e
}

/// Apply the SAM transform ([`crate::sam::transform`]; it does nothing unless the template's
/// `Transform` names `AWS::Serverless-2016-10-31`).
/// A template whose `Resources` hold `Fn::ForEach` loops is left for
/// [`stack::resolve_template`], which expands the loops first, as CloudFormation runs
/// `AWS::LanguageExtensions` before SAM (the loops may generate SAM resources).
fn apply_sam(ev: &mut Eval, mut root: Node) -> Node {
    if sam_after_foreach(&root) {
        return root;
    }
    crate::sam::transform(&mut root, &mut ev.sh.errors, &mut ev.sh.notes);
    root
}

/// Whether the template names the SAM transform and its `Resources` hold a `Fn::ForEach`.
pub(crate) fn sam_after_foreach(root: &Node) -> bool {
    let sam = match root.get("Transform").map(|t| &t.value) {
        Some(Value::String(s)) => s == SAM_TRANSFORM,
        Some(Value::List(l)) => l.iter().any(|n| n.as_str() == Some(SAM_TRANSFORM)),
        _ => false,
    };
    sam && root
        .get("Resources")
        .and_then(Node::as_map)
        .is_some_and(|m| m.keys().any(|k| k.starts_with("Fn::ForEach::")))
}
