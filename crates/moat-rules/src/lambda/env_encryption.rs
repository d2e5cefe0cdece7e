use moat_model::Severity;

use crate::registry::{presence, why, Ctx, Out, Presence, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that an `aws_lambda_function` with `environment` variables sets `kms_key_arn`, so that
the variables are encrypted with a customer managed key.

## Why is this bad?
Environment variables often end up holding configuration secrets. With the default AWS
managed key anyone allowed `lambda:GetFunctionConfiguration` reads them in clear; a CMK adds a
key policy in between. Secrets themselves belong in Secrets Manager (seed 004).

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
- Seed 004 section 10: "환경 변수 암호화 (KMS)"
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
    for r in ctx.of_type("aws_lambda_function") {
        let has_vars = r.blocks("environment").iter().any(|e| {
            e.get("variables")
                .is_some_and(|v| !v.is_null() && v.as_map().is_none_or(|m| !m.is_empty()))
        });
        if !has_vars {
            continue;
        }
        match presence(r.get("kms_key_arn")) {
            Presence::Set => {}
            Presence::Absent => out.fail(r, r.loc_of("environment"), "`environment` variables are set and `kms_key_arn` is not: they are encrypted only with the AWS managed key"),
            Presence::Unknown(u) => out.unknown(r, r.loc_of("kms_key_arn"), format!("`kms_key_arn` is unknown: {}", why(u))),
        }
    }
}
