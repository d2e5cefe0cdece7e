use moat_model::aws::Attr;
use moat_model::Severity;

use crate::registry::{require, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks `aws_iam_account_password_policy` against the CIS baseline: `minimum_password_length`
at least 14, `password_reuse_prevention` at least 24, each of `require_lowercase_characters`,
`require_uppercase_characters`, `require_numbers`, `require_symbols` on, and
`max_password_age` between 1 and 90 days. One finding per weak setting.

CloudFormation has no resource type for the account password policy (it is set with the IAM
API's `UpdateAccountPasswordPolicy`), so a template never declares one and this rule has nothing
to check in it: a template without findings here says nothing about the account's password
policy.

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
- CIS AWS Foundations Benchmark v3.0.0, 1.8 and 1.9 (length 14, reuse 24)
- AWS Security Hub controls IAM.7 (strong password policy), IAM.15 (length 14) and IAM.16 (reuse prevention)
- AWS: [Setting an account password policy](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html)
- AWS: [UpdateAccountPasswordPolicy](https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html)
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

/// A numeric setting: its Checkov check, the acceptable values, the requirement.
type NumberCheck<'a> = (&'a Attr<f64>, &'static str, fn(&f64) -> bool, &'static str);

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for p in &ctx.aws().identity.password_policies {
        // Each finding claims only the Checkov check of its own setting.
        let numbers: [NumberCheck<'_>; 3] = [
            (
                &p.minimum_password_length,
                "CKV_AWS_10",
                |v| *v >= 14.0,
                "must be at least 14",
            ),
            (
                &p.password_reuse_prevention,
                "CKV_AWS_13",
                |v| *v >= 24.0,
                "must be at least 24",
            ),
            (
                &p.max_password_age,
                "CKV_AWS_9",
                |v| (1.0..=90.0).contains(v),
                "must be 1 to 90 days (0 never expires)",
            ),
        ];
        for (attr, id, ok, need) in numbers {
            out.claiming(&[id], |out| require(ctx, out, p.id, attr, ok, need));
        }
        for (attr, id) in [
            (&p.require_lowercase_characters, "CKV_AWS_11"),
            (&p.require_numbers, "CKV_AWS_12"),
            (&p.require_symbols, "CKV_AWS_14"),
            (&p.require_uppercase_characters, "CKV_AWS_15"),
        ] {
            out.claiming(&[id], |out| {
                require(
                    ctx,
                    out,
                    p.id,
                    attr,
                    |v| *v,
                    "passwords need not contain this character class",
                )
            });
        }
    }
}
