//! Helpers over values: truthiness, conversions, unknown collection, equality.

use std::collections::BTreeMap;

use moat_model::{format_number, Node, Unknown, Value};

/// Hidden key marking a map as a resource instance object (holds its address). Stripped
/// before resources reach the estate.
pub(crate) const ADDR_KEY: &str = "\u{0}address";

pub(crate) fn unk(reason: impl Into<String>) -> Value {
    Value::Unknown(Unknown::derived(reason))
}

/// The unknowns directly inside a set of nodes (not nested).
pub(crate) fn first_unknowns<'a>(nodes: impl IntoIterator<Item = &'a Node>) -> Vec<&'a Unknown> {
    nodes
        .into_iter()
        .filter_map(|n| match &n.value {
            Value::Unknown(u) => Some(u),
            _ => None,
        })
        .collect()
}

/// Every resource address referenced by unknowns anywhere inside `node`.
pub(crate) fn refs_in(node: &Node, out: &mut Vec<String>) {
    node.walk(&mut |n| {
        if let Value::Unknown(u) = &n.value {
            for r in u.refs() {
                if !out.iter().any(|x| x == r) {
                    out.push(r.to_string());
                }
            }
        }
    });
}

/// Combine the unknowns of some values, keeping every reference found in any of `all`.
pub(crate) fn combine_unknown(unknowns: &[&Unknown], all: &[&Node]) -> Unknown {
    if let [one] = unknowns {
        if all.len() <= 1 {
            return (*one).clone();
        }
    }
    let base = Unknown::combine(unknowns.iter().copied());
    let mut refs: Vec<String> = base.refs().iter().map(|s| s.to_string()).collect();
    for n in all {
        refs_in(n, &mut refs);
    }
    match base {
        Unknown::Derived { reason, .. } => Unknown::Derived { reason, refs },
        other if refs.len() <= other.refs().len() => other,
        other => Unknown::Derived {
            reason: other.to_string(),
            refs,
        },
    }
}

/// A derived unknown that keeps the references of some nodes.
pub(crate) fn derived_with_refs(reason: impl Into<String>, all: &[&Node]) -> Value {
    let mut refs = Vec::new();
    for n in all {
        refs_in(n, &mut refs);
    }
    Value::Unknown(Unknown::Derived {
        reason: reason.into(),
        refs,
    })
}

/// Terraform string conversion of a primitive. `None` for collections and null.
pub(crate) fn to_str(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(format_number(*n)),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(crate) fn to_num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => Some(*n),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    }
}

pub(crate) fn to_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// Deep equality ignoring locations. `None` when unknowns decide it.
pub(crate) fn equal(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => None,
        (Value::Null, Value::Null) => Some(true),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::Number(x), Value::Number(y)) => Some(x == y),
        (Value::String(x), Value::String(y)) => Some(x == y),
        (Value::List(x), Value::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut unknown = false;
            for (p, q) in x.iter().zip(y) {
                match equal(&p.value, &q.value) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown {
                None
            } else {
                Some(true)
            }
        }
        (Value::Map(x), Value::Map(y)) => {
            let xk: Vec<&String> = x.keys().filter(|k| k.as_str() != ADDR_KEY).collect();
            let yk: Vec<&String> = y.keys().filter(|k| k.as_str() != ADDR_KEY).collect();
            if xk != yk {
                return Some(false);
            }
            let mut unknown = false;
            for k in xk {
                let (Some(p), Some(q)) = (x.get(k), y.get(k)) else {
                    return Some(false);
                };
                match equal(&p.value, &q.value) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown {
                None
            } else {
                Some(true)
            }
        }
        _ => Some(false),
    }
}

/// Remove the hidden resource-object markers from a value tree.
pub(crate) fn strip_hidden(node: &mut Node) {
    match &mut node.value {
        Value::Map(m) => {
            m.remove(ADDR_KEY);
            m.values_mut().for_each(strip_hidden);
        }
        Value::List(l) => l.iter_mut().for_each(strip_hidden),
        _ => {}
    }
}

/// Map entries users can see.
pub(crate) fn visible(m: &BTreeMap<String, Node>) -> impl Iterator<Item = (&String, &Node)> {
    m.iter().filter(|(k, _)| k.as_str() != ADDR_KEY)
}

/// Render a map key the way Terraform prints instance keys: `["a"]`.
pub(crate) fn instance_key(key: &Value) -> String {
    match key {
        Value::Number(n) => format!("[{}]", format_number(*n)),
        Value::String(s) => {
            let mut out = String::from("[\"");
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    c => out.push(c),
                }
            }
            out.push_str("\"]");
            out
        }
        _ => String::new(),
    }
}
