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

/// The same policies as a CloudFormation template, in YAML and in JSON: an object, a JSON
/// string, an `Fn::Sub` string and a parameter, in a managed policy, an `AWS::IAM::Policy` and a
/// user's own `Policies`.
const CFN_YAML: &str = r#"Parameters:
  Doc:
    Type: String
Resources:
  Object:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement: [{ Effect: Allow, Action: "*", Resource: "*" }]
  Text:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: text
      Groups: [ops]
      PolicyDocument: '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
  Sub:
    Type: AWS::IAM::User
    Properties:
      Policies:
        - PolicyName: sub
          PolicyDocument: !Sub '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Sid": "${AWS::StackName}"}]}'
  FromParameter:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: param
      Roles: [ops]
      PolicyDocument: !Ref Doc
"#;

const CFN_JSON: &str = r#"{
  "Parameters": { "Doc": { "Type": "String" } },
  "Resources": {
    "Object": {
      "Type": "AWS::IAM::ManagedPolicy",
      "Properties": {
        "PolicyDocument": {
          "Version": "2012-10-17",
          "Statement": [{ "Effect": "Allow", "Action": "*", "Resource": "*" }]
        }
      }
    },
    "Text": {
      "Type": "AWS::IAM::Policy",
      "Properties": {
        "PolicyName": "text",
        "Groups": ["ops"],
        "PolicyDocument": "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}"
      }
    },
    "Sub": {
      "Type": "AWS::IAM::User",
      "Properties": {
        "Policies": [{
          "PolicyName": "sub",
          "PolicyDocument": { "Fn::Sub": "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Sid\": \"${AWS::StackName}\"}]}" }
        }]
      }
    },
    "FromParameter": {
      "Type": "AWS::IAM::Policy",
      "Properties": { "PolicyName": "param", "Roles": ["ops"], "PolicyDocument": { "Ref": "Doc" } }
    }
  }
}"#;

/// `(resource, rule, status, claimed IDs)` of the IAM001 and IAM002 findings on a template.
fn cfn_claims(name: &str, text: &str) -> Vec<(String, String, String, String)> {
    let e = moat_cloudformation::parse_str(name, text);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    let mut v: Vec<_> = moat_rules::check_only(&e, &["IAM001", "IAM002"])
        .into_iter()
        .map(|f| {
            (
                f.resource,
                f.rule_id.to_string(),
                format!("{:?}", f.status),
                f.equivalent.checkov.join(" "),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn cloudformation_yaml_and_json_give_the_same_findings_and_claims() {
    let yaml = cfn_claims("template.yaml", CFN_YAML);
    let found: Vec<(&str, &str, &str)> = yaml
        .iter()
        .map(|(r, rule, status, _)| (r.as_str(), rule.as_str(), status.as_str()))
        .collect();
    // Every written form is read: an object, a JSON string, an `Fn::Sub` string whose only
    // unknown is a pseudo parameter; a parameter without value is unknown.
    assert_eq!(
        found,
        vec![
            ("FromParameter", "IAM001", "Unknown"),
            ("Object", "IAM001", "Fail"),
            ("Object", "IAM002", "Fail"),
            ("Sub", "IAM001", "Fail"),
            ("Sub", "IAM002", "Fail"),
            ("Text", "IAM001", "Fail"),
            ("Text", "IAM002", "Fail"),
        ]
    );
    assert_eq!(cfn_claims("template.json", CFN_JSON), yaml);
}
