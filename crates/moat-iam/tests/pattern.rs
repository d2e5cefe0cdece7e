//! Wildcard and ARN matching, against AWS's documented examples and a brute-force reference.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>

use moat_iam::pattern::{action_matches, glob, resource_matches};
use proptest::prelude::*;

/// The obvious recursive definition, exponential but trivially right on short inputs.
fn reference(p: &[char], s: &[char]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some(('*', rest)) => (0..=s.len()).any(|k| reference(rest, &s[k..])),
        Some(('?', rest)) => !s.is_empty() && reference(rest, &s[1..]),
        Some((c, rest)) => s.first() == Some(c) && reference(rest, &s[1..]),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]
    #[test]
    fn glob_agrees_with_reference(p in "[ab*?:/]{0,8}", s in "[ab:/]{0,10}") {
        let pc: Vec<char> = p.chars().collect();
        let sc: Vec<char> = s.chars().collect();
        prop_assert_eq!(glob(&p, &s), reference(&pc, &sc), "pattern {:?} text {:?}", p, s);
    }

    #[test]
    fn glob_agrees_with_reference_non_ascii(p in "[aé*?]{0,6}", s in "[aé]{0,8}") {
        let pc: Vec<char> = p.chars().collect();
        let sc: Vec<char> = s.chars().collect();
        prop_assert_eq!(glob(&p, &s), reference(&pc, &sc));
    }

    /// Within the resource segment an ARN pattern is a plain glob (it may span `/` and `:`).
    #[test]
    fn resource_segment_is_a_glob(p in "[ab*?:/]{0,8}", s in "[ab:/]{0,10}") {
        let pc: Vec<char> = p.chars().collect();
        let sc: Vec<char> = s.chars().collect();
        let pat = format!("arn:aws:s3:::{p}");
        let res = format!("arn:aws:s3:::{s}");
        prop_assert_eq!(resource_matches(&pat, &res), reference(&pc, &sc));
    }
}

#[test]
fn actions_are_case_insensitive() {
    assert!(action_matches("s3:GetObject", "S3:getobject"));
    assert!(action_matches("S3:Get*", "s3:GetObjectAcl"));
    assert!(action_matches("iam:*AccessKey*", "iam:CreateAccessKey"));
    assert!(action_matches("*", "kms:Decrypt"));
    assert!(!action_matches("s3:Get*", "s3:PutObject"));
    assert!(!action_matches("s3:Get*", "s3x:GetObject"));
    assert!(action_matches("ec2:Describe?pcs", "ec2:DescribeVpcs"));
}

#[test]
fn resources_are_case_sensitive() {
    // "In the Resource element, the IAM user name is case sensitive."
    let bob = "arn:aws:iam::123456789012:user/Bob";
    assert!(resource_matches(bob, bob));
    assert!(!resource_matches(bob, "arn:aws:iam::123456789012:user/bob"));
}

#[test]
fn documented_resource_examples() {
    // All IAM users whose path is /accounting.
    let p = "arn:aws:iam::123456789012:user/accounting/*";
    assert!(resource_matches(
        p,
        "arn:aws:iam::123456789012:user/accounting/alice"
    ));
    assert!(resource_matches(
        p,
        "arn:aws:iam::123456789012:user/accounting/eu/bob"
    ));
    assert!(!resource_matches(
        p,
        "arn:aws:iam::123456789012:user/sales/bob"
    ));
    // All items in a bucket; `*` spans `/` in the resource segment.
    let p = "arn:aws:s3:::amzn-s3-demo-bucket/*";
    assert!(resource_matches(
        p,
        "arn:aws:s3:::amzn-s3-demo-bucket/a/b/c.txt"
    ));
    assert!(!resource_matches(p, "arn:aws:s3:::amzn-s3-demo-bucket"));
    assert!(!resource_matches(p, "arn:aws:s3:::amzn-s3-demo-bucket2/x"));
    // `?` is one character.
    assert!(resource_matches(
        "arn:aws:sqs:us-east-?:123456789012:queue1",
        "arn:aws:sqs:us-east-2:123456789012:queue1"
    ));
    // A wildcard in a region/account segment stays in that segment.
    let p = "arn:aws:dynamodb:*:123456789012:table/t";
    assert!(resource_matches(
        p,
        "arn:aws:dynamodb:eu-west-1:123456789012:table/t"
    ));
    assert!(!resource_matches(
        p,
        "arn:aws:dynamodb:eu-west-1:210987654321:table/t"
    ));
    // The resource segment may contain colons.
    let p = "arn:aws:logs:us-east-1:123456789012:log-group:/app/*";
    assert!(resource_matches(
        p,
        "arn:aws:logs:us-east-1:123456789012:log-group:/app/web:log-stream:x"
    ));
}

#[test]
fn trailing_star_of_the_last_written_segment_spans_colons() {
    assert!(resource_matches("arn:aws:s3:*", "arn:aws:s3:::bucket/key"));
    assert!(resource_matches(
        "arn:aws:*",
        "arn:aws:iam::123456789012:role/r"
    ));
    assert!(!resource_matches(
        "arn:aws:s3:*",
        "arn:aws:sqs:us-east-1:1:q"
    ));
    // A pattern with fewer segments and no trailing `*` does not match a longer ARN.
    assert!(!resource_matches("arn:aws:s3", "arn:aws:s3:::bucket"));
}

#[test]
fn non_arn_patterns() {
    assert!(resource_matches("*", "arn:aws:s3:::b"));
    assert!(resource_matches("*", ""));
    assert!(!resource_matches("arn:aws:s3:::b", "not-an-arn"));
}
