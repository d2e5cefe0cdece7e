use moat_model::{Severity, Value};

use crate::registry::{why, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks `aws_iam_account_password_policy` against the CIS baseline: `minimum_password_length`
at least 14, `password_reuse_prevention` at least 24, each of `require_lowercase_characters`,
`require_uppercase_characters`, `require_numbers`, `require_symbols` on, and
`max_password_age` between 1 and 90 days. One finding per weak setting.

## Why is this bad?
Console passwords of IAM users are a common way in; short, reused or never-expiring passwords
make guessing and credential stuffing work.

## Example
```hcl
resource "aws_iam_account_password_policy" "strict" {
  minimum_password_length = 8
}
```

## Use instead
```hcl
resource "aws_iam_account_password_policy" "strict" {
  minimum_password_length        = 14
  require_lowercase_characters   = true
  require_uppercase_characters   = true
  require_numbers                = true
  require_symbols                = true
  password_reuse_prevention      = 24
  max_password_age               = 90
}
```

## References
- Seed 001, IAM checklist: "강력한 비밀번호 정책"
- CIS AWS Foundations Benchmark v3.0.0, 1.8 and 1.9 (length 14, reuse 24)
- AWS: [Setting an account password policy](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "password_policy",
    family: super::FAMILY,
    title: "IAM password policy is weak",
    severity: Severity::Medium,
    checkov: &[
        "CKV_AWS_10",
        "CKV_AWS_11",
        "CKV_AWS_12",
        "CKV_AWS_13",
        "CKV_AWS_14",
        "CKV_AWS_15",
        "CKV_AWS_9",
    ],
    doc: DOC,
    check,
};

/// (attribute, default when unset, acceptable, requirement)
type NumberCheck = (&'static str, f64, fn(f64) -> bool, &'static str);

/// The Checkov check of each attribute: each finding claims only its own.
fn checkov_id(attr: &str) -> &'static str {
    match attr {
        "max_password_age" => "CKV_AWS_9",
        "minimum_password_length" => "CKV_AWS_10",
        "require_lowercase_characters" => "CKV_AWS_11",
        "require_numbers" => "CKV_AWS_12",
        "password_reuse_prevention" => "CKV_AWS_13",
        "require_symbols" => "CKV_AWS_14",
        _ => "CKV_AWS_15",
    }
}

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for r in ctx.of_type("aws_iam_account_password_policy") {
        let numbers: [NumberCheck; 3] = [
            (
                "minimum_password_length",
                6.0,
                |v| v >= 14.0,
                "must be at least 14",
            ),
            (
                "password_reuse_prevention",
                0.0,
                |v| v >= 24.0,
                "must be at least 24",
            ),
            (
                "max_password_age",
                0.0,
                |v| (1.0..=90.0).contains(&v),
                "must be 1 to 90 days (0 never expires)",
            ),
        ];
        for (attr, default, ok, need) in numbers {
            let loc = r.loc_of(attr);
            out.claiming(&[checkov_id(attr)], |out| match r.get(attr) {
                None => out.fail(
                    r,
                    loc,
                    format!("`{attr}` is not set (default `{default}`): {need}"),
                ),
                Some(n) => match (&n.value, n.as_f64()) {
                    (Value::Unknown(u), _) => {
                        out.unknown(r, loc, format!("`{attr}` is unknown: {}", why(u)))
                    }
                    (_, Some(v)) if !ok(v) => {
                        out.fail(r, loc, format!("`{attr}` is `{n}`: {need}"))
                    }
                    _ => {}
                },
            });
        }
        for attr in [
            "require_lowercase_characters",
            "require_numbers",
            "require_symbols",
            "require_uppercase_characters",
        ] {
            out.claiming(&[checkov_id(attr)], |out| {
                crate::registry::require_bool(
                    out,
                    r,
                    attr,
                    false,
                    true,
                    "passwords need not contain this character class",
                )
            });
        }
    }
}
