//! String condition operators.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html>

use moat_iam::condition::StringOperator;
use moat_iam::policy::Leaf;
use moat_model::{Tri, Unknown};

fn vals(v: &[&str]) -> Vec<Leaf> {
    v.iter().map(|s| Leaf::Known(s.to_string())).collect()
}

fn eval(op: &str, policy: &[&str], request: Option<&str>) -> Tri {
    StringOperator::parse(op)
        .unwrap()
        .evaluate(&vals(policy), request)
}

#[test]
fn string_equals_is_exact_and_case_sensitive() {
    assert_eq!(eval("StringEquals", &["Prod"], Some("Prod")), Tri::True);
    assert_eq!(eval("StringEquals", &["Prod"], Some("prod")), Tri::False);
    // No wildcards in StringEquals: `*` is a literal character.
    assert_eq!(eval("StringEquals", &["Pro*"], Some("Prod")), Tri::False);
    assert_eq!(eval("StringEquals", &["Pro*"], Some("Pro*")), Tri::True);
}

#[test]
fn ignore_case_variants() {
    assert_eq!(
        eval("StringEqualsIgnoreCase", &["Prod"], Some("PROD")),
        Tri::True
    );
    assert_eq!(
        eval("StringNotEqualsIgnoreCase", &["Prod"], Some("pRoD")),
        Tri::False
    );
    assert_eq!(
        eval("StringNotEqualsIgnoreCase", &["Prod"], Some("dev")),
        Tri::True
    );
}

#[test]
fn string_like_uses_wildcards() {
    assert_eq!(
        eval(
            "StringLike",
            &["home/${aws:username}/*", "public/*"],
            Some("public/a/b")
        ),
        Tri::True
    );
    assert_eq!(eval("StringLike", &["vpce-?"], Some("vpce-1")), Tri::True);
    assert_eq!(eval("StringLike", &["vpce-?"], Some("vpce-12")), Tri::False);
    assert_eq!(
        eval(
            "StringNotLike",
            &["arn:aws:iam::*:role/admin*"],
            Some("arn:aws:iam::1:role/admin-x")
        ),
        Tri::False
    );
}

#[test]
fn multiple_values_are_or_for_positive_and_nor_for_negated() {
    // "If a single condition operator includes multiple values for a context key, those
    // values are evaluated using a logical OR."
    assert_eq!(eval("StringEquals", &["a", "b"], Some("b")), Tri::True);
    assert_eq!(eval("StringEquals", &["a", "b"], Some("c")), Tri::False);
    // "If a single negated matching condition operator includes multiple values for a context
    // key, those values are evaluated using a logical NOR."
    assert_eq!(eval("StringNotEquals", &["a", "b"], Some("b")), Tri::False);
    assert_eq!(eval("StringNotEquals", &["a", "b"], Some("c")), Tri::True);
}

#[test]
fn missing_key_semantics() {
    // "If the key that you specify in a policy condition is not present in the request
    // context, the values do not match and the condition is false. If the policy condition
    // requires that the key is not matched, such as StringNotLike or ArnNotLike, and the right
    // key is not present, the condition is true."
    assert_eq!(eval("StringEquals", &["a"], None), Tri::False);
    assert_eq!(eval("StringLike", &["*"], None), Tri::False);
    assert_eq!(eval("StringNotEquals", &["a"], None), Tri::True);
    assert_eq!(eval("StringNotLike", &["*"], None), Tri::True);
    // ...IfExists: "If the policy key is present in the context of the request, process the
    // key as specified in the policy. If the key is not present, evaluate the condition
    // element as true."
    assert_eq!(eval("StringEqualsIfExists", &["a"], None), Tri::True);
    assert_eq!(eval("StringEqualsIfExists", &["a"], Some("b")), Tri::False);
    assert_eq!(eval("StringEqualsIfExists", &["a"], Some("a")), Tri::True);
    assert_eq!(
        eval("StringNotLikeIfExists", &["a*"], Some("ab")),
        Tri::False
    );
}

#[test]
fn unknown_values_make_an_unsettled_outcome_unknown() {
    let u = Unknown::Variable {
        name: "vpce".into(),
    };
    let policy = vec![Leaf::Known("vpce-1".into()), Leaf::Unknown(u.clone())];
    let eq = StringOperator::parse("StringEquals").unwrap();
    let ne = StringOperator::parse("StringNotEquals").unwrap();
    // A known match settles both.
    assert_eq!(eq.evaluate(&policy, Some("vpce-1")), Tri::True);
    assert_eq!(ne.evaluate(&policy, Some("vpce-1")), Tri::False);
    // No known match: it depends on the unknown value, never guessed.
    assert_eq!(
        eq.evaluate(&policy, Some("vpce-9")),
        Tri::Unknown(u.clone())
    );
    assert_eq!(ne.evaluate(&policy, Some("vpce-9")), Tri::Unknown(u));
    // A policy variable not yet substituted is unknown too.
    let t = eval("StringEquals", &["${aws:username}"], Some("bob"));
    assert!(matches!(t, Tri::Unknown(_)), "{t:?}");
}
