//! Checkov claims on CloudFormation follow Checkov's CloudFormation checks, not its Terraform
//! ones: the same admin policy claims `CKV_AWS_62` in an `AWS::IAM::Policy` (which Checkov's
//! CloudFormation check reads) and nothing in an `AWS::IAM::ManagedPolicy` (which it does not),
//! while in Terraform a managed `aws_iam_policy` claims it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use moat_model::Finding;

const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { Service: ec2.amazonaws.com }
            Action: sts:AssumeRole
  Inline:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: admin
      Roles: [!Ref Role]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: "*"
            Resource: "*"
  Managed:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref Role]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: "*"
            Resource: "*"
"#;

const TERRAFORM: &str = r#"
resource "aws_iam_policy" "managed" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
"#;

fn claims(findings: &[Finding], resource: &str) -> Vec<String> {
    let f = findings
        .iter()
        .find(|f| f.resource == resource)
        .unwrap_or_else(|| panic!("no IAM001 finding on {resource}: {findings:#?}"));
    f.equivalent.checkov.clone()
}

#[test]
fn claims_follow_the_frameworks_checks() {
    let e = moat_cloudformation::parse_str("t.yaml", TEMPLATE);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    let f = moat_rules::check_only(&e, &["IAM001"]);
    assert_eq!(claims(&f, "Inline"), ["CKV_AWS_62"]);
    assert!(claims(&f, "Managed").is_empty());

    let e = moat_terraform::parse_and_evaluate_str("main.tf", TERRAFORM);
    let f = moat_rules::check_only(&e, &["IAM001"]);
    assert_eq!(claims(&f, "aws_iam_policy.managed"), ["CKV_AWS_62"]);
}
