use moat_model::aws::identity::PolicyHolder;
use moat_model::Severity;

use crate::registry::{why, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks the `policy` of every `aws_kms_key` for an `Allow` statement whose principal is
everyone (`"*"` or `{"AWS": "*"}`) and that has no `Condition`.

## Why is this bad?
A key policy is the root of access to a KMS key: a wildcard principal without conditions lets
any AWS account use (or administer) the key, depending on the actions allowed.

## Example
```hcl
resource "aws_kms_key" "data" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "kms:*", Resource = "*" }]
  })
}
```

## Use instead
```hcl
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
```

## References
- AWS: [Key policies in AWS KMS](https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "key_policy_public",
    family: super::FAMILY,
    title: "KMS key policy allows any principal",
    severity: Severity::High,
    checkov: &["CKV_AWS_33"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for doc in &ctx.aws().identity.policies {
        if doc.holder != PolicyHolder::KeyPolicy {
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
                    let public = s.allows_anyone_unconditionally();
                    if !public && s.allow && !s.has_condition && !s.not_principal {
                        // A principal that is not known offline could be `*`.
                        if let Some(u) = &s.principal_unknown {
                            out.unknown(
                                r,
                                s.loc.as_ref().unwrap_or(&doc.loc),
                                format!("a principal of `{}` is unknown: {}", doc.path, why(u)),
                            );
                        }
                    }
                    if public {
                        out.fail(
                            r,
                            s.loc.as_ref().unwrap_or(&doc.loc),
                            format!(
                                "statement {} allows `{}` to principal `*` without a condition",
                                s.name(),
                                s.actions.values.join(", ")
                            ),
                        );
                    }
                }
            }
        }
    }
}
