//! Every condition operator family, `...IfExists`, and the set qualifiers.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html>

use moat_iam::condition::{
    arn_like, base64_decode, cidr_contains, parse_date, parse_number, Family, Operator, Ordering,
    SetQualifier,
};
use moat_iam::policy::Leaf;
use moat_model::{Tri, Unknown};

fn vals(v: &[&str]) -> Vec<Leaf> {
    v.iter().map(|s| Leaf::Known(s.to_string())).collect()
}

/// One single-valued request key (or absent).
fn eval(op: &str, policy: &[&str], request: Option<&str>) -> Tri {
    let r: Option<Vec<&str>> = request.map(|r| vec![r]);
    Operator::parse(op)
        .unwrap()
        .evaluate(&vals(policy), r.as_deref())
}

/// A multi-valued request key.
fn eval_multi(op: &str, policy: &[&str], request: Option<&[&str]>) -> Tri {
    Operator::parse(op)
        .unwrap()
        .evaluate(&vals(policy), request)
}

#[test]
fn parse_names_and_refusals() {
    let op = Operator::parse("ForAnyValue:StringNotLikeIfExists").unwrap();
    assert!(op.negated && op.if_exists);
    assert_eq!(op.qualifier, Some(SetQualifier::ForAnyValue));
    let op = Operator::parse("NumericLessThanEquals").unwrap();
    assert_eq!(op.family, Family::Numeric(Ordering::LessThanEquals));
    assert!(!op.negated);
    assert_eq!(
        Operator::parse("DateNotEqualsIfExists").unwrap().family,
        Family::Date(Ordering::Equals)
    );
    assert!(Operator::parse("NotIpAddress").unwrap().negated);
    assert_eq!(Operator::parse("ArnLike").unwrap().family, Family::Arn);
    // "You can add IfExists to the end of any condition operator name except the Null condition".
    assert_eq!(Operator::parse("NullIfExists"), None);
    assert_eq!(Operator::parse("ForAllValues:Null"), None);
    assert_eq!(Operator::parse("NumericLike"), None);
    assert_eq!(Operator::parse("BoolNot"), None);
}

#[test]
fn numeric_operators() {
    assert_eq!(eval("NumericEquals", &["10"], Some("10")), Tri::True);
    assert_eq!(eval("NumericEquals", &["10"], Some("10.0")), Tri::True);
    assert_eq!(eval("NumericEquals", &["10"], Some("11")), Tri::False);
    assert_eq!(eval("NumericNotEquals", &["10"], Some("11")), Tri::True);
    assert_eq!(
        eval("NumericNotEquals", &["10", "11"], Some("11")),
        Tri::False
    );
    assert_eq!(eval("NumericLessThan", &["10"], Some("9")), Tri::True);
    assert_eq!(eval("NumericLessThan", &["10"], Some("10")), Tri::False);
    assert_eq!(
        eval("NumericLessThanEquals", &["10"], Some("10")),
        Tri::True
    );
    assert_eq!(eval("NumericGreaterThan", &["10"], Some("10.5")), Tri::True);
    assert_eq!(eval("NumericGreaterThan", &["10"], Some("-3")), Tri::False);
    assert_eq!(
        eval("NumericGreaterThanEquals", &["10"], Some("10")),
        Tri::True
    );
    // A non-numeric value never matches.
    assert_eq!(eval("NumericEquals", &["ten"], Some("10")), Tri::False);
    assert_eq!(eval("NumericLessThan", &["10"], Some("NaN")), Tri::False);
    assert_eq!(parse_number("inf"), None);
    assert_eq!(parse_number("1e3"), None);
    // Absent key: positive false, negated true, IfExists true.
    assert_eq!(eval("NumericLessThan", &["10"], None), Tri::False);
    assert_eq!(eval("NumericNotEquals", &["10"], None), Tri::True);
    assert_eq!(eval("NumericLessThanIfExists", &["10"], None), Tri::True);
    assert_eq!(
        eval("NumericLessThanIfExists", &["10"], Some("12")),
        Tri::False
    );
}

#[test]
fn date_operators_iso_and_epoch() {
    let t = "2020-04-01T00:00:00Z";
    assert_eq!(eval("DateEquals", &[t], Some("1585699200")), Tri::True);
    assert_eq!(eval("DateEquals", &["2020-04-01"], Some(t)), Tri::True);
    assert_eq!(
        eval("DateEquals", &[t], Some("2020-04-01T02:00:00+02:00")),
        Tri::True
    );
    assert_eq!(eval("DateNotEquals", &[t], Some("1585699201")), Tri::True);
    assert_eq!(
        eval("DateLessThan", &[t], Some("2020-03-31T23:59:59.999Z")),
        Tri::True
    );
    assert_eq!(eval("DateLessThan", &[t], Some(t)), Tri::False);
    assert_eq!(eval("DateLessThanEquals", &[t], Some(t)), Tri::True);
    assert_eq!(eval("DateGreaterThan", &[t], Some("2021-01-01")), Tri::True);
    assert_eq!(
        eval("DateGreaterThanEquals", &[t], Some("2019-12-31")),
        Tri::False
    );
    assert_eq!(eval("DateGreaterThanIfExists", &[t], None), Tri::True);
    assert_eq!(eval("DateGreaterThan", &[t], None), Tri::False);
    // Malformed dates never match.
    assert_eq!(eval("DateLessThan", &["2020-02-30"], Some(t)), Tri::False);
    assert_eq!(parse_date("2020-13-01"), None);
    assert_eq!(parse_date("yesterday"), None);
    assert_eq!(parse_date("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(parse_date("1969-12-31T23:59:59Z"), Some(-1000));
    assert_eq!(parse_date("2024-02-29T12:30Z"), Some(1_709_209_800_000));
}

#[test]
fn bool_operator() {
    assert_eq!(eval("Bool", &["true"], Some("true")), Tri::True);
    assert_eq!(eval("Bool", &["true"], Some("TRUE")), Tri::True);
    assert_eq!(eval("Bool", &["false"], Some("true")), Tri::False);
    assert_eq!(eval("Bool", &["yes"], Some("true")), Tri::False);
    // aws:SecureTransport absent: Bool false, BoolIfExists true.
    assert_eq!(eval("Bool", &["false"], None), Tri::False);
    assert_eq!(eval("BoolIfExists", &["false"], None), Tri::True);
}

#[test]
fn binary_equals_compares_decoded_bytes() {
    assert_eq!(
        base64_decode("QmluYXJ5VmFsdWU="),
        Some(b"BinaryValue".to_vec())
    );
    assert_eq!(base64_decode("a$b"), None);
    assert_eq!(
        eval(
            "BinaryEquals",
            &["QmluYXJ5VmFsdWU="],
            Some("QmluYXJ5VmFsdWU")
        ),
        Tri::True
    );
    assert_eq!(
        eval(
            "BinaryEquals",
            &["QmluYXJ5VmFsdWU="],
            Some("QmluYXJ5VmFsdWV=")
        ),
        Tri::False
    );
    assert_eq!(eval("BinaryEqualsIfExists", &["AA=="], None), Tri::True);
}

#[test]
fn ip_address_operators() {
    assert!(cidr_contains("203.0.113.0/24", "203.0.113.7"));
    assert!(!cidr_contains("203.0.113.0/24", "203.0.114.7"));
    assert!(cidr_contains("0.0.0.0/0", "8.8.8.8"));
    assert!(cidr_contains("203.0.113.7", "203.0.113.7"));
    assert!(cidr_contains(
        "2001:DB8:1234:5678::/64",
        "2001:db8:1234:5678::1"
    ));
    assert!(!cidr_contains(
        "2001:DB8:1234:5678::/64",
        "2001:db8:1234:5679::1"
    ));
    assert!(!cidr_contains("10.0.0.0/8", "::ffff:10.0.0.1"));
    assert!(!cidr_contains("10.0.0.0/33", "10.0.0.1"));
    assert!(!cidr_contains("10.0.0.0/8", "not-an-ip"));
    let nets = ["203.0.113.0/24", "2001:DB8:1234:5678::/64"];
    assert_eq!(eval("IpAddress", &nets, Some("203.0.113.9")), Tri::True);
    assert_eq!(eval("IpAddress", &nets, Some("198.51.100.1")), Tri::False);
    assert_eq!(eval("NotIpAddress", &nets, Some("198.51.100.1")), Tri::True);
    assert_eq!(eval("NotIpAddress", &nets, Some("203.0.113.9")), Tri::False);
    // aws:SourceIp is absent for calls through a VPC endpoint: NotIpAddress holds.
    assert_eq!(eval("NotIpAddress", &nets, None), Tri::True);
    assert_eq!(eval("IpAddress", &nets, None), Tri::False);
    assert_eq!(eval("IpAddressIfExists", &nets, None), Tri::True);
}

#[test]
fn arn_operators_are_segment_wise() {
    let p = "arn:aws:sns:*:123456789012:*";
    assert!(arn_like(p, "arn:aws:sns:us-east-1:123456789012:topic"));
    assert!(!arn_like(p, "arn:aws:sns:us-east-1:210987654321:topic"));
    // A `*` in one segment does not cross a colon.
    assert!(!arn_like(
        "arn:aws:*:123456789012:x",
        "arn:aws:s3:eu-west-1:123456789012:x"
    ));
    assert!(arn_like(
        "arn:aws:iam::123456789012:role/*",
        "arn:aws:iam::123456789012:role/a/b"
    ));
    let src = Some("arn:aws:sns:us-east-1:123456789012:topic");
    assert_eq!(eval("ArnEquals", &[p], src), Tri::True);
    assert_eq!(eval("ArnLike", &[p], src), Tri::True);
    assert_eq!(eval("ArnNotEquals", &[p], src), Tri::False);
    assert_eq!(eval("ArnNotLike", &[p], src), Tri::False);
    assert_eq!(eval("ArnNotLike", &[p], None), Tri::True);
    assert_eq!(eval("ArnLike", &[p], None), Tri::False);
    assert_eq!(eval("ArnLikeIfExists", &[p], None), Tri::True);
    // Case-sensitive.
    assert_eq!(
        eval(
            "ArnEquals",
            &[p],
            Some("arn:aws:SNS:us-east-1:123456789012:topic")
        ),
        Tri::False
    );
}

#[test]
fn null_checks_presence() {
    assert_eq!(eval("Null", &["true"], None), Tri::True);
    assert_eq!(eval("Null", &["true"], Some("x")), Tri::False);
    assert_eq!(eval("Null", &["false"], Some("x")), Tri::True);
    assert_eq!(eval("Null", &["false"], None), Tri::False);
    // A key present with an empty set of values is present (as iam-simulate decides too;
    // docs/IAM-PARITY.md).
    assert_eq!(eval_multi("Null", &["true"], Some(&[])), Tri::False);
    assert_eq!(eval_multi("Null", &["false"], Some(&[])), Tri::True);
    assert_eq!(eval("Null", &["maybe"], None), Tri::False);
}

#[test]
fn for_all_values() {
    let op = "ForAllValues:StringEquals";
    let allowed = ["Environment", "CostCenter"];
    assert_eq!(
        eval_multi(op, &allowed, Some(&["Environment", "CostCenter"])),
        Tri::True
    );
    assert_eq!(
        eval_multi(op, &allowed, Some(&["Environment", "Owner"])),
        Tri::False
    );
    // Missing or empty key: true.
    assert_eq!(eval_multi(op, &allowed, None), Tri::True);
    assert_eq!(eval_multi(op, &allowed, Some(&[])), Tri::True);
    // Negated: every request value matches none of the policy values.
    let op = "ForAllValues:StringNotEquals";
    assert_eq!(
        eval_multi(op, &allowed, Some(&["Owner", "Team"])),
        Tri::True
    );
    assert_eq!(
        eval_multi(op, &allowed, Some(&["Owner", "CostCenter"])),
        Tri::False
    );
    assert_eq!(
        eval_multi("ForAllValues:NumericLessThan", &["5"], Some(&["1", "4"])),
        Tri::True
    );
}

#[test]
fn for_any_value() {
    let op = "ForAnyValue:StringEquals";
    let wanted = ["Environment", "CostCenter"];
    assert_eq!(
        eval_multi(op, &wanted, Some(&["Owner", "CostCenter"])),
        Tri::True
    );
    assert_eq!(
        eval_multi(op, &wanted, Some(&["Owner", "Team"])),
        Tri::False
    );
    // Missing or empty key: false.
    assert_eq!(eval_multi(op, &wanted, None), Tri::False);
    assert_eq!(eval_multi(op, &wanted, Some(&[])), Tri::False);
    // Negated: at least one request value matches none of the policy values.
    let op = "ForAnyValue:StringNotEquals";
    assert_eq!(
        eval_multi(op, &wanted, Some(&["Environment", "Owner"])),
        Tri::True
    );
    assert_eq!(
        eval_multi(op, &wanted, Some(&["Environment", "CostCenter"])),
        Tri::False
    );
    assert_eq!(
        eval_multi(
            "ForAnyValue:IpAddress",
            &["10.0.0.0/8"],
            Some(&["192.0.2.1", "10.1.2.3"])
        ),
        Tri::True
    );
}

#[test]
fn string_family_through_operator_matches_string_operator() {
    assert_eq!(eval("StringLike", &["prod-*"], Some("prod-eu")), Tri::True);
    assert_eq!(eval("StringNotEquals", &["a"], None), Tri::True);
    assert_eq!(eval("StringEqualsIfExists", &["a"], None), Tri::True);
    assert_eq!(eval("StringEqualsIgnoreCase", &["A"], Some("a")), Tri::True);
}

#[test]
fn unknown_values_never_decide_unless_settled() {
    let u = Leaf::Unknown(Unknown::derived("var.cidr"));
    let op = Operator::parse("IpAddress").unwrap();
    let known_hit = [u.clone(), Leaf::Known("10.0.0.0/8".into())];
    assert_eq!(op.evaluate(&known_hit, Some(&["10.0.0.1"])), Tri::True);
    let r = op.evaluate(std::slice::from_ref(&u), Some(&["10.0.0.1"]));
    assert!(matches!(r, Tri::Unknown(_)), "{r:?}");
    let neg = Operator::parse("NotIpAddress").unwrap();
    assert!(matches!(
        neg.evaluate(std::slice::from_ref(&u), Some(&["10.0.0.1"])),
        Tri::Unknown(_)
    ));
    assert_eq!(neg.evaluate(&known_hit, Some(&["10.0.0.1"])), Tri::False);
    // An unsubstituted policy variable is unknown too.
    let arn = Operator::parse("ArnLike").unwrap();
    let r = arn.evaluate(
        &vals(&["arn:aws:iam::${aws:PrincipalAccount}:role/*"]),
        Some(&["arn:aws:iam::123456789012:role/x"]),
    );
    assert!(matches!(r, Tri::Unknown(_)), "{r:?}");
    // ForAllValues: `b` might equal the unknown value, so the outcome is unknown ...
    let fa = Operator::parse("ForAllValues:StringEquals").unwrap();
    let r = fa.evaluate(&[u.clone(), Leaf::Known("a".into())], Some(&["a", "b"]));
    assert!(matches!(r, Tri::Unknown(_)), "{r:?}");
    // ... but with the negated operator, `a` equals a known value: settled false.
    let fan = Operator::parse("ForAllValues:StringNotEquals").unwrap();
    let r = fan.evaluate(&[u.clone(), Leaf::Known("a".into())], Some(&["a", "b"]));
    assert_eq!(r, Tri::False);
    // A missing key settles the set qualifiers without looking at values.
    assert_eq!(fa.evaluate(std::slice::from_ref(&u), None), Tri::True);
    let fany = Operator::parse("ForAnyValue:StringEquals").unwrap();
    assert_eq!(fany.evaluate(&[u], None), Tri::False);
}
