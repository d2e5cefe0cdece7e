//! Terraform frontend: `.tf` and `.tf.json` -> resolved [`Estate`].
//!
//! Pipeline: walk the tree ([`walk`]), read and parse every file in parallel (`.tf` with
//! hcl-edit, `.tf.json` with serde_json), group files by directory into module
//! configurations, decide which directories are root modules (those not called as a local
//! module by another scanned directory), then evaluate each root module (in parallel) with
//! its variables, locals, resources, data sources and module calls. Unknown values propagate;
//! bad input becomes a [`moat_model::ScanError`] and the scan goes on.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod config;
mod error;
mod eval;
mod functions;
mod heredoc;
mod ir;
mod json;
mod module;
mod parse;
mod policy_document;
mod source;
mod types;
mod value_ops;
mod vars;
mod walk;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use moat_model::{Estate, Frontend, Resource, ScanError};
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
}

/// Load every Terraform root module under `path` (a directory, walked, or a single file).
/// Returns one indexed estate per root module, each holding its resources, the errors met while
/// reading (file:line), notes (unresolved modules), the source texts, and `files_scanned`.
/// File paths in locations are relative to `path` when it is a directory.
pub fn load(path: &Path, opts: &Options) -> Vec<Estate> {
    let abs = std::path::absolute(path)
        .map(|p| walk::normalize(&p))
        .unwrap_or_else(|_| path.to_path_buf());
    if abs.is_file() {
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        let rel: Arc<str> = Arc::from(walk::relative(&abs, &dir));
        let mut cfg = ModuleConfig::new(dir.clone());
        module::add_file(&mut cfg, &abs, rel);
        let mut configs = HashMap::new();
        let cfg = Arc::new(cfg);
        configs.insert(dir.clone(), cfg.clone());
        return vec![evaluate_root(&dir, &dir, cfg, configs, opts)];
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
    let (dirs, walk_errors) = walk::walk(&abs);
    // Read and parse every file in parallel, then group by directory.
    let files: Vec<(PathBuf, PathBuf)> = dirs
        .iter()
        .flat_map(|(d, fs)| fs.iter().map(move |f| (d.clone(), f.clone())))
        .collect();
    let parsed: Vec<(PathBuf, PathBuf, ParsedFile)> = files
        .into_par_iter()
        .map(|(d, f)| {
            let rel: Arc<str> = Arc::from(walk::relative(&f, &abs));
            let pf = match walk::read_source(&f, rel) {
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
    let configs: HashMap<PathBuf, Arc<ModuleConfig>> = configs_mut
        .into_iter()
        .map(|(d, c)| (d, Arc::new(c)))
        .collect();
    let mut roots: Vec<PathBuf> = configs
        .keys()
        .filter(|d| !called.contains(*d))
        .cloned()
        .collect();
    roots.sort();
    let mut estates: Vec<Estate> = roots
        .par_iter()
        .filter_map(|d| {
            let cfg = configs.get(d)?.clone();
            Some(evaluate_root(&abs, d, cfg, configs.clone(), opts))
        })
        .collect();
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
) -> Estate {
    let mut ev = Evaluator::new(scan_root.to_path_buf(), root_dir.to_path_buf(), configs);
    ev.use_config(&cfg);
    let vars = vars::root_values(&mut ev, &cfg, opts);
    ev.add_module(String::new(), String::new(), cfg, vars, 0);
    ev.run();
    finish(ev)
}

fn finish(mut ev: Evaluator) -> Estate {
    let mut estate = Estate::new();
    for (m, re, ri) in ev.take_resources() {
        let Some(mi) = ev.mods.get(m) else { continue };
        let Some(decl) = mi.config.resources.get(ri) else {
            continue;
        };
        for inst in &re.instances {
            let mut r = Resource::new(
                inst.address.clone(),
                decl.rtype.clone(),
                decl.name.clone(),
                Frontend::Terraform,
                decl.loc.clone(),
            );
            r.mode = re.mode;
            r.module = mi.prefix.clone();
            let mut attrs = inst.attrs.clone();
            for n in attrs.values_mut() {
                value_ops::strip_hidden(n);
            }
            r.attrs = attrs;
            estate.push(r);
        }
    }
    estate.errors = std::mem::take(&mut ev.errors);
    estate.notes = std::mem::take(&mut ev.notes);
    estate.sources = std::mem::take(&mut ev.sources);
    estate.files_scanned = ev.files_scanned;
    estate.index();
    estate
}

/// Parse and evaluate one file's text as a root module (no file system access except
/// nothing: modules are not resolved). Used by the fuzz target and tests; never panics.
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
    evaluate_root(&dir, &dir, cfg, configs, &Options::default())
}
