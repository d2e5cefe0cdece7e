//! Who outside the estate a resource-based policy lets in, decided by the IAM evaluator
//! (`moat_iam::eval::evaluate`), not by reading statements: the one place where S3006 (bucket
//! policies), KMS002 (key policies), IAM005 (trust policies) and IAM008 (queue, topic, secret,
//! function and repository policies) get their verdicts.
//!
//! # The question
//! For each resource of the estate's IAM view ([`moat_iam::estate::IamEstate::resources`])
//! and each sensitive action of its type ([`probe_actions`]; plus every concrete action of
//! that service an `Allow` statement names), can
//! - **anyone**: an anonymous request (`Principal: "*"` lets it in,
//!   [Principal](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous)),
//!   not asked for keys and roles, whose APIs only take signed requests;
//! - **any account**: a role and the root user of an account that is not the estate's
//!   ([`FOREIGN_ACCOUNT`]), whose own identity-based policies are assumed to allow
//!   (that account's administrator decides them:
//!   [cross-account policy evaluation](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html));
//! - **a named account**: an account ID written literally in a `Principal`. The estate's own
//!   account is not known in a scan (`{account}`), so such an ID may be this account or
//!   another: whether the grant is external is unknown, and it is reported for review as AWS
//!   IAM Access Analyzer reports external access
//!   ([Access Analyzer findings](https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html));
//!
//! perform it on the resource, under the resource's policies and the estate's RCPs?
//!
//! # Two contexts
//! 1. An **open** request context ([`RequestContext::open`]): a key the request does not fix is
//!    unknown, except `aws:SecureTransport`, which is `true` (anyone can use TLS, so a `Deny`
//!    on plain HTTP restricts nobody). Allowed: the exposure is unconditional ([`Verdict::Open`]).
//!    Denied: no exposure.
//! 2. When the open answer is unknown, again with the **keys that restrict access to a trusted
//!    set** ([`RESTRICTING_KEYS`]) set to values that belong to no one in the estate (a foreign
//!    VPC endpoint, VPC, organization, account, source ARN, external ID); for an anonymous
//!    request the principal keys are absent. Denied: the conditions restrict the resource to
//!    a trusted set, no exposure. Allowed: the conditions do not keep a foreign request out
//!    ([`Verdict::Open`]). Still unknown: it depends on other conditions or unknown values
//!    ([`Verdict::Conditional`], reported as unknown).
//!
//! Values of those keys in the policy that are references to the estate's own resources (the
//! ARN of an API in `aws:SourceArn`, a VPC endpoint's ID in `aws:SourceVpce`, the account of
//! `data.aws_caller_identity` in `aws:SourceAccount`) are not known offline, but they are the
//! estate's (`data.aws_caller_identity` describes the deploying identity, in the estate's
//! account): they cannot equal the foreign values, so they are decided as such (a reference to
//! a variable or parameter stays unknown). Likewise a principal that is a reference to an
//! estate resource names that resource, never the foreign probe, and a `Resource` that is a
//! reference to the resource itself is its ARN.

use std::collections::BTreeSet;

use moat_iam::condition::RequestContext;
use moat_iam::estate::{EstateResource, IamEstate, ResourceKind};
use moat_iam::eval::{
    evaluate, request_context, DecisionKind, Layer, NamedPolicy, PolicySet, Query, Reason,
};
use moat_iam::policy::{
    Conditions, Effect, EffectValue, Leaf, Policy, PrincipalElement, PrincipalType, Principals,
    Targets,
};
use moat_iam::principal::RequestPrincipal;
use moat_model::aws::identity::{reference_placeholders, split_reference};
use moat_model::{Loc, Unknown};

/// The account that stands for "any other account".
pub(crate) const FOREIGN_ACCOUNT: &str = "999999999999";

/// Condition keys that restrict a grant to a trusted set of callers, with the foreign value a
/// request from outside that set has (`None`: absent for an anonymous request).
/// [AWS global condition context keys](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html),
/// [`sts:ExternalId`](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html),
/// SNS's `aws:SourceOwner` ([SNS access control](https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html)).
pub(crate) const RESTRICTING_KEYS: &[(&str, &str, bool)] = &[
    // (key, foreign value, is a key of the principal: absent for an anonymous request)
    ("aws:SourceVpce", "vpce-0moatforeign00000", false),
    ("aws:SourceVpc", "vpc-0moatforeign000000", false),
    ("aws:PrincipalOrgID", "o-moatforeign0", true),
    (
        "aws:PrincipalOrgPaths",
        "o-moatforeign0/r-moat/ou-moat-foreign0/",
        true,
    ),
    ("aws:PrincipalAccount", FOREIGN_ACCOUNT, true),
    (
        "aws:PrincipalArn",
        "arn:aws:iam::999999999999:role/moat-external",
        true,
    ),
    ("aws:SourceAccount", FOREIGN_ACCOUNT, false),
    ("aws:SourceOwner", FOREIGN_ACCOUNT, false),
    (
        "aws:SourceArn",
        "arn:aws:moat-foreign:us-east-1:999999999999:resource/moat-external",
        false,
    ),
    ("aws:SourceOrgID", "o-moatforeign0", false),
    (
        "aws:SourceOrgPaths",
        "o-moatforeign0/r-moat/ou-moat-foreign0/",
        false,
    ),
    ("sts:ExternalId", "moat-foreign-external-id", false),
];

/// Who is let in.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Audience {
    /// Anyone, anonymous requests included.
    Anyone,
    /// Any principal of any other AWS account.
    AnyAccount,
    /// An account written literally in a `Principal`.
    Named(String),
}

impl Audience {
    pub(crate) fn describe(&self) -> String {
        match self {
            Audience::Anyone => "anyone (anonymous requests included)".to_string(),
            Audience::AnyAccount => "any AWS account".to_string(),
            Audience::Named(a) => format!(
                "account `{a}` (named in the policy; whether it is this estate's account is unknown)"
            ),
        }
    }
}

/// How sure the exposure is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Verdict {
    /// Allowed: no condition keeps the audience out.
    Open,
    /// It depends on conditions or values not known offline.
    Conditional(Vec<Unknown>),
}

/// One exposure of a resource.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Exposure {
    pub audience: Audience,
    pub verdict: Verdict,
    /// The actions, as probed (`s3:GetObject`).
    pub actions: Vec<String>,
    /// The resource-policy statements that allow (or could allow).
    pub reasons: Vec<Reason>,
    /// Whether every allowing statement is an unconditioned `Allow` to `*` (what Checkov's
    /// checks look for).
    pub wildcard_unconditioned: bool,
}

impl Exposure {
    /// Where to report it: the first allowing statement.
    pub(crate) fn loc(&self) -> Option<&Loc> {
        self.reasons.iter().find_map(|r| r.loc.as_ref())
    }

    /// The message: who can do what, through which statements.
    pub(crate) fn message(&self, what: &str) -> String {
        let actions = self
            .actions
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let at = self.loc();
        let statements = self
            .reasons
            .iter()
            .map(|r| {
                let name = match &r.sid {
                    Some(s) => format!("statement {} (`{s}`)", r.statement),
                    None => format!("statement {}", r.statement),
                };
                let place = match (&r.loc, at) {
                    (Some(l), Some(first)) if l == first => String::new(),
                    (Some(l), Some(first)) if l.file == first.file => format!(" (line {})", l.line),
                    (Some(l), _) => format!(" ({l})"),
                    (None, _) => String::new(),
                };
                format!("{name} of `{}`{place}", r.policy)
            })
            .collect::<Vec<_>>()
            .join(", ");
        let verb = match self.verdict {
            Verdict::Open => "allowed by",
            Verdict::Conditional(_) => "through",
        };
        let through = if statements.is_empty() {
            String::new()
        } else {
            format!(": {verb} {statements}")
        };
        match &self.verdict {
            Verdict::Open => format!(
                "{} can call {actions} on this {what} without a condition that keeps them out{through}",
                self.audience.describe()
            ),
            Verdict::Conditional(unknowns) => {
                let why = unknowns
                    .iter()
                    .map(|u| u.to_string())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect::<Vec<_>>()
                    .join("; ");
                let why = if why.is_empty() {
                    String::new()
                } else {
                    format!(" (unknown: {why})")
                };
                format!(
                    "{} may call {actions} on this {what}: it depends on conditions or values not known offline{why}{through}",
                    self.audience.describe()
                )
            }
        }
    }
}

/// The sensitive actions probed for a resource type.
pub(crate) fn probe_actions(kind: ResourceKind) -> &'static [&'static str] {
    match kind {
        ResourceKind::Bucket => &[
            "s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:ListBucket",
            "s3:PutBucketPolicy",
        ],
        ResourceKind::Key => &[
            "kms:Decrypt",
            "kms:Encrypt",
            "kms:GenerateDataKey",
            "kms:CreateGrant",
            "kms:PutKeyPolicy",
        ],
        ResourceKind::Queue => &["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
        ResourceKind::Topic => &["sns:Publish", "sns:Subscribe"],
        ResourceKind::Secret => &[
            "secretsmanager:GetSecretValue",
            "secretsmanager:PutSecretValue",
        ],
        ResourceKind::Function => &["lambda:InvokeFunction"],
        ResourceKind::Repository => &[
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
            "ecr:PutImage",
        ],
        ResourceKind::Role => &["sts:AssumeRole"],
        ResourceKind::Other => &[],
    }
}

fn service_prefix(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Bucket => "s3:",
        ResourceKind::Key => "kms:",
        ResourceKind::Queue => "sqs:",
        ResourceKind::Topic => "sns:",
        ResourceKind::Secret => "secretsmanager:",
        ResourceKind::Function => "lambda:",
        ResourceKind::Repository => "ecr:",
        ResourceKind::Role => "sts:",
        ResourceKind::Other => "\u{0}",
    }
}

/// Whether an estate resource (its address, as the IAM view names it) is one of `kinds`.
pub(crate) fn resources_of_kind<'a>(
    iam: &'a IamEstate,
    kinds: &[ResourceKind],
) -> impl Iterator<Item = (usize, &'a EstateResource)> {
    let kinds = kinds.to_vec();
    iam.resources
        .iter()
        .enumerate()
        .filter(move |(_, r)| kinds.contains(&r.kind))
}

/// Every exposure of estate resource `index`, anyone first, then any account, then named
/// accounts (each with its unconditional exposure first).
///
/// `accounts`: the parameters that stand for the estate's account
/// (`moat_model::aws::identity::References::account`).
pub(crate) fn exposures(iam: &IamEstate, accounts: &[&str], index: usize) -> Vec<Exposure> {
    let Some(res) = iam.resources.get(index) else {
        return Vec::new();
    };
    if res.policies.is_empty() {
        return Vec::new();
    }
    let policies: Vec<NamedPolicy> = res
        .policies
        .iter()
        .filter_map(|&i| iam.policies.get(i))
        .map(|p| prepare(p, res, accounts))
        .collect();
    let actions = actions_of(res.kind, &policies);
    let arns = probe_arns(res, &policies);

    let signed_only = matches!(res.kind, ResourceKind::Key | ResourceKind::Role);
    let foreign_role = format!("arn:aws:iam::{FOREIGN_ACCOUNT}:role/moat-external");
    let mut audiences: Vec<(Audience, Vec<RequestPrincipal>)> = Vec::new();
    if !signed_only {
        audiences.push((Audience::Anyone, vec![RequestPrincipal::parse("anonymous")]));
    }
    let mut foreign_principals = vec![
        RequestPrincipal::parse(&foreign_role),
        RequestPrincipal::parse(FOREIGN_ACCOUNT),
    ];
    // A principal of another account that a wildcard `aws:PrincipalArn` admits
    // (`arn:aws:iam::*:role/deploy`: a role named `deploy` in any account).
    for arn in foreign_instances(&policies, "aws:PrincipalArn") {
        let p = RequestPrincipal::parse(&arn);
        if p.is_iam_identity() && p.account.as_deref() == Some(FOREIGN_ACCOUNT) {
            foreign_principals.push(p);
        }
    }
    audiences.push((Audience::AnyAccount, foreign_principals));
    for (account, named) in named_accounts(&policies) {
        if iam.account.as_deref() == Some(account.as_str()) {
            continue;
        }
        let mut who: Vec<RequestPrincipal> =
            named.iter().map(|n| RequestPrincipal::parse(n)).collect();
        who.push(RequestPrincipal::parse(&account));
        audiences.push((Audience::Named(account), who));
    }

    let refs: Vec<&NamedPolicy> = policies.iter().collect();
    let rcps: Vec<Vec<&NamedPolicy>> = iam
        .rcps
        .iter()
        .map(|l| l.iter().filter_map(|&i| iam.policies.get(i)).collect())
        .collect();
    let admin = foreign_admin();
    let account = iam.account_id();
    let source_arns = foreign_instances(&policies, "aws:SourceArn");

    let mut out: Vec<Exposure> = Vec::new();
    for (audience, principals) in audiences {
        let mut open: Vec<String> = Vec::new();
        let mut open_reasons: Vec<Reason> = Vec::new();
        let mut cond: Vec<String> = Vec::new();
        let mut cond_reasons: Vec<Reason> = Vec::new();
        let mut unknowns: Vec<Unknown> = Vec::new();
        for action in &actions {
            let mut best: Option<(bool, Vec<Reason>, Vec<Unknown>)> = None;
            'probe: for who in &principals {
                let set = PolicySet {
                    identity: if who.is_iam_identity() {
                        vec![&admin]
                    } else {
                        Vec::new()
                    },
                    resource: refs.clone(),
                    boundary: None,
                    session: None,
                    scps: Vec::new(),
                    rcps: rcps.clone(),
                };
                for arn in &arns {
                    match decide(&set, who, action, arn, account, &source_arns) {
                        Answer::Open(r) => {
                            best = Some((true, r, Vec::new()));
                            break 'probe;
                        }
                        Answer::Conditional(r, u) => {
                            if best.is_none() {
                                best = Some((false, r, u));
                            }
                        }
                        Answer::Denied => {}
                    }
                }
            }
            match best {
                Some((true, r, _)) => {
                    open.push(action.clone());
                    extend_unique(&mut open_reasons, r);
                }
                Some((false, r, u)) => {
                    cond.push(action.clone());
                    extend_unique(&mut cond_reasons, r);
                    for x in u {
                        if !unknowns.contains(&x) {
                            unknowns.push(x);
                        }
                    }
                }
                None => {}
            }
        }
        // Anyone implies any account, and any account implies a named one: a narrower
        // audience is reported only when the broader one is not.
        let anyone_reported = out.iter().any(|e| e.audience == Audience::Anyone);
        let broad_open = out.iter().any(|e| {
            e.verdict == Verdict::Open
                && matches!(e.audience, Audience::Anyone | Audience::AnyAccount)
        });
        let (open, cond) = match &audience {
            Audience::Anyone => (open, cond),
            Audience::AnyAccount if anyone_reported => {
                let open_anyone = out
                    .iter()
                    .any(|e| e.audience == Audience::Anyone && e.verdict == Verdict::Open);
                (if open_anyone { Vec::new() } else { open }, Vec::new())
            }
            Audience::AnyAccount => (open, cond),
            Audience::Named(_) if broad_open => (Vec::new(), Vec::new()),
            // A named account is one finding, for review.
            Audience::Named(_) if !open.is_empty() => (open, Vec::new()),
            Audience::Named(_) => (open, cond),
        };
        if !open.is_empty() {
            let wildcard_unconditioned = all_wildcard_unconditioned(&open_reasons, &policies);
            out.push(Exposure {
                audience: audience.clone(),
                verdict: Verdict::Open,
                actions: open,
                reasons: open_reasons,
                wildcard_unconditioned,
            });
        }
        if !cond.is_empty() {
            out.push(Exposure {
                audience,
                verdict: Verdict::Conditional(unknowns),
                actions: cond,
                reasons: cond_reasons,
                wildcard_unconditioned: false,
            });
        }
    }
    out
}

fn extend_unique(into: &mut Vec<Reason>, from: Vec<Reason>) {
    for r in from {
        if !into
            .iter()
            .any(|x| x.policy == r.policy && x.statement == r.statement)
        {
            into.push(r);
        }
    }
}

enum Answer {
    Open(Vec<Reason>),
    Conditional(Vec<Reason>, Vec<Unknown>),
    Denied,
}

/// The allowing resource-policy statements of a decision.
fn allowing(reasons: &[Reason]) -> Vec<Reason> {
    reasons
        .iter()
        .filter(|r| r.layer == Layer::Resource && r.effect == Effect::Allow)
        .cloned()
        .collect()
}

fn decide(
    set: &PolicySet<'_>,
    who: &RequestPrincipal,
    action: &str,
    arn: &str,
    account: &str,
    source_arns: &[String],
) -> Answer {
    let run = |given: &RequestContext| {
        let ctx = request_context(given, who, Some(account));
        let query = Query {
            principal: who,
            action,
            resource: arn,
            resource_account: Some(account),
            context: &ctx,
        };
        evaluate(set, &query)
    };
    let mut open = RequestContext::open();
    open.set("aws:SecureTransport", "true");
    let first = run(&open);
    match first.kind {
        DecisionKind::Allow => return Answer::Open(allowing(&first.reasons)),
        DecisionKind::ExplicitDeny | DecisionKind::ImplicitDeny => return Answer::Denied,
        DecisionKind::Unknown => {}
    }
    let mut foreign = open;
    let anonymous = !who.is_iam_identity();
    for (key, value, of_principal) in RESTRICTING_KEYS {
        if *of_principal && anonymous {
            foreign.set_absent(key);
        } else if !(*of_principal && who_sets(key)) {
            foreign.set(key, value);
        }
    }
    // The foreign request that gets furthest: the default foreign values, then each source
    // ARN of another account that a wildcard `aws:SourceArn` admits.
    let mut answer = Answer::Denied;
    let variants = std::iter::once(None).chain(source_arns.iter().map(Some));
    for source in variants {
        let mut ctx = foreign.clone();
        if let Some(s) = source {
            ctx.set("aws:SourceArn", s);
        }
        let d = run(&ctx);
        match d.kind {
            DecisionKind::Allow => return Answer::Open(allowing(&d.reasons)),
            DecisionKind::Unknown if matches!(answer, Answer::Denied) => {
                answer = Answer::Conditional(allowing(&d.reasons), d.unknowns);
            }
            _ => {}
        }
    }
    answer
}

/// ARNs of another account that the wildcard values of condition key `key` (`ArnLike`,
/// `StringLike`) admit: the pattern with a wildcard account segment set to
/// [`FOREIGN_ACCOUNT`] and every other wildcard filled in. A pattern whose account segment is
/// written (a named or the estate's account) admits no other account's ARN, except one
/// without an account (S3 bucket ARNs: a wildcard name admits buckets anyone can create).
fn foreign_instances(policies: &[NamedPolicy], key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in policies {
        for st in &p.policy.statements {
            let Conditions::Known(entries) = &st.condition else {
                continue;
            };
            for e in entries {
                if !e
                    .key
                    .as_known()
                    .is_some_and(|k| k.eq_ignore_ascii_case(key))
                {
                    continue;
                }
                for v in e.values.iter().filter_map(Leaf::as_known) {
                    if !v.contains(['*', '?']) || v.contains("${") || v.contains("{estate:") {
                        continue;
                    }
                    let mut parts: Vec<String> = v.splitn(6, ':').map(str::to_string).collect();
                    if parts.len() != 6 {
                        continue;
                    }
                    if let Some(acct) = parts.get_mut(4) {
                        if acct.contains(['*', '?']) {
                            *acct = FOREIGN_ACCOUNT.to_string();
                        } else if !acct.is_empty() {
                            continue;
                        }
                    }
                    let filled = parts.join(":").replace(['*', '?'], "x");
                    if !out.contains(&filled) {
                        out.push(filled);
                    }
                }
            }
        }
    }
    out
}

/// Principal keys AWS sets from the principal itself ([`request_context`] fills them): the
/// probe's own ARN and account, not the generic foreign values.
fn who_sets(key: &str) -> bool {
    key.eq_ignore_ascii_case("aws:PrincipalArn") || key.eq_ignore_ascii_case("aws:PrincipalAccount")
}

/// The identity-based side of a principal of another account: its administrator lets it do
/// anything (what it may do is decided by the resource's policies).
fn foreign_admin() -> NamedPolicy {
    let json = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    });
    let policy = Policy::from_json(&json).unwrap_or(Policy {
        version: moat_iam::policy::Version::V2012_10_17,
        id: None,
        statements: Vec::new(),
    });
    NamedPolicy::new("the other account's identity-based policies", policy)
}

/// The sensitive actions of the type plus every concrete action of its service that an
/// `Allow` statement names.
fn actions_of(kind: ResourceKind, policies: &[NamedPolicy]) -> Vec<String> {
    let mut out: Vec<String> = probe_actions(kind).iter().map(|a| a.to_string()).collect();
    let prefix = service_prefix(kind);
    for p in policies {
        for st in &p.policy.statements {
            if st.effect != EffectValue::Known(Effect::Allow) {
                continue;
            }
            let Targets::Only(list) = &st.action else {
                continue;
            };
            for a in list.iter().filter_map(Leaf::as_known) {
                let of_service = a
                    .get(..prefix.len())
                    .is_some_and(|x| x.eq_ignore_ascii_case(prefix));
                if of_service
                    && !a.contains(['*', '?'])
                    && !out.iter().any(|o| o.eq_ignore_ascii_case(a))
                {
                    out.push(a.to_string());
                }
            }
        }
    }
    out
}

/// The request ARNs to probe: the resource's own, plus the `Resource` patterns of the policies
/// that fall inside it (a bucket policy granting `arn:aws:s3:::b/public/*` is probed on that
/// prefix).
fn probe_arns(res: &EstateResource, policies: &[NamedPolicy]) -> Vec<String> {
    let mut out: Vec<String> = res.arns.clone();
    for p in policies {
        for st in &p.policy.statements {
            let Some(Targets::Only(list)) = &st.resource else {
                continue;
            };
            for r in list.iter().filter_map(Leaf::as_known) {
                let inside = res
                    .arns
                    .iter()
                    .any(|a| moat_iam::pattern::resource_matches(a, r));
                if inside && !out.iter().any(|o| o == r) {
                    out.push(r.to_string());
                }
            }
        }
    }
    out
}

/// The accounts written literally in the `Principal` of an `Allow` statement (12 digits, alone
/// or as the account of an ARN), each with the principals written for it.
fn named_accounts(policies: &[NamedPolicy]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for p in policies {
        for st in &p.policy.statements {
            if st.effect != EffectValue::Known(Effect::Allow) {
                continue;
            }
            let Some(PrincipalElement::Only(Principals::Typed(map))) = &st.principal else {
                continue;
            };
            let Some(values) = map.get(&PrincipalType::Aws) else {
                continue;
            };
            for v in values.iter().filter_map(Leaf::as_known) {
                let account = if is_account_id(v) {
                    Some(v)
                } else {
                    moat_iam::eval::arn_account(v).filter(|a| is_account_id(a))
                };
                let Some(account) = account else {
                    continue;
                };
                if account == FOREIGN_ACCOUNT {
                    continue;
                }
                match out.iter_mut().find(|(a, _)| a == account) {
                    Some((_, names)) => {
                        if !names.iter().any(|n| n == v) {
                            names.push(v.to_string());
                        }
                    }
                    None => out.push((account.to_string(), vec![v.to_string()])),
                }
            }
        }
    }
    out.sort();
    out
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn all_wildcard_unconditioned(reasons: &[Reason], policies: &[NamedPolicy]) -> bool {
    !reasons.is_empty()
        && reasons.iter().all(|r| {
            policies
                .iter()
                .filter(|p| p.name == r.policy)
                .flat_map(|p| p.policy.statements.iter())
                .find(|s| s.index == r.statement)
                .is_some_and(|s| {
                    let wildcard = match &s.principal {
                        Some(PrincipalElement::Only(Principals::Everyone)) => true,
                        Some(PrincipalElement::Only(Principals::Typed(m))) => m
                            .get(&PrincipalType::Aws)
                            .is_some_and(|l| l.iter().any(|x| x.as_known() == Some("*"))),
                        _ => false,
                    };
                    wildcard && matches!(&s.condition, Conditions::Known(c) if c.is_empty())
                })
        })
}

/// A copy of a resource's policy with the references to the estate decided (see the module
/// documentation): in the values of [`RESTRICTING_KEYS`] and in principals, a reference to an
/// estate resource becomes a text that names it (`{estate:ADDRESS.ATTR}`), which no foreign
/// value equals; in `Resource`, a reference to the governed resource itself becomes its ARN.
fn prepare(p: &NamedPolicy, res: &EstateResource, accounts: &[&str]) -> NamedPolicy {
    let mut out = p.clone();
    let pin = |leaf: &mut Leaf| {
        if let Some(text) = pinned(leaf, accounts) {
            *leaf = Leaf::Known(text);
        }
    };
    for st in &mut out.policy.statements {
        if let Conditions::Known(entries) = &mut st.condition {
            for e in entries.iter_mut() {
                let restricting = e.key.as_known().is_some_and(|k| {
                    RESTRICTING_KEYS
                        .iter()
                        .any(|(r, _, _)| r.eq_ignore_ascii_case(k))
                });
                if restricting {
                    e.values.iter_mut().for_each(pin);
                }
            }
        }
        if let Some(
            PrincipalElement::Only(Principals::Typed(m))
            | PrincipalElement::AllBut(Principals::Typed(m)),
        ) = &mut st.principal
        {
            for values in m.values_mut() {
                values.iter_mut().for_each(pin);
            }
        }
        if let Some(Targets::Only(list) | Targets::AllBut(list)) = &mut st.resource {
            for leaf in list.iter_mut() {
                if let Some(text) = self_arn(leaf, res) {
                    *leaf = Leaf::Known(text);
                }
            }
        }
    }
    out
}

/// The text of a leaf whose unknowns are all references to the estate (its resources, its
/// account), each written as `{estate:NAME}`, or `None`.
///
/// What the model says: a [`Unknown::Computed`] is an attribute of a resource of the estate;
/// in a [`Unknown::Template`], a placeholder whose resource is among the template's `refs` is
/// one too, a placeholder among `accounts` is the estate's account, and any other placeholder
/// holding `::` is a pseudo parameter of the deployment (CloudFormation parameter and resource
/// names are alphanumeric): the partition, region or domain suffix, which do not change whose
/// resource a value names. A template needs at least one reference to the estate to be pinned;
/// a variable or a parameter keeps it unknown.
fn pinned(leaf: &Leaf, accounts: &[&str]) -> Option<String> {
    match leaf {
        Leaf::Unknown(Unknown::Computed { address, attr }) => {
            Some(format!("{{estate:{address}.{attr}}}"))
        }
        // Every attribute of `data.aws_caller_identity` (account ID, ARN, user ID) is the
        // deploying identity's, in the estate's own account; Terraform hands the data source
        // over as a whole, even inside a string.
        Leaf::Unknown(Unknown::DataSource { address }) if caller_identity(address) => {
            Some(format!("{{estate:{address}}}"))
        }
        Leaf::Unknown(Unknown::Template { text, refs, .. }) => {
            let mut out = String::new();
            let mut last = 0;
            let placeholders = reference_placeholders(text);
            let mut owned = false;
            for (start, end, inner) in placeholders {
                let head = split_reference(inner).map_or(inner, |(a, _)| a);
                let estate_ref = accounts.contains(&inner)
                    || caller_identity(inner)
                    || refs.iter().any(|r| r == head || r == inner);
                if !estate_ref && !inner.contains("::") {
                    return None;
                }
                owned |= estate_ref;
                out.push_str(text.get(last..start)?);
                out.push_str(&format!("{{estate:{inner}}}"));
                last = end;
            }
            out.push_str(text.get(last..)?);
            owned.then_some(out)
        }
        _ => None,
    }
}

fn caller_identity(address: &str) -> bool {
    address.starts_with("data.aws_caller_identity.") || address == "data.aws_caller_identity"
}

/// The governed resource's ARN for a `Resource` leaf that is a reference to it.
fn self_arn(leaf: &Leaf, res: &EstateResource) -> Option<String> {
    let arn = res.arns.first()?;
    match leaf {
        Leaf::Unknown(Unknown::Computed { address, .. }) if *address == res.address => {
            Some(arn.clone())
        }
        Leaf::Unknown(Unknown::Template { text, .. }) => {
            let refs = reference_placeholders(text);
            let mut out = String::new();
            let mut last = 0;
            if refs.is_empty() {
                return None;
            }
            for (start, end, inner) in refs {
                let (address, _) = split_reference(inner)?;
                if address != res.address {
                    return None;
                }
                out.push_str(text.get(last..start)?);
                out.push_str(arn);
                last = end;
            }
            out.push_str(text.get(last..)?);
            Some(out)
        }
        _ => None,
    }
}

/// The typed-state elements that can hold a resource-based policy, by id.
fn typed_ids<'a>(
    ctx: &'a crate::registry::Ctx<'_>,
) -> impl Iterator<Item = moat_model::ResourceId> + 'a {
    let aws = ctx.aws();
    aws.identity
        .roles
        .iter()
        .map(|x| x.id)
        .chain(aws.storage.buckets.iter().map(|x| x.id))
        .chain(aws.security.keys.iter().map(|x| x.id))
        .chain(aws.security.secrets.iter().map(|x| x.id))
        .chain(aws.messaging.queues.iter().map(|x| x.id))
        .chain(aws.messaging.topics.iter().map(|x| x.id))
        .chain(aws.serverless.functions.iter().map(|x| x.id))
        .chain(aws.containers.ecr_repositories.iter().map(|x| x.id))
        .chain(aws.identity.policies.iter().map(|d| d.id))
}

/// Which audiences a rule reports.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Anyone and any account: a proven exposure fails, a conditional one is unknown.
    Broad,
    /// Accounts named literally: unknown (for review), whatever the verdict.
    Named,
}

/// The word for a resource kind in messages.
pub(crate) fn noun(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Bucket => "bucket",
        ResourceKind::Key => "key",
        ResourceKind::Queue => "queue",
        ResourceKind::Topic => "topic",
        ResourceKind::Secret => "secret",
        ResourceKind::Function => "function",
        ResourceKind::Repository => "repository",
        ResourceKind::Role => "role",
        ResourceKind::Other => "resource",
    }
}

/// Report the exposures of the estate resources of `kinds` (those `skip` does not exclude) in
/// `scope`. A proven exposure to anyone or any account claims the rule's Checkov IDs when
/// every allowing statement is an unconditioned `Allow` to `*` (what Checkov looks for);
/// nothing else claims an equivalent.
pub(crate) fn report(
    ctx: &crate::registry::Ctx<'_>,
    out: &mut crate::registry::Out,
    kinds: &[ResourceKind],
    scope: Scope,
    claims: &dyn Fn(ResourceKind) -> &'static [&'static str],
    skip: &dyn Fn(moat_model::ResourceId) -> bool,
) {
    let iam = ctx.iam();
    let accounts = ctx.aws().identity.references.account;
    for (i, res) in resources_of_kind(iam, kinds) {
        // Resources outside the estate (a policy that names one by ARN) have no declaration
        // to report on: the policy's own resource is reported through its estate resources.
        let Some(id) =
            typed_ids(ctx).find(|id| ctx.resource(*id).is_some_and(|r| r.address == res.address))
        else {
            continue;
        };
        if skip(id) {
            continue;
        }
        let Some(r) = ctx.resource(id) else {
            continue;
        };
        for e in exposures(iam, accounts, i) {
            let named = matches!(e.audience, Audience::Named(_));
            if named != (scope == Scope::Named) {
                continue;
            }
            let loc = e.loc().or(res.loc.as_ref()).unwrap_or(&r.loc).clone();
            let msg = e.message(noun(res.kind));
            match (&e.verdict, named) {
                (Verdict::Open, false) => {
                    let ids: &[&'static str] = if e.wildcard_unconditioned {
                        claims(res.kind)
                    } else {
                        &[]
                    };
                    out.claiming(ids, |out| out.fail(r, &loc, msg));
                }
                _ => out.claiming(&[], |out| out.unknown(r, &loc, msg)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An estate holding one resource of `kind` (ARNs `arns`) governed by `policy`.
    fn one(kind: ResourceKind, arns: &[&str], policy: serde_json::Value) -> IamEstate {
        let policy = Policy::from_json(&policy).unwrap();
        IamEstate {
            policies: vec![NamedPolicy::new("p", policy)],
            resources: vec![EstateResource {
                address: "r".into(),
                kind,
                arns: arns.iter().map(|a| a.to_string()).collect(),
                policies: vec![0],
                loc: None,
            }],
            ..IamEstate::default()
        }
    }

    fn queue(statement: serde_json::Value) -> Vec<Exposure> {
        let iam = one(
            ResourceKind::Queue,
            &["arn:aws:sqs:{region}:{account}:q"],
            serde_json::json!({"Version": "2012-10-17", "Statement": [statement]}),
        );
        exposures(&iam, &[], 0)
    }

    fn summary(e: &[Exposure]) -> Vec<(Audience, bool, Vec<String>)> {
        e.iter()
            .map(|x| {
                (
                    x.audience.clone(),
                    x.verdict == Verdict::Open,
                    x.actions.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn wildcard_without_condition_is_open_to_anyone() {
        // `"Principal": "*"` includes anonymous requests
        // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous).
        let e = queue(serde_json::json!({
            "Sid": "All", "Effect": "Allow", "Principal": "*",
            "Action": "sqs:*", "Resource": "*"
        }));
        assert_eq!(
            summary(&e),
            vec![(
                Audience::Anyone,
                true,
                vec![
                    "sqs:SendMessage".to_string(),
                    "sqs:ReceiveMessage".to_string(),
                    "sqs:DeleteMessage".to_string()
                ]
            )]
        );
        assert!(e[0].wildcard_unconditioned);
        assert_eq!(e[0].reasons[0].sid.as_deref(), Some("All"));
    }

    #[test]
    fn restricting_conditions_keep_foreign_requests_out() {
        // aws:SourceVpce, aws:PrincipalOrgID, aws:SourceAccount, aws:SourceArn
        // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
        for (op, key, value) in [
            ("StringEquals", "aws:SourceVpce", "vpce-1a2b3c4d"),
            ("StringEquals", "aws:SourceVpc", "vpc-1a2b3c4d"),
            ("StringEquals", "aws:PrincipalOrgID", "o-abc123def4"),
            ("StringEquals", "aws:SourceAccount", "111122223333"),
            (
                "ArnLike",
                "aws:SourceArn",
                "arn:aws:sns:us-east-1:111122223333:t",
            ),
            ("StringEquals", "aws:SourceOrgID", "o-abc123def4"),
        ] {
            let e = queue(serde_json::json!({
                "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
                "Resource": "*", "Condition": {op: {key: value}}
            }));
            assert_eq!(summary(&e), vec![], "{key}");
        }
    }

    #[test]
    fn a_wildcard_source_or_principal_arn_admits_other_accounts() {
        // Any topic of any account, or a role named `deploy` in any account.
        let e = queue(serde_json::json!({
            "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
            "Resource": "*", "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:*"}}
        }));
        assert_eq!(
            summary(&e),
            vec![(Audience::Anyone, true, vec!["sqs:SendMessage".to_string()])]
        );
        let e = queue(serde_json::json!({
            "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sqs:SendMessage",
            "Resource": "*",
            "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/deploy"}}
        }));
        assert_eq!(
            summary(&e),
            vec![(
                Audience::AnyAccount,
                true,
                vec!["sqs:SendMessage".to_string()]
            )]
        );
        // A bucket name pattern: anyone can create a bucket that matches it; a bucket name
        // (global) admits only that bucket.
        let by_bucket = |arn: &str| {
            summary(&queue(serde_json::json!({
                "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
                "Resource": "*", "Condition": {"ArnLike": {"aws:SourceArn": arn}}
            })))
        };
        assert_eq!(
            by_bucket("arn:aws:s3:::logs-*"),
            vec![(Audience::Anyone, true, vec!["sqs:SendMessage".to_string()])]
        );
        assert_eq!(by_bucket("arn:aws:s3:::logs-prod"), vec![]);
        // The account segment written: only that account's topics.
        let e = queue(serde_json::json!({
            "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*",
            "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}}
        }));
        assert_eq!(summary(&e), vec![]);
    }

    #[test]
    fn a_condition_on_another_key_is_unknown() {
        // The source address is the caller's: not known offline.
        let e = queue(serde_json::json!({
            "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
            "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
        }));
        assert_eq!(
            summary(&e),
            vec![(Audience::Anyone, false, vec!["sqs:SendMessage".to_string()])]
        );
        assert!(matches!(&e[0].verdict, Verdict::Conditional(u) if !u.is_empty()));
    }

    #[test]
    fn a_negated_restriction_does_not_keep_foreign_requests_out() {
        // `StringNotEquals aws:SourceVpce` admits every other endpoint and no endpoint at all.
        let e = queue(serde_json::json!({
            "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
            "Resource": "*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}
        }));
        assert_eq!(
            summary(&e),
            vec![(Audience::Anyone, true, vec!["sqs:SendMessage".to_string()])]
        );
        assert!(!e[0].wildcard_unconditioned);
    }

    #[test]
    fn a_deny_on_plain_http_restricts_nobody() {
        let iam = one(
            ResourceKind::Bucket,
            &["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            serde_json::json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                 "Resource": "arn:aws:s3:::b/public/*"},
                {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                 "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
            ]}),
        );
        let e = exposures(&iam, &[], 0);
        // The grant on a prefix is found by probing the prefix.
        assert_eq!(
            summary(&e),
            vec![(Audience::Anyone, true, vec!["s3:GetObject".to_string()])]
        );
    }

    #[test]
    fn a_named_account_is_reported_for_review() {
        let e = queue(serde_json::json!({
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
            "Action": "sqs:SendMessage", "Resource": "*"
        }));
        assert_eq!(
            summary(&e),
            vec![(
                Audience::Named("444455556666".into()),
                true,
                vec!["sqs:SendMessage".to_string()]
            )]
        );
    }

    #[test]
    fn trust_policies_external_id_and_org_restrict() {
        // sts:ExternalId (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html).
        let trust = |condition: serde_json::Value| {
            let iam = one(
                ResourceKind::Role,
                &["arn:aws:iam::{account}:role/r"],
                serde_json::json!({"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                    "Condition": condition
                }]}),
            );
            summary(&exposures(&iam, &[], 0))
        };
        assert_eq!(
            trust(serde_json::json!({})),
            vec![(
                Audience::AnyAccount,
                true,
                vec!["sts:AssumeRole".to_string()]
            )]
        );
        assert_eq!(
            trust(serde_json::json!({"StringEquals": {"sts:ExternalId": "abc"}})),
            vec![]
        );
        assert_eq!(
            trust(serde_json::json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}})),
            vec![]
        );
    }

    #[test]
    fn a_key_policy_for_the_account_root_is_not_exposed() {
        let iam = one(
            ResourceKind::Key,
            &["arn:aws:kms:{region}:{account}:key/k"],
            serde_json::json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::{account}:root"},
                "Action": "kms:*", "Resource": "*"
            }]}),
        );
        assert_eq!(summary(&exposures(&iam, &[], 0)), vec![]);
    }

    #[test]
    fn references_to_the_estate_are_pinned_and_variables_are_not() {
        let template = |text: &str, refs: &[&str]| {
            Leaf::Unknown(Unknown::Template {
                text: text.into(),
                reason: String::new(),
                refs: refs.iter().map(|r| r.to_string()).collect(),
            })
        };
        // The estate's account (a parameter that stands for it) beside the partition.
        assert_eq!(
            pinned(
                &template("arn:${AWS::Partition}:iam::${AWS::AccountId}:root", &[]),
                &["AWS::AccountId"]
            )
            .as_deref(),
            Some("arn:{estate:AWS::Partition}:iam::{estate:AWS::AccountId}:root")
        );
        // A resource of the template.
        assert!(pinned(&template("${Api.Arn}/*", &["Api"]), &[]).is_some());
        // A template parameter or a variable keeps it unknown, and so does a partition alone.
        assert_eq!(
            pinned(&template("arn:aws:iam::${Partner}:root", &[]), &[]),
            None
        );
        assert_eq!(
            pinned(&template("arn:aws:iam::${var.partner}:root", &[]), &[]),
            None
        );
        assert_eq!(
            pinned(
                &template("arn:${AWS::Partition}:iam::444455556666:root", &[]),
                &[]
            ),
            None
        );
        let var = Leaf::Unknown(Unknown::Variable { name: "x".into() });
        assert_eq!(pinned(&var, &["AWS::AccountId"]), None);
        let computed = Leaf::Unknown(Unknown::Computed {
            address: "aws_vpc_endpoint.s3".into(),
            attr: "id".into(),
        });
        assert_eq!(
            pinned(&computed, &[]).as_deref(),
            Some("{estate:aws_vpc_endpoint.s3.id}")
        );
    }
}
