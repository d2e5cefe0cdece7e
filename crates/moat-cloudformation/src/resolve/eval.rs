//! Intrinsic functions and conditions, evaluated over one template ([`Stack`]) with the
//! state shared by every template of one root ([`Shared`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use moat_model::{
    format_number, Limit, Limits, Loc, Node, Note, Redaction, Resource, ResourceIgnore, Sandbox,
    ScanError, Tri, Unknown, Value,
};

use super::inputs::{Input, Inputs};

/// Deepest nesting of values and function calls evaluated (the parser bounds documents too).
const MAX_DEPTH: usize = 200;

/// Pseudo parameters (`Ref: AWS::Region`): unknown unless given with `--parameter`.
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html>
pub(super) const PSEUDO: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

/// A template already read and parsed (a scanned file), by absolute path.
#[derive(Clone)]
pub(super) struct Parsed {
    pub rel: Arc<str>,
    pub text: Arc<str>,
    pub root: Result<Node, ScanError>,
}

/// State shared by the templates of one root: what ends up in its estate.
pub(super) struct Shared<'a> {
    pub inputs: &'a Inputs,
    pub limits: Limits,
    /// File access (none for [`crate::parse_str`]).
    pub sandbox: Option<&'a Sandbox>,
    /// The scanned directory, to name nested templates relative to it.
    pub scan_root: Option<PathBuf>,
    /// Templates already parsed by the walk (nested stacks are looked up here first).
    pub parsed: Option<&'a BTreeMap<PathBuf, Parsed>>,
    pub errors: Vec<ScanError>,
    pub notes: Vec<Note>,
    pub sources: BTreeMap<Arc<str>, Arc<str>>,
    pub resources: Vec<Resource>,
    pub ignores: Vec<ResourceIgnore>,
    pub redactions: Vec<Redaction>,
    pub fuel: u64,
    fuel_out: bool,
    pub instances: usize,
    instances_out: bool,
    /// The resource being evaluated and the fuel spent before it: one resource may use a
    /// fifth of the fuel, past that its remaining values are unknown.
    pub item: Option<(String, u64)>,
    item_out: bool,
    /// Nested templates being resolved, outermost first (cycle guard).
    pub chain: Vec<PathBuf>,
}

impl<'a> Shared<'a> {
    pub fn new(inputs: &'a Inputs, limits: Limits) -> Self {
        Shared {
            inputs,
            limits,
            sandbox: None,
            scan_root: None,
            parsed: None,
            errors: Vec::new(),
            notes: Vec::new(),
            sources: BTreeMap::new(),
            resources: Vec::new(),
            ignores: Vec::new(),
            redactions: Vec::new(),
            fuel: 0,
            fuel_out: false,
            instances: 0,
            instances_out: false,
            item: None,
            item_out: false,
            chain: Vec::new(),
        }
    }

    /// Start (`Some(address)`) or end (`None`) the evaluation of one resource.
    pub fn set_item(&mut self, address: Option<String>) {
        self.item = address.map(|a| (a, self.fuel));
        self.item_out = false;
    }

    /// Count one more resource; false (with an error, once) past `max_resource_instances`.
    pub fn add_instance(&mut self, loc: &Loc) -> bool {
        if self.instances >= self.limits.max_resource_instances {
            if !self.instances_out {
                self.instances_out = true;
                self.errors.push(ScanError {
                    file: loc.file.to_string(),
                    line: loc.line,
                    message: limit_message(Limit::ResourceInstances, "resources"),
                });
            }
            return false;
        }
        self.instances += 1;
        true
    }
}

/// The message of a limit overrun, telling how to raise it.
pub(super) fn limit_message(limit: Limit, what: &str) -> String {
    format!(
        "{what} exceed the limit `{limit}`; the value is unknown (raise it with `--limit {limit}=N`)"
    )
}

/// What is known of a nested stack of this template.
#[derive(Clone, Debug)]
pub(super) enum Child {
    /// Being resolved (a reference back to it is a cycle).
    Resolving,
    /// Resolved: its outputs' values.
    Done(BTreeMap<String, Node>),
    /// Not read, and why.
    Unread(String),
}

/// A resource declaration after `Fn::ForEach` expansion.
#[derive(Clone, Debug)]
pub(super) struct Decl {
    /// Shared: resolving a resource copies its declaration out of the table.
    pub body: Arc<Node>,
    /// The line of the logical ID key.
    pub loc: Loc,
}

/// One template being resolved.
pub(super) struct Stack {
    pub file: Arc<str>,
    /// Absolute path of the template, when read from disk.
    pub abs: Option<PathBuf>,
    /// Address prefix of its resources: empty at the root, `Net.` in nested stack `Net`.
    pub prefix: String,
    /// Nesting depth (0 at the root).
    pub depth: usize,
    pub params: BTreeMap<String, Node>,
    /// Logical IDs of the stand-ins for the outputs of a loop whose collection is unknown
    /// (`Bucket${Name}`): not alphanumeric, on purpose.
    pub placeholders: std::collections::BTreeSet<String>,
    pub mappings: BTreeMap<String, Node>,
    pub conditions: BTreeMap<String, Node>,
    /// Conditions evaluated (`None` while being evaluated: a reference back is a cycle).
    pub cond_state: BTreeMap<String, Option<Tri>>,
    pub resources: BTreeMap<String, Decl>,
    pub children: BTreeMap<String, Child>,
}

impl Stack {
    pub fn new(file: Arc<str>) -> Stack {
        Stack {
            file,
            abs: None,
            prefix: String::new(),
            depth: 0,
            params: BTreeMap::new(),
            placeholders: std::collections::BTreeSet::new(),
            mappings: BTreeMap::new(),
            conditions: BTreeMap::new(),
            cond_state: BTreeMap::new(),
            resources: BTreeMap::new(),
            children: BTreeMap::new(),
        }
    }

    /// The address of a logical ID of this template.
    pub fn address(&self, id: &str) -> String {
        format!("{}{id}", self.prefix)
    }
}

/// Evaluates values of one template.
pub(super) struct Eval<'s, 'a> {
    pub st: Stack,
    pub sh: &'s mut Shared<'a>,
}

/// Is `k` the name of an intrinsic function (a one-key map calling it)?
pub(super) fn is_intrinsic(k: &str) -> bool {
    k == "Ref" || (k.starts_with("Fn::") && !k.starts_with("Fn::ForEach::"))
}

/// The intrinsic call a node is, if any: (function name, argument).
pub(super) fn as_call(n: &Node) -> Option<(&str, &Node)> {
    let m = n.as_map()?;
    if m.len() != 1 {
        return None;
    }
    let (k, v) = m.iter().next()?;
    is_intrinsic(k).then_some((k.as_str(), v))
}

/// A part of a string being built (`Fn::Sub`, `Fn::Join`): known text, or an unknown with the
/// placeholder that stands for it.
enum Part {
    Text(String),
    Unknown(Unknown, String),
}

/// How an unknown is written inside a CloudFormation string.
fn placeholder(u: &Unknown) -> String {
    match u {
        Unknown::Computed { address, attr } if attr == "Ref" => format!("${{{address}}}"),
        Unknown::Computed { address, attr } => format!("${{{address}.{attr}}}"),
        Unknown::Parameter { name } => format!("${{{name}}}"),
        Unknown::Template { text, .. } => text.clone(),
        other => other.placeholder(),
    }
}

impl<'s, 'a> Eval<'s, 'a> {
    /// Record an error at `loc` (or the template, line 0).
    pub fn error(&mut self, loc: Option<&Loc>, message: impl Into<String>) {
        self.sh.errors.push(ScanError {
            file: loc
                .map(|l| l.file.to_string())
                .unwrap_or_else(|| self.st.file.to_string()),
            line: loc.map(|l| l.line).unwrap_or(0),
            message: message.into(),
        });
    }

    /// Record a note at `loc`.
    pub fn note(&mut self, loc: Option<&Loc>, message: impl Into<String>) {
        self.sh.notes.push(Note {
            file: loc
                .map(|l| l.file.to_string())
                .unwrap_or_else(|| self.st.file.to_string()),
            line: loc.map(|l| l.line).unwrap_or(0),
            message: message.into(),
        });
    }

    /// An error and the unknown that replaces the value.
    fn fail(&mut self, loc: Option<&Loc>, message: String) -> Option<Node> {
        let u = Unknown::derived(format!("invalid template: {message}"));
        self.error(loc, message);
        Some(Node::unknown(u, loc.cloned()))
    }

    /// Spend `units` of fuel; false (with an error, once) when it has run out.
    fn burn(&mut self, units: u64, loc: Option<&Loc>) -> bool {
        self.sh.fuel = self.sh.fuel.saturating_add(units);
        if self.sh.fuel > self.sh.limits.fuel {
            if !self.sh.fuel_out {
                self.sh.fuel_out = true;
                self.error(
                    loc,
                    limit_message(Limit::Fuel, "evaluating the template needs work that would"),
                );
            }
            return false;
        }
        if let Some((address, start)) = &self.sh.item {
            if self.sh.fuel.saturating_sub(*start) > self.sh.limits.fuel / 5 {
                if !self.sh.item_out {
                    self.sh.item_out = true;
                    let m = format!(
                        "resource `{address}` needs more evaluation work than a fifth of the limit `{}`; its remaining values are unknown (raise it with `--limit {}=N`)",
                        Limit::Fuel,
                        Limit::Fuel
                    );
                    self.error(loc, m);
                }
                return false;
            }
        }
        true
    }

    fn out_of_fuel(loc: Option<&Loc>) -> Option<Node> {
        Some(Node::unknown(
            Unknown::derived(format!("evaluation stopped at the limit `{}`", Limit::Fuel)),
            loc.cloned(),
        ))
    }

    /// A string result, checked against `max_string_bytes`.
    fn string(&mut self, s: String, loc: Option<&Loc>) -> Option<Node> {
        if s.len() > self.sh.limits.max_string_bytes {
            let msg = limit_message(Limit::StringBytes, "a string whose bytes would");
            return self.fail(loc, msg);
        }
        if !self.burn((s.len() / 64) as u64, loc) {
            return Self::out_of_fuel(loc);
        }
        Some(Node::new(Value::String(s), loc.cloned()))
    }

    /// A list result, checked against `max_collection_len`.
    fn list(&mut self, items: Vec<Node>, loc: Option<&Loc>) -> Option<Node> {
        if items.len() > self.sh.limits.max_collection_len {
            let msg = limit_message(Limit::CollectionLen, "a list whose elements would");
            return self.fail(loc, msg);
        }
        Some(Node::new(Value::List(items), loc.cloned()))
    }

    /// Evaluate a value: intrinsic functions called, `AWS::NoValue` removed (`None`).
    pub fn eval(&mut self, n: &Node) -> Option<Node> {
        self.eval_d(n, 0)
    }

    fn eval_d(&mut self, n: &Node, depth: usize) -> Option<Node> {
        let loc = n.loc.as_ref();
        if !self.burn(1, loc) {
            return Self::out_of_fuel(loc);
        }
        if depth > MAX_DEPTH {
            return self.fail(
                loc,
                format!("values nested deeper than {MAX_DEPTH} levels are not evaluated"),
            );
        }
        match &n.value {
            Value::Map(m) => {
                if let Some((k, arg)) = as_call(n) {
                    return self.call(k, arg, n, depth + 1);
                }
                let mut out = BTreeMap::new();
                for (k, v) in m {
                    if k.starts_with("Fn::ForEach::") {
                        for (key, body) in self.foreach(k, v, depth) {
                            if let Some(r) = self.eval_d(&body, depth + 1) {
                                out.insert(key, r);
                            }
                        }
                        continue;
                    }
                    if let Some(r) = self.eval_d(v, depth + 1) {
                        out.insert(k.clone(), r);
                    }
                }
                Some(Node::new(Value::Map(out), n.loc.clone()))
            }
            Value::List(l) => {
                let mut out = Vec::with_capacity(l.len());
                for item in l {
                    if let Some(r) = self.eval_d(item, depth + 1) {
                        out.push(r);
                    }
                }
                self.list(out, loc)
            }
            Value::String(text) => Some(dynamic_reference(text, loc).unwrap_or_else(|| n.clone())),
            _ => Some(n.clone()),
        }
    }

    /// Expand `Fn::ForEach::Name: [Identifier, Collection, {KeyTemplate: Value}]` into
    /// (key, body) pairs, the identifier substituted in both.
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-foreach.html>
    pub fn foreach(&mut self, key: &str, v: &Node, depth: usize) -> Vec<(String, Node)> {
        let loc = v.loc.as_ref();
        let parts = v.as_list().unwrap_or(&[]);
        let (Some(ident), Some(coll), Some(tmpl), 3) = (
            parts.first().and_then(Node::as_str),
            parts.get(1),
            parts.get(2).and_then(Node::as_map),
            parts.len(),
        ) else {
            self.error(
                loc,
                format!("`{key}` takes [identifier, collection, {{key: value}}]"),
            );
            return Vec::new();
        };
        let coll = self.eval_d(coll, depth + 1);
        let items: Vec<String> = match coll.as_ref().map(|c| &c.value) {
            Some(Value::List(l)) => {
                let mut items = Vec::new();
                for i in l {
                    match &i.value {
                        Value::String(s) => items.push(s.clone()),
                        Value::Number(n) => items.push(format_number(*n)),
                        Value::Bool(b) => items.push(b.to_string()),
                        Value::Unknown(u) => {
                            let u = u.clone();
                            self.note(
                                loc,
                                format!("`{key}` not expanded: an element of its collection is unknown ({u}); each of its outputs is analysed once, with `{ident}` unknown"),
                            );
                            return self.foreach_placeholder(key, ident, tmpl, u);
                        }
                        other => {
                            let t = other.type_name();
                            self.error(
                                loc,
                                format!("`{key}`: the collection holds a {t}, expected strings"),
                            );
                            return Vec::new();
                        }
                    }
                }
                items
            }
            Some(Value::Unknown(u)) => {
                let u = u.clone();
                self.note(
                    loc,
                    format!("`{key}` not expanded: its collection is unknown ({u}); each of its outputs is analysed once, with `{ident}` unknown"),
                );
                return self.foreach_placeholder(key, ident, tmpl, u);
            }
            _ => {
                self.error(loc, format!("`{key}`: the collection is not a list"));
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for item in &items {
            for (k, body) in tmpl {
                let key_out = subst_ident(k, ident, item);
                let mut body = body.clone();
                if !self.burn(1 + size(&body), loc) {
                    return out;
                }
                subst_node(&mut body, ident, item);
                if key_out.starts_with("Fn::ForEach::") {
                    // A loop nested in the output template (AWS allows five levels): expand it
                    // with the outer identifier already substituted.
                    if depth >= MAX_DEPTH {
                        self.error(loc, format!("`{key}`: loops nested too deeply"));
                        return out;
                    }
                    out.extend(self.foreach(&key_out, &body, depth + 1));
                    continue;
                }
                out.push((key_out, body));
            }
        }
        if out.len() > self.sh.limits.max_collection_len {
            let msg = limit_message(Limit::CollectionLen, &format!("the entries of `{key}`"));
            self.error(loc, msg);
            out.truncate(self.sh.limits.max_collection_len);
        }
        out
    }

    /// The outputs of a loop whose collection is unknown, once each, as Terraform's frontend
    /// reads a resource whose `count` is unknown: the key keeps `${Identifier}` (so the
    /// resource is named `Bucket${Name}`) and the identifier is unknown in the body, so nothing
    /// the loop would declare goes unchecked. Loops nested inside are left out (noted above).
    fn foreach_placeholder(
        &mut self,
        key: &str,
        ident: &str,
        tmpl: &BTreeMap<String, Node>,
        u: Unknown,
    ) -> Vec<(String, Node)> {
        let why = Unknown::Derived {
            reason: format!("`{ident}` of `{key}` is unknown: {u}"),
            refs: u.refs().into_iter().map(str::to_string).collect(),
        };
        self.st
            .params
            .entry(ident.to_string())
            .or_insert_with(|| Node::unknown(why, None));
        tmpl.iter()
            .filter(|(k, _)| !k.starts_with("Fn::ForEach::"))
            .map(|(k, body)| {
                let key_out = k.replace(&format!("&{{{ident}}}"), &format!("${{{ident}}}"));
                self.st.placeholders.insert(key_out.clone());
                (key_out, body.clone())
            })
            .collect()
    }

    /// Call an intrinsic function. `n` is the call (`{name: arg}`), for its location.
    fn call(&mut self, name: &str, arg: &Node, n: &Node, depth: usize) -> Option<Node> {
        let loc = n.loc.as_ref();
        match name {
            "Ref" => {
                let target = match &arg.value {
                    Value::String(s) => s.clone(),
                    _ => match self.eval_d(arg, depth).map(|x| x.value) {
                        Some(Value::String(s)) => s,
                        Some(Value::Unknown(u)) => return Some(Node::unknown(u, loc.cloned())),
                        _ => {
                            return self.fail(
                                loc,
                                "`Ref` takes the name of a parameter or resource".into(),
                            )
                        }
                    },
                };
                self.ref_name(&target, loc)
            }
            "Fn::GetAtt" => self.get_att(arg, loc, depth),
            "Fn::Sub" => self.sub(arg, loc, depth),
            "Fn::Join" => self.join(arg, loc, depth),
            "Fn::Select" => self.select(arg, loc, depth),
            "Fn::Split" => self.split(arg, loc, depth),
            "Fn::GetAZs" => {
                let region = self.eval_d(arg, depth);
                let reason = match region.as_ref().map(|r| &r.value) {
                    Some(Value::String(s)) if !s.is_empty() => {
                        format!("`Fn::GetAZs`: the availability zones of `{s}` need AWS to list")
                    }
                    _ => "`Fn::GetAZs`: the availability zones of the stack's region need AWS to list"
                        .to_string(),
                };
                Some(Node::unknown(Unknown::derived(reason), loc.cloned()))
            }
            "Fn::Base64" => match self.eval_d(arg, depth) {
                Some(Node {
                    value: Value::String(s),
                    ..
                }) => {
                    let enc = base64::engine::general_purpose::STANDARD.encode(s.as_bytes());
                    self.string(enc, loc)
                }
                Some(Node {
                    value: Value::Unknown(u),
                    ..
                }) => Some(Node::unknown(
                    Unknown::Derived {
                        reason: format!("`Fn::Base64` of an unknown value: {u}"),
                        refs: u.refs().into_iter().map(str::to_string).collect(),
                    },
                    loc.cloned(),
                )),
                _ => self.fail(loc, "`Fn::Base64` takes a string".into()),
            },
            "Fn::Cidr" => self.cidr(arg, loc, depth),
            "Fn::ImportValue" => {
                let name = self.eval_d(arg, depth);
                let reason = match name.as_ref().map(|r| &r.value) {
                    Some(Value::String(s)) => format!(
                        "`Fn::ImportValue` `{s}`: exported by another stack, known only when deployed"
                    ),
                    _ => "`Fn::ImportValue` of an unknown export name: exported by another stack, known only when deployed".to_string(),
                };
                let refs = name.as_ref().map(unknown_refs).unwrap_or_default();
                Some(Node::unknown(
                    Unknown::Derived { reason, refs },
                    loc.cloned(),
                ))
            }
            "Fn::Length" => match self.eval_d(arg, depth).map(|x| x.value) {
                Some(Value::List(l)) => {
                    Some(Node::new(Value::Number(l.len() as f64), loc.cloned()))
                }
                Some(Value::Unknown(u)) => Some(Node::unknown(
                    Unknown::Derived {
                        reason: format!("`Fn::Length` of an unknown list: {u}"),
                        refs: u.refs().into_iter().map(str::to_string).collect(),
                    },
                    loc.cloned(),
                )),
                _ => self.fail(loc, "`Fn::Length` takes a list".into()),
            },
            "Fn::ToJsonString" => match self.eval_d(arg, depth) {
                Some(v) if matches!(v.value, Value::Map(_) | Value::List(_)) => {
                    if v.contains_unknown() {
                        let refs = unknown_refs(&v);
                        return Some(Node::unknown(
                            Unknown::Derived {
                                reason: "`Fn::ToJsonString` of a value that is partly unknown"
                                    .into(),
                                refs,
                            },
                            loc.cloned(),
                        ));
                    }
                    let s = serde_json::to_string(&v.value.to_json()).unwrap_or_default();
                    self.string(s, loc)
                }
                Some(Node {
                    value: Value::Unknown(u),
                    ..
                }) => Some(Node::unknown(
                    Unknown::Derived {
                        reason: format!("`Fn::ToJsonString` of an unknown value: {u}"),
                        refs: u.refs().into_iter().map(str::to_string).collect(),
                    },
                    loc.cloned(),
                )),
                _ => self.fail(loc, "`Fn::ToJsonString` takes an object or a list".into()),
            },
            "Fn::Transform" => {
                let tname = arg
                    .get("Name")
                    .and_then(Node::as_str)
                    .unwrap_or("(unnamed)")
                    .to_string();
                self.note(
                    loc,
                    format!("`Fn::Transform` `{tname}` is applied by CloudFormation when deployed; moat does not apply it, the value is unknown"),
                );
                Some(Node::unknown(
                    Unknown::derived(format!("the result of the transform `{tname}`")),
                    loc.cloned(),
                ))
            }
            "Fn::FindInMap" => self.find_in_map(arg, loc, depth),
            "Fn::If" => self.if_(arg, loc, depth),
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => match self.cond_expr(n, depth) {
                Tri::True => Some(Node::new(Value::Bool(true), loc.cloned())),
                Tri::False => Some(Node::new(Value::Bool(false), loc.cloned())),
                Tri::Unknown(u) => Some(Node::unknown(u, loc.cloned())),
            },
            other => self.fail(loc, format!("unknown function `{other}`")),
        }
    }

    /// `Ref` to a name: a parameter's value, a pseudo parameter or a resource. `None` for
    /// `AWS::NoValue`. (`Fn::ForEach` identifiers are substituted before evaluation.)
    pub fn ref_name(&mut self, name: &str, loc: Option<&Loc>) -> Option<Node> {
        if name == "AWS::NoValue" {
            return None;
        }
        if PSEUDO.contains(&name) {
            return Some(self.pseudo(name, loc));
        }
        if let Some(v) = self.st.params.get(name) {
            return Some(relocate(v.clone(), loc));
        }
        if self.st.resources.contains_key(name) {
            return Some(Node::unknown(
                Unknown::Computed {
                    address: self.st.address(name),
                    attr: "Ref".into(),
                },
                loc.cloned(),
            ));
        }
        self.fail(
            loc,
            format!(
                "`Ref` to `{name}`, which is neither a parameter nor a resource of this template"
            ),
        )
    }

    /// A pseudo parameter: given with `--parameter`, derived from a given region, or unknown.
    fn pseudo(&mut self, name: &str, loc: Option<&Loc>) -> Node {
        let given = |k: &str| match self.sh.inputs.values.get(k) {
            Some(Input::Value(v)) => Some(v.clone()),
            _ => None,
        };
        if let Some(v) = given(name) {
            if name == "AWS::NotificationARNs" {
                let items = v
                    .split(',')
                    .map(|s| Node::new(Value::String(s.trim().to_string()), loc.cloned()))
                    .collect();
                return Node::new(Value::List(items), loc.cloned());
            }
            return Node::new(Value::String(v), loc.cloned());
        }
        // The partition and URL suffix follow from a given region.
        if let Some(region) = given("AWS::Region") {
            let (partition, suffix) = if region.starts_with("cn-") {
                ("aws-cn", "amazonaws.com.cn")
            } else if region.starts_with("us-gov-") {
                ("aws-us-gov", "amazonaws.com")
            } else {
                ("aws", "amazonaws.com")
            };
            match name {
                "AWS::Partition" => {
                    return Node::new(Value::String(partition.into()), loc.cloned())
                }
                "AWS::URLSuffix" => return Node::new(Value::String(suffix.into()), loc.cloned()),
                _ => {}
            }
        }
        Node::unknown(
            Unknown::Parameter {
                name: name.to_string(),
            },
            loc.cloned(),
        )
    }

    fn get_att(&mut self, arg: &Node, loc: Option<&Loc>, depth: usize) -> Option<Node> {
        let (res, attr): (String, Node) = match &arg.value {
            Value::String(s) => match s.split_once('.') {
                Some((a, b)) => (
                    a.to_string(),
                    Node::new(Value::String(b.into()), arg.loc.clone()),
                ),
                None => return self.fail(loc, "`Fn::GetAtt` takes [resource, attribute]".into()),
            },
            Value::List(l) if l.len() == 2 => {
                // The logical ID may be built by `Fn::Sub` (as in `Fn::ForEach` bodies, under
                // `AWS::LanguageExtensions`).
                let r = match l.first() {
                    Some(Node {
                        value: Value::String(r),
                        ..
                    }) => Some(r.clone()),
                    Some(r) => match self.eval_d(r, depth).map(|x| x.value) {
                        Some(Value::String(r)) => Some(r),
                        _ => None,
                    },
                    None => None,
                };
                let (Some(r), Some(a)) = (r, l.get(1)) else {
                    return self.fail(loc, "`Fn::GetAtt` takes [resource, attribute]".into());
                };
                (r, a.clone())
            }
            _ => return self.fail(loc, "`Fn::GetAtt` takes [resource, attribute]".into()),
        };
        let attr = match self.eval_d(&attr, depth).map(|a| a.value) {
            Some(Value::String(s)) => s,
            Some(Value::Unknown(u)) => {
                if !self.st.resources.contains_key(&res) {
                    return self.fail(
                        loc,
                        format!(
                            "`Fn::GetAtt` of `{res}`, which is not a resource of this template"
                        ),
                    );
                }
                let mut refs = vec![self.st.address(&res)];
                refs.extend(u.refs().into_iter().map(str::to_string));
                return Some(Node::unknown(
                    Unknown::Derived {
                        reason: format!("an attribute of `{res}` named by an unknown value: {u}"),
                        refs,
                    },
                    loc.cloned(),
                ));
            }
            _ => {
                return self.fail(
                    loc,
                    "`Fn::GetAtt`: the attribute name is not a string".into(),
                )
            }
        };
        self.attribute(&res, &attr, loc)
    }

    /// `Fn::GetAtt [res, attr]` with both known (also `${res.attr}` in `Fn::Sub`).
    fn attribute(&mut self, res: &str, attr: &str, loc: Option<&Loc>) -> Option<Node> {
        let Some(decl) = self.st.resources.get(res) else {
            return self.fail(
                loc,
                format!("`Fn::GetAtt` of `{res}`, which is not a resource of this template"),
            );
        };
        if let Some(output) = attr.strip_prefix("Outputs.") {
            let rtype = decl.body.get("Type").and_then(Node::as_str).unwrap_or("");
            if matches!(
                rtype,
                "AWS::CloudFormation::Stack" | "AWS::Serverless::Application"
            ) {
                return Some(self.stack_output(res, output, loc));
            }
        }
        Some(Node::unknown(
            Unknown::Computed {
                address: self.st.address(res),
                attr: attr.to_string(),
            },
            loc.cloned(),
        ))
    }

    /// The value of output `output` of nested stack `res`, resolving the stack if needed.
    fn stack_output(&mut self, res: &str, output: &str, loc: Option<&Loc>) -> Node {
        let address = self.st.address(res);
        if !self.st.children.contains_key(res) {
            super::stack::resolve_child(self, res);
        }
        // Only the output asked for is copied.
        let child = match self.st.children.get(res) {
            Some(Child::Done(outputs)) => Ok(outputs.get(output).cloned()),
            Some(other) => Err(other.clone()),
            None => Err(Child::Unread("it could not be read".into())),
        };
        let unknown = |reason: String| {
            Node::unknown(
                Unknown::Derived {
                    reason,
                    refs: vec![address.clone()],
                },
                loc.cloned(),
            )
        };
        match child {
            Ok(found) => match found {
                Some(v) => relocate(v, loc),
                None => {
                    self.error(
                        loc,
                        format!("nested stack `{res}` has no output `{output}`"),
                    );
                    unknown(format!("nested stack `{res}` has no output `{output}`"))
                }
            },
            Err(Child::Resolving) => {
                self.error(
                    loc,
                    format!("nested stack `{res}` depends on its own output `{output}` (a cycle)"),
                );
                unknown(format!(
                    "output `{output}` of nested stack `{res}` is part of a cycle"
                ))
            }
            Err(other) => {
                let why = match other {
                    Child::Unread(w) => w,
                    _ => "it could not be read".to_string(),
                };
                unknown(format!(
                    "output `{output}` of nested stack `{res}`, whose template was not read ({why})"
                ))
            }
        }
    }

    /// A node as a part of a string.
    fn part(&mut self, n: &Node, what: &str) -> Result<Part, String> {
        match &n.value {
            Value::String(s) => Ok(Part::Text(s.clone())),
            Value::Number(x) => Ok(Part::Text(format_number(*x))),
            Value::Bool(b) => Ok(Part::Text(b.to_string())),
            Value::Unknown(u) => Ok(Part::Unknown(u.clone(), placeholder(u))),
            other => Err(format!(
                "{what} is a {}, expected a string",
                other.type_name()
            )),
        }
    }

    /// Join parts: a string when all are known, else an `Unknown::Template`.
    fn assemble(&mut self, parts: Vec<Part>, loc: Option<&Loc>, func: &str) -> Option<Node> {
        let mut text = String::new();
        let mut unknowns: Vec<Unknown> = Vec::new();
        for p in parts {
            match p {
                Part::Text(t) => text.push_str(&t),
                Part::Unknown(u, ph) => {
                    text.push_str(&ph);
                    unknowns.push(u);
                }
            }
            if text.len() > self.sh.limits.max_string_bytes {
                let msg = limit_message(Limit::StringBytes, "a string whose bytes would");
                return self.fail(loc, msg);
            }
        }
        if unknowns.is_empty() {
            if let Some(u) = dynamic_reference(&text, loc) {
                return Some(u);
            }
            return self.string(text, loc);
        }
        let combined = Unknown::combine(unknowns.iter());
        let refs = combined.refs().into_iter().map(str::to_string).collect();
        Some(Node::unknown(
            Unknown::Template {
                text,
                reason: format!("`{func}` with unknown parts: {combined}"),
                refs,
            },
            loc.cloned(),
        ))
    }

    fn sub(&mut self, arg: &Node, loc: Option<&Loc>, depth: usize) -> Option<Node> {
        let (tmpl, vars_node) = match &arg.value {
            Value::String(s) => (s.clone(), None),
            Value::List(l) if l.len() == 2 => {
                let s = match l.first().map(|f| self.eval_d(f, depth)) {
                    Some(Some(Node {
                        value: Value::String(s),
                        ..
                    })) => s,
                    Some(Some(Node {
                        value: Value::Unknown(u),
                        ..
                    })) => {
                        return Some(Node::unknown(
                            Unknown::Derived {
                                reason: format!("`Fn::Sub` of an unknown string: {u}"),
                                refs: u.refs().into_iter().map(str::to_string).collect(),
                            },
                            loc.cloned(),
                        ))
                    }
                    _ => {
                        return self
                            .fail(loc, "`Fn::Sub`: the first argument is not a string".into())
                    }
                };
                (s, l.get(1))
            }
            _ => {
                return self.fail(
                    loc,
                    "`Fn::Sub` takes a string or [string, {name: value}]".into(),
                )
            }
        };
        let mut vars: BTreeMap<String, Node> = BTreeMap::new();
        if let Some(vn) = vars_node {
            let Some(vm) = vn.as_map() else {
                return self.fail(loc, "`Fn::Sub`: the variables are not a map".into());
            };
            for (k, v) in vm {
                if let Some(r) = self.eval_d(v, depth) {
                    vars.insert(k.clone(), r);
                }
            }
        }
        let mut parts = Vec::new();
        for piece in sub_pieces(&tmpl) {
            match piece {
                SubPiece::Text(t) => parts.push(Part::Text(t)),
                SubPiece::Var(name) => {
                    let v = if let Some(v) = vars.get(&name) {
                        Some(v.clone())
                    } else if !PSEUDO.contains(&name.as_str())
                        && !self.st.params.contains_key(&name)
                        && name.contains('.')
                    {
                        let (r, a) = name.split_once('.').unwrap_or((&name, ""));
                        let (r, a) = (r.to_string(), a.to_string());
                        self.attribute(&r, &a, loc)
                    } else {
                        self.ref_name(&name, loc)
                    };
                    let Some(v) = v else {
                        // `AWS::NoValue` inside a string: nothing.
                        continue;
                    };
                    match self.part(&v, &format!("`${{{name}}}`")) {
                        Ok(Part::Unknown(u, _)) => {
                            parts.push(Part::Unknown(u, format!("${{{name}}}")))
                        }
                        Ok(p) => parts.push(p),
                        Err(e) => return self.fail(loc, format!("`Fn::Sub`: {e}")),
                    }
                }
            }
        }
        self.assemble(parts, loc, "Fn::Sub")
    }

    fn join(&mut self, arg: &Node, loc: Option<&Loc>, depth: usize) -> Option<Node> {
        let Some([d, l]) = arg.as_list() else {
            return self.fail(loc, "`Fn::Join` takes [delimiter, list]".into());
        };
        let delim = match self.eval_d(d, depth).map(|x| x.value) {
            Some(Value::String(s)) => s,
            _ => return self.fail(loc, "`Fn::Join`: the delimiter is not a string".into()),
        };
        let list = self.eval_d(l, depth);
        let items = match list.map(|x| x.value) {
            Some(Value::List(items)) => items,
            Some(Value::Unknown(u)) => {
                return Some(Node::unknown(
                    Unknown::Derived {
                        reason: format!("`Fn::Join` of an unknown list: {u}"),
                        refs: u.refs().into_iter().map(str::to_string).collect(),
                    },
                    loc.cloned(),
                ))
            }
            _ => return self.fail(loc, "`Fn::Join`: the second argument is not a list".into()),
        };
        let mut parts = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                parts.push(Part::Text(delim.clone()));
            }
            match self.part(item, &format!("element {i}")) {
                Ok(p) => parts.push(p),
                Err(e) => return self.fail(loc, format!("`Fn::Join`: {e}")),
            }
        }
        self.assemble(parts, loc, "Fn::Join")
    }

    fn select(&mut self, arg: &Node, loc: Option<&Loc>, depth: usize) -> Option<Node> {
        let Some([i, l]) = arg.as_list() else {
            return self.fail(loc, "`Fn::Select` takes [index, list]".into());
        };
        let index = self.eval_d(i, depth);
        let list = self.eval_d(l, depth);
        let idx = match index.as_ref() {
            Some(n) if n.is_unknown() => None,
            Some(n) => match n.as_i64() {
                Some(x) if x >= 0 => Some(x as usize),
                _ => return self.fail(loc, "`Fn::Select`: the index is not a whole number".into()),
            },
            None => return self.fail(loc, "`Fn::Select`: the index is missing".into()),
        };
        match list.map(|x| x.value) {
            Some(Value::List(items)) => match idx {
                Some(ix) => match items.get(ix) {
                    Some(v) => Some(v.clone()),
                    None => self.fail(
                        loc,
                        format!(
                            "`Fn::Select`: index {ix} is out of range for a list of {}",
                            items.len()
                        ),
                    ),
                },
                None => {
                    let refs: Vec<String> = items.iter().flat_map(unknown_refs).collect();
                    Some(Node::unknown(
                        Unknown::Derived {
                            reason: "`Fn::Select` with an unknown index".into(),
                            refs,
                        },
                        loc.cloned(),
                    ))
                }
            },
            Some(Value::Unknown(u)) => Some(Node::unknown(
                Unknown::Derived {
                    reason: format!("`Fn::Select` from an unknown list: {u}"),
                    refs: u.refs().into_iter().map(str::to_string).collect(),
                },
                loc.cloned(),
            )),
            _ => self.fail(
                loc,
                "`Fn::Select`: the second argument is not a list".into(),
            ),
        }
    }

    fn split(&mut self, arg: &Node, loc: Option<&Loc>, depth: usize) -> Option<Node> {
        let Some([d, s]) = arg.as_list() else {
            return self.fail(loc, "`Fn::Split` takes [delimiter, string]".into());
        };
        let delim = match self.eval_d(d, depth).map(|x| x.value) {
            Some(Value::String(s)) if !s.is_empty() => s,
            _ => {
                return self.fail(
                    loc,
                    "`Fn::Split`: the delimiter is not a non-empty string".into(),
                )
            }
        };
        match self.eval_d(s, depth).map(|x| x.value) {
            Some(Value::String(s)) => {
                let items: Vec<Node> = s
                    .split(delim.as_str())
                    .map(|p| Node::new(Value::String(p.to_string()), loc.cloned()))
                    .collect();
                if !self.burn(items.len() as u64, loc) {
                    return Self::out_of_fuel(loc);
                }
                self.list(items, loc)
            }
            Some(Value::Unknown(u)) => Some(Node::unknown(
                Unknown::Derived {
                    reason: format!("`Fn::Split` of an unknown string: {u}"),
                    refs: u.refs().into_iter().map(str::to_string).collect(),
                },
                loc.cloned(),
            )),
            _ => self.fail(
                loc,
                "`Fn::Split`: the second argument is not a string".into(),
            ),
        }
    }

    /// `Fn::Cidr [ipBlock, count, cidrBits]`: the first `count` subnets with `cidrBits` host
    /// bits each, in order.
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-cidr.html>
    fn cidr(&mut self, arg: &Node, loc: Option<&Loc>, depth: usize) -> Option<Node> {
        let Some([b, c, bits]) = arg.as_list() else {
            return self.fail(loc, "`Fn::Cidr` takes [ipBlock, count, cidrBits]".into());
        };
        let vals: Vec<Option<Node>> = [b, c, bits].iter().map(|x| self.eval_d(x, depth)).collect();
        let unknowns: Vec<Unknown> = vals
            .iter()
            .flatten()
            .filter_map(|n| n.unknown_reason().cloned())
            .collect();
        if !unknowns.is_empty() {
            let u = Unknown::combine(unknowns.iter());
            return Some(Node::unknown(
                Unknown::Derived {
                    reason: format!("`Fn::Cidr` of unknown inputs: {u}"),
                    refs: u.refs().into_iter().map(str::to_string).collect(),
                },
                loc.cloned(),
            ));
        }
        let block = vals.first().and_then(|v| v.as_ref()).and_then(Node::as_str);
        let count = vals.get(1).and_then(|v| v.as_ref()).and_then(Node::as_i64);
        let hbits = vals.get(2).and_then(|v| v.as_ref()).and_then(Node::as_i64);
        let (Some(block), Some(count), Some(hbits)) = (block, count, hbits) else {
            return self.fail(loc, "`Fn::Cidr` takes [ipBlock, count, cidrBits]".into());
        };
        let Ok(net) = block.trim().parse::<ipnet::IpNet>() else {
            return self.fail(loc, format!("`Fn::Cidr`: `{block}` is not a CIDR block"));
        };
        let max_bits: i64 = match net {
            ipnet::IpNet::V4(_) => 32,
            ipnet::IpNet::V6(_) => 128,
        };
        let new_prefix = max_bits - hbits;
        if !(1..=256).contains(&count) || hbits < 0 || new_prefix < i64::from(net.prefix_len()) {
            return self.fail(
                loc,
                format!(
                    "`Fn::Cidr`: cannot carve {count} subnets of {hbits} host bits from `{block}`"
                ),
            );
        }
        let Ok(np) = u8::try_from(new_prefix) else {
            return self.fail(loc, "`Fn::Cidr`: bad cidrBits".into());
        };
        let Ok(subnets) = net.trunc().subnets(np) else {
            return self.fail(
                loc,
                format!("`Fn::Cidr`: cannot split `{block}` into /{np}"),
            );
        };
        let items: Vec<Node> = subnets
            .take(count as usize)
            .map(|s| Node::new(Value::String(s.to_string()), loc.cloned()))
            .collect();
        if (items.len() as i64) < count {
            return self.fail(
                loc,
                format!(
                    "`Fn::Cidr`: `{block}` holds fewer than {count} subnets of {hbits} host bits"
                ),
            );
        }
        self.list(items, loc)
    }

    fn find_in_map(&mut self, arg: &Node, loc: Option<&Loc>, depth: usize) -> Option<Node> {
        let Some(args) = arg.as_list() else {
            return self.fail(loc, "`Fn::FindInMap` takes [map, key, key]".into());
        };
        if !(3..=4).contains(&args.len()) {
            return self.fail(loc, "`Fn::FindInMap` takes [map, key, key]".into());
        }
        let default = match args.get(3) {
            Some(opt) => match opt.get("DefaultValue") {
                Some(d) => Some(d.clone()),
                None => {
                    return self.fail(
                        loc,
                        "`Fn::FindInMap`: the fourth argument must be {DefaultValue: value}".into(),
                    )
                }
            },
            None => None,
        };
        let mut keys: Vec<Result<String, Unknown>> = Vec::new();
        for a in args.iter().take(3) {
            match self.eval_d(a, depth).map(|x| x.value) {
                Some(Value::String(s)) => keys.push(Ok(s)),
                Some(Value::Number(n)) => keys.push(Ok(format_number(n))),
                Some(Value::Unknown(u)) => keys.push(Err(u)),
                _ => return self.fail(loc, "`Fn::FindInMap`: a key is not a string".into()),
            }
        }
        let (Some(mk), Some(k1), Some(k2)) = (keys.first(), keys.get(1), keys.get(2)) else {
            return self.fail(loc, "`Fn::FindInMap` takes [map, key, key]".into());
        };
        let mapname = match mk {
            Ok(m) => m.clone(),
            Err(u) => {
                return Some(Node::unknown(
                    Unknown::derived(format!("`Fn::FindInMap` of an unknown mapping: {u}")),
                    loc.cloned(),
                ))
            }
        };
        // Every value the lookup may give (one when both keys are known), copied out of the
        // mapping (only those, not the whole mapping).
        let candidates: Option<Vec<Node>> = match self.st.mappings.get(&mapname) {
            None => None,
            Some(mapping) => match mapping.as_map() {
                None => Some(Vec::new()),
                Some(m) => {
                    let firsts: Vec<&Node> = match k1 {
                        Ok(k) => m.get(k).into_iter().collect(),
                        Err(_) => m.values().collect(),
                    };
                    let mut out = Vec::new();
                    for inner in firsts {
                        match k2 {
                            Ok(k) => out.extend(inner.get(k).cloned()),
                            Err(_) => {
                                if let Some(im) = inner.as_map() {
                                    out.extend(im.values().cloned());
                                }
                            }
                        }
                    }
                    Some(out)
                }
            },
        };
        let Some(candidates) = candidates else {
            return self.fail(loc, format!("`Fn::FindInMap`: no mapping `{mapname}`"));
        };
        let unknown_key: Vec<&Unknown> = [k1, k2].iter().filter_map(|k| k.as_ref().err()).collect();
        if unknown_key.is_empty() {
            return match candidates.into_iter().next() {
                Some(v) => self.eval_d(&v, depth).map(|v| relocate(v, loc)),
                None => match default {
                    Some(d) => self.eval_d(&d, depth),
                    None => {
                        let (a, b) = (
                            k1.as_ref().map(String::as_str).unwrap_or(""),
                            k2.as_ref().map(String::as_str).unwrap_or(""),
                        );
                        self.fail(
                            loc,
                            format!("`Fn::FindInMap`: mapping `{mapname}` has no `{a}`.`{b}`"),
                        )
                    }
                },
            };
        }
        // A key is unknown: the value is known only if every entry it may pick agrees.
        let u = Unknown::combine(unknown_key);
        if let Some(first) = candidates.first() {
            if default.is_none()
                && !first.contains_unknown()
                && candidates
                    .iter()
                    .all(|c| same_value(&c.value, &first.value))
            {
                let first = first.clone();
                return self.eval_d(&first, depth).map(|v| relocate(v, loc));
            }
        }
        Some(Node::unknown(
            Unknown::Derived {
                reason: format!("`Fn::FindInMap` in `{mapname}` with an unknown key: {u}"),
                refs: u.refs().into_iter().map(str::to_string).collect(),
            },
            loc.cloned(),
        ))
    }

    fn if_(&mut self, arg: &Node, loc: Option<&Loc>, depth: usize) -> Option<Node> {
        let Some([c, a, b]) = arg.as_list() else {
            return self.fail(
                loc,
                "`Fn::If` takes [condition, value if true, value if false]".into(),
            );
        };
        let Some(cname) = c.as_str() else {
            return self.fail(
                loc,
                "`Fn::If`: the condition is not a condition name".into(),
            );
        };
        match self.condition(cname, c.loc.as_ref().or(loc)) {
            Tri::True => self.eval_d(a, depth),
            Tri::False => self.eval_d(b, depth),
            Tri::Unknown(u) => {
                let va = self.eval_d(a, depth);
                let vb = self.eval_d(b, depth);
                match (&va, &vb) {
                    (None, None) => return None,
                    (Some(x), Some(y))
                        if !x.contains_unknown() && same_value(&x.value, &y.value) =>
                    {
                        return va
                    }
                    _ => {}
                }
                let reason = format!("`Fn::If` on condition `{cname}`, which is unknown: {u}");
                // Two maps (a resource's whole `Properties`, a property block): what both
                // branches set alike stays known, what they set differently (or only one
                // sets) is unknown, so that an adapter never reads a default where a branch
                // writes a value.
                if let (
                    Some(Node {
                        value: Value::Map(ma),
                        ..
                    }),
                    Some(Node {
                        value: Value::Map(mb),
                        ..
                    }),
                ) = (&va, &vb)
                {
                    return Some(Node::new(
                        Value::Map(merge_branches(ma, mb, &reason)),
                        loc.cloned(),
                    ));
                }
                Some(Node::unknown(
                    Unknown::Derived {
                        reason,
                        refs: branch_refs(&[va.as_ref(), vb.as_ref()]),
                    },
                    loc.cloned(),
                ))
            }
        }
    }

    /// The value of a named condition (cached; a cycle is an error and unknown).
    pub fn condition(&mut self, name: &str, loc: Option<&Loc>) -> Tri {
        match self.st.cond_state.get(name) {
            Some(Some(t)) => return t.clone(),
            Some(None) => {
                self.error(loc, format!("condition `{name}` depends on itself"));
                return Tri::Unknown(Unknown::derived(format!(
                    "condition `{name}` depends on itself"
                )));
            }
            None => {}
        }
        let Some(raw) = self.st.conditions.get(name).cloned() else {
            self.error(
                loc,
                format!("condition `{name}` is not declared in `Conditions`"),
            );
            return Tri::Unknown(Unknown::derived(format!(
                "condition `{name}` is not declared"
            )));
        };
        self.st.cond_state.insert(name.to_string(), None);
        let t = match self.cond_expr(&raw, 0) {
            Tri::Unknown(u) => Tri::Unknown(Unknown::Derived {
                reason: format!("condition `{name}` is unknown: {u}"),
                refs: u.refs().into_iter().map(str::to_string).collect(),
            }),
            known => known,
        };
        self.st.cond_state.insert(name.to_string(), Some(t.clone()));
        t
    }

    /// A condition expression: `Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not`, `Condition`.
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-conditions.html>
    pub fn cond_expr(&mut self, n: &Node, depth: usize) -> Tri {
        let loc = n.loc.as_ref();
        if depth > MAX_DEPTH || !self.burn(1, loc) {
            return Tri::Unknown(Unknown::derived(
                "condition too deep or too costly to evaluate",
            ));
        }
        let bad = |ev: &mut Self, msg: &str| {
            ev.error(loc, msg.to_string());
            Tri::Unknown(Unknown::derived(format!("invalid condition: {msg}")))
        };
        if let Some(m) = n.as_map() {
            if m.len() == 1 {
                if let Some((k, arg)) = m.iter().next() {
                    match k.as_str() {
                        "Condition" => {
                            let Some(name) = arg.as_str() else {
                                return bad(self, "`Condition` takes a condition name");
                            };
                            return self.condition(name, loc);
                        }
                        "Fn::Equals" => {
                            let Some([a, b]) = arg.as_list() else {
                                return bad(self, "`Fn::Equals` takes [value, value]");
                            };
                            let va = self.eval_d(a, depth + 1);
                            let vb = self.eval_d(b, depth + 1);
                            let (va, vb) = (
                                va.map(|v| v.value).unwrap_or(Value::Null),
                                vb.map(|v| v.value).unwrap_or(Value::Null),
                            );
                            if va.contains_unknown() || vb.contains_unknown() {
                                let us: Vec<Unknown> = [&va, &vb]
                                    .iter()
                                    .flat_map(|v| {
                                        let mut out = Vec::new();
                                        Node::from((*v).clone()).walk(&mut |x| {
                                            if let Value::Unknown(u) = &x.value {
                                                out.push(u.clone());
                                            }
                                        });
                                        out
                                    })
                                    .collect();
                                return Tri::Unknown(Unknown::combine(us.iter()));
                            }
                            return Tri::from(same_value(&va, &vb));
                        }
                        "Fn::And" | "Fn::Or" => {
                            let Some(items) = arg.as_list() else {
                                return bad(self, "`Fn::And`/`Fn::Or` take a list of conditions");
                            };
                            let is_and = k == "Fn::And";
                            let mut unknown: Vec<Unknown> = Vec::new();
                            for it in items {
                                match self.cond_expr(it, depth + 1) {
                                    Tri::True if !is_and => return Tri::True,
                                    Tri::False if is_and => return Tri::False,
                                    Tri::Unknown(u) => unknown.push(u),
                                    _ => {}
                                }
                            }
                            if unknown.is_empty() {
                                return Tri::from(is_and);
                            }
                            return Tri::Unknown(Unknown::combine(unknown.iter()));
                        }
                        "Fn::Not" => {
                            let Some([c]) = arg.as_list() else {
                                return bad(self, "`Fn::Not` takes [condition]");
                            };
                            return match self.cond_expr(c, depth + 1) {
                                Tri::True => Tri::False,
                                Tri::False => Tri::True,
                                u => u,
                            };
                        }
                        _ => {}
                    }
                }
            }
        }
        // Anything else: a value that must be a boolean (`Fn::If` picking one, a literal).
        match self.eval_d(n, depth + 1) {
            Some(v) => match (&v.value, v.as_bool()) {
                (Value::Unknown(u), _) => Tri::Unknown(u.clone()),
                (_, Some(b)) => Tri::from(b),
                _ => bad(self, "a condition must be `Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not` or `Condition`"),
            },
            None => bad(self, "a condition is `AWS::NoValue`"),
        }
    }

    /// Read a nested template (through the parsed cache or the sandbox).
    pub fn read_template(&mut self, abs: &Path) -> Result<(Arc<str>, Arc<str>, Node), String> {
        let rel: Arc<str> = Arc::from(match &self.sh.scan_root {
            Some(r) => moat_model::files::relative(abs, r),
            None => abs.to_string_lossy().into_owned(),
        });
        if let Some(p) = self.sh.parsed.and_then(|m| m.get(abs)) {
            return match &p.root {
                Ok(n) => Ok((p.rel.clone(), p.text.clone(), n.clone())),
                Err(e) => {
                    self.sh.errors.push(e.clone());
                    Err(e.message.clone())
                }
            };
        }
        let Some(sb) = self.sh.sandbox else {
            return Err("no file access".into());
        };
        let text = crate::walk::read(sb, abs, rel.clone()).map_err(|e| e.message)?;
        let node = super::parse_text(rel.clone(), &text, &self.sh.limits).map_err(|e| {
            self.sh.errors.push(e.clone());
            e.message
        })?;
        Ok((rel, text, node))
    }
}

/// The resource addresses the unknown parts of the given values depend on, each once.
fn branch_refs(values: &[Option<&Node>]) -> Vec<String> {
    let mut refs: Vec<String> = Vec::new();
    for v in values.iter().flatten() {
        for r in unknown_refs(v) {
            if !refs.contains(&r) {
                refs.push(r);
            }
        }
    }
    refs
}

/// The two branches of an `Fn::If` on an unknown condition, both maps, as one map: a key
/// both set to the same known value keeps it; a key both set to maps is merged the same way;
/// any other key (set differently, or by one branch only) is unknown for `reason`.
pub(super) fn merge_branches(
    a: &BTreeMap<String, Node>,
    b: &BTreeMap<String, Node>,
    reason: &str,
) -> BTreeMap<String, Node> {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let mut out = BTreeMap::new();
    for k in keys {
        let (x, y) = (a.get(k), b.get(k));
        let merged = match (x, y) {
            (Some(x), Some(y)) if !x.contains_unknown() && same_value(&x.value, &y.value) => {
                x.clone()
            }
            (
                Some(
                    x @ Node {
                        value: Value::Map(mx),
                        ..
                    },
                ),
                Some(Node {
                    value: Value::Map(my),
                    ..
                }),
            ) => Node::new(Value::Map(merge_branches(mx, my, reason)), x.loc.clone()),
            _ => Node::unknown(
                Unknown::Derived {
                    reason: format!("{reason} (the branches set `{k}` differently)"),
                    refs: branch_refs(&[x, y]),
                },
                x.or(y).and_then(|n| n.loc.clone()),
            ),
        };
        out.insert(k.clone(), merged);
    }
    out
}

/// A string holding a dynamic reference (`{{resolve:ssm:/name}}`,
/// `{{resolve:secretsmanager:...}}`, `{{resolve:ssm-secure:...}}`) as the unknown it is: CloudFormation
/// reads the value from SSM or Secrets Manager when the stack is deployed. `None` for any
/// other string.
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html>
fn dynamic_reference(text: &str, loc: Option<&Loc>) -> Option<Node> {
    let start = text.find("{{resolve:")?;
    let end = text
        .get(start..)
        .and_then(|t| t.find("}}"))
        .map_or(text.len(), |e| start + e + 2);
    let reference = text.get(start..end).unwrap_or(text);
    let reason = format!(
        "`{reference}` is a dynamic reference, resolved by CloudFormation when the stack is deployed"
    );
    let u = if reference == text {
        Unknown::Derived {
            reason,
            refs: Vec::new(),
        }
    } else {
        Unknown::Template {
            text: text.to_string(),
            reason,
            refs: Vec::new(),
        }
    };
    Some(Node::unknown(u, loc.cloned()))
}

/// `${Identifier}` and `&{Identifier}` replaced in a `Fn::ForEach` output key or string
/// (`&{}` drops the characters that may not appear in a logical ID).
pub(super) fn subst_ident(s: &str, ident: &str, item: &str) -> String {
    let alnum: String = item.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    s.replace(&format!("${{{ident}}}"), item)
        .replace(&format!("&{{{ident}}}"), &alnum)
}

/// The identifier substituted through a `Fn::ForEach` body: in strings (`Fn::Sub` text,
/// keys) and `Ref: Identifier`.
pub(super) fn subst_node(n: &mut Node, ident: &str, item: &str) {
    match &mut n.value {
        Value::String(s) if s.contains(ident) => *s = subst_ident(s, ident, item),
        Value::List(l) => l.iter_mut().for_each(|x| subst_node(x, ident, item)),
        Value::Map(m) => {
            if m.len() == 1 && m.get("Ref").and_then(Node::as_str) == Some(ident) {
                n.value = Value::String(item.to_string());
                return;
            }
            let needs_rename = m.keys().any(|k| k.contains(ident));
            if needs_rename {
                let old = std::mem::take(m);
                for (k, mut v) in old {
                    subst_node(&mut v, ident, item);
                    m.insert(subst_ident(&k, ident, item), v);
                }
            } else {
                m.values_mut().for_each(|x| subst_node(x, ident, item));
            }
        }
        _ => {}
    }
}

enum SubPiece {
    Text(String),
    Var(String),
}

/// Split a `Fn::Sub` string into literal text and `${name}` variables; `${!x}` is the literal
/// `${x}`.
fn sub_pieces(s: &str) -> Vec<SubPiece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        text.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i + 2..).unwrap_or("");
        if let Some(lit) = after.strip_prefix('!') {
            text.push_str("${");
            rest = lit;
            continue;
        }
        match after.find('}') {
            Some(j) => {
                if !text.is_empty() {
                    out.push(SubPiece::Text(std::mem::take(&mut text)));
                }
                out.push(SubPiece::Var(
                    after.get(..j).unwrap_or("").trim().to_string(),
                ));
                rest = after.get(j + 1..).unwrap_or("");
            }
            None => {
                text.push_str("${");
                rest = after;
            }
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.push(SubPiece::Text(text));
    }
    out
}

/// Two values equal as CloudFormation compares them (scalars as strings).
pub(super) fn same_value(a: &Value, b: &Value) -> bool {
    fn scalar(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(format_number(*n)),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null => Some(String::new()),
            _ => None,
        }
    }
    match (a, b) {
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(&p.value, &q.value))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && same_value(&v1.value, &v2.value))
        }
        (Value::Unknown(x), Value::Unknown(y)) => x == y,
        _ => match (scalar(a), scalar(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

/// Resource addresses referenced by the unknowns inside a node.
pub(super) fn unknown_refs(n: &Node) -> Vec<String> {
    let mut out: BTreeSet<String> = BTreeSet::new();
    n.walk(&mut |x| {
        if let Value::Unknown(u) = &x.value {
            out.extend(u.refs().into_iter().map(str::to_string));
        }
    });
    out.into_iter().collect()
}

/// A value moved to where it is used (a parameter's value at the `Ref`).
pub(super) fn relocate(mut n: Node, loc: Option<&Loc>) -> Node {
    if let Some(l) = loc {
        n.loc = Some(l.clone());
        if let Value::List(items) = &mut n.value {
            for i in items {
                if i.loc.is_none() || !matches!(i.value, Value::Map(_) | Value::List(_)) {
                    i.loc = Some(l.clone());
                }
            }
        }
    }
    n
}

/// How many nodes a value holds (the work of copying it).
fn size(n: &Node) -> u64 {
    let mut count = 0u64;
    n.walk(&mut |_| count += 1);
    count
}
