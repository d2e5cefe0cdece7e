//! Policy documents into typed statements.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>

use std::collections::BTreeMap;

use moat_iam::policy::{
    ConditionEntry, Conditions, Effect, EffectValue, Leaf, Policy, PolicyError, PrincipalElement,
    PrincipalType, Principals, Targets, Version,
};
use moat_model::{Loc, Node, Unknown, Value};
use serde_json::json;

fn k(s: &str) -> Leaf {
    Leaf::Known(s.to_string())
}

#[test]
fn single_statement_object_with_strings() {
    let p = Policy::from_json(&json!({
        "Version": "2012-10-17",
        "Id": "p1",
        "Statement": {
            "Sid": "Read",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/*"
        }
    }))
    .unwrap();
    assert_eq!(p.version, Version::V2012_10_17);
    assert_eq!(p.version.substitutes_variables(), Some(true));
    assert_eq!(p.id, Some(k("p1")));
    assert_eq!(p.statements.len(), 1);
    let s = &p.statements[0];
    assert_eq!(s.index, 0);
    assert_eq!(s.sid, Some(k("Read")));
    assert_eq!(s.effect, EffectValue::Known(Effect::Allow));
    assert_eq!(s.action, Targets::Only(vec![k("s3:GetObject")]));
    assert_eq!(s.resource, Some(Targets::Only(vec![k("arn:aws:s3:::b/*")])));
    assert_eq!(s.principal, None);
    assert_eq!(s.condition, Conditions::Known(vec![]));
}

#[test]
fn statement_array_with_negated_elements() {
    let p = Policy::from_json(&json!({
        "Version": "2008-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"},
            {"Effect": "Deny", "NotAction": ["iam:*"], "NotResource": ["arn:aws:s3:::x", "arn:aws:s3:::y"]}
        ]
    }))
    .unwrap();
    assert_eq!(p.version, Version::V2008_10_17);
    assert_eq!(p.version.substitutes_variables(), Some(false));
    let s = &p.statements[1];
    assert_eq!(s.index, 1);
    assert_eq!(s.effect, EffectValue::Known(Effect::Deny));
    assert_eq!(s.action, Targets::AllBut(vec![k("iam:*")]));
    assert_eq!(
        s.resource,
        Some(Targets::AllBut(vec![
            k("arn:aws:s3:::x"),
            k("arn:aws:s3:::y")
        ]))
    );
}

#[test]
fn absent_version_is_the_old_language() {
    // "If you do not include a Version element, the value defaults to 2008-10-17."
    let p = Policy::from_json(&json!({"Statement": []})).unwrap();
    assert_eq!(p.version, Version::Absent);
    assert_eq!(p.version.substitutes_variables(), Some(false));
    assert!(p.statements.is_empty());
}

#[test]
fn principals_of_every_type() {
    let p = Policy::from_json(&json!({
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {
                "AWS": ["arn:aws:iam::111122223333:root", "444455556666"],
                "Service": "lambda.amazonaws.com",
                "Federated": "cognito-identity.amazonaws.com",
                "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
            }, "Action": "sts:AssumeRole"},
            {"Effect": "Deny", "NotPrincipal": {"AWS": "*"}, "Action": "*", "Resource": "*"}
        ]
    }))
    .unwrap();
    assert_eq!(
        p.statements[0].principal,
        Some(PrincipalElement::Only(Principals::Everyone))
    );
    let mut typed = BTreeMap::new();
    typed.insert(
        PrincipalType::Aws,
        vec![k("arn:aws:iam::111122223333:root"), k("444455556666")],
    );
    typed.insert(PrincipalType::Service, vec![k("lambda.amazonaws.com")]);
    typed.insert(
        PrincipalType::Federated,
        vec![k("cognito-identity.amazonaws.com")],
    );
    typed.insert(
        PrincipalType::CanonicalUser,
        vec![k(
            "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
        )],
    );
    assert_eq!(
        p.statements[1].principal,
        Some(PrincipalElement::Only(Principals::Typed(typed)))
    );
    // `{"AWS": "*"}` is kept as written, not folded into `*`.
    let mut aws_star = BTreeMap::new();
    aws_star.insert(PrincipalType::Aws, vec![k("*")]);
    assert_eq!(
        p.statements[2].principal,
        Some(PrincipalElement::AllBut(Principals::Typed(aws_star)))
    );
}

#[test]
fn conditions_stringify_booleans_and_numbers() {
    let p = Policy::from_json(&json!({
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Deny", "Action": "s3:*", "Resource": "*",
            "Condition": {
                "Bool": {"aws:SecureTransport": false},
                "NumericLessThan": {"s3:TlsVersion": 1.2, "s3:max-keys": 10},
                "StringEquals": {"aws:SourceVpce": ["vpce-1", "vpce-2"]}
            }
        }
    }))
    .unwrap();
    let entry = |op: &str, key: &str, vals: &[&str]| {
        ConditionEntry::new(op, k(key), vals.iter().map(|v| k(v)).collect())
    };
    assert_eq!(
        p.statements[0].condition,
        Conditions::Known(vec![
            entry("Bool", "aws:SecureTransport", &["false"]),
            entry("NumericLessThan", "s3:TlsVersion", &["1.2"]),
            entry("NumericLessThan", "s3:max-keys", &["10"]),
            entry("StringEquals", "aws:SourceVpce", &["vpce-1", "vpce-2"]),
        ])
    );
}

fn unk(name: &str) -> Unknown {
    Unknown::Variable { name: name.into() }
}

fn n(v: Value) -> Node {
    Node::new(v, None)
}

fn map(entries: Vec<(&str, Node)>) -> Node {
    n(Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    ))
}

fn s(v: &str) -> Node {
    n(Value::String(v.into()))
}

#[test]
fn unknown_leaves_are_kept_where_written() {
    let loc = Loc::new("main.tf", 12, 5);
    let stmt = Node::new(
        Value::Map(
            [
                ("Effect".to_string(), n(Value::Unknown(unk("effect")))),
                (
                    "Action".to_string(),
                    n(Value::List(vec![
                        s("s3:GetObject"),
                        n(Value::Unknown(unk("extra"))),
                    ])),
                ),
                ("Resource".to_string(), n(Value::Unknown(unk("arns")))),
                (
                    "Principal".to_string(),
                    map(vec![("AWS", n(Value::Unknown(unk("acct"))))]),
                ),
                (
                    "Condition".to_string(),
                    map(vec![
                        ("StringEquals", n(Value::Unknown(unk("block")))),
                        (
                            "StringLike",
                            map(vec![("aws:PrincipalArn", n(Value::Unknown(unk("pa"))))]),
                        ),
                    ]),
                ),
            ]
            .into_iter()
            .collect(),
        ),
        Some(loc.clone()),
    );
    let doc = map(vec![
        ("Version", n(Value::Unknown(unk("version")))),
        ("Statement", n(Value::List(vec![stmt]))),
    ]);
    let p = Policy::from_node(&doc).unwrap();
    assert_eq!(p.version, Version::Unknown(unk("version")));
    assert_eq!(p.version.substitutes_variables(), None);
    let st = &p.statements[0];
    assert_eq!(st.loc, Some(loc));
    assert_eq!(st.effect, EffectValue::Unknown(unk("effect")));
    assert_eq!(
        st.action,
        Targets::Only(vec![k("s3:GetObject"), Leaf::Unknown(unk("extra"))])
    );
    assert_eq!(
        st.resource,
        Some(Targets::Only(vec![Leaf::Unknown(unk("arns"))]))
    );
    let mut typed = BTreeMap::new();
    typed.insert(PrincipalType::Aws, vec![Leaf::Unknown(unk("acct"))]);
    assert_eq!(
        st.principal,
        Some(PrincipalElement::Only(Principals::Typed(typed)))
    );
    assert_eq!(
        st.condition,
        Conditions::Known(vec![
            ConditionEntry::new(
                "StringEquals",
                Leaf::Unknown(unk("block")),
                vec![Leaf::Unknown(unk("block"))],
            ),
            ConditionEntry::new(
                "StringLike",
                k("aws:PrincipalArn"),
                vec![Leaf::Unknown(unk("pa"))]
            ),
        ])
    );
}

#[test]
fn an_unknown_statement_list_is_one_fully_unknown_statement() {
    let doc = map(vec![("Statement", n(Value::Unknown(unk("stmts"))))]);
    let p = Policy::from_node(&doc).unwrap();
    assert_eq!(p.statements.len(), 1);
    let st = &p.statements[0];
    assert_eq!(st.effect, EffectValue::Unknown(unk("stmts")));
    assert_eq!(st.action, Targets::Only(vec![Leaf::Unknown(unk("stmts"))]));
    assert_eq!(st.condition, Conditions::Unknown(unk("stmts")));
    // Also an unknown statement inside a known list keeps its index.
    let doc = map(vec![(
        "Statement",
        n(Value::List(vec![
            map(vec![("Effect", s("Allow")), ("Action", s("*"))]),
            n(Value::Unknown(unk("second"))),
        ])),
    )]);
    let p = Policy::from_node(&doc).unwrap();
    assert_eq!(p.statements[1].index, 1);
    assert_eq!(p.statements[1].effect, EffectValue::Unknown(unk("second")));
}

#[test]
fn malformed_documents_are_errors() {
    let err = |j: serde_json::Value| Policy::from_json(&j).unwrap_err();
    assert_eq!(
        err(json!({"Version": "2020-01-01", "Statement": []})),
        PolicyError::UnsupportedVersion("2020-01-01".into())
    );
    assert_eq!(
        err(json!({"Version": "2012-10-17"})),
        PolicyError::MissingStatement
    );
    assert_eq!(
        err(json!({"Statement": {"Action": "*"}})),
        PolicyError::MissingEffect { index: 0 }
    );
    assert_eq!(
        err(json!({"Statement": [{"Effect": "allow", "Action": "*"}]})),
        PolicyError::BadEffect {
            index: 0,
            found: "allow".into()
        }
    );
    let e = err(json!({"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "s3:*"}]}));
    assert_eq!(
        e.to_string(),
        "statement 0: `Action` and `NotAction` cannot both be given"
    );
    let e = err(json!({"Statement": [{"Effect": "Allow", "Resource": "*"}]}));
    assert_eq!(
        e.to_string(),
        "statement 0: one of `Action` or `NotAction` is required"
    );
    assert_eq!(
        err(json!({"Statement": [{"Effect": "Allow", "Action": "*", "Principal": {"Aws": "*"}}]})),
        PolicyError::PrincipalType {
            index: 0,
            found: "Aws".into()
        }
    );
    assert_eq!(
        err(json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resources": "*"}]})),
        PolicyError::UnknownElement {
            index: 0,
            found: "Resources".into()
        }
    );
    let e = err(json!({"Statement": [{"Effect": "Allow", "Action": {"a": 1}}]}));
    assert_eq!(
        e.to_string(),
        "statement 0: `Action` must be a string or a list of strings, found map"
    );
    let e = err(json!({"Statement": [{"Effect": "Allow", "Action": "*", "Principal": "me"}]}));
    assert_eq!(
        e.to_string(),
        "statement 0: `Principal` must be `*` or an object of principal types, found `me`"
    );
    assert!(matches!(
        err(json!(["not", "an", "object"])),
        PolicyError::NotAnObject { .. }
    ));
}
