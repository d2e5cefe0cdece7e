use moat_model::{Severity, Value};

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks for policies attached directly to IAM users: `aws_iam_user_policy`,
`aws_iam_user_policy_attachment`, and `aws_iam_policy_attachment` with `users`.

## Why is this bad?
Role-based access control (seed 001 "RBAC") grants permissions to groups and roles; per-user
grants drift, are forgotten when people change teams, and make periodic reviews harder.

## Example
```hcl
resource "aws_iam_user_policy_attachment" "alice" {
  user       = aws_iam_user.alice.name
  policy_arn = aws_iam_policy.ops.arn
}
```

## Use instead
```hcl
resource "aws_iam_group_policy_attachment" "ops" {
  group      = aws_iam_group.ops.name
  policy_arn = aws_iam_policy.ops.arn
}
```

## References
- Seed 001, IAM: "역할 기반 접근 제어 (RBAC)", "정기적인 권한 검토"
- CIS AWS Foundations Benchmark v1.4, 1.15: "Ensure IAM Users Receive Permissions Only Through Groups"
- AWS: [IAM best practices](https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "user_attached_policy",
    family: super::FAMILY,
    title: "IAM policy is attached directly to a user",
    severity: Severity::Low,
    checkov: &["CKV_AWS_40"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for t in ["aws_iam_user_policy", "aws_iam_user_policy_attachment"] {
        for r in ctx.of_type(t) {
            let user = r.get("user").map(|n| n.to_string()).unwrap_or_default();
            out.fail(r, r.loc_of("user"), format!("`{t}` grants permissions directly to user `{user}`; grant them through a group or role"));
        }
    }
    for r in ctx.of_type("aws_iam_policy_attachment") {
        let Some(users) = r.get("users") else {
            continue;
        };
        match &users.value {
            Value::List(l) if !l.is_empty() => out.fail(
                r,
                r.loc_of("users"),
                format!("`users` is `{users}`: permissions are granted directly to users; use `groups` or `roles`"),
            ),
            _ => {}
        }
    }
}
