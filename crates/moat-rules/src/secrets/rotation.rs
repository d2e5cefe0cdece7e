use std::collections::BTreeSet;

use moat_model::{Resolved, Severity};

use crate::registry::{presence, why, Ctx, Out, Presence, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every `aws_secretsmanager_secret` is rotated automatically: an
`aws_secretsmanager_secret_rotation` must name it in `secret_id` (by reference, name or ARN).
The legacy inline `rotation_lambda_arn` of AWS provider versions before 5 counts too. When the
`secret_id` of some rotation is unknown, a secret without one of its own is reported as
unknown.

## Differences from Checkov
`CKV2_AWS_57` needs the rotation connected to the secret by reference: a rotation naming the
secret by its literal name or ARN rotates it for moat and not for Checkov.

## Why is this bad?
A credential that never changes stays valid for as long as anyone who ever saw it (a former
employee, a leaked log, a copied `.env`) keeps it. Rotation bounds that window and proves the
application can survive a credential change.

## Example
```hcl
resource "aws_secretsmanager_secret" "db" {
  name = "prod/db"
}
```

## Use instead
```hcl
resource "aws_secretsmanager_secret_rotation" "db" {
  secret_id           = aws_secretsmanager_secret.db.id
  rotation_lambda_arn = aws_lambda_function.rotate.arn
  rotation_rules {
    automatically_after_days = 30
  }
}
```

## References
- Seed 004, secrets management: "AWS Secrets Manager: 자격 증명 자동 로테이션"
- AWS: [Rotate AWS Secrets Manager secrets](https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "rotation",
    family: super::FAMILY,
    title: "Secrets Manager secret is not rotated",
    severity: Severity::Medium,
    checkov: &["CKV2_AWS_57"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let mut rotated = BTreeSet::new();
    let mut unknown = None;
    for rot in ctx.of_type("aws_secretsmanager_secret_rotation") {
        let Some(n) = rot.get("secret_id") else {
            continue;
        };
        match ctx
            .estate
            .resolve(n, &["aws_secretsmanager_secret"], &["name", "arn"])
        {
            Resolved::Resource(id) => {
                rotated.insert(id);
            }
            Resolved::Unknown(u) => {
                unknown.get_or_insert((rot, u));
            }
            Resolved::External(_) | Resolved::Absent => {}
        }
    }
    for (id, r) in ctx.estate.managed_of_type("aws_secretsmanager_secret") {
        if r.mode != moat_model::Mode::Managed || rotated.contains(&id) {
            continue;
        }
        match presence(r.get("rotation_lambda_arn")) {
            Presence::Set => continue,
            Presence::Unknown(u) => {
                out.unknown(
                    r,
                    r.loc_of("rotation_lambda_arn"),
                    format!("`rotation_lambda_arn` is unknown: {}", why(u)),
                );
                continue;
            }
            Presence::Absent => {}
        }
        match &unknown {
            Some((rot, u)) => out.unknown(
                r,
                &r.loc,
                format!(
                    "no rotation is known for this secret: the `secret_id` of `{}` is unknown: {}",
                    rot.address,
                    why(u)
                ),
            ),
            None => out.fail(
                r,
                &r.loc,
                "no `aws_secretsmanager_secret_rotation` rotates this secret: the credential never changes",
            ),
        }
    }
}
