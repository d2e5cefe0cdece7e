//! Terraform's built-in functions. Unknown arguments give unknown results; errors give an
//! unknown value (and count as an evaluation error for `try`/`can`), never a panic.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use moat_model::{format_number, Limit, Loc, Node, Unknown, Value};

use crate::eval::{describe, Evaluator, Scope, Src};
use crate::value_ops::*;

/// Functions that look inside collections and tolerate unknown elements.
const STRUCTURAL: &[&str] = &[
    "length",
    "concat",
    "merge",
    "tolist",
    "toset",
    "tomap",
    "element",
    "lookup",
    "keys",
    "values",
    "zipmap",
    "slice",
    "reverse",
    "chunklist",
    "one",
    "coalesce",
    "coalescelist",
    "setunion",
    "contains",
    "flatten",
    "distinct",
    "compact",
    "index",
];

type R = Result<Value, String>;

pub(crate) fn call(
    ev: &mut Evaluator,
    name: &str,
    args: Vec<Node>,
    sc: &mut Scope,
    loc: Option<&Loc>,
) -> Value {
    if name == "jsonencode" {
        if let Some(v) = jsonencode_partial(&args) {
            return v;
        }
    }
    // `slice(unknown_list, 0, 2)`: two unknown elements (Terraform fails when the list is
    // shorter), so `count = length(slice(...))` stays known.
    if name == "slice" {
        if let ([l, a, b], Some(Value::Unknown(u))) =
            (args.as_slice(), args.first().map(|n| &n.value))
        {
            if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
                if 0 <= a && a <= b && b - a <= 4096 {
                    let item = Node::new(Value::Unknown(u.clone()), l.loc.clone());
                    return Value::List(vec![item; (b - a) as usize]);
                }
            }
        }
    }
    if STRUCTURAL.contains(&name) {
        let us = first_unknowns(args.iter());
        if !us.is_empty() {
            let all: Vec<&Node> = args.iter().collect();
            return Value::Unknown(combine_unknown(&us, &all));
        }
    } else if args.iter().any(|a| a.contains_unknown()) {
        let all: Vec<&Node> = args.iter().collect();
        let mut us: Vec<&Unknown> = Vec::new();
        for a in &args {
            a.walk(&mut |n| {
                if let Value::Unknown(u) = &n.value {
                    us.push(u);
                }
            });
        }
        return Value::Unknown(combine_unknown(&us, &all));
    }
    match dispatch(ev, name, &args, sc, loc) {
        Ok(v) => v,
        Err(msg) => {
            let text = format!("`{name}`: {msg}");
            ev.call_failed(loc, text.clone());
            unk(text)
        }
    }
}

/// `jsonencode` of a value that contains unknowns. Attributes of other resources known only
/// after apply (an ARN, an ID) are rendered as `${address.attr}` placeholders, as policy
/// documents are: such a value is never `*`, so policy checks can still decide. Any other unknown
/// (a variable, a data source) keeps the value structured (a map or list with unknown leaves),
/// so that analyses see what is known and what is not, instead of one opaque unknown.
fn jsonencode_partial(args: &[Node]) -> Option<Value> {
    let a = args.first()?;
    if !a.contains_unknown() || args.len() != 1 {
        return None;
    }
    let mut n = a.clone();
    crate::policy_document::fill_placeholders(&mut n);
    if n.contains_unknown() {
        return match n.value {
            Value::Map(_) | Value::List(_) => Some(n.value),
            _ => None,
        };
    }
    strip_hidden(&mut n);
    serde_json::to_string(&n.value.to_json())
        .ok()
        .map(Value::String)
}

fn arg(args: &[Node], i: usize) -> Result<&Node, String> {
    args.get(i)
        .ok_or_else(|| format!("missing argument {}", i + 1))
}

fn s(args: &[Node], i: usize) -> Result<String, String> {
    let n = arg(args, i)?;
    to_str(&n.value).ok_or_else(|| {
        format!(
            "argument {} must be a string, found {}",
            i + 1,
            describe(&n.value)
        )
    })
}

fn num(args: &[Node], i: usize) -> Result<f64, String> {
    let n = arg(args, i)?;
    to_num(&n.value).ok_or_else(|| {
        format!(
            "argument {} must be a number, found {}",
            i + 1,
            describe(&n.value)
        )
    })
}

fn int(args: &[Node], i: usize) -> Result<i64, String> {
    let n = num(args, i)?;
    if n.fract() != 0.0 || !n.is_finite() {
        return Err(format!("argument {} must be a whole number", i + 1));
    }
    Ok(n as i64)
}

fn list(args: &[Node], i: usize) -> Result<Vec<Node>, String> {
    let n = arg(args, i)?;
    match &n.value {
        Value::List(l) => Ok(l.clone()),
        Value::Null => Err(format!("argument {} is null", i + 1)),
        other => Err(format!(
            "argument {} must be a list, found {}",
            i + 1,
            describe(other)
        )),
    }
}

fn map(args: &[Node], i: usize) -> Result<BTreeMap<String, Node>, String> {
    let n = arg(args, i)?;
    match &n.value {
        Value::Map(m) => Ok(visible(m).map(|(k, v)| (k.clone(), v.clone())).collect()),
        other => Err(format!(
            "argument {} must be a map, found {}",
            i + 1,
            describe(other)
        )),
    }
}

fn string_list(nodes: &[Node]) -> Result<Vec<String>, String> {
    nodes
        .iter()
        .map(|n| {
            to_str(&n.value)
                .ok_or_else(|| format!("expected strings, found {}", describe(&n.value)))
        })
        .collect()
}

fn strs(v: Vec<String>) -> Value {
    Value::List(
        v.into_iter()
            .map(|s| Node::from(Value::String(s)))
            .collect(),
    )
}

fn dispatch(ev: &mut Evaluator, name: &str, args: &[Node], sc: &mut Scope, loc: Option<&Loc>) -> R {
    Ok(match name {
        // ------------------------------------------------------------ strings
        "lower" => Value::String(s(args, 0)?.to_lowercase()),
        "upper" => Value::String(s(args, 0)?.to_uppercase()),
        "title" => {
            let mut out = String::new();
            let mut start = true;
            for c in s(args, 0)?.chars() {
                if start && c.is_alphabetic() {
                    out.extend(c.to_uppercase());
                } else {
                    out.push(c);
                }
                start = !c.is_alphanumeric();
            }
            Value::String(out)
        }
        "trimspace" => Value::String(s(args, 0)?.trim().to_string()),
        "chomp" => Value::String(s(args, 0)?.trim_end_matches(['\n', '\r']).to_string()),
        "trim" => {
            let cut: Vec<char> = s(args, 1)?.chars().collect();
            Value::String(s(args, 0)?.trim_matches(|c| cut.contains(&c)).to_string())
        }
        "trimprefix" => {
            let v = s(args, 0)?;
            let p = s(args, 1)?;
            Value::String(v.strip_prefix(p.as_str()).unwrap_or(&v).to_string())
        }
        "trimsuffix" => {
            let v = s(args, 0)?;
            let p = s(args, 1)?;
            Value::String(v.strip_suffix(p.as_str()).unwrap_or(&v).to_string())
        }
        "startswith" => Value::Bool(s(args, 0)?.starts_with(&s(args, 1)?)),
        "endswith" => Value::Bool(s(args, 0)?.ends_with(&s(args, 1)?)),
        "strcontains" => Value::Bool(s(args, 0)?.contains(&s(args, 1)?)),
        "strrev" => Value::String(s(args, 0)?.chars().rev().collect()),
        "substr" => {
            let chars: Vec<char> = s(args, 0)?.chars().collect();
            let len = chars.len() as i64;
            let mut off = int(args, 1)?;
            let n = int(args, 2)?;
            if off < 0 {
                off += len;
            }
            if off < 0 || off > len {
                return Err("offset out of range".into());
            }
            let end = if n < 0 { len } else { (off + n).min(len) };
            Value::String(
                chars
                    .get(off as usize..end as usize)
                    .unwrap_or(&[])
                    .iter()
                    .collect(),
            )
        }
        "split" => {
            let sep = s(args, 0)?;
            let v = s(args, 1)?;
            if v.is_empty() {
                Value::List(vec![Node::from(Value::String(String::new()))])
            } else if sep.is_empty() {
                strs(v.chars().map(|c| c.to_string()).collect())
            } else {
                strs(v.split(sep.as_str()).map(str::to_string).collect())
            }
        }
        "join" => {
            let sep = s(args, 0)?;
            let mut parts = Vec::new();
            for i in 1..args.len() {
                parts.extend(string_list(&list(args, i)?)?);
            }
            let size = parts
                .iter()
                .map(String::len)
                .sum::<usize>()
                .saturating_add(sep.len().saturating_mul(parts.len()));
            if let Some(v) = string_over(ev, size, "`join`", loc) {
                return Ok(v);
            }
            Value::String(parts.join(&sep))
        }
        "replace" => {
            let v = s(args, 0)?;
            let what = s(args, 1)?;
            let with = s(args, 2)?;
            if what.len() > 1 && what.starts_with('/') && what.ends_with('/') {
                let re = regex::Regex::new(what.get(1..what.len() - 1).unwrap_or(""))
                    .map_err(|e| format!("invalid regex: {e}"))?;
                // Each match becomes `with`, whose `$n` references expand to parts of the
                // match: at most `with` plus the match per reference.
                let matches = re.find_iter(&v).count();
                let refs = with.matches('$').count();
                let size = v
                    .len()
                    .saturating_add(matches.saturating_mul(with.len()))
                    .saturating_add(refs.saturating_mul(v.len()));
                if let Some(u) = string_over(ev, size, "`replace`", loc) {
                    return Ok(u);
                }
                Value::String(re.replace_all(&v, with.as_str()).into_owned())
            } else {
                let matches = if what.is_empty() {
                    v.chars().count() + 1
                } else {
                    v.matches(what.as_str()).count()
                };
                let size = v.len().saturating_add(matches.saturating_mul(with.len()));
                if let Some(u) = string_over(ev, size, "`replace`", loc) {
                    return Ok(u);
                }
                Value::String(v.replace(&what, &with))
            }
        }
        "regex" => {
            let re = regex::Regex::new(&s(args, 0)?).map_err(|e| format!("invalid regex: {e}"))?;
            let v = s(args, 1)?;
            let caps = re.captures(&v).ok_or("no match")?;
            captures_value(&re, &caps)
        }
        "regexall" => {
            let re = regex::Regex::new(&s(args, 0)?).map_err(|e| format!("invalid regex: {e}"))?;
            let v = s(args, 1)?;
            Value::List(
                re.captures_iter(&v)
                    .map(|c| Node::from(captures_value(&re, &c)))
                    .collect(),
            )
        }
        "format" => {
            let max = ev.limits.max_string_bytes;
            match format(&s(args, 0)?, args.get(1..).unwrap_or(&[]), max)? {
                Ok(text) => Value::String(text),
                Err(size) => return Ok(string_over_value(ev, size, "`format`", loc)),
            }
        }
        "formatlist" => {
            let f = s(args, 0)?;
            let rest = args.get(1..).unwrap_or(&[]);
            let mut n: Option<usize> = None;
            for a in rest {
                if let Value::List(l) = &a.value {
                    if n.is_some_and(|x| x != l.len()) {
                        return Err("lists must have the same length".into());
                    }
                    n = Some(l.len());
                }
            }
            let n = n.unwrap_or(1);
            let max = ev.limits.max_string_bytes;
            let mut out = Vec::new();
            let mut total = 0usize;
            for i in 0..n {
                let row: Vec<Node> = rest
                    .iter()
                    .map(|a| match &a.value {
                        Value::List(l) => l.get(i).cloned().unwrap_or_default(),
                        _ => a.clone(),
                    })
                    .collect();
                let text = match format(&f, &row, max)? {
                    Ok(t) => t,
                    Err(size) => return Ok(string_over_value(ev, size, "`formatlist`", loc)),
                };
                // Every element is charged: a list of a million long strings is work.
                total = total.saturating_add(text.len());
                if !ev.spend(1 + (text.len() / 16) as u64, || loc.cloned()) {
                    return Ok(ev.exhausted_value());
                }
                out.push(text);
            }
            let _ = total;
            strs(out)
        }
        "indent" => {
            let n = int(args, 0)?.max(0) as usize;
            let v = s(args, 1)?;
            let size = v
                .len()
                .saturating_add(n.saturating_mul(v.matches('\n').count()));
            if let Some(u) = string_over(ev, size.max(n), "`indent`", loc) {
                return Ok(u);
            }
            let pad = " ".repeat(n);
            Value::String(v.replace('\n', &format!("\n{pad}")))
        }
        // ------------------------------------------------------------ numbers
        "abs" => Value::Number(num(args, 0)?.abs()),
        "ceil" => Value::Number(num(args, 0)?.ceil()),
        "floor" => Value::Number(num(args, 0)?.floor()),
        "signum" => Value::Number(num(args, 0)?.signum()),
        "pow" => Value::Number(num(args, 0)?.powf(num(args, 1)?)),
        "log" => Value::Number(num(args, 0)?.log(num(args, 1)?)),
        "parseint" => {
            let base = int(args, 1)?;
            if !(2..=36).contains(&base) {
                return Err("base must be between 2 and 36".into());
            }
            let v = i64::from_str_radix(&s(args, 0)?, base as u32).map_err(|e| e.to_string())?;
            Value::Number(v as f64)
        }
        "min" | "max" => {
            let mut nums = Vec::new();
            for i in 0..args.len() {
                nums.push(num(args, i)?);
            }
            let r = if name == "min" {
                nums.iter().copied().fold(f64::INFINITY, f64::min)
            } else {
                nums.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            };
            if nums.is_empty() {
                return Err("needs at least one number".into());
            }
            Value::Number(r)
        }
        "sum" => {
            let l = list(args, 0)?;
            if l.is_empty() {
                return Err("cannot sum an empty list".into());
            }
            let mut t = 0.0;
            for (i, _) in l.iter().enumerate() {
                t += num(&l, i)?;
            }
            Value::Number(t)
        }
        // ------------------------------------------------------------ collections
        "length" => {
            let n = arg(args, 0)?;
            match &n.value {
                Value::List(l) => Value::Number(l.len() as f64),
                Value::Map(m) => Value::Number(visible(m).count() as f64),
                Value::String(s) => Value::Number(s.chars().count() as f64),
                other => return Err(format!("cannot take the length of {}", describe(other))),
            }
        }
        "concat" => {
            let mut out = Vec::new();
            for i in 0..args.len() {
                out.extend(list(args, i)?);
            }
            Value::List(out)
        }
        "merge" => {
            let mut out = BTreeMap::new();
            for a in args {
                match &a.value {
                    Value::Null => {}
                    Value::Map(m) => {
                        for (k, v) in visible(m) {
                            out.insert(k.clone(), v.clone());
                        }
                    }
                    other => {
                        return Err(format!("arguments must be maps, found {}", describe(other)))
                    }
                }
            }
            Value::Map(out)
        }
        "lookup" => {
            let m = map(args, 0)?;
            let k = s(args, 1)?;
            match m.get(&k) {
                Some(v) => v.value.clone(),
                None => match args.get(2) {
                    Some(d) => d.value.clone(),
                    None => return Err(format!("no key `{k}`")),
                },
            }
        }
        "element" => {
            let l = list(args, 0)?;
            let i = int(args, 1)?;
            if l.is_empty() {
                return Err("empty list".into());
            }
            if i < 0 {
                return Err("index must not be negative".into());
            }
            let idx = (i as usize) % l.len();
            l.get(idx).map(|n| n.value.clone()).unwrap_or(Value::Null)
        }
        "index" => {
            let l = list(args, 0)?;
            let v = arg(args, 1)?;
            let mut unknown = false;
            for (i, x) in l.iter().enumerate() {
                match equal(&x.value, &v.value) {
                    Some(true) => return Ok(Value::Number(i as f64)),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            if unknown {
                return Ok(derived_with_refs(
                    "`index` over unknown elements",
                    &[arg(args, 0)?],
                ));
            }
            return Err("value not found".into());
        }
        "contains" => {
            let l = list(args, 0)?;
            let v = arg(args, 1)?;
            let mut unknown = false;
            for x in &l {
                match equal(&x.value, &v.value) {
                    Some(true) => return Ok(Value::Bool(true)),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            if unknown {
                derived_with_refs("`contains` over unknown elements", &[arg(args, 0)?])
            } else {
                Value::Bool(false)
            }
        }
        "keys" => Value::List(
            map(args, 0)?
                .into_keys()
                .map(|k| Node::from(Value::String(k)))
                .collect(),
        ),
        "values" => Value::List(map(args, 0)?.into_values().collect()),
        "zipmap" => {
            let k = string_list(&list(args, 0)?)?;
            let v = list(args, 1)?;
            if k.len() != v.len() {
                return Err("lists must have the same length".into());
            }
            Value::Map(k.into_iter().zip(v).collect())
        }
        "slice" => {
            let l = list(args, 0)?;
            let a = int(args, 1)?;
            let b = int(args, 2)?;
            if a < 0 || b < a || b as usize > l.len() {
                return Err("index out of range".into());
            }
            Value::List(l.get(a as usize..b as usize).unwrap_or(&[]).to_vec())
        }
        "chunklist" => {
            let l = list(args, 0)?;
            let size = int(args, 1)?;
            if size < 0 {
                return Err("the size argument must be positive".into());
            }
            if size == 0 {
                Value::List(vec![Node::new(Value::List(l), None)])
            } else {
                Value::List(
                    l.chunks(size as usize)
                        .map(|c| Node::new(Value::List(c.to_vec()), None))
                        .collect(),
                )
            }
        }
        "matchkeys" => {
            let values = list(args, 0)?;
            let keys = list(args, 1)?;
            let search = list(args, 2)?;
            if values.len() != keys.len() {
                return Err("length of keys and values should be equal".into());
            }
            Value::List(
                values
                    .into_iter()
                    .zip(keys)
                    .filter(|(_, k)| search.iter().any(|s| s.value == k.value))
                    .map(|(v, _)| v)
                    .collect(),
            )
        }
        "reverse" => {
            let mut l = list(args, 0)?;
            l.reverse();
            Value::List(l)
        }
        "one" => {
            let l = list(args, 0)?;
            match l.len() {
                0 => Value::Null,
                1 => l.into_iter().next().map(|n| n.value).unwrap_or(Value::Null),
                _ => return Err("list has more than one element".into()),
            }
        }
        "flatten" => {
            let mut out = Vec::new();
            flatten(&list(args, 0)?, &mut out)?;
            match out.iter().find(|n| n.is_unknown()) {
                Some(u) => {
                    return Ok(derived_with_refs(
                        format!("`flatten` over {}", u.value),
                        &[u],
                    ))
                }
                None => Value::List(out),
            }
        }
        "distinct" => Value::List(distinct(list(args, 0)?)),
        "toset" => {
            let l = match &arg(args, 0)?.value {
                Value::Map(_) => return Err("cannot convert a map to a set".into()),
                _ => list(args, 0)?,
            };
            let mut l = distinct(l);
            if l.iter().all(|n| matches!(n.value, Value::String(_))) {
                l.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            }
            Value::List(l)
        }
        "setunion" => {
            let mut out = Vec::new();
            for i in 0..args.len() {
                out.extend(list(args, i)?);
            }
            Value::List(distinct(out))
        }
        "setintersection" => {
            let first = list(args, 0)?;
            let mut others = Vec::new();
            for i in 1..args.len() {
                others.push(list(args, i)?);
            }
            let sets: Vec<std::collections::HashSet<String>> =
                others.iter().map(|l| canonical_set(l)).collect();
            let mut out = Vec::new();
            'outer: for x in distinct(first) {
                let key = canonical(&x.value);
                for (l, set) in others.iter().zip(&sets) {
                    let found = match &key {
                        Some(k) => set.contains(k),
                        None => l.iter().any(|y| equal(&x.value, &y.value) == Some(true)),
                    };
                    if !found {
                        continue 'outer;
                    }
                }
                out.push(x);
            }
            Value::List(out)
        }
        "setsubtract" => {
            let a = list(args, 0)?;
            let b = list(args, 1)?;
            let bset = canonical_set(&b);
            Value::List(
                distinct(a)
                    .into_iter()
                    .filter(|x| match canonical(&x.value) {
                        Some(k) => !bset.contains(&k),
                        None => !b.iter().any(|y| equal(&x.value, &y.value) == Some(true)),
                    })
                    .collect(),
            )
        }
        "setproduct" => {
            let mut acc: Vec<Vec<Node>> = vec![Vec::new()];
            for i in 0..args.len() {
                let l = list(args, i)?;
                let mut next = Vec::new();
                for prefix in &acc {
                    for x in &l {
                        let mut p = prefix.clone();
                        p.push(x.clone());
                        next.push(p);
                    }
                }
                acc = next;
                if acc.len() > ev.limits.max_collection_len {
                    let what = format!("`setproduct` of more than {} elements", acc.len());
                    return Ok(ev.over_limit(Limit::CollectionLen, what, loc));
                }
                if !ev.spend(acc.len() as u64, || loc.cloned()) {
                    return Ok(ev.exhausted_value());
                }
            }
            if args.is_empty() {
                acc.clear();
            }
            Value::List(
                acc.into_iter()
                    .map(|p| Node::from(Value::List(p)))
                    .collect(),
            )
        }
        "tolist" => Value::List(list(args, 0)?),
        "tomap" => Value::Map(map(args, 0)?),
        "coalesce" => {
            for a in args {
                match &a.value {
                    Value::Null => continue,
                    Value::String(s) if s.is_empty() => continue,
                    Value::Unknown(_) => return Ok(a.value.clone()),
                    v => return Ok(v.clone()),
                }
            }
            return Err("no non-null argument".into());
        }
        "coalescelist" => {
            for a in args {
                if let Value::List(l) = &a.value {
                    if !l.is_empty() {
                        return Ok(a.value.clone());
                    }
                }
            }
            Value::List(Vec::new())
        }
        "compact" => {
            let l = list(args, 0)?;
            if let Some(u) = l.iter().find(|n| n.is_unknown()) {
                return Ok(derived_with_refs(
                    format!("`compact` over {}", u.value),
                    &[u],
                ));
            }
            Value::List(
                l.into_iter()
                    .filter(|n| !matches!(&n.value, Value::Null) && n.as_str() != Some(""))
                    .collect(),
            )
        }
        "sort" => {
            let mut v = string_list(&list(args, 0)?)?;
            v.sort();
            strs(v)
        }
        "range" => {
            let (start, limit, step) = match args.len() {
                1 => (0.0, num(args, 0)?, 1.0),
                2 => (num(args, 0)?, num(args, 1)?, 1.0),
                _ => (num(args, 0)?, num(args, 1)?, num(args, 2)?),
            };
            if step == 0.0 {
                return Err("step must not be zero".into());
            }
            let mut out = Vec::new();
            let mut x = start;
            while (step > 0.0 && x < limit) || (step < 0.0 && x > limit) {
                out.push(Node::from(Value::Number(x)));
                x += step;
                if out.len() > 1024 {
                    return Err("more than 1024 elements".into());
                }
            }
            Value::List(out)
        }
        "alltrue" => {
            let l = list(args, 0)?;
            Value::Bool(l.iter().all(|n| to_bool(&n.value) == Some(true)))
        }
        "anytrue" => {
            let l = list(args, 0)?;
            Value::Bool(l.iter().any(|n| to_bool(&n.value) == Some(true)))
        }
        "transpose" => {
            let m = map(args, 0)?;
            let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (k, v) in m {
                let Value::List(l) = v.value else {
                    return Err("values must be lists".into());
                };
                for x in string_list(&l)? {
                    out.entry(x).or_default().push(k.clone());
                }
            }
            Value::Map(
                out.into_iter()
                    .map(|(k, v)| (k, Node::from(strs(v))))
                    .collect(),
            )
        }
        // ------------------------------------------------------------ conversions
        "tostring" => match &arg(args, 0)?.value {
            Value::Null => Value::Null,
            v => Value::String(
                to_str(v).ok_or_else(|| format!("cannot convert {} to a string", describe(v)))?,
            ),
        },
        "tonumber" => match &arg(args, 0)?.value {
            Value::Null => Value::Null,
            v => Value::Number(
                to_num(v).ok_or_else(|| format!("cannot convert {} to a number", describe(v)))?,
            ),
        },
        "tobool" => match &arg(args, 0)?.value {
            Value::Null => Value::Null,
            v => Value::Bool(
                to_bool(v).ok_or_else(|| format!("cannot convert {} to a bool", describe(v)))?,
            ),
        },
        "sensitive" => {
            let a = arg(args, 0)?;
            ev.mark_sensitive(a);
            a.value.clone()
        }
        "nonsensitive" | "type" => arg(args, 0)?.value.clone(),
        // ------------------------------------------------------------ encoding
        "jsonencode" => {
            let mut n = arg(args, 0)?.clone();
            strip_hidden(&mut n);
            Value::String(serde_json::to_string(&n.value.to_json()).map_err(|e| e.to_string())?)
        }
        "jsondecode" => {
            let j: serde_json::Value =
                serde_json::from_str(&s(args, 0)?).map_err(|e| format!("invalid JSON: {e}"))?;
            Value::from_json_at(&j, loc)
        }
        "base64encode" => {
            use base64::Engine;
            Value::String(base64::engine::general_purpose::STANDARD.encode(s(args, 0)?))
        }
        "base64decode" => {
            use base64::Engine;
            let b = base64::engine::general_purpose::STANDARD
                .decode(s(args, 0)?)
                .map_err(|e| format!("invalid base64: {e}"))?;
            Value::String(String::from_utf8(b).map_err(|_| "result is not UTF-8".to_string())?)
        }
        "urlencode" => {
            let mut out = String::new();
            for b in s(args, 0)?.bytes() {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    out.push(b as char);
                } else {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            Value::String(out)
        }
        "md5" => {
            use md5::Digest;
            Value::String(hex(&md5::Md5::digest(s(args, 0)?.as_bytes())))
        }
        "sha1" => {
            use sha1::Digest;
            Value::String(hex(&sha1::Sha1::digest(s(args, 0)?.as_bytes())))
        }
        "sha256" => {
            use sha2::Digest;
            Value::String(hex(&sha2::Sha256::digest(s(args, 0)?.as_bytes())))
        }
        "sha512" => {
            use sha2::Digest;
            Value::String(hex(&sha2::Sha512::digest(s(args, 0)?.as_bytes())))
        }
        "base64sha256" => {
            use base64::Engine;
            use sha2::Digest;
            let d = sha2::Sha256::digest(s(args, 0)?.as_bytes());
            Value::String(base64::engine::general_purpose::STANDARD.encode(d))
        }
        // ------------------------------------------------------------ network
        "cidrsubnet" => {
            let net = parse_cidr(&s(args, 0)?)?;
            let newbits = int(args, 1)?;
            let netnum = int(args, 2)?;
            Value::String(cidr_subnet(&net, newbits, netnum)?)
        }
        "cidrsubnets" => {
            let net = parse_cidr(&s(args, 0)?)?;
            let mut out = Vec::new();
            let (bits, start) = cidr_parts(&net);
            let mut cur: u128 = start;
            let end: u128 = start.saturating_add(size_of_prefix(bits, net.prefix_len())?);
            for i in 1..args.len() {
                let nb = int(args, i)?;
                let plen = i64::from(net.prefix_len()) + nb;
                if nb < 1 || plen > i64::from(bits) {
                    return Err(format!("invalid new bits `{nb}`"));
                }
                let size = size_of_prefix(bits, plen as u8)?;
                // Align up to the subnet size.
                let rem = (cur - start) % size;
                if rem != 0 {
                    cur += size - rem;
                }
                if cur.saturating_add(size) > end {
                    return Err("not enough space for the requested subnets".into());
                }
                out.push(format!("{}/{}", addr_str(bits, cur), plen));
                cur += size;
            }
            strs(out)
        }
        "cidrhost" => {
            let net = parse_cidr(&s(args, 0)?)?;
            let hostnum = int(args, 1)?;
            let (bits, start) = cidr_parts(&net);
            let size = size_of_prefix(bits, net.prefix_len())?;
            let off: u128 = if hostnum < 0 {
                let back = hostnum.unsigned_abs() as u128;
                if back > size {
                    return Err("host number out of range".into());
                }
                size - back
            } else {
                let h = hostnum as u128;
                if h >= size {
                    return Err("host number out of range".into());
                }
                h
            };
            Value::String(addr_str(bits, start + off))
        }
        "cidrnetmask" => {
            let net = parse_cidr(&s(args, 0)?)?;
            match net {
                ipnet::IpNet::V4(n) => Value::String(n.netmask().to_string()),
                ipnet::IpNet::V6(_) => return Err("only IPv4 prefixes have a netmask".into()),
            }
        }
        // ------------------------------------------------------------ files
        "file" => match read_file(ev, &s(args, 0)?, loc) {
            Ok(t) => Value::String(t),
            Err(u) => return Ok(u),
        },
        "fileexists" => {
            let p = s(args, 0)?;
            match ev.sandbox.is_file(&ev.file_path(&p)) {
                Ok(b) => Value::Bool(b),
                Err(r) => {
                    refused(ev, loc, &r);
                    return Ok(unk(format!("`fileexists`: {r}")));
                }
            }
        }
        "basename" => {
            let p = s(args, 0)?;
            Value::String(p.rsplit('/').next().unwrap_or(&p).to_string())
        }
        "dirname" => {
            let p = s(args, 0)?;
            Value::String(match p.rfind('/') {
                Some(i) => p.get(..i).unwrap_or("").to_string(),
                None => ".".into(),
            })
        }
        "abspath" | "pathexpand" => Value::String(s(args, 0)?),
        "templatefile" | "templatestring" => {
            let p = s(args, 0)?;
            let text = if name == "templatefile" {
                match read_file(ev, &p, loc) {
                    Ok(t) => t,
                    Err(u) => return Ok(u),
                }
            } else {
                p.clone()
            };
            let vars = map(args, 1)?;
            let t = hcl_edit::parser::parse_template(&text).map_err(|e| {
                if name == "templatefile" {
                    format!("invalid template `{p}`: {}", e.message())
                } else {
                    format!("invalid template: {}", e.message())
                }
            })?;
            let mut tsc = Scope {
                m: sc.m,
                no_refs: true,
                binds: vars.into_iter().collect(),
                ..Default::default()
            };
            let fallback = loc.cloned().unwrap_or_else(|| Loc::new("<template>", 0, 0));
            let n = ev.ev_template(&t, Src::Fixed(&fallback), &mut tsc, false);
            n.value
        }
        "yamldecode" | "yamlencode" | "timestamp" | "uuid" | "bcrypt" | "filebase64"
        | "filemd5" | "filesha256" | "fileset" | "plantimestamp" | "timeadd" | "formatdate"
        | "uuidv5" | "textencodebase64" | "textdecodebase64" | "rsadecrypt" | "base64gzip" => {
            return Ok(unk(format!("function `{name}` is not evaluated")));
        }
        other => {
            if let Some(l) = loc {
                ev.note(
                    l,
                    format!("function `{other}` is not supported; its result is unknown"),
                );
            }
            return Ok(unk(format!("function `{other}` is not supported")));
        }
    })
}

/// Read a file named by `file()`/`templatefile()` through the sandbox. A refusal (outside the
/// scanned tree, not a regular file, too large) is an error at the call and the value is
/// unknown; the file's content is recorded so that output never echoes it whole.
fn read_file(ev: &mut Evaluator, p: &str, loc: Option<&Loc>) -> Result<String, Value> {
    let abs = ev.file_path(p);
    let bytes = match ev.sandbox.read(&abs, p) {
        Ok(b) => b,
        Err(r) => {
            refused(ev, loc, &r);
            return Err(unk(format!("{r}")));
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => {
            ev.file_contents.push(text.clone());
            Ok(text)
        }
        Err(_) => Err(unk(format!("`{p}` is not valid UTF-8 (use `filebase64`)"))),
    }
}

/// Record a refused read as an error at the call.
fn refused(ev: &mut Evaluator, loc: Option<&Loc>, r: &moat_model::Refusal) {
    if let Some(l) = loc {
        ev.error(l, crate::error::TfError::Refused(r.to_string()).to_string());
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn flatten(l: &[Node], out: &mut Vec<Node>) -> Result<(), String> {
    for n in l {
        match &n.value {
            Value::List(inner) => flatten(inner, out)?,
            _ => out.push(n.clone()),
        }
    }
    Ok(())
}

/// The first of each set of equal elements, in order; elements that hold an unknown are all
/// kept (whether they equal another is not known). Linear in the size of the list (elements
/// are compared by a canonical encoding, not pairwise): `toset(range(...))` over 100,000
/// values must not take quadratic time.
fn distinct(l: Vec<Node>) -> Vec<Node> {
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut out: Vec<Node> = Vec::new();
    for n in l {
        match canonical(&n.value) {
            Some(k) => {
                if seen.insert(k) {
                    out.push(n);
                }
            }
            None => out.push(n),
        }
    }
    out
}

/// Canonical encodings of the known elements of `l` (for set membership).
fn canonical_set(l: &[Node]) -> std::collections::HashSet<String> {
    l.iter().filter_map(|n| canonical(&n.value)).collect()
}

/// An encoding of a known value such that two values are [`equal`] exactly when their
/// encodings are the same. `None` when the value holds an unknown (or a NaN, equal to nothing).
fn canonical(v: &Value) -> Option<String> {
    fn enc(v: &Value, out: &mut String) -> bool {
        use std::fmt::Write;
        match v {
            Value::Unknown(_) => return false,
            Value::Null => out.push('n'),
            Value::Bool(b) => out.push(if *b { 'T' } else { 'F' }),
            Value::Number(x) => {
                if x.is_nan() {
                    return false;
                }
                // 0 and -0 are equal.
                let x = if *x == 0.0 { 0.0 } else { *x };
                let _ = write!(out, "#{:016x};", x.to_bits());
            }
            Value::String(s) => {
                let _ = write!(out, "s{}:", s.len());
                out.push_str(s);
            }
            Value::List(items) => {
                let _ = write!(out, "[{}:", items.len());
                for i in items {
                    if !enc(&i.value, out) {
                        return false;
                    }
                }
                out.push(']');
            }
            Value::Map(m) => {
                let entries: Vec<(&String, &Node)> =
                    m.iter().filter(|(k, _)| k.as_str() != ADDR_KEY).collect();
                let _ = write!(out, "{{{}:", entries.len());
                for (k, x) in entries {
                    let _ = write!(out, "{}:", k.len());
                    out.push_str(k);
                    if !enc(&x.value, out) {
                        return false;
                    }
                }
                out.push('}');
            }
        }
        true
    }
    let mut out = String::new();
    enc(v, &mut out).then_some(out)
}

fn captures_value(re: &regex::Regex, caps: &regex::Captures) -> Value {
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    if names.is_empty() {
        return Value::String(
            caps.get(0)
                .map(|m| m.as_str().to_string())
                .unwrap_or_default(),
        );
    }
    if names.iter().any(Option::is_some) {
        let mut m = BTreeMap::new();
        for n in names.into_iter().flatten() {
            let v = caps
                .name(n)
                .map(|x| x.as_str().to_string())
                .unwrap_or_default();
            m.insert(n.to_string(), Node::from(Value::String(v)));
        }
        return Value::Map(m);
    }
    strs(
        (1..caps.len())
            .map(|i| {
                caps.get(i)
                    .map(|x| x.as_str().to_string())
                    .unwrap_or_default()
            })
            .collect(),
    )
}

/// Go-style `format`: `%s %d %v %q %t %f %x %X %o %b %e %%` with width and precision.
/// Terraform's `format`. `Ok(Err(size))` when the result would exceed `max` bytes (a width
/// such as `%999999999d` is refused before anything is allocated).
fn format(f: &str, args: &[Node], max: usize) -> Result<Result<String, usize>, String> {
    let mut out = String::new();
    let mut it = f.chars().peekable();
    let mut next = 0usize;
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if it.peek() == Some(&'%') {
            it.next();
            out.push('%');
            continue;
        }
        let mut flags = String::new();
        while let Some(&fc) = it.peek() {
            if "-+# 0".contains(fc) {
                flags.push(fc);
                it.next();
            } else {
                break;
            }
        }
        let mut width = String::new();
        while let Some(&d) = it.peek().filter(|d| d.is_ascii_digit()) {
            width.push(d);
            it.next();
        }
        let mut prec: Option<usize> = None;
        if it.peek() == Some(&'.') {
            it.next();
            let mut p = String::new();
            while let Some(&d) = it.peek().filter(|d| d.is_ascii_digit()) {
                p.push(d);
                it.next();
            }
            prec = Some(if p.is_empty() {
                0
            } else {
                p.parse().unwrap_or(usize::MAX)
            });
        }
        // A width or precision beyond the limit is refused before anything is allocated
        // (`%999999999999d` would otherwise abort the process).
        let w: usize = if width.is_empty() {
            0
        } else {
            width.parse().unwrap_or(usize::MAX)
        };
        if w > max || prec.is_some_and(|p| p > max) {
            return Ok(Err(w.max(prec.unwrap_or(0))));
        }
        let verb = it.next().ok_or("format ends with `%`")?;
        let a = args
            .get(next)
            .ok_or_else(|| format!("not enough arguments for `%{verb}`"))?;
        next += 1;
        let v = &a.value;
        let text = match verb {
            's' => to_str(v).ok_or_else(|| format!("`%s` cannot format {}", describe(v)))?,
            'v' => match v {
                Value::List(_) | Value::Map(_) => {
                    serde_json::to_string(&v.to_json()).unwrap_or_default()
                }
                Value::Null => "null".into(),
                other => to_str(other).unwrap_or_default(),
            },
            'q' => {
                serde_json::to_string(&to_str(v).ok_or("`%q` needs a string")?).unwrap_or_default()
            }
            't' => to_bool(v).ok_or("`%t` needs a bool")?.to_string(),
            'd' => {
                let n = to_num(v).ok_or("`%d` needs a number")?;
                let s = format!("{}", n.trunc() as i64);
                if flags.contains('+') && n >= 0.0 {
                    format!("+{s}")
                } else {
                    s
                }
            }
            'f' => {
                let n = to_num(v).ok_or("`%f` needs a number")?;
                format!("{:.*}", prec.unwrap_or(6), n)
            }
            'e' => {
                let n = to_num(v).ok_or("`%e` needs a number")?;
                format!("{:.*e}", prec.unwrap_or(6), n)
            }
            'x' | 'X' | 'o' | 'b' => {
                let n = to_num(v).ok_or("integer verbs need a number")?.trunc() as i64;
                match verb {
                    'x' => format!("{n:x}"),
                    'X' => format!("{n:X}"),
                    'o' => format!("{n:o}"),
                    _ => format!("{n:b}"),
                }
            }
            other => return Err(format!("unsupported verb `%{other}`")),
        };
        let text = match (verb, prec) {
            ('s', Some(p)) => text.chars().take(p).collect(),
            _ => text,
        };
        let len = text.chars().count();
        if len < w {
            let pad = w - len;
            if flags.contains('-') {
                out.push_str(&text);
                out.push_str(&" ".repeat(pad));
            } else if flags.contains('0') && verb != 's' {
                let (sign, digits) = match text.strip_prefix('-') {
                    Some(d) => ("-", d.to_string()),
                    None => ("", text.clone()),
                };
                out.push_str(sign);
                out.push_str(&"0".repeat(pad));
                out.push_str(&digits);
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(&text);
            }
        } else {
            out.push_str(&text);
        }
        if out.len() > max {
            return Ok(Err(out.len()));
        }
    }
    if out.len() > max {
        return Ok(Err(out.len()));
    }
    Ok(Ok(out))
}

fn parse_cidr(s: &str) -> Result<ipnet::IpNet, String> {
    s.parse::<ipnet::IpNet>()
        .map_err(|_| format!("invalid CIDR `{s}`"))
}

/// (address bits, network address as an integer).
fn cidr_parts(net: &ipnet::IpNet) -> (u8, u128) {
    match net {
        ipnet::IpNet::V4(n) => (32, u128::from(u32::from(n.network()))),
        ipnet::IpNet::V6(n) => (128, u128::from(n.network())),
    }
}

fn size_of_prefix(bits: u8, plen: u8) -> Result<u128, String> {
    let host = u32::from(bits.saturating_sub(plen));
    if host >= 128 {
        return Ok(u128::MAX);
    }
    Ok(1u128 << host)
}

fn addr_str(bits: u8, v: u128) -> String {
    if bits == 32 {
        IpAddr::V4(Ipv4Addr::from(v as u32)).to_string()
    } else {
        IpAddr::V6(Ipv6Addr::from(v)).to_string()
    }
}

fn cidr_subnet(net: &ipnet::IpNet, newbits: i64, netnum: i64) -> Result<String, String> {
    let (bits, start) = cidr_parts(net);
    let plen = i64::from(net.prefix_len()) + newbits;
    if newbits < 0 || plen > i64::from(bits) {
        return Err(format!(
            "cannot extend prefix `{}` by {newbits} bits",
            net.prefix_len()
        ));
    }
    let max_nets: u128 = if newbits >= 127 {
        u128::MAX
    } else {
        1u128 << newbits
    };
    if netnum < 0 || (netnum as u128) >= max_nets {
        return Err(format!(
            "network number {netnum} does not fit in {newbits} bits"
        ));
    }
    let size = size_of_prefix(bits, plen as u8)?;
    let addr = start + (netnum as u128).saturating_mul(size);
    Ok(format!("{}/{}", addr_str(bits, addr), plen))
}

#[allow(dead_code)]
fn _num_str(n: f64) -> String {
    format_number(n)
}

/// A string of `size` bytes would exceed `max_string_bytes`: the error and unknown value.
fn string_over(ev: &mut Evaluator, size: usize, what: &str, loc: Option<&Loc>) -> Option<Value> {
    (size > ev.limits.max_string_bytes).then(|| string_over_value(ev, size, what, loc))
}

fn string_over_value(ev: &mut Evaluator, size: usize, what: &str, loc: Option<&Loc>) -> Value {
    ev.over_limit(
        Limit::StringBytes,
        format!("{what} would build a string of {size} bytes"),
        loc,
    )
}
