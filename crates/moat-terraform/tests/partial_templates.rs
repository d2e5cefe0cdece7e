//! Regression: policies whose strings mix literal text with unknown values (an account ID from
//! `data.aws_caller_identity`, a bucket ARN known only after apply) must stay decidable where the
//! literal text settles the question, and stay unknown where it does not.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use moat_model::{Unknown, Value};
use moat_terraform::parse_and_evaluate_str;

const SRC: &str = r#"
data "aws_caller_identity" "me" {}
variable "svc" {}
resource "aws_s3_bucket" "b" { bucket = "b" }
resource "aws_iam_role" "r" {
  name = "r"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.me.account_id}:root" } }]
  })
}
resource "aws_iam_policy" "computed" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = aws_s3_bucket.b.arn }] })
}
resource "aws_iam_policy" "var_wildcard" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "${var.svc}*", Resource = "*" }] })
}
resource "aws_s3_bucket" "named" { bucket = "logs-${data.aws_caller_identity.me.account_id}" }
"#;

#[test]
fn literal_text_around_unknowns_is_kept_as_a_template() {
    let e = parse_and_evaluate_str("main.tf", SRC);
    let named = &e.resources[e.by_address("aws_s3_bucket.named").unwrap().index()];
    match &named.get("bucket").unwrap().value {
        Value::Unknown(Unknown::Template { text, refs, .. }) => {
            assert_eq!(text, "logs-${data.aws_caller_identity.me}");
            assert_eq!(refs, &vec!["data.aws_caller_identity.me".to_string()]);
        }
        other => panic!("expected a template unknown, got {other:?}"),
    }
}

#[test]
fn jsonencode_renders_arns_with_placeholders() {
    let e = parse_and_evaluate_str("main.tf", SRC);
    let role = &e.resources[e.by_address("aws_iam_role.r").unwrap().index()];
    let policy = role
        .get("assume_role_policy")
        .unwrap()
        .as_str()
        .expect("a JSON string");
    assert!(
        policy.contains(r#""AWS":"arn:aws:iam::${data.aws_caller_identity.me}:root""#),
        "{policy}"
    );
    let p = &e.resources[e.by_address("aws_iam_policy.computed").unwrap().index()];
    let policy = p.get("policy").unwrap().as_str().expect("a JSON string");
    assert!(
        policy.contains(r#""Resource":"${aws_s3_bucket.b.arn}""#),
        "{policy}"
    );
}

#[test]
fn wildcard_next_to_an_unknown_stays_unknown() {
    let e = parse_and_evaluate_str("main.tf", SRC);
    let p = &e.resources[e.by_address("aws_iam_policy.var_wildcard").unwrap().index()];
    let policy = p.get("policy").unwrap();
    // Not rendered to a string: the action could be `*`.
    assert!(policy.as_str().is_none());
    assert!(policy.contains_unknown());
    let action = policy.path("Statement.0.Action").unwrap();
    assert!(action.is_unknown());
    assert_eq!(
        policy.path("Statement.0.Resource").unwrap().as_str(),
        Some("*")
    );
}

#[test]
fn wildcard_after_a_computed_arn_is_rendered() {
    let e = parse_and_evaluate_str(
        "main.tf",
        r#"
resource "aws_s3_bucket" "b" { bucket = "b" }
resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.b.arn}/*" }] })
}
"#,
    );
    let p = &e.resources[e.by_address("aws_iam_policy.p").unwrap().index()];
    let policy = p.get("policy").unwrap().as_str().expect("a JSON string");
    assert!(
        policy.contains(r#""Resource":"${aws_s3_bucket.b.arn}/*""#),
        "{policy}"
    );
}

#[test]
fn policy_document_with_an_unknown_leaf_stays_structured() {
    let e = parse_and_evaluate_str(
        "main.tf",
        r#"
variable "who" {}
data "aws_iam_policy_document" "leaf" {
  statement {
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [var.who]
    }
  }
}
data "aws_iam_policy_document" "shape" {
  dynamic "statement" {
    for_each = var.who
    content {
      actions   = ["s3:*"]
      resources = ["*"]
    }
  }
}
"#,
    );
    let leaf = &e.resources[e
        .by_address("data.aws_iam_policy_document.leaf")
        .unwrap()
        .index()];
    let json = leaf.get("json").unwrap();
    assert_eq!(
        json.path("Statement.0.Action").unwrap().as_str(),
        Some("kms:*")
    );
    assert!(matches!(
        json.path("Statement.0.Principal.AWS").unwrap().unknown_reason(),
        Some(Unknown::Variable { name }) if name == "who"
    ));
    // Which statements exist is unknown: the whole document stays unknown.
    let shape = &e.resources[e
        .by_address("data.aws_iam_policy_document.shape")
        .unwrap()
        .index()];
    assert!(shape.get("json").unwrap().is_unknown());
}
