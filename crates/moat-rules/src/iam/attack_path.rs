use std::collections::{BTreeMap, HashMap, HashSet};

use moat_iam::condition::RequestContext;
use moat_iam::escalation::Escalation;
use moat_iam::estate::{IamEstate, ResourceKind};
use moat_iam::eval::DecisionKind;
use moat_iam::graph::{allow_status, PrincipalGraph, TransitiveAnswer};
use moat_iam::principal::PrincipalKind;
use moat_model::aws::compute::InstanceKind;
use moat_model::aws::network::EniKind;
use moat_model::aws::serverless::UrlAuth;
use moat_model::aws::AttrValue;
use moat_model::{Resolved, ResourceId, Severity};

use super::privilege_escalation::{
    admin_text, chain_text, describe, principal_name, reason_list, unknowns_of,
};
use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Finds attack paths: compute that the internet reaches whose role can read or change sensitive
data or take over the account. Each finding puts the two halves side by side:

- the network side, from `moat exposure`: an EC2 instance reached directly (protocol, ports,
  sources) or through an internet-facing load balancer, or a Lambda function URL whose
  `AuthType` is `NONE`;
- the IAM side, decided by moat's IAM evaluator: the compute's role (an instance's through its
  instance profile, a function's execution role), directly or through a chain of the principal
  graph (`sts:AssumeRole`, `iam:PassRole` to a service, credentials of a user), is allowed
  `s3:GetObject` or `s3:PutObject` on a bucket of the estate, `kms:Decrypt` on a key,
  `secretsmanager:GetSecretValue` on a secret, is an administrator, or can make itself one
  (the methods of IAM007). Every step names the statements that allow it, with file and line.

One finding per path (the compute, how the internet reaches it, what its role reaches), on the
compute. A role that is an administrator is reported once per network path, as such. A path
that depends on something unknown (a port opened by an unreadable rule, a role given by a
variable, a condition on the request) is reported as unknown, with what is unknown.

What is not covered yet: Auto Scaling groups and EKS nodes (their role comes through a launch
template; reported as unknown), ECS services and Lambda functions behind API Gateway or a load
balancer (the typed model does not link them yet), and database data actions (`rds-db:connect`,
DynamoDB tables are not resources of the IAM view). Objects are checked as `BUCKET/*`: a grant
on a prefix only (`BUCKET/public/*`) is not counted.

## Why is this bad?
The compute the internet reaches is the first thing an attacker takes (a web application flaw,
an exposed SSH port); its role's credentials are then one request away through the instance
metadata service or the function's environment. Whatever the role reaches, the internet reaches.

## Example
```hcl
resource "aws_instance" "web" {
  subnet_id                   = aws_subnet.public.id
  associate_public_ip_address = true
  iam_instance_profile        = aws_iam_instance_profile.web.name
}

resource "aws_iam_role_policy" "web" {
  role   = aws_iam_role.web.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }]
  })
}
```

## Use instead
Put the compute behind a load balancer in a private subnet, and grant its role only the objects
it serves:
```hcl
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.assets.arn}/public/*" }]
```

## References
- AWS: [Use IAM roles for applications on EC2](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html)
- AWS: [Lambda function URLs: security and auth model](https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html)
- AWS: [Policy evaluation logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
- MITRE ATT&CK T1552.005: Unsecured Credentials: Cloud Instance Metadata API
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "attack_path",
    family: super::FAMILY,
    title:
        "Compute reachable from the internet has a role that reaches sensitive data or escalates",
    severity: Severity::Critical,
    checkov: &[],
    doc: DOC,
    check,
};

/// The data actions checked, by kind of resource: (action, what it means).
const DATA_ACTIONS: &[(ResourceKind, &str, &str)] = &[
    (ResourceKind::Bucket, "s3:GetObject", "read"),
    (ResourceKind::Bucket, "s3:PutObject", "change"),
    (ResourceKind::Key, "kms:Decrypt", "decrypt with"),
    (
        ResourceKind::Secret,
        "secretsmanager:GetSecretValue",
        "read",
    ),
];

/// How the internet reaches one compute resource: one network path.
struct Route {
    owner: ResourceId,
    /// `tcp 22 from 0.0.0.0/0, directly`.
    text: String,
    /// What is unknown about the path (empty: it is certain).
    unknown: Vec<String>,
}

/// The role a compute resource runs with.
enum RoleLink {
    /// It has none.
    None,
    /// The principal, and the resources the link goes through (an instance profile).
    Known { principal: usize, via: Vec<String> },
    /// It may have one moat cannot name.
    Unknown(String),
}

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let routes = routes(ctx);
    if routes.is_empty() {
        return;
    }
    let iam = ctx.iam();
    let context = RequestContext::open();
    let graph = PrincipalGraph::build(iam, &context);
    let escalations = iam.escalations_with(&graph, &iam.escalation_input(), &context);
    let mut answers: HashMap<(&'static str, String), Vec<TransitiveAnswer>> = HashMap::new();
    // The addresses of the estate's buckets, keys and secrets.
    let aws = ctx.aws();
    let data: HashSet<&str> = aws
        .storage
        .buckets
        .iter()
        .map(|b| b.id)
        .chain(aws.security.keys.iter().map(|k| k.id))
        .chain(aws.security.secrets.iter().map(|k| k.id))
        .filter_map(|id| ctx.resource(id).map(|r| r.address.as_str()))
        .collect();

    for route in &routes {
        let Some(r) = ctx.resource(route.owner) else {
            continue;
        };
        let (p, via) = match role_of(ctx, iam, route.owner) {
            RoleLink::None => continue,
            RoleLink::Unknown(why) => {
                out.unknown(
                    r,
                    &r.loc,
                    format!(
                        "reachable from the internet ({}), with a role moat cannot name: {why}",
                        route.text
                    ),
                );
                continue;
            }
            RoleLink::Known { principal, via } => (principal, via),
        };
        let role = principal_name(iam, p);
        let role_text = if via.is_empty() {
            format!("its role `{role}`")
        } else {
            format!("its role `{role}` (through `{}`)", via.join("`, `"))
        };
        let mut emit = |status: DecisionKind, what: String, unknown: Vec<String>| {
            let mut unknown = unknown;
            unknown.extend(route.unknown.iter().cloned());
            let msg = format!(
                "reachable from the internet ({}), and {role_text} {what}",
                route.text
            );
            if status == DecisionKind::Allow && route.unknown.is_empty() {
                out.fail(r, &r.loc, msg);
            } else {
                if unknown.is_empty() {
                    unknown.push("a decision that may allow".to_string());
                }
                out.unknown(r, &r.loc, format!("{msg}; unknown: {}", unknown.join("; ")));
            }
        };

        // An administrator reaches everything: reported once, as such.
        let admin = iam.admin_status(p, &context);
        if let Some(status) = admin.status {
            let unknown: Vec<String> = admin
                .steps
                .iter()
                .flat_map(|s| s.decision.unknowns.iter().map(ToString::to_string))
                .collect();
            emit(
                status,
                format!("is an administrator ({})", admin_text(&admin.steps)),
                dedup(unknown),
            );
            if status == DecisionKind::Allow {
                continue;
            }
        }

        // Privilege escalation of the role.
        let mut by_method: BTreeMap<&'static str, Vec<&Escalation>> = BTreeMap::new();
        for e in escalations.iter().filter(|e| e.principal == p) {
            by_method.entry(e.method).or_default().push(e);
        }
        for (method, es) in by_method {
            let status = if es.iter().any(|e| e.status == DecisionKind::Allow) {
                DecisionKind::Allow
            } else {
                DecisionKind::Unknown
            };
            let shown: Vec<String> = es
                .iter()
                .filter(|e| status != DecisionKind::Allow || e.status == DecisionKind::Allow)
                .map(|e| describe(iam, e))
                .collect();
            let unknown = if status == DecisionKind::Allow {
                Vec::new()
            } else {
                unknowns_of(es.iter().copied())
            };
            emit(
                status,
                format!(
                    "can make itself an administrator with `{method}`: {}",
                    shown.join("; ")
                ),
                unknown,
            );
        }

        // Sensitive data of the estate.
        for res in &iam.resources {
            // Only the estate's own resources (not ARNs a policy names outside it).
            if !data.contains(res.address.as_str()) {
                continue;
            }
            let Some(arn) = request_arn(res.kind, &res.arns) else {
                continue;
            };
            let mut parts: Vec<String> = Vec::new();
            let mut verbs: Vec<&str> = Vec::new();
            let mut status: Option<DecisionKind> = None;
            let mut unknown: Vec<String> = Vec::new();
            for (kind, action, verb) in DATA_ACTIONS {
                if *kind != res.kind {
                    continue;
                }
                let list = answers
                    .entry((action, arn.clone()))
                    .or_insert_with(|| graph.who_can(iam, action, &arn, &context));
                let Some(a) = list.iter().find(|a| a.principal == p) else {
                    continue;
                };
                let st = match a.status {
                    DecisionKind::Allow => DecisionKind::Allow,
                    DecisionKind::Unknown if allow_possible(a, list) => DecisionKind::Unknown,
                    _ => continue,
                };
                status = Some(match (status, st) {
                    (Some(DecisionKind::Allow), _) | (_, DecisionKind::Allow) => {
                        DecisionKind::Allow
                    }
                    _ => DecisionKind::Unknown,
                });
                if !verbs.contains(verb) {
                    verbs.push(verb);
                }
                parts.push(answer_text(iam, a, list, action, &arn));
                if st == DecisionKind::Unknown {
                    unknown.extend(answer_unknowns(a, list));
                }
            }
            let Some(status) = status else { continue };
            emit(
                status,
                format!(
                    "can {} `{}`: {}",
                    verbs.join(" and "),
                    res.address,
                    parts.join("; ")
                ),
                if status == DecisionKind::Allow {
                    Vec::new()
                } else {
                    dedup(unknown)
                },
            );
        }
    }
}

fn dedup(v: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in v {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// The request resource for a data action on an estate resource: an object of a bucket
/// (`arn:aws:s3:::NAME/*`), a key's or secret's ARN.
fn request_arn(kind: ResourceKind, arns: &[String]) -> Option<String> {
    match kind {
        ResourceKind::Bucket => arns.iter().find(|a| a.contains('/')).cloned(),
        ResourceKind::Key | ResourceKind::Secret => arns.first().cloned(),
        _ => None,
    }
}

/// Whether an unknown answer may allow (its own decision may, or a chain ends where one may).
fn allow_possible(a: &TransitiveAnswer, list: &[TransitiveAnswer]) -> bool {
    if allow_status(&a.decision).is_some() {
        return true;
    }
    a.chain.as_ref().is_some_and(|c| {
        list.iter()
            .find(|x| x.principal == c.target)
            .is_some_and(|t| allow_status(&t.decision).is_some())
    })
}

/// The IAM side of one data access: the role's own decision, or the chain and the decision
/// of the principal at its end.
fn answer_text(
    iam: &IamEstate,
    a: &TransitiveAnswer,
    list: &[TransitiveAnswer],
    action: &str,
    resource: &str,
) -> String {
    let own = |x: &TransitiveAnswer| {
        let reasons = reason_list(&x.decision);
        let verb = if x.decision.kind == DecisionKind::Allow {
            "is allowed"
        } else {
            "may be allowed"
        };
        let by = if reasons.is_empty() {
            "no statement moat can name".to_string()
        } else {
            reasons.join(", ")
        };
        format!(
            "`{}` {verb} `{action}` on `{resource}` by {by}",
            principal_name(iam, x.principal)
        )
    };
    match &a.chain {
        Some(c) if allow_status(&a.decision) != Some(DecisionKind::Allow) => {
            let end = list.iter().find(|x| x.principal == c.target);
            let tail = end.map_or_else(String::new, |t| format!(", and {}", own(t)));
            format!("{}{tail}", chain_text(iam, &c.edges))
        }
        _ => own(a),
    }
}

fn answer_unknowns(a: &TransitiveAnswer, list: &[TransitiveAnswer]) -> Vec<String> {
    let mut out: Vec<String> = a
        .decision
        .unknowns
        .iter()
        .map(ToString::to_string)
        .collect();
    if let Some(c) = &a.chain {
        for e in &c.edges {
            for s in &e.steps {
                out.extend(s.decision.unknowns.iter().map(ToString::to_string));
            }
        }
        if let Some(t) = list.iter().find(|x| x.principal == c.target) {
            out.extend(t.decision.unknowns.iter().map(ToString::to_string));
        }
    }
    out
}

/// Every network path from the internet to compute: exposures of instances (directly or
/// through a load balancer), Auto Scaling group and EKS node interfaces, and function URLs
/// that need no authentication.
fn routes(ctx: &Ctx<'_>) -> Vec<Route> {
    let net = ctx.net();
    // Per (resource, via): the owner, the ports and sources, and what is unknown.
    type Parts = (ResourceId, Vec<String>, Vec<String>);
    let mut by: BTreeMap<(String, Vec<String>), Parts> = BTreeMap::new();
    for x in ctx.exposure() {
        let Some(eni) = net.enis.iter().find(|e| e.address == x.resource) else {
            continue;
        };
        if !matches!(
            eni.kind,
            EniKind::Instance | EniKind::AsgMember | EniKind::EksNode | EniKind::Lambda
        ) {
            continue;
        }
        let e = by
            .entry((x.resource.clone(), x.via.clone()))
            .or_insert_with(|| (eni.owner, Vec::new(), Vec::new()));
        let part = format!("{} {} from {}", x.protocol, x.ports, x.summary);
        if x.unknown.is_empty() {
            e.1.push(part);
        } else {
            e.1.push(format!("{part} (if {})", x.unknown.join(", ")));
            e.2.extend(x.unknown.iter().cloned());
        }
    }
    let mut out: Vec<Route> = Vec::new();
    for ((_, via), (owner, parts, unknown)) in by {
        let how = if via.is_empty() {
            "directly".to_string()
        } else {
            format!("through `{}`", via.join("`, `"))
        };
        // A path with some firm ports is certain.
        let firm = parts.iter().any(|p| !p.ends_with(')'));
        out.push(Route {
            owner,
            text: format!("{}, {how}", parts.join("; ")),
            unknown: if firm { Vec::new() } else { dedup(unknown) },
        });
    }
    for u in &ctx.aws().serverless.urls {
        let Some(f) = u.function else { continue };
        let url = ctx
            .resource(u.id)
            .map_or_else(String::new, |r| r.address.clone());
        match u.auth.as_ref().map(|a| &a.value) {
            Some(AttrValue::Known(UrlAuth::None) | AttrValue::Default(UrlAuth::None)) => {
                out.push(Route {
                    owner: f,
                    text: format!("function URL `{url}` with authorization type `NONE`"),
                    unknown: Vec::new(),
                });
            }
            Some(AttrValue::Unknown(why)) => out.push(Route {
                owner: f,
                text: format!("function URL `{url}`"),
                unknown: vec![format!("its authorization type is unknown: {why}")],
            }),
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Compute -> role, from the links the adapters resolve (`Instance::role`, `Function::role`).

fn role_of(ctx: &Ctx<'_>, iam: &IamEstate, owner: ResourceId) -> RoleLink {
    let aws = ctx.aws();
    let link = if let Some(f) = aws.serverless.functions.iter().find(|f| f.id == owner) {
        match &f.role {
            Some(l) => l,
            None => return RoleLink::Unknown("its execution role is not written".to_string()),
        }
    } else if let Some(i) = aws
        .compute
        .instances
        .iter()
        .find(|i| i.id == owner && i.kind == InstanceKind::Instance)
    {
        match &i.role {
            Some(l) => l,
            // No instance profile: no role.
            None => return RoleLink::None,
        }
    } else {
        let name = ctx.resource(owner).map_or("?", |r| r.address.as_str());
        return RoleLink::Unknown(format!(
            "moat does not link the role of `{name}` (its instances' launch template) yet"
        ));
    };
    let via: Vec<String> = match &link.profile {
        Some(Resolved::Resource(p)) => ctx
            .resource(*p)
            .map(|r| r.address.clone())
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    if let Some(Resolved::Unknown(u)) = &link.profile {
        return RoleLink::Unknown(format!("its instance profile is unknown: {u}"));
    }
    match &link.role {
        Resolved::Absent => RoleLink::None,
        Resolved::Unknown(u) => RoleLink::Unknown(format!("its role is unknown: {u}")),
        Resolved::Resource(id) => {
            let address = ctx.resource(*id).map_or("?", |r| r.address.as_str());
            match role_index(iam, iam.find_principal(address)) {
                Some(principal) => RoleLink::Known { principal, via },
                None => RoleLink::Unknown(format!("`{address}` is not a role moat reads")),
            }
        }
        Resolved::External(s) => {
            // A name or ARN written literally: the estate's role of that name, if any.
            let name = s.rsplit('/').next().unwrap_or(s);
            let by_name = iam
                .principals
                .iter()
                .position(|p| p.kind == PrincipalKind::Role && p.name.as_deref() == Some(name));
            match role_index(iam, iam.find_principal(s)).or(by_name) {
                Some(principal) => RoleLink::Known { principal, via },
                None => RoleLink::Unknown(format!("role `{s}` is not in the scanned files")),
            }
        }
    }
}

fn role_index(iam: &IamEstate, i: Option<usize>) -> Option<usize> {
    i.filter(|&i| {
        iam.principals
            .get(i)
            .is_some_and(|p| p.kind == PrincipalKind::Role)
    })
}
