//! The principal graph and transitive who-can, on estates built by hand. Edges follow
//! Principal Mapper's model (assume role, pass role to compute, credential creation), each
//! decided by the evaluator:
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html (a
//!   trust policy must allow `sts:AssumeRole`, even within the account; a same-account trust
//!   policy that names the caller allows on its own);
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html (passing a
//!   role needs `iam:PassRole` on the role, and the role must trust the service);
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService.

use moat_iam::condition::RequestContext;
use moat_iam::estate::{EstatePrincipal, EstateResource, IamEstate, ResourceKind};
use moat_iam::eval::DecisionKind;
use moat_iam::graph::{PrincipalGraph, TransitiveAnswer};
use moat_iam::principal::{PrincipalKind, RequestPrincipal};
use serde_json::{json, Value};

#[path = "support/builder.rs"]
mod builder;
use builder::{allow, role_arn, trust, user_arn, ACCT, B};

impl B {
    fn scp(&mut self, doc: Value) {
        let i = self.policy("scp", doc);
        self.e.scps.push(vec![i]);
    }
}

fn answer(answers: &[TransitiveAnswer], principal: usize) -> &TransitiveAnswer {
    answers.iter().find(|a| a.principal == principal).unwrap()
}

fn methods(a: &TransitiveAnswer) -> Vec<&'static str> {
    a.chain
        .as_ref()
        .map(|c| c.edges.iter().map(|e| e.method).collect())
        .unwrap_or_default()
}

/// user alice -> assumes role deployer -> passes role reader to Lambda -> reader reads the
/// bucket.
fn chain_estate() -> (IamEstate, [usize; 4]) {
    let mut b = B::new();
    let alice = b.user(
        "alice",
        vec![allow(json!("sts:AssumeRole"), json!(role_arn("deployer")))],
    );
    let deployer = b.role(
        "deployer",
        trust(json!({"AWS": user_arn("alice")})),
        vec![
            allow(json!("iam:PassRole"), json!(role_arn("reader"))),
            allow(
                json!(["lambda:CreateFunction", "lambda:InvokeFunction"]),
                json!("*"),
            ),
        ],
    );
    let reader = b.role(
        "reader",
        trust(json!({"Service": "lambda.amazonaws.com"})),
        vec![allow(json!("s3:GetObject"), json!("arn:aws:s3:::data/*"))],
    );
    let bystander = b.role(
        "bystander",
        trust(json!({"Service": "ec2.amazonaws.com"})),
        vec![allow(json!("s3:ListAllMyBuckets"), json!("*"))],
    );
    (b.e, [alice, deployer, reader, bystander])
}

#[test]
fn chain_through_assume_role_and_pass_role() {
    let (e, [alice, deployer, reader, bystander]) = chain_estate();
    let ctx = RequestContext::new();
    let answers = e.who_can_transitive("s3:GetObject", "arn:aws:s3:::data/report.csv", &ctx);
    assert_eq!(answers.len(), 4);

    let r = answer(&answers, reader);
    assert_eq!(r.decision.kind, DecisionKind::Allow);
    assert_eq!(r.status, DecisionKind::Allow);
    assert!(r.chain.is_none());

    let d = answer(&answers, deployer);
    assert_eq!(d.decision.kind, DecisionKind::ImplicitDeny);
    assert_eq!(d.status, DecisionKind::Allow);
    assert_eq!(methods(d), vec!["PassRole+lambda:CreateFunction"]);
    assert_eq!(d.chain.as_ref().unwrap().target, reader);

    let a = answer(&answers, alice);
    assert_eq!(a.decision.kind, DecisionKind::ImplicitDeny);
    assert_eq!(a.status, DecisionKind::Allow);
    assert_eq!(
        methods(a),
        vec!["sts:AssumeRole", "PassRole+lambda:CreateFunction"]
    );
    let chain = a.chain.as_ref().unwrap();
    assert_eq!(chain.target, reader);
    // The PassRole edge carries its decisions: PassRole, CreateFunction, InvokeFunction, and
    // the trust policy admitting Lambda, each with the statement that allowed it.
    let pass = &chain.edges[1];
    assert_eq!(pass.service, Some("lambda.amazonaws.com"));
    let actions: Vec<&str> = pass.steps.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:InvokeFunction",
            "sts:AssumeRole"
        ]
    );
    assert_eq!(pass.steps[3].caller, "lambda.amazonaws.com");
    assert_eq!(
        pass.steps[0].decision.reasons[0].policy,
        "deployer.identity[0]"
    );

    let x = answer(&answers, bystander);
    assert_eq!(x.status, DecisionKind::ImplicitDeny);
    assert!(x.chain.is_none());

    // Allowed first, then denied.
    let order: Vec<DecisionKind> = answers.iter().map(|a| a.status).collect();
    assert_eq!(
        order,
        vec![
            DecisionKind::Allow,
            DecisionKind::Allow,
            DecisionKind::Allow,
            DecisionKind::ImplicitDeny
        ]
    );
}

#[test]
fn edge_decisions_are_the_estate_decisions() {
    let (e, _) = chain_estate();
    let ctx = RequestContext::new();
    let g = PrincipalGraph::build(&e, &ctx);
    assert_eq!(g.edges.len(), 2);
    for edge in g.edges.iter().chain(g.service_edges.iter()) {
        for step in &edge.steps {
            let who = RequestPrincipal::parse(&step.caller);
            let index = e.find_principal(&step.caller);
            let mut c = ctx.clone();
            if step.action == "iam:PassRole" {
                c.set("iam:PassedToService", edge.service.unwrap());
            }
            let expected = e.decide(&who, index, &step.action, &step.resource, &c);
            assert_eq!(*step.decision, expected, "{}", step.action);
        }
    }
    // Nodes: the principals, then one node per service principal.
    assert_eq!(
        g.nodes.len(),
        4 + 8,
        "4 principals and 8 service principals"
    );
}

#[test]
fn assume_role_needs_the_trust_policy_and_the_identity_policy() {
    let mut b = B::new();
    // Trusts the account: the caller's identity-based policy must allow.
    b.role(
        "target",
        trust(json!({"AWS": format!("arn:aws:iam::{ACCT}:root")})),
        vec![],
    );
    // Trusts alice by name: allows on its own within the account.
    b.role("named", trust(json!({"AWS": user_arn("alice")})), vec![]);
    let alice = b.user("alice", vec![]);
    let bob = b.user("bob", vec![allow(json!("sts:AssumeRole"), json!("*"))]);
    let carol = b.user(
        "carol",
        vec![allow(json!("sts:AssumeRole"), json!(role_arn("other")))],
    );
    let e = b.e;
    let g = PrincipalGraph::build(&e, &RequestContext::new());
    let targets = |p: usize| -> Vec<String> {
        g.outgoing(p)
            .iter()
            .map(|r| g.edge(*r).unwrap())
            .map(|e2| format!("{}:{}", e2.method, e2.to_principal().unwrap()))
            .collect()
    };
    assert_eq!(targets(alice), vec!["sts:AssumeRole:1"]);
    assert_eq!(targets(bob), vec!["sts:AssumeRole:0"]);
    assert!(targets(carol).is_empty());
}

#[test]
fn pass_role_needs_every_part() {
    let lambda_trust = trust(json!({"Service": "lambda.amazonaws.com"}));
    let build = |caller: Vec<Value>, target_trust: Value| {
        let mut b = B::new();
        let p = b.user("dev", caller);
        b.role("fn", target_trust, vec![]);
        let e = b.e;
        let g = PrincipalGraph::build(&e, &RequestContext::new());
        g.outgoing(p)
            .iter()
            .map(|r| g.edge(*r).unwrap().method)
            .collect::<Vec<_>>()
    };
    let pass = allow(json!("iam:PassRole"), json!(role_arn("fn")));
    let create = allow(json!("lambda:CreateFunction"), json!("*"));
    let invoke = allow(json!("lambda:InvokeFunction"), json!("*"));
    let esm = allow(json!("lambda:CreateEventSourceMapping"), json!("*"));
    assert_eq!(
        build(
            vec![pass.clone(), create.clone(), invoke.clone()],
            lambda_trust.clone()
        ),
        vec!["PassRole+lambda:CreateFunction"]
    );
    // An event source mapping runs the function too.
    assert_eq!(
        build(
            vec![pass.clone(), create.clone(), esm],
            lambda_trust.clone()
        ),
        vec!["PassRole+lambda:CreateFunction"]
    );
    // Nothing runs the function.
    assert!(build(vec![pass.clone(), create.clone()], lambda_trust.clone()).is_empty());
    // No PassRole.
    assert!(build(vec![create.clone(), invoke.clone()], lambda_trust.clone()).is_empty());
    // PassRole on another role only.
    assert!(build(
        vec![
            allow(json!("iam:PassRole"), json!(role_arn("other"))),
            create.clone(),
            invoke.clone()
        ],
        lambda_trust
    )
    .is_empty());
    // The role does not trust Lambda.
    assert!(build(
        vec![pass.clone(), create.clone(), invoke.clone()],
        trust(json!({"Service": "ec2.amazonaws.com"}))
    )
    .is_empty());
    // PassRole limited to EC2 by iam:PassedToService: the EC2 edge, not the Lambda one.
    let pass_to_ec2 = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "iam:PassRole", "Resource": role_arn("fn"),
        "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}]});
    assert_eq!(
        build(
            vec![
                pass_to_ec2,
                create,
                invoke,
                allow(json!("ec2:RunInstances"), json!("*"))
            ],
            trust(json!({"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}))
        ),
        vec!["PassRole+ec2:RunInstances"]
    );
}

#[test]
fn credential_edges_to_other_users() {
    let mut b = B::new();
    let ops = b.user(
        "ops",
        vec![
            allow(json!("iam:CreateAccessKey"), json!(user_arn("admin"))),
            allow(json!("iam:UpdateLoginProfile"), json!(user_arn("*"))),
        ],
    );
    let admin = b.user("admin", vec![]);
    let other = b.user("other", vec![]);
    let e = b.e;
    let g = PrincipalGraph::build(&e, &RequestContext::new());
    let mut got: Vec<(&str, usize)> = g
        .outgoing(ops)
        .iter()
        .map(|r| g.edge(*r).unwrap())
        .map(|e2| (e2.method, e2.to_principal().unwrap()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("iam:CreateAccessKey", admin),
            ("iam:UpdateLoginProfile", admin),
            ("iam:UpdateLoginProfile", other),
        ]
    );
    // No edge to itself.
    assert!(g.edges.iter().all(|x| x.from != x.to));
}

#[test]
fn update_assume_role_policy_is_an_edge() {
    let mut b = B::new();
    let dev = b.user(
        "dev",
        vec![allow(
            json!("iam:UpdateAssumeRolePolicy"),
            json!(role_arn("prod")),
        )],
    );
    let prod = b.role(
        "prod",
        trust(json!({"Service": "ec2.amazonaws.com"})),
        vec![allow(json!("s3:DeleteObject"), json!("*"))],
    );
    let e = b.e;
    let answers = e.who_can_transitive(
        "s3:DeleteObject",
        "arn:aws:s3:::b/k",
        &RequestContext::new(),
    );
    let a = answer(&answers, dev);
    assert_eq!(a.status, DecisionKind::Allow);
    assert_eq!(methods(a), vec!["iam:UpdateAssumeRolePolicy"]);
    let chain = a.chain.as_ref().unwrap();
    assert_eq!(chain.target, prod);
    // The rewrite, then the assumption under the rewritten trust policy.
    let steps: Vec<(&str, &str)> = chain.edges[0]
        .steps
        .iter()
        .map(|s| (s.action.as_str(), s.decision.kind.as_str()))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("iam:UpdateAssumeRolePolicy", "allow"),
            ("sts:AssumeRole", "allow")
        ]
    );

    // An SCP that denies sts:AssumeRole: the rewrite alone does not get there.
    let mut b = B { e };
    b.scp(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}]}));
    let g = PrincipalGraph::build(&b.e, &RequestContext::new());
    assert!(g.edges.is_empty() && g.unknown_edges.is_empty());
}

#[test]
fn unknown_edges_stay_unknown() {
    let mut b = B::new();
    let alice = b.user("alice", vec![allow(json!("sts:AssumeRole"), json!("*"))]);
    // The trust policy needs an external ID the request may or may not carry.
    let vendor = b.role(
        "vendor",
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{ACCT}:root")}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "x-123"}}}]}),
        vec![allow(json!("s3:GetObject"), json!("*"))],
    );
    let e = b.e;
    let open = RequestContext::open();
    let g = PrincipalGraph::build(&e, &open);
    assert!(g.edges.is_empty());
    assert_eq!(g.unknown_edges.len(), 1);
    assert_eq!(g.unknown_edges[0].status, DecisionKind::Unknown);
    let answers = g.who_can(&e, "s3:GetObject", "arn:aws:s3:::b/k", &open);
    let a = answer(&answers, alice);
    assert_eq!(a.status, DecisionKind::Unknown);
    assert_eq!(a.chain.as_ref().unwrap().target, vendor);
    assert_eq!(answer(&answers, vendor).status, DecisionKind::Allow);

    // With the key known to be absent the edge is gone; with the right value it is certain.
    let closed = RequestContext::new();
    let g = PrincipalGraph::build(&e, &closed);
    assert!(g.edges.is_empty() && g.unknown_edges.is_empty());
    let mut with_id = RequestContext::new();
    with_id.set("sts:ExternalId", "x-123");
    let g = PrincipalGraph::build(&e, &with_id);
    assert_eq!((g.edges.len(), g.unknown_edges.len()), (1, 0));
}

#[test]
fn unknown_target_decision_gives_unknown_not_allow() {
    let mut b = B::new();
    let alice = b.user(
        "alice",
        vec![allow(json!("sts:AssumeRole"), json!(role_arn("r")))],
    );
    b.role(
        "r",
        trust(json!({"AWS": user_arn("alice")})),
        vec![
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}),
        ],
    );
    let e = b.e;
    let answers = e.who_can_transitive("s3:GetObject", "arn:aws:s3:::b/k", &RequestContext::open());
    let a = answer(&answers, alice);
    assert_eq!(a.status, DecisionKind::Unknown);
    assert_eq!(methods(a), vec!["sts:AssumeRole"]);
}

#[test]
fn scp_deny_removes_the_edge() {
    let (mut e, [alice, ..]) = chain_estate();
    let mut b = B {
        e: std::mem::take(&mut e),
    };
    b.scp(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}]}));
    let e = b.e;
    let answers = e.who_can_transitive(
        "s3:GetObject",
        "arn:aws:s3:::data/x",
        &RequestContext::new(),
    );
    assert_eq!(answer(&answers, alice).status, DecisionKind::ImplicitDeny);
    assert!(answer(&answers, alice).chain.is_none());
}

#[test]
fn shortest_chain_is_chosen_and_stable() {
    let mut b = B::new();
    let start = b.user("start", vec![allow(json!("sts:AssumeRole"), json!("*"))]);
    let everyone = json!({"AWS": format!("arn:aws:iam::{ACCT}:root")});
    b.role(
        "hop",
        trust(everyone.clone()),
        vec![allow(json!("sts:AssumeRole"), json!("*"))],
    );
    b.role(
        "far",
        trust(json!({"AWS": role_arn("hop")})),
        vec![allow(json!("s3:*"), json!("*"))],
    );
    let near = b.role(
        "near",
        trust(everyone),
        vec![allow(json!("s3:*"), json!("*"))],
    );
    let e = b.e;
    let ctx = RequestContext::new();
    let first = e.who_can_transitive("s3:PutObject", "arn:aws:s3:::b/k", &ctx);
    let a = answer(&first, start);
    assert_eq!(a.chain.as_ref().unwrap().edges.len(), 1);
    assert_eq!(a.chain.as_ref().unwrap().target, near);
    let second = e.who_can_transitive("s3:PutObject", "arn:aws:s3:::b/k", &ctx);
    assert_eq!(first, second);
}

#[test]
fn unknown_account_placeholder() {
    // No account given: ARNs carry `{account}`; the graph works the same.
    let mut b = B::new();
    b.e.account = None;
    let alice = b.e.principals.len();
    b.e.principals.push(EstatePrincipal {
        address: "aws_iam_user.alice".into(),
        kind: PrincipalKind::User,
        arn: "arn:aws:iam::{account}:user/alice".into(),
        name: Some("alice".into()),
        identity: vec![],
        boundary: None,
        trust: None,
        loc: None,
    });
    let id = b.policy("alice.identity", allow(json!("sts:AssumeRole"), json!("*")));
    b.e.principals[alice].identity.push(id);
    let t = b.policy(
        "r.trust",
        trust(json!({"AWS": "arn:aws:iam::{account}:user/alice"})),
    );
    let s3 = b.policy("r.identity", allow(json!("s3:GetObject"), json!("*")));
    b.e.principals.push(EstatePrincipal {
        address: "aws_iam_role.r".into(),
        kind: PrincipalKind::Role,
        arn: "arn:aws:iam::{account}:role/r".into(),
        name: Some("r".into()),
        identity: vec![s3],
        boundary: None,
        trust: Some(t),
        loc: None,
    });
    b.e.resources.push(EstateResource {
        address: "aws_iam_role.r".into(),
        kind: ResourceKind::Role,
        arns: vec!["arn:aws:iam::{account}:role/r".into()],
        policies: vec![t],
        loc: None,
    });
    let e = b.e;
    let answers = e.who_can_transitive("s3:GetObject", "arn:aws:s3:::b/k", &RequestContext::new());
    assert_eq!(answer(&answers, alice).status, DecisionKind::Allow);
}

/// 1,000 roles, 5,000 identity policies: noise that makes many edges (200 roles may pass any
/// role to EC2, and most roles trust EC2), and one chain to the only role that reads the
/// secret bucket: r500 -> (PassRole to Lambda) r998 -> (AssumeRole) r999.
pub fn large_estate() -> IamEstate {
    let mut b = B::new();
    let n = 1000;
    for r in 0..n {
        let t = if r == 999 {
            trust(json!({"AWS": role_arn("r998")}))
        } else if r == 998 {
            trust(json!({"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]}))
        } else if r % 10 == 0 && r > 0 {
            trust(json!({"AWS": role_arn(&format!("r{}", r - 1))}))
        } else {
            trust(json!({"Service": "ec2.amazonaws.com"}))
        };
        b.role(&format!("r{r}"), t, vec![]);
    }
    let actions = [
        json!(["s3:GetObject", "s3:ListBucket"]),
        json!(["dynamodb:GetItem", "dynamodb:Query"]),
        json!(["sqs:SendMessage", "sqs:ReceiveMessage"]),
        json!("ec2:Describe*"),
        json!("sts:AssumeRole"),
    ];
    for p in 0..5000usize {
        let r = p % n;
        let doc = if r % 5 == 1 && p < n {
            // 200 roles may pass any role to EC2 and launch instances.
            allow(json!(["iam:PassRole", "ec2:RunInstances"]), json!("*"))
        } else {
            // Only the secret bucket's reader reads it: S3 grants name other buckets.
            let resource = if p % 3 == 0 && p % actions.len() != 0 {
                json!("*")
            } else {
                json!(format!("arn:aws:s3:::bucket-{}/*", p % 50))
            };
            allow(actions[p % actions.len()].clone(), resource)
        };
        let i = b.policy(&format!("p{p}"), doc);
        b.e.principals[r].identity.push(i);
    }
    let extra = [
        (998, allow(json!("sts:AssumeRole"), json!(role_arn("r999")))),
        (
            999,
            allow(json!("s3:GetObject"), json!("arn:aws:s3:::secret/*")),
        ),
        (
            500,
            allow(
                json!([
                    "iam:PassRole",
                    "lambda:CreateFunction",
                    "lambda:InvokeFunction"
                ]),
                json!(role_arn("r998")),
            ),
        ),
        (
            500,
            allow(
                json!(["lambda:CreateFunction", "lambda:InvokeFunction"]),
                json!("*"),
            ),
        ),
    ];
    for (r, doc) in extra {
        let i = b.policy(&format!("extra.r{r}"), doc);
        b.e.principals[r].identity.push(i);
    }
    b.e
}

#[test]
fn large_estate_gives_the_right_answer() {
    let e = large_estate();
    assert_eq!(e.principals.len(), 1000);
    assert!(e.policies.len() >= 5000);
    let started = std::time::Instant::now();
    let answers = e.who_can_transitive(
        "s3:GetObject",
        "arn:aws:s3:::secret/k",
        &RequestContext::new(),
    );
    let elapsed = started.elapsed();
    // Measured by hand with `cargo test --release`, not asserted.
    eprintln!("who_can_transitive over 1,000 roles / 5,000 policies: {elapsed:?}");
    let allowed: Vec<(&str, usize)> = answers
        .iter()
        .filter(|a| a.status == DecisionKind::Allow)
        .map(|a| {
            (
                e.principals[a.principal].name.as_deref().unwrap(),
                a.chain.as_ref().map_or(0, |c| c.edges.len()),
            )
        })
        .collect();
    // r500 reaches r999 through r998 (2 edges); r998 assumes r999; the 200 roles that pass
    // any role to EC2 reach r998 (which trusts EC2 too), then r999.
    // r499 assumes r500 (every tenth role trusts the one before it).
    let mut expected: Vec<(String, usize)> = vec![
        ("r499".to_string(), 3),
        ("r500".to_string(), 2),
        ("r998".to_string(), 1),
        ("r999".to_string(), 0),
    ];
    for r in (0..1000).filter(|r| r % 5 == 1) {
        expected.push((format!("r{r}"), 2));
    }
    expected.sort();
    let mut got: Vec<(String, usize)> = allowed.iter().map(|(n, l)| (n.to_string(), *l)).collect();
    got.sort();
    assert_eq!(got, expected);
    let r500 = answers
        .iter()
        .find(|a| e.principals[a.principal].name.as_deref() == Some("r500"))
        .unwrap();
    assert_eq!(
        methods(r500),
        vec!["PassRole+lambda:CreateFunction", "sts:AssumeRole"]
    );
    assert!(answers.iter().all(|a| a.status != DecisionKind::Unknown));
}
