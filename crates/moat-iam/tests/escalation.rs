//! Privilege escalation methods, each positive and negative, decided by the evaluator. The
//! methods are those of Rhino Security Labs' "AWS IAM Privilege Escalation – Methods and
//! Mitigation" and NCC Group's Principal Mapper; the semantics each relies on:
//! - https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicyVersion.html (a new
//!   version can be made the default at once: `SetAsDefault`);
//! - https://docs.aws.amazon.com/IAM/latest/APIReference/API_SetDefaultPolicyVersion.html;
//! - https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html and the other
//!   Put/Attach APIs (the resource is the user, group or role the policy goes to);
//! - https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddUserToGroup.html (the
//!   resource is the group);
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html (a
//!   boundary that does not allow an action denies it);
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html.

use std::collections::BTreeMap;

use moat_iam::condition::RequestContext;
use moat_iam::escalation::{EscalationInput, EstateGroup, Target};
use moat_iam::estate::IamEstate;
use moat_iam::eval::DecisionKind;
use moat_iam::graph::{PrincipalGraph, COMPUTE_SERVICES};
use moat_iam::principal::PrincipalKind;
use serde_json::{json, Value};

#[path = "support/builder.rs"]
mod builder;
use builder::{allow, role_arn, trust, user_arn, ACCT, B};

impl B {
    /// An admin role (`*` on `*`) that trusts `principal`.
    fn admin_role(&mut self, name: &str, principal: Value) -> usize {
        self.role(name, trust(principal), vec![allow(json!("*"), json!("*"))])
    }

    fn attach(&mut self, principal: usize, name: &str, doc: Value) -> usize {
        let i = self.policy(name, doc);
        self.e.principals[principal].identity.push(i);
        i
    }
}

fn policy_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCT}:policy/{name}")
}

fn group_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCT}:group/{name}")
}

/// The escalations of `principal`: (method, status, target).
fn found(
    e: &IamEstate,
    input: &EscalationInput,
    ctx: &RequestContext,
    principal: usize,
) -> Vec<(&'static str, DecisionKind, Option<Target>)> {
    let g = PrincipalGraph::build(e, ctx);
    e.escalations_with(&g, input, ctx)
        .into_iter()
        .filter(|x| x.principal == principal)
        .map(|x| (x.method, x.status, x.target))
        .collect()
}

fn methods(e: &IamEstate, principal: usize) -> Vec<&'static str> {
    found(
        e,
        &EscalationInput::default(),
        &RequestContext::new(),
        principal,
    )
    .into_iter()
    .map(|x| x.0)
    .collect()
}

const ALLOW: DecisionKind = DecisionKind::Allow;

#[test]
fn admin_status() {
    let mut b = B::new();
    let star = b.role(
        "star",
        trust(json!({"Service": "ec2.amazonaws.com"})),
        vec![allow(json!("*"), json!("*"))],
    );
    let iam = b.role(
        "iam",
        trust(json!({"Service": "ec2.amazonaws.com"})),
        vec![allow(json!("iam:*"), json!("*"))],
    );
    let s3 = b.role(
        "s3",
        trust(json!({"Service": "ec2.amazonaws.com"})),
        vec![allow(json!("s3:*"), json!("*"))],
    );
    let part = b.role(
        "part",
        trust(json!({"Service": "ec2.amazonaws.com"})),
        vec![allow(
            json!(["iam:PutRolePolicy", "iam:CreateUser"]),
            json!("*"),
        )],
    );
    let e = b.e;
    let ctx = RequestContext::new();
    assert_eq!(e.admin_status(star, &ctx).status, Some(ALLOW));
    assert_eq!(e.admin_status(iam, &ctx).status, Some(ALLOW));
    assert_eq!(e.admin_status(s3, &ctx).status, None);
    assert_eq!(e.admin_status(part, &ctx).status, None);
    // Administrators are not reported.
    assert!(e
        .escalations(&ctx)
        .iter()
        .all(|x| x.principal != star && x.principal != iam));
}

#[test]
fn create_policy_version_on_own_policy() {
    let mut b = B::new();
    let ci = b.role(
        "ci",
        trust(json!({"Service": "codebuild.amazonaws.com"})),
        vec![],
    );
    let own = b.attach(
        ci,
        &policy_arn("ci-policy"),
        allow(
            json!("iam:CreatePolicyVersion"),
            json!(policy_arn("ci-policy")),
        ),
    );
    let e = b.e;
    assert_eq!(
        found(&e, &EscalationInput::default(), &RequestContext::new(), ci),
        vec![("iam:CreatePolicyVersion", ALLOW, Some(Target::Policy(own)))]
    );

    // Allowed only on a policy not attached to it: not an escalation of its own.
    let mut b = B::new();
    let ci = b.role(
        "ci",
        trust(json!({"Service": "codebuild.amazonaws.com"})),
        vec![],
    );
    b.attach(
        ci,
        &policy_arn("ci-policy"),
        allow(json!("iam:CreatePolicyVersion"), json!(policy_arn("other"))),
    );
    assert!(methods(&b.e, ci).is_empty());

    // An AWS managed policy cannot be changed by its user.
    let mut b = B::new();
    let ci = b.role(
        "ci",
        trust(json!({"Service": "codebuild.amazonaws.com"})),
        vec![],
    );
    b.attach(
        ci,
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        allow(json!("iam:CreatePolicyVersion"), json!("*")),
    );
    assert!(methods(&b.e, ci).is_empty());
}

#[test]
fn policy_arns_given_by_the_input() {
    let mut b = B::new();
    let ci = b.role(
        "ci",
        trust(json!({"Service": "codebuild.amazonaws.com"})),
        vec![],
    );
    let own = b.attach(
        ci,
        "aws_iam_policy.ci",
        allow(
            json!(["iam:SetDefaultPolicyVersion"]),
            json!(policy_arn("ci-*")),
        ),
    );
    let e = b.e;
    let ctx = RequestContext::new();
    // Without its ARN, an address names no managed policy.
    assert!(methods(&e, ci).is_empty());
    let input = EscalationInput {
        policy_arns: BTreeMap::from([(own, policy_arn("ci-deploy"))]),
        ..EscalationInput::default()
    };
    assert_eq!(
        found(&e, &input, &ctx, ci),
        vec![(
            "iam:SetDefaultPolicyVersion",
            ALLOW,
            Some(Target::Policy(own))
        )]
    );
}

#[test]
fn put_and_attach_on_itself() {
    for (kind, actions) in [
        (
            PrincipalKind::Role,
            ["iam:AttachRolePolicy", "iam:PutRolePolicy"],
        ),
        (
            PrincipalKind::User,
            ["iam:AttachUserPolicy", "iam:PutUserPolicy"],
        ),
    ] {
        for action in actions {
            let mut b = B::new();
            let self_arn = if kind == PrincipalKind::Role {
                role_arn("me")
            } else {
                user_arn("me")
            };
            let me = b.principal(kind, "me", vec![allow(json!(action), json!(self_arn))]);
            assert_eq!(methods(&b.e, me), vec![action], "{action}");

            // Only on another principal: not an escalation of its own.
            let mut b = B::new();
            let other = if kind == PrincipalKind::Role {
                role_arn("other")
            } else {
                user_arn("other")
            };
            let me = b.principal(kind, "me", vec![allow(json!(action), json!(other))]);
            assert!(methods(&b.e, me).is_empty(), "{action}");
        }
    }
}

#[test]
fn boundary_that_does_not_allow_removes_it() {
    let mut b = B::new();
    let me = b.role(
        "me",
        trust(json!({"Service": "ec2.amazonaws.com"})),
        vec![allow(json!("iam:PutRolePolicy"), json!(role_arn("me")))],
    );
    assert_eq!(methods(&b.e, me), vec!["iam:PutRolePolicy"]);
    // A boundary that allows only S3.
    let boundary = b.policy("boundary", allow(json!("s3:*"), json!("*")));
    b.e.principals[me].boundary = Some(boundary);
    assert!(methods(&b.e, me).is_empty());
    // A boundary that allows it, with an explicit deny elsewhere.
    let open = b.policy("boundary2", allow(json!("*"), json!("*")));
    b.e.principals[me].boundary = Some(open);
    assert_eq!(methods(&b.e, me), vec!["iam:PutRolePolicy"]);
    b.attach(
        me,
        "deny",
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:Put*", "Resource": "*"}]}),
    );
    assert!(methods(&b.e, me).is_empty());
}

#[test]
fn group_methods() {
    let mut b = B::new();
    let dev = b.user(
        "dev",
        vec![allow(
            json!(["iam:AttachGroupPolicy", "iam:PutGroupPolicy"]),
            json!(group_arn("devs")),
        )],
    );
    let admins_policy = b.policy("admins", allow(json!("*"), json!("*")));
    let input = EscalationInput {
        groups: vec![
            EstateGroup {
                address: "aws_iam_group.devs".into(),
                arn: group_arn("devs"),
                members: vec![dev],
                policies: vec![],
            },
            EstateGroup {
                address: "aws_iam_group.admins".into(),
                arn: group_arn("admins"),
                members: vec![],
                policies: vec![admins_policy],
            },
        ],
        ..EscalationInput::default()
    };
    let ctx = RequestContext::new();
    assert_eq!(
        found(&b.e, &input, &ctx, dev),
        vec![
            ("iam:AttachGroupPolicy", ALLOW, Some(Target::Group(0))),
            ("iam:PutGroupPolicy", ALLOW, Some(Target::Group(0))),
        ]
    );
    // Not a member of the group it may change: nothing.
    let mut other = input.clone();
    other.groups[0].members.clear();
    assert!(found(&b.e, &other, &ctx, dev).is_empty());

    // AddUserToGroup on the admins group.
    let joiner = b.user(
        "joiner",
        vec![allow(
            json!("iam:AddUserToGroup"),
            json!(group_arn("admins")),
        )],
    );
    assert_eq!(
        found(&b.e, &input, &ctx, joiner),
        vec![("iam:AddUserToGroup", ALLOW, Some(Target::Group(1)))]
    );
    // On a group whose policies do not make an administrator (read-only): no escalation.
    let readers_policy = b.policy("readers", allow(json!("s3:GetObject"), json!("*")));
    let mut with_readers = input.clone();
    with_readers.groups.push(EstateGroup {
        address: "aws_iam_group.readers".into(),
        arn: group_arn("readers"),
        members: vec![],
        policies: vec![readers_policy],
    });
    let reader = b.user(
        "reader",
        vec![allow(
            json!("iam:AddUserToGroup"),
            json!(group_arn("readers")),
        )],
    );
    assert!(found(&b.e, &with_readers, &ctx, reader).is_empty());
    // Allowed on every group: only the administrators' group is an escalation.
    let all = b.user(
        "all",
        vec![allow(json!("iam:AddUserToGroup"), json!(group_arn("*")))],
    );
    assert_eq!(
        found(&b.e, &with_readers, &ctx, all),
        vec![("iam:AddUserToGroup", ALLOW, Some(Target::Group(1)))]
    );
    // Only on a group without policies: nothing to gain.
    let lurker = b.user(
        "lurker",
        vec![allow(json!("iam:AddUserToGroup"), json!(group_arn("devs")))],
    );
    assert!(found(&b.e, &input, &ctx, lurker).is_empty());
    // No groups known: allowed on any group is an escalation; on one named group it is not
    // decided (the estate names no group).
    let any = b.user("any", vec![allow(json!("iam:AddUserToGroup"), json!("*"))]);
    let none = EscalationInput::default();
    assert_eq!(
        found(&b.e, &none, &ctx, any),
        vec![("iam:AddUserToGroup", ALLOW, None)]
    );
    assert!(found(&b.e, &none, &ctx, joiner).is_empty());
}

#[test]
fn update_assume_role_policy_of_an_admin_role() {
    let mut b = B::new();
    let dev = b.user(
        "dev",
        vec![allow(
            json!("iam:UpdateAssumeRolePolicy"),
            json!(role_arn("admin")),
        )],
    );
    let admin = b.admin_role("admin", json!({"Service": "ec2.amazonaws.com"}));
    let e = b.e;
    let ctx = RequestContext::new();
    let all = e.escalations(&ctx);
    let mine: Vec<_> = all.iter().filter(|x| x.principal == dev).collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].method, "iam:UpdateAssumeRolePolicy");
    assert_eq!(mine[0].target, Some(Target::Principal(admin)));
    assert_eq!(mine[0].chain.len(), 1);
    // The administrator's decisions are given.
    assert!(mine[0].steps.iter().all(|s| s.decision.kind == ALLOW));
    assert_eq!(mine[0].steps.len(), 5);

    // The same on a role that is not an administrator: no escalation.
    let mut b = B::new();
    let dev = b.user(
        "dev",
        vec![allow(
            json!("iam:UpdateAssumeRolePolicy"),
            json!(role_arn("app")),
        )],
    );
    b.role(
        "app",
        trust(json!({"Service": "ec2.amazonaws.com"})),
        vec![allow(json!("s3:*"), json!("*"))],
    );
    b.admin_role("admin", json!({"Service": "ec2.amazonaws.com"}));
    assert!(methods(&b.e, dev).is_empty());
}

#[test]
fn assume_an_admin_role() {
    let mut b = B::new();
    let dev = b.user("dev", vec![allow(json!("sts:AssumeRole"), json!("*"))]);
    b.admin_role("admin", json!({"AWS": user_arn("dev")}));
    b.admin_role("locked", json!({"AWS": user_arn("someone")}));
    assert_eq!(methods(&b.e, dev), vec!["sts:AssumeRole"]);
}

#[test]
fn pass_role_to_each_compute_service() {
    for svc in COMPUTE_SERVICES {
        let needed: Vec<&str> = svc.requires.iter().map(|g| g[0]).collect();
        let mut actions: Vec<&str> = vec!["iam:PassRole"];
        actions.extend(needed.iter().copied());
        let mut b = B::new();
        let dev = b.user("dev", vec![allow(json!(actions), json!("*"))]);
        let admin = b.admin_role("admin", json!({"Service": svc.principal}));
        let e = b.e;
        let ctx = RequestContext::new();
        let all = e.escalations(&ctx);
        let mine: Vec<_> = all.iter().filter(|x| x.principal == dev).collect();
        let ids: Vec<&str> = mine.iter().map(|x| x.method).collect();
        assert!(ids.contains(&svc.method), "{}: {ids:?}", svc.method);
        let x = mine.iter().find(|x| x.method == svc.method).unwrap();
        assert_eq!(x.target, Some(Target::Principal(admin)));
        assert_eq!(x.chain[0].service, Some(svc.principal));

        // Without the last required action, this method is gone.
        if needed.len() > 1 {
            let mut b = B::new();
            let fewer: Vec<&str> = actions[..actions.len() - 1].to_vec();
            let dev = b.user("dev", vec![allow(json!(fewer), json!("*"))]);
            b.admin_role("admin", json!({"Service": svc.principal}));
            assert!(
                !methods(&b.e, dev).contains(&svc.method),
                "{} without its last action",
                svc.method
            );
        }
        // Without PassRole, none.
        let mut b = B::new();
        let dev = b.user("dev", vec![allow(json!(needed), json!("*"))]);
        b.admin_role("admin", json!({"Service": svc.principal}));
        assert!(methods(&b.e, dev).is_empty(), "{}", svc.method);
    }
}

#[test]
fn credentials_of_an_admin_user() {
    for action in [
        "iam:CreateAccessKey",
        "iam:CreateLoginProfile",
        "iam:UpdateLoginProfile",
    ] {
        let mut b = B::new();
        let helpdesk = b.user("helpdesk", vec![allow(json!(action), json!(user_arn("*")))]);
        let admin = b.user("admin", vec![allow(json!("*"), json!("*"))]);
        b.user("intern", vec![]);
        let e = b.e;
        let all = e.escalations(&RequestContext::new());
        let mine: Vec<_> = all.iter().filter(|x| x.principal == helpdesk).collect();
        assert_eq!(mine.len(), 1, "{action}");
        assert_eq!(mine[0].method, action);
        assert_eq!(mine[0].target, Some(Target::Principal(admin)));
    }
    // Only on a user who is not an administrator.
    let mut b = B::new();
    let helpdesk = b.user(
        "helpdesk",
        vec![allow(
            json!("iam:CreateAccessKey"),
            json!(user_arn("intern")),
        )],
    );
    b.user("admin", vec![allow(json!("*"), json!("*"))]);
    b.user("intern", vec![]);
    assert!(methods(&b.e, helpdesk).is_empty());
}

#[test]
fn chain_to_an_admin_through_two_edges() {
    let mut b = B::new();
    let alice = b.user(
        "alice",
        vec![allow(json!("sts:AssumeRole"), json!(role_arn("deployer")))],
    );
    let deployer = b.role(
        "deployer",
        trust(json!({"AWS": user_arn("alice")})),
        vec![allow(
            json!([
                "iam:PassRole",
                "lambda:CreateFunction",
                "lambda:InvokeFunction"
            ]),
            json!("*"),
        )],
    );
    let admin = b.admin_role("admin", json!({"Service": "lambda.amazonaws.com"}));
    let e = b.e;
    let all = e.escalations(&RequestContext::new());
    let a: Vec<_> = all.iter().filter(|x| x.principal == alice).collect();
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].method, "sts:AssumeRole");
    let hops: Vec<&str> = a[0].chain.iter().map(|x| x.method).collect();
    assert_eq!(
        hops,
        vec!["sts:AssumeRole", "PassRole+lambda:CreateFunction"]
    );
    assert_eq!(a[0].target, Some(Target::Principal(admin)));
    let d: Vec<_> = all.iter().filter(|x| x.principal == deployer).collect();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].method, "PassRole+lambda:CreateFunction");
}

#[test]
fn unknown_stays_unknown() {
    // PutRolePolicy on itself only from an address the request may or may not come from.
    let mut b = B::new();
    let me = b.role(
        "me",
        trust(json!({"Service": "ec2.amazonaws.com"})),
        vec![
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": "iam:PutRolePolicy", "Resource": role_arn("me"),
            "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}),
        ],
    );
    let e = b.e;
    let open = RequestContext::open();
    assert_eq!(
        found(&e, &EscalationInput::default(), &open, me),
        vec![("iam:PutRolePolicy", DecisionKind::Unknown, None)]
    );
    // A closed context without the key: the condition fails.
    assert!(methods(&e, me).is_empty());

    // A chain through an unknown edge is unknown, never allowed.
    let mut b = B::new();
    let dev = b.user("dev", vec![allow(json!("sts:AssumeRole"), json!("*"))]);
    b.role(
        "admin",
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": user_arn("dev")}, "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}),
        vec![allow(json!("*"), json!("*"))],
    );
    let got = found(&b.e, &EscalationInput::default(), &open, dev);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "sts:AssumeRole");
    assert_eq!(got[0].1, DecisionKind::Unknown);
}
