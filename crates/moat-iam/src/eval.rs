//! AWS's policy evaluation logic: one request against the policies that apply to it, returning
//! the decision as data (the decision, the statements that decided it, what was missing, what
//! was unknown).
//!
//! The logic follows
//! [Policy evaluation logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html),
//! [How AWS enforcement code logic evaluates requests](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html)
//! and [Cross-account policy evaluation logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html):
//!
//! 1. An explicit `Deny` in any applicable policy (identity-based, resource-based, permissions
//!    boundary, session policy, SCP, RCP) is the final decision.
//! 2. Resource control policies (RCPs) of the resource's account: every level of the
//!    organisation (root, OUs, account) must allow, else implicit deny. They do not apply to
//!    service-linked roles or to AWS service principals.
//! 3. Service control policies (SCPs) of the principal's account: every level must allow, else
//!    implicit deny. They do not apply to service-linked roles or to service principals.
//! 4. Same account, resource-based policy: an `Allow` that names the principal itself (its user
//!    ARN, its role session ARN, a federated-user ARN, `*`) allows on its own, whatever the
//!    identity-based policies, permissions boundary and session policy say. An `Allow` that
//!    names the role ARN (for a request by a session of that role) allows unless the role's
//!    permissions boundary or the session policy does not allow. An `Allow` that names the
//!    account delegates to the account: the identity-based policies must allow.
//! 5. Identity-based policies: an `Allow` allows if the permissions boundary (when set) and the
//!    session policy (when set) allow too.
//! 6. Cross-account: the resource-based policy must allow the principal (directly or through
//!    its account) **and** the identity-based side (identity, boundary, session) must allow.
//! 7. Role trust policies (`sts:AssumeRole*`) and KMS key policies must allow even within the
//!    account: identity-based policies alone never suffice
//!    ([KMS key policies](https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html),
//!    [roles: trust policy](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html)).
//! 8. The account's root user is allowed in its own account unless an explicit deny, an SCP or
//!    an RCP says otherwise (and, for trust and key policies, unless the resource policy does
//!    not name it). Anonymous requests and AWS service principals are allowed only by a
//!    resource-based policy.
//!
//! Unknowns: each statement's applicability is three-valued. The final decision is computed for
//! every combination of the unknown inputs (which policy layer allows, whether a deny applies):
//! when all combinations agree, the decision is known despite the unknowns; otherwise it is
//! [`DecisionKind::Unknown`] with the possible outcomes and the unknowns that decide.

use std::collections::BTreeSet;

use moat_model::{Loc, Tri, Unknown};

use crate::condition::{evaluate_conditions_substituting, RequestContext};
use crate::pattern::{action_matches, resource_matches};
use crate::policy::{
    Conditions, Effect, EffectValue, Leaf, Policy, PrincipalElement, Statement, Targets,
};
use crate::principal::{statement_principal, PrincipalKind, PrincipalMatch, RequestPrincipal};
use crate::variables::{has_variables, substitute, Substituted};

/// A policy with the name it is reported under (`identity[0]`, `aws_iam_role_policy.app`).
#[derive(Clone, Debug, PartialEq)]
pub struct NamedPolicy {
    pub name: String,
    pub policy: Policy,
    /// Where the document is written (IaC), for reasons without a statement location.
    pub loc: Option<Loc>,
}

impl NamedPolicy {
    pub fn new(name: impl Into<String>, policy: Policy) -> NamedPolicy {
        NamedPolicy {
            name: name.into(),
            policy,
            loc: None,
        }
    }
}

/// The policies that apply to one request, by type.
#[derive(Clone, Debug, Default)]
pub struct PolicySet<'a> {
    /// Identity-based policies of the principal (inline, managed, its groups').
    pub identity: Vec<&'a NamedPolicy>,
    /// Resource-based policies of the resource (a bucket policy, a key policy, a trust policy).
    pub resource: Vec<&'a NamedPolicy>,
    /// The principal's permissions boundary.
    pub boundary: Option<&'a NamedPolicy>,
    /// The session policy of the role or federated-user session.
    pub session: Option<&'a NamedPolicy>,
    /// SCPs by level, from the organisation root down to the principal's account.
    pub scps: Vec<Vec<&'a NamedPolicy>>,
    /// RCPs by level, from the organisation root down to the resource's account.
    pub rcps: Vec<Vec<&'a NamedPolicy>>,
}

/// The request: who, what, on which resource, in which context.
#[derive(Clone, Debug)]
pub struct Query<'a> {
    pub principal: &'a RequestPrincipal,
    pub action: &'a str,
    pub resource: &'a str,
    /// The account that owns the resource; `None`: the account in the resource ARN, else the
    /// principal's.
    pub resource_account: Option<&'a str>,
    /// The request context, with the principal's keys filled in by [`request_context`].
    pub context: &'a RequestContext,
}

impl Query<'_> {
    /// The account that owns the resource.
    pub fn resource_account(&self) -> Option<&str> {
        self.resource_account
            .or_else(|| arn_account(self.resource))
            .or(self.principal.account.as_deref())
    }
}

/// The account segment of an ARN, when written.
pub fn arn_account(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    if parts.next() != Some("arn") {
        return None;
    }
    let account = parts.nth(3)?;
    (!account.is_empty()).then_some(account)
}

/// The request context AWS builds: `given` plus the keys AWS sets from the principal and the
/// resource when `given` does not set them (`aws:PrincipalArn`, `aws:PrincipalAccount`,
/// `aws:PrincipalType`, `aws:username` for users, `aws:PrincipalIsAWSService`,
/// `aws:PrincipalServiceName`, `aws:ResourceAccount`), following
/// [AWS global condition context keys](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
pub fn request_context(
    given: &RequestContext,
    principal: &RequestPrincipal,
    resource_account: Option<&str>,
) -> RequestContext {
    let mut ctx = given.clone();
    let estate = crate::estate::ESTATE_ACCOUNT;
    fn fill(ctx: &mut RequestContext, estate: &str, key: &str, value: &str) {
        // When the account is not known, neither is a value that contains it.
        if !ctx.contains(key) && !value.contains(estate) {
            ctx.set(key, value);
        }
    }
    match principal.kind {
        PrincipalKind::Service => {
            fill(&mut ctx, estate, "aws:PrincipalIsAWSService", "true");
            fill(&mut ctx, estate, "aws:PrincipalServiceName", &principal.arn);
        }
        PrincipalKind::Anonymous => {
            fill(&mut ctx, estate, "aws:PrincipalIsAWSService", "false");
        }
        _ => {
            fill(&mut ctx, estate, "aws:PrincipalIsAWSService", "false");
            if principal.is_iam_identity() {
                fill(
                    &mut ctx,
                    estate,
                    "aws:PrincipalArn",
                    &principal.principal_arn(),
                );
            }
            if let Some(a) = &principal.account {
                fill(&mut ctx, estate, "aws:PrincipalAccount", a);
            }
            if let Some(t) = principal.principal_type() {
                fill(&mut ctx, estate, "aws:PrincipalType", t);
            }
            if principal.kind == PrincipalKind::User {
                if let Some(n) = &principal.name {
                    fill(&mut ctx, estate, "aws:username", n);
                }
            } else if !ctx.contains("aws:username") {
                // Only IAM users have a user name.
                ctx.set_absent("aws:username");
            }
        }
    }
    if principal.kind != PrincipalKind::Service && !ctx.contains("aws:PrincipalServiceName") {
        ctx.set_absent("aws:PrincipalServiceName");
    }
    if let Some(a) = resource_account {
        fill(&mut ctx, estate, "aws:ResourceAccount", a);
    }
    ctx
}

/// The final decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DecisionKind {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
    /// The decision depends on values not known offline.
    Unknown,
}

impl DecisionKind {
    /// The name used in output (`allow`, `explicit_deny`, `implicit_deny`, `unknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Allow => "allow",
            DecisionKind::ExplicitDeny => "explicit_deny",
            DecisionKind::ImplicitDeny => "implicit_deny",
            DecisionKind::Unknown => "unknown",
        }
    }
}

/// The policy type a statement belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    Scp,
    Rcp,
    Resource,
    Identity,
    Boundary,
    Session,
}

impl Layer {
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Scp => "scp",
            Layer::Rcp => "rcp",
            Layer::Resource => "resource_policy",
            Layer::Identity => "identity",
            Layer::Boundary => "boundary",
            Layer::Session => "session_policy",
        }
    }
}

/// A statement that took part in the decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Reason {
    pub layer: Layer,
    /// The policy's name.
    pub policy: String,
    /// The statement's index in the policy.
    pub statement: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    /// Where the statement (or its policy) is written.
    pub loc: Option<Loc>,
}

/// The decision, with what decided it.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub kind: DecisionKind,
    /// For `Allow`: the allowing statements of each policy type that had to allow; for
    /// `ExplicitDeny`: the denying statements; for `Unknown`: the statements that could decide.
    pub reasons: Vec<Reason>,
    /// For `ImplicitDeny`: the policy types where no statement allows (`identity`,
    /// `boundary`, `scp level 1`, ...).
    pub missing: Vec<String>,
    /// For `Unknown`: the outcomes still possible.
    pub possible: Vec<DecisionKind>,
    /// For `Unknown`: what is not known, deduplicated.
    pub unknowns: Vec<Unknown>,
}

/// Kleene OR.
fn or(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Tri::True, _) | (_, Tri::True) => Tri::True,
        (Tri::Unknown(u), _) | (_, Tri::Unknown(u)) => Tri::Unknown(u),
        _ => Tri::False,
    }
}

/// Kleene AND.
fn and(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Tri::False, _) | (_, Tri::False) => Tri::False,
        (Tri::Unknown(u), _) | (_, Tri::Unknown(u)) => Tri::Unknown(u),
        _ => Tri::True,
    }
}

/// Whether a target list (`Action`/`NotAction`, `Resource`/`NotResource`) covers `value`.
fn targets_cover(targets: &Targets, mut matches: impl FnMut(&str) -> Tri) -> Tri {
    let (list, negated) = match targets {
        Targets::Only(l) => (l, false),
        Targets::AllBut(l) => (l, true),
    };
    let mut hit = Tri::False;
    for leaf in list {
        let t = match leaf {
            Leaf::Known(p) => matches(p),
            // Known literal parts: if even with its unknown parts as `*` it cannot match,
            // it does not.
            // The same expression: the same unknown value in the same place (the request's
            // resource is written with the same placeholders), so it matches whatever it is.
            Leaf::Unknown(Unknown::Template { text, .. })
                if !text.contains(['*', '?']) && matches(text).is_true() =>
            {
                Tri::True
            }
            Leaf::Unknown(u @ Unknown::Template { text, .. }) => {
                match matches(&crate::pattern::template_pattern(text)) {
                    Tri::False => Tri::False,
                    _ => Tri::Unknown(u.clone()),
                }
            }
            Leaf::Unknown(u) => Tri::Unknown(u.clone()),
        };
        hit = or(hit, t);
        if hit.is_true() {
            break;
        }
    }
    if negated {
        match hit {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            u => u,
        }
    } else {
        hit
    }
}

/// Match one `Resource` pattern, substituting its policy variables when the version says so.
fn resource_pattern_matches(
    pattern: &str,
    resource: &str,
    substitutes: Option<bool>,
    context: &RequestContext,
) -> Tri {
    if !has_variables(pattern) {
        return Tri::from(resource_matches(pattern, resource));
    }
    match substitutes {
        Some(false) => Tri::from(resource_matches(pattern, resource)),
        None => Tri::Unknown(Unknown::derived(format!(
            "the policy version, which decides whether `{pattern}` holds policy variables"
        ))),
        Some(true) => match substitute(pattern, context, true) {
            Substituted::Text(p) => Tri::from(resource_matches(&p, resource)),
            Substituted::Missing(_) => Tri::False,
            Substituted::Unknown(u) => Tri::Unknown(u),
        },
    }
}

/// Whether a statement applies to the request, and how its principal matched.
/// How a statement applies: its applicability for the certain principal match, and a better
/// match an unknown principal value could still make (with its own applicability).
struct Applies {
    applies: Tri,
    how: PrincipalMatch,
    possible: Option<(Tri, PrincipalMatch)>,
}

impl Applies {
    fn not() -> Applies {
        Applies {
            applies: Tri::False,
            how: PrincipalMatch::None,
            possible: None,
        }
    }
}

fn statement_applies(
    st: &Statement,
    substitutes: Option<bool>,
    query: &Query<'_>,
    check_principal: bool,
    has_boundary: bool,
) -> Applies {
    let (applies, how, possible) =
        statement_applies_parts(st, substitutes, query, check_principal, has_boundary);
    if applies.is_false() && possible.is_none() {
        return Applies::not();
    }
    Applies {
        applies,
        how,
        possible,
    }
}

fn statement_applies_parts(
    st: &Statement,
    substitutes: Option<bool>,
    query: &Query<'_>,
    check_principal: bool,
    has_boundary: bool,
) -> (Tri, PrincipalMatch, Option<(Tri, PrincipalMatch)>) {
    let action = targets_cover(&st.action, |p| Tri::from(action_matches(p, query.action)));
    if action.is_false() {
        return (Tri::False, PrincipalMatch::None, None);
    }
    let resource = match &st.resource {
        None => Tri::True,
        Some(t) => targets_cover(t, |p| {
            resource_pattern_matches(p, query.resource, substitutes, query.context)
        }),
    };
    let mut applies = and(action, resource);
    if applies.is_false() {
        return (Tri::False, PrincipalMatch::None, None);
    }
    let mut how = PrincipalMatch::Direct;
    let mut possible: Option<(Unknown, PrincipalMatch)> = None;
    let not_principal_deny = has_boundary
        && matches!(st.principal, Some(PrincipalElement::AllBut(_)))
        && matches!(st.effect, EffectValue::Known(Effect::Deny));
    if check_principal && !not_principal_deny {
        // (A `Deny` with `NotPrincipal` always denies a principal that has a permissions
        // boundary, whatever it names: "the Deny statement always denies ... regardless of
        // the values specified in the NotPrincipal element" for principals with a boundary,
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html.)
        let o = statement_principal(st.principal.as_ref(), query.principal);
        how = o.certain;
        possible = o.possible;
        if how == PrincipalMatch::None && possible.is_none() {
            return (Tri::False, PrincipalMatch::None, None);
        }
    }
    if substitutes != Some(false) && has_missing_variable(st, query.context) {
        // A policy variable without a value and without a default: the statement does not
        // apply (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
        return (Tri::False, PrincipalMatch::None, None);
    }
    let condition = match substitutes {
        Some(s) => evaluate_conditions_substituting(&st.condition, query.context, s),
        None => evaluate_conditions_substituting(&st.condition, query.context, true),
    };
    applies = and(applies, condition);
    let possible = possible.map(|(u, class)| (and(applies.clone(), Tri::Unknown(u)), class));
    if how == PrincipalMatch::None {
        // Only an unknown principal value could match.
        return match possible {
            Some((t, class)) => (t, class, None),
            None => (Tri::False, PrincipalMatch::None, None),
        };
    }
    (applies, how, possible.filter(|(t, _)| !t.is_false()))
}

/// A statement that applied, kept by reference until the decision needs it as a [`Reason`].
#[derive(Clone, Copy, Debug)]
struct Hit<'a> {
    layer: Layer,
    policy: &'a NamedPolicy,
    statement: &'a Statement,
    effect: Effect,
}

impl Hit<'_> {
    fn reason(&self) -> Reason {
        reason(self.layer, self.policy, self.statement, self.effect)
    }
}

/// Whether a policy variable without a value (absent key, no default) makes the statement
/// not apply: in `NotResource` (the statement cannot say what it excludes) or in the values of
/// a negated string or ARN operator. In `Resource` and in positive operators such a value
/// simply matches nothing. Following
/// [Policy variables](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html):
/// a variable with no value never grants.
fn has_missing_variable(st: &Statement, context: &RequestContext) -> bool {
    let missing = |text: &str| {
        has_variables(text) && matches!(substitute(text, context, false), Substituted::Missing(_))
    };
    let in_not_resource = match &st.resource {
        Some(Targets::AllBut(l)) => l.iter().any(|leaf| leaf.as_known().is_some_and(missing)),
        _ => false,
    };
    in_not_resource
        || match &st.condition {
            Conditions::Known(entries) => entries.iter().any(|e| {
                e.values.iter().any(|v| v.as_known().is_some_and(missing))
                    && e.op.is_some_and(|op| op.takes_variables() && op.negated)
            }),
            Conditions::Unknown(_) => false,
        }
}

/// What one policy type says about the request.
#[derive(Clone, Debug)]
struct LayerResult<'a> {
    deny: Tri,
    /// Allow through a statement whose principal matched directly / by role ARN / by account
    /// (identity-based layers use `direct` only).
    direct: Tri,
    role: Tri,
    everyone: Tri,
    account: Tri,
    allows: Vec<Hit<'a>>,
    denies: Vec<Hit<'a>>,
    maybe: Vec<Hit<'a>>,
    unknowns: Vec<Unknown>,
}

impl<'a> LayerResult<'a> {
    fn empty() -> LayerResult<'a> {
        LayerResult {
            deny: Tri::False,
            direct: Tri::False,
            role: Tri::False,
            everyone: Tri::False,
            account: Tri::False,
            allows: Vec::new(),
            denies: Vec::new(),
            maybe: Vec::new(),
            unknowns: Vec::new(),
        }
    }

    fn slot(&mut self, how: PrincipalMatch) -> &mut Tri {
        match how {
            PrincipalMatch::Account => &mut self.account,
            PrincipalMatch::RoleArn => &mut self.role,
            PrincipalMatch::Everyone => &mut self.everyone,
            _ => &mut self.direct,
        }
    }

    fn any_allow(&self) -> Tri {
        or(
            or(self.direct.clone(), self.role.clone()),
            or(self.everyone.clone(), self.account.clone()),
        )
    }
}

fn reason(layer: Layer, p: &NamedPolicy, st: &Statement, effect: Effect) -> Reason {
    Reason {
        layer,
        policy: p.name.clone(),
        statement: st.index,
        sid: st
            .sid
            .as_ref()
            .and_then(|s| s.as_known())
            .map(str::to_string),
        effect,
        loc: st.loc.clone().or_else(|| p.loc.clone()),
    }
}

fn evaluate_layer<'a>(
    layer: Layer,
    policies: &[&'a NamedPolicy],
    query: &Query<'_>,
    check_principal: bool,
    has_boundary: bool,
) -> LayerResult<'a> {
    let mut r = LayerResult::empty();
    for p in policies {
        let substitutes = p.policy.version.substitutes_variables();
        for st in &p.policy.statements {
            let Applies {
                applies,
                how,
                possible,
            } = statement_applies(st, substitutes, query, check_principal, has_boundary);
            if applies.is_false() && possible.is_none() {
                continue;
            }
            let effects: &[Effect] = match &st.effect {
                EffectValue::Known(e) => std::slice::from_ref(e),
                EffectValue::Unknown(u) => {
                    r.unknowns.push(u.clone());
                    &[Effect::Allow, Effect::Deny]
                }
            };
            let certain = applies.is_true() && matches!(st.effect, EffectValue::Known(_));
            let value = if matches!(st.effect, EffectValue::Unknown(_)) {
                match &st.effect {
                    EffectValue::Unknown(u) => Tri::Unknown(u.clone()),
                    EffectValue::Known(_) => applies.clone(),
                }
            } else {
                applies.clone()
            };
            if let Tri::Unknown(u) = &applies {
                r.unknowns.push(u.clone());
            }
            for e in effects {
                let why = Hit {
                    layer,
                    policy: p,
                    statement: st,
                    effect: *e,
                };
                match e {
                    Effect::Deny => {
                        r.deny = or(r.deny.clone(), value.clone());
                        if certain {
                            r.denies.push(why);
                        } else {
                            r.maybe.push(why);
                        }
                    }
                    Effect::Allow => {
                        let slot = r.slot(how);
                        *slot = or(slot.clone(), value.clone());
                        if let Some((t, class)) = &possible {
                            // A better match an unknown principal value could make.
                            let slot = r.slot(*class);
                            *slot = or(slot.clone(), t.clone());
                            if let Tri::Unknown(u) = t {
                                r.unknowns.push(u.clone());
                            }
                        }
                        if certain {
                            r.allows.push(why);
                        } else {
                            r.maybe.push(why);
                        }
                    }
                }
            }
        }
    }
    r
}

/// Whether the action needs the resource policy's own allow even within the account: role
/// trust policies (`sts:AssumeRole`, `sts:AssumeRoleWithSAML`, `sts:AssumeRoleWithWebIdentity`,
/// `sts:TagSession`, `sts:SetSourceIdentity`) and KMS key policies (for actions on a key).
pub fn resource_policy_required(action: &str, resource: &str) -> bool {
    let prefix = |p: &str| {
        action
            .get(..p.len())
            .is_some_and(|a| a.eq_ignore_ascii_case(p))
    };
    // KMS actions on a key; those on no key (`kms:ListKeys`, `kms:CreateKey`: resource `*`)
    // have no key policy to consult.
    (prefix("kms:") && resource != "*")
        || prefix("sts:AssumeRole")
        || action.eq_ignore_ascii_case("sts:TagSession")
        || action.eq_ignore_ascii_case("sts:SetSourceIdentity")
        || action.eq_ignore_ascii_case("sts:SetContext")
}

/// The boolean inputs of the final decision.
#[derive(Clone, Copy, Debug, Default)]
struct Inputs {
    deny: bool,
    rcp_ok: bool,
    scp_ok: bool,
    rp_direct: bool,
    rp_role: bool,
    rp_everyone: bool,
    rp_account: bool,
    identity: bool,
    boundary: bool,
    session: bool,
}

/// Which path allowed, for the reasons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    Root,
    ResourceDirect,
    ResourceRole,
    Identity,
    CrossAccount,
}

enum Outcome {
    Allow(Path),
    ExplicitDeny,
    ImplicitDeny(Vec<&'static str>),
}

struct Facts {
    same_account: bool,
    kind: PrincipalKind,
    resource_required: bool,
    has_boundary: bool,
    has_session: bool,
}

fn decide(i: Inputs, f: &Facts) -> Outcome {
    if i.deny {
        return Outcome::ExplicitDeny;
    }
    if !i.rcp_ok {
        return Outcome::ImplicitDeny(vec!["rcp"]);
    }
    if !i.scp_ok {
        return Outcome::ImplicitDeny(vec!["scp"]);
    }
    match f.kind {
        PrincipalKind::Anonymous
        | PrincipalKind::Service
        | PrincipalKind::Federated
        | PrincipalKind::CanonicalUser => {
            return if i.rp_direct || i.rp_everyone {
                Outcome::Allow(Path::ResourceDirect)
            } else {
                Outcome::ImplicitDeny(vec!["resource_policy"])
            };
        }
        _ => {}
    }
    let boundary_ok = i.boundary || !f.has_boundary;
    let session_ok = i.session || !f.has_session;
    if f.kind == PrincipalKind::Root && f.same_account {
        // The root user is not subject to identity-based policies; trust and key policies
        // must still name it (or its account).
        return if !f.resource_required || i.rp_direct || i.rp_everyone || i.rp_account {
            Outcome::Allow(Path::Root)
        } else {
            Outcome::ImplicitDeny(vec!["resource_policy"])
        };
    }
    let identity_side = i.identity && boundary_ok && session_ok;
    let mut missing = Vec::new();
    if !i.identity {
        missing.push("identity");
    }
    if !boundary_ok {
        missing.push("boundary");
    }
    if !session_ok {
        missing.push("session_policy");
    }
    if f.same_account {
        if i.rp_direct {
            return Outcome::Allow(Path::ResourceDirect);
        }
        if i.rp_role && boundary_ok && session_ok {
            return Outcome::Allow(Path::ResourceRole);
        }
        if i.rp_everyone && session_ok {
            return Outcome::Allow(Path::ResourceRole);
        }
        if f.resource_required {
            return if i.rp_account && identity_side {
                Outcome::Allow(Path::Identity)
            } else {
                let mut m = vec!["resource_policy"];
                if i.rp_account {
                    m.extend(missing);
                }
                Outcome::ImplicitDeny(m)
            };
        }
        if identity_side {
            return Outcome::Allow(Path::Identity);
        }
        Outcome::ImplicitDeny(missing)
    } else {
        let rp = i.rp_direct || i.rp_role || i.rp_everyone || i.rp_account;
        match (rp, identity_side) {
            (true, true) => Outcome::Allow(Path::CrossAccount),
            (false, _) => {
                let mut m = vec!["resource_policy"];
                m.extend(missing);
                Outcome::ImplicitDeny(m)
            }
            (true, false) => Outcome::ImplicitDeny(missing),
        }
    }
}

/// The level results of SCPs or RCPs: every level must allow.
fn levels_allow(levels: &[LayerResult<'_>]) -> Tri {
    levels
        .iter()
        .fold(Tri::True, |acc, l| and(acc, l.any_allow()))
}

/// Evaluate a request against the policies that apply to it.
pub fn evaluate(policies: &PolicySet<'_>, query: &Query<'_>) -> Decision {
    let who = query.principal;
    if who.is_iam_identity() && query.action.eq_ignore_ascii_case("sts:GetCallerIdentity") {
        // "No permissions are required to perform this operation. If an administrator
        // attaches a policy to your identity that explicitly denies access to the
        // sts:GetCallerIdentity action, you can still perform this operation."
        // (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)
        return Decision {
            kind: DecisionKind::Allow,
            reasons: Vec::new(),
            missing: Vec::new(),
            possible: Vec::new(),
            unknowns: Vec::new(),
        };
    }
    let has_boundary = policies.boundary.is_some() && who.is_iam_identity();
    let resource_account = query.resource_account();
    let same_account = match (who.account.as_deref(), resource_account) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    };
    let exempt_from_org = who.is_service_linked_role()
        || matches!(who.kind, PrincipalKind::Service | PrincipalKind::Anonymous);
    // SCPs apply to the principals of the accounts they are attached to; an anonymous or
    // service principal has none.
    let scps: Vec<LayerResult<'_>> = if exempt_from_org {
        Vec::new()
    } else {
        policies
            .scps
            .iter()
            .map(|level| evaluate_layer(Layer::Scp, level, query, false, false))
            .collect()
    };
    let rcps: Vec<LayerResult<'_>> =
        if who.is_service_linked_role() || who.kind == PrincipalKind::Service {
            Vec::new()
        } else {
            policies
                .rcps
                .iter()
                .map(|level| evaluate_layer(Layer::Rcp, level, query, true, has_boundary))
                .collect()
        };
    let resource = evaluate_layer(
        Layer::Resource,
        &policies.resource,
        query,
        true,
        has_boundary,
    );
    let iam_identity = who.is_iam_identity();
    let identity = if iam_identity {
        evaluate_layer(Layer::Identity, &policies.identity, query, false, false)
    } else {
        LayerResult::empty()
    };
    let boundary = match (iam_identity, policies.boundary) {
        (true, Some(b)) => Some(evaluate_layer(Layer::Boundary, &[b], query, false, false)),
        _ => None,
    };
    let session = match (iam_identity, policies.session) {
        (true, Some(s)) => Some(evaluate_layer(Layer::Session, &[s], query, false, false)),
        _ => None,
    };

    // Deny anywhere.
    let mut deny = or(resource.deny.clone(), identity.deny.clone());
    for l in scps.iter().chain(rcps.iter()) {
        deny = or(deny, l.deny.clone());
    }
    for l in boundary.iter().chain(session.iter()) {
        deny = or(deny, l.deny.clone());
    }

    let vars: [Tri; 10] = [
        deny,
        levels_allow(&rcps),
        levels_allow(&scps),
        resource.direct.clone(),
        resource.role.clone(),
        resource.everyone.clone(),
        resource.account.clone(),
        identity.any_allow(),
        boundary.as_ref().map_or(Tri::True, LayerResult::any_allow),
        session.as_ref().map_or(Tri::True, LayerResult::any_allow),
    ];
    let facts = Facts {
        same_account,
        kind: who.kind,
        resource_required: resource_policy_required(query.action, query.resource),
        has_boundary: boundary.is_some(),
        has_session: session.is_some(),
    };
    let unknown_idx: Vec<usize> = vars
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t, Tri::Unknown(_)))
        .map(|(i, _)| i)
        .collect();
    let base = |bits: u32| -> Inputs {
        let mut b = [false; 10];
        for (slot, t) in b.iter_mut().zip(vars.iter()) {
            *slot = t.is_true();
        }
        for (n, &i) in unknown_idx.iter().enumerate() {
            if bits & (1 << n) != 0 {
                if let Some(slot) = b.get_mut(i) {
                    *slot = true;
                }
            }
        }
        let [deny, rcp_ok, scp_ok, rp_direct, rp_role, rp_everyone, rp_account, identity, boundary, session] =
            b;
        Inputs {
            deny,
            rcp_ok,
            scp_ok,
            rp_direct,
            rp_role,
            rp_everyone,
            rp_account,
            identity,
            boundary,
            session,
        }
    };

    let all_layers = || {
        scps.iter()
            .chain(rcps.iter())
            .chain(std::iter::once(&resource))
            .chain(std::iter::once(&identity))
            .chain(boundary.iter())
            .chain(session.iter())
    };

    if unknown_idx.is_empty() {
        return finish(
            decide(base(0), &facts),
            &all_layers,
            &scps,
            &rcps,
            &resource,
            &identity,
            &boundary,
            &session,
        );
    }
    let mut outcomes: BTreeSet<DecisionKind> = BTreeSet::new();
    let mut first: Option<Outcome> = None;
    for bits in 0..(1u32 << unknown_idx.len()) {
        let o = decide(base(bits), &facts);
        outcomes.insert(match &o {
            Outcome::Allow(_) => DecisionKind::Allow,
            Outcome::ExplicitDeny => DecisionKind::ExplicitDeny,
            Outcome::ImplicitDeny(_) => DecisionKind::ImplicitDeny,
        });
        if bits == 0 {
            first = Some(o);
        }
    }
    if outcomes.len() == 1 {
        if let Some(o) = first {
            return finish(
                o,
                &all_layers,
                &scps,
                &rcps,
                &resource,
                &identity,
                &boundary,
                &session,
            );
        }
    }
    let mut unknowns: Vec<Unknown> = Vec::new();
    let mut reasons = Vec::new();
    for l in all_layers() {
        for u in &l.unknowns {
            if !unknowns.contains(u) {
                unknowns.push(u.clone());
            }
        }
        reasons.extend(l.maybe.iter().map(Hit::reason));
        reasons.extend(l.denies.iter().map(Hit::reason));
        reasons.extend(l.allows.iter().map(Hit::reason));
    }
    Decision {
        kind: DecisionKind::Unknown,
        reasons,
        missing: Vec::new(),
        possible: outcomes.into_iter().collect(),
        unknowns,
    }
}

#[allow(clippy::too_many_arguments)]
fn finish<'l, 'a: 'l, I: Iterator<Item = &'l LayerResult<'a>>>(
    outcome: Outcome,
    all_layers: &dyn Fn() -> I,
    scps: &[LayerResult<'a>],
    rcps: &[LayerResult<'a>],
    resource: &LayerResult<'a>,
    identity: &LayerResult<'a>,
    boundary: &Option<LayerResult<'a>>,
    session: &Option<LayerResult<'a>>,
) -> Decision {
    let mut d = Decision {
        kind: DecisionKind::ImplicitDeny,
        reasons: Vec::new(),
        missing: Vec::new(),
        possible: Vec::new(),
        unknowns: Vec::new(),
    };
    match outcome {
        Outcome::ExplicitDeny => {
            d.kind = DecisionKind::ExplicitDeny;
            for l in all_layers() {
                d.reasons.extend(l.denies.iter().map(Hit::reason));
            }
        }
        Outcome::ImplicitDeny(missing) => {
            d.kind = DecisionKind::ImplicitDeny;
            for m in missing {
                match m {
                    "scp" => {
                        for (i, l) in scps.iter().enumerate() {
                            if !l.any_allow().is_true() {
                                d.missing.push(format!("scp level {i}"));
                            }
                        }
                    }
                    "rcp" => {
                        for (i, l) in rcps.iter().enumerate() {
                            if !l.any_allow().is_true() {
                                d.missing.push(format!("rcp level {i}"));
                            }
                        }
                    }
                    other => d.missing.push(other.to_string()),
                }
            }
        }
        Outcome::Allow(path) => {
            d.kind = DecisionKind::Allow;
            for l in scps.iter().chain(rcps.iter()) {
                d.reasons.extend(l.allows.iter().map(Hit::reason));
            }
            let push_resource =
                |d: &mut Decision| d.reasons.extend(resource.allows.iter().map(Hit::reason));
            let push_identity = |d: &mut Decision| {
                d.reasons.extend(identity.allows.iter().map(Hit::reason));
                for l in boundary.iter().chain(session.iter()) {
                    d.reasons.extend(l.allows.iter().map(Hit::reason));
                }
            };
            match path {
                Path::Root => {}
                Path::ResourceDirect => push_resource(&mut d),
                Path::ResourceRole => {
                    push_resource(&mut d);
                    for l in boundary.iter().chain(session.iter()) {
                        d.reasons.extend(l.allows.iter().map(Hit::reason));
                    }
                }
                Path::Identity => {
                    push_resource(&mut d);
                    push_identity(&mut d);
                }
                Path::CrossAccount => {
                    push_resource(&mut d);
                    push_identity(&mut d);
                }
            }
        }
    }
    d
}
