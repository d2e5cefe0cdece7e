//! `data "aws_iam_policy_document"` -> the policy JSON, as the AWS provider renders it.

use std::collections::BTreeMap;

use moat_model::{Node, Value};
use serde_json::{json, Map, Value as J};

use crate::value_ops::{derived_with_refs, to_str};

/// Render the policy document; unknown if any part of it is unknown.
pub(crate) fn render(attrs: &BTreeMap<String, Node>, address: &str) -> Value {
    let all: Vec<&Node> = attrs.values().collect();
    let mut undecidable = false;
    for n in &all {
        n.walk(&mut |x| {
            if let Value::Unknown(u) = &x.value {
                if placeholder(u).is_none() {
                    undecidable = true;
                }
            }
        });
    }
    let mut filled = attrs.clone();
    for n in filled.values_mut() {
        fill_placeholders(n);
    }
    if !undecidable {
        return Value::String(serde_json::to_string_pretty(&build(&filled)).unwrap_or_default());
    }
    // Some leaf (an action, a resource, a condition value) is unknown. When the document's
    // shape is known (which statements, principals and conditions exist), render it as a
    // structured value whose unknown leaves stay unknown, so that checks can still decide what
    // the known parts settle (a principal that is not `*`) and report the rest as unknown.
    if !shape_is_known(&filled) {
        return derived_with_refs(
            format!("policy document `{address}` depends on unknown values"),
            &all,
        );
    }
    let mut unknowns: Vec<moat_model::Unknown> = Vec::new();
    for n in filled.values_mut() {
        to_sentinels(n, &mut unknowns);
    }
    let mut node = Node::new(Value::from_json(&build(&filled)), None);
    from_sentinels(&mut node, &unknowns);
    node.value
}

/// Marks an unknown leaf while the document is rendered through JSON.
const SENTINEL: &str = "\u{1}moat-unknown:";

fn to_sentinels(n: &mut Node, unknowns: &mut Vec<moat_model::Unknown>) {
    if let Value::Unknown(u) = &n.value {
        unknowns.push(u.clone());
        n.value = Value::String(format!("{SENTINEL}{}", unknowns.len() - 1));
        return;
    }
    match &mut n.value {
        Value::List(l) => l.iter_mut().for_each(|x| to_sentinels(x, unknowns)),
        Value::Map(m) => m.values_mut().for_each(|x| to_sentinels(x, unknowns)),
        _ => {}
    }
}

fn from_sentinels(n: &mut Node, unknowns: &[moat_model::Unknown]) {
    match &mut n.value {
        Value::String(s) if s.contains(SENTINEL) => {
            let exact = s
                .strip_prefix(SENTINEL)
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| unknowns.get(i));
            n.value = Value::Unknown(match exact {
                Some(u) => u.clone(),
                None => moat_model::Unknown::derived("part of a policy document is unknown"),
            });
        }
        Value::List(l) => l.iter_mut().for_each(|x| from_sentinels(x, unknowns)),
        Value::Map(m) => m.values_mut().for_each(|x| from_sentinels(x, unknowns)),
        _ => {}
    }
}

/// The statements, and in each its principals and conditions, are known (only leaves are not).
/// Source and override documents must be fully known: they are merged as JSON text.
fn shape_is_known(attrs: &BTreeMap<String, Node>) -> bool {
    let blocks_known = |n: Option<&Node>| match n.map(|n| &n.value) {
        None | Some(Value::Null) => true,
        Some(Value::List(l)) => l.iter().all(|x| matches!(x.value, Value::Map(_))),
        Some(Value::Map(_)) => true,
        Some(_) => false,
    };
    for key in ["source_policy_documents", "override_policy_documents"] {
        if attrs.get(key).is_some_and(Node::contains_unknown) {
            return false;
        }
    }
    if !blocks_known(attrs.get("statement")) {
        return false;
    }
    attrs
        .get("statement")
        .map(|n| n.as_block_list())
        .unwrap_or_default()
        .iter()
        .all(|st| {
            ["principals", "not_principals", "condition"]
                .iter()
                .all(|k| blocks_known(st.get(k)))
        })
}

/// The policy JSON of a document whose values are all known (or replaced by placeholders).
fn build(attrs: &BTreeMap<String, Node>) -> J {
    let mut doc = Map::new();
    // source documents first, then this document's statements, then overrides.
    let mut statements: Vec<J> = Vec::new();
    let mut version = attrs
        .get("version")
        .and_then(|n| to_str(&n.value))
        .unwrap_or_else(|| "2012-10-17".into());
    for src in list_strings(attrs.get("source_policy_documents")) {
        if let Ok(j) = serde_json::from_str::<J>(&src) {
            if let Some(v) = j.get("Version").and_then(J::as_str) {
                version = v.to_string();
            }
            statements.extend(statements_of(&j));
        }
    }
    if let Some(id) = attrs.get("policy_id").and_then(|n| to_str(&n.value)) {
        doc.insert("Id".into(), J::String(id));
    }
    for st in attrs
        .get("statement")
        .map(|n| n.as_block_list())
        .unwrap_or_default()
    {
        let s = statement(st);
        merge_by_sid(&mut statements, s);
    }
    for ov in list_strings(attrs.get("override_policy_documents")) {
        if let Ok(j) = serde_json::from_str::<J>(&ov) {
            for s in statements_of(&j) {
                merge_by_sid(&mut statements, s);
            }
        }
    }
    doc.insert("Version".into(), J::String(version));
    doc.insert("Statement".into(), J::Array(statements));
    let mut ordered = Map::new();
    for k in ["Version", "Id", "Statement"] {
        if let Some(v) = doc.remove(k) {
            ordered.insert(k.into(), v);
        }
    }
    J::Object(ordered)
}

fn statements_of(j: &J) -> Vec<J> {
    match j.get("Statement") {
        Some(J::Array(a)) => a.clone(),
        Some(o @ J::Object(_)) => vec![o.clone()],
        _ => Vec::new(),
    }
}

/// A statement with a Sid replaces an earlier one with the same Sid.
fn merge_by_sid(statements: &mut Vec<J>, s: J) {
    if let Some(sid) = s.get("Sid").and_then(J::as_str).filter(|s| !s.is_empty()) {
        if let Some(existing) = statements
            .iter_mut()
            .find(|x| x.get("Sid").and_then(J::as_str) == Some(sid))
        {
            *existing = s;
            return;
        }
    }
    statements.push(s);
}

fn list_strings(n: Option<&Node>) -> Vec<String> {
    match n.map(|n| &n.value) {
        Some(Value::List(l)) => l.iter().filter_map(|x| to_str(&x.value)).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// One string, or a sorted list of strings when more than one (the provider sorts sets).
fn one_or_many(mut v: Vec<String>) -> J {
    v.sort();
    v.dedup();
    if v.len() == 1 {
        v.pop().map(J::String).unwrap_or(J::Null)
    } else {
        J::Array(v.into_iter().map(J::String).collect())
    }
}

fn statement(st: &Node) -> J {
    let mut out = Map::new();
    if let Some(sid) = st.get("sid").and_then(|n| to_str(&n.value)) {
        out.insert("Sid".into(), J::String(sid));
    }
    let effect = st
        .get("effect")
        .and_then(|n| to_str(&n.value))
        .unwrap_or_else(|| "Allow".into());
    out.insert("Effect".into(), J::String(effect));
    for (attr, key) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        let v = list_strings(st.get(attr));
        if !v.is_empty() {
            out.insert(key.into(), one_or_many(v));
        }
    }
    for (attr, key) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        let blocks = st.get(attr).map(|n| n.as_block_list()).unwrap_or_default();
        if blocks.is_empty() {
            continue;
        }
        let mut by_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for b in blocks {
            let t = b
                .get("type")
                .and_then(|n| to_str(&n.value))
                .unwrap_or_default();
            by_type
                .entry(t)
                .or_default()
                .extend(list_strings(b.get("identifiers")));
        }
        if by_type.len() == 1
            && by_type
                .get("*")
                .is_some_and(|ids| ids.iter().all(|i| i == "*"))
        {
            out.insert(key.into(), J::String("*".into()));
            continue;
        }
        let mut m = Map::new();
        for (t, ids) in by_type {
            m.insert(t, one_or_many(ids));
        }
        out.insert(key.into(), J::Object(m));
    }
    let conds = st
        .get("condition")
        .map(|n| n.as_block_list())
        .unwrap_or_default();
    if !conds.is_empty() {
        let mut m: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        for c in conds {
            let test = c
                .get("test")
                .and_then(|n| to_str(&n.value))
                .unwrap_or_default();
            let var = c
                .get("variable")
                .and_then(|n| to_str(&n.value))
                .unwrap_or_default();
            m.entry(test)
                .or_default()
                .entry(var)
                .or_default()
                .extend(list_strings(c.get("values")));
        }
        let j: Map<String, J> = m
            .into_iter()
            .map(|(t, vars)| {
                (
                    t,
                    J::Object(vars.into_iter().map(|(k, v)| (k, one_or_many(v))).collect()),
                )
            })
            .collect();
        out.insert("Condition".into(), J::Object(j));
    }
    let _ = json!(null);
    J::Object(out)
}

/// Attributes of other resources known only after apply (an ARN, an ID) are never `*`, so the
/// document can still be rendered with a `${address.attr}` placeholder in their place. Any other
/// unknown (a variable, a data source) could be anything and makes the document unknown.
pub(crate) fn placeholder(u: &moat_model::Unknown) -> Option<String> {
    use moat_model::Unknown;
    match u {
        Unknown::Computed { address, attr } => Some(format!("${{{address}.{attr}}}")),
        // Literal text around the unknown parts, with no wildcard of its own: never `*` nor a
        // wildcard pattern (an ARN with an unknown account). `"${var.svc}:*"` stays unknown.
        Unknown::Template { text, .. }
            if !literal_parts(text).contains(['*', '?']) || only_computed_parts(text) =>
        {
            Some(text.clone())
        }
        Unknown::Derived { reason, refs }
            if !refs.is_empty()
                && reason
                    .split("; ")
                    .all(|p| p.ends_with("is known only after apply")) =>
        {
            let first = reason.split("; ").next().unwrap_or_default();
            let inner = first
                .trim_end_matches(" is known only after apply")
                .trim_matches('`');
            Some(format!("${{{inner}}}"))
        }
        _ => None,
    }
}

/// True when every `${...}` placeholder in a template names an attribute of a managed resource
/// known only after apply (an ARN, an ID: never empty, never a wildcard), so that literal
/// wildcards next to it (`"${aws_s3_bucket.b.arn}/*"`) mean what they say.
fn only_computed_parts(text: &str) -> bool {
    let mut rest = text;
    let mut any = false;
    while let Some(start) = rest.find("${") {
        let after = rest.get(start + 2..).unwrap_or_default();
        let Some(end) = after.find('}') else {
            return false;
        };
        let inner = after.get(..end).unwrap_or_default();
        if inner.starts_with("var.")
            || inner.starts_with("data.")
            || inner.starts_with("module.")
            || inner.starts_with("local.")
            || inner == "unknown"
            || !inner.contains('.')
        {
            return false;
        }
        any = true;
        rest = after.get(end + 1..).unwrap_or_default();
    }
    any
}

/// The text of a template with its `${...}` placeholders removed.
fn literal_parts(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or_default());
        match rest.get(start..).and_then(|r| r.find('}')) {
            Some(end) => rest = rest.get(start + end + 1..).unwrap_or_default(),
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

pub(crate) fn fill_placeholders(n: &mut Node) {
    match &mut n.value {
        Value::Unknown(u) => {
            if let Some(p) = placeholder(u) {
                n.value = Value::String(p);
            }
        }
        Value::List(l) => l.iter_mut().for_each(fill_placeholders),
        Value::Map(m) => m.values_mut().for_each(fill_placeholders),
        _ => {}
    }
}
