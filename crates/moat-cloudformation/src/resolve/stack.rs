//! One template: parameters, mappings, conditions, resources (with `Fn::ForEach`), nested
//! stacks and outputs.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use moat_model::{
    format_number, Frontend, Loc, Node, Redaction, Resource, ResourceIgnore, Tri, Unknown, Value,
    Written,
};

use super::eval::{as_call, Child, Decl, Eval, Stack};

/// Deepest nesting of stacks read (the root is depth 0).
pub(super) const MAX_STACK_DEPTH: usize = 10;

/// What the nested-stack resource types call their template.
fn template_key(rtype: &str) -> Option<&'static str> {
    match rtype {
        "AWS::CloudFormation::Stack" => Some("TemplateURL"),
        "AWS::Serverless::Application" => Some("Location"),
        _ => None,
    }
}

/// Whether a `TemplateURL` names a template elsewhere than on this disk.
fn is_remote(url: &str) -> bool {
    url.contains("://") || url.starts_with("s3:")
}

/// The local templates a template names as nested stacks (literal paths), for deciding which
/// scanned templates are roots.
pub(super) fn local_children(root: &Node) -> Vec<String> {
    let mut out = Vec::new();
    let Some(res) = root.get("Resources").and_then(Node::as_map) else {
        return out;
    };
    for body in res.values() {
        let Some(key) = body
            .get("Type")
            .and_then(Node::as_str)
            .and_then(template_key)
        else {
            continue;
        };
        if let Some(url) = body
            .path(&format!("Properties.{key}"))
            .and_then(Node::as_str)
        {
            if !is_remote(url) {
                out.push(url.to_string());
            }
        }
    }
    out
}

/// Resolve a template into the shared state. `given`: the parameter values a parent stack
/// passes (`None` at the root: the command line's values apply). Returns the outputs' values.
pub(super) fn resolve_template(
    ev: &mut Eval,
    root: &Node,
    given: Option<&BTreeMap<String, Node>>,
) -> BTreeMap<String, Node> {
    let mut outputs = BTreeMap::new();
    if root.as_map().is_none() {
        ev.error(root.loc.as_ref(), "a template must be a map of sections");
        return outputs;
    }
    transforms(ev, root);
    params(ev, root.get("Parameters"), given);
    if let Some(m) = section(ev, root, "Mappings") {
        ev.st.mappings = m;
    }
    if let Some(c) = section(ev, root, "Conditions") {
        ev.st.conditions = c;
    }
    let expanded = foreach_then_sam(ev, root);
    let root = expanded.as_ref().unwrap_or(root);
    declare_resources(ev, root);
    let ids: Vec<String> = ev.st.resources.keys().cloned().collect();
    for id in ids {
        build_resource(ev, &id);
    }
    if let Some(outs) = root.get("Outputs").and_then(Node::as_map) {
        let mut entries: Vec<(String, Node)> = Vec::new();
        for (k, v) in outs {
            if k.starts_with("Fn::ForEach::") {
                entries.extend(ev.foreach(k, v, 0));
            } else {
                entries.push((k.clone(), v.clone()));
            }
        }
        for (k, o) in entries {
            if let Some(c) = o.get("Condition") {
                if let Some(name) = c.as_str() {
                    if ev.condition(name, c.loc.as_ref()).is_false() {
                        continue;
                    }
                }
            }
            let Some(v) = o.get("Value") else {
                ev.error(o.loc.as_ref(), format!("output `{k}` has no `Value`"));
                continue;
            };
            if let Some(val) = ev.eval(v) {
                outputs.insert(k, val);
            }
        }
    }
    outputs
}

/// For a template that names SAM and loops with `Fn::ForEach` in `Resources`
/// ([`super::sam_after_foreach`]): the template with the loops expanded, then the SAM
/// transform applied, as CloudFormation runs `AWS::LanguageExtensions` before SAM, so that
/// the functions and APIs a loop generates are expanded too (with the `Globals`).
/// Conditions the transform adds are read again. `None` for any other template.
fn foreach_then_sam(ev: &mut Eval, root: &Node) -> Option<Node> {
    if !super::sam_after_foreach(root) {
        return None;
    }
    let res = root.get("Resources")?;
    let res_map = res.as_map()?;
    let mut out: BTreeMap<String, Node> = BTreeMap::new();
    for (k, v) in res_map {
        let entries = if k.starts_with("Fn::ForEach::") {
            ev.foreach(k, v, 0)
        } else {
            vec![(k.clone(), v.clone())]
        };
        for (id, body) in entries {
            if out.contains_key(&id) {
                let loc = body.loc.clone();
                ev.error(loc.as_ref(), format!("resource `{id}` is declared twice"));
                continue;
            }
            out.insert(id, body);
        }
    }
    let mut new_root = root.clone();
    if let Value::Map(top) = &mut new_root.value {
        top.insert(
            "Resources".to_string(),
            Node::new(Value::Map(out), res.loc.clone()),
        );
    }
    crate::sam::transform(&mut new_root, &mut ev.sh.errors, &mut ev.sh.notes);
    if new_root.get("Conditions") != root.get("Conditions") {
        if let Some(c) = section(ev, &new_root, "Conditions") {
            ev.st.conditions = c;
        }
    }
    Some(new_root)
}

/// A section that must be a map, as a map (an error otherwise).
fn section(ev: &mut Eval, root: &Node, name: &str) -> Option<BTreeMap<String, Node>> {
    let n = root.get(name)?;
    match n.as_map() {
        Some(m) => Some(m.clone()),
        None if n.is_null() => None,
        None => {
            ev.error(n.loc.as_ref(), format!("`{name}` must be a map"));
            None
        }
    }
}

/// The template's `Transform`: the language extensions are applied here, SAM before
/// resolution ([`super::apply_sam`]); any other transform is a note.
fn transforms(ev: &mut Eval, root: &Node) {
    let Some(t) = root.get("Transform") else {
        return;
    };
    let names: Vec<(String, Option<Loc>)> = match &t.value {
        Value::String(s) => vec![(s.clone(), t.loc.clone())],
        Value::List(l) => l
            .iter()
            .map(|n| match n.as_str() {
                Some(s) => (s.to_string(), n.loc.clone()),
                None => (
                    n.get("Name")
                        .and_then(Node::as_str)
                        .unwrap_or("")
                        .to_string(),
                    n.loc.clone(),
                ),
            })
            .collect(),
        Value::Map(_) => vec![(
            t.get("Name")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string(),
            t.loc.clone(),
        )],
        _ => Vec::new(),
    };
    for (name, loc) in names {
        if name == "AWS::LanguageExtensions" || name == super::SAM_TRANSFORM {
            continue;
        }
        ev.note(
            loc.as_ref(),
            format!("transform `{name}` is applied by CloudFormation when deployed; moat does not apply it, so what it adds or changes is not checked"),
        );
    }
}

/// A parameter's value before typing.
enum Raw {
    Text(String, Option<Loc>),
    Node(Node),
    Previous,
    Missing,
}

/// Resolve the declared parameters: a given value (from the parent stack, or the command line
/// at the root), else the default, else unknown.
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html>
fn params(ev: &mut Eval, decls: Option<&Node>, given: Option<&BTreeMap<String, Node>>) {
    let Some(decls) = decls else {
        return;
    };
    let Some(decls) = decls.as_map() else {
        ev.error(decls.loc.as_ref(), "`Parameters` must be a map");
        return;
    };
    if let Some(g) = given {
        for (k, v) in g {
            if !decls.contains_key(k) {
                ev.error(
                    v.loc.as_ref(),
                    format!("parameter `{k}` is passed to a nested stack whose template `{}` does not declare it", ev.st.file),
                );
            }
        }
    }
    for (name, d) in decls {
        let dloc = d.loc.clone();
        if d.as_map().is_none() {
            ev.error(dloc.as_ref(), format!("parameter `{name}` is not a map"));
            continue;
        }
        let ptype = match d.get("Type").and_then(Node::as_str) {
            Some(t) => t.to_string(),
            None => {
                ev.error(dloc.as_ref(), format!("parameter `{name}` has no `Type`"));
                "String".to_string()
            }
        };
        let no_echo = d.get("NoEcho").and_then(Node::as_bool) == Some(true);
        let allowed: Option<Vec<String>> = d
            .get("AllowedValues")
            .and_then(Node::as_list)
            .map(|l| l.iter().filter_map(scalar_text).collect());
        let default = || match d.get("Default") {
            Some(n) => match scalar_text(n) {
                Some(s) => Raw::Text(s, n.loc.clone()),
                None => match n.as_list() {
                    Some(l) => Raw::Text(
                        l.iter()
                            .filter_map(scalar_text)
                            .collect::<Vec<_>>()
                            .join(","),
                        n.loc.clone(),
                    ),
                    None => Raw::Missing,
                },
            },
            None => Raw::Missing,
        };
        let raw = match given {
            Some(g) => match g.get(name) {
                Some(n) => match (&n.value, scalar_text(n)) {
                    (_, Some(s)) => Raw::Text(s, n.loc.clone()),
                    (Value::List(l), _) if !n.contains_unknown() => Raw::Text(
                        l.iter()
                            .filter_map(scalar_text)
                            .collect::<Vec<_>>()
                            .join(","),
                        n.loc.clone(),
                    ),
                    _ => Raw::Node(n.clone()),
                },
                None => default(),
            },
            None => match ev.sh.inputs.values.get(name) {
                Some(super::inputs::Input::Value(v)) => Raw::Text(v.clone(), dloc.clone()),
                Some(super::inputs::Input::Previous) => Raw::Previous,
                None => default(),
            },
        };
        let allowed_text = allowed.as_ref().map(|a| {
            a.iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        });
        let value = match raw {
            Raw::Node(n) => n,
            Raw::Previous => Node::unknown(
                Unknown::derived(format!("parameter `{name}` uses its previous value (`UsePreviousValue`), known only to the deployed stack")),
                dloc.clone(),
            ),
            Raw::Missing => match &allowed_text {
                Some(a) => Node::unknown(
                    Unknown::derived(format!(
                        "parameter `{name}` has no value (allowed values: {a})"
                    )),
                    dloc.clone(),
                ),
                None => Node::unknown(
                    Unknown::Parameter { name: name.clone() },
                    dloc.clone(),
                ),
            },
            Raw::Text(s, loc) => {
                let loc = loc.or_else(|| dloc.clone());
                typed(ev, name, &ptype, &s, loc, allowed.as_deref(), allowed_text.as_deref(), d, no_echo)
            }
        };
        ev.st.params.insert(name.clone(), value);
    }
}

/// A parameter's text as its type makes it, checked against its constraints.
#[allow(clippy::too_many_arguments)]
fn typed(
    ev: &mut Eval,
    name: &str,
    ptype: &str,
    s: &str,
    loc: Option<Loc>,
    allowed: Option<&[String]>,
    allowed_text: Option<&str>,
    decl: &Node,
    no_echo: bool,
) -> Node {
    if ptype.starts_with("AWS::SSM::Parameter::Value<") {
        return Node::unknown(
            Unknown::derived(format!(
                "parameter `{name}` is the value of SSM parameter `{s}`, read when deployed"
            )),
            loc,
        );
    }
    let is_list = ptype == "CommaDelimitedList" || ptype.starts_with("List<");
    let items: Vec<String> = if is_list {
        if s.is_empty() {
            Vec::new()
        } else {
            s.split(',').map(|p| p.trim().to_string()).collect()
        }
    } else {
        vec![s.to_string()]
    };
    let shown = |v: &str| {
        if no_echo {
            "the value".to_string()
        } else {
            format!("`{v}`")
        }
    };
    if no_echo {
        for v in items.iter().map(String::as_str).chain([s]) {
            ev.sh.redactions.push(Redaction {
                text: v.to_string(),
                with: "(NoEcho parameter)".into(),
            });
        }
    }
    let numeric = ptype == "Number" || ptype == "List<Number>";
    for v in &items {
        if numeric && v.trim().parse::<f64>().is_err() {
            let m = format!(
                "{} of parameter `{name}` (type `{ptype}`) is not a number",
                shown(v)
            );
            ev.error(loc.as_ref(), m);
        }
        if let (Some(a), Some(at)) = (allowed, allowed_text) {
            let ok = a.iter().any(|x| {
                x == v
                    || (numeric
                        && x.parse::<f64>()
                            .ok()
                            .is_some_and(|p| Some(p) == v.parse::<f64>().ok()))
            });
            if !ok {
                let m = format!(
                    "{} of parameter `{name}` is not one of its `AllowedValues` ({at})",
                    shown(v)
                );
                ev.error(loc.as_ref(), m);
            }
        }
        if numeric {
            if let Ok(x) = v.trim().parse::<f64>() {
                let min = decl.get("MinValue").and_then(Node::as_f64);
                let max = decl.get("MaxValue").and_then(Node::as_f64);
                if min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m) {
                    let m = format!(
                        "{} of parameter `{name}` is outside its `MinValue`/`MaxValue`",
                        shown(v)
                    );
                    ev.error(loc.as_ref(), m);
                }
            }
        } else {
            let len = v.chars().count() as f64;
            let min = decl.get("MinLength").and_then(Node::as_f64);
            let max = decl.get("MaxLength").and_then(Node::as_f64);
            if min.is_some_and(|m| len < m) || max.is_some_and(|m| len > m) {
                let m = format!(
                    "{} of parameter `{name}` is outside its `MinLength`/`MaxLength`",
                    shown(v)
                );
                ev.error(loc.as_ref(), m);
            }
        }
    }
    if is_list {
        let list = items
            .into_iter()
            .map(|v| Node::new(Value::String(v), loc.clone()))
            .collect();
        Node::new(Value::List(list), loc)
    } else {
        Node::new(Value::String(s.to_string()), loc)
    }
}

/// A scalar as CloudFormation text.
fn scalar_text(n: &Node) -> Option<String> {
    match &n.value {
        Value::String(s) => Some(s.clone()),
        Value::Number(x) => Some(format_number(*x)),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Collect the resource declarations, `Fn::ForEach` expanded.
fn declare_resources(ev: &mut Eval, root: &Node) {
    let Some(res) = root.get("Resources") else {
        ev.error(root.loc.as_ref(), "the template has no `Resources` section");
        return;
    };
    let Some(res) = res.as_map() else {
        ev.error(res.loc.as_ref(), "`Resources` must be a map");
        return;
    };
    let mut entries: Vec<(String, Node)> = Vec::new();
    for (k, v) in res {
        if k.starts_with("Fn::ForEach::") {
            entries.extend(ev.foreach(k, v, 0));
        } else {
            entries.push((k.clone(), v.clone()));
        }
    }
    for (id, body) in entries {
        let loc = body
            .loc
            .clone()
            .unwrap_or_else(|| Loc::new(ev.st.file.clone(), 0, 0));
        if ev.st.resources.contains_key(&id) {
            ev.error(Some(&loc), format!("resource `{id}` is declared twice"));
            continue;
        }
        if (!id.chars().all(|c| c.is_ascii_alphanumeric()) || id.is_empty())
            && !ev.st.placeholders.contains(&id)
        {
            ev.error(
                Some(&loc),
                format!("logical ID `{id}` is not alphanumeric (CloudFormation rejects it)"),
            );
        }
        ev.st.resources.insert(
            id,
            Decl {
                body: Arc::new(body),
                loc,
            },
        );
    }
}

/// Resolve one declared resource into the estate (with its nested stack, if it is one).
fn build_resource(ev: &mut Eval, id: &str) {
    let Some(decl) = ev.st.resources.get(id).cloned() else {
        return;
    };
    let loc = decl.loc.clone();
    let body = &decl.body;
    if body.as_map().is_none() {
        ev.error(Some(&loc), format!("resource `{id}` is not a map"));
        return;
    }
    let rtype = match body.get("Type") {
        Some(t) => match t.as_str() {
            Some(s) => s.to_string(),
            None => {
                ev.error(
                    t.loc.as_ref(),
                    format!("`Type` of resource `{id}` is not a string"),
                );
                return;
            }
        },
        None => {
            ev.error(Some(&loc), format!("resource `{id}` has no `Type`"));
            return;
        }
    };
    if let Some(c) = body.get("Condition") {
        let Some(cname) = c.as_str() else {
            ev.error(
                c.loc.as_ref(),
                format!("`Condition` of resource `{id}` is not a condition name"),
            );
            return;
        };
        match ev.condition(cname, c.loc.as_ref()) {
            Tri::False => {
                ev.st
                    .children
                    .insert(id.to_string(), Child::Unread(format!("its condition `{cname}` is false")));
                return;
            }
            Tri::Unknown(u) => ev.note(
                Some(&loc),
                format!("resource `{id}` exists only if condition `{cname}` holds, which is unknown: {u}"),
            ),
            Tri::True => {}
        }
    }
    let address = ev.st.address(id);
    // A nested stack resolved from inside another resource's properties has its own items.
    let outer = ev.sh.item.take();
    ev.sh.set_item(Some(address.clone()));
    let mut attrs = BTreeMap::new();
    let mut unknown_body = None;
    let props = body.get("Properties");
    let merged = props.and_then(|p| properties_if_novalue(ev, p));
    if let Some(m) = merged {
        attrs = m;
    } else if let Some(p) = props {
        match &p.value {
            Value::Map(_) => match ev.eval(p) {
                Some(Node {
                    value: Value::Map(m),
                    ..
                }) => attrs = m,
                Some(Node {
                    value: Value::Unknown(u),
                    ..
                }) => {
                    ev.note(
                        Some(&loc),
                        format!("the properties of resource `{id}` are unknown: {u}"),
                    );
                    unknown_body = Some(Node::unknown(u, p.loc.clone()));
                }
                _ => {}
            },
            Value::Null => {}
            _ => {
                ev.error(
                    p.loc.as_ref(),
                    format!("`Properties` of resource `{id}` must be a map"),
                );
            }
        }
    }
    let mut written = BTreeMap::new();
    if let Some(p) = body.get("Properties") {
        written_paths(ev, p, "", &mut written);
    }
    ev.sh.set_item(None);
    ev.sh.item = outer;
    ignores(ev, &address, body, &loc);
    if !ev.sh.add_instance(&loc) {
        return;
    }
    let mut r = Resource::new(
        address.clone(),
        rtype.clone(),
        id.to_string(),
        Frontend::CloudFormation,
        loc,
    );
    r.module = ev.st.prefix.trim_end_matches('.').to_string();
    r.attrs = attrs;
    r.unknown_body = unknown_body;
    r.written = Arc::new(written);
    ev.sh.resources.push(r);
    if template_key(&rtype).is_some() && !ev.st.children.contains_key(id) {
        resolve_child(ev, id);
    }
}

/// `Metadata: moat: ignore: [{id, reason}]` on a resource.
fn ignores(ev: &mut Eval, address: &str, body: &Node, rloc: &Loc) {
    let Some(list) = body.path("Metadata.moat.ignore") else {
        return;
    };
    let entries: Vec<&Node> = match &list.value {
        Value::List(l) => l.iter().collect(),
        _ => vec![list],
    };
    for e in entries {
        let loc = e.loc.clone().unwrap_or_else(|| rloc.clone());
        let (id, reason) = match &e.value {
            Value::String(s) => (Some(s.clone()), String::new()),
            Value::Map(_) => (
                e.get("id").and_then(Node::as_str).map(str::to_string),
                e.get("reason")
                    .and_then(Node::as_str)
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default(),
            ),
            _ => (None, String::new()),
        };
        let Some(id) = id.filter(|i| !i.trim().is_empty()) else {
            ev.error(
                Some(&loc),
                "`Metadata.moat.ignore` entry names no rule: write `{id: RULE_ID, reason: ...}`",
            );
            continue;
        };
        let id = id.trim().to_string();
        if reason.is_empty() {
            ev.error(
                Some(&loc),
                format!("suppression `{id}` on `{address}` has no reason and is not honoured: write why, `{{id: {id}, reason: ...}}`"),
            );
        }
        ev.sh.ignores.push(ResourceIgnore {
            address: address.to_string(),
            id,
            reason,
            loc,
        });
    }
}

/// Record how each policy property (a key containing `Policy`) was written, by its path in
/// the resolved properties.
fn written_paths(ev: &mut Eval, raw: &Node, path: &str, out: &mut BTreeMap<String, Written>) {
    if let Some((f, arg)) = as_call(raw) {
        if f == "Fn::If" {
            if let Some(b) = if_branch(ev, arg) {
                written_paths(ev, &b, path, out);
            }
        }
        return;
    }
    match &raw.value {
        Value::Map(m) => {
            for (k, v) in m {
                if k.starts_with("Fn::ForEach::") {
                    continue;
                }
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if k.contains("Policy") {
                    if let Some(w) = written_of(ev, v) {
                        out.insert(p.clone(), w);
                    }
                }
                written_paths(ev, v, &p, out);
            }
        }
        Value::List(l) => {
            let mut i = 0usize;
            for item in l {
                if is_no_value(ev, item) {
                    continue;
                }
                written_paths(ev, item, &format!("{path}.{i}"), out);
                i += 1;
            }
        }
        _ => {}
    }
}

/// The branch an `Fn::If` takes, when its condition is known.
fn if_branch(ev: &mut Eval, arg: &Node) -> Option<Node> {
    let [c, a, b] = arg.as_list()? else {
        return None;
    };
    match ev.condition(c.as_str()?, c.loc.as_ref()) {
        Tri::True => Some(a.clone()),
        Tri::False => Some(b.clone()),
        Tri::Unknown(_) => None,
    }
}

/// `Properties: !If [Cond, {...}, !Ref AWS::NoValue]` (either way round) on a condition that
/// stays unknown: no `Properties` is the same as an empty map, so the map branch is merged
/// with an empty one ([`super::eval::merge_branches`]): every property it sets is unknown, the
/// others are unset in both branches. `None` for any other `Properties`.
fn properties_if_novalue(ev: &mut Eval, p: &Node) -> Option<BTreeMap<String, Node>> {
    let ("Fn::If", arg) = as_call(p)? else {
        return None;
    };
    let [c, a, b] = arg.as_list()? else {
        return None;
    };
    let cname = c.as_str()?;
    let u = match ev.condition(cname, c.loc.as_ref()) {
        Tri::Unknown(u) => u,
        Tri::True | Tri::False => return None,
    };
    let (a_none, b_none) = (is_no_value(ev, a), is_no_value(ev, b));
    let map = match (a_none, b_none) {
        (false, true) => a,
        (true, false) => b,
        _ => return None,
    };
    let Some(Node {
        value: Value::Map(m),
        ..
    }) = ev.eval(map)
    else {
        return None;
    };
    let reason = format!("`Fn::If` on condition `{cname}`, which is unknown: {u}");
    Some(super::eval::merge_branches(&m, &BTreeMap::new(), &reason))
}

/// Whether a raw value is `AWS::NoValue` (directly or through a known `Fn::If`).
fn is_no_value(ev: &mut Eval, n: &Node) -> bool {
    match as_call(n) {
        Some(("Ref", a)) => a.as_str() == Some("AWS::NoValue"),
        Some(("Fn::If", arg)) => match if_branch(ev, arg) {
            Some(b) => is_no_value(ev, &b),
            None => false,
        },
        _ => false,
    }
}

/// How a value was written (`None` when it is removed).
fn written_of(ev: &mut Eval, n: &Node) -> Option<Written> {
    match as_call(n) {
        Some(("Fn::If", arg)) => match if_branch(ev, arg) {
            Some(b) => written_of(ev, &b),
            None => Some(Written::Call("Fn::If".into())),
        },
        Some(("Ref", a)) => match a.as_str() {
            Some("AWS::NoValue") => None,
            Some(r) => Some(reference(ev, r)),
            None => Some(Written::Other),
        },
        Some(("Fn::GetAtt", a)) => {
            let res = match &a.value {
                Value::String(s) => s.split('.').next().map(str::to_string),
                Value::List(l) => l.first().and_then(Node::as_str).map(str::to_string),
                _ => None,
            };
            Some(match res {
                Some(r) => reference(ev, &r),
                None => Written::Other,
            })
        }
        Some((f, _)) => Some(Written::Call(f.to_string())),
        None => Some(match &n.value {
            Value::Map(_) | Value::List(_) => Written::Structure,
            Value::String(_) => Written::Text,
            _ => Written::Other,
        }),
    }
}

/// A `Ref`/`Fn::GetAtt` target: a resource (by type) or something else.
fn reference(ev: &Eval, name: &str) -> Written {
    match ev
        .st
        .resources
        .get(name)
        .and_then(|d| d.body.get("Type"))
        .and_then(Node::as_str)
    {
        Some(t) => Written::Reference(t.to_string()),
        None => Written::Other,
    }
}

/// Read and resolve the nested stack `id` of the current template, recording its outputs in
/// `ev.st.children`.
pub(super) fn resolve_child(ev: &mut Eval, id: &str) {
    if ev.st.children.contains_key(id) {
        return;
    }
    let Some(decl) = ev.st.resources.get(id).cloned() else {
        return;
    };
    let rtype = decl.body.get("Type").and_then(Node::as_str).unwrap_or("");
    let Some(key) = template_key(rtype) else {
        return;
    };
    let key = key.to_string();
    if let Some(c) = decl.body.get("Condition").and_then(Node::as_str) {
        if ev
            .condition(c, decl.body.get("Condition").and_then(|n| n.loc.as_ref()))
            .is_false()
        {
            ev.st.children.insert(
                id.to_string(),
                Child::Unread(format!("its condition `{c}` is false")),
            );
            return;
        }
    }
    ev.st.children.insert(id.to_string(), Child::Resolving);
    let child = read_child(ev, id, &key, &decl);
    ev.st.children.insert(id.to_string(), child);
}

fn read_child(ev: &mut Eval, id: &str, key: &str, decl: &Decl) -> Child {
    let props = decl.body.get("Properties");
    let url_node = props.and_then(|p| p.get(key));
    let uloc = url_node
        .and_then(|u| u.loc.clone())
        .unwrap_or_else(|| decl.loc.clone());
    let url = url_node.and_then(|u| ev.eval(u));
    let url = match url.map(|u| u.value) {
        Some(Value::String(s)) => s,
        Some(Value::Unknown(u)) => {
            let why = format!("its `{key}` is unknown: {u}");
            ev.note(Some(&uloc), format!("nested stack `{id}` not read: {why}"));
            return Child::Unread(why);
        }
        Some(Value::Map(_)) => {
            let why = format!(
                "its `{key}` names an application of the AWS Serverless Application Repository"
            );
            ev.note(Some(&uloc), format!("nested stack `{id}` not read: {why}"));
            return Child::Unread(why);
        }
        _ => {
            ev.error(
                Some(&uloc),
                format!("nested stack `{id}` has no `{key}` string"),
            );
            return Child::Unread(format!("it has no `{key}`"));
        }
    };
    if is_remote(&url) {
        let why = format!("remote `{key}` `{url}`");
        ev.note(Some(&uloc), format!("nested stack `{id}` not read: {why}"));
        return Child::Unread(why);
    }
    let Some(dir) = ev
        .st
        .abs
        .as_ref()
        .and_then(|a| a.parent())
        .map(PathBuf::from)
    else {
        let why = "the template was given as text, without file access".to_string();
        ev.note(Some(&uloc), format!("nested stack `{id}` not read: {why}"));
        return Child::Unread(why);
    };
    if ev.st.depth + 1 > MAX_STACK_DEPTH {
        let why = format!("nested stacks deeper than {MAX_STACK_DEPTH} levels are not read");
        ev.error(Some(&uloc), format!("nested stack `{id}` not read: {why}"));
        return Child::Unread(why);
    }
    let path = moat_model::files::normalize(&dir.join(url.strip_prefix("file://").unwrap_or(&url)));
    if ev.sh.chain.contains(&path) || ev.st.abs.as_ref() == Some(&path) {
        let why = format!("`{url}` includes itself through its nested stacks");
        ev.error(Some(&uloc), format!("nested stack `{id}` not read: {why}"));
        return Child::Unread(why);
    }
    let (rel, text, root) = match ev.read_template(&path) {
        Ok(t) => t,
        Err(e) => {
            ev.error(
                Some(&uloc),
                format!("nested stack `{id}` not read: `{url}`: {e}"),
            );
            return Child::Unread(e);
        }
    };
    // The parameter values the parent passes, resolved in the parent.
    let mut given: BTreeMap<String, Node> = BTreeMap::new();
    if let Some(pn) = props.and_then(|p| p.get("Parameters")) {
        match ev.eval(pn) {
            Some(Node {
                value: Value::Map(m),
                ..
            }) => given = m,
            Some(Node {
                value: Value::Unknown(u),
                loc,
            }) => {
                // Every parameter the child declares is unknown.
                if let Some(decls) = root.get("Parameters").and_then(Node::as_map) {
                    for k in decls.keys() {
                        given.insert(k.clone(), Node::unknown(u.clone(), loc.clone()));
                    }
                }
            }
            None => {}
            Some(other) => ev.error(
                other.loc.as_ref(),
                format!("`Parameters` of nested stack `{id}` must be a map"),
            ),
        }
    }
    ev.sh.sources.insert(rel.clone(), text.clone());
    let mut st = Stack::new(rel);
    st.abs = Some(path.clone());
    st.prefix = format!("{}{id}.", ev.st.prefix);
    st.depth = ev.st.depth + 1;
    let root = super::apply_sam(ev, root);
    ev.sh.chain.push(path);
    let outputs = {
        let mut cev = Eval {
            st,
            sh: &mut *ev.sh,
        };
        resolve_template(&mut cev, &root, Some(&given))
    };
    ev.sh.chain.pop();
    Child::Done(outputs)
}
