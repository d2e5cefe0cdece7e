//! Terraform frontend: `.tf` and `.tf.json` -> resolved [`Estate`].
//!
//! Pipeline: walk the tree ([`walk`]), read and parse every file in parallel (`.tf` with
//! hcl-edit, `.tf.json` with serde_json), group files by directory into module
//! configurations, decide which directories are root modules (those not called as a local
//! module by another scanned directory), then evaluate each root module (in parallel) with
//! its variables, locals, resources, data sources and module calls. Each root holds only the
//! configurations it reaches, so syntax trees are freed as the roots using them finish.
//! Unknown values propagate; bad input becomes a [`moat_model::ScanError`] and the scan goes on.
//!
//! Checked against Terraform itself: `tests/plan_diff.rs` plans the fixtures under
//! `tests/fixtures/realistic/` with `terraform plan` and compares every known planned value.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::print_stdout,
        clippy::print_stderr
    )
)]

pub mod adapt;
mod config;
mod error;
mod eval;
mod expand;
mod functions;
mod heredoc;
mod ir;
mod json;
mod module;
mod parse;
pub mod plan;
mod policy_document;
mod source;
mod types;
mod value_ops;
mod vars;
mod walk;
mod written;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use moat_model::{Estate, Frontend, Limits, Resource, Sandbox, ScanError};
use rayon::prelude::*;

pub use error::TfError;

use config::ModuleConfig;
use eval::Evaluator;

/// Inputs that come from the command line.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--var k=v`, in the order given (later wins).
    pub vars: Vec<(String, String)>,
    /// `--var-file F`, in the order given (later wins, after `terraform.tfvars` and
    /// `*.auto.tfvars`).
    pub var_files: Vec<PathBuf>,
    /// Limits on evaluation work and value sizes, per root module.
    pub limits: Limits,
}

/// Load every Terraform root module under `path` (a directory, walked, or a single file).
/// Returns one indexed estate per root module, each holding its resources, the errors met while
/// reading (file:line), notes (unresolved modules), the source texts, and `files_scanned`.
/// File paths in locations are relative to `path` when it is a directory. Each estate's typed
/// AWS state ([`Estate::aws`]) is built by the [`adapt`]ers.
pub fn load(path: &Path, opts: &Options) -> Vec<Estate> {
    let mut estates = load_resolved(path, opts);
    estates.par_iter_mut().for_each(adapt::adapt);
    estates
}

pub use adapt::adapt;

/// [`load`] without the adapters: the resolved resources only.
fn load_resolved(path: &Path, opts: &Options) -> Vec<Estate> {
    let abs = std::path::absolute(path)
        .map(|p| walk::normalize(&p))
        .unwrap_or_else(|_| path.to_path_buf());
    // Every read is confined to the scanned tree (after resolving symlinks): a scanned
    // repository is untrusted. A single file confines reads to its directory.
    let sandbox = Sandbox::new(&abs);
    if abs.is_file() {
        // A single file is Terraform's only when it is named as Terraform names its files;
        // a template or a plan given alone belongs to another frontend.
        let name = abs
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        if !walk::is_tf(&name) {
            return Vec::new();
        }
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        let rel: Arc<str> = Arc::from(walk::relative(&abs, &dir));
        let mut cfg = ModuleConfig::new(dir.clone());
        module::add_file(&sandbox, &mut cfg, &abs, rel);
        let mut configs = HashMap::new();
        let cfg = Arc::new(cfg);
        configs.insert(dir.clone(), cfg.clone());
        let mut e = evaluate_root(&dir, &dir, cfg, configs, opts, &sandbox).0;
        e.root = ".".to_string();
        return vec![e];
    }
    if !abs.is_dir() {
        let mut e = Estate::new();
        e.errors.push(ScanError {
            file: path.to_string_lossy().into_owned(),
            line: 0,
            message: TfError::Read("no such file or directory".into()).to_string(),
        });
        e.index();
        return vec![e];
    }
    let (dirs, walk_errors) = walk::walk(&abs, &sandbox);
    // Read and parse every file in parallel, then group by directory.
    let files: Vec<(PathBuf, PathBuf)> = dirs
        .iter()
        .flat_map(|(d, fs)| fs.iter().map(move |f| (d.clone(), f.clone())))
        .collect();
    let parsed: Vec<(PathBuf, PathBuf, ParsedFile)> = files
        .into_par_iter()
        .map(|(d, f)| {
            let rel: Arc<str> = Arc::from(walk::relative(&f, &abs));
            let pf = match walk::read_source(&sandbox, &f, rel) {
                Ok(src) => {
                    let body = walk::parse_source(&src);
                    ParsedFile::Ok(src, body)
                }
                Err(e) => ParsedFile::Unreadable(e),
            };
            (d, f, pf)
        })
        .collect();
    let mut configs_mut: BTreeMap<PathBuf, ModuleConfig> = BTreeMap::new();
    for (d, _f, pf) in parsed {
        let cfg = configs_mut
            .entry(d.clone())
            .or_insert_with(|| ModuleConfig::new(d));
        match pf {
            ParsedFile::Ok(src, Ok(body)) => {
                cfg.files.push(src);
                cfg.add_body(body);
            }
            ParsedFile::Ok(src, Err(e)) => {
                cfg.files.push(src);
                cfg.errors.push(e);
            }
            ParsedFile::Unreadable(e) => cfg.errors.push(e),
        }
    }
    // Directories called as local modules by another scanned directory are not roots.
    let mut called: BTreeSet<PathBuf> = BTreeSet::new();
    for (d, cfg) in &configs_mut {
        for call in &cfg.modules {
            if let Some(src) = &call.source {
                if src.starts_with("./") || src.starts_with("../") || src == "." || src == ".." {
                    let target = walk::normalize(&d.join(src));
                    if &target != d {
                        called.insert(target);
                    }
                }
            }
        }
    }
    let mut configs: HashMap<PathBuf, Arc<ModuleConfig>> = configs_mut
        .into_iter()
        .map(|(d, c)| (d, Arc::new(c)))
        .collect();
    let mut roots: Vec<PathBuf> = configs
        .keys()
        .filter(|d| !called.contains(*d))
        .cloned()
        .collect();
    roots.sort();
    // Each root gets only the configurations it reaches through local module calls, and the
    // shared map is dropped: a directory's syntax trees are freed as soon as the last root
    // that uses it has been evaluated, instead of all of them living until the end.
    let per_root: Vec<(PathBuf, HashMap<PathBuf, Arc<ModuleConfig>>)> = roots
        .iter()
        .map(|d| (d.clone(), reachable(d, &configs)))
        .collect();
    configs.clear();
    drop(configs);
    let evaluated: Vec<(Estate, Vec<(PathBuf, usize)>)> = per_root
        .into_par_iter()
        .filter_map(|(d, map)| {
            let cfg = map.get(&d)?.clone();
            let (mut e, used) = evaluate_root(&abs, &d, cfg, map, opts, &sandbox);
            e.root = match walk::relative(&d, &abs) {
                r if r.is_empty() => ".".to_string(),
                r => r,
            };
            Some((e, used))
        })
        .collect();
    // `files_scanned` counts distinct files: a module directory used by several roots is
    // counted in the first of them (roots are sorted), so the sum over estates is right.
    let mut counted: BTreeSet<PathBuf> = BTreeSet::new();
    let mut estates: Vec<Estate> = Vec::with_capacity(evaluated.len());
    for (mut e, used) in evaluated {
        e.files_scanned = used
            .into_iter()
            .filter(|(dir, _)| counted.insert(dir.clone()))
            .map(|(_, n)| n)
            .sum();
        estates.push(e);
    }
    if !walk_errors.is_empty() {
        match estates.first_mut() {
            Some(e) => {
                e.errors.extend(walk_errors);
                e.index();
            }
            None => {
                let mut e = Estate::new();
                e.errors = walk_errors;
                e.index();
                estates.push(e);
            }
        }
    }
    estates
}

enum ParsedFile {
    Ok(Arc<source::SrcFile>, Result<ir::Body, ScanError>),
    Unreadable(ScanError),
}

fn evaluate_root(
    scan_root: &Path,
    root_dir: &Path,
    cfg: Arc<ModuleConfig>,
    configs: HashMap<PathBuf, Arc<ModuleConfig>>,
    opts: &Options,
    sandbox: &Sandbox,
) -> (Estate, Vec<(PathBuf, usize)>) {
    let mut ev = Evaluator::new(
        scan_root.to_path_buf(),
        root_dir.to_path_buf(),
        configs,
        sandbox.clone(),
        opts.limits,
    );
    ev.use_config(&cfg);
    let vars = vars::root_values(&mut ev, &cfg, opts);
    ev.add_module(String::new(), String::new(), cfg, vars, 0, None);
    ev.run();
    finish(ev)
}

/// The estate, and the directories whose files it read with their number of files.
fn finish(mut ev: Evaluator) -> (Estate, Vec<(PathBuf, usize)>) {
    let mut estate = Estate::new();
    for (m, re, ri) in ev.take_resources() {
        let Some(mi) = ev.mods.get(m) else { continue };
        let Some(decl) = mi.config.resources.get(ri) else {
            continue;
        };
        let mode = re.mode;
        let instances = match Rc::try_unwrap(re) {
            Ok(owned) => owned.instances,
            Err(shared) => shared
                .instances
                .iter()
                .map(|i| eval::Instance {
                    address: i.address.clone(),
                    key: i.key.clone(),
                    attrs: i.attrs.clone(),
                })
                .collect(),
        };
        let written = Arc::new(written::of_body(&decl.body));
        for inst in instances {
            let mut r = Resource::new(
                inst.address,
                decl.rtype.clone(),
                decl.name.clone(),
                Frontend::Terraform,
                decl.loc.clone(),
            );
            r.mode = mode;
            r.module = mi.prefix.clone();
            let mut attrs = inst.attrs;
            for n in attrs.values_mut() {
                value_ops::strip_hidden(n);
            }
            r.attrs = attrs;
            r.written = written.clone();
            estate.push(r);
        }
    }
    estate.errors = std::mem::take(&mut ev.errors);
    estate.notes = std::mem::take(&mut ev.notes);
    estate.sources = std::mem::take(&mut ev.sources);
    let mut redactions: Vec<moat_model::Redaction> = std::mem::take(&mut ev.sensitive_values)
        .into_iter()
        .map(|text| moat_model::Redaction {
            text,
            with: "(sensitive value)".into(),
        })
        .collect();
    // A whole file's content (a policy, a script) is named, not echoed; short ones are not
    // worth hiding and may be what a message must quote.
    for text in std::mem::take(&mut ev.file_contents) {
        if text.len() > 64 {
            redactions.push(moat_model::Redaction {
                text,
                with: "(contents of a file read by `file()`)".into(),
            });
        }
    }
    estate.redactions = redactions;
    estate.sort_redactions();
    estate.work = ev.fuel_used();
    let mut unread = std::mem::take(&mut ev.unread_modules);
    unread.sort();
    unread.dedup();
    estate.unread_modules = unread;
    let used = ev.used_dirs();
    estate.files_scanned = used.iter().map(|(_, n)| n).sum();
    estate.index();
    (estate, used)
}

/// Parse and evaluate one file's text as a root module, with no file system access (modules
/// are not resolved, `file()` reads nothing), adapted into the typed state like [`load`]'s
/// estates. Used by the fuzz target and tests; never panics.
pub fn parse_and_evaluate_str(name: &str, text: &str) -> Estate {
    let dir = PathBuf::from("/nonexistent-moat-fuzz-root");
    let rel: Arc<str> = Arc::from(name);
    let mut cfg = ModuleConfig::new(dir.clone());
    match walk::source_from_bytes(text.as_bytes().to_vec(), rel) {
        Ok(src) => {
            cfg.files.push(src.clone());
            match walk::parse_source(&src) {
                Ok(body) => cfg.add_body(body),
                Err(e) => cfg.errors.push(e),
            }
        }
        Err(e) => cfg.errors.push(e),
    }
    let cfg = Arc::new(cfg);
    let mut configs = HashMap::new();
    configs.insert(dir.clone(), cfg.clone());
    let mut estate = evaluate_root(
        &dir,
        &dir,
        cfg,
        configs,
        &Options::default(),
        &Sandbox::deny_all(),
    )
    .0;
    adapt::adapt(&mut estate);
    estate
}

/// The configurations a root reaches through local module calls (itself included).
fn reachable(
    root: &Path,
    configs: &HashMap<PathBuf, Arc<ModuleConfig>>,
) -> HashMap<PathBuf, Arc<ModuleConfig>> {
    let mut out: HashMap<PathBuf, Arc<ModuleConfig>> = HashMap::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(d) = todo.pop() {
        if out.contains_key(&d) {
            continue;
        }
        let Some(cfg) = configs.get(&d) else { continue };
        for call in &cfg.modules {
            if let Some(src) = call
                .source
                .as_deref()
                .filter(|s| module::is_local_source(s))
            {
                todo.push(walk::normalize(&d.join(src)));
            }
        }
        out.insert(d, cfg.clone());
    }
    out
}
