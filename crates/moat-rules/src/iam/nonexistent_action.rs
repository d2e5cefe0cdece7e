//! IAM010: a policy names an action that AWS does not have.

use moat_iam::data::{action_existence, ActionExistence};
use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks the `Action` and `NotAction` of every policy document of the estate (identity, trust and
resource-based policies) against AWS's service authorization data, embedded in moat: an action
(or a wildcard pattern) that matches no action of its service, or a service prefix AWS does
not have, is reported, as IAM Access Analyzer's policy validation does ("Invalid action",
"Invalid service"). Actions are compared case-insensitively, as AWS does. An action newer than
moat's data would be reported too: the data's version is in `crates/moat-iam/data/LICENSES.md`.

## Why is this bad?
AWS accepts such a policy and the statement simply never matches. In an `Allow`, what the
author meant to grant is not granted (an outage waiting to happen, often "fixed" with a
wildcard); in a `Deny`, the protection the author meant is **not there**: `s3:DeleteObjects`
instead of `s3:DeleteObject` leaves deletion allowed (the message says which).

## Example
```hcl
    Statement = [{ Effect = "Deny", Action = "s3:DeleteObjects", Resource = "*" }]
```

## Use instead
```hcl
    Statement = [{ Effect = "Deny", Action = "s3:DeleteObject", Resource = "*" }]
```

## References
- AWS: [IAM Access Analyzer policy check reference](https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html) ("Error – Invalid action", "Error – Invalid service")
- AWS: [Service Authorization Reference](https://docs.aws.amazon.com/service-authorization/latest/reference/reference.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "nonexistent_action",
    family: super::FAMILY,
    title: "IAM policy names an action that does not exist",
    severity: Severity::Medium,
    checkov: &[],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for doc in &ctx.aws().identity.policies {
        // Unknown documents cannot be checked here; other rules report them.
        let Ok(p) = &doc.document else { continue };
        let Some(r) = ctx.resource(doc.id) else {
            continue;
        };
        for s in &p.statements {
            let loc = s.loc.as_ref().unwrap_or(&doc.loc);
            let element = if s.not_action { "NotAction" } else { "Action" };
            let mut bad: Vec<String> = Vec::new();
            for a in &s.actions.values {
                let why = match action_existence(a) {
                    ActionExistence::Exists => continue,
                    ActionExistence::NoSuchAction => {
                        let prefix = a.split_once(':').map(|(p, _)| p).unwrap_or(a);
                        format!("`{a}` matches no action of `{prefix}`")
                    }
                    ActionExistence::UnknownService => {
                        let prefix = a.split_once(':').map(|(p, _)| p).unwrap_or(a);
                        if a.contains(':') {
                            format!("`{prefix}` (in `{a}`) is not an AWS service prefix")
                        } else {
                            format!("`{a}` is not `service:action`")
                        }
                    }
                };
                if !bad.contains(&why) {
                    bad.push(why);
                }
            }
            if bad.is_empty() {
                continue;
            }
            let effect = if s.allow { "Allow" } else { "Deny" };
            let consequence = if s.allow {
                "the statement grants nothing for it"
            } else {
                "the statement denies nothing for it: the protection it was written for is missing"
            };
            let msg = format!(
                "statement {} ({effect}, `{element}`) of `{}`: {}; {consequence}",
                s.name(),
                doc.path,
                bad.join("; ")
            );
            out.fail(r, loc, msg);
        }
    }
}
