//! The `Condition` element: entries AND-ed, keys case-insensitive.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html>
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>

use moat_iam::condition::{evaluate_conditions, RequestContext};
use moat_iam::policy::{Conditions, Policy};
use moat_model::{Tri, Unknown};
use serde_json::json;

fn condition(c: serde_json::Value) -> Conditions {
    let p = Policy::from_json(&json!({
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": c}
    }))
    .unwrap();
    p.statements[0].condition.clone()
}

#[test]
fn entries_are_anded() {
    let c = condition(json!({
        "Bool": {"aws:SecureTransport": true},
        "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]},
        "NumericLessThan": {"s3:max-keys": 10}
    }));
    let mut ctx = RequestContext::new();
    ctx.set("aws:SecureTransport", "true")
        .set("aws:SourceIp", "203.0.113.5")
        .set("s3:max-keys", "5");
    assert_eq!(evaluate_conditions(&c, &ctx), Tri::True);
    ctx.set("s3:max-keys", "50");
    assert_eq!(evaluate_conditions(&c, &ctx), Tri::False);
    ctx.set("s3:max-keys", "5")
        .set("aws:SourceIp", "198.51.100.1");
    assert_eq!(evaluate_conditions(&c, &ctx), Tri::False);
}

#[test]
fn keys_are_case_insensitive_and_empty_condition_is_true() {
    let c = condition(json!({"StringEquals": {"AWS:PrincipalOrgID": "o-abc"}}));
    let mut ctx = RequestContext::new();
    ctx.set("aws:principalorgid", "o-abc");
    assert_eq!(evaluate_conditions(&c, &ctx), Tri::True);
    assert_eq!(
        evaluate_conditions(&Conditions::Known(vec![]), &RequestContext::new()),
        Tri::True
    );
}

#[test]
fn multi_valued_keys_and_null() {
    let c = condition(json!({
        "ForAllValues:StringEquals": {"aws:TagKeys": ["Environment", "CostCenter"]},
        "Null": {"aws:RequestTag/Environment": "false"}
    }));
    let mut ctx = RequestContext::new();
    ctx.set_multi("aws:TagKeys", &["Environment"])
        .set("aws:RequestTag/Environment", "prod");
    assert_eq!(evaluate_conditions(&c, &ctx), Tri::True);
    ctx.set_multi("aws:TagKeys", &["Environment", "Owner"]);
    assert_eq!(evaluate_conditions(&c, &ctx), Tri::False);
    // No tags at all: ForAllValues is true, but the Null check fails.
    assert_eq!(evaluate_conditions(&c, &RequestContext::new()), Tri::False);
}

#[test]
fn unrecognised_operator_or_unknown_element_is_unknown_unless_settled() {
    let c = condition(json!({"StringEqualsMaybe": {"aws:username": "bob"}}));
    let r = evaluate_conditions(&c, &RequestContext::new());
    assert!(matches!(r, Tri::Unknown(_)), "{r:?}");
    // A known false entry settles the AND despite the unrecognised one.
    let c = condition(json!({
        "StringEqualsMaybe": {"aws:username": "bob"},
        "Bool": {"aws:SecureTransport": "true"}
    }));
    let mut ctx = RequestContext::new();
    ctx.set("aws:SecureTransport", "false");
    assert_eq!(evaluate_conditions(&c, &ctx), Tri::False);
    let u = Conditions::Unknown(Unknown::derived("var.condition"));
    assert!(matches!(evaluate_conditions(&u, &ctx), Tri::Unknown(_)));
}
