use moat_model::aws::identity::PolicyKind;
use moat_model::Severity;

use crate::registry::{why, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks the trust policy (`assume_role_policy`) of every `aws_iam_role` for an `Allow`
statement whose principal is everyone (`"*"` or `{"AWS": "*"}`) and that has no `Condition`.

## Why is this bad?
Any AWS account in the world can then assume the role and receive its permissions.

## Example
```hcl
resource "aws_iam_role" "app" {
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "sts:AssumeRole" }]
  })
}
```

## Use instead
```hcl
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
```

## References
- AWS: [IAM JSON policy elements: Principal](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html)
- AWS: [Role trust policies](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "trust_any_principal",
    family: super::FAMILY,
    title: "IAM role can be assumed by anyone",
    severity: Severity::Critical,
    checkov: &["CKV_AWS_60"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for doc in &ctx.aws().identity.policies {
        if doc.kind != PolicyKind::Trust {
            continue;
        }
        let Some(r) = ctx.resource(doc.id) else {
            continue;
        };
        match &doc.document {
            Err(u) => out.unknown(
                r,
                &doc.loc,
                format!("`{}` is unknown: {}", doc.path, why(u)),
            ),
            Ok(p) => {
                for s in &p.statements {
                    let loc = s.loc.as_ref().unwrap_or(&doc.loc);
                    if s.allows_anyone_unconditionally() {
                        out.fail(
                            r,
                            loc,
                            format!(
                                "statement {} of `{}` lets principal `*` call `{}` without a condition",
                                s.name(),
                                doc.path,
                                s.actions.values.join(", ")
                            ),
                        );
                    } else if s.allow && !s.has_condition {
                        if let Some(u) = &s.principal_unknown {
                            out.unknown(
                                r,
                                loc,
                                format!("a trusted principal is unknown: {}", why(u)),
                            );
                        }
                    }
                }
            }
        }
    }
}
