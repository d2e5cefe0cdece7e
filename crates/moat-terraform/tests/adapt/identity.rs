//! The Terraform adapter of the identity family: policy documents with their holder, path,
//! location and origin (the same in `.tf` and `.tf.json`), attachments of managed policies, and
//! the account password policy with the provider's defaults, unknown and invalid values.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[allow(unused_imports)] // each family uses some of them
use super::{id, load, load_dir, load_file, load_hcl};

use moat_model::aws::identity::{
    AttachmentKind, PolicyDoc, PolicyHolder, PolicyKind, PolicyOrigin, PrincipalKind,
};
use moat_model::aws::AttrValue;
use moat_model::{Estate, Unknown};

fn doc<'e>(e: &'e Estate, address: &str, path: &str) -> &'e PolicyDoc {
    let id = e.by_address(address).unwrap();
    e.aws
        .identity
        .policies
        .iter()
        .find(|p| p.id == id && p.path == path)
        .unwrap_or_else(|| panic!("no policy `{path}` on {address}"))
}

const POLICIES: &str = r#"
locals {
  star = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}

data "aws_iam_policy_document" "star" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "encoded" {
  name   = "encoded"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}

resource "aws_iam_policy" "generated" {
  name   = "generated"
  policy = data.aws_iam_policy_document.star.json
}

resource "aws_iam_role_policy" "interpolated" {
  role   = "ops"
  policy = "${data.aws_iam_policy_document.star.json}"
}

resource "aws_iam_user_policy" "from_local" {
  user   = "bob"
  policy = local.star
}

resource "aws_iam_group_policy" "heredoc" {
  group  = "readers"
  policy = <<EOF
{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
EOF
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "sts:AssumeRole" }] })
  inline_policy {
    name   = "inline"
    policy = data.aws_iam_policy_document.star.json
  }
}

resource "aws_kms_key" "k" {
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = "*", Action = "kms:*", Resource = "*" }] })
}
"#;

#[test]
fn policy_documents_carry_holder_kind_path_location_and_origin() {
    let e = load_file("main.tf", POLICIES);

    let d = doc(&e, "aws_iam_policy.encoded", "policy");
    assert_eq!(d.holder, PolicyHolder::ManagedPolicy);
    assert_eq!(d.kind, PolicyKind::Identity);
    assert_eq!(d.origin, PolicyOrigin::Inline);
    assert_eq!(d.loc.line, 15);
    let p = d.document.as_ref().unwrap();
    assert_eq!(p.statements[0].actions.values, vec!["*"]);

    let d = doc(&e, "aws_iam_policy.generated", "policy");
    assert_eq!(d.origin, PolicyOrigin::Generated);
    assert_eq!(d.loc.line, 20);
    assert!(d.document.as_ref().unwrap().statements[0].allow);

    let d = doc(&e, "aws_iam_role_policy.interpolated", "policy");
    assert_eq!(d.holder, PolicyHolder::InlinePolicy(PrincipalKind::Role));
    assert_eq!(d.origin, PolicyOrigin::Generated);
    assert_eq!(d.principal.as_ref().unwrap().text, "ops");

    let d = doc(&e, "aws_iam_user_policy.from_local", "policy");
    assert_eq!(d.origin, PolicyOrigin::Other);
    assert_eq!(d.declared_as, "aws_iam_user_policy");
    assert!(d.document.is_ok());

    let d = doc(&e, "aws_iam_group_policy.heredoc", "policy");
    assert_eq!(d.origin, PolicyOrigin::Inline);
    assert!(!d.document.as_ref().unwrap().statements[0].allow);

    let d = doc(&e, "aws_iam_role.app", "assume_role_policy");
    assert_eq!(
        (d.holder, d.kind),
        (PolicyHolder::RoleTrust, PolicyKind::Trust)
    );
    assert!(d.document.as_ref().unwrap().statements[0].allows_anyone_unconditionally());

    let d = doc(&e, "aws_iam_role.app", "inline_policy.0.policy");
    assert_eq!(d.holder, PolicyHolder::RoleInlinePolicy);
    assert_eq!(d.origin, PolicyOrigin::Generated);

    let d = doc(&e, "aws_kms_key.k", "policy");
    assert_eq!(
        (d.holder, d.kind),
        (PolicyHolder::KeyPolicy, PolicyKind::Resource)
    );

    let roles = &e.aws.identity.roles;
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].name.as_deref(), Some("app"));
}

#[test]
fn an_unresolved_policy_is_unknown() {
    let e = load_file(
        "main.tf",
        r#"
variable "doc" {}
resource "aws_iam_policy" "p" {
  name   = "p"
  policy = var.doc
}
"#,
    );
    let d = doc(&e, "aws_iam_policy.p", "policy");
    assert_eq!(d.origin, PolicyOrigin::Other);
    assert_eq!(d.document, Err(Unknown::Variable { name: "doc".into() }));
}

/// The same configuration in `.tf.json`: every document has the origin it has in `.tf`.
const POLICIES_JSON: &str = r#"{
  "locals": {
    "star": "${jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"*\", Resource = \"*\" }] })}"
  },
  "data": {
    "aws_iam_policy_document": {
      "star": { "statement": [{ "actions": ["*"], "resources": ["*"] }] }
    }
  },
  "resource": {
    "aws_iam_policy": {
      "encoded": {
        "name": "encoded",
        "policy": "${jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"*\", Resource = \"*\" }] })}"
      },
      "generated": {
        "name": "generated",
        "policy": "${data.aws_iam_policy_document.star.json}"
      }
    },
    "aws_iam_role_policy": {
      "interpolated": { "role": "ops", "policy": "${data.aws_iam_policy_document.star.json}" }
    },
    "aws_iam_user_policy": {
      "from_local": { "user": "bob", "policy": "${local.star}" }
    },
    "aws_iam_group_policy": {
      "heredoc": {
        "group": "readers",
        "policy": "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\"}]}"
      }
    },
    "aws_iam_role": {
      "app": {
        "name": "app",
        "assume_role_policy": "${jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Principal = { AWS = \"*\" }, Action = \"sts:AssumeRole\" }] })}",
        "inline_policy": [{ "name": "inline", "policy": "${data.aws_iam_policy_document.star.json}" }]
      }
    },
    "aws_kms_key": {
      "k": {
        "policy": "${jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Principal = \"*\", Action = \"kms:*\", Resource = \"*\" }] })}"
      }
    }
  }
}
"#;

#[test]
fn tf_and_tf_json_give_the_same_origins() {
    let tf = load_file("main.tf", POLICIES);
    let json = load_file("main.tf.json", POLICIES_JSON);
    let summary = |e: &Estate| {
        let mut v: Vec<_> = e
            .aws
            .identity
            .policies
            .iter()
            .map(|p| {
                let statements = p.document.as_ref().map(|d| d.statements.len()).ok();
                (
                    e.get(p.id).unwrap().address.clone(),
                    p.path.to_string(),
                    p.holder,
                    p.origin,
                    statements,
                )
            })
            .collect();
        v.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        v
    };
    let a = summary(&tf);
    assert_eq!(a.len(), 8);
    assert_eq!(a, summary(&json));
}

#[test]
fn attachments_name_their_principals_and_arns() {
    let e = load_file(
        "main.tf",
        r#"
variable "arn" {}
resource "aws_iam_group_policy_attachment" "ops" {
  group      = "ops"
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
resource "aws_iam_policy_attachment" "shared" {
  name       = "shared"
  users      = ["carol"]
  policy_arn = var.arn
}
resource "aws_iam_role" "ci" {
  name                = "ci"
  assume_role_policy  = "{}"
  managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}
"#,
    );
    let a = &e.aws.identity.attachments;
    assert_eq!(a.len(), 3);
    let ops = a
        .iter()
        .find(|x| x.kind == AttachmentKind::To(PrincipalKind::Group))
        .unwrap();
    assert_eq!(ops.to[0].shown.path, "group");
    assert_eq!(ops.to[0].shown.text, "ops");
    let arn = ops.policy_arn.as_ref().unwrap();
    assert_eq!(
        arn.value,
        AttrValue::Known("arn:aws:iam::aws:policy/AdministratorAccess".into())
    );
    assert_eq!((arn.path.as_ref(), arn.loc.line), ("policy_arn", 5));

    let shared = a.iter().find(|x| x.kind == AttachmentKind::Shared).unwrap();
    assert_eq!(shared.to[0].kind, PrincipalKind::User);
    assert_eq!(shared.to[0].shown.path, "users");
    assert_eq!(shared.to[0].shown.entries, Some(1));
    assert!(matches!(
        shared.policy_arn.as_ref().unwrap().value,
        AttrValue::Unknown(Unknown::Variable { .. })
    ));

    let role = a
        .iter()
        .find(|x| x.kind == AttachmentKind::RoleManagedPolicies)
        .unwrap();
    assert_eq!(role.to[0].shown.text, "aws_iam_role.ci");
    assert_eq!(
        role.policy_arn.as_ref().unwrap().path,
        "managed_policy_arns"
    );
}

#[test]
fn password_policy_written_default_unknown_and_invalid() {
    let e = load_file(
        "main.tf",
        r#"
variable "age" {}
resource "aws_iam_account_password_policy" "p" {
  minimum_password_length   = 8
  max_password_age          = var.age
  password_reuse_prevention = "many"
  require_symbols           = true
}
"#,
    );
    let p = &e.aws.identity.password_policies[0];
    assert_eq!(p.minimum_password_length.value, AttrValue::Known(8.0));
    assert_eq!(p.minimum_password_length.path, "minimum_password_length");
    assert_eq!(p.minimum_password_length.loc.line, 4);
    assert!(matches!(
        p.max_password_age.value,
        AttrValue::Unknown(Unknown::Variable { .. })
    ));
    assert!(matches!(
        p.password_reuse_prevention.value,
        AttrValue::Invalid { .. }
    ));
    assert_eq!(p.require_symbols.value, AttrValue::Known(true));
    // Not written: the provider's default, located at the resource.
    assert_eq!(p.require_numbers.value, AttrValue::Default(false));
    assert_eq!(p.require_numbers.loc.line, 3);
    assert_eq!(
        p.require_numbers.describe(),
        "`require_numbers` is not set (default `false`)"
    );
}
