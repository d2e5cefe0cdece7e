//! The IAM view of a scanned estate: its principals with the policies that apply to them, its
//! resources with their resource-based policies, and the questions asked of them
//! ([`IamEstate::simulate`], [`IamEstate::who_can`]).
//!
//! Frontends never build this directly: [`crate::from_model`] reads the typed AWS state of
//! `moat-model` (any frontend) into it. Tests and benchmarks may build it by hand.
//!
//! Accounts: IaC rarely writes the account it deploys to. Unless the user names it
//! (`--account`), the estate's account is [`ESTATE_ACCOUNT`], a placeholder: every principal
//! and resource of the estate is in it, and whether a literal account ID written in a policy
//! is that account is unknown (never guessed either way).

use std::collections::BTreeMap;

use moat_model::{Loc, Unknown};

use crate::condition::RequestContext;
use crate::escalation::EstateGroup;
use crate::eval::{
    evaluate, request_context, Decision, DecisionKind, NamedPolicy, PolicySet, Query,
};
use crate::principal::{PrincipalKind, RequestPrincipal};

/// The placeholder for the scanned account when its ID is not known.
pub const ESTATE_ACCOUNT: &str = "{account}";

/// A principal of the estate: a role (whose sessions make requests) or a user.
#[derive(Clone, Debug, PartialEq)]
pub struct EstatePrincipal {
    /// How the estate names it (`aws_iam_role.etl`, `EtlRole`).
    pub address: String,
    /// [`PrincipalKind::Role`] or [`PrincipalKind::User`].
    pub kind: PrincipalKind,
    /// The ARN (`arn:aws:iam::{account}:role/etl`); the name may be a placeholder when the
    /// estate does not fix it.
    pub arn: String,
    /// The name, when known.
    pub name: Option<String>,
    /// Identity-based policies: indices into [`IamEstate::policies`] (inline, attached managed,
    /// the groups' policies for a user).
    pub identity: Vec<usize>,
    /// The permissions boundary, an index into [`IamEstate::policies`].
    pub boundary: Option<usize>,
    /// The trust policy of a role, an index into [`IamEstate::policies`].
    pub trust: Option<usize>,
    /// Where it is declared.
    pub loc: Option<Loc>,
}

/// The kind of a resource that carries a resource-based policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceKind {
    Bucket,
    Key,
    Queue,
    Topic,
    Secret,
    Function,
    Repository,
    /// A role: its trust policy is the resource-based policy of `sts:AssumeRole`.
    Role,
    Other,
}

/// A resource of the estate and the policies that govern access to it.
#[derive(Clone, Debug, PartialEq)]
pub struct EstateResource {
    pub address: String,
    pub kind: ResourceKind,
    /// The ARN patterns the resource covers (a bucket: `arn:aws:s3:::b` and
    /// `arn:aws:s3:::b/*`); a request's resource belongs to this resource when one matches.
    pub arns: Vec<String>,
    /// Resource-based policies: indices into [`IamEstate::policies`].
    pub policies: Vec<usize>,
    pub loc: Option<Loc>,
}

/// The IAM view of an estate.
#[derive(Clone, Debug, Default)]
pub struct IamEstate {
    /// The account ID, when known (`--account`); otherwise [`ESTATE_ACCOUNT`] stands for it.
    pub account: Option<String>,
    pub policies: Vec<NamedPolicy>,
    pub principals: Vec<EstatePrincipal>,
    pub resources: Vec<EstateResource>,
    /// SCP levels that apply to the estate's account (from `--scp` files or the estate's
    /// Organizations resources), indices into [`IamEstate::policies`].
    pub scps: Vec<Vec<usize>>,
    /// RCP levels that apply to the estate's resources.
    pub rcps: Vec<Vec<usize>>,
    /// The estate's IAM groups with their members and policies (a group's policies are also
    /// folded into its members' [`EstatePrincipal::identity`]); the group methods of
    /// [`crate::escalation`] act on them.
    pub groups: Vec<EstateGroup>,
    /// The ARNs of the estate's customer managed policies (and of those outside it that its
    /// principals attach), by index into [`IamEstate::policies`]: what
    /// `iam:CreatePolicyVersion` and `iam:SetDefaultPolicyVersion` are decided on.
    pub policy_arns: BTreeMap<usize, String>,
}

/// One principal's answer in [`IamEstate::who_can`].
#[derive(Clone, Debug, PartialEq)]
pub struct PrincipalDecision {
    /// Index into [`IamEstate::principals`].
    pub principal: usize,
    pub decision: Decision,
}

impl IamEstate {
    /// The account ID used in ARNs (`{account}` when unknown).
    pub fn account_id(&self) -> &str {
        self.account.as_deref().unwrap_or(ESTATE_ACCOUNT)
    }

    /// The principal named `name`: its address (`aws_iam_role.etl`), its name (`etl`) or its
    /// ARN.
    pub fn find_principal(&self, name: &str) -> Option<usize> {
        self.principals
            .iter()
            .position(|p| p.address == name)
            .or_else(|| self.principals.iter().position(|p| p.arn == name))
            .or_else(|| {
                self.principals
                    .iter()
                    .position(|p| p.name.as_deref() == Some(name))
            })
    }

    /// The estate resources a request's resource ARN belongs to.
    pub fn resources_of(&self, resource: &str) -> Vec<usize> {
        self.resources
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.arns
                    .iter()
                    .any(|a| crate::pattern::resource_matches(a, resource))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The request principal for an estate principal: a session of a role, or the user.
    pub fn request_principal(&self, index: usize) -> Option<RequestPrincipal> {
        let p = self.principals.get(index)?;
        Some(RequestPrincipal::parse(&p.arn))
    }

    fn policy_refs<'a>(&'a self, indices: &[usize]) -> Vec<&'a NamedPolicy> {
        indices
            .iter()
            .filter_map(|&i| self.policies.get(i))
            .collect()
    }

    /// The policy set for `principal` (an index into `principals`, or `None` for a principal
    /// outside the estate) acting on `resource`.
    pub fn policy_set(&self, principal: Option<usize>, resource: &str) -> PolicySet<'_> {
        self.policy_set_with(
            principal,
            self.resource_policies(&self.resources_of(resource)),
        )
    }

    /// The resource-based policies of the estate resources `owned` (from [`Self::resources_of`]).
    fn resource_policies(&self, owned: &[usize]) -> Vec<&NamedPolicy> {
        let mut out: Vec<&NamedPolicy> = Vec::new();
        for &r in owned {
            if let Some(res) = self.resources.get(r) {
                out.extend(self.policy_refs(&res.policies));
            }
        }
        out
    }

    fn policy_set_with<'a>(
        &'a self,
        principal: Option<usize>,
        resource_policies: Vec<&'a NamedPolicy>,
    ) -> PolicySet<'a> {
        let p = principal.and_then(|i| self.principals.get(i));
        PolicySet {
            identity: p.map(|p| self.policy_refs(&p.identity)).unwrap_or_default(),
            resource: resource_policies,
            boundary: p
                .and_then(|p| p.boundary)
                .and_then(|i| self.policies.get(i)),
            session: None,
            scps: self.scps.iter().map(|l| self.policy_refs(l)).collect(),
            rcps: self.rcps.iter().map(|l| self.policy_refs(l)).collect(),
        }
    }

    /// The account that owns `resource`: the estate's when the resource is one of the
    /// estate's, else the account in the ARN, else the estate's.
    pub fn resource_account<'a>(&'a self, resource: &'a str) -> &'a str {
        self.account_of(resource, &self.resources_of(resource))
    }

    /// [`Self::resource_account`] when the estate resources it belongs to are known.
    fn account_of<'a>(&'a self, resource: &'a str, owned: &[usize]) -> &'a str {
        if !owned.is_empty() {
            return self.account_id();
        }
        crate::eval::arn_account(resource).unwrap_or(self.account_id())
    }

    /// Decide with the resource's policies and account already found (the estate resources
    /// are looked up once per question, not once per principal or per use).
    #[allow(clippy::too_many_arguments)]
    fn decide_with(
        &self,
        who: &RequestPrincipal,
        estate_index: Option<usize>,
        action: &str,
        resource: &str,
        context: &RequestContext,
        resource_policies: &[&NamedPolicy],
        account: &str,
    ) -> Decision {
        let set = self.policy_set_with(estate_index, resource_policies.to_vec());
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

    /// Decide a request by `who` (any principal, in the estate or not).
    pub fn decide(
        &self,
        who: &RequestPrincipal,
        estate_index: Option<usize>,
        action: &str,
        resource: &str,
        context: &RequestContext,
    ) -> Decision {
        let owned = self.resources_of(resource);
        let account = self.account_of(resource, &owned);
        let policies = self.resource_policies(&owned);
        self.decide_with(
            who,
            estate_index,
            action,
            resource,
            context,
            &policies,
            account,
        )
    }

    /// Decide a request by the estate principal `index`.
    pub fn simulate(
        &self,
        index: usize,
        action: &str,
        resource: &str,
        context: &RequestContext,
    ) -> Option<Decision> {
        let who = self.request_principal(index)?;
        Some(self.decide(&who, Some(index), action, resource, context))
    }

    /// Every principal of the estate and its decision, allowed first, then unknown, then
    /// denied; by address within each.
    pub fn who_can(
        &self,
        action: &str,
        resource: &str,
        context: &RequestContext,
    ) -> Vec<PrincipalDecision> {
        // The resource's policies and account are the same for every principal: found once.
        let owned = self.resources_of(resource);
        let account = self.account_of(resource, &owned);
        let policies = self.resource_policies(&owned);
        let mut out: Vec<PrincipalDecision> = (0..self.principals.len())
            .filter_map(|i| {
                let who = self.request_principal(i)?;
                Some(PrincipalDecision {
                    principal: i,
                    decision: self.decide_with(
                        &who,
                        Some(i),
                        action,
                        resource,
                        context,
                        &policies,
                        account,
                    ),
                })
            })
            .collect();
        let rank = |k: DecisionKind| match k {
            DecisionKind::Allow => 0,
            DecisionKind::Unknown => 1,
            DecisionKind::ExplicitDeny => 2,
            DecisionKind::ImplicitDeny => 3,
        };
        out.sort_by(|a, b| {
            rank(a.decision.kind)
                .cmp(&rank(b.decision.kind))
                .then_with(|| {
                    let an = self.principals.get(a.principal).map(|p| &p.address);
                    let bn = self.principals.get(b.principal).map(|p| &p.address);
                    an.cmp(&bn)
                })
        });
        out
    }
}

/// A policy that stands for one that cannot be read (a managed policy not in the embedded
/// data, a document that is a variable): one statement whose every element is unknown, so any
/// decision it could change is unknown and names it.
pub fn unknown_policy(name: impl Into<String>, why: Unknown, loc: Option<Loc>) -> NamedPolicy {
    use crate::policy::{Conditions, EffectValue, Leaf, Policy, Statement, Targets, Version};
    NamedPolicy {
        name: name.into(),
        policy: Policy {
            version: Version::V2012_10_17,
            id: None,
            statements: vec![Statement {
                index: 0,
                sid: None,
                effect: EffectValue::Unknown(why.clone()),
                action: Targets::Only(vec![Leaf::Unknown(why.clone())]),
                resource: Some(Targets::Only(vec![Leaf::Unknown(why)])),
                principal: None,
                condition: Conditions::Known(Vec::new()),
                loc: loc.clone(),
            }],
        },
        loc,
    }
}
