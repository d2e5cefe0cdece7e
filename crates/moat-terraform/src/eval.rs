//! The evaluator: module instances, lazily evaluated locals, resources and module outputs, and
//! expressions over hcl-edit's AST with unknown propagation and provenance.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, FuncCall, ObjectKey, TraversalOperator, UnaryOperator,
};
use hcl_edit::template::{Directive, Element, Strip, Template};
use hcl_edit::{Decorated, Span};
use moat_model::{Limit, Limits, Loc, Mode, Node, Note, Sandbox, ScanError, Unknown, Value};

use crate::config::{ModuleConfig, ResDecl};
use crate::error::TfError;
use crate::expand::collection_pairs;
pub(crate) use crate::expand::Expansion;
use crate::ir::{Body, Expr};
use crate::value_ops::*;

/// Meta-arguments and meta-blocks that do not describe the resource itself.
const META_ATTRS: &[&str] = &["count", "for_each", "depends_on", "provider", "providers"];
const META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection"];
const MAX_EXPR_DEPTH: usize = 256;

/// Where the locations of an expression come from.
#[derive(Clone, Copy)]
pub(crate) enum Src<'a> {
    File(&'a crate::source::SrcFile),
    Fixed(&'a Loc),
}

impl Src<'_> {
    fn loc(&self, span: Option<Range<usize>>) -> Option<Loc> {
        match self {
            Src::File(f) => span.map(|r| f.loc(r.start)),
            Src::Fixed(l) => Some((*l).clone()),
        }
    }
}

/// Names bound while evaluating one expression.
#[derive(Clone, Default)]
pub(crate) struct Scope {
    pub m: usize,
    pub count_index: Option<Node>,
    pub each: Option<(Node, Node)>,
    pub binds: Vec<(String, Node)>,
    /// tfvars and defaults: no references.
    pub no_refs: bool,
}

impl Scope {
    pub fn module(m: usize) -> Self {
        Scope {
            m,
            ..Default::default()
        }
    }

    fn lookup(&self, name: &str) -> Option<&Node> {
        self.binds
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

enum Slot<T> {
    InProgress,
    Done(T),
}

#[derive(Debug)]
pub(crate) struct Instance {
    pub address: String,
    pub key: Option<Value>,
    pub attrs: BTreeMap<String, Node>,
}

#[derive(Debug)]
pub(crate) struct ResEval {
    #[allow(dead_code)]
    pub base: String,
    pub mode: Mode,
    pub expansion: Expansion,
    pub instances: Vec<Instance>,
}

pub(crate) enum ChildSet {
    Resolved {
        expansion: Expansion,
        insts: Vec<(Option<Value>, usize)>,
    },
    Unresolved(Unknown),
}

pub(crate) struct ModInst {
    pub prefix: String,
    /// `a.b` for `.terraform/modules/modules.json` lookups.
    pub key_path: String,
    pub config: Arc<ModuleConfig>,
    pub vars: HashMap<String, Node>,
    pub depth: usize,
    /// The module instance that called this one (`None` for the root).
    pub parent: Option<usize>,
    locals: HashMap<String, Slot<Node>>,
    resources: HashMap<usize, Slot<Rc<ResEval>>>,
    children: HashMap<usize, Slot<Rc<ChildSet>>>,
    outputs: HashMap<String, Slot<Node>>,
}

/// Evaluates one root module and everything it calls.
pub(crate) struct Evaluator {
    /// Paths in locations are relative to this directory.
    pub scan_root: PathBuf,
    /// The root module's directory (`path.root`, relative file paths, modules.json).
    pub root_dir: PathBuf,
    pub mods: Vec<ModInst>,
    pub configs: HashMap<PathBuf, Arc<ModuleConfig>>,
    used_configs: HashSet<PathBuf>,
    /// Variable files (`terraform.tfvars`, `*.auto.tfvars`, `--var-file`) read.
    pub var_files_read: HashSet<PathBuf>,
    pub errors: Vec<ScanError>,
    pub notes: Vec<Note>,
    pub sources: BTreeMap<Arc<str>, Arc<str>>,
    pub files_scanned: usize,
    modules_json: Option<HashMap<String, PathBuf>>,
    /// Incremented on every evaluation error (for `try`/`can`).
    pub eval_errors: usize,
    /// Interpolations of unknown values written as placeholders by `render_template`.
    tmpl_placeholders: usize,
    /// Placeholder instance of each resource whose count/for_each is unknown and whose whole
    /// collection was referenced: `each.value` of a `for_each` over that collection.
    pub(crate) unknown_collections: HashMap<String, Node>,
    depth: usize,
    /// Reads of files named by the configuration (`file`, `templatefile`, modules, tfvars).
    pub sandbox: Sandbox,
    pub limits: Limits,
    /// Evaluation work left ([`Limits::fuel`]).
    fuel: u64,
    /// The limit that stopped evaluation, once fuel ran out (everything after is unknown).
    over: Option<Limit>,
    pub module_instances: usize,
    pub resource_instances: usize,
    /// What is being evaluated, outermost first: resources, and module calls whose inputs are
    /// evaluated eagerly (a cycle through those may not be a cycle for Terraform).
    pub stack: Vec<Frame>,
    cycles_reported: HashSet<(usize, usize)>,
    limit_reported: HashSet<(Arc<str>, u32, Limit)>,
    /// Items being evaluated (resources, module calls, locals, outputs): depth and the fuel
    /// used when each began.
    items: Vec<(usize, u64)>,
    /// The depth of the item that ran over its share of fuel, until it ends.
    item_over: Option<usize>,
    /// Inside `try()`/`can()`, where a failing function is an answer, not an error.
    pub in_try: usize,
    call_errors: HashSet<(Arc<str>, u32, String)>,
    /// Contents read by `file()`/`templatefile()`: output must not echo them whole.
    pub file_contents: Vec<String>,
    /// Module calls whose modules could not be read.
    pub unread_modules: Vec<moat_model::UnreadModule>,
    /// Strings of sensitive variables, outputs and `sensitive()` values.
    pub sensitive_values: std::collections::BTreeSet<String>,
}

/// One entry of [`Evaluator::stack`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Frame {
    Resource { m: usize, ri: usize },
    ModuleInputs,
}

impl Evaluator {
    pub fn new(
        scan_root: PathBuf,
        root_dir: PathBuf,
        configs: HashMap<PathBuf, Arc<ModuleConfig>>,
        sandbox: Sandbox,
        limits: Limits,
    ) -> Self {
        let modules_json = crate::module::read_modules_json(&root_dir, &sandbox);
        Evaluator {
            scan_root,
            root_dir,
            mods: Vec::new(),
            configs,
            used_configs: HashSet::new(),
            var_files_read: HashSet::new(),
            errors: Vec::new(),
            notes: Vec::new(),
            sources: BTreeMap::new(),
            files_scanned: 0,
            modules_json,
            eval_errors: 0,
            tmpl_placeholders: 0,
            unknown_collections: HashMap::new(),
            depth: 0,
            sandbox,
            limits,
            fuel: limits.fuel,
            over: None,
            module_instances: 0,
            resource_instances: 0,
            stack: Vec::new(),
            cycles_reported: HashSet::new(),
            limit_reported: HashSet::new(),
            items: Vec::new(),
            item_over: None,
            in_try: 0,
            call_errors: HashSet::new(),
            file_contents: Vec::new(),
            unread_modules: Vec::new(),
            sensitive_values: std::collections::BTreeSet::new(),
        }
    }

    /// The directories whose configurations this estate used with their file counts, and the
    /// variable files it read (count 1 each), sorted.
    pub fn used_dirs(&self) -> Vec<(PathBuf, usize)> {
        let mut v: Vec<(PathBuf, usize)> = self
            .used_configs
            .iter()
            .map(|d| {
                let n = self.configs.get(d).map(|c| c.files.len()).unwrap_or(0);
                (d.clone(), n)
            })
            .chain(self.var_files_read.iter().map(|p| (p.clone(), 1)))
            .collect();
        v.sort();
        v
    }

    /// Record that a configuration is part of this estate (its files and parse errors).
    pub fn use_config(&mut self, cfg: &Arc<ModuleConfig>) {
        if self.used_configs.insert(cfg.dir.clone()) {
            for f in &cfg.files {
                self.sources.insert(f.rel.clone(), f.text.clone());
            }
            self.files_scanned += cfg.files.len();
            self.errors.extend(cfg.errors.iter().cloned());
        }
    }

    pub fn add_module(
        &mut self,
        prefix: String,
        key_path: String,
        config: Arc<ModuleConfig>,
        vars: HashMap<String, Node>,
        depth: usize,
        parent: Option<usize>,
    ) -> usize {
        self.use_config(&config);
        self.mods.push(ModInst {
            prefix,
            key_path,
            config,
            vars,
            depth,
            parent,
            locals: HashMap::new(),
            resources: HashMap::new(),
            children: HashMap::new(),
            outputs: HashMap::new(),
        });
        self.mods.len() - 1
    }

    pub fn error(&mut self, loc: &Loc, message: String) {
        self.errors.push(ScanError {
            file: loc.file.to_string(),
            line: loc.line,
            message,
        });
    }

    pub fn note(&mut self, loc: &Loc, message: String) {
        self.notes.push(Note {
            file: loc.file.to_string(),
            line: loc.line,
            message,
        });
    }

    fn cfg(&self, m: usize) -> Option<Arc<ModuleConfig>> {
        self.mods.get(m).map(|mi| mi.config.clone())
    }

    fn prefix(&self, m: usize) -> String {
        self.mods
            .get(m)
            .map(|mi| mi.prefix.clone())
            .unwrap_or_default()
    }

    /// Evaluate every resource and module call of every instance (children are appended as
    /// they are created).
    pub fn run(&mut self) {
        let mut m = 0;
        while m < self.mods.len() {
            let Some(cfg) = self.cfg(m) else { break };
            for ri in 0..cfg.resources.len() {
                self.resource(m, ri);
            }
            for ci in 0..cfg.modules.len() {
                self.child(m, ci);
            }
            m += 1;
        }
    }

    /// All evaluated resource instances, in module order.
    pub fn take_resources(&mut self) -> Vec<(usize, Rc<ResEval>, usize)> {
        // Taken out of the module instances, so that the caller usually holds the only
        // reference and can move the attributes instead of cloning them.
        let mut out = Vec::new();
        for (m, mi) in self.mods.iter_mut().enumerate() {
            let mut slots: Vec<(usize, Slot<Rc<ResEval>>)> =
                std::mem::take(&mut mi.resources).into_iter().collect();
            slots.sort_by_key(|(ri, _)| *ri);
            for (ri, slot) in slots {
                if let Slot::Done(r) = slot {
                    out.push((m, r, ri));
                }
            }
        }
        out
    }

    // ---------------------------------------------------------------- locals

    fn local(&mut self, m: usize, name: &str) -> Node {
        match self.mods.get(m).and_then(|mi| mi.locals.get(name)) {
            Some(Slot::Done(n)) => return n.clone(),
            Some(Slot::InProgress) => {
                self.eval_errors += 1;
                let loc = self
                    .cfg(m)
                    .and_then(|c| c.locals.get(name).map(|a| a.loc.clone()));
                if let Some(loc) = loc {
                    self.error(&loc, TfError::LocalCycle(name.to_string()).to_string());
                }
                return Node::new(unk(format!("local `{name}` depends on itself")), None);
            }
            None => {}
        }
        let Some(cfg) = self.cfg(m) else {
            return Node::default();
        };
        let Some(attr) = cfg.locals.get(name) else {
            self.eval_errors += 1;
            return Node::new(unk(format!("local `{name}` is not declared")), None);
        };
        if let Some(mi) = self.mods.get_mut(m) {
            mi.locals.insert(name.to_string(), Slot::InProgress);
        }
        let mut sc = Scope::module(m);
        self.begin_item();
        let mut n = self.eval(&attr.expr, &mut sc);
        self.end_item();
        if n.loc.is_none() {
            n.loc = Some(attr.loc.clone());
        }
        if let Some(mi) = self.mods.get_mut(m) {
            mi.locals.insert(name.to_string(), Slot::Done(n.clone()));
        }
        n
    }

    // ---------------------------------------------------------------- resources

    /// Evaluate a resource (all its instances), once.
    pub fn resource(&mut self, m: usize, ri: usize) -> Option<Rc<ResEval>> {
        match self.mods.get(m).and_then(|mi| mi.resources.get(&ri)) {
            Some(Slot::Done(r)) => return Some(r.clone()),
            Some(Slot::InProgress) => {
                self.resource_cycle(m, ri);
                return None;
            }
            None => {}
        }
        let cfg = self.cfg(m)?;
        let decl = cfg.resources.get(ri)?;
        if let Some(mi) = self.mods.get_mut(m) {
            mi.resources.insert(ri, Slot::InProgress);
        }
        self.stack.push(Frame::Resource { m, ri });
        self.begin_item();
        let r = self.resource_inner(m, ri, &cfg, decl);
        self.end_item();
        self.stack.pop();
        r
    }

    /// A resource referred to while it is being evaluated. Terraform rejects a cycle between
    /// resources; one that passes through a module call's inputs (which moat evaluates all at
    /// once, Terraform one by one) may not be a cycle, so it is not reported.
    fn resource_cycle(&mut self, m: usize, ri: usize) {
        let here = Frame::Resource { m, ri };
        let Some(pos) = self.stack.iter().rposition(|f| *f == here) else {
            return;
        };
        let path: Vec<(usize, usize)> = self
            .stack
            .get(pos..)
            .unwrap_or(&[])
            .iter()
            .filter_map(|f| match f {
                Frame::Resource { m, ri } => Some((*m, *ri)),
                Frame::ModuleInputs => None,
            })
            .collect();
        let through_module = self
            .stack
            .get(pos..)
            .unwrap_or(&[])
            .contains(&Frame::ModuleInputs);
        if through_module || !self.cycles_reported.insert((m, ri)) {
            return;
        }
        let mut names: Vec<String> = Vec::new();
        for (pm, pri) in &path {
            self.cycles_reported.insert((*pm, *pri));
            let decl = self.cfg(*pm).and_then(|c| {
                c.resources.get(*pri).map(|d| {
                    let data = if d.mode == Mode::Data { "data." } else { "" };
                    format!("{data}{}.{}", d.rtype, d.name)
                })
            });
            if let Some(d) = decl {
                let prefix = self.prefix(*pm);
                names.push(if prefix.is_empty() {
                    d
                } else {
                    format!("{prefix}.{d}")
                });
            }
        }
        if let Some(first) = names.first().cloned() {
            names.push(first);
        }
        let loc = self
            .cfg(m)
            .and_then(|c| c.resources.get(ri).map(|d| d.loc.clone()));
        if let Some(loc) = loc {
            self.error(
                &loc,
                TfError::ResourceCycle(names.join("` -> `")).to_string(),
            );
        }
    }

    fn resource_inner(
        &mut self,
        m: usize,
        ri: usize,
        _cfg: &Arc<ModuleConfig>,
        decl: &ResDecl,
    ) -> Option<Rc<ResEval>> {
        let prefix = self.prefix(m);
        let base = format!(
            "{}{}{}.{}",
            if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}.")
            },
            if decl.mode == Mode::Data { "data." } else { "" },
            decl.rtype,
            decl.name
        );
        let (expansion, keys) =
            self.expand(m, &decl.body, &base, &decl.loc, Limit::ResourceInstances);
        self.count_instances(Limit::ResourceInstances, keys.len());
        let mut instances = Vec::new();
        for (key, sc) in keys {
            let address = match &key {
                Some(k) => format!("{base}{}", instance_key(k)),
                None => base.clone(),
            };
            let mut sc = sc;
            let mut attrs = self.eval_body(&decl.body, &mut sc, true);
            self.special_data(decl, &address, &mut attrs);
            instances.push(Instance {
                address,
                key,
                attrs,
            });
        }
        let r = Rc::new(ResEval {
            base,
            mode: decl.mode,
            expansion,
            instances,
        });
        if let Some(mi) = self.mods.get_mut(m) {
            mi.resources.insert(ri, Slot::Done(r.clone()));
        }
        Some(r)
    }

    /// The region of the root module's default AWS provider, when it is known.
    fn provider_region(&mut self) -> Option<String> {
        let attr = self.mods.first()?.config.aws_region.clone()?;
        let n = self.eval(&attr.expr, &mut Scope::module(0));
        n.as_str().map(str::to_string)
    }

    fn special_data(&mut self, decl: &ResDecl, address: &str, attrs: &mut BTreeMap<String, Node>) {
        if decl.mode != Mode::Data {
            return;
        }
        match decl.rtype.as_str() {
            "aws_iam_policy_document" => {
                let json = crate::policy_document::render(attrs, address);
                let node = Node::new(json, Some(decl.loc.clone()));
                attrs.insert("json".into(), node.clone());
                attrs.insert("minified_json".into(), node);
            }
            "aws_partition" => {
                let loc = Some(decl.loc.clone());
                let region = self.provider_region();
                let (partition, suffix) = match region.as_deref() {
                    Some(r) if r.starts_with("cn-") => ("aws-cn", "amazonaws.com.cn"),
                    Some(r) if r.starts_with("us-gov-") => ("aws-us-gov", "amazonaws.com"),
                    _ => ("aws", "amazonaws.com"),
                };
                attrs
                    .entry("partition".into())
                    .or_insert_with(|| Node::new(Value::String(partition.into()), loc.clone()));
                attrs
                    .entry("dns_suffix".into())
                    .or_insert_with(|| Node::new(Value::String(suffix.into()), loc));
            }
            "aws_region" => {
                // Without arguments: the provider's region (set in configuration).
                let asked = ["name", "region", "endpoint"]
                    .iter()
                    .any(|k| attrs.get(*k).is_some_and(|n| !n.is_null()));
                if !asked {
                    if let Some(r) = self.provider_region() {
                        let node = Node::new(Value::String(r), Some(decl.loc.clone()));
                        attrs.insert("name".into(), node.clone());
                        attrs.insert("region".into(), node.clone());
                        attrs.insert("id".into(), node);
                    }
                }
            }
            _ => {}
        }
    }

    /// Evaluate a block body into attributes; nested blocks become lists of maps.
    pub fn eval_body(&mut self, body: &Body, sc: &mut Scope, top: bool) -> BTreeMap<String, Node> {
        let mut out = BTreeMap::new();
        for a in &body.attrs {
            if top && META_ATTRS.contains(&a.name.as_str()) {
                continue;
            }
            let mut n = self.eval(&a.expr, sc);
            n.loc = Some(a.loc.clone());
            out.insert(a.name.clone(), n);
        }
        for b in &body.blocks {
            if top && META_BLOCKS.contains(&b.kind.as_str()) {
                continue;
            }
            if b.kind == "dynamic" {
                let Some(label) = b.labels.first() else {
                    continue;
                };
                let items = self.dynamic_block(b, label, sc);
                let entry = out
                    .entry(label.clone())
                    .or_insert_with(|| Node::new(Value::List(Vec::new()), Some(b.loc.clone())));
                if let Value::List(l) = &mut entry.value {
                    l.extend(items);
                }
                continue;
            }
            let map = self.eval_body(&b.body, sc, false);
            let node = Node::new(Value::Map(map), Some(b.loc.clone()));
            let entry = out
                .entry(b.kind.clone())
                .or_insert_with(|| Node::new(Value::List(Vec::new()), Some(b.loc.clone())));
            if let Value::List(l) = &mut entry.value {
                l.push(node);
            }
        }
        out
    }

    // ---------------------------------------------------------------- modules

    pub fn child(&mut self, m: usize, ci: usize) -> Option<Rc<ChildSet>> {
        match self.mods.get(m).and_then(|mi| mi.children.get(&ci)) {
            Some(Slot::Done(c)) => return Some(c.clone()),
            Some(Slot::InProgress) => return None,
            None => {}
        }
        if let Some(mi) = self.mods.get_mut(m) {
            mi.children.insert(ci, Slot::InProgress);
        }
        let set = Rc::new(crate::module::instantiate(self, m, ci));
        if let Some(mi) = self.mods.get_mut(m) {
            mi.children.insert(ci, Slot::Done(set.clone()));
        }
        Some(set)
    }

    pub fn modules_json_dir(&self, key: &str) -> Option<PathBuf> {
        self.modules_json.as_ref()?.get(key).cloned()
    }

    /// The configuration directories of module instance `m` and its callers, innermost first.
    pub fn mod_dirs(&self, m: usize) -> Vec<(PathBuf, String)> {
        let mut out = Vec::new();
        let mut cur = Some(m);
        while let Some(i) = cur {
            let Some(mi) = self.mods.get(i) else { break };
            out.push((mi.config.dir.clone(), mi.prefix.clone()));
            cur = mi.parent;
        }
        out
    }

    pub fn mod_depth(&self, m: usize) -> usize {
        self.mods.get(m).map(|mi| mi.depth).unwrap_or(0)
    }

    pub fn mod_key_path(&self, m: usize) -> String {
        self.mods
            .get(m)
            .map(|mi| mi.key_path.clone())
            .unwrap_or_default()
    }

    fn output(&mut self, m: usize, name: &str) -> Node {
        match self.mods.get(m).and_then(|mi| mi.outputs.get(name)) {
            Some(Slot::Done(n)) => return n.clone(),
            Some(Slot::InProgress) => {
                return Node::new(unk(format!("output `{name}` depends on itself")), None)
            }
            None => {}
        }
        let Some(cfg) = self.cfg(m) else {
            return Node::default();
        };
        let Some(attr) = cfg.outputs.get(name) else {
            self.eval_errors += 1;
            let p = self.prefix(m);
            return Node::new(unk(format!("`{p}` has no output `{name}`")), None);
        };
        if let Some(mi) = self.mods.get_mut(m) {
            mi.outputs.insert(name.to_string(), Slot::InProgress);
        }
        self.begin_item();
        let mut n = self.eval(&attr.expr, &mut Scope::module(m));
        self.end_item();
        if n.loc.is_none() {
            n.loc = Some(attr.loc.clone());
        }
        if cfg.sensitive_outputs.contains(name) {
            self.mark_sensitive(&n);
        }
        if let Some(mi) = self.mods.get_mut(m) {
            mi.outputs.insert(name.to_string(), Slot::Done(n.clone()));
        }
        n
    }

    /// Remember every string in a sensitive value, so that output never shows it.
    pub fn mark_sensitive(&mut self, n: &Node) {
        match &n.value {
            Value::String(s) if s.len() >= moat_model::Redaction::MIN_LEN => {
                self.sensitive_values.insert(s.clone());
            }
            Value::List(l) => l.iter().for_each(|x| self.mark_sensitive(x)),
            Value::Map(m) => m.values().for_each(|x| self.mark_sensitive(x)),
            _ => {}
        }
    }

    fn outputs_object(&mut self, m: usize) -> Node {
        let names: Vec<String> = self
            .cfg(m)
            .map(|c| c.outputs.keys().cloned().collect())
            .unwrap_or_default();
        let mut map = BTreeMap::new();
        for n in names {
            let v = self.output(m, &n);
            map.insert(n, v);
        }
        Node::new(Value::Map(map), None)
    }

    // ---------------------------------------------------------------- expressions

    pub fn eval(&mut self, e: &Expr, sc: &mut Scope) -> Node {
        match e {
            Expr::Hcl(expr, file) => self.ev(expr, Src::File(file), sc),
            Expr::Json(v, loc) => {
                if !self.spend(1, || Some(loc.clone())) {
                    return Node::new(self.exhausted_value(), Some(loc.clone()));
                }
                let n = self.ev_json(v, loc, sc);
                self.account(n, || Some(loc.clone()))
            }
        }
    }

    fn ev_json(&mut self, v: &serde_json::Value, loc: &Loc, sc: &mut Scope) -> Node {
        use serde_json::Value as J;
        let value = match v {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            J::String(s) => {
                if !s.contains("${") && !s.contains("%{") {
                    Value::String(s.clone())
                } else {
                    match hcl_edit::parser::parse_template(s) {
                        Ok(t) => return self.ev_template(&t, Src::Fixed(loc), sc, true),
                        Err(e) => {
                            self.error(loc, format!("invalid template: {}", e.message()));
                            unk("invalid template")
                        }
                    }
                }
            }
            J::Array(a) => Value::List(a.iter().map(|x| self.ev_json(x, loc, sc)).collect()),
            J::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, x)| (k.clone(), self.ev_json(x, loc, sc)))
                    .collect(),
            ),
        };
        Node::new(value, Some(loc.clone()))
    }

    pub fn ev(&mut self, e: &Expression, src: Src, sc: &mut Scope) -> Node {
        if self.over.is_some() || self.item_over.is_some() {
            return Node::new(self.exhausted_value(), None);
        }
        if self.depth > MAX_EXPR_DEPTH {
            self.eval_errors += 1;
            return Node::new(unk("expression nested too deeply"), src.loc(e.span()));
        }
        if !self.spend(1, || src.loc(e.span())) {
            return Node::new(self.exhausted_value(), None);
        }
        self.depth += 1;
        let n = self.ev_inner(e, src, sc);
        self.depth -= 1;
        self.account(n, || src.loc(e.span()))
    }

    // ---------------------------------------------------------------- limits

    /// Spend `units` of fuel. When it runs out, evaluation stops: an error is recorded once
    /// (at `loc`) and every value evaluated after is unknown.
    pub fn spend(&mut self, units: u64, loc: impl FnOnce() -> Option<Loc>) -> bool {
        if self.over.is_some() || self.item_over.is_some() {
            return false;
        }
        let used = self.limits.fuel - self.fuel;
        // One item (a resource, a module call, a local, an output) may use a fifth of the
        // fuel: past that it alone is unknown and the rest is still evaluated. Checked before
        // the total, so that one large charge stops its item, not the whole evaluation.
        if let Some((depth, start)) = self.items.last().copied() {
            if used.saturating_add(units) - start > self.limits.fuel / 5 {
                self.item_over = Some(depth);
                let at = loc().unwrap_or_else(|| self.fallback_loc());
                self.error(
                    &at,
                    TfError::ItemFuel {
                        fuel: self.limits.fuel / 5,
                    }
                    .to_string(),
                );
                return false;
            }
        }
        if self.fuel >= units {
            self.fuel -= units;
            return true;
        }
        self.fuel = 0;
        self.over = Some(Limit::Fuel);
        let at = loc().unwrap_or_else(|| self.fallback_loc());
        self.error(
            &at,
            TfError::FuelExhausted {
                fuel: self.limits.fuel,
            }
            .to_string(),
        );
        false
    }

    /// A function call failed (Terraform would reject the configuration): an error at the
    /// call, once per place, unless it is inside `try()`/`can()`.
    pub fn call_failed(&mut self, loc: Option<&Loc>, message: String) {
        self.eval_errors += 1;
        if self.in_try > 0 {
            return;
        }
        if let Some(l) = loc {
            if self
                .call_errors
                .insert((l.file.clone(), l.line, message.clone()))
            {
                self.error(l, message);
            }
        }
    }

    /// Start an item with its own share of fuel ([`Evaluator::spend`]).
    pub fn begin_item(&mut self) {
        let used = self.limits.fuel - self.fuel;
        self.items.push((self.items.len(), used));
    }

    /// End the innermost item; if it ran over its share, evaluation resumes.
    pub fn end_item(&mut self) {
        self.items.pop();
        if self.item_over.is_some_and(|d| d >= self.items.len()) {
            self.item_over = None;
        }
    }

    /// Fuel used so far (for the limits documentation and benchmarks).
    pub fn fuel_used(&self) -> u64 {
        self.limits.fuel - self.fuel
    }

    pub fn exhausted_value(&self) -> Value {
        unk("not evaluated: the evaluation limit `fuel` ran out")
    }

    /// A limit other than fuel was exceeded at `loc`: an error (once per place and limit),
    /// and the unknown value that stands for the result.
    pub fn over_limit(&mut self, limit: Limit, what: String, loc: Option<&Loc>) -> Value {
        self.eval_errors += 1;
        let at = loc.cloned().unwrap_or_else(|| self.fallback_loc());
        if self
            .limit_reported
            .insert((at.file.clone(), at.line, limit))
        {
            let max = match limit {
                Limit::StringBytes => self.limits.max_string_bytes as u64,
                Limit::CollectionLen => self.limits.max_collection_len as u64,
                Limit::ModuleInstances => self.limits.max_module_instances as u64,
                Limit::ResourceInstances => self.limits.max_resource_instances as u64,
                Limit::Fuel => self.limits.fuel,
            };
            self.error(&at, TfError::Limit { limit, max, what }.to_string());
        }
        unk(format!("over the limit `{limit}`"))
    }

    /// Charge for what a value holds (its own elements or string bytes; nested values were
    /// charged when they were built) and check it against the size limits.
    fn account(&mut self, n: Node, loc: impl Fn() -> Option<Loc>) -> Node {
        let (units, over) = match &n.value {
            Value::String(s) => (
                (s.len() / 64) as u64,
                (s.len() > self.limits.max_string_bytes)
                    .then(|| (Limit::StringBytes, format!("a string of {} bytes", s.len()))),
            ),
            Value::List(l) => (
                l.len() as u64,
                (l.len() > self.limits.max_collection_len).then(|| {
                    (
                        Limit::CollectionLen,
                        format!("a list of {} elements", l.len()),
                    )
                }),
            ),
            Value::Map(m) => (
                m.len() as u64,
                (m.len() > self.limits.max_collection_len).then(|| {
                    (
                        Limit::CollectionLen,
                        format!("a map of {} elements", m.len()),
                    )
                }),
            ),
            _ => (0, None),
        };
        if let Some((limit, what)) = over {
            let at = n.loc.clone().or_else(&loc);
            let v = self.over_limit(limit, what, at.as_ref());
            return Node::new(v, at);
        }
        if units > 0 && !self.spend(units, || n.loc.clone().or_else(&loc)) {
            return Node::new(self.exhausted_value(), n.loc);
        }
        n
    }

    /// Where to report a limit when the expression has no location: the root module.
    fn fallback_loc(&self) -> Loc {
        self.mods
            .first()
            .and_then(|m| m.config.files.first().map(|f| f.file_loc()))
            .unwrap_or_else(|| Loc::new("", 0, 0))
    }

    fn ev_inner(&mut self, e: &Expression, src: Src, sc: &mut Scope) -> Node {
        let loc = src.loc(e.span());
        let value = match e {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => Value::Number(n.value().as_f64().unwrap_or(f64::NAN)),
            Expression::String(s) => Value::String(s.value().clone()),
            Expression::Array(a) => Value::List(a.iter().map(|x| self.ev(x, src, sc)).collect()),
            Expression::Object(o) => {
                let mut map = BTreeMap::new();
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(id) => id.value().to_string(),
                        ObjectKey::Expression(ke) => {
                            // A bare name as key is the name, not a variable.
                            if let Expression::Variable(v) = ke {
                                v.value().to_string()
                            } else {
                                let kn = self.ev(ke, src, sc);
                                match &kn.value {
                                    Value::Unknown(u) => {
                                        return Node::new(Value::Unknown(u.clone()), loc)
                                    }
                                    other => match to_str(other) {
                                        Some(s) => s,
                                        None => {
                                            self.eval_errors += 1;
                                            return Node::new(
                                                unk("object key is not a string"),
                                                loc,
                                            );
                                        }
                                    },
                                }
                            }
                        }
                    };
                    let vn = self.ev(v.expr(), src, sc);
                    map.insert(key, vn);
                }
                Value::Map(map)
            }
            Expression::StringTemplate(t) => return self.ev_template(t, src, sc, true).at_or(loc),
            Expression::HeredocTemplate(h) => {
                if crate::heredoc::has_strip(&h.template) {
                    let raw = match (src, e.span()) {
                        (Src::File(f), Some(span)) => f.text.get(span),
                        _ => None,
                    };
                    if let (Some(t), Some(l)) = (raw.and_then(crate::heredoc::rebuild), &loc) {
                        let l = l.clone();
                        return self.ev_template(&t, Src::Fixed(&l), sc, false).at_or(loc);
                    }
                }
                return self.ev_template(&h.template, src, sc, false).at_or(loc);
            }
            Expression::Parenthesis(p) => return self.ev(p.inner(), src, sc),
            Expression::Variable(v) => {
                let name = v.value().as_str();
                if let Some(b) = sc.lookup(name) {
                    return b.clone();
                }
                self.eval_errors += 1;
                unk(format!("`{name}` is not defined here"))
            }
            Expression::Conditional(c) => {
                let cond = self.ev(&c.cond_expr, src, sc);
                match &cond.value {
                    Value::Unknown(u) => {
                        let t = self.ev(&c.true_expr, src, sc);
                        let f = self.ev(&c.false_expr, src, sc);
                        if equal(&t.value, &f.value) == Some(true) {
                            return t;
                        }
                        Value::Unknown(combine_unknown(&[u], &[&t, &f]))
                    }
                    v => match to_bool(v) {
                        Some(true) => return self.ev(&c.true_expr, src, sc),
                        Some(false) => return self.ev(&c.false_expr, src, sc),
                        None => {
                            self.eval_errors += 1;
                            unk(format!("condition is not a bool: {}", describe(v)))
                        }
                    },
                }
            }
            Expression::FuncCall(f) => return self.ev_call(f, src, sc, loc),
            Expression::Traversal(t) => {
                let n = self.ev_traversal(t, src, sc);
                return if n.loc.is_none() { n.at_or(loc) } else { n };
            }
            Expression::UnaryOp(u) => {
                let x = self.ev(&u.expr, src, sc);
                match (&u.operator.value(), &x.value) {
                    (_, Value::Unknown(un)) => Value::Unknown(un.clone()),
                    (UnaryOperator::Neg, v) => match to_num(v) {
                        Some(n) => Value::Number(-n),
                        None => {
                            self.eval_errors += 1;
                            unk("`-` needs a number")
                        }
                    },
                    (UnaryOperator::Not, v) => match to_bool(v) {
                        Some(b) => Value::Bool(!b),
                        None => {
                            self.eval_errors += 1;
                            unk("`!` needs a bool")
                        }
                    },
                }
            }
            Expression::BinaryOp(b) => {
                let l = self.ev(&b.lhs_expr, src, sc);
                let r = self.ev(&b.rhs_expr, src, sc);
                self.binary(*b.operator.value(), &l, &r)
            }
            Expression::ForExpr(f) => return self.ev_for(f, src, sc, loc),
        };
        Node::new(value, loc)
    }

    fn binary(&mut self, op: BinaryOperator, l: &Node, r: &Node) -> Value {
        use BinaryOperator as B;
        match op {
            B::Eq | B::NotEq => match equal(&l.value, &r.value) {
                Some(eq) => Value::Bool(if op == B::Eq { eq } else { !eq }),
                None => Value::Unknown(combine_unknown(&first_unknowns([l, r]), &[l, r])),
            },
            B::And | B::Or => {
                let lb = to_bool(&l.value);
                let rb = to_bool(&r.value);
                let short = op == B::Or;
                // `false && x` is false and `true || x` is true whatever x is.
                if lb == Some(short) || rb == Some(short) {
                    return Value::Bool(short);
                }
                match (lb, rb) {
                    (Some(a), Some(b)) => Value::Bool(if short { a || b } else { a && b }),
                    _ => {
                        let us = first_unknowns([l, r]);
                        if us.is_empty() {
                            self.eval_errors += 1;
                            unk("logical operator needs bools")
                        } else {
                            Value::Unknown(combine_unknown(&us, &[l, r]))
                        }
                    }
                }
            }
            _ => {
                let us = first_unknowns([l, r]);
                if !us.is_empty() {
                    return Value::Unknown(combine_unknown(&us, &[l, r]));
                }
                let (Some(a), Some(b)) = (to_num(&l.value), to_num(&r.value)) else {
                    self.eval_errors += 1;
                    return unk("arithmetic needs numbers");
                };
                match op {
                    B::Plus => Value::Number(a + b),
                    B::Minus => Value::Number(a - b),
                    B::Mul => Value::Number(a * b),
                    B::Div => {
                        if b == 0.0 {
                            self.eval_errors += 1;
                            unk("division by zero")
                        } else {
                            Value::Number(a / b)
                        }
                    }
                    B::Mod => {
                        if b == 0.0 {
                            self.eval_errors += 1;
                            unk("modulo by zero")
                        } else {
                            Value::Number(a % b)
                        }
                    }
                    B::Less => Value::Bool(a < b),
                    B::LessEq => Value::Bool(a <= b),
                    B::Greater => Value::Bool(a > b),
                    B::GreaterEq => Value::Bool(a >= b),
                    _ => unk("unsupported operator"),
                }
            }
        }
    }

    /// Evaluate a template. With `single_passthrough`, a template made of exactly one
    /// interpolation yields that value unconverted (`"${var.list}"`).
    pub fn ev_template(
        &mut self,
        t: &Template,
        src: Src,
        sc: &mut Scope,
        single_passthrough: bool,
    ) -> Node {
        if single_passthrough {
            if let Some(Element::Interpolation(i)) = t.as_single_element() {
                return self.ev(&i.expr, src, sc);
            }
        }
        let mut out = String::new();
        let mut unknowns: Vec<Node> = Vec::new();
        let placeholders_before = self.tmpl_placeholders;
        self.render_template(t, src, sc, &mut out, &mut unknowns);
        if !unknowns.is_empty() {
            let us = first_unknowns(unknowns.iter());
            let all: Vec<&Node> = unknowns.iter().collect();
            let combined = combine_unknown(&us, &all);
            // Every unknown came from an interpolation (none from a directive's condition) and
            // there is literal text: keep the text, with placeholders for the unknown parts.
            let placeholder_len: usize = unknowns
                .iter()
                .filter_map(|n| n.unknown_reason().map(|u| u.placeholder().len()))
                .sum();
            if self.tmpl_placeholders - placeholders_before == unknowns.len()
                && out.len() > placeholder_len
            {
                let refs = combined.refs().iter().map(|r| r.to_string()).collect();
                return Node::new(
                    Value::Unknown(moat_model::Unknown::Template {
                        text: out,
                        reason: combined.to_string(),
                        refs,
                    }),
                    None,
                );
            }
            return Node::new(Value::Unknown(combined), None);
        }
        Node::new(Value::String(out), None)
    }

    /// Evaluate an expression of a template without counting the placeholders that its own
    /// evaluation renders (a reference can evaluate another resource's templates lazily):
    /// [`Self::ev_template`] compares its unknowns with the placeholders it wrote itself.
    fn ev_uncounted(&mut self, e: &Expression, src: Src, sc: &mut Scope) -> Node {
        let before = self.tmpl_placeholders;
        let n = self.ev(e, src, sc);
        self.tmpl_placeholders = before;
        n
    }

    fn render_template(
        &mut self,
        t: &Template,
        src: Src,
        sc: &mut Scope,
        out: &mut String,
        unknowns: &mut Vec<Node>,
    ) {
        let elems: Vec<&Element> = t.iter().collect();
        for (i, el) in elems.iter().enumerate() {
            if self.template_over(out, unknowns, src.loc(t.span())) {
                return;
            }
            match el {
                Element::Literal(s) => {
                    let mut text: &str = s.value();
                    // Strip markers on neighbours trim whitespace of literals.
                    if i > 0 && elems.get(i - 1).is_some_and(|p| strips_after(p)) {
                        text = text.trim_start();
                    }
                    if elems.get(i + 1).is_some_and(|n| strips_before(n)) {
                        text = text.trim_end();
                    }
                    out.push_str(text);
                }
                Element::Interpolation(ip) => {
                    let n = self.ev_uncounted(&ip.expr, src, sc);
                    match &n.value {
                        Value::Unknown(u) => {
                            out.push_str(&u.placeholder());
                            self.tmpl_placeholders += 1;
                            unknowns.push(n)
                        }
                        v => match to_str(v) {
                            Some(s) => out.push_str(&s),
                            None => {
                                self.eval_errors += 1;
                                unknowns.push(Node::new(
                                    unk(format!("cannot interpolate {}", describe(v))),
                                    None,
                                ));
                            }
                        },
                    }
                }
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(ifd) => {
                        let c = self.ev_uncounted(&ifd.if_expr.cond_expr, src, sc);
                        let endif_left = strip_left(ifd.endif_expr.strip);
                        match to_bool(&c.value) {
                            Some(true) => {
                                let end = match &ifd.else_expr {
                                    Some(e) => strip_left(e.strip),
                                    None => endif_left,
                                };
                                let mut buf = String::new();
                                self.render_template(
                                    &ifd.if_expr.template,
                                    src,
                                    sc,
                                    &mut buf,
                                    unknowns,
                                );
                                push_trimmed(out, &buf, strip_right(ifd.if_expr.strip), end);
                            }
                            Some(false) => {
                                if let Some(e) = &ifd.else_expr {
                                    let mut buf = String::new();
                                    self.render_template(&e.template, src, sc, &mut buf, unknowns);
                                    push_trimmed(out, &buf, strip_right(e.strip), endif_left);
                                }
                            }
                            None => unknowns.push(if c.is_unknown() {
                                c
                            } else {
                                self.eval_errors += 1;
                                Node::new(unk("template condition is not a bool"), None)
                            }),
                        }
                    }
                    Directive::For(fd) => {
                        let f = &fd.for_expr;
                        let coll = self.ev_uncounted(&f.collection_expr, src, sc);
                        let pairs = match iter_pairs(&coll) {
                            Ok(p) => p,
                            Err(n) => {
                                unknowns.push(n);
                                continue;
                            }
                        };
                        for (k, v) in pairs {
                            if self.template_over(out, unknowns, src.loc(f.collection_expr.span()))
                            {
                                return;
                            }
                            let pushed = self.bind_for(sc, f.key_var.as_ref(), &f.value_var, k, v);
                            let mut buf = String::new();
                            self.render_template(&f.template, src, sc, &mut buf, unknowns);
                            push_trimmed(
                                out,
                                &buf,
                                strip_right(f.strip),
                                strip_left(fd.endfor_expr.strip),
                            );
                            sc.binds.truncate(sc.binds.len() - pushed);
                        }
                    }
                },
            }
        }
    }

    /// A template being rendered has grown past `max_string_bytes`, or fuel ran out: record
    /// it (once) and stop rendering; the template's value is unknown.
    fn template_over(&mut self, out: &str, unknowns: &mut Vec<Node>, loc: Option<Loc>) -> bool {
        if self.over.is_some() {
            if unknowns.is_empty() {
                unknowns.push(Node::new(self.exhausted_value(), None));
            }
            return true;
        }
        if out.len() > self.limits.max_string_bytes {
            let v = self.over_limit(
                Limit::StringBytes,
                format!("a template of more than {} bytes", out.len()),
                loc.as_ref(),
            );
            unknowns.push(Node::new(v, loc));
            return true;
        }
        false
    }

    fn bind_for(
        &mut self,
        sc: &mut Scope,
        key_var: Option<&Decorated<hcl_edit::Ident>>,
        value_var: &Decorated<hcl_edit::Ident>,
        k: Node,
        v: Node,
    ) -> usize {
        let mut pushed = 0;
        if let Some(kv) = key_var {
            sc.binds.push((kv.value().to_string(), k));
            pushed += 1;
        }
        sc.binds.push((value_var.value().to_string(), v));
        pushed + 1
    }

    fn ev_for(&mut self, f: &ForExpr, src: Src, sc: &mut Scope, loc: Option<Loc>) -> Node {
        let coll = self.ev(&f.intro.collection_expr, src, sc);
        let pairs = match iter_pairs(&coll) {
            Ok(p) => p,
            Err(n) => return n.at_or(loc),
        };
        let mut list = Vec::new();
        let mut map: BTreeMap<String, Node> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Node>> = BTreeMap::new();
        for (k, v) in pairs {
            if self.over.is_some() {
                return Node::new(self.exhausted_value(), loc);
            }
            let pushed = self.bind_for(sc, f.intro.key_var.as_ref(), &f.intro.value_var, k, v);
            let keep = match &f.cond {
                Some(c) => {
                    let cn = self.ev(&c.expr, src, sc);
                    match to_bool(&cn.value) {
                        Some(b) => b,
                        None => {
                            sc.binds.truncate(sc.binds.len() - pushed);
                            if !cn.is_unknown() {
                                self.eval_errors += 1;
                            }
                            let all = [&coll, &cn];
                            return Node::new(
                                derived_with_refs("`for` condition is unknown", &all),
                                loc,
                            );
                        }
                    }
                }
                None => true,
            };
            if keep {
                match &f.key_expr {
                    Some(ke) => {
                        let kn = self.ev(ke, src, sc);
                        let Some(key) = to_str(&kn.value) else {
                            sc.binds.truncate(sc.binds.len() - pushed);
                            if !kn.is_unknown() {
                                self.eval_errors += 1;
                            }
                            let all = [&coll, &kn];
                            return Node::new(derived_with_refs("`for` key is unknown", &all), loc);
                        };
                        let vn = self.ev(&f.value_expr, src, sc);
                        if f.grouping {
                            groups.entry(key).or_default().push(vn);
                        } else {
                            map.insert(key, vn);
                        }
                    }
                    None => list.push(self.ev(&f.value_expr, src, sc)),
                }
            }
            sc.binds.truncate(sc.binds.len() - pushed);
        }
        let value = if f.key_expr.is_some() {
            if f.grouping {
                Value::Map(
                    groups
                        .into_iter()
                        .map(|(k, v)| (k, Node::new(Value::List(v), loc.clone())))
                        .collect(),
                )
            } else {
                Value::Map(map)
            }
        } else {
            Value::List(list)
        };
        Node::new(value, loc)
    }

    fn ev_call(&mut self, f: &FuncCall, src: Src, sc: &mut Scope, loc: Option<Loc>) -> Node {
        let name = f.name.name.value().as_str();
        let name = if f.name.is_namespaced() {
            // provider::aws::arn_parse and friends: not evaluated.
            let ns: Vec<&str> = f
                .name
                .namespace
                .iter()
                .map(|n| n.value().as_str())
                .collect();
            if ns.first() == Some(&"core") {
                name
            } else {
                let full = format!("{}::{name}", ns.join("::"));
                return Node::new(unk(format!("function `{full}` is not evaluated")), loc);
            }
        } else {
            name
        };
        match name {
            "try" => {
                for a in f.args.iter() {
                    let before = self.eval_errors;
                    self.in_try += 1;
                    let n = self.ev(a, src, sc);
                    self.in_try -= 1;
                    if self.eval_errors == before {
                        return n;
                    }
                    self.eval_errors = before;
                }
                self.eval_errors += 1;
                return Node::new(unk("no argument of `try` could be evaluated"), loc);
            }
            "can" => {
                let Some(a) = f.args.iter().next() else {
                    return Node::new(unk("`can` needs an argument"), loc);
                };
                let before = self.eval_errors;
                self.in_try += 1;
                let n = self.ev(a, src, sc);
                self.in_try -= 1;
                let ok = self.eval_errors == before;
                self.eval_errors = before;
                if ok && n.contains_unknown() {
                    return Node::new(derived_with_refs("`can` over an unknown value", &[&n]), loc);
                }
                return Node::new(Value::Bool(ok), loc);
            }
            _ => {}
        }
        let mut args: Vec<Node> = f.args.iter().map(|a| self.ev(a, src, sc)).collect();
        if f.args.expand_final() {
            if let Some(last) = args.pop() {
                match last.value {
                    Value::List(items) => args.extend(items),
                    Value::Unknown(u) => {
                        return Node::new(Value::Unknown(u), loc);
                    }
                    other => {
                        self.eval_errors += 1;
                        return Node::new(
                            unk(format!("cannot expand {} as arguments", other.type_name())),
                            loc,
                        );
                    }
                }
            }
        }
        let value = crate::functions::call(self, name, args, sc, loc.as_ref());
        Node::new(value, loc)
    }

    // ---------------------------------------------------------------- references

    fn ev_traversal(&mut self, t: &hcl_edit::expr::Traversal, src: Src, sc: &mut Scope) -> Node {
        let ops: &[Decorated<TraversalOperator>] = &t.operators;
        let Expression::Variable(v) = &t.expr else {
            let base = self.ev(&t.expr, src, sc);
            return self.apply_ops(base, ops, src, sc);
        };
        let root = v.value().as_str();
        if let Some(b) = sc.lookup(root) {
            let b = b.clone();
            return self.apply_ops(b, ops, src, sc);
        }
        if sc.no_refs {
            // A variable default, a tfvars value, an `optional()` default or a template's
            // variables: Terraform rejects references there ("Variables not allowed").
            self.eval_errors += 1;
            let at = src.loc(t.span());
            if let Some(l) = &at {
                self.error(l, TfError::RefNotAllowed(root.to_string()).to_string());
            }
            return Node::new(
                unk(format!("references to `{root}` are not allowed here")),
                at,
            );
        }
        let attr_at = |i: usize| -> Option<&str> {
            match ops.get(i).map(|o| o.value()) {
                Some(TraversalOperator::GetAttr(a)) => Some(a.value().as_str()),
                _ => None,
            }
        };
        let m = sc.m;
        match root {
            "var" => {
                let Some(name) = attr_at(0) else {
                    return self.bad_ref(root);
                };
                let n = match self.mods.get(m).and_then(|mi| mi.vars.get(name)) {
                    Some(n) => n.clone(),
                    None => {
                        self.eval_errors += 1;
                        Node::new(unk(format!("variable `{name}` is not declared")), None)
                    }
                };
                self.apply_ops(n, ops.get(1..).unwrap_or(&[]), src, sc)
            }
            "local" => {
                let Some(name) = attr_at(0) else {
                    return self.bad_ref(root);
                };
                let n = self.local(m, name);
                self.apply_ops(n, ops.get(1..).unwrap_or(&[]), src, sc)
            }
            "count" => match (attr_at(0), &sc.count_index) {
                (Some("index"), Some(i)) => {
                    let i = i.clone();
                    self.apply_ops(i, ops.get(1..).unwrap_or(&[]), src, sc)
                }
                _ => self.bad_ref("count.index"),
            },
            "each" => match (attr_at(0), &sc.each) {
                (Some("key"), Some((k, _))) => {
                    let k = k.clone();
                    self.apply_ops(k, ops.get(1..).unwrap_or(&[]), src, sc)
                }
                (Some("value"), Some((_, v))) => {
                    let v = v.clone();
                    self.apply_ops(v, ops.get(1..).unwrap_or(&[]), src, sc)
                }
                _ => self.bad_ref("each"),
            },
            "path" => {
                let s = match attr_at(0) {
                    Some("module") => self
                        .cfg(m)
                        .map(|c| crate::walk::relative(&c.dir, &self.root_dir))
                        .unwrap_or_else(|| ".".into()),
                    Some("root") | Some("cwd") => ".".into(),
                    _ => return self.bad_ref("path"),
                };
                Node::new(Value::String(s), None)
            }
            "terraform" => match attr_at(0) {
                Some("workspace") => Node::new(Value::String("default".into()), None),
                _ => self.bad_ref("terraform"),
            },
            "self" => Node::new(unk("`self` is not evaluated"), None),
            "module" => {
                let Some(name) = attr_at(0) else {
                    return self.bad_ref(root);
                };
                self.ref_module(m, name, ops.get(1..).unwrap_or(&[]), src, sc)
            }
            "data" => {
                let (Some(rtype), Some(name)) = (attr_at(0), attr_at(1)) else {
                    return self.bad_ref(root);
                };
                self.ref_resource(
                    m,
                    Mode::Data,
                    rtype,
                    name,
                    ops.get(2..).unwrap_or(&[]),
                    src,
                    sc,
                )
            }
            rtype => {
                let Some(name) = attr_at(0) else {
                    return self.bad_ref(root);
                };
                self.ref_resource(
                    m,
                    Mode::Managed,
                    rtype,
                    name,
                    ops.get(1..).unwrap_or(&[]),
                    src,
                    sc,
                )
            }
        }
    }

    fn bad_ref(&mut self, what: &str) -> Node {
        self.eval_errors += 1;
        Node::new(unk(format!("invalid reference `{what}`")), None)
    }

    #[allow(clippy::too_many_arguments)]
    fn ref_resource(
        &mut self,
        m: usize,
        mode: Mode,
        rtype: &str,
        name: &str,
        rest: &[Decorated<TraversalOperator>],
        src: Src,
        sc: &mut Scope,
    ) -> Node {
        let prefix = self.prefix(m);
        let base = format!(
            "{}{}{rtype}.{name}",
            if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}.")
            },
            if mode == Mode::Data { "data." } else { "" }
        );
        let Some(ri) = self.cfg(m).and_then(|c| {
            c.res_index
                .get(&(mode, rtype.to_string(), name.to_string()))
                .copied()
        }) else {
            self.eval_errors += 1;
            return Node::new(unk(format!("`{base}` is not declared")), None);
        };
        let Some(re) = self.resource(m, ri) else {
            // A reference cycle: identity known, value not.
            let attr = first_attr(rest).unwrap_or_else(|| "id".into());
            return Node::new(computed(mode, &base, &attr), None);
        };
        let target = Target::Resource { base: &base, mode };
        self.ref_instances(target, &re.expansion, Insts::Resource(&re), rest, src, sc)
    }

    fn ref_module(
        &mut self,
        m: usize,
        name: &str,
        rest: &[Decorated<TraversalOperator>],
        src: Src,
        sc: &mut Scope,
    ) -> Node {
        let Some(ci) = self.cfg(m).and_then(|c| c.mod_index.get(name).copied()) else {
            self.eval_errors += 1;
            return Node::new(unk(format!("module `{name}` is not declared")), None);
        };
        let Some(set) = self.child(m, ci) else {
            return Node::new(unk(format!("module `{name}` depends on itself")), None);
        };
        match set.as_ref() {
            ChildSet::Unresolved(u) => Node::new(Value::Unknown(u.clone()), None),
            ChildSet::Resolved { expansion, insts } => {
                let target = Target::Module { name };
                self.ref_instances(target, expansion, Insts::Module(insts), rest, src, sc)
            }
        }
    }

    /// `rest` applied to the instances of a resource or module call expanded as `expansion`:
    /// an index picks one instance (by `count.index` or `each.key`), no index means the only
    /// instance (single, or the placeholder of an unknown `count`/`for_each`, where an index is
    /// ignored) or the whole collection (a list for `count`, a map for `for_each`).
    fn ref_instances(
        &mut self,
        target: Target,
        expansion: &Expansion,
        insts: Insts,
        rest: &[Decorated<TraversalOperator>],
        src: Src,
        sc: &mut Scope,
    ) -> Node {
        match expansion {
            Expansion::Single | Expansion::Unknown => {
                let unknown = *expansion == Expansion::Unknown;
                let mut rest = rest;
                if unknown {
                    if let Some(TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_)) =
                        rest.first().map(|o| o.value())
                    {
                        rest = rest.get(1..).unwrap_or(&[]);
                    }
                }
                let Some((_, inst)) = insts.get(0) else {
                    return Node::new(unk(format!("{target} has no instance")), None);
                };
                if unknown && first_attr(rest).is_none() {
                    if let (Target::Resource { base, .. }, Inst::Resource(inst, _)) = (target, inst)
                    {
                        return self.ref_unknown_resource(base, inst, rest, src, sc);
                    }
                }
                self.ref_instance(inst, rest, src, sc)
            }
            Expansion::Count | Expansion::ForEach => {
                let idx = match rest.first().map(|o| o.value()) {
                    Some(TraversalOperator::Index(e)) => Some(self.ev(e, src, sc)),
                    Some(TraversalOperator::LegacyIndex(i)) => {
                        Some(Node::new(Value::Number(*i.value() as f64), None))
                    }
                    _ => None,
                };
                if let Some(k) = idx {
                    let after = rest.get(1..).unwrap_or(&[]);
                    if let Value::Unknown(u) = &k.value {
                        return match target {
                            Target::Resource { base, mode } => {
                                let attr = first_attr(after).unwrap_or_else(|| "id".into());
                                let c = Node::new(computed(mode, base, &attr), None);
                                Node::new(Value::Unknown(combine_unknown(&[u], &[&c])), None)
                            }
                            Target::Module { .. } => Node::new(Value::Unknown(u.clone()), None),
                        };
                    }
                    let found =
                        (0..insts.len())
                            .filter_map(|i| insts.get(i))
                            .find(|(key, _)| match (key, &k.value) {
                                (Some(Value::Number(a)), v) => to_num(v) == Some(*a),
                                (Some(Value::String(a)), v) => {
                                    to_str(v).as_deref() == Some(a.as_str())
                                }
                                _ => false,
                            });
                    let Some((_, inst)) = found else {
                        self.eval_errors += 1;
                        return Node::new(
                            unk(format!(
                                "{target} has no instance {}",
                                instance_key(&k.value)
                            )),
                            None,
                        );
                    };
                    return self.ref_instance(inst, after, src, sc);
                }
                let all = (0..insts.len()).filter_map(|i| insts.get(i));
                let whole = if *expansion == Expansion::Count {
                    Value::List(all.map(|(_, inst)| self.inst_object(inst)).collect())
                } else {
                    let mut map = BTreeMap::new();
                    for (key, inst) in all {
                        if let Some(Value::String(k)) = key {
                            map.insert(k.clone(), self.inst_object(inst));
                        }
                    }
                    Value::Map(map)
                };
                self.apply_ops(Node::new(whole, None), rest, src, sc)
            }
        }
    }

    /// `rest` applied to one instance: an attribute (a module's output) first, else the whole
    /// object.
    fn ref_instance(
        &mut self,
        inst: Inst,
        rest: &[Decorated<TraversalOperator>],
        src: Src,
        sc: &mut Scope,
    ) -> Node {
        if let Some(a) = first_attr(rest) {
            let n = match inst {
                Inst::Resource(inst, mode) => instance_attr(inst, mode, &a),
                Inst::Module(cm) => self.output(cm, &a),
            };
            return self.apply_ops(n, rest.get(1..).unwrap_or(&[]), src, sc);
        }
        let obj = self.inst_object(inst);
        self.apply_ops(obj, rest, src, sc)
    }

    /// A resource whose `count`/`for_each` is unknown, referred to without an attribute: a
    /// splat sees a list of its placeholder instance, the whole collection is unknown.
    fn ref_unknown_resource(
        &mut self,
        base: &str,
        inst: &Instance,
        rest: &[Decorated<TraversalOperator>],
        src: Src,
        sc: &mut Scope,
    ) -> Node {
        if let Some(TraversalOperator::FullSplat(_) | TraversalOperator::AttrSplat(_)) =
            rest.first().map(|o| o.value())
        {
            let obj = instance_object(inst);
            return self.apply_ops(Node::new(Value::List(vec![obj]), None), rest, src, sc);
        }
        let obj = instance_object(inst);
        if rest.is_empty() {
            // The whole collection of a resource whose count/for_each is unknown: not
            // the one placeholder instance (iterating it would iterate its attributes).
            // A `for_each` over it gets the placeholder as `each.value`.
            self.unknown_collections.insert(base.to_string(), obj);
            return Node::new(
                Value::Unknown(moat_model::Unknown::Derived {
                    reason: format!(
                        "the instances of `{base}` are not known (its count or for_each is unknown)"
                    ),
                    refs: vec![base.to_string()],
                }),
                None,
            );
        }
        self.apply_ops(obj, rest, src, sc)
    }

    /// The whole object of one instance (a module instance: its outputs).
    fn inst_object(&mut self, inst: Inst) -> Node {
        match inst {
            Inst::Resource(inst, _) => instance_object(inst),
            Inst::Module(cm) => self.outputs_object(cm),
        }
    }

    /// Apply traversal operators (attribute, index, splat) to a value.
    fn apply_ops(
        &mut self,
        cur: Node,
        ops: &[Decorated<TraversalOperator>],
        src: Src,
        sc: &mut Scope,
    ) -> Node {
        let mut cur = cur;
        let mut i = 0;
        while let Some(op) = ops.get(i) {
            match op.value() {
                TraversalOperator::GetAttr(a) => cur = self.get_attr(cur, a.value().as_str()),
                TraversalOperator::Index(e) => {
                    let k = self.ev(e, src, sc);
                    cur = self.index(cur, &k);
                }
                TraversalOperator::LegacyIndex(n) => {
                    let k = Node::new(Value::Number(*n.value() as f64), None);
                    cur = self.index(cur, &k);
                }
                TraversalOperator::FullSplat(_) | TraversalOperator::AttrSplat(_) => {
                    let full = matches!(op.value(), TraversalOperator::FullSplat(_));
                    let mut end = i + 1;
                    if full {
                        end = ops.len();
                    } else {
                        while let Some(TraversalOperator::GetAttr(_)) =
                            ops.get(end).map(|o| o.value())
                        {
                            end += 1;
                        }
                    }
                    let inner = ops.get(i + 1..end).unwrap_or(&[]);
                    let loc = cur.loc.clone();
                    cur = match cur.value {
                        Value::Unknown(u) => Node::new(Value::Unknown(u), loc),
                        Value::Null => Node::new(Value::List(Vec::new()), loc),
                        Value::List(items) => {
                            let mapped = items
                                .into_iter()
                                .map(|it| self.apply_ops(it, inner, src, sc))
                                .collect();
                            Node::new(Value::List(mapped), loc)
                        }
                        other => {
                            let one = self.apply_ops(Node::new(other, loc.clone()), inner, src, sc);
                            Node::new(Value::List(vec![one]), loc)
                        }
                    };
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
        cur
    }

    fn get_attr(&mut self, cur: Node, name: &str) -> Node {
        match cur.value {
            Value::Map(mut m) => {
                if let Some(n) = m.remove(name) {
                    return n;
                }
                if let Some(Value::String(addr)) = m.get(ADDR_KEY).map(|n| &n.value) {
                    let mode = if is_data_address(addr) {
                        Mode::Data
                    } else {
                        Mode::Managed
                    };
                    return Node::new(computed(mode, addr, name), None);
                }
                self.eval_errors += 1;
                Node::new(unk(format!("object has no attribute `{name}`")), None)
            }
            Value::Unknown(Unknown::Computed { address, attr }) => Node::new(
                Value::Unknown(Unknown::Computed {
                    address,
                    attr: format!("{attr}.{name}"),
                }),
                None,
            ),
            Value::Unknown(u) => Node::new(Value::Unknown(u), cur.loc),
            other => {
                self.eval_errors += 1;
                Node::new(
                    unk(format!(
                        "cannot read attribute `{name}` of {}",
                        describe(&other)
                    )),
                    None,
                )
            }
        }
    }

    fn index(&mut self, cur: Node, k: &Node) -> Node {
        if let Value::Unknown(u) = &k.value {
            let all = [&cur, k];
            return Node::new(Value::Unknown(combine_unknown(&[u], &all)), None);
        }
        match cur.value {
            Value::List(mut items) => {
                let Some(i) = to_num(&k.value).filter(|n| n.fract() == 0.0 && *n >= 0.0) else {
                    self.eval_errors += 1;
                    return Node::new(unk("list index must be a whole number"), None);
                };
                let i = i as usize;
                if i < items.len() {
                    items.swap_remove(i)
                } else {
                    self.eval_errors += 1;
                    Node::new(unk(format!("index {i} is out of range")), None)
                }
            }
            Value::Map(mut m) => {
                let Some(key) = to_str(&k.value) else {
                    self.eval_errors += 1;
                    return Node::new(unk("map key must be a string"), None);
                };
                if let Some(n) = m.remove(&key) {
                    return n;
                }
                if let Some(Value::String(addr)) = m.get(ADDR_KEY).map(|n| &n.value) {
                    let mode = if is_data_address(addr) {
                        Mode::Data
                    } else {
                        Mode::Managed
                    };
                    return Node::new(computed(mode, addr, &key), None);
                }
                self.eval_errors += 1;
                Node::new(unk(format!("map has no key `{key}`")), None)
            }
            Value::Unknown(u) => Node::new(Value::Unknown(u), cur.loc),
            other => {
                self.eval_errors += 1;
                Node::new(unk(format!("cannot index {}", describe(&other))), None)
            }
        }
    }

    /// The path a `file`/`templatefile`/`fileexists` argument names: relative paths are
    /// relative to the root module's directory, as Terraform runs there. Whether it may be
    /// read is the sandbox's decision.
    pub fn file_path(&self, p: &str) -> PathBuf {
        let path = Path::new(p);
        if path.is_absolute() {
            crate::walk::normalize(path)
        } else {
            crate::walk::normalize(&self.root_dir.join(path))
        }
    }
}

fn strip_left(s: Strip) -> bool {
    matches!(s, Strip::Start | Strip::Both)
}

fn strip_right(s: Strip) -> bool {
    matches!(s, Strip::End | Strip::Both)
}

fn push_trimmed(out: &mut String, text: &str, trim_start: bool, trim_end: bool) {
    let mut t = text;
    if trim_start {
        t = t.trim_start();
    }
    if trim_end {
        t = t.trim_end();
    }
    out.push_str(t);
}

fn strips_after(e: &Element) -> bool {
    let s = match e {
        Element::Interpolation(i) => i.strip,
        Element::Directive(d) => match d.as_ref() {
            Directive::If(i) => i.endif_expr.strip,
            Directive::For(f) => f.endfor_expr.strip,
        },
        Element::Literal(_) => return false,
    };
    matches!(s, Strip::End | Strip::Both)
}

fn strips_before(e: &Element) -> bool {
    let s = match e {
        Element::Interpolation(i) => i.strip,
        Element::Directive(d) => match d.as_ref() {
            Directive::If(i) => i.if_expr.strip,
            Directive::For(f) => f.for_expr.strip,
        },
        Element::Literal(_) => return false,
    };
    matches!(s, Strip::Start | Strip::Both)
}

/// (key, value) pairs of a collection for `for`; an unknown collection is returned as `Err`.
fn iter_pairs(coll: &Node) -> Result<Vec<(Node, Node)>, Node> {
    if let Some(pairs) = collection_pairs(&coll.value) {
        return Ok(pairs);
    }
    match &coll.value {
        Value::Unknown(u) => Err(Node::new(Value::Unknown(u.clone()), coll.loc.clone())),
        Value::Null => Err(Node::new(unk("cannot iterate over null"), coll.loc.clone())),
        other => Err(Node::new(
            unk(format!("cannot iterate over {}", describe(other))),
            coll.loc.clone(),
        )),
    }
}

pub(crate) fn is_data_address(addr: &str) -> bool {
    addr.starts_with("data.") || addr.contains(".data.")
}

/// What a reference to expanded instances names, for its messages: `` `aws_s3_bucket.b` `` or
/// `` module `m` ``.
#[derive(Clone, Copy)]
enum Target<'a> {
    Resource { base: &'a str, mode: Mode },
    Module { name: &'a str },
}

impl std::fmt::Display for Target<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Resource { base, .. } => write!(f, "`{base}`"),
            Target::Module { name } => write!(f, "module `{name}`"),
        }
    }
}

/// The instances of a resource or of a module call.
#[derive(Clone, Copy)]
enum Insts<'a> {
    Resource(&'a ResEval),
    Module(&'a [(Option<Value>, usize)]),
}

/// One instance of [`Insts`]: a resource instance, or a module instance's index.
#[derive(Clone, Copy)]
enum Inst<'a> {
    Resource(&'a Instance, Mode),
    Module(usize),
}

impl<'a> Insts<'a> {
    fn len(self) -> usize {
        match self {
            Insts::Resource(re) => re.instances.len(),
            Insts::Module(insts) => insts.len(),
        }
    }

    /// Instance `i` with its key (`count.index` or `each.key`).
    fn get(self, i: usize) -> Option<(Option<&'a Value>, Inst<'a>)> {
        match self {
            Insts::Resource(re) => re
                .instances
                .get(i)
                .map(|inst| (inst.key.as_ref(), Inst::Resource(inst, re.mode))),
            Insts::Module(insts) => insts
                .get(i)
                .map(|(key, cm)| (key.as_ref(), Inst::Module(*cm))),
        }
    }
}

/// The attribute named by the first operator, if it is `.name`.
fn first_attr(ops: &[Decorated<TraversalOperator>]) -> Option<String> {
    match ops.first().map(|o| o.value()) {
        Some(TraversalOperator::GetAttr(a)) => Some(a.value().to_string()),
        _ => None,
    }
}

fn computed(mode: Mode, address: &str, attr: &str) -> Value {
    match mode {
        Mode::Data => Value::Unknown(Unknown::DataSource {
            address: address.to_string(),
        }),
        Mode::Managed => Value::Unknown(Unknown::Computed {
            address: address.to_string(),
            attr: attr.to_string(),
        }),
    }
}

/// An attribute of a resource instance: the configured value, else known after apply.
fn instance_attr(inst: &Instance, mode: Mode, attr: &str) -> Node {
    match inst.attrs.get(attr) {
        Some(n) if !n.is_null() => n.clone(),
        _ => Node::new(computed(mode, &inst.address, attr), None),
    }
}

/// The whole instance as an object (with the hidden address marker).
fn instance_object(inst: &Instance) -> Node {
    let mut m = inst.attrs.clone();
    m.insert(
        ADDR_KEY.to_string(),
        Node::new(Value::String(inst.address.clone()), None),
    );
    Node::new(Value::Map(m), None)
}

/// A short description of a value for messages.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("string `{s}`"),
        Value::Number(n) => format!("number `{}`", moat_model::format_number(*n)),
        Value::Bool(b) => format!("bool `{b}`"),
        other => other.type_name().to_string(),
    }
}

trait AtOr {
    fn at_or(self, loc: Option<Loc>) -> Node;
}

impl AtOr for Node {
    fn at_or(mut self, loc: Option<Loc>) -> Node {
        if self.loc.is_none() {
            self.loc = loc;
        }
        self
    }
}
