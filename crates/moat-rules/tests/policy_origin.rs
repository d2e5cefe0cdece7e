//! Regression: the Checkov ID a policy finding claims depended on the `.tf` source line, so the
//! same policy claimed `CKV_AWS_62`/`CKV_AWS_1` in `main.tf` and nothing in `main.tf.json`. The
//! claim now follows the document's origin, which the frontend records for both syntaxes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use moat_model::Status;

const TF: &str = r#"
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

resource "aws_iam_group_policy" "literal" {
  group  = "ops"
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}"
}
"#;

const TF_JSON: &str = r#"{
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
      "literal": {
        "group": "ops",
        "policy": "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}"
      }
    }
  }
}
"#;

/// `(resource, rule, claimed IDs)` of the IAM001 and IAM002 failures on one file.
fn claims(name: &str, text: &str) -> Vec<(String, String, String)> {
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "moat-policy-origin-{}-{}",
        std::process::id(),
        name.replace('.', "-")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), text).unwrap();
    let estates = moat_terraform::load(&dir, &moat_terraform::Options::default());
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(estates.len(), 1);
    assert!(estates[0].errors.is_empty(), "{:?}", estates[0].errors);
    let mut v: Vec<_> = moat_rules::check_only(&estates[0], &["IAM001", "IAM002"])
        .into_iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| {
            (
                f.resource,
                f.rule_id.to_string(),
                f.equivalent.checkov.join(" "),
            )
        })
        .collect();
    v.sort();
    v
}

fn row(r: &str, rule: &str, ids: &str) -> (String, String, String) {
    (r.to_string(), rule.to_string(), ids.to_string())
}

#[test]
fn tf_and_tf_json_claim_the_same_checkov_ids() {
    let tf = claims("main.tf", TF);
    assert_eq!(
        tf,
        vec![
            row("aws_iam_group_policy.literal", "IAM001", "CKV_AWS_62"),
            row("aws_iam_group_policy.literal", "IAM002", "CKV_AWS_63"),
            row("aws_iam_policy.encoded", "IAM001", "CKV_AWS_62"),
            row("aws_iam_policy.encoded", "IAM002", "CKV_AWS_63"),
            row("aws_iam_policy.generated", "IAM001", "CKV_AWS_1"),
            row("aws_iam_policy.generated", "IAM002", "CKV_AWS_49"),
            row("aws_iam_role_policy.interpolated", "IAM001", "CKV_AWS_1"),
            row("aws_iam_role_policy.interpolated", "IAM002", "CKV_AWS_49"),
            // From a local value: no Checkov check reads it where moat reports it.
            row("aws_iam_user_policy.from_local", "IAM001", ""),
            row("aws_iam_user_policy.from_local", "IAM002", ""),
        ]
    );
    assert_eq!(claims("main.tf.json", TF_JSON), tf);
}
