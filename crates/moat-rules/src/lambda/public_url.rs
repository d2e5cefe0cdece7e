use moat_model::aws::serverless::UrlAuth;
use moat_model::aws::AttrValue;
use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that no `aws_lambda_function_url` uses `authorization_type = "NONE"`.

## Why is this bad?
A function URL without IAM authorization can be invoked by anyone on the internet, bypassing
API Gateway's authorizers, WAF and throttling.

## Example
```hcl
resource "aws_lambda_function_url" "api" {
  function_name      = aws_lambda_function.api.function_name
  authorization_type = "NONE"
}
```

## Use instead
```hcl
resource "aws_lambda_function_url" "api" {
  function_name      = aws_lambda_function.api.function_name
  authorization_type = "AWS_IAM"
}
```

## References
- AWS: [Control access to Lambda function URLs](https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "public_url",
    family: super::FAMILY,
    title: "Lambda function URL has no authentication",
    severity: Severity::High,
    checkov: &["CKV_AWS_258"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for u in &ctx.aws().serverless.urls {
        let Some(auth) = &u.auth else {
            continue;
        };
        let Some(r) = ctx.resource(u.id) else {
            continue;
        };
        match &auth.value {
            AttrValue::Known(UrlAuth::None) | AttrValue::Default(UrlAuth::None) => out.fail(
                r,
                &auth.loc,
                format!(
                    "{}: anyone on the internet can invoke the function",
                    auth.describe()
                ),
            ),
            AttrValue::Unknown(_) | AttrValue::Invalid { .. } => {
                out.unknown(r, &auth.loc, auth.describe())
            }
            _ => {}
        }
    }
}
