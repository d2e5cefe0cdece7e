use moat_model::aws::AttrValue;
use moat_model::Severity;

use crate::registry::{why, Ctx, Out, RuleDef};

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
- AWS Security Hub control SecretsManager.1: "Secrets Manager secrets should have automatic rotation enabled"
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
    let security = &ctx.aws().security;
    for s in &security.secrets {
        if !s.rotated_by.is_empty() {
            continue;
        }
        let Some(r) = ctx.resource(s.id) else {
            continue;
        };
        let inline = &s.inline_rotation;
        match &inline.value {
            AttrValue::Known(true) | AttrValue::Default(true) => continue,
            AttrValue::Unknown(_) | AttrValue::Invalid { .. } => {
                out.unknown(r, &inline.loc, inline.describe());
                continue;
            }
            AttrValue::Known(false) | AttrValue::Default(false) => {}
        }
        match &security.rotation_target_unknown {
            Some(rot) => out.unknown(
                r,
                &r.loc,
                format!(
                    "no rotation is known for this secret: the `{}` of `{}` is unknown: {}",
                    ctx.aws().terms.rotation_secret,
                    ctx.resource(rot.from).map_or("", |f| f.address.as_str()),
                    why(&rot.why)
                ),
            ),
            None => out.fail(
                r,
                &r.loc,
                format!(
                    "no `{}` rotates this secret: the credential never changes",
                    ctx.aws().terms.secret_rotation
                ),
            ),
        }
    }
}
