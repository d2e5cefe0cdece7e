//! Privilege escalation found from IaC ([`moat_iam::from_model`] then
//! [`IamEstate::escalations`]): the estate's groups and the ARNs of its customer managed
//! policies are filled from the typed model, so the methods that act on them are found from
//! Terraform and CloudFormation alike. Semantics:
//! - https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicyVersion.html (the
//!   resource is the managed policy; `SetAsDefault` makes the new version effective at once);
//! - https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddUserToGroup.html (the resource
//!   is the group; its members get its policies,
//!   https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html).

use moat_iam::condition::RequestContext;
use moat_iam::escalation::{Escalation, Target};
use moat_iam::estate::IamEstate;
use moat_iam::eval::DecisionKind;
use moat_iam::from_model::from_model;

const TF: &str = r#"
resource "aws_iam_role" "ci" {
  name               = "ci"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { Service = "codebuild.amazonaws.com" }, Action = "sts:AssumeRole" }] })
}

resource "aws_iam_policy" "deploy" {
  name   = "deploy"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
}

resource "aws_iam_policy" "other" {
  name   = "other"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
}

resource "aws_iam_role_policy_attachment" "ci_deploy" {
  role       = aws_iam_role.ci.name
  policy_arn = aws_iam_policy.deploy.arn
}

resource "aws_iam_role_policy" "ci_versions" {
  role   = aws_iam_role.ci.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "iam:CreatePolicyVersion", Resource = aws_iam_policy.deploy.arn }] })
}

resource "aws_iam_role" "builder" {
  name               = "builder"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { Service = "codebuild.amazonaws.com" }, Action = "sts:AssumeRole" }] })
}

resource "aws_iam_role_policy_attachment" "builder_deploy" {
  role       = aws_iam_role.builder.name
  policy_arn = aws_iam_policy.deploy.arn
}

resource "aws_iam_role_policy" "builder_versions" {
  role   = aws_iam_role.builder.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "iam:CreatePolicyVersion", Resource = aws_iam_policy.other.arn }] })
}

resource "aws_iam_group" "admins" {
  name = "admins"
}

resource "aws_iam_group_policy_attachment" "admins" {
  group      = aws_iam_group.admins.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_user" "alice" {
  name = "alice"
}

resource "aws_iam_user_policy" "alice" {
  user   = aws_iam_user.alice.name
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "iam:AddUserToGroup", Resource = aws_iam_group.admins.arn }] })
}

resource "aws_iam_user" "bob" {
  name = "bob"
}

resource "aws_iam_user_group_membership" "bob" {
  user   = aws_iam_user.bob.name
  groups = [aws_iam_group.admins.name]
}

resource "aws_iam_user" "carol" {
  name = "carol"
}

resource "aws_iam_user_policy" "carol" {
  user   = aws_iam_user.carol.name
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "iam:GetGroup", Resource = aws_iam_group.admins.arn }] })
}
"#;

const CFN: &str = r#"
Resources:
  Ci:
    Type: AWS::IAM::Role
    Properties:
      RoleName: ci
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{ Effect: Allow, Principal: { Service: codebuild.amazonaws.com }, Action: "sts:AssumeRole" }]
      ManagedPolicyArns: [!Ref Deploy]
      Policies:
        - PolicyName: versions
          PolicyDocument:
            Version: "2012-10-17"
            Statement: [{ Effect: Allow, Action: "iam:CreatePolicyVersion", Resource: !Ref Deploy }]
  Builder:
    Type: AWS::IAM::Role
    Properties:
      RoleName: builder
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{ Effect: Allow, Principal: { Service: codebuild.amazonaws.com }, Action: "sts:AssumeRole" }]
      ManagedPolicyArns: [!Ref Deploy]
      Policies:
        - PolicyName: versions
          PolicyDocument:
            Version: "2012-10-17"
            Statement: [{ Effect: Allow, Action: "iam:CreatePolicyVersion", Resource: !Ref Other }]
  Deploy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement: [{ Effect: Allow, Action: "s3:GetObject", Resource: "*" }]
  Other:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement: [{ Effect: Allow, Action: "s3:GetObject", Resource: "*" }]
  Admins:
    Type: AWS::IAM::Group
    Properties:
      GroupName: admins
      ManagedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"]
  Alice:
    Type: AWS::IAM::User
    Properties:
      UserName: alice
      Policies:
        - PolicyName: join
          PolicyDocument:
            Version: "2012-10-17"
            Statement: [{ Effect: Allow, Action: "iam:AddUserToGroup", Resource: !GetAtt Admins.Arn }]
  Bob:
    Type: AWS::IAM::User
    Properties:
      UserName: bob
      Groups: [!Ref Admins]
  Carol:
    Type: AWS::IAM::User
    Properties:
      UserName: carol
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: "2012-10-17"
            Statement: [{ Effect: Allow, Action: "iam:GetGroup", Resource: !GetAtt Admins.Arn }]
"#;

fn terraform() -> IamEstate {
    let e = moat_terraform::parse_and_evaluate_str("main.tf", TF);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    from_model(&e.aws, &e, None)
}

fn cloudformation() -> IamEstate {
    let e = moat_cloudformation::parse_str("template.yaml", CFN);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    from_model(&e.aws, &e, None)
}

fn of<'a>(iam: &IamEstate, all: &'a [Escalation], who: &str) -> Vec<&'a Escalation> {
    let p = iam
        .find_principal(who)
        .unwrap_or_else(|| panic!("no `{who}`"));
    all.iter().filter(|e| e.principal == p).collect()
}

fn methods(iam: &IamEstate, all: &[Escalation], who: &str) -> Vec<&'static str> {
    of(iam, all, who).iter().map(|e| e.method).collect()
}

fn check(iam: &IamEstate, deploy: &str, admins: &str) {
    // The estate's groups and policy ARNs are filled.
    let g = iam
        .groups
        .iter()
        .position(|g| g.address == admins)
        .unwrap_or_else(|| panic!("no group `{admins}` in {:?}", iam.groups));
    let bob = iam.find_principal("bob").unwrap();
    assert_eq!(iam.groups[g].members, vec![bob]);
    assert!(!iam.groups[g].policies.is_empty());
    assert_eq!(iam.groups[g].arn, "arn:aws:iam::{account}:group/admins");
    let dp = iam
        .policy_arns
        .iter()
        .find(|(_, a)| a.ends_with(&format!("policy/{{{deploy}}}")))
        .map(|(i, _)| *i)
        .unwrap_or_else(|| panic!("no ARN for `{deploy}` in {:?}", iam.policy_arns));

    let all = iam.escalations(&RequestContext::open());
    // CreatePolicyVersion on the customer managed policy attached to the role.
    let ci = of(iam, &all, "ci");
    let cpv: Vec<_> = ci
        .iter()
        .filter(|e| e.method == "iam:CreatePolicyVersion")
        .collect();
    assert_eq!(cpv.len(), 1, "{ci:?}");
    assert_eq!(cpv[0].status, DecisionKind::Allow);
    assert_eq!(cpv[0].target, Some(Target::Policy(dp)));
    assert!(cpv[0].steps[0].resource.ends_with(&format!("{{{deploy}}}")));
    // The same permission on a policy the role does not have: nothing.
    assert_eq!(methods(iam, &all, "builder"), Vec::<&str>::new());

    // AddUserToGroup on a group with policies the user is not in.
    let alice = of(iam, &all, "alice");
    assert_eq!(alice.len(), 1, "{alice:?}");
    assert_eq!(alice[0].method, "iam:AddUserToGroup");
    assert_eq!(alice[0].status, DecisionKind::Allow);
    assert_eq!(alice[0].target, Some(Target::Group(g)));
    // A member (an administrator through the group) and a user without the permission:
    // nothing.
    assert_eq!(methods(iam, &all, "bob"), Vec::<&str>::new());
    assert_eq!(methods(iam, &all, "carol"), Vec::<&str>::new());
}

#[test]
fn terraform_create_policy_version_and_add_user_to_group() {
    check(
        &terraform(),
        "aws_iam_policy.deploy",
        "aws_iam_group.admins",
    );
}

#[test]
fn cloudformation_create_policy_version_and_add_user_to_group() {
    check(&cloudformation(), "Deploy", "Admins");
}

/// Without the estate's groups and policy ARNs (the input of an estate built by hand), neither
/// method is found on these principals: the fields are what makes them visible.
#[test]
fn without_the_estate_input_the_methods_are_not_found() {
    let mut iam = terraform();
    iam.groups.clear();
    iam.policy_arns.clear();
    let all = iam.escalations(&RequestContext::open());
    assert!(!methods(&iam, &all, "ci").contains(&"iam:CreatePolicyVersion"));
    // With no groups known, AddUserToGroup is decided on `group/*`, which alice's policy
    // (on the one group's ARN) does not allow.
    assert!(!methods(&iam, &all, "alice").contains(&"iam:AddUserToGroup"));
}
