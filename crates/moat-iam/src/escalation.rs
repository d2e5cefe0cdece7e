//! Privilege escalation: a principal that is not an administrator but can make itself one,
//! each method decided by the evaluator ([`crate::eval`]), never by reading policy text. The
//! methods are those documented by Rhino Security Labs ("AWS IAM Privilege Escalation:
//! Methods and Mitigation") and NCC Group's Principal Mapper.
//!
//! **Administrator.** A principal is an administrator when it is allowed every action of
//! [`ADMIN_ACTIONS`] on `*`: full control of IAM (create users, write and attach policies to
//! users and roles) is full control of the account, since it can grant itself anything else.
//! `*:*` on `*` and `iam:*` on `*` both qualify; a decision that may allow makes the status
//! unknown.
//!
//! **Methods on itself** (`target` is the principal's own policy, group or nothing):
//!
//! | method | decided on |
//! |---|---|
//! | `iam:CreatePolicyVersion`, `iam:SetDefaultPolicyVersion` | each customer managed policy attached to it (its ARN) |
//! | `iam:AttachUserPolicy`, `iam:PutUserPolicy` | its own user ARN |
//! | `iam:AttachRolePolicy`, `iam:PutRolePolicy` | its own role ARN |
//! | `iam:AttachGroupPolicy`, `iam:PutGroupPolicy` | each group it is a member of |
//! | `iam:AddUserToGroup` | each group it is not a member of whose policies would make it an administrator (decided as [`ADMIN_ACTIONS`] with the group's policies added to its own, its boundary and the SCPs still applying; the steps then include those decisions); with no groups known, `arn:aws:iam::ACCOUNT:group/*` (allowed on any group) |
//!
//! `iam:SetDefaultPolicyVersion` escalates only when a more permissive version exists, which
//! the estate does not show: it is reported as a method all the same. A permissions boundary
//! still caps what a policy written by these methods grants
//! ([permissions boundaries](https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html));
//! a boundary that denies the method itself removes it, since the method's own decision
//! applies the boundary.
//!
//! **Methods through other principals**: an edge of the [`PrincipalGraph`] (`sts:AssumeRole`,
//! `PassRole+<service action>`, `iam:UpdateAssumeRolePolicy`, `iam:CreateAccessKey`,
//! `iam:CreateLoginProfile`, `iam:UpdateLoginProfile`) that starts a chain ending at an
//! administrator; the method is the first edge's, the chain is the shortest one that starts
//! with it.
//!
//! Customer managed policies are known by their ARN: the [`EscalationInput::policy_arns`] given
//! ([`IamEstate::escalations`] gives the estate's own, [`IamEstate::policy_arns`]), else a
//! policy whose name is its ARN. AWS managed policies cannot be changed by their users.
//! Inline policies have no versions.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::condition::RequestContext;
use crate::estate::IamEstate;
use crate::eval::DecisionKind;
use crate::graph::{allow_status, and_status, Caller, Decider, Edge, PrincipalGraph, Step};
use crate::principal::PrincipalKind;

/// The actions an administrator is allowed on `*`.
pub const ADMIN_ACTIONS: &[&str] = &[
    "iam:CreateUser",
    "iam:PutUserPolicy",
    "iam:AttachUserPolicy",
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
];

/// The IDs of the methods a principal uses on itself.
pub const SELF_METHODS: &[&str] = &[
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
    "iam:AttachGroupPolicy",
    "iam:PutGroupPolicy",
    "iam:AddUserToGroup",
];

/// An IAM group: [`IamEstate`] folds a group's policies into its members' identity-based
/// policies, so the group methods need the groups themselves.
#[derive(Clone, Debug, PartialEq)]
pub struct EstateGroup {
    /// How the estate names it (`aws_iam_group.ops`).
    pub address: String,
    /// Its ARN (`arn:aws:iam::{account}:group/ops`).
    pub arn: String,
    /// Its members: indices into [`IamEstate::principals`].
    pub members: Vec<usize>,
    /// Its policies: indices into [`IamEstate::policies`].
    pub policies: Vec<usize>,
}

/// What escalation needs beyond [`IamEstate`].
#[derive(Clone, Debug, Default)]
pub struct EscalationInput {
    pub groups: Vec<EstateGroup>,
    /// The ARNs of customer managed policies, by index into [`IamEstate::policies`].
    pub policy_arns: BTreeMap<usize, String>,
}

/// What an escalation acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// A principal reached (the administrator at the end of a chain): an index into
    /// [`IamEstate::principals`].
    Principal(usize),
    /// A group: an index into [`EscalationInput::groups`].
    Group(usize),
    /// A customer managed policy: an index into [`IamEstate::policies`].
    Policy(usize),
}

/// One way a principal can make itself an administrator.
#[derive(Clone, Debug, PartialEq)]
pub struct Escalation {
    /// Index into [`IamEstate::principals`].
    pub principal: usize,
    /// The method's ID (`iam:CreatePolicyVersion`, `PassRole+lambda:CreateFunction`).
    pub method: &'static str,
    /// [`DecisionKind::Allow`] when every decision allows, [`DecisionKind::Unknown`] when some
    /// may.
    pub status: DecisionKind,
    pub target: Option<Target>,
    /// For a method through other principals: the edges, from the principal to the
    /// administrator.
    pub chain: Vec<Edge>,
    /// The decisions that enable it: the method's own for a method on itself; the
    /// administrator's [`ADMIN_ACTIONS`] decisions at the end of a chain.
    pub steps: Vec<Arc<Step>>,
}

/// Whether a principal is an administrator, and the decisions that say so.
#[derive(Clone, Debug, PartialEq)]
pub struct AdminStatus {
    /// `Some(Allow)`: an administrator; `Some(Unknown)`: may be one; `None`: is not.
    pub status: Option<DecisionKind>,
    pub steps: Vec<Arc<Step>>,
}

fn admin_status(d: &Decider<'_>, principal: usize, context: &RequestContext) -> AdminStatus {
    let mut status = Some(DecisionKind::Allow);
    let mut steps = Vec::new();
    for action in ADMIN_ACTIONS {
        if d.identity_candidates(principal, action).is_empty() {
            // No identity-based statement may allow it (IAM has no resource-based policies).
            return AdminStatus {
                status: None,
                steps,
            };
        }
        let step = d.step(Caller::Principal(principal), action, "*", context);
        status = and_status(status, allow_status(&step.decision));
        steps.push(step);
        if status.is_none() {
            break;
        }
    }
    AdminStatus { status, steps }
}

/// The ARN of a customer managed policy, or `None` (inline, AWS managed, not known).
fn customer_policy_arn(
    estate: &IamEstate,
    input: &EscalationInput,
    index: usize,
) -> Option<String> {
    let arn = input
        .policy_arns
        .get(&index)
        .cloned()
        .or_else(|| estate.policies.get(index).map(|p| p.name.clone()))?;
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "iam", _, account, res] if *account != "aws" && res.starts_with("policy/") => {
            Some(arn)
        }
        _ => None,
    }
}

impl IamEstate {
    /// The estate as it would be with user `p` a member of `group`: the group's policies
    /// added to the user's identity-based policies.
    fn with_group(&self, p: usize, group: &EstateGroup) -> IamEstate {
        let mut e = self.clone();
        if let Some(u) = e.principals.get_mut(p) {
            for &i in &group.policies {
                if !u.identity.contains(&i) {
                    u.identity.push(i);
                }
            }
        }
        e
    }

    /// Whether principal `index` is an administrator (see [`crate::escalation`]).
    pub fn admin_status(&self, index: usize, context: &RequestContext) -> AdminStatus {
        admin_status(&Decider::new(self), index, context)
    }

    /// What escalation reads beyond principals and policies, as the estate holds it: its
    /// groups ([`IamEstate::groups`]) and the ARNs of its customer managed policies
    /// ([`IamEstate::policy_arns`]), both filled by [`crate::from_model`].
    pub fn escalation_input(&self) -> EscalationInput {
        EscalationInput {
            groups: self.groups.clone(),
            policy_arns: self.policy_arns.clone(),
        }
    }

    /// Every privilege escalation of the estate, with the estate's own groups and policy
    /// ARNs ([`IamEstate::escalation_input`]); builds the graph in `context`. A
    /// [`Target::Group`] indexes [`IamEstate::groups`].
    pub fn escalations(&self, context: &RequestContext) -> Vec<Escalation> {
        let graph = PrincipalGraph::build(self, context);
        self.escalations_with(&graph, &self.escalation_input(), context)
    }

    /// Every privilege escalation of the estate: for each principal that is not certainly an
    /// administrator, each method on itself that may be allowed, and, for each method through
    /// other principals, the shortest chain to an administrator. By principal address, then
    /// method, then target.
    pub fn escalations_with(
        &self,
        graph: &PrincipalGraph,
        input: &EscalationInput,
        context: &RequestContext,
    ) -> Vec<Escalation> {
        let d = Decider::new(self);
        let n = self.principals.len();
        let admins: Vec<AdminStatus> = (0..n).map(|i| admin_status(&d, i, context)).collect();
        let mut out: Vec<Escalation> = Vec::new();

        // Methods on itself.
        for (p, admin) in admins.iter().enumerate() {
            if admin.status == Some(DecisionKind::Allow) {
                continue;
            }
            let Some(principal) = self.principals.get(p) else {
                continue;
            };
            let Some(kind) = d.who(p).map(|w| w.kind) else {
                continue;
            };
            let mut checks: Vec<(&'static str, String, Option<Target>)> = Vec::new();
            let mut seen = BTreeSet::new();
            for &i in &principal.identity {
                if let Some(arn) = customer_policy_arn(self, input, i) {
                    if seen.insert(arn.clone()) {
                        for m in ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"] {
                            checks.push((m, arn.clone(), Some(Target::Policy(i))));
                        }
                    }
                }
            }
            match kind {
                PrincipalKind::Role => {
                    for m in ["iam:AttachRolePolicy", "iam:PutRolePolicy"] {
                        checks.push((m, principal.arn.clone(), None));
                    }
                }
                PrincipalKind::User => {
                    for m in ["iam:AttachUserPolicy", "iam:PutUserPolicy"] {
                        checks.push((m, principal.arn.clone(), None));
                    }
                    for (g, group) in input.groups.iter().enumerate() {
                        if group.members.contains(&p) {
                            for m in ["iam:AttachGroupPolicy", "iam:PutGroupPolicy"] {
                                checks.push((m, group.arn.clone(), Some(Target::Group(g))));
                            }
                        } else if !group.policies.is_empty() {
                            checks.push((
                                "iam:AddUserToGroup",
                                group.arn.clone(),
                                Some(Target::Group(g)),
                            ));
                        }
                    }
                    if input.groups.is_empty() {
                        checks.push((
                            "iam:AddUserToGroup",
                            format!("arn:aws:iam::{}:group/*", self.account_id()),
                            None,
                        ));
                    }
                }
                _ => {}
            }
            for (method, resource, target) in checks {
                if d.identity_candidates(p, method).is_empty() {
                    continue;
                }
                let step = d.step(Caller::Principal(p), method, &resource, context);
                let Some(mut status) = allow_status(&step.decision) else {
                    continue;
                };
                let mut steps = vec![step];
                if let (Some(Target::Group(g)), "iam:AddUserToGroup") = (target, method) {
                    // Joining the group escalates only when its policies make the user an
                    // administrator (with the user's boundary and the SCPs still applied).
                    let Some(group) = input.groups.get(g) else {
                        continue;
                    };
                    let joined = self.with_group(p, group);
                    let admin = admin_status(&Decider::new(&joined), p, context);
                    match and_status(Some(status), admin.status) {
                        Some(s) => status = s,
                        None => continue,
                    }
                    steps.extend(admin.steps);
                }
                out.push(Escalation {
                    principal: p,
                    method,
                    status,
                    target,
                    chain: Vec::new(),
                    steps,
                });
            }
        }

        // Methods through other principals.
        let certain_targets: Vec<bool> = admins
            .iter()
            .map(|a| a.status == Some(DecisionKind::Allow))
            .collect();
        let maybe_targets: Vec<bool> = admins.iter().map(|a| a.status.is_some()).collect();
        let certain = graph.paths_to(&certain_targets, true);
        let any = graph.paths_to(&maybe_targets, false);
        for (p, admin) in admins.iter().enumerate() {
            if admin.status == Some(DecisionKind::Allow) {
                continue;
            }
            let mut best: BTreeMap<&'static str, (DecisionKind, Vec<Edge>)> = BTreeMap::new();
            for &r in graph.outgoing(p) {
                let Some(e) = graph.edge(r) else { continue };
                let Some(t) = e.to_principal() else { continue };
                let reach_certain = r.0 && certain.dist.get(t).copied().flatten().is_some();
                let (status, paths) = if reach_certain {
                    (DecisionKind::Allow, &certain)
                } else if any.dist.get(t).copied().flatten().is_some() {
                    (DecisionKind::Unknown, &any)
                } else {
                    continue;
                };
                let mut chain = vec![e.clone()];
                chain.extend(graph.chain(paths, t));
                if chain.iter().skip(1).any(|c| c.from_principal() == Some(p)) {
                    // Goes back through the principal: a shorter chain starts elsewhere.
                    continue;
                }
                let better = match best.get(e.method) {
                    None => true,
                    Some((s, c)) => {
                        (status == DecisionKind::Allow && *s != DecisionKind::Allow)
                            || (status == *s && chain.len() < c.len())
                    }
                };
                if better {
                    best.insert(e.method, (status, chain));
                }
            }
            for (method, (status, chain)) in best {
                let target = chain.last().and_then(Edge::to_principal);
                let steps = target
                    .and_then(|t| admins.get(t))
                    .map(|a| a.steps.clone())
                    .unwrap_or_default();
                out.push(Escalation {
                    principal: p,
                    method,
                    status,
                    target: target.map(Target::Principal),
                    chain,
                    steps,
                });
            }
        }

        let order = |m: &str| {
            SELF_METHODS
                .iter()
                .position(|x| *x == m)
                .unwrap_or(SELF_METHODS.len())
        };
        out.sort_by(|a, b| {
            let an = self.principals.get(a.principal).map(|p| &p.address);
            let bn = self.principals.get(b.principal).map(|p| &p.address);
            an.cmp(&bn)
                .then(a.principal.cmp(&b.principal))
                .then(order(a.method).cmp(&order(b.method)))
                .then(a.method.cmp(b.method))
                .then(a.target.cmp(&b.target))
        });
        out
    }
}
