//! Terraform plan JSON (`terraform show -json PLANFILE`) -> resolved [`Estate`].
//!
//! A plan is detected by content: a top-level object with `format_version` and
//! `planned_values`, in any `.json` file (not `.tf.json` nor `.tfvars.json`), in UTF-8 (with or
//! without a byte-order mark) or UTF-16 (PowerShell's `terraform show -json > plan.json` writes
//! UTF-16 LE). Each plan file is one estate whose `root` is the file's relative path.
//!
//! - Resources come from `planned_values` (child modules included, managed resources and data
//!   sources), data sources read during planning from `prior_state`. Addresses, types and
//!   module paths are Terraform's; each resource's location is the line of its object in the
//!   plan file, each value's the line of that value.
//! - Attributes are the planned `values`, in the shape the HCL frontend gives them (nested
//!   blocks are lists of maps). Values the plan lists in `after_unknown` are unknown: when the
//!   plan's `configuration` says the attribute refers to another resource (`aws_vpc.main.id`,
//!   also through module outputs and module inputs), the unknown is that resource's computed
//!   attribute (`Unknown::Computed`), so that reference edges and `Estate::resolve` find it as
//!   they do for HCL; an unknown attribute that the configuration does not set is left out, as
//!   the HCL frontend leaves it out (the provider computes it). `aws_iam_policy_document` data
//!   sources read at apply are rendered from their planned statements, as the HCL frontend
//!   renders them.
//! - Sensitive values (`sensitive_values`, `after_sensitive`, sensitive root variables) are kept
//!   for analysis and added to [`Estate::redactions`], so no output shows them.
//! - A plan that is not valid JSON, or whose parts have the wrong type, is an error with its
//!   line; the scan goes on with the other files.

mod json;
mod refs;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use moat_model::{
    Estate, Frontend, Limits, Loc, Mode, Node, Note, Redaction, Resource, Sandbox, ScanError,
    Unknown, Value, Written,
};
use rayon::prelude::*;

use crate::walk;
use json::{Kind, J};
use refs::Config;

/// Whether a file name may hold a plan: `.json`, but not Terraform's own `.tf.json` and
/// `.tfvars.json`.
fn is_plan_name(name: &str) -> bool {
    name.ends_with(".json") && !name.ends_with(".tf.json") && !name.ends_with(".tfvars.json")
}

/// Load every Terraform plan JSON file under `path` (a directory, walked; or a single file).
/// Returns one indexed and adapted estate per plan file (`root` = the file's path relative to
/// `path`; for a single file, its name). Other JSON files are ignored; a file that is a plan
/// but cannot be read is an estate holding only its error.
pub fn load(path: &Path, opts: &crate::Options) -> Vec<Estate> {
    let abs = std::path::absolute(path)
        .map(|p| walk::normalize(&p))
        .unwrap_or_else(|_| path.to_path_buf());
    let sandbox = Sandbox::new(&abs);
    let (files, base): (Vec<std::path::PathBuf>, std::path::PathBuf) = if abs.is_file() {
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        (vec![abs.clone()], dir)
    } else if abs.is_dir() {
        let (dirs, errors) = walk::walk_matching(&abs, &sandbox, is_plan_name);
        let files: Vec<_> = dirs.into_values().flatten().collect();
        let mut estates = read_all(files, &abs, &sandbox, &opts.limits);
        // Errors of the walk that name a plan candidate (a link out of the tree, a FIFO);
        // loops and unreadable directories are the Terraform frontend's to report.
        let mine: Vec<ScanError> = errors
            .into_iter()
            .filter(|e| is_plan_name(&e.file))
            .collect();
        for err in mine {
            let mut e = Estate::new();
            e.root = err.file.clone();
            e.errors.push(err);
            e.index();
            estates.push(e);
        }
        estates.sort_by(|a, b| a.root.cmp(&b.root));
        return estates;
    } else {
        return Vec::new();
    };
    read_all(files, &base, &sandbox, &opts.limits)
}

fn read_all(
    files: Vec<std::path::PathBuf>,
    base: &Path,
    sandbox: &Sandbox,
    limits: &Limits,
) -> Vec<Estate> {
    let mut out: Vec<Estate> = files
        .into_par_iter()
        .filter_map(|f| {
            let rel: Arc<str> = Arc::from(walk::relative(&f, base));
            match sandbox.read(&f, &rel) {
                Ok(bytes) => from_bytes(bytes, rel, limits),
                // Unreadable `.json` files are not known to be plans: only say so when the name
                // says it (`plan.json`, `tfplan.json`), or the start of a file too large to read
                // does.
                Err(r)
                    if rel.contains("plan")
                        || (matches!(r, moat_model::Refusal::TooLarge { .. })
                            && starts_like_plan(sandbox, &f, &rel)) =>
                {
                    let mut e = Estate::new();
                    e.root = rel.to_string();
                    e.errors.push(walk::refusal_error(&rel, r));
                    e.index();
                    Some(e)
                }
                Err(_) => None,
            }
        })
        .collect();
    out.sort_by(|a, b| a.root.cmp(&b.root));
    out
}

/// Whether the first bytes of a file (that is too large to read) are Terraform's JSON output.
fn starts_like_plan(sandbox: &Sandbox, path: &Path, rel: &str) -> bool {
    use std::io::Read;
    let Ok(real) = sandbox.resolve(path, rel) else {
        return false;
    };
    // Regular files only: opening a FIFO would block.
    if !std::fs::metadata(&real).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut head = Vec::new();
    let read = std::fs::File::open(&real).and_then(|f| f.take(64 * 1024).read_to_end(&mut head));
    if read.is_err() {
        return false;
    }
    let text = match decode(head) {
        Decoded::Text(t) => t,
        Decoded::Bad { text, .. } => text,
        Decoded::NotText => return false,
    };
    text.contains("\"format_version\"") && text.contains("\"terraform_version\"")
}

/// Read one plan from text (no file access), as [`load`] reads a file: parsed, resolved and
/// adapted. A text that is not a plan gives an estate with no resource and an error saying so.
/// Used by tests and the fuzz target; never panics.
pub fn load_str(name: &str, text: &str) -> Estate {
    let rel: Arc<str> = Arc::from(name);
    match from_text(rel.clone(), text.to_string(), &Limits::default()) {
        Some(e) => e,
        None => {
            let mut e = Estate::new();
            e.root = name.to_string();
            e.errors.push(ScanError {
                file: name.to_string(),
                line: 0,
                message: "not a Terraform plan: expected a JSON object with `format_version` and `planned_values` (`terraform show -json PLANFILE`)".into(),
            });
            e.index();
            e
        }
    }
}

/// Decode and read a file's bytes; `None` when it is not a plan.
fn from_bytes(bytes: Vec<u8>, rel: Arc<str>, limits: &Limits) -> Option<Estate> {
    match decode(bytes) {
        Decoded::Text(t) => from_text(rel, t, limits),
        Decoded::NotText => None,
        Decoded::Bad {
            text,
            line,
            message,
        } => looks_like_plan(&text).then(|| error_estate(&rel, line, 0, &message, &text)),
    }
}

enum Decoded {
    Text(String),
    /// Binary: not a plan.
    NotText,
    /// Text whose encoding is broken at `line`: `text` is what could be decoded (to tell
    /// whether it was meant to be a plan).
    Bad {
        text: String,
        line: u32,
        message: String,
    },
}

/// UTF-8 (a byte-order mark is dropped) or UTF-16 LE/BE (with a byte-order mark, or ASCII
/// text whose every other byte is NUL).
fn decode(bytes: Vec<u8>) -> Decoded {
    if let Some(enc) = walk::utf16(&bytes) {
        let le = enc == "UTF-16LE";
        let body = match bytes.get(..2) {
            Some([0xFF, 0xFE]) | Some([0xFE, 0xFF]) => bytes.get(2..).unwrap_or_default(),
            _ => &bytes[..],
        };
        let units = body.chunks(2).map(|c| match c {
            [a, b] if le => u16::from_le_bytes([*a, *b]),
            [a, b] => u16::from_be_bytes([*a, *b]),
            // An odd trailing byte: not a code unit.
            _ => 0xD800,
        });
        let mut text = String::with_capacity(body.len() / 2);
        let mut line = 1u32;
        for u in char::decode_utf16(units) {
            match u {
                Ok(c) => {
                    if c == '\n' {
                        line += 1;
                    }
                    text.push(c);
                }
                Err(_) => {
                    return Decoded::Bad {
                        text,
                        line,
                        message: format!("file is not valid {enc} (a broken surrogate pair or a truncated code unit)"),
                    }
                }
            }
        }
        let text = text
            .strip_prefix('\u{feff}')
            .map(str::to_string)
            .unwrap_or(text);
        return Decoded::Text(text);
    }
    if bytes.contains(&0) {
        return Decoded::NotText;
    }
    match String::from_utf8(bytes) {
        Ok(t) => Decoded::Text(t.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(t)),
        Err(e) => {
            let upto = e.utf8_error().valid_up_to();
            let valid = e.as_bytes().get(..upto).unwrap_or_default();
            let line = valid.iter().filter(|c| **c == b'\n').count() as u32 + 1;
            Decoded::Bad {
                text: String::from_utf8_lossy(valid).into_owned(),
                line,
                message: "file is not valid UTF-8".into(),
            }
        }
    }
}

/// Whether text that could not be read as a plan was meant to be one.
fn looks_like_plan(text: &str) -> bool {
    text.contains("\"format_version\"")
        && (text.contains("\"planned_values\"") || text.contains("\"resource_changes\""))
}

fn error_estate(rel: &Arc<str>, line: u32, column: u32, message: &str, text: &str) -> Estate {
    let mut e = Estate::new();
    e.root = rel.to_string();
    let at = if column > 0 {
        format!(" (line {line}, column {column})")
    } else {
        String::new()
    };
    e.errors.push(ScanError {
        file: rel.to_string(),
        line,
        message: format!("terraform plan cannot be read{at}: {message}"),
    });
    e.sources.insert(rel.clone(), Arc::from(text));
    e.files_scanned = 1;
    e.index();
    e
}

/// Parse, detect and build; `None` when the text is not a plan.
fn from_text(rel: Arc<str>, text: String, limits: &Limits) -> Option<Estate> {
    // Cheap pre-check: most JSON files in a repository are not plans.
    if !text.contains("\"planned_values\"") && !text.contains("\"format_version\"") {
        return None;
    }
    let doc = match json::parse(&text, limits.max_collection_len) {
        Ok(d) => d,
        Err(e) => {
            return looks_like_plan(&text)
                .then(|| error_estate(&rel, e.line, e.column, &e.message, &text));
        }
    };
    if doc.get("format_version").is_none() || doc.get("planned_values").is_none() {
        return None;
    }
    let mut estate = Builder::new(&doc, rel.clone(), limits).build();
    estate.root = rel.to_string();
    estate.sources.insert(rel, Arc::from(text));
    estate.files_scanned = 1;
    estate.work = doc.size();
    estate.sort_redactions();
    estate.index();
    crate::adapt::adapt(&mut estate);
    Some(estate)
}

/// One resource object of the plan.
struct Raw<'a> {
    address: String,
    rtype: String,
    name: String,
    mode: Mode,
    module: String,
    /// `index` (a count number or a for_each key).
    key: Option<&'a J>,
    obj: &'a J,
    values: Option<&'a J>,
    sensitive: Option<&'a J>,
}

/// A step into a value: a map key or a list index.
#[derive(Clone, Debug)]
enum Seg {
    Key(String),
    Index(usize),
}

struct Builder<'a> {
    doc: &'a J,
    rel: Arc<str>,
    limits: Limits,
    config: Config<'a>,
    errors: Vec<ScanError>,
    redactions: BTreeSet<String>,
    /// after_unknown and after_sensitive by address.
    changes: HashMap<String, (Option<&'a J>, Option<&'a J>)>,
    /// Instance keys by address without key (`aws_subnet.app` -> `["a"]`, `["b"]`), rendered.
    instances: HashMap<String, Vec<String>>,
    addresses: BTreeSet<String>,
    /// Planned values, module and address in the module (`aws_vpc.main`), by address.
    declared: HashMap<String, (&'a J, String, String)>,
    /// Notes on references whose instance had to be assumed.
    notes: std::sync::Mutex<Vec<Note>>,
}

impl<'a> Builder<'a> {
    fn new(doc: &'a J, rel: Arc<str>, limits: &Limits) -> Self {
        Builder {
            doc,
            rel,
            limits: *limits,
            config: Config::new(doc),
            errors: Vec::new(),
            redactions: BTreeSet::new(),
            changes: HashMap::new(),
            instances: HashMap::new(),
            addresses: BTreeSet::new(),
            declared: HashMap::new(),
            notes: std::sync::Mutex::new(Vec::new()),
        }
    }

    fn loc(&self, j: &J) -> Loc {
        Loc::new(self.rel.clone(), j.line, j.column)
    }

    fn error(&mut self, j: &J, message: String) {
        self.errors.push(ScanError {
            file: self.rel.to_string(),
            line: j.line,
            message,
        });
    }

    fn build(mut self) -> Estate {
        let doc = self.doc;
        let mut raws: Vec<Raw<'a>> = Vec::new();
        match doc.get("planned_values").and_then(|p| p.get("root_module")) {
            Some(root) => self.module(root, "planned_values.root_module", &mut raws),
            None => {
                if let Some(pv) = doc.get("planned_values") {
                    if pv.as_object().is_none() {
                        self.error(
                            pv,
                            format!(
                                "terraform plan: `planned_values` must be an object, found {}",
                                pv.type_name()
                            ),
                        );
                    }
                }
            }
        }
        // Data sources read while planning are in the prior state only.
        if let Some(root) = doc
            .get("prior_state")
            .and_then(|p| p.get("values"))
            .and_then(|v| v.get("root_module"))
        {
            let mut prior = Vec::new();
            self.module(root, "prior_state.values.root_module", &mut prior);
            let known: BTreeSet<String> = raws.iter().map(|r| r.address.clone()).collect();
            raws.extend(
                prior
                    .into_iter()
                    .filter(|r| r.mode == Mode::Data && !known.contains(&r.address)),
            );
        }
        if raws.len() > self.limits.max_resource_instances {
            let n = self.limits.max_resource_instances;
            self.error(
                doc,
                format!("terraform plan has more than {n} resources (the limit `max_resource_instances`); the rest are not read"),
            );
            raws.truncate(n);
        }
        self.changes(doc);
        for r in &raws {
            self.addresses.insert(r.address.clone());
            if let Some(v) = r.values {
                self.declared
                    .insert(r.address.clone(), (v, r.module.clone(), local_address(r)));
            }
            if let Some(k) = r.key {
                self.instances
                    .entry(refs::base_of(&r.address))
                    .or_default()
                    .push(key_suffix(k));
            }
        }
        let mut resources: Vec<Resource> = raws.iter().map(|r| self.resource(r)).collect();
        render_policy_documents(&mut resources);
        substitute_documents(&mut resources);
        for v in self.config.sensitive_root_vars() {
            collect_strings(v, &mut self.redactions);
        }
        // Sensitive outputs are not read, but their values must not show either.
        for (_, o) in doc
            .get("planned_values")
            .and_then(|p| p.get("outputs"))
            .and_then(J::as_object)
            .unwrap_or_default()
        {
            if o.get("sensitive").is_some_and(J::is_true) {
                if let Some(v) = o.get("value") {
                    collect_strings(v, &mut self.redactions);
                }
            }
        }
        let mut estate = Estate::new();
        for r in resources {
            estate.push(r);
        }
        estate.errors = self.errors;
        estate.notes = self.notes.into_inner().unwrap_or_default();
        estate.redactions = self
            .redactions
            .into_iter()
            .filter(|t| t.len() >= Redaction::MIN_LEN)
            .map(|text| Redaction {
                text,
                with: "(sensitive value)".into(),
            })
            .collect();
        estate
    }

    /// Collect the resources of a module object and its child modules.
    fn module(&mut self, m: &'a J, what: &str, out: &mut Vec<Raw<'a>>) {
        if m.as_object().is_none() {
            self.error(
                m,
                format!(
                    "terraform plan: `{what}` must be an object, found {}",
                    m.type_name()
                ),
            );
            return;
        }
        let module = m.get("address").and_then(J::as_str).unwrap_or_default();
        if let Some(rs) = m.get("resources") {
            match rs.as_array() {
                Some(items) => {
                    for r in items {
                        if let Some(raw) = self.raw(r, module, what) {
                            out.push(raw);
                        }
                    }
                }
                None => self.error(
                    rs,
                    format!(
                        "terraform plan: `{what}.resources` must be an array, found {}",
                        rs.type_name()
                    ),
                ),
            }
        }
        if let Some(cs) = m.get("child_modules") {
            match cs.as_array() {
                Some(items) => {
                    for c in items {
                        self.module(c, "child_modules[]", out);
                    }
                }
                None => self.error(
                    cs,
                    format!(
                        "terraform plan: `{what}.child_modules` must be an array, found {}",
                        cs.type_name()
                    ),
                ),
            }
        }
    }

    fn raw(&mut self, r: &'a J, module: &str, what: &str) -> Option<Raw<'a>> {
        let field = |k: &str| r.get(k).and_then(J::as_str).map(str::to_string);
        let (Some(address), Some(rtype), Some(name)) =
            (field("address"), field("type"), field("name"))
        else {
            self.error(
                r,
                format!("terraform plan: a resource in `{what}` must be an object with the strings `address`, `type` and `name`"),
            );
            return None;
        };
        let mode = match r.get("mode").and_then(J::as_str) {
            Some("data") => Mode::Data,
            _ => Mode::Managed,
        };
        let values = r.get("values").filter(|v| !v.is_null());
        if let Some(v) = values {
            if v.as_object().is_none() {
                self.error(
                    v,
                    format!(
                        "terraform plan: `values` of `{address}` must be an object, found {}",
                        v.type_name()
                    ),
                );
                return None;
            }
        }
        Some(Raw {
            address,
            rtype,
            name,
            mode,
            module: module.to_string(),
            key: r.get("index"),
            obj: r,
            values,
            sensitive: r.get("sensitive_values"),
        })
    }

    fn changes(&mut self, doc: &'a J) {
        let Some(rcs) = doc.get("resource_changes") else {
            return;
        };
        let Some(items) = rcs.as_array() else {
            self.error(
                rcs,
                format!(
                    "terraform plan: `resource_changes` must be an array, found {}",
                    rcs.type_name()
                ),
            );
            return;
        };
        for rc in items {
            let Some(addr) = rc.get("address").and_then(J::as_str) else {
                self.error(
                    rc,
                    "terraform plan: an entry of `resource_changes` has no `address`".into(),
                );
                continue;
            };
            let change = rc.get("change");
            self.changes.insert(
                addr.to_string(),
                (
                    change.and_then(|c| c.get("after_unknown")),
                    change.and_then(|c| c.get("after_sensitive")),
                ),
            );
        }
    }

    fn resource(&mut self, raw: &Raw<'a>) -> Resource {
        let loc = self.loc(raw.obj);
        let mut r = Resource::new(
            raw.address.clone(),
            raw.rtype.clone(),
            raw.name.clone(),
            Frontend::TerraformPlan,
            loc.clone(),
        );
        r.mode = raw.mode;
        r.module = raw.module.clone();
        let decl = self.config.resource(&raw.module, &local_address(raw));
        let exprs = decl.and_then(|d| d.get("expressions"));
        let mut attrs: BTreeMap<String, Node> = BTreeMap::new();
        if let Some(values) = raw.values.and_then(J::as_object) {
            for (k, v) in values {
                attrs.insert(k.clone(), self.node(v));
            }
        }
        let (unknown, after_sensitive) = self
            .changes
            .get(&raw.address)
            .copied()
            .unwrap_or((None, None));
        // Sensitive values: hidden in output, kept for analysis.
        for s in [raw.sensitive, after_sensitive].into_iter().flatten() {
            if let Some(values) = raw.values {
                sensitive_strings(values, s, &mut self.redactions);
            }
        }
        if let Some(unk) = unknown.filter(|u| u.as_object().is_some()) {
            let ctx = Ctx {
                raw,
                decl,
                exprs,
                shape: after_sensitive.or(raw.sensitive),
                loc: &loc,
            };
            let mut path = Vec::new();
            let mut root = Node::new(Value::Map(std::mem::take(&mut attrs)), Some(loc.clone()));
            self.overlay(&mut root, unk, &mut path, &ctx);
            if let Value::Map(m) = root.value {
                attrs = m;
            }
        }
        // A known value that the configuration takes from another resource's computed
        // attribute (a plan against deployed resources knows `vpc-0abc`): that reference, as
        // the HCL frontend has it, so that edges and `Estate::resolve` find the resource.
        if exprs.is_some() {
            let mut path = Vec::new();
            for (k, n) in attrs.iter_mut() {
                path.push(Seg::Key(k.clone()));
                self.link_known(n, &mut path, raw, exprs, 0);
                path.pop();
            }
        }
        // Single nested blocks are objects in the plan, lists of one map in HCL.
        if let Some(ex) = exprs.and_then(J::as_object) {
            for (k, e) in ex {
                if e.as_object().is_some() && !refs::is_expression(e) {
                    if let Some(n) = attrs.get_mut(k) {
                        if matches!(n.value, Value::Map(_)) {
                            let inner = std::mem::take(n);
                            *n = Node::new(Value::List(vec![inner.clone()]), inner.loc);
                        }
                    }
                }
            }
        }
        // Inside nested blocks, the provider plans `""` for optional strings left unset; the
        // HCL frontend has nothing there (a route with `gateway_id = ""` is not a route to a
        // gateway).
        for n in attrs.values_mut() {
            if let Value::List(items) = &mut n.value {
                for item in items.iter_mut() {
                    blank_to_null(item, 0);
                }
            }
        }
        r.written = Arc::new(written(exprs, &attrs));
        r.attrs = attrs;
        r
    }

    fn link_known(
        &self,
        n: &mut Node,
        path: &mut Vec<Seg>,
        raw: &Raw<'_>,
        exprs: Option<&J>,
        depth: usize,
    ) {
        if depth > json::MAX_DEPTH {
            return;
        }
        match &mut n.value {
            Value::String(s) if !s.is_empty() => {
                let Hit::Expr(e) = expr_at(exprs, path) else {
                    return;
                };
                let Some(refs) = refs::expression_refs(e) else {
                    return;
                };
                let sources = self.config.sources(&raw.module, &refs);
                for t in &sources.targets {
                    let attr = t.attr.clone().unwrap_or_else(|| "id".into());
                    let candidates: Vec<String> = if self.addresses.contains(&t.address) {
                        vec![t.address.clone()]
                    } else {
                        let mut keys = self.instances.get(&t.address).cloned().unwrap_or_default();
                        keys.sort();
                        keys.iter().map(|k| format!("{}{k}", t.address)).collect()
                    };
                    for c in candidates {
                        let Some((values, module, local)) = self.declared.get(&c) else {
                            continue;
                        };
                        if values.get(&attr).and_then(J::as_str) != Some(s.as_str()) {
                            continue;
                        }
                        // Only an attribute the provider computes: one set in the target's
                        // configuration is its value, as in the HCL frontend.
                        let configured = self
                            .config
                            .resource(module, local)
                            .and_then(|d| d.get("expressions"))
                            .is_some_and(|x| x.get(&attr).is_some());
                        if configured {
                            return;
                        }
                        n.value = Value::Unknown(Unknown::Computed { address: c, attr });
                        return;
                    }
                }
            }
            Value::List(items) => {
                for (i, x) in items.iter_mut().enumerate() {
                    path.push(Seg::Index(i));
                    self.link_known(x, path, raw, exprs, depth + 1);
                    path.pop();
                }
            }
            Value::Map(m) => {
                for (k, x) in m.iter_mut() {
                    path.push(Seg::Key(k.clone()));
                    self.link_known(x, path, raw, exprs, depth + 1);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    fn node(&self, j: &J) -> Node {
        let value = match &j.kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Number(n) => Value::Number(*n),
            Kind::String(s) => Value::String(s.clone()),
            Kind::Array(a) => Value::List(a.iter().map(|x| self.node(x)).collect()),
            Kind::Object(m) => {
                Value::Map(m.iter().map(|(k, v)| (k.clone(), self.node(v))).collect())
            }
        };
        Node::new(value, Some(self.loc(j)))
    }

    /// Apply `after_unknown` (`unk`) to `node` at `path`.
    fn overlay(&mut self, node: &mut Node, unk: &J, path: &mut Vec<Seg>, ctx: &Ctx<'_, 'a>) {
        match &unk.kind {
            Kind::Object(members) => {
                if !matches!(node.value, Value::Map(_)) {
                    node.value = Value::Map(BTreeMap::new());
                }
                for (k, u) in members {
                    if matches!(u.kind, Kind::Bool(false)) {
                        continue;
                    }
                    path.push(Seg::Key(k.clone()));
                    if u.is_true() {
                        let replacement = self.reconstruct(path, ctx, None);
                        if let Value::Map(m) = &mut node.value {
                            match replacement {
                                Some(n) => {
                                    m.insert(k.clone(), n);
                                }
                                None => {
                                    m.remove(k);
                                }
                            }
                        }
                    } else if let Value::Map(m) = &mut node.value {
                        if let Some(child) = m.get_mut(k) {
                            self.overlay(child, u, path, ctx);
                        }
                    }
                    path.pop();
                }
            }
            Kind::Array(items) => {
                let Value::List(list) = &mut node.value else {
                    return;
                };
                for (i, u) in items.iter().enumerate() {
                    if matches!(u.kind, Kind::Bool(false)) {
                        continue;
                    }
                    path.push(Seg::Index(i));
                    if let Some(child) = list.get_mut(i) {
                        if u.is_true() {
                            let at = child.loc.clone();
                            *child = self.reconstruct(path, ctx, at).unwrap_or_else(|| {
                                Node::unknown(self_unknown(ctx.raw, path), Some(ctx.loc.clone()))
                            });
                        } else {
                            self.overlay(child, u, path, ctx);
                        }
                    }
                    path.pop();
                }
            }
            _ => {}
        }
    }

    /// The value of an attribute that is known only after apply. `None` when the
    /// configuration does not set it (the provider computes it; the HCL frontend leaves it out).
    fn reconstruct(&self, path: &[Seg], ctx: &Ctx<'_, 'a>, at: Option<Loc>) -> Option<Node> {
        let loc = at.or_else(|| Some(ctx.loc.clone()));
        if ctx.decl.is_none() {
            // The plan has no configuration for this resource: nothing says whether the value
            // is the provider's or written, nor where it comes from.
            return Some(Node::unknown(self_unknown(ctx.raw, path), loc));
        }
        let expr = match expr_at(ctx.exprs, path) {
            Hit::None => return None,
            Hit::Block | Hit::Unconfigured => {
                return Some(Node::unknown(self_unknown(ctx.raw, path), loc));
            }
            Hit::Expr(e) => e,
        };
        let refs = refs::expression_refs(expr).unwrap_or_default();
        let mut sources = self.config.sources(&ctx.raw.module, &refs);
        // `each.value.id` in a resource whose `for_each` is another resource: that resource's
        // instance with the same key.
        if !sources.each_value.is_empty() {
            let fe = ctx
                .decl
                .and_then(|d| d.get("for_each_expression"))
                .and_then(refs::expression_refs)
                .unwrap_or_default();
            let over = self.config.sources(&ctx.raw.module, &fe);
            let attr = sources.each_value.iter().flatten().next().cloned();
            match (over.targets.as_slice(), ctx.raw.key.map(|k| &k.kind)) {
                ([t], Some(Kind::String(_))) if !t.indexed && !over.opaque => {
                    sources.targets.push(refs::Target {
                        address: t.address.clone(),
                        attr,
                        indexed: false,
                    });
                    sources.each_key = true;
                }
                // `aws_nat_gateway.this[each.value]`: an index into a resource named beside it
                // (the instance is chosen below); alone, `each.value` is the value itself.
                _ if !sources.targets.is_empty() => {}
                _ => sources.opaque = true,
            }
        }
        let targets: Vec<(String, String)> = sources
            .targets
            .iter()
            .map(|t| {
                (
                    self.instance(t, ctx.raw, &sources, path),
                    t.attr.clone().unwrap_or_else(|| "id".into()),
                )
            })
            .collect();
        let computed = |(a, attr): &(String, String)| {
            Node::unknown(
                Unknown::Computed {
                    address: a.clone(),
                    attr: attr.clone(),
                },
                loc.clone(),
            )
        };
        let collection = matches!(
            shape_at(ctx.shape, path).map(|s| &s.kind),
            Some(Kind::Array(_))
        ) || matches!(
            expr.get("constant_value").map(|c| &c.kind),
            Some(Kind::Array(_))
        );
        let all_refs: Vec<String> = targets.iter().map(|(a, _)| a.clone()).collect();
        // Placeholder-safe ("known only after apply": an ID or ARN, never a wildcard) only when
        // every source is a resource attribute; a local value could be anything.
        let reason = if sources.opaque {
            format!(
                "`{}.{}` is known only at apply and depends on a local value or a module the plan's configuration does not detail",
                ctx.raw.address,
                dotted(path)
            )
        } else {
            format!(
                "`{}.{}` is known only after apply",
                ctx.raw.address,
                dotted(path)
            )
        };
        let whole = Unknown::Derived {
            reason,
            refs: all_refs,
        };
        if collection && !targets.is_empty() {
            // A resource named without key in a list (`aws_subnet.public[*].id`, a `for` over
            // it) stands for all its instances.
            let mut expanded: Vec<(String, String)> = Vec::new();
            for (t, (a, attr)) in sources.targets.iter().zip(&targets) {
                match self.instances.get(a.as_str()) {
                    Some(keys)
                        if !t.indexed
                            && !sources.count_index
                            && !sources.each_key
                            && !self.addresses.contains(a) =>
                    {
                        let mut keys = keys.clone();
                        keys.sort();
                        expanded.extend(keys.iter().map(|k| (format!("{a}{k}"), attr.clone())));
                    }
                    _ => expanded.push((a.clone(), attr.clone())),
                }
            }
            // A list variable adds elements, unless it holds the keys being iterated over.
            let keys: BTreeSet<String> = sources
                .targets
                .iter()
                .filter_map(|t| self.instances.get(&t.address))
                .flatten()
                .cloned()
                .collect();
            let adds = sources.collection_vars.iter().any(|items| {
                !items.iter().all(|i| {
                    i.as_ref().is_some_and(|s| {
                        keys.contains(&key_suffix(&J {
                            kind: Kind::String(s.clone()),
                            line: 0,
                            column: 0,
                        }))
                    })
                })
            });
            let mut items: Vec<Node> = expanded.iter().map(computed).collect();
            if sources.opaque || adds {
                items.push(Node::unknown(whole, loc.clone()));
            }
            return Some(Node::new(Value::List(items), loc));
        }
        match targets.as_slice() {
            [one] if !sources.opaque => Some(computed(one)),
            _ => Some(Node::unknown(whole, loc)),
        }
    }

    /// The instance a reference without key means:
    /// - the address itself when it has no instances;
    /// - with `each.key`, the instance with the referring resource's key;
    /// - with `count.index`, the instance with the referring resource's index;
    /// - through a list variable that holds the target's keys (`[for az in var.azs :
    ///   aws_subnet.app[az].id][count.index]`, `aws_nat_gateway.this[index(var.azs,
    ///   each.key)]`): the instance at the same position;
    /// - else the address without key, which stands for the first instance (as in the HCL
    ///   frontend), and a note says so.
    fn instance(
        &self,
        t: &refs::Target,
        raw: &Raw<'_>,
        sources: &refs::Sources,
        path: &[Seg],
    ) -> String {
        if t.indexed || self.addresses.contains(&t.address) {
            return t.address.clone();
        }
        let Some(theirs) = self.instances.get(&t.address) else {
            return t.address.clone();
        };
        let has = |suffix: &str| theirs.iter().any(|k| k == suffix);
        let at = |suffix: String| format!("{}{}", t.address, suffix);
        if let Some(key) = raw.key {
            let mine = key_suffix(key);
            match &key.kind {
                Kind::String(k) if sources.each_key => {
                    if has(&mine) {
                        return at(mine);
                    }
                    // The key's position in a list variable that is the target's index.
                    for list in &sources.collection_vars {
                        if let Some(p) = list.iter().position(|x| x.as_deref() == Some(k)) {
                            let suffix = format!("[{p}]");
                            if has(&suffix) {
                                return at(suffix);
                            }
                        }
                    }
                }
                Kind::Number(n) if sources.count_index => {
                    if has(&mine) {
                        return at(mine);
                    }
                    for list in &sources.collection_vars {
                        let item = list.get(*n as usize).cloned().flatten();
                        if let Some(k) = item {
                            let suffix = key_suffix(&J {
                                kind: Kind::String(k),
                                line: 0,
                                column: 0,
                            });
                            if has(&suffix) {
                                return at(suffix);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if theirs.len() > 1 {
            if let Ok(mut notes) = self.notes.lock() {
                notes.push(Note {
                    file: self.rel.to_string(),
                    line: raw.obj.line,
                    message: format!(
                        "`{}.{}` refers to `{}`, which has {} instances; the plan does not say which one, so the first is assumed",
                        raw.address,
                        dotted(path),
                        t.address,
                        theirs.len()
                    ),
                });
            }
        }
        t.address.clone()
    }
}

/// The address of a resource inside its module, without instance key (`aws_subnet.app`,
/// `data.aws_ami.x`), as the configuration names it.
fn local_address(raw: &Raw<'_>) -> String {
    match raw.mode {
        Mode::Data => format!("data.{}.{}", raw.rtype, raw.name),
        Mode::Managed => format!("{}.{}", raw.rtype, raw.name),
    }
}

struct Ctx<'c, 'a> {
    raw: &'c Raw<'a>,
    decl: Option<&'a J>,
    exprs: Option<&'a J>,
    /// `after_sensitive` (or `sensitive_values`): its arrays say which unknowns are collections.
    shape: Option<&'a J>,
    loc: &'c Loc,
}

fn self_unknown(raw: &Raw<'_>, path: &[Seg]) -> Unknown {
    Unknown::Derived {
        reason: format!(
            "`{}.{}` is known only after apply",
            raw.address,
            dotted(path)
        ),
        refs: Vec::new(),
    }
}

fn dotted(path: &[Seg]) -> String {
    path.iter()
        .map(|s| match s {
            Seg::Key(k) => k.clone(),
            Seg::Index(i) => i.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// `""` -> null in the maps of a block (and of blocks nested in it).
fn blank_to_null(n: &mut Node, depth: usize) {
    if depth > json::MAX_DEPTH {
        return;
    }
    if let Value::Map(m) = &mut n.value {
        for v in m.values_mut() {
            match &mut v.value {
                Value::String(s) if s.is_empty() => v.value = Value::Null,
                Value::List(items) => {
                    for i in items.iter_mut() {
                        blank_to_null(i, depth + 1);
                    }
                }
                _ => {}
            }
        }
    }
}

/// `[0]`, `["a"]`.
fn key_suffix(k: &J) -> String {
    match &k.kind {
        Kind::Number(n) => format!("[{}]", moat_model::format_number(*n)),
        Kind::String(s) => format!("[{}]", serde_json::Value::String(s.clone())),
        _ => String::new(),
    }
}

enum Hit<'a> {
    /// The configuration does not set this attribute.
    None,
    /// A whole nested block.
    Block,
    /// Inside a block the configuration does not describe (a `dynamic` block): whether the
    /// value is set there is not known.
    Unconfigured,
    Expr(&'a J),
}

/// The configuration's expression for a path of the values.
fn expr_at<'a>(exprs: Option<&'a J>, path: &[Seg]) -> Hit<'a> {
    let Some(mut cur) = exprs else {
        // Nothing configured: a computed attribute, unless the value is a block's content
        // (a `dynamic` block is not in the configuration).
        return if path.len() > 1 {
            Hit::Unconfigured
        } else {
            Hit::None
        };
    };
    for (depth, seg) in path.iter().enumerate() {
        match (seg, &cur.kind) {
            (Seg::Key(k), Kind::Object(_)) => match cur.get(k) {
                Some(next) if refs::is_expression(next) => return Hit::Expr(next),
                Some(next) => cur = next,
                // An attribute of the resource or of a written block that the configuration
                // does not set: computed by the provider.
                None if depth > 0 || path.len() == 1 => return Hit::None,
                // Inside a block the configuration does not show (`dynamic`).
                None => return Hit::Unconfigured,
            },
            (Seg::Index(i), Kind::Array(items)) => match items.get(*i) {
                Some(next) => cur = next,
                // More blocks than written: a `dynamic` block (not in the configuration).
                None => return Hit::Unconfigured,
            },
            // A single nested block is an object in both.
            (Seg::Index(0), Kind::Object(_)) => {}
            _ => return Hit::Unconfigured,
        }
    }
    Hit::Block
}

fn shape_at<'a>(shape: Option<&'a J>, path: &[Seg]) -> Option<&'a J> {
    let mut cur = shape?;
    for seg in path {
        cur = match seg {
            Seg::Key(k) => cur.get(k)?,
            Seg::Index(i) => cur.as_array()?.get(*i)?,
        };
    }
    Some(cur)
}

/// Every string (and number) under the parts of `values` that `sensitive` marks `true`.
fn sensitive_strings(values: &J, sensitive: &J, out: &mut BTreeSet<String>) {
    match &sensitive.kind {
        Kind::Bool(true) => collect_strings(values, out),
        Kind::Object(m) => {
            for (k, s) in m {
                if let Some(v) = values.get(k) {
                    sensitive_strings(v, s, out);
                }
            }
        }
        Kind::Array(items) => {
            if let Some(vs) = values.as_array() {
                for (v, s) in vs.iter().zip(items) {
                    sensitive_strings(v, s, out);
                }
            }
        }
        _ => {}
    }
}

fn collect_strings(v: &J, out: &mut BTreeSet<String>) {
    match &v.kind {
        Kind::String(s) => {
            out.insert(s.clone());
        }
        Kind::Number(n) => {
            out.insert(moat_model::format_number(*n));
        }
        Kind::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Kind::Object(m) => m.iter().for_each(|(_, x)| collect_strings(x, out)),
        _ => {}
    }
}

/// How each configured attribute was written, as far as the plan's configuration says: a
/// constant string is text, a constant object or list a structure, a reference to a data
/// source or resource attribute says whose, and an expression without references that yields
/// JSON as `jsonencode` writes it (compact, keys sorted) a `jsonencode` call.
fn written(exprs: Option<&J>, attrs: &BTreeMap<String, Node>) -> BTreeMap<String, Written> {
    let mut out = BTreeMap::new();
    let Some(ex) = exprs.and_then(J::as_object) else {
        return out;
    };
    for (k, e) in ex {
        if refs::is_expression(e) {
            out.insert(k.clone(), written_of(e, attrs.get(k)));
            continue;
        }
        let blocks: Vec<&J> = match &e.kind {
            Kind::Array(items) => items.iter().collect(),
            Kind::Object(_) => vec![e],
            _ => Vec::new(),
        };
        for (i, b) in blocks.into_iter().enumerate() {
            for (bk, be) in b.as_object().unwrap_or_default() {
                if refs::is_expression(be) {
                    let value = attrs.get(k).and_then(|n| n.path(&format!("{i}.{bk}")));
                    out.insert(format!("{k}.{i}.{bk}"), written_of(be, value));
                }
            }
        }
    }
    out
}

fn written_of(e: &J, value: Option<&Node>) -> Written {
    if let Some(c) = e.get("constant_value") {
        return match c.kind {
            Kind::String(_) => Written::Text,
            Kind::Array(_) | Kind::Object(_) => Written::Structure,
            _ => Written::Other,
        };
    }
    if let Some(first) = refs::expression_refs(e).and_then(|r| r.into_iter().next()) {
        let parts: Vec<&str> = first.split('.').collect();
        return match parts.as_slice() {
            ["data", t, ..] => Written::DataSource(t.to_string()),
            ["var" | "local" | "module" | "count" | "each" | "path" | "terraform" | "self", ..] => {
                Written::Other
            }
            [t, _, _, ..] => Written::Reference(t.to_string()),
            _ => Written::Other,
        };
    }
    match value.and_then(Node::as_str) {
        Some(s) if is_jsonencode_output(s) => Written::Call("jsonencode".into()),
        _ => Written::Other,
    }
}

/// `jsonencode` writes compact JSON with object keys sorted.
fn is_jsonencode_output(s: &str) -> bool {
    fn sorted(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                serde_json::Value::Object(
                    keys.into_iter()
                        .filter_map(|k| m.get(k).map(|x| (k.clone(), sorted(x))))
                        .collect(),
                )
            }
            serde_json::Value::Array(a) => serde_json::Value::Array(a.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    match serde_json::from_str::<serde_json::Value>(s) {
        Ok(v @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) => {
            serde_json::to_string(&sorted(&v)).is_ok_and(|t| t == s)
        }
        _ => false,
    }
}

/// `aws_iam_policy_document` data sources read at apply: render `json` from the planned
/// statements (unknown leaves as references), as the HCL frontend does.
fn render_policy_documents(resources: &mut [Resource]) {
    for r in resources.iter_mut() {
        if r.mode != Mode::Data || r.rtype != "aws_iam_policy_document" {
            continue;
        }
        if r.get("json").is_some_and(|n| !n.is_unknown()) {
            continue;
        }
        let mut inputs = r.attrs.clone();
        for k in ["json", "minified_json", "id"] {
            inputs.remove(k);
        }
        let json = crate::policy_document::render(&inputs, &r.address);
        let node = Node::new(json, Some(r.loc.clone()));
        r.attrs.insert("json".into(), node.clone());
        r.attrs.insert("minified_json".into(), node);
    }
}

/// A value that refers to a rendered policy document's `json` takes the document.
fn substitute_documents(resources: &mut [Resource]) {
    let docs: HashMap<String, (Node, Node)> = resources
        .iter()
        .filter(|r| r.mode == Mode::Data && r.rtype == "aws_iam_policy_document")
        .filter_map(|r| {
            Some((
                r.address.clone(),
                (r.get("json")?.clone(), r.get("minified_json")?.clone()),
            ))
        })
        .collect();
    if docs.is_empty() {
        return;
    }
    for r in resources.iter_mut() {
        for n in r.attrs.values_mut() {
            replace_docs(n, &docs, 0);
        }
    }
}

fn replace_docs(n: &mut Node, docs: &HashMap<String, (Node, Node)>, depth: usize) {
    if depth > json::MAX_DEPTH {
        return;
    }
    match &mut n.value {
        Value::Unknown(Unknown::Computed { address, attr }) => {
            if let Some((json, minified)) = docs.get(address.as_str()) {
                let doc = match attr.as_str() {
                    "json" => json,
                    "minified_json" => minified,
                    _ => return,
                };
                n.value = doc.value.clone();
            }
        }
        Value::List(items) => items
            .iter_mut()
            .for_each(|x| replace_docs(x, docs, depth + 1)),
        Value::Map(m) => m
            .values_mut()
            .for_each(|x| replace_docs(x, docs, depth + 1)),
        _ => {}
    }
}
