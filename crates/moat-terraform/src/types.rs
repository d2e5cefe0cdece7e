//! Variable type constraints (`map(object({ port = optional(number, 443) }))`) and the
//! conversion Terraform applies to a value given for a variable: primitives converted,
//! object attributes not in the type dropped, absent `optional()` attributes set to their
//! default (Terraform 1.3+ semantics) or null.

use hcl_edit::expr::{Expression, ObjectKey};
use moat_model::{Node, Value};
use std::collections::BTreeMap;

use crate::eval::{Evaluator, Scope, Src};
use crate::ir::{Attr, Expr};

#[derive(Debug, Clone)]
pub(crate) enum Ty {
    Any,
    Str,
    Num,
    Bool,
    List(Box<Ty>),
    Set(Box<Ty>),
    Map(Box<Ty>),
    Tuple(Vec<Ty>),
    Object(Vec<ObjAttr>),
}

#[derive(Debug, Clone)]
pub(crate) struct ObjAttr {
    name: String,
    ty: Ty,
    optional: bool,
    default: Option<Node>,
}

/// The type of a variable declaration (`type = ...`), or `any` when absent or not understood.
pub(crate) fn of_attr(ev: &mut Evaluator, ty: Option<&Attr>) -> Ty {
    let Some(ty) = ty else { return Ty::Any };
    match &ty.expr {
        Expr::Hcl(e, file) => parse(ev, e, Src::File(file), 0),
        Expr::Json(v, loc) => {
            // In JSON a type is a string holding the native expression.
            let Some(s) = v.as_str() else { return Ty::Any };
            let s = s.trim();
            let s = s
                .strip_prefix("${")
                .and_then(|x| x.strip_suffix('}'))
                .unwrap_or(s);
            match hcl_edit::parser::parse_expr(s) {
                Ok(e) => parse(ev, &e, Src::Fixed(loc), 0),
                Err(_) => Ty::Any,
            }
        }
    }
}

fn parse(ev: &mut Evaluator, e: &Expression, src: Src, depth: usize) -> Ty {
    if depth > 64 {
        return Ty::Any;
    }
    match e {
        Expression::Variable(v) => match v.value().as_str() {
            "string" => Ty::Str,
            "number" => Ty::Num,
            "bool" => Ty::Bool,
            _ => Ty::Any,
        },
        Expression::FuncCall(f) => {
            let name = f.name.name.value().as_str();
            let mut args = f.args.iter();
            let first = args.next();
            let inner = |ev: &mut Evaluator| match first {
                Some(a) => parse(ev, a, src, depth + 1),
                None => Ty::Any,
            };
            match name {
                "list" => Ty::List(Box::new(inner(ev))),
                "set" => Ty::Set(Box::new(inner(ev))),
                "map" => Ty::Map(Box::new(inner(ev))),
                "tuple" => match first {
                    Some(Expression::Array(a)) => {
                        Ty::Tuple(a.iter().map(|x| parse(ev, x, src, depth + 1)).collect())
                    }
                    _ => Ty::Any,
                },
                "object" => match first {
                    Some(Expression::Object(o)) => {
                        let mut attrs = Vec::new();
                        for (k, v) in o.iter() {
                            let name = match k {
                                ObjectKey::Ident(id) => id.value().to_string(),
                                ObjectKey::Expression(Expression::Variable(v)) => {
                                    v.value().to_string()
                                }
                                ObjectKey::Expression(Expression::String(s)) => {
                                    s.value().to_string()
                                }
                                ObjectKey::Expression(_) => continue,
                            };
                            attrs.push(object_attr(ev, name, v.expr(), src, depth));
                        }
                        Ty::Object(attrs)
                    }
                    _ => Ty::Any,
                },
                _ => Ty::Any,
            }
        }
        _ => Ty::Any,
    }
}

fn object_attr(
    ev: &mut Evaluator,
    name: String,
    e: &Expression,
    src: Src,
    depth: usize,
) -> ObjAttr {
    if let Expression::FuncCall(f) = e {
        if f.name.name.value().as_str() == "optional" {
            let mut args = f.args.iter();
            let ty = match args.next() {
                Some(a) => parse(ev, a, src, depth + 1),
                None => Ty::Any,
            };
            let default = args.next().map(|d| {
                let mut sc = Scope {
                    m: usize::MAX,
                    no_refs: true,
                    ..Default::default()
                };
                let n = ev.ev(d, src, &mut sc);
                convert(n, &ty)
            });
            return ObjAttr {
                name,
                ty,
                optional: true,
                default,
            };
        }
    }
    ObjAttr {
        name,
        ty: parse(ev, e, src, depth + 1),
        optional: false,
        default: None,
    }
}

/// Convert a value to a type the way Terraform does when it assigns a variable. Unknowns and
/// values that do not fit are left as they are (Terraform would reject the latter).
pub(crate) fn convert(n: Node, ty: &Ty) -> Node {
    let Node { value, loc } = n;
    let value = match (ty, value) {
        (Ty::Any, v) => v,
        (_, v @ (Value::Unknown(_) | Value::Null)) => v,
        (Ty::Str, Value::Number(x)) => Value::String(moat_model::format_number(x)),
        (Ty::Str, Value::Bool(b)) => Value::String(b.to_string()),
        (Ty::Num, Value::String(s)) => match s.trim().parse::<f64>() {
            Ok(x) => Value::Number(x),
            Err(_) => Value::String(s),
        },
        (Ty::Bool, Value::String(s)) if s == "true" => Value::Bool(true),
        (Ty::Bool, Value::String(s)) if s == "false" => Value::Bool(false),
        (Ty::List(t) | Ty::Set(t), Value::List(items)) => {
            let mut out: Vec<Node> = items.into_iter().map(|x| convert(x, t)).collect();
            if matches!(ty, Ty::Set(_)) {
                let mut seen: Vec<Node> = Vec::with_capacity(out.len());
                for x in out.drain(..) {
                    if x.value.contains_unknown() || !seen.iter().any(|s| s.value == x.value) {
                        seen.push(x);
                    }
                }
                out = seen;
            }
            Value::List(out)
        }
        (Ty::Map(t), Value::Map(m)) => {
            Value::Map(m.into_iter().map(|(k, x)| (k, convert(x, t))).collect())
        }
        (Ty::Tuple(ts), Value::List(items)) if ts.len() == items.len() => Value::List(
            items
                .into_iter()
                .zip(ts)
                .map(|(x, t)| convert(x, t))
                .collect(),
        ),
        (Ty::Object(attrs), Value::Map(mut m)) => {
            let mut out = BTreeMap::new();
            for a in attrs {
                match m.remove(&a.name) {
                    Some(x) if !x.is_null() => {
                        out.insert(a.name.clone(), convert(x, &a.ty));
                    }
                    given => {
                        if a.optional {
                            let mut d = a
                                .default
                                .clone()
                                .unwrap_or_else(|| Node::new(Value::Null, None));
                            if d.loc.is_none() {
                                d.loc = given.and_then(|g| g.loc).or_else(|| loc.clone());
                            }
                            out.insert(a.name.clone(), d);
                        } else if let Some(g) = given {
                            out.insert(a.name.clone(), g);
                        }
                    }
                }
            }
            Value::Map(out)
        }
        (_, v) => v,
    };
    Node { value, loc }
}
