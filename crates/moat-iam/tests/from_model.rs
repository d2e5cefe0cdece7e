//! The estate's IAM view built from the typed model ([`moat_iam::from_model`]), for Terraform
//! and CloudFormation: the same fixture in each language gives the same decisions.
//!
//! Semantics followed: identity-based policies, resource-based policies naming a principal of
//! the same account, permissions boundaries and group membership as
//! [Policy evaluation logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
//! describes; a role's trust policy as the resource policy of `sts:AssumeRole`
//! ([Roles terms and concepts](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html));
//! ARNs of roles and users as in
//! [IAM identifiers](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns).

use std::path::Path;

use moat_iam::condition::RequestContext;
use moat_iam::estate::{IamEstate, ResourceKind};
use moat_iam::eval::DecisionKind;
use moat_iam::from_model::from_model;
use moat_iam::principal::RequestPrincipal;
use moat_model::Estate;

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/from_model")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn terraform() -> (Estate, IamEstate) {
    let e = moat_terraform::parse_and_evaluate_str("main.tf", &fixture("main.tf"));
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    let iam = from_model(&e.aws, &e, None);
    (e, iam)
}

fn cloudformation() -> (Estate, IamEstate) {
    let e = moat_cloudformation::parse_str("template.yaml", &fixture("template.yaml"));
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    let iam = from_model(&e.aws, &e, None);
    (e, iam)
}

fn decide(iam: &IamEstate, who: &str, action: &str, resource: &str) -> DecisionKind {
    let i = iam
        .find_principal(who)
        .unwrap_or_else(|| panic!("no principal `{who}` in {:?}", names(iam)));
    let d = iam
        .simulate(i, action, resource, &RequestContext::default())
        .unwrap_or_else(|| panic!("no decision for `{who}`"));
    d.kind
}

fn names(iam: &IamEstate) -> Vec<(&str, &str)> {
    iam.principals
        .iter()
        .map(|p| (p.address.as_str(), p.arn.as_str()))
        .collect()
}

/// The decisions both fixtures must give.
fn common(iam: &IamEstate, frontend: &str) {
    use DecisionKind::*;
    let ctx = format!("{frontend}: {:#?}", names(iam));
    // An inline policy on `${bucket.arn}/*` allows the bucket's objects, not another bucket's.
    assert_eq!(
        decide(iam, "app", "s3:GetObject", "arn:aws:s3:::data/k"),
        Allow,
        "{ctx}"
    );
    assert_eq!(
        decide(iam, "app", "s3:GetObject", "arn:aws:s3:::other/k"),
        ImplicitDeny,
        "{ctx}"
    );
    assert_eq!(
        decide(iam, "app", "s3:GetObject", "arn:aws:s3:::data"),
        ImplicitDeny
    );
    // The role's ARN has its path.
    let app = iam.find_principal("app").unwrap();
    assert_eq!(
        iam.principals[app].arn,
        "arn:aws:iam::{account}:role/svc/app"
    );

    // A bucket whose name is generated: a placeholder that a reference to it matches, and a
    // literal name does not.
    let gen = iam
        .resources
        .iter()
        .find(|r| r.kind == ResourceKind::Bucket && r.arns[0].contains('{'))
        .unwrap_or_else(|| panic!("{frontend}: no generated bucket"));
    let object = format!("{}/k", gen.arns[0]);
    assert_eq!(
        decide(iam, "app", "s3:PutObject", &object),
        Allow,
        "{object}"
    );
    assert_eq!(
        decide(iam, "app", "s3:PutObject", "arn:aws:s3:::gen-123/k"),
        ImplicitDeny
    );

    // AWS managed ReadOnlyAccess, attached by ARN, from the embedded data.
    assert_eq!(
        decide(iam, "ro", "s3:GetObject", "arn:aws:s3:::any/k"),
        Allow
    );
    assert_eq!(
        decide(iam, "ro", "s3:PutObject", "arn:aws:s3:::any/k"),
        ImplicitDeny
    );

    // The bucket policy names the role: allowed without any identity policy; only there.
    let reader = iam.find_principal("reader").unwrap();
    assert!(iam.principals[reader].identity.is_empty(), "{frontend}");
    assert_eq!(
        decide(iam, "reader", "s3:GetObject", "arn:aws:s3:::data/k"),
        Allow
    );
    assert_eq!(
        decide(iam, "reader", "s3:GetObject", "arn:aws:s3:::other/k"),
        ImplicitDeny
    );

    // The boundary (an estate managed policy named by reference) limits `s3:*`.
    let bounded = iam.find_principal("bounded").unwrap();
    assert!(iam.principals[bounded].boundary.is_some(), "{frontend}");
    assert_eq!(
        decide(iam, "bounded", "s3:GetObject", "arn:aws:s3:::any/k"),
        Allow
    );
    assert_eq!(
        decide(iam, "bounded", "s3:PutObject", "arn:aws:s3:::any/k"),
        ImplicitDeny
    );

    // A user gets its group's attached policy; another user does not.
    // In the estate's account (a literal account would make it cross-account).
    let f = "arn:aws:lambda:us-east-1:{account}:function:f";
    assert_eq!(
        decide(iam, "alice", "lambda:UpdateFunctionCode", f),
        Allow,
        "{frontend}"
    );
    // An AWS managed policy missing from the data: unknown, never dropped.
    assert_eq!(decide(iam, "bob", "lambda:UpdateFunctionCode", f), Unknown);
    let bob = iam.find_principal("bob").unwrap();
    let named = iam.principals[bob]
        .identity
        .iter()
        .any(|&i| iam.policies[i].name.contains("MoatNoSuchManagedPolicy"));
    assert!(named, "{frontend}: the unknown policy names the ARN");

    // A resource moat cannot resolve keeps the decision unknown.
    assert_eq!(
        decide(iam, "carol", "s3:GetObject", "arn:aws:s3:::data/k"),
        Unknown,
        "{frontend}"
    );

    // Groups are not principals.
    assert!(iam.find_principal("devs").is_none());

    // The trust policy is the role's resource policy: EC2 may assume it, Lambda may not.
    let role = iam
        .resources
        .iter()
        .find(|r| r.kind == ResourceKind::Role && r.arns == ["arn:aws:iam::{account}:role/svc/app"])
        .unwrap_or_else(|| panic!("{frontend}: no role resource"));
    assert_eq!(role.policies.len(), 1);
    assert_eq!(iam.principals[app].trust, Some(role.policies[0]));
    let ctx = RequestContext::default();
    let assume = |svc: &str| {
        iam.decide(
            &RequestPrincipal::parse(svc),
            None,
            "sts:AssumeRole",
            &role.arns[0],
            &ctx,
        )
        .kind
    };
    assert_eq!(assume("ec2.amazonaws.com"), Allow);
    assert_eq!(assume("lambda.amazonaws.com"), ImplicitDeny);

    // who-can lists the allowed first.
    let who = iam.who_can(
        "s3:GetObject",
        "arn:aws:s3:::data/k",
        &RequestContext::default(),
    );
    let allowed: Vec<&str> = who
        .iter()
        .filter(|d| d.decision.kind == Allow)
        .map(|d| iam.principals[d.principal].name.as_deref().unwrap_or(""))
        .collect();
    let mut sorted = allowed.clone();
    sorted.sort();
    assert_eq!(sorted, ["app", "bounded", "reader", "ro"], "{frontend}");
}

/// The resource policies of queues, topics, secrets, repositories and functions (a
/// function's from its permissions): each governs its resource's ARN (region unknown:
/// `{region}`, placeholders for names).
fn services(iam: &IamEstate, frontend: &str) {
    use DecisionKind::*;
    let arn = |kind: ResourceKind| -> String {
        let r = iam
            .resources
            .iter()
            .find(|r| r.kind == kind)
            .unwrap_or_else(|| panic!("{frontend}: no {kind:?}"));
        assert_eq!(r.policies.len(), 1, "{frontend}: {r:?}");
        r.arns[0].clone()
    };
    let queue = arn(ResourceKind::Queue);
    assert!(
        queue.starts_with("arn:aws:sqs:{region}:{account}:"),
        "{queue}"
    );
    assert_eq!(
        decide(iam, "reader", "sqs:SendMessage", &queue),
        Allow,
        "{frontend}"
    );
    assert_eq!(decide(iam, "app", "sqs:SendMessage", &queue), ImplicitDeny);
    let secret = arn(ResourceKind::Secret);
    assert_eq!(
        decide(iam, "reader", "secretsmanager:GetSecretValue", &secret),
        Allow
    );
    assert_eq!(
        decide(iam, "app", "secretsmanager:GetSecretValue", &secret),
        ImplicitDeny
    );
    let repo = arn(ResourceKind::Repository);
    assert_eq!(repo, "arn:aws:ecr:{region}:{account}:repository/images");
    assert_eq!(decide(iam, "reader", "ecr:BatchGetImage", &repo), Allow);

    let ctx = RequestContext::default();
    let service = |svc: &str, action: &str, resource: &str, ctx: &RequestContext| {
        iam.decide(&RequestPrincipal::parse(svc), None, action, resource, ctx)
            .kind
    };
    let topic = arn(ResourceKind::Topic);
    assert_eq!(
        service("events.amazonaws.com", "sns:Publish", &topic, &ctx),
        Allow
    );
    assert_eq!(
        service("s3.amazonaws.com", "sns:Publish", &topic, &ctx),
        ImplicitDeny
    );

    // The permission's `SourceArn` (a reference to the bucket) becomes a condition.
    let function = arn(ResourceKind::Function);
    let mut from_bucket = RequestContext::default();
    from_bucket.set("aws:SourceArn", "arn:aws:s3:::data");
    let mut from_other = RequestContext::default();
    from_other.set("aws:SourceArn", "arn:aws:s3:::other");
    let invoke = "lambda:InvokeFunction";
    assert_eq!(
        service("s3.amazonaws.com", invoke, &function, &from_bucket),
        Allow,
        "{frontend}"
    );
    assert_eq!(
        service("s3.amazonaws.com", invoke, &function, &from_other),
        ImplicitDeny
    );
    assert_eq!(
        service("sns.amazonaws.com", invoke, &function, &from_bucket),
        ImplicitDeny
    );
}

#[test]
fn terraform_estate() {
    let (_, iam) = terraform();
    common(&iam, "terraform");
    services(&iam, "terraform");
}

#[test]
fn cloudformation_estate() {
    let (_, iam) = cloudformation();
    common(&iam, "cloudformation");
    services(&iam, "cloudformation");
}

#[test]
fn a_known_account_is_in_the_arns() {
    let (e, _) = terraform();
    let iam = from_model(&e.aws, &e, Some("123456789012"));
    let app = iam.find_principal("aws_iam_role.app").unwrap();
    assert_eq!(
        iam.principals[app].arn,
        "arn:aws:iam::123456789012:role/svc/app"
    );
    assert_eq!(
        decide(&iam, "reader", "s3:GetObject", "arn:aws:s3:::data/k"),
        DecisionKind::Allow
    );
}

/// A key policy that grants the account (`${AWS::AccountId}`, the estate's account) leaves
/// access to IAM policies
/// ([default key policy](https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html)):
/// ReadOnlyAccess may describe the key, not decrypt; a role without KMS permissions may not.
#[test]
fn cloudformation_account_pseudo_parameter_is_the_estate_account() {
    use DecisionKind::*;
    let (_, iam) = cloudformation();
    let key = iam
        .resources
        .iter()
        .find(|r| r.kind == ResourceKind::Key)
        .expect("the key");
    let arn = key.arns[0].clone();
    assert_eq!(decide(&iam, "ro", "kms:DescribeKey", &arn), Allow);
    assert_eq!(decide(&iam, "ro", "kms:Decrypt", &arn), ImplicitDeny);
    assert_eq!(decide(&iam, "app", "kms:DescribeKey", &arn), ImplicitDeny);
}

/// An inline policy whose role is unknown (a variable) may be any role's: every role's
/// decisions that it could change are unknown, and it is named; a group membership whose
/// group is unknown likewise for its user.
#[test]
fn an_unknown_principal_link_is_never_dropped() {
    let tf = r#"
variable "role" {
  type = string
}

variable "group" {
  type = string
}

resource "aws_iam_role" "a" {
  name               = "a"
  assume_role_policy = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
}

resource "aws_iam_role_policy" "p" {
  role   = var.role
  policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"
}

resource "aws_iam_user" "u" {
  name = "u"
}

resource "aws_iam_user_group_membership" "m" {
  user   = aws_iam_user.u.name
  groups = [var.group]
}
"#;
    let e = moat_terraform::parse_and_evaluate_str("main.tf", tf);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    let iam = from_model(&e.aws, &e, None);
    assert_eq!(
        decide(&iam, "a", "s3:GetObject", "arn:aws:s3:::b/k"),
        DecisionKind::Unknown
    );
    let a = iam.find_principal("a").unwrap();
    assert!(iam.principals[a]
        .identity
        .iter()
        .any(|&i| iam.policies[i].name.starts_with("aws_iam_role_policy.p")));
    assert_eq!(
        decide(&iam, "u", "s3:GetObject", "arn:aws:s3:::b/k"),
        DecisionKind::Unknown
    );
}

/// A key declared without a policy has the default key policy: the account's IAM policies
/// decide ([default key policy](https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html)).
#[test]
fn a_key_without_policy_has_the_default_key_policy() {
    use DecisionKind::*;
    let (_, iam) = terraform();
    let key = iam
        .resources
        .iter()
        .find(|r| r.kind == ResourceKind::Key)
        .expect("the key");
    assert_eq!(key.policies.len(), 1);
    let arn = key.arns[0].clone();
    assert_eq!(decide(&iam, "ro", "kms:DescribeKey", &arn), Allow);
    assert_eq!(decide(&iam, "ro", "kms:Decrypt", &arn), ImplicitDeny);
    assert_eq!(decide(&iam, "app", "kms:DescribeKey", &arn), ImplicitDeny);
}

/// A heredoc policy (a template whose text interpolates a reference) is parsed, the
/// reference resolved and the policy variable kept
/// ([policy variables](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)).
#[test]
fn a_heredoc_policy_with_references_and_variables() {
    use DecisionKind::*;
    let (_, iam) = terraform();
    let delete = |r: &str| decide(&iam, "dave", "s3:DeleteObject", r);
    assert_eq!(delete("arn:aws:s3:::data/dave/k"), Allow);
    assert_eq!(delete("arn:aws:s3:::data/alice/k"), ImplicitDeny);
}
