use std::collections::BTreeSet;

use moat_iam::escalation::{Escalation, Target};
use moat_iam::estate::IamEstate;
use moat_iam::eval::{Decision, DecisionKind};
use moat_iam::graph::{Edge, Node, Step};
use moat_model::{Loc, Resource, Severity};

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Finds every IAM role and user that is not an administrator but can make itself one, by each
known method of privilege escalation. Every method is decided by moat's IAM evaluator (identity
policies, permissions boundaries, trust policies, SCPs), never by matching action names in
policy text:

- on itself: `iam:CreatePolicyVersion` and `iam:SetDefaultPolicyVersion` on a customer managed
  policy attached to it; `iam:PutRolePolicy`/`iam:AttachRolePolicy` on its own role;
  `iam:PutUserPolicy`/`iam:AttachUserPolicy` on its own user; `iam:PutGroupPolicy`/
  `iam:AttachGroupPolicy` on a group it is in; `iam:AddUserToGroup` on a group it is not in
  whose policies would make it an administrator;
- through another principal that is an administrator: `sts:AssumeRole`,
  `iam:UpdateAssumeRolePolicy`, `iam:CreateAccessKey`, `iam:CreateLoginProfile`,
  `iam:UpdateLoginProfile`, and `iam:PassRole` with a service that runs code as the role
  (`ec2:RunInstances`, `lambda:CreateFunction` with an invocation, `cloudformation:CreateStack`,
  Glue, Data Pipeline, ECS, ...), following chains of such steps.

An administrator is a principal allowed `iam:CreateUser`, `iam:PutUserPolicy`,
`iam:AttachUserPolicy`, `iam:PutRolePolicy` and `iam:AttachRolePolicy` on `*`. One finding per
principal and method, on the principal: the message names the method, what it acts on, and for
each decision the statements that allow it with their file and line; for a chain, each step
(who, whom, by which action). A method that depends on something moat cannot know (a
reference, a variable, a condition on the request) is reported as unknown, with what is unknown.

A customer managed policy's name is not read from the source yet: the policy is known by a
placeholder ARN (`arn:aws:iam::{account}:policy/{aws_iam_policy.deploy}`) that a reference to
its ARN resolves to, so a permission written with the literal ARN of the policy is not matched
to it.

## Why is this bad?
A principal that can grant itself administrator access has administrator access: a leaked
credential of a CI role allowed `iam:PutRolePolicy` on itself owns the account. Least privilege
written in its other policies then protects nothing.

## Example
```hcl
resource "aws_iam_role_policy" "ci" {
  role = aws_iam_role.ci.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:PutRolePolicy", Resource = aws_iam_role.ci.arn }]
  })
}
```

## Use instead
Do not let a principal write its own permissions; if it manages IAM, cap what it can grant with
a permissions boundary that denies changes to itself:
```hcl
resource "aws_iam_role" "ci" {
  permissions_boundary = aws_iam_policy.ci_boundary.arn
}
```

## References
- Rhino Security Labs: "AWS IAM Privilege Escalation – Methods and Mitigation"
- NCC Group: Principal Mapper (PMapper), privilege escalation edges
- AWS: [Permissions boundaries for IAM entities](https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html)
- AWS: [Granting a user permissions to pass a role to an AWS service](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html)
- AWS: [Policy evaluation logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "privilege_escalation",
    family: super::FAMILY,
    title: "IAM principal can escalate its privileges to administrator",
    severity: Severity::High,
    checkov: &[],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let iam = ctx.iam();
    let context = moat_iam::condition::RequestContext::open();
    let all = iam.escalations(&context);
    // One finding per (principal, method): escalations come sorted by principal, then
    // method, then target.
    let mut groups: Vec<Vec<&Escalation>> = Vec::new();
    for e in &all {
        match groups.last_mut() {
            Some(g)
                if g.first()
                    .is_some_and(|f| f.principal == e.principal && f.method == e.method) =>
            {
                g.push(e);
            }
            _ => groups.push(vec![e]),
        }
    }
    for g in groups {
        let Some(first) = g.first() else { continue };
        let Some((r, loc)) = principal_resource(ctx, iam, first.principal) else {
            continue;
        };
        let who = principal_name(iam, first.principal);
        let allowed: Vec<&&Escalation> = g
            .iter()
            .filter(|e| e.status == DecisionKind::Allow)
            .collect();
        if !allowed.is_empty() {
            let ways: Vec<String> = allowed.iter().map(|e| describe(iam, e)).collect();
            out.fail(
                r,
                &loc,
                format!(
                    "`{who}` can make itself an administrator with `{}`: {}",
                    first.method,
                    ways.join("; ")
                ),
            );
        } else {
            let ways: Vec<String> = g.iter().map(|e| describe(iam, e)).collect();
            let unknowns = unknowns_of(g.iter().copied());
            out.unknown(
                r,
                &loc,
                format!(
                    "`{who}` may make itself an administrator with `{}`: {}; unknown: {}",
                    first.method,
                    ways.join("; "),
                    unknowns.join("; ")
                ),
            );
        }
    }
}

/// The estate resource that declares principal `index`, and where.
pub(super) fn principal_resource<'e>(
    ctx: &Ctx<'e>,
    iam: &IamEstate,
    index: usize,
) -> Option<(&'e Resource, Loc)> {
    let p = iam.principals.get(index)?;
    let identity = &ctx.aws().identity;
    let r = identity
        .roles
        .iter()
        .chain(identity.users.iter())
        .filter_map(|x| ctx.resource(x.id))
        .find(|r| r.address == p.address)?;
    Some((r, p.loc.clone().unwrap_or_else(|| r.loc.clone())))
}

/// How messages name principal `index`: its address.
pub(super) fn principal_name(iam: &IamEstate, index: usize) -> String {
    iam.principals
        .get(index)
        .map_or_else(|| format!("#{index}"), |p| p.address.clone())
}

fn node_name(iam: &IamEstate, n: &Node) -> String {
    match n {
        Node::Principal(i) => principal_name(iam, *i),
        Node::Service(s) => (*s).to_string(),
    }
}

/// One escalation in words: what the method acts on and the decisions that enable it.
pub(super) fn describe(iam: &IamEstate, e: &Escalation) -> String {
    if e.chain.is_empty() {
        let on = match e.target {
            None => "itself".to_string(),
            Some(Target::Policy(i)) => format!(
                "customer managed policy `{}`, attached to it",
                iam.policies.get(i).map_or("?", |p| p.name.as_str())
            ),
            Some(Target::Group(g)) => {
                let group = iam.groups.get(g);
                let name = group.map_or("?", |x| x.address.as_str());
                if group.is_some_and(|x| x.members.contains(&e.principal)) {
                    format!("group `{name}`, which it is a member of")
                } else {
                    format!("group `{name}`, which it is not a member of")
                }
            }
            Some(Target::Principal(p)) => format!("`{}`", principal_name(iam, p)),
        };
        // The method's own decision, then (for a group to join) the decisions that make the
        // user an administrator with the group's policies.
        let (first, rest) = match e.steps.split_first() {
            Some((f, r)) => (step_text(f), r),
            None => (String::new(), &[][..]),
        };
        if rest.is_empty() {
            format!("on {on} ({first})")
        } else {
            format!(
                "on {on} ({first}); with the group's policies it would be an administrator ({})",
                admin_text(rest)
            )
        }
    } else {
        let admin = e
            .target
            .and_then(|t| match t {
                Target::Principal(p) => Some(principal_name(iam, p)),
                _ => None,
            })
            .unwrap_or_else(|| "?".to_string());
        format!(
            "{}; `{admin}` is an administrator ({})",
            chain_text(iam, &e.chain),
            admin_text(&e.steps)
        )
    }
}

/// A chain of edges: `A -> B by sts:AssumeRole (...)`, joined by `, then `.
pub(super) fn chain_text(iam: &IamEstate, chain: &[Edge]) -> String {
    chain
        .iter()
        .map(|e| {
            let steps: Vec<String> = e.steps.iter().map(|s| step_text(s)).collect();
            format!(
                "`{}` -> `{}` by `{}` ({})",
                node_name(iam, &e.from),
                node_name(iam, &e.to),
                e.method,
                steps.join("; ")
            )
        })
        .collect::<Vec<_>>()
        .join(", then ")
}

/// The administrator decisions, their statements listed once.
pub(super) fn admin_text(steps: &[std::sync::Arc<Step>]) -> String {
    let actions: Vec<&str> = steps.iter().map(|s| s.action.as_str()).collect();
    let mut seen = BTreeSet::new();
    let mut why = Vec::new();
    for s in steps {
        for r in reason_list(&s.decision) {
            if seen.insert(r.clone()) {
                why.push(r);
            }
        }
    }
    format!(
        "`{}` on `*`: {}",
        actions.join("`, `"),
        decided_by(&steps.first().map(|s| s.decision.kind), &why)
    )
}

/// One decision: `iam:PutRolePolicy` on `ARN`: allowed by identity statement 0 of `P` (f:l).
fn step_text(s: &Step) -> String {
    format!(
        "`{}` on `{}`: {}",
        s.action,
        s.resource,
        decided_by(&Some(s.decision.kind), &reason_list(&s.decision))
    )
}

fn decided_by(kind: &Option<DecisionKind>, reasons: &[String]) -> String {
    let verb = match kind {
        Some(DecisionKind::Allow) => "allowed by",
        _ => "may be allowed by",
    };
    if reasons.is_empty() {
        format!("{verb} no statement moat can name")
    } else {
        format!("{verb} {}", reasons.join(", "))
    }
}

/// The statements of a decision: `identity statement 0 of `P` (file:line)`.
pub(super) fn reason_list(d: &Decision) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in &d.reasons {
        let which = match &r.sid {
            Some(sid) => format!("`{sid}`"),
            None => r.statement.to_string(),
        };
        let at = r
            .loc
            .as_ref()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        let s = format!(
            "{} statement {which} of `{}`{at}",
            r.layer.as_str(),
            r.policy
        );
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// What is unknown in the decisions of these escalations, each once.
pub(super) fn unknowns_of<'a>(es: impl Iterator<Item = &'a Escalation>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in es {
        let steps = e
            .steps
            .iter()
            .chain(e.chain.iter().flat_map(|c| c.steps.iter()));
        for s in steps {
            for u in &s.decision.unknowns {
                let t = u.to_string();
                if !out.contains(&t) {
                    out.push(t);
                }
            }
        }
    }
    if out.is_empty() {
        out.push("a decision that may allow".to_string());
    }
    out
}
