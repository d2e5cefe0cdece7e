use moat_model::aws::identity::{AttachmentKind, PolicyHolder, PrincipalKind};
use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks for policies attached directly to IAM users: `aws_iam_user_policy`,
`aws_iam_user_policy_attachment`, and `aws_iam_policy_attachment` with `users`.

## Why is this bad?
Role-based access control grants permissions to groups and roles; per-user
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
- CIS AWS Foundations Benchmark v1.4, 1.15: "Ensure IAM Users Receive Permissions Only Through Groups"
- AWS Security Hub control IAM.2: "IAM users should not have IAM policies attached"
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
    let identity = &ctx.aws().identity;
    let terms = &ctx.aws().terms;
    for doc in &identity.policies {
        if doc.holder != PolicyHolder::InlinePolicy(PrincipalKind::User) {
            continue;
        }
        let Some(r) = ctx.resource(doc.id) else {
            continue;
        };
        direct(out, r, &doc.declared_as, doc.principal.as_ref());
    }
    for a in &identity.attachments {
        let Some(r) = ctx.resource(a.id) else {
            continue;
        };
        match a.kind {
            AttachmentKind::To(PrincipalKind::User) => {
                let user = a.to.iter().find(|g| g.kind == PrincipalKind::User);
                direct(out, r, &a.declared_as, user.map(|g| &g.shown));
            }
            AttachmentKind::Shared => {
                let users =
                    a.to.iter()
                        .find(|g| {
                            g.kind == PrincipalKind::User && g.shown.entries.is_some_and(|n| n > 0)
                        })
                        .map(|g| &g.shown);
                if let Some(users) = users {
                    out.fail(
                        r,
                        &users.loc,
                        format!("`{}` is `{}`: permissions are granted directly to users; use `{}` or `{}`", users.path, users.text, terms.attachment_groups, terms.attachment_roles),
                    );
                }
            }
            _ => {}
        }
    }
}

/// A grant to one user, named as written.
fn direct(
    out: &mut Out,
    r: &moat_model::Resource,
    declared_as: &str,
    user: Option<&moat_model::aws::identity::Shown>,
) {
    let (name, loc) = match user {
        Some(u) => (u.text.as_str(), &u.loc),
        None => ("", &r.loc),
    };
    out.fail(
        r,
        loc,
        format!("`{declared_as}` grants permissions directly to user `{name}`; grant them through a group or role"),
    );
}
