use moat_model::Severity;

use moat_model::aws::AttrValue;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that an `aws_lambda_function` with `environment` variables sets `kms_key_arn`, so that
the variables are encrypted with a customer managed key.

## Why is this bad?
Environment variables often end up holding configuration secrets. With the default AWS
managed key anyone allowed `lambda:GetFunctionConfiguration` reads them in clear; a CMK adds a
key policy in between. Secrets themselves belong in Secrets Manager.

## Example
```hcl
resource "aws_lambda_function" "api" {
  environment {
    variables = { DB_HOST = "db.internal" }
  }
}
```

## Use instead
```hcl
resource "aws_lambda_function" "api" {
  kms_key_arn = aws_kms_key.lambda.arn
  environment {
    variables = { DB_HOST = "db.internal" }
  }
}
```

## References
- AWS: [Securing Lambda environment variables](https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "env_encryption",
    family: super::FAMILY,
    title: "Lambda environment variables are not encrypted with a CMK",
    severity: Severity::Low,
    checkov: &["CKV_AWS_173"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for f in &ctx.aws().serverless.functions {
        let Some(env) = &f.environment else {
            continue;
        };
        let Some(r) = ctx.resource(f.id) else {
            continue;
        };
        let key = &f.kms_key;
        match &key.value {
            AttrValue::Known(true) | AttrValue::Default(true) => {}
            AttrValue::Known(false) | AttrValue::Default(false) => out.fail(
                r,
                env,
                format!("`{}` variables are set and `{}` is not: they are encrypted only with the AWS managed key", ctx.aws().terms.function_environment, key.path),
            ),
            AttrValue::Unknown(_) | AttrValue::Invalid { .. } => {
                out.unknown(r, &key.loc, key.describe())
            }
        }
    }
}
