//! The principal graph of an estate, in the manner of NCC Group's Principal Mapper, with every
//! edge decided by the evaluator ([`crate::eval`]), never by reading policy text.
//!
//! Nodes are the estate's principals ([`IamEstate::principals`]) and one node per AWS service
//! that runs code with a role ([`COMPUTE_SERVICES`]). An edge `P -> Q` means that `P` can act
//! as `Q`:
//!
//! - `sts:AssumeRole`: `P` may call `sts:AssumeRole` on role `Q`'s ARN. The decision applies
//!   `P`'s identity-based policies, boundary, SCPs and `Q`'s trust policy, which must allow
//!   even within the account
//!   ([roles: trust policy](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html)).
//! - `PassRole+<service action>`: `P` may call `iam:PassRole` on role `Q`'s ARN (with
//!   `iam:PassedToService` set to the service principal, as AWS sets it,
//!   [iam:PassedToService](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService)),
//!   may create and start the compute of a service that runs code with a role, and `Q`'s trust
//!   policy lets that service principal assume it
//!   ([granting a user permissions to pass a role](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html)).
//!   The compute actions are decided on the resource `*`: they act on resources that do not
//!   exist yet (a function, an instance, a stack), so a policy that grants them only on named
//!   ARNs is not counted (an under-approximation, stated here). For EC2, the instance profile
//!   that carries the role is taken to exist: a role that trusts `ec2.amazonaws.com` is made
//!   to be in one, so `iam:AddRoleToInstanceProfile` is not required.
//! - `iam:UpdateAssumeRolePolicy`: `P` may rewrite role `Q`'s trust policy, and may then
//!   assume `Q` under a trust policy that names it (decided with that policy in place of the
//!   role's, so SCPs and `P`'s boundary still apply).
//! - `iam:CreateAccessKey`, `iam:CreateLoginProfile`, `iam:UpdateLoginProfile`: `P` may create
//!   credentials for user `Q`.
//!
//! A decision that is `allow` makes a certain edge; one that is `unknown` but could allow makes
//! an unknown edge, kept apart ([`PrincipalGraph::unknown_edges`]); any other makes none.
//! Services have their own edges to the roles whose trust policy lets them in
//! ([`PrincipalGraph::service_edges`]).
//!
//! Cost: pairs are filtered first by what could allow at all (an identity-based statement whose
//! `Action` and `Resource` may match, or a trust statement whose principal may be the caller);
//! only those pairs are decided. A pair the filter drops could not be allowed by any policy.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use crate::condition::RequestContext;
use crate::estate::IamEstate;
use crate::eval::{arn_account, evaluate, request_context, Decision, DecisionKind, NamedPolicy};
use crate::eval::{PolicySet, Query};
use crate::pattern::{action_matches, resource_matches};
use crate::policy::{Effect, EffectValue, Leaf, PrincipalElement, Principals, Statement, Targets};
use crate::principal::{PrincipalKind, RequestPrincipal};
use crate::variables::has_variables;

/// An AWS service that runs code with a role passed to it, and what a caller needs to make it
/// do so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ComputeService {
    /// The service principal that assumes the role (`lambda.amazonaws.com`).
    pub principal: &'static str,
    /// The edge's method ID (`PassRole+lambda:CreateFunction`).
    pub method: &'static str,
    /// The actions the caller needs besides `iam:PassRole`: every group must be allowed, one
    /// action of a group suffices.
    pub requires: &'static [&'static [&'static str]],
}

/// The services of `PassRole` edges, following the privilege escalation methods documented by
/// Rhino Security Labs and Principal Mapper, and each service's API reference.
pub const COMPUTE_SERVICES: &[ComputeService] = &[
    ComputeService {
        principal: "ec2.amazonaws.com",
        method: "PassRole+ec2:RunInstances",
        requires: &[&["ec2:RunInstances"]],
    },
    ComputeService {
        principal: "lambda.amazonaws.com",
        method: "PassRole+lambda:CreateFunction",
        requires: &[
            &["lambda:CreateFunction"],
            &["lambda:InvokeFunction", "lambda:CreateEventSourceMapping"],
        ],
    },
    ComputeService {
        principal: "ecs-tasks.amazonaws.com",
        method: "PassRole+ecs:RunTask",
        requires: &[&["ecs:RegisterTaskDefinition"], &["ecs:RunTask"]],
    },
    ComputeService {
        principal: "glue.amazonaws.com",
        method: "PassRole+glue:CreateDevEndpoint",
        requires: &[&["glue:CreateDevEndpoint"]],
    },
    ComputeService {
        principal: "glue.amazonaws.com",
        method: "PassRole+glue:CreateJob",
        requires: &[&["glue:CreateJob"], &["glue:StartJobRun"]],
    },
    ComputeService {
        principal: "cloudformation.amazonaws.com",
        method: "PassRole+cloudformation:CreateStack",
        requires: &[&["cloudformation:CreateStack"]],
    },
    ComputeService {
        principal: "datapipeline.amazonaws.com",
        method: "PassRole+datapipeline:CreatePipeline",
        requires: &[
            &["datapipeline:CreatePipeline"],
            &["datapipeline:PutPipelineDefinition"],
        ],
    },
    ComputeService {
        principal: "sagemaker.amazonaws.com",
        method: "PassRole+sagemaker:CreateNotebookInstance",
        requires: &[
            &["sagemaker:CreateNotebookInstance"],
            &["sagemaker:CreatePresignedNotebookInstanceUrl"],
        ],
    },
    ComputeService {
        principal: "codebuild.amazonaws.com",
        method: "PassRole+codebuild:CreateProject",
        requires: &[&["codebuild:CreateProject"], &["codebuild:StartBuild"]],
    },
];

/// The credential-creation actions of credential edges.
pub const CREDENTIAL_ACTIONS: &[&str] = &[
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
];

/// A node of the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    /// An index into [`IamEstate::principals`].
    Principal(usize),
    /// A service principal of [`COMPUTE_SERVICES`] (`lambda.amazonaws.com`).
    Service(&'static str),
}

/// One decision an edge rests on.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The caller's ARN (or service principal).
    pub caller: String,
    pub action: String,
    pub resource: String,
    /// The decision, with the statements that decided it (shared between the steps that
    /// have the same decision).
    pub decision: Arc<Decision>,
}

/// An edge: `from` can act as `to`.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub from: Node,
    pub to: Node,
    /// The method ID: `sts:AssumeRole`, `PassRole+lambda:CreateFunction`,
    /// `iam:UpdateAssumeRolePolicy`, `iam:CreateAccessKey`, ...
    pub method: &'static str,
    /// The service principal a `PassRole` edge goes through.
    pub service: Option<&'static str>,
    /// [`DecisionKind::Allow`] (every step allows) or [`DecisionKind::Unknown`] (some step may
    /// allow).
    pub status: DecisionKind,
    /// The decisions, in the order the caller needs them (shared between edges).
    pub steps: Vec<Arc<Step>>,
}

impl Edge {
    /// The source principal, for an edge between principals.
    pub fn from_principal(&self) -> Option<usize> {
        match self.from {
            Node::Principal(i) => Some(i),
            Node::Service(_) => None,
        }
    }

    /// The target principal.
    pub fn to_principal(&self) -> Option<usize> {
        match self.to {
            Node::Principal(i) => Some(i),
            Node::Service(_) => None,
        }
    }
}

/// Where an edge is kept: `(certain, index)` into [`PrincipalGraph::edges`] when `certain`,
/// else into [`PrincipalGraph::unknown_edges`].
pub type EdgeRef = (bool, usize);

/// The principal graph of an estate.
#[derive(Clone, Debug, Default)]
pub struct PrincipalGraph {
    /// The principals (in estate order), then the services.
    pub nodes: Vec<Node>,
    /// Certain edges between principals, by source principal, then target, then method.
    pub edges: Vec<Edge>,
    /// Edges between principals that depend on something unknown.
    pub unknown_edges: Vec<Edge>,
    /// Service -> role edges: the role's trust policy lets the service assume it.
    pub service_edges: Vec<Edge>,
    /// Per principal: its outgoing edges (certain first, each list in edge order).
    outgoing: Vec<Vec<EdgeRef>>,
    /// Per principal: its incoming edges.
    incoming: Vec<Vec<EdgeRef>>,
}

/// Whether a decision allows (`Some(Allow)`), may allow (`Some(Unknown)`) or cannot
/// (`None`).
pub fn allow_status(d: &Decision) -> Option<DecisionKind> {
    match d.kind {
        DecisionKind::Allow => Some(DecisionKind::Allow),
        DecisionKind::Unknown if d.possible.contains(&DecisionKind::Allow) => {
            Some(DecisionKind::Unknown)
        }
        _ => None,
    }
}

/// AND of statuses: `None` if any is `None`, unknown if any is unknown.
pub(crate) fn and_status(a: Option<DecisionKind>, b: Option<DecisionKind>) -> Option<DecisionKind> {
    match (a, b) {
        (None, _) | (_, None) => None,
        (Some(DecisionKind::Allow), Some(DecisionKind::Allow)) => Some(DecisionKind::Allow),
        _ => Some(DecisionKind::Unknown),
    }
}

/// Decides requests against an estate with what does not change between them cached: the
/// request principals, the SCP and RCP levels, the estate resources a resource ARN belongs to.
/// Its decisions are those of [`IamEstate::decide`].
pub(crate) struct Decider<'e> {
    pub(crate) estate: &'e IamEstate,
    who: Vec<RequestPrincipal>,
    scps: Vec<Vec<&'e NamedPolicy>>,
    rcps: Vec<Vec<&'e NamedPolicy>>,
    /// Resource ARN patterns without wildcards (which match only themselves), by text.
    exact: HashMap<&'e str, Vec<usize>>,
    /// The other patterns, with their resource.
    wild: Vec<(usize, &'e str)>,
    resources: RefCell<HashMap<String, Vec<usize>>>,
}

impl<'e> Decider<'e> {
    pub(crate) fn new(estate: &'e IamEstate) -> Decider<'e> {
        let refs = |levels: &[Vec<usize>]| -> Vec<Vec<&'e NamedPolicy>> {
            levels
                .iter()
                .map(|l| l.iter().filter_map(|&i| estate.policies.get(i)).collect())
                .collect()
        };
        let mut exact: HashMap<&'e str, Vec<usize>> = HashMap::new();
        let mut wild = Vec::new();
        for (i, r) in estate.resources.iter().enumerate() {
            for a in &r.arns {
                // `resource_matches` of a pattern without `*` and `?` (and without the
                // characters that stand for escaped ones, which are not ASCII) is equality.
                if a.is_ascii() && !a.contains(['*', '?']) {
                    exact.entry(a.as_str()).or_default().push(i);
                } else {
                    wild.push((i, a.as_str()));
                }
            }
        }
        Decider {
            estate,
            exact,
            wild,
            who: estate
                .principals
                .iter()
                .map(|p| RequestPrincipal::parse(&p.arn))
                .collect(),
            scps: refs(&estate.scps),
            rcps: refs(&estate.rcps),
            resources: RefCell::new(HashMap::new()),
        }
    }

    pub(crate) fn who(&self, principal: usize) -> Option<&RequestPrincipal> {
        self.who.get(principal)
    }

    /// The estate resources `resource` belongs to (cached).
    pub(crate) fn resources_of(&self, resource: &str) -> Vec<usize> {
        if let Some(r) = self.resources.borrow().get(resource) {
            return r.clone();
        }
        // The same as `IamEstate::resources_of`: the resources, in order, with a pattern that
        // matches.
        let mut r: Vec<usize> = self.exact.get(resource).cloned().unwrap_or_default();
        r.extend(
            self.wild
                .iter()
                .filter(|(_, a)| resource_matches(a, resource))
                .map(|(i, _)| *i),
        );
        r.sort_unstable();
        r.dedup();
        self.resources
            .borrow_mut()
            .insert(resource.to_string(), r.clone());
        r
    }

    /// The resource-based policies of `resource`.
    pub(crate) fn resource_policies(&self, resource: &str) -> Vec<&'e NamedPolicy> {
        let estate = self.estate;
        let mut out = Vec::new();
        for r in self.resources_of(resource) {
            if let Some(res) = estate.resources.get(r) {
                out.extend(res.policies.iter().filter_map(|&i| estate.policies.get(i)));
            }
        }
        out
    }

    /// [`IamEstate::decide`] for `caller` (an estate principal, or a service principal).
    pub(crate) fn decide(
        &self,
        caller: Caller<'_>,
        action: &str,
        resource: &str,
        context: &RequestContext,
    ) -> Decision {
        let policies = self.resource_policies(resource);
        self.decide_in(caller, action, resource, policies, context)
    }

    /// [`Decider::decide`] with the resource's resource-based policies given.
    pub(crate) fn decide_in(
        &self,
        caller: Caller<'_>,
        action: &str,
        resource: &str,
        resource_policies: Vec<&NamedPolicy>,
        context: &RequestContext,
    ) -> Decision {
        let estate = self.estate;
        let service_who;
        let (who, index) = match caller {
            Caller::Principal(i) => match self.who.get(i) {
                Some(w) => (w, Some(i)),
                None => {
                    service_who = RequestPrincipal::parse("anonymous");
                    (&service_who, None)
                }
            },
            Caller::Service(s) => {
                service_who = RequestPrincipal::parse(s);
                (&service_who, None)
            }
        };
        let p = index.and_then(|i| estate.principals.get(i));
        let set = PolicySet {
            identity: p
                .map(|p| {
                    p.identity
                        .iter()
                        .filter_map(|&i| estate.policies.get(i))
                        .collect()
                })
                .unwrap_or_default(),
            resource: resource_policies,
            boundary: p
                .and_then(|p| p.boundary)
                .and_then(|i| estate.policies.get(i)),
            session: None,
            scps: self.scps.clone(),
            rcps: self.rcps.clone(),
        };
        let account = if self.resources_of(resource).is_empty() {
            arn_account(resource).unwrap_or(estate.account_id())
        } else {
            estate.account_id()
        };
        let ctx = request_context(context, who, Some(account));
        let query = Query {
            principal: who,
            action,
            resource,
            resource_account: Some(account),
            context: &ctx,
        };
        evaluate(&set, &query)
    }

    /// A decision as a [`Step`].
    pub(crate) fn step(
        &self,
        caller: Caller<'_>,
        action: &str,
        resource: &str,
        context: &RequestContext,
    ) -> Arc<Step> {
        let decision = Arc::new(self.decide(caller, action, resource, context));
        self.step_with(caller, action, resource, decision)
    }

    fn step_with(
        &self,
        caller: Caller<'_>,
        action: &str,
        resource: &str,
        decision: Arc<Decision>,
    ) -> Arc<Step> {
        Arc::new(Step {
            caller: match caller {
                Caller::Principal(i) => self
                    .estate
                    .principals
                    .get(i)
                    .map(|p| p.arn.clone())
                    .unwrap_or_default(),
                Caller::Service(s) => s.to_string(),
            },
            action: action.to_string(),
            resource: resource.to_string(),
            decision,
        })
    }

    /// The identity-based statements of `principal` that may allow `action` (effect `Allow`
    /// or unknown, `Action` that may match). The principal's other statements cannot allow it.
    pub(crate) fn identity_candidates(&self, principal: usize, action: &str) -> Vec<&'e Statement> {
        let estate = self.estate;
        let Some(p) = estate.principals.get(principal) else {
            return Vec::new();
        };
        p.identity
            .iter()
            .filter_map(|&i| estate.policies.get(i))
            .flat_map(|np| np.policy.statements.iter())
            .filter(|st| may_allow(st) && may_match_action(&st.action, action))
            .collect()
    }
}

/// Who makes a request decided by [`Decider`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum Caller<'a> {
    Principal(usize),
    Service(&'a str),
}

fn may_allow(st: &Statement) -> bool {
    !matches!(st.effect, EffectValue::Known(Effect::Deny))
}

/// Whether `Action`/`NotAction` may cover `action` (true when unknown).
pub(crate) fn may_match_action(targets: &Targets, action: &str) -> bool {
    match targets {
        Targets::Only(l) => l.iter().any(|leaf| match leaf {
            Leaf::Known(p) => action_matches(p, action),
            Leaf::Unknown(_) => true,
        }),
        Targets::AllBut(l) => !l.iter().any(|leaf| match leaf {
            Leaf::Known(p) => action_matches(p, action),
            Leaf::Unknown(_) => false,
        }),
    }
}

/// Whether a statement's `Resource`/`NotResource` may cover `resource` (true when unknown or
/// written with policy variables).
pub(crate) fn may_match_resource(st: &Statement, resource: &str) -> bool {
    match &st.resource {
        None => true,
        Some(Targets::Only(l)) => l.iter().any(|leaf| match leaf {
            Leaf::Known(p) => has_variables(p) || resource_matches(p, resource),
            Leaf::Unknown(_) => true,
        }),
        Some(Targets::AllBut(l)) => !l.iter().any(|leaf| match leaf {
            Leaf::Known(p) => !has_variables(p) && resource_matches(p, resource),
            Leaf::Unknown(_) => false,
        }),
    }
}

/// Which callers a role's trust policy may let in for `sts:AssumeRole`, as a filter: callers
/// it cannot let in are dropped before deciding.
#[derive(Clone, Debug, Default)]
struct TrustFilter {
    /// A statement may apply to anyone (`*`, `NotPrincipal`, an unknown principal).
    wide: bool,
    /// A statement names an account: it lets in callers whose identity-based policies allow.
    account: bool,
    /// Named IAM principals: (is a role, name).
    names: Vec<(bool, String)>,
    /// Service principals, lowercased.
    services: Vec<String>,
}

impl TrustFilter {
    fn of(policies: &[&NamedPolicy]) -> TrustFilter {
        let mut f = TrustFilter::default();
        for st in policies.iter().flat_map(|p| p.policy.statements.iter()) {
            if !may_allow(st) || !may_match_action(&st.action, "sts:AssumeRole") {
                continue;
            }
            match &st.principal {
                None | Some(PrincipalElement::AllBut(_)) => f.wide = true,
                Some(PrincipalElement::Only(Principals::Everyone))
                | Some(PrincipalElement::Only(Principals::Unknown(_))) => f.wide = true,
                Some(PrincipalElement::Only(Principals::Typed(map))) => {
                    for (kind, values) in map {
                        for v in values {
                            let Leaf::Known(text) = v else {
                                f.wide = true;
                                continue;
                            };
                            f.add(*kind, text);
                        }
                    }
                }
            }
        }
        f
    }

    fn add(&mut self, kind: crate::policy::PrincipalType, text: &str) {
        use crate::policy::PrincipalType;
        match kind {
            PrincipalType::Service => self.services.push(text.to_ascii_lowercase()),
            PrincipalType::Aws => {
                if text == "*" {
                    self.wide = true;
                    return;
                }
                let p = RequestPrincipal::parse(text);
                match p.kind {
                    PrincipalKind::Root => self.account = true,
                    PrincipalKind::Role | PrincipalKind::RoleSession => {
                        if let Some(n) = p.name {
                            self.names.push((true, n));
                        }
                    }
                    PrincipalKind::User => {
                        if let Some(n) = p.name {
                            self.names.push((false, n));
                        }
                    }
                    // A federated user session of the account, an ARN this engine does not
                    // classify: keep the pair.
                    _ => self.wide = true,
                }
            }
            PrincipalType::Federated | PrincipalType::CanonicalUser => {}
        }
    }

    /// Whether the trust policy may let `who` in; `identity_may_allow` is asked only when a
    /// statement names an account.
    fn may_admit(&self, who: &RequestPrincipal, identity_may_allow: impl FnOnce() -> bool) -> bool {
        if self.wide || (self.account && identity_may_allow()) {
            return true;
        }
        let is_role = matches!(who.kind, PrincipalKind::Role | PrincipalKind::RoleSession);
        match &who.name {
            Some(n) => self.names.iter().any(|(r, m)| *r == is_role && m == n),
            None => false,
        }
    }

    fn may_admit_service(&self, service: &str) -> bool {
        self.wide
            || self
                .services
                .iter()
                .any(|s| s.eq_ignore_ascii_case(service))
    }
}

/// Combine the decisions of an AND of OR-groups of actions: per group, the allowing decision,
/// else the unknown ones, else the denying ones.
fn requirement_status(
    d: &Decider<'_>,
    caller: usize,
    groups: &[&[&str]],
    resource: &str,
    context: &RequestContext,
    cache: &mut HashMap<String, Arc<Step>>,
) -> (Option<DecisionKind>, Vec<Arc<Step>>) {
    let mut status = Some(DecisionKind::Allow);
    let mut steps = Vec::new();
    for group in groups {
        let mut allowed = None;
        let mut unknown = Vec::new();
        let mut denied = Vec::new();
        for action in group.iter() {
            let step = match cache.get(*action) {
                Some(s) => s.clone(),
                None => {
                    let s = d.step(Caller::Principal(caller), action, resource, context);
                    cache.insert(action.to_string(), s.clone());
                    s
                }
            };
            match allow_status(&step.decision) {
                Some(DecisionKind::Allow) => {
                    allowed = Some(step);
                    break;
                }
                Some(_) => unknown.push(step),
                None => denied.push(step),
            }
        }
        let (best, group_steps) = match allowed {
            Some(s) => (Some(DecisionKind::Allow), vec![s]),
            None if !unknown.is_empty() => (Some(DecisionKind::Unknown), unknown),
            None => (None, denied),
        };
        status = and_status(status, best);
        steps.extend(group_steps);
        if status.is_none() {
            break;
        }
    }
    (status, steps)
}

/// The decisions of one principal for one action on resources that differ only in their ARN
/// (roles, users), shared between the resources for which every statement that could apply
/// matches the same way: the decision cannot tell them apart. Not used when a statement's
/// `Resource` holds policy variables, or when the resource has a resource-based policy that
/// may apply to the action.
struct Memo<'e> {
    action: &'static str,
    statements: Vec<&'e Statement>,
    usable: bool,
    decisions: HashMap<(Vec<bool>, String, &'static str), Arc<Decision>>,
}

impl<'e> Memo<'e> {
    fn new(d: &Decider<'e>, principal: usize, action: &'static str) -> Memo<'e> {
        let estate = d.estate;
        let p = estate.principals.get(principal);
        let mut policies: Vec<&'e NamedPolicy> = p
            .map(|p| {
                p.identity
                    .iter()
                    .filter_map(|&i| estate.policies.get(i))
                    .collect()
            })
            .unwrap_or_default();
        policies.extend(
            p.and_then(|p| p.boundary)
                .and_then(|i| estate.policies.get(i)),
        );
        policies.extend(d.scps.iter().flatten().copied());
        policies.extend(d.rcps.iter().flatten().copied());
        let statements: Vec<&'e Statement> = policies
            .iter()
            .flat_map(|np| np.policy.statements.iter())
            .filter(|st| may_match_action(&st.action, action))
            .collect();
        let usable = statements.iter().all(|st| match &st.resource {
            None => true,
            Some(Targets::Only(l)) | Some(Targets::AllBut(l)) => l.iter().all(|leaf| match leaf {
                Leaf::Known(t) => !has_variables(t),
                Leaf::Unknown(_) => true,
            }),
        });
        Memo {
            action,
            statements,
            usable,
            decisions: HashMap::new(),
        }
    }

    /// The decision for `principal` on `resource` in `context`; `tag` names the context
    /// (requests with the same tag have the same context).
    fn step(
        &mut self,
        d: &Decider<'_>,
        principal: usize,
        resource: &str,
        tag: &'static str,
        context: &RequestContext,
    ) -> Arc<Step> {
        let caller = Caller::Principal(principal);
        let own_policy = d.resource_policies(resource).iter().any(|np| {
            np.policy
                .statements
                .iter()
                .any(|st| may_match_action(&st.action, self.action))
        });
        if !self.usable || own_policy {
            return d.step(caller, self.action, resource, context);
        }
        let mut bits = Vec::new();
        for st in &self.statements {
            if let Some(Targets::Only(l)) | Some(Targets::AllBut(l)) = &st.resource {
                for leaf in l {
                    bits.push(match leaf {
                        Leaf::Known(t) => resource_matches(t, resource),
                        Leaf::Unknown(_) => false,
                    });
                }
            }
        }
        let account = if d.resources_of(resource).is_empty() {
            arn_account(resource).unwrap_or(d.estate.account_id())
        } else {
            d.estate.account_id()
        };
        let key = (bits, account.to_string(), tag);
        let decision = match self.decisions.get(&key) {
            Some(x) => x.clone(),
            None => {
                let x = Arc::new(d.decide(caller, self.action, resource, context));
                self.decisions.insert(key, x.clone());
                x
            }
        };
        d.step_with(caller, self.action, resource, decision)
    }
}

impl PrincipalGraph {
    /// Build the graph of `estate`, deciding every edge in `context` (the request context the
    /// caller's requests would have; [`RequestContext::open`] from IaC).
    pub fn build(estate: &IamEstate, context: &RequestContext) -> PrincipalGraph {
        let d = Decider::new(estate);
        let n = estate.principals.len();
        let mut g = PrincipalGraph {
            nodes: (0..n)
                .map(Node::Principal)
                .chain(unique_services().map(Node::Service))
                .collect(),
            outgoing: vec![Vec::new(); n],
            incoming: vec![Vec::new(); n],
            ..PrincipalGraph::default()
        };
        let roles: Vec<usize> = (0..n)
            .filter(|&i| d.who(i).is_some_and(|w| w.kind == PrincipalKind::Role))
            .collect();
        let users: Vec<usize> = (0..n)
            .filter(|&i| d.who(i).is_some_and(|w| w.kind == PrincipalKind::User))
            .collect();
        let arn = |i: usize| {
            estate
                .principals
                .get(i)
                .map(|p| p.arn.as_str())
                .unwrap_or("")
        };
        let trust: Vec<TrustFilter> = roles
            .iter()
            .map(|&r| TrustFilter::of(&d.resource_policies(arn(r))))
            .collect();
        // The context of `iam:PassRole` to each service.
        let pass_contexts: BTreeMap<&'static str, RequestContext> = unique_services()
            .map(|s| {
                let mut c = context.clone();
                if !c.contains("iam:PassedToService") {
                    c.set("iam:PassedToService", s);
                }
                (s, c)
            })
            .collect();

        // Which services may assume each role.
        let mut service_trust: Vec<BTreeMap<&'static str, Arc<Step>>> = Vec::new();
        for (k, &r) in roles.iter().enumerate() {
            let mut m = BTreeMap::new();
            for s in unique_services() {
                if !trust.get(k).is_some_and(|t| t.may_admit_service(s)) {
                    continue;
                }
                let step = d.step(Caller::Service(s), "sts:AssumeRole", arn(r), context);
                if let Some(status) = allow_status(&step.decision) {
                    g.service_edges.push(Edge {
                        from: Node::Service(s),
                        to: Node::Principal(r),
                        method: "sts:AssumeRole",
                        service: Some(s),
                        status,
                        steps: vec![step.clone()],
                    });
                    m.insert(s, step);
                }
            }
            service_trust.push(m);
        }

        let mut found: Vec<Edge> = Vec::new();
        for p in 0..n {
            let Some(who) = d.who(p) else { continue };
            // sts:AssumeRole.
            let assume = d.identity_candidates(p, "sts:AssumeRole");
            for (k, &r) in roles.iter().enumerate() {
                if r == p {
                    continue;
                }
                let identity = || assume.iter().any(|st| may_match_resource(st, arn(r)));
                if !trust.get(k).is_some_and(|t| t.may_admit(who, identity)) {
                    continue;
                }
                let step = d.step(Caller::Principal(p), "sts:AssumeRole", arn(r), context);
                if let Some(status) = allow_status(&step.decision) {
                    found.push(edge(p, r, "sts:AssumeRole", None, status, vec![step]));
                }
            }
            // iam:PassRole to a service that runs code.
            let pass = d.identity_candidates(p, "iam:PassRole");
            if !pass.is_empty() {
                let mut memo = Memo::new(&d, p, "iam:PassRole");
                let mut compute_cache: HashMap<String, Arc<Step>> = HashMap::new();
                let mut compute: BTreeMap<&'static str, (Option<DecisionKind>, Vec<Arc<Step>>)> =
                    BTreeMap::new();
                for (k, &r) in roles.iter().enumerate() {
                    let Some(trusted) = service_trust.get(k) else {
                        continue;
                    };
                    if r == p
                        || trusted.is_empty()
                        || !pass.iter().any(|st| may_match_resource(st, arn(r)))
                    {
                        continue;
                    }
                    for svc in COMPUTE_SERVICES {
                        let (Some(trust_step), Some(ctx)) =
                            (trusted.get(svc.principal), pass_contexts.get(svc.principal))
                        else {
                            continue;
                        };
                        let (cstatus, csteps) = compute.entry(svc.method).or_insert_with(|| {
                            requirement_status(
                                &d,
                                p,
                                svc.requires,
                                "*",
                                context,
                                &mut compute_cache,
                            )
                        });
                        if cstatus.is_none() {
                            continue;
                        }
                        let pass_step = memo.step(&d, p, arn(r), svc.principal, ctx);
                        let status = and_status(
                            and_status(allow_status(&pass_step.decision), *cstatus),
                            allow_status(&trust_step.decision),
                        );
                        if let Some(status) = status {
                            let mut steps = Vec::with_capacity(csteps.len() + 2);
                            steps.push(pass_step);
                            steps.extend(csteps.iter().cloned());
                            steps.push(trust_step.clone());
                            found.push(edge(p, r, svc.method, Some(svc.principal), status, steps));
                        }
                    }
                }
            }
            // iam:UpdateAssumeRolePolicy on another role.
            let update = d.identity_candidates(p, "iam:UpdateAssumeRolePolicy");
            if !update.is_empty() {
                let mut memo = Memo::new(&d, p, "iam:UpdateAssumeRolePolicy");
                for &r in &roles {
                    if r == p || !update.iter().any(|st| may_match_resource(st, arn(r))) {
                        continue;
                    }
                    let step = memo.step(&d, p, arn(r), "", context);
                    let Some(update_status) = allow_status(&step.decision) else {
                        continue;
                    };
                    // Then assume it under a trust policy that names the caller: what else
                    // applies (SCPs, its boundary) must allow too.
                    let Some(rewritten) = rewritten_trust(arn(p)) else {
                        continue;
                    };
                    let decision = d.decide_in(
                        Caller::Principal(p),
                        "sts:AssumeRole",
                        arn(r),
                        vec![&rewritten],
                        context,
                    );
                    let assume = d.step_with(
                        Caller::Principal(p),
                        "sts:AssumeRole",
                        arn(r),
                        Arc::new(decision),
                    );
                    if let Some(status) =
                        and_status(Some(update_status), allow_status(&assume.decision))
                    {
                        found.push(edge(
                            p,
                            r,
                            "iam:UpdateAssumeRolePolicy",
                            None,
                            status,
                            vec![step, assume],
                        ));
                    }
                }
            }
            // Credentials for another user.
            for &action in CREDENTIAL_ACTIONS {
                let cands = d.identity_candidates(p, action);
                if cands.is_empty() {
                    continue;
                }
                let mut memo = Memo::new(&d, p, action);
                for &u in &users {
                    if u == p || !cands.iter().any(|st| may_match_resource(st, arn(u))) {
                        continue;
                    }
                    let step = memo.step(&d, p, arn(u), "", context);
                    if let Some(status) = allow_status(&step.decision) {
                        found.push(edge(p, u, action, None, status, vec![step]));
                    }
                }
            }
        }
        // The pairs dropped by the filters are those no policy could allow: an identity-based
        // policy is needed for every action here but `sts:AssumeRole`, whose trust policy the
        // filter reads. A resource-based policy on a role or user for the other actions is
        // not a thing AWS has.
        for e in found {
            let (Some(from), Some(to)) = (e.from_principal(), e.to_principal()) else {
                continue;
            };
            let r = if e.status == DecisionKind::Allow {
                g.edges.push(e);
                (true, g.edges.len() - 1)
            } else {
                g.unknown_edges.push(e);
                (false, g.unknown_edges.len() - 1)
            };
            if let Some(o) = g.outgoing.get_mut(from) {
                o.push(r);
            }
            if let Some(i) = g.incoming.get_mut(to) {
                i.push(r);
            }
        }
        for list in g.outgoing.iter_mut().chain(g.incoming.iter_mut()) {
            list.sort_by_key(|&(certain, i)| (!certain, i));
        }
        g
    }

    /// The edge an [`EdgeRef`] points to.
    pub fn edge(&self, r: EdgeRef) -> Option<&Edge> {
        if r.0 {
            self.edges.get(r.1)
        } else {
            self.unknown_edges.get(r.1)
        }
    }

    /// The edges leaving principal `p` (certain first).
    pub fn outgoing(&self, p: usize) -> &[EdgeRef] {
        self.outgoing.get(p).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The edges entering principal `p` (certain first).
    pub fn incoming(&self, p: usize) -> &[EdgeRef] {
        self.incoming.get(p).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Shortest paths to a set of targets, for every principal at once (a breadth-first search
    /// backwards from the targets, in principal order, then edge order: deterministic).
    /// `targets[i]` says whether principal `i` is one; with `certain_only`, unknown edges are
    /// not used. The result gives, per principal, the first edge of its shortest path (`None`
    /// for the targets themselves and the principals that reach none) and the path's length.
    pub fn paths_to(&self, targets: &[bool], certain_only: bool) -> Paths {
        let n = self.outgoing.len();
        let mut next: Vec<Option<EdgeRef>> = vec![None; n];
        let mut dist: Vec<Option<usize>> = vec![None; n];
        let mut queue = VecDeque::new();
        for (i, t) in targets.iter().enumerate().take(n) {
            if *t {
                if let Some(slot) = dist.get_mut(i) {
                    *slot = Some(0);
                }
                queue.push_back(i);
            }
        }
        while let Some(v) = queue.pop_front() {
            let dv = dist.get(v).copied().flatten().unwrap_or(0);
            for &r in self.incoming(v) {
                if certain_only && !r.0 {
                    continue;
                }
                let Some(u) = self.edge(r).and_then(Edge::from_principal) else {
                    continue;
                };
                if dist.get(u).is_some_and(Option::is_none) {
                    if let Some(slot) = dist.get_mut(u) {
                        *slot = Some(dv + 1);
                    }
                    if let Some(slot) = next.get_mut(u) {
                        *slot = Some(r);
                    }
                    queue.push_back(u);
                }
            }
        }
        Paths { next, dist }
    }

    /// The chain of edges from `from` along `paths` (empty for a target or a principal that
    /// reaches none).
    pub fn chain(&self, paths: &Paths, from: usize) -> Vec<Edge> {
        let mut out = Vec::new();
        let mut at = from;
        while let Some(Some(r)) = paths.next.get(at) {
            let Some(e) = self.edge(*r) else { break };
            out.push(e.clone());
            match e.to_principal() {
                Some(t) if out.len() <= paths.next.len() => at = t,
                _ => break,
            }
        }
        out
    }

    /// Who can do `action` on `resource`, directly or through the graph (see
    /// [`IamEstate::who_can_transitive`]).
    pub fn who_can(
        &self,
        estate: &IamEstate,
        action: &str,
        resource: &str,
        context: &RequestContext,
    ) -> Vec<TransitiveAnswer> {
        let d = Decider::new(estate);
        let n = estate.principals.len();
        let direct: Vec<Decision> = (0..n)
            .map(|i| d.decide(Caller::Principal(i), action, resource, context))
            .collect();
        let allowed: Vec<bool> = direct
            .iter()
            .map(|x| allow_status(x) == Some(DecisionKind::Allow))
            .collect();
        let maybe: Vec<bool> = direct.iter().map(|x| allow_status(x).is_some()).collect();
        let certain = self.paths_to(&allowed, true);
        let any = self.paths_to(&maybe, false);
        let mut out: Vec<TransitiveAnswer> = direct
            .into_iter()
            .enumerate()
            .map(|(i, decision)| {
                let own = allow_status(&decision);
                let (status, paths) = if own == Some(DecisionKind::Allow) {
                    (DecisionKind::Allow, None)
                } else if certain.dist.get(i).copied().flatten().is_some() {
                    (DecisionKind::Allow, Some(&certain))
                } else if own.is_some() {
                    (DecisionKind::Unknown, None)
                } else if any.dist.get(i).copied().flatten().is_some() {
                    (DecisionKind::Unknown, Some(&any))
                } else {
                    (decision.kind, None)
                };
                let chain = paths.and_then(|paths| {
                    let edges = self.chain(paths, i);
                    let target = edges.last().and_then(Edge::to_principal)?;
                    Some(Chain { edges, target })
                });
                TransitiveAnswer {
                    principal: i,
                    decision,
                    status,
                    chain,
                }
            })
            .collect();
        let rank = |k: DecisionKind| match k {
            DecisionKind::Allow => 0,
            DecisionKind::Unknown => 1,
            DecisionKind::ExplicitDeny => 2,
            DecisionKind::ImplicitDeny => 3,
        };
        out.sort_by(|a, b| {
            rank(a.status)
                .cmp(&rank(b.status))
                .then_with(|| {
                    let an = estate.principals.get(a.principal).map(|p| &p.address);
                    let bn = estate.principals.get(b.principal).map(|p| &p.address);
                    an.cmp(&bn)
                })
                .then(a.principal.cmp(&b.principal))
        });
        out
    }
}

/// Shortest paths to a set of targets ([`PrincipalGraph::paths_to`]).
#[derive(Clone, Debug, Default)]
pub struct Paths {
    /// Per principal: the first edge of its shortest path.
    pub next: Vec<Option<EdgeRef>>,
    /// Per principal: the path's length (0 for a target), `None` when it reaches none.
    pub dist: Vec<Option<usize>>,
}

/// A chain of edges from a principal to one that is allowed.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    /// The edges, in order; the first leaves the answer's principal.
    pub edges: Vec<Edge>,
    /// The principal at the end (an index into [`IamEstate::principals`]), whose own decision
    /// allows (or, for an unknown answer, may allow).
    pub target: usize,
}

/// One principal's answer in [`IamEstate::who_can_transitive`].
#[derive(Clone, Debug, PartialEq)]
pub struct TransitiveAnswer {
    /// Index into [`IamEstate::principals`].
    pub principal: usize,
    /// Its own decision for the request.
    pub decision: Decision,
    /// The answer: [`DecisionKind::Allow`] when its own decision allows or a chain of certain
    /// edges leads to a principal that is allowed; [`DecisionKind::Unknown`] when it may (its
    /// own decision is unknown, or a chain with an unknown edge or an unknown end); otherwise
    /// its own decision's kind.
    pub status: DecisionKind,
    /// The shortest chain, when the answer comes through the graph.
    pub chain: Option<Chain>,
}

impl IamEstate {
    /// Every principal with its own decision for the request and, when that does not allow,
    /// the shortest chain through the [`PrincipalGraph`] to a principal whose decision does.
    /// Allowed first, then unknown, then denied; by address within each. Builds the graph in
    /// `context`; to ask several questions, build it once with [`PrincipalGraph::build`] and
    /// call [`PrincipalGraph::who_can`].
    pub fn who_can_transitive(
        &self,
        action: &str,
        resource: &str,
        context: &RequestContext,
    ) -> Vec<TransitiveAnswer> {
        PrincipalGraph::build(self, context).who_can(self, action, resource, context)
    }
}

fn edge(
    from: usize,
    to: usize,
    method: &'static str,
    service: Option<&'static str>,
    status: DecisionKind,
    steps: Vec<Arc<Step>>,
) -> Edge {
    Edge {
        from: Node::Principal(from),
        to: Node::Principal(to),
        method,
        service,
        status,
        steps,
    }
}

/// The trust policy a caller that may rewrite a role's trust policy would write: one that lets
/// it assume the role.
fn rewritten_trust(caller_arn: &str) -> Option<NamedPolicy> {
    let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": caller_arn}, "Action": "sts:AssumeRole"}]});
    let policy = crate::policy::Policy::from_json(&doc).ok()?;
    Some(NamedPolicy::new(
        "trust policy rewritten to name the caller",
        policy,
    ))
}

/// The service principals of [`COMPUTE_SERVICES`], each once, in order.
fn unique_services() -> impl Iterator<Item = &'static str> {
    COMPUTE_SERVICES
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            !COMPUTE_SERVICES
                .iter()
                .take(*i)
                .any(|t| t.principal == s.principal)
        })
        .map(|(_, s)| s.principal)
}
