//! How each attribute of a resource was written ([`moat_model::Written`]), read from the
//! unevaluated body: `.tf` and `.tf.json` give the same answer for the same construct
//! (`data.aws_iam_policy_document.x.json` and `"${data.aws_iam_policy_document.x.json}"`,
//! `jsonencode({...})` and `"${jsonencode({...})}"`).
//!
//! Recorded for top-level attributes (`policy`) and for attributes of nested blocks written
//! out statically (`inline_policy.0.policy`; not inside `dynamic` blocks, whose instances are
//! known only after evaluation).

use std::collections::BTreeMap;

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::template::{Element, Template};
use moat_model::Written;

use crate::ir::{Body, Expr};

/// The attributes of a resource body, by path, with how each was written.
pub(crate) fn of_body(body: &Body) -> BTreeMap<String, Written> {
    let mut out = BTreeMap::new();
    for a in &body.attrs {
        out.insert(a.name.clone(), of_expr(&a.expr));
        // `.tf.json` writes nested blocks as attributes holding objects.
        if let Expr::Json(v, _) = &a.expr {
            let items: Vec<&serde_json::Value> = match v.as_ref() {
                serde_json::Value::Array(l) => l.iter().collect(),
                o @ serde_json::Value::Object(_) => vec![o],
                _ => Vec::new(),
            };
            for (i, item) in items.into_iter().enumerate() {
                if let serde_json::Value::Object(m) = item {
                    for (k, x) in m {
                        out.insert(format!("{}.{i}.{k}", a.name), of_json(x));
                    }
                }
            }
        }
    }
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let dynamic: Vec<&str> = body
        .blocks_of("dynamic")
        .filter_map(|b| b.labels.first().map(String::as_str))
        .collect();
    for b in &body.blocks {
        if b.kind == "dynamic" || dynamic.contains(&b.kind.as_str()) {
            continue;
        }
        let i = seen.entry(b.kind.as_str()).or_insert(0);
        for a in &b.body.attrs {
            out.insert(format!("{}.{i}.{}", b.kind, a.name), of_expr(&a.expr));
        }
        *i += 1;
    }
    out
}

fn of_expr(e: &Expr) -> Written {
    match e {
        Expr::Hcl(x, _) => of_hcl(x),
        Expr::Json(v, _) => of_json(v),
    }
}

/// In `.tf.json`, a string is a template; anything else is written in place.
fn of_json(v: &serde_json::Value) -> Written {
    match v {
        serde_json::Value::String(s) => {
            if !s.contains("${") && !s.contains("%{") {
                return Written::Text;
            }
            match hcl_edit::parser::parse_template(s) {
                Ok(t) => of_template(&t),
                Err(_) => Written::Other,
            }
        }
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => Written::Structure,
        _ => Written::Other,
    }
}

/// A template that is a single interpolation (`"${x}"`) is the interpolated value itself, as
/// Terraform evaluates it; any other template is text.
fn of_template(t: &Template) -> Written {
    match t.as_single_element() {
        Some(Element::Interpolation(i)) => of_hcl(&i.expr),
        _ => Written::Text,
    }
}

/// The roots of references that are not resources.
const NAMED_VALUES: &[&str] = &[
    "var",
    "local",
    "module",
    "data",
    "each",
    "count",
    "path",
    "terraform",
    "self",
];

fn of_hcl(e: &Expression) -> Written {
    match e {
        Expression::String(_) | Expression::HeredocTemplate(_) => Written::Text,
        Expression::StringTemplate(t) => match t.as_single_element() {
            Some(Element::Interpolation(i)) => of_hcl(&i.expr),
            _ => Written::Text,
        },
        Expression::Parenthesis(p) => of_hcl(p.inner()),
        Expression::Array(_) | Expression::Object(_) => Written::Structure,
        Expression::FuncCall(f) => Written::Call(f.name.name.value().to_string()),
        Expression::Traversal(t) => match (&t.expr, t.operators.first().map(|o| o.value())) {
            (Expression::Variable(v), Some(TraversalOperator::GetAttr(a)))
                if v.value().as_str() == "data" =>
            {
                Written::DataSource(a.value().to_string())
            }
            // `aws_db_parameter_group.x.name`: a resource's attribute. The other roots are
            // named values (`var`, `local`, `module`, `each`, `count`, `path`, `terraform`,
            // `self`).
            (Expression::Variable(v), Some(TraversalOperator::GetAttr(_)))
                if !NAMED_VALUES.contains(&v.value().as_str()) =>
            {
                Written::Reference(v.value().to_string())
            }
            _ => Written::Other,
        },
        _ => Written::Other,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn hcl(src: &str) -> Written {
        let e: Expression = src.parse().unwrap();
        of_hcl(&e)
    }

    fn json(src: &str) -> Written {
        of_json(&serde_json::from_str(src).unwrap())
    }

    #[test]
    fn native_and_json_syntax_agree() {
        let doc = Written::DataSource("aws_iam_policy_document".into());
        assert_eq!(hcl("data.aws_iam_policy_document.x.json"), doc);
        assert_eq!(hcl("\"${data.aws_iam_policy_document.x.json}\""), doc);
        assert_eq!(json("\"${data.aws_iam_policy_document.x.json}\""), doc);
        assert_eq!(hcl("data.aws_iam_policy_document.x[0].json"), doc);
        let group = Written::Reference("aws_db_parameter_group".into());
        assert_eq!(hcl("aws_db_parameter_group.pg.name"), group);
        assert_eq!(json("\"${aws_db_parameter_group.pg.name}\""), group);
        assert_eq!(hcl("aws_db_parameter_group.pg[0].name"), group);
        assert_eq!(hcl("local.group"), Written::Other);
        assert_eq!(hcl("var.group"), Written::Other);
        assert_eq!(hcl("module.db.group"), Written::Other);
        let enc = Written::Call("jsonencode".into());
        assert_eq!(hcl("jsonencode({ a = 1 })"), enc);
        assert_eq!(json("\"${jsonencode({ a = 1 })}\""), enc);
        assert_eq!(hcl("\"{}\""), Written::Text);
        assert_eq!(json("\"{}\""), Written::Text);
        assert_eq!(hcl("\"x-${var.a}\""), Written::Text);
        assert_eq!(json("\"x-${var.a}\""), Written::Text);
        assert_eq!(hcl("<<EOF\n{}\nEOF"), Written::Text);
        assert_eq!(hcl("local.policy"), Written::Other);
        assert_eq!(json("\"${local.policy}\""), Written::Other);
        assert_eq!(json("{\"a\": 1}"), Written::Structure);
    }
}
