//! The evaluation logic, rule by rule, each test citing the AWS page it follows. Requests are in
//! the `moat iam simulate --input` shape (docs/CONTRACTS.md).

use moat_iam::eval::DecisionKind;
use moat_iam::simulate::simulate_json;
use serde_json::{json, Value};

const ROLE: &str = "arn:aws:iam::111122223333:role/app";
const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/app/i-0abc";
const USER: &str = "arn:aws:iam::111122223333:user/alice";
const OTHER_ROLE: &str = "arn:aws:iam::444455556666:role/partner";
const OBJECT: &str = "arn:aws:s3:::reports/q1.csv";

fn allow(action: &str, resource: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})
}

fn deny(action: &str, resource: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": action, "Resource": resource}]})
}

fn rp(effect: &str, principal: Value, action: &str, resource: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": effect, "Principal": principal, "Action": action, "Resource": resource}]})
}

fn decide(req: Value) -> String {
    let out = simulate_json(&req).unwrap();
    out["decision"].as_str().unwrap().to_string()
}

fn full(req: Value) -> Value {
    simulate_json(&req).unwrap()
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
// "By default, all requests are implicitly denied".
#[test]
fn default_is_implicit_deny() {
    let d = full(json!({"principal": ROLE, "action": "s3:GetObject", "resource": OBJECT}));
    assert_eq!(d["decision"], "implicit_deny");
    assert_eq!(d["missing"], json!(["identity"]));
}

// Same page: an identity-based allow allows; an explicit deny anywhere overrides it.
#[test]
fn identity_allow_and_explicit_deny() {
    let d = full(
        json!({"principal": ROLE, "action": "s3:GetObject", "resource": OBJECT,
        "identity": [allow("s3:Get*", "arn:aws:s3:::reports/*")]}),
    );
    assert_eq!(d["decision"], "allow");
    assert_eq!(d["reasons"][0]["policy"], "identity[0]");
    assert_eq!(d["reasons"][0]["statement"], 0);
    assert_eq!(d["reasons"][0]["effect"], "Allow");

    let d = full(
        json!({"principal": ROLE, "action": "s3:GetObject", "resource": OBJECT,
        "identity": [allow("*", "*"), deny("s3:GetObject", "*")]}),
    );
    assert_eq!(d["decision"], "explicit_deny");
    assert_eq!(d["reasons"][0]["policy"], "identity[1]");
    assert_eq!(d["reasons"][0]["effect"], "Deny");
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
// NotAction with Allow allows everything but the listed actions.
#[test]
fn not_action_and_not_resource() {
    let p = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]});
    assert_eq!(
        decide(
            json!({"principal": ROLE, "action": "s3:GetObject", "resource": OBJECT, "identity": [p.clone()]})
        ),
        "allow"
    );
    assert_eq!(
        decide(
            json!({"principal": ROLE, "action": "IAM:CreateUser", "resource": "*", "identity": [p]})
        ),
        "implicit_deny"
    );
    let p = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}]});
    assert_eq!(
        decide(
            json!({"principal": ROLE, "action": "s3:GetObject", "resource": OBJECT, "identity": [p.clone()]})
        ),
        "allow"
    );
    assert_eq!(
        decide(
            json!({"principal": ROLE, "action": "s3:GetObject", "resource": "arn:aws:s3:::secret/k", "identity": [p]})
        ),
        "implicit_deny"
    );
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
// "The effective permissions are the intersection of the identity-based policy and the
// boundary".
#[test]
fn boundary_limits_identity() {
    let base = json!({"principal": ROLE, "action": "s3:PutObject", "resource": OBJECT,
        "identity": [allow("s3:*", "*")], "boundary": allow("s3:Get*", "*")});
    let d = full(base.clone());
    assert_eq!(d["decision"], "implicit_deny");
    assert_eq!(d["missing"], json!(["boundary"]));
    let mut ok = base;
    ok["action"] = json!("s3:GetObject");
    assert_eq!(decide(ok), "allow");
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
// "Within the same account, resource-based policies that grant permissions to an IAM user ARN
// ... are not limited by an implicit deny in an identity-based policy or permissions boundary."
#[test]
fn same_account_resource_policy_to_user_allows_alone() {
    let d = full(
        json!({"principal": USER, "action": "s3:GetObject", "resource": OBJECT,
        "resource_account": "111122223333",
        "boundary": allow("ec2:*", "*"),
        "resource_policy": rp("Allow", json!({"AWS": USER}), "s3:GetObject", "arn:aws:s3:::reports/*")}),
    );
    assert_eq!(d["decision"], "allow");
    assert_eq!(d["reasons"][0]["policy"], "resource_policy");
    assert_eq!(d["reasons"][0]["type"], "resource_policy");
}

// Same page: a grant to the role ARN is limited by the boundary and session policy; a grant
// to the role session ARN is not.
#[test]
fn role_arn_grant_limited_by_boundary_session_grant_not() {
    let by_role = json!({"principal": SESSION, "action": "s3:GetObject", "resource": OBJECT,
        "resource_account": "111122223333", "boundary": allow("ec2:*", "*"),
        "resource_policy": rp("Allow", json!({"AWS": ROLE}), "s3:GetObject", "*")});
    assert_eq!(decide(by_role.clone()), "implicit_deny");
    let mut no_boundary = by_role.clone();
    no_boundary.as_object_mut().unwrap().remove("boundary");
    assert_eq!(decide(no_boundary), "allow");
    let mut by_session = by_role;
    by_session["resource_policy"] = rp("Allow", json!({"AWS": SESSION}), "s3:GetObject", "*");
    assert_eq!(decide(by_session), "allow");
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
// Cross-account needs both the resource-based policy and the identity-based policy.
#[test]
fn cross_account_needs_both_sides() {
    let both = json!({"principal": OTHER_ROLE, "action": "s3:GetObject", "resource": OBJECT,
        "resource_account": "111122223333",
        "identity": [allow("s3:GetObject", "*")],
        "resource_policy": rp("Allow", json!({"AWS": "arn:aws:iam::444455556666:root"}), "s3:GetObject", "*")});
    assert_eq!(decide(both.clone()), "allow");
    let mut no_identity = both.clone();
    no_identity.as_object_mut().unwrap().remove("identity");
    assert_eq!(decide(no_identity), "implicit_deny");
    let mut no_rp = both;
    no_rp.as_object_mut().unwrap().remove("resource_policy");
    let d = full(no_rp);
    assert_eq!(d["decision"], "implicit_deny");
    assert_eq!(d["missing"], json!(["resource_policy"]));
}

// Same-account resource policy naming only the account delegates to identity policies.
#[test]
fn account_principal_delegates() {
    let req = json!({"principal": ROLE, "action": "s3:GetObject", "resource": OBJECT,
        "resource_account": "111122223333",
        "resource_policy": rp("Allow", json!({"AWS": "111122223333"}), "s3:GetObject", "*")});
    assert_eq!(decide(req.clone()), "implicit_deny");
    let mut with_identity = req;
    with_identity["identity"] = json!([allow("s3:GetObject", "*")]);
    assert_eq!(decide(with_identity), "allow");
}

// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
// Every level (root, OUs, account) must allow; an explicit deny in any SCP denies.
#[test]
fn scp_levels_each_must_allow() {
    let req = json!({"principal": ROLE, "action": "s3:GetObject", "resource": OBJECT,
        "identity": [allow("*", "*")],
        "scps": [[allow("*", "*")], [allow("ec2:*", "*")]]});
    let d = full(req.clone());
    assert_eq!(d["decision"], "implicit_deny");
    assert_eq!(d["missing"], json!(["scp level 1"]));
    let mut ok = req.clone();
    ok["scps"] = json!([[allow("*", "*")], [allow("s3:*", "*"), allow("ec2:*", "*")]]);
    assert_eq!(decide(ok), "allow");
    let mut denied = req;
    denied["scps"] = json!([[allow("*", "*"), deny("s3:*", "*")]]);
    assert_eq!(decide(denied), "explicit_deny");
}

// SCPs do not apply to service-linked roles
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
#[test]
fn scps_skip_service_linked_roles() {
    let slr = "arn:aws:iam::111122223333:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing";
    let req = json!({"principal": slr, "action": "ec2:DescribeInstances", "resource": "*",
        "identity": [allow("ec2:Describe*", "*")], "scps": [[deny("*", "*")]]});
    assert_eq!(decide(req), "allow");
}

// RCPs restrict the resources of their account
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
#[test]
fn rcps_restrict_resources() {
    let rcp = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
         "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}}]});
    let req = json!({"principal": OTHER_ROLE, "action": "s3:GetObject", "resource": OBJECT,
        "resource_account": "111122223333", "identity": [allow("s3:*", "*")],
        "resource_policy": rp("Allow", json!("*"), "s3:GetObject", "*"),
        "rcps": [[rcp]]});
    assert_eq!(decide(req.clone()), "explicit_deny");
    let mut in_org = req;
    in_org["context"] = json!({"aws:PrincipalOrgID": "o-abc"});
    assert_eq!(decide(in_org), "allow");
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
// "The resulting session's permissions are the intersection of the role's identity-based
// policy and the session policies."
#[test]
fn session_policy_intersects() {
    let req = json!({"principal": SESSION, "action": "s3:PutObject", "resource": OBJECT,
        "identity": [allow("s3:*", "*")], "session_policy": allow("s3:GetObject", "*")});
    let d = full(req.clone());
    assert_eq!(d["decision"], "implicit_deny");
    assert_eq!(d["missing"], json!(["session_policy"]));
    let mut get = req;
    get["action"] = json!("s3:GetObject");
    assert_eq!(decide(get), "allow");
}

// Trust policies: the role's trust policy must allow even within the account
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html).
#[test]
fn trust_policy_is_required_in_account() {
    let target = "arn:aws:iam::111122223333:role/admin";
    let req = json!({"principal": USER, "action": "sts:AssumeRole", "resource": target,
        "identity": [allow("sts:AssumeRole", "*")],
        "resource_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}});
    assert_eq!(decide(req.clone()), "implicit_deny");
    let mut trusts_account = req.clone();
    trusts_account["resource_policy"]["Statement"][0]["Principal"] =
        json!({"AWS": "arn:aws:iam::111122223333:root"});
    assert_eq!(decide(trusts_account.clone()), "allow");
    trusts_account.as_object_mut().unwrap().remove("identity");
    assert_eq!(decide(trusts_account), "implicit_deny");
    let mut ec2 = req;
    ec2["principal"] = json!("ec2.amazonaws.com");
    assert_eq!(decide(ec2), "allow");
}

// KMS: the key policy must allow; naming the account root enables IAM policies
// (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
#[test]
fn kms_key_policy_required() {
    let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let req = json!({"principal": ROLE, "action": "kms:Decrypt", "resource": key,
        "identity": [allow("kms:*", "*")],
        "resource_policy": rp("Allow", json!({"AWS": "arn:aws:iam::111122223333:user/admin"}), "kms:*", "*")});
    assert_eq!(decide(req.clone()), "implicit_deny");
    let mut root = req;
    root["resource_policy"] = rp(
        "Allow",
        json!({"AWS": "arn:aws:iam::111122223333:root"}),
        "kms:*",
        "*",
    );
    assert_eq!(decide(root), "allow");
}

// Anonymous access only through a resource-based policy that names everyone.
#[test]
fn anonymous_needs_public_resource_policy() {
    let req = json!({"principal": "anonymous", "action": "s3:GetObject", "resource": OBJECT,
        "resource_policy": rp("Allow", json!({"AWS": "*"}), "s3:GetObject", "arn:aws:s3:::reports/*")});
    assert_eq!(decide(req.clone()), "allow");
    let mut account_only = req;
    account_only["resource_policy"] =
        rp("Allow", json!({"AWS": "111122223333"}), "s3:GetObject", "*");
    assert_eq!(decide(account_only), "implicit_deny");
}

// NotPrincipal with Deny denies everyone but the named principals
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
#[test]
fn not_principal_deny() {
    let p = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "NotPrincipal": {"AWS": [USER]}, "Action": "s3:*", "Resource": "*"}]});
    let base = json!({"principal": USER, "action": "s3:GetObject", "resource": OBJECT,
        "identity": [allow("s3:*", "*")], "resource_policy": p});
    assert_eq!(decide(base.clone()), "allow");
    let mut other = base;
    other["principal"] = json!(ROLE);
    assert_eq!(decide(other), "explicit_deny");
}

// Policy variables (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html):
// substituted in 2012-10-17, literal in 2008-10-17; `${*}` is a literal `*`.
#[test]
fn policy_variables() {
    let p = |version: &str| {
        json!({"Version": version, "Statement": [{"Effect": "Allow",
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username}/*"}]})
    };
    let req = |version: &str, resource: &str| {
        json!({"principal": USER, "action": "s3:GetObject",
        "resource": resource, "identity": [p(version)]})
    };
    assert_eq!(
        decide(req("2012-10-17", "arn:aws:s3:::home/alice/x")),
        "allow"
    );
    assert_eq!(
        decide(req("2012-10-17", "arn:aws:s3:::home/bob/x")),
        "implicit_deny"
    );
    assert_eq!(
        decide(req("2008-10-17", "arn:aws:s3:::home/alice/x")),
        "implicit_deny"
    );
    assert_eq!(
        decide(req("2008-10-17", "arn:aws:s3:::home/${aws:username}/x")),
        "allow"
    );
    // A role session has no aws:username: the resource does not match.
    let mut session = req("2012-10-17", "arn:aws:s3:::home/alice/x");
    session["principal"] = json!(SESSION);
    assert_eq!(decide(session), "implicit_deny");
    // Defaults and ${*}.
    let lit = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/${*}/${aws:PrincipalTag/team, 'none'}"}]});
    assert_eq!(
        decide(
            json!({"principal": SESSION, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/*/none", "identity": [lit.clone()]})
        ),
        "allow"
    );
    assert_eq!(
        decide(
            json!({"principal": SESSION, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/x/none", "identity": [lit.clone()]})
        ),
        "implicit_deny"
    );
    assert_eq!(
        decide(
            json!({"principal": SESSION, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/*/red", "identity": [lit],
        "context": {"aws:PrincipalTag/team": "red"}})
        ),
        "allow"
    );
    // In a condition value.
    let cond = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket",
        "Resource": "*", "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}}}]});
    assert_eq!(
        decide(
            json!({"principal": USER, "action": "s3:ListBucket", "resource": "arn:aws:s3:::b",
        "identity": [cond.clone()], "context": {"s3:prefix": "home/alice/docs"}})
        ),
        "allow"
    );
    assert_eq!(
        decide(
            json!({"principal": USER, "action": "s3:ListBucket", "resource": "arn:aws:s3:::b",
        "identity": [cond], "context": {"s3:prefix": "home/bob/docs"}})
        ),
        "implicit_deny"
    );
}

// The principal's own keys are in the context: aws:PrincipalArn for a session is the role ARN
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
#[test]
fn principal_keys_filled() {
    let p = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*",
        "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app"},
                      "StringEquals": {"aws:PrincipalAccount": "111122223333", "aws:PrincipalType": "AssumedRole"}}}]});
    assert_eq!(
        decide(
            json!({"principal": SESSION, "action": "s3:GetObject", "resource": OBJECT, "identity": [p.clone()]})
        ),
        "allow"
    );
    assert_eq!(
        decide(
            json!({"principal": USER, "action": "s3:GetObject", "resource": OBJECT, "identity": [p]})
        ),
        "implicit_deny"
    );
}

// Root user: full access in its own account unless denied (evaluation logic page: "with the
// exception of the AWS account root user, which has full access"); SCPs still apply.
#[test]
fn root_user() {
    let root = "arn:aws:iam::111122223333:root";
    assert_eq!(
        decide(json!({"principal": root, "action": "s3:GetObject", "resource": OBJECT})),
        "allow"
    );
    assert_eq!(
        decide(
            json!({"principal": root, "action": "s3:GetObject", "resource": OBJECT,
        "scps": [[deny("s3:*", "*"), allow("*", "*")]]})
        ),
        "explicit_deny"
    );
    assert_eq!(
        decide(
            json!({"principal": root, "action": "s3:GetObject", "resource": OBJECT,
        "resource_policy": rp("Deny", json!("*"), "s3:*", "*")})
        ),
        "explicit_deny"
    );
}

#[test]
fn array_in_array_out_and_errors() {
    let out = simulate_json(&json!([
        {"principal": ROLE, "action": "s3:GetObject", "resource": OBJECT},
        {"principal": ROLE, "action": "s3:GetObject", "resource": OBJECT, "identity": [allow("s3:*", "*")]}
    ])).unwrap();
    assert_eq!(out[0]["decision"], "implicit_deny");
    assert_eq!(out[1]["decision"], "allow");
    let e = simulate_json(&json!({"principal": ROLE, "action": "s3:GetObject"})).unwrap_err();
    assert_eq!(
        e.to_string(),
        "request 0: `resource` is required and must be a string"
    );
    let e =
        simulate_json(&json!({"principal": ROLE, "action": "a", "resource": "b", "identiy": []}))
            .unwrap_err();
    assert_eq!(e.to_string(), "request 0: unknown key `identiy`");
    let e = simulate_json(&json!({"principal": ROLE, "action": "a", "resource": "b",
        "identity": [{"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}]}))
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("request 0: policy `identity[0]`: statement 0"),
        "{e}"
    );
}

// An unrecognised condition operator never decides silently: allow or not depends on it.
#[test]
fn unrecognised_operator_is_unknown() {
    let p = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*",
        "Condition": {"StringEqualz": {"aws:username": "alice"}}}]});
    let d = full(
        json!({"principal": USER, "action": "s3:GetObject", "resource": OBJECT, "identity": [p]}),
    );
    assert_eq!(d["decision"], "unknown");
    assert_eq!(d["possible"], json!(["allow", "implicit_deny"]));
    assert!(d["unknowns"][0].as_str().unwrap().contains("StringEqualz"));
    // ... but a deny that holds anyway settles it.
    let p2 = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEqualz": {"aws:username": "alice"}}},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]});
    assert_eq!(
        decide(
            json!({"principal": USER, "action": "s3:GetObject", "resource": OBJECT, "identity": [p2]})
        ),
        "explicit_deny"
    );
}

// Values with unknown parts (IaC templates such as `arn:aws:iam::${local.account_id}:root`) can
// only match as their literal text allows: an account root is a delegation to the account, so a
// principal whose identity policies do not allow is denied whatever the account turns out to be.
#[test]
fn template_values_match_by_their_shape() {
    use moat_iam::eval::{evaluate, request_context, NamedPolicy, PolicySet, Query};
    use moat_iam::policy::Policy;
    use moat_iam::principal::RequestPrincipal;
    use moat_model::{Node, Unknown, Value as V};
    use std::collections::BTreeMap;

    let template = |text: &str| {
        Node::from(V::Unknown(Unknown::Template {
            text: text.into(),
            reason: "`local.account_id` is not known".into(),
            refs: vec![],
        }))
    };
    let s = |t: &str| Node::from(V::String(t.into()));
    let map = |pairs: Vec<(&str, Node)>| {
        Node::from(V::Map(
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<BTreeMap<_, _>>(),
        ))
    };
    let trust = Policy::from_node(&map(vec![
        ("Version", s("2012-10-17")),
        (
            "Statement",
            Node::from(V::List(vec![map(vec![
                ("Effect", s("Allow")),
                (
                    "Principal",
                    map(vec![(
                        "AWS",
                        template("arn:aws:iam::${local.account_id}:root"),
                    )]),
                ),
                ("Action", s("sts:AssumeRole")),
            ])])),
        ),
    ]))
    .unwrap();
    let trust = NamedPolicy::new("trust", trust);
    let who = RequestPrincipal::parse(ROLE);
    let ctx = request_context(&Default::default(), &who, Some("111122223333"));
    let target = "arn:aws:iam::111122223333:role/ops";
    let q = Query {
        principal: &who,
        action: "sts:AssumeRole",
        resource: target,
        resource_account: Some("111122223333"),
        context: &ctx,
    };
    let no_identity = PolicySet {
        resource: vec![&trust],
        ..PolicySet::default()
    };
    assert_eq!(evaluate(&no_identity, &q).kind, DecisionKind::ImplicitDeny);

    let id = NamedPolicy::new(
        "id",
        Policy::from_json(&allow("sts:AssumeRole", "*")).unwrap(),
    );
    let with_identity = PolicySet {
        identity: vec![&id],
        resource: vec![&trust],
        ..PolicySet::default()
    };
    let d = evaluate(&with_identity, &q);
    assert_eq!(d.kind, DecisionKind::Unknown);
    assert_eq!(
        d.possible,
        vec![DecisionKind::Allow, DecisionKind::ImplicitDeny]
    );

    // A resource `${aws_s3_bucket.b.arn}/*` may match any object, never a bucket-level `*`.
    let res = Policy::from_node(&map(vec![
        ("Version", s("2012-10-17")),
        (
            "Statement",
            Node::from(V::List(vec![map(vec![
                ("Effect", s("Allow")),
                ("Action", s("s3:*")),
                ("Resource", template("${aws_s3_bucket.b.arn}/*")),
            ])])),
        ),
    ]))
    .unwrap();
    let res = NamedPolicy::new("res", res);
    let set = PolicySet {
        identity: vec![&res],
        ..PolicySet::default()
    };
    let q = |resource: &'static str, action: &'static str| Query {
        principal: &who,
        action,
        resource,
        resource_account: Some("111122223333"),
        context: &ctx,
    };
    assert_eq!(
        evaluate(&set, &q(OBJECT, "s3:GetObject")).kind,
        DecisionKind::Unknown
    );
    assert_eq!(
        evaluate(&set, &q("*", "s3:ListAllMyBuckets")).kind,
        DecisionKind::ImplicitDeny
    );
}
