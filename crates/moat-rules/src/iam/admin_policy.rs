use moat_model::aws::identity::PolicyKind;
use moat_model::Severity;

use super::{checkov_site, CheckovSite};
use crate::registry::{why, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks every identity policy (`aws_iam_policy`, `aws_iam_role_policy`, `aws_iam_user_policy`,
`aws_iam_group_policy`, a role's `inline_policy`) for an `Allow` statement that grants every
action (`"*"`, or `NotAction` with anything) on every resource (`"*"`): full administrator
access. Policies from `jsonencode(...)` and `data.aws_iam_policy_document` are read alike.

## Differences from Checkov
Checkov checks a policy written in `aws_iam_policy`, `aws_iam_role_policy`,
`aws_iam_user_policy` or `aws_iam_group_policy` with `CKV_AWS_62`, and a
`data "aws_iam_policy_document"` with `CKV_AWS_1` (on the data block). Neither reads a role's
`inline_policy` nor treats `NotAction` as granting every action: moat reports those without a
Checkov equivalent. Each finding claims the one ID Checkov would report it with. The ID follows
where the document comes from (a policy-document data source, or a document written in the
resource), the same in `.tf` and `.tf.json`; Checkov does not evaluate `"${jsonencode(...)}"` in
`.tf.json`, so there it reports only a literal JSON string. A document taken from a local value
or a file claims nothing.

## Why is this bad?
Administrator access defeats least privilege: a leaked credential of that identity owns the
account.

## Example
```hcl
resource "aws_iam_policy" "ops" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
```

## Use instead
Grant the actions the workload uses, on its resources:
```hcl
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]
    }]
```

## References
- CIS AWS Foundations Benchmark v3.0.0, 1.16: "Ensure IAM policies that allow full "*:*" administrative privileges are not attached"
- AWS Security Hub control IAM.1: "IAM policies should not allow full "*" administrative privileges"
- AWS: [Security best practices in IAM](https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "admin_policy",
    family: super::FAMILY,
    title: "IAM policy grants full administrator access",
    severity: Severity::High,
    checkov: &["CKV_AWS_1", "CKV_AWS_62"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for doc in &ctx.aws().identity.policies {
        if doc.kind != PolicyKind::Identity {
            continue;
        }
        let Some(r) = ctx.resource(doc.id) else {
            continue;
        };
        let site = checkov_site(doc);
        let p = match &doc.document {
            Ok(p) => p,
            Err(u) => {
                out.unknown(
                    r,
                    &doc.loc,
                    format!("`{}` is unknown: {}", doc.path, why(u)),
                );
                continue;
            }
        };
        for s in &p.statements {
            if !s.allow || s.not_resource {
                continue;
            }
            let all_actions = if s.not_action {
                true
            } else {
                s.actions.any(|a| a == "*")
            };
            let all_resources = s.resources.any(|a| a == "*");
            let loc = s.loc.as_ref().unwrap_or(&doc.loc);
            if all_actions && all_resources {
                let what = if s.not_action {
                    format!("`NotAction: {}`", s.actions.values.join(", "))
                } else {
                    "`Action: *`".to_string()
                };
                let ids: &[&'static str] = match (site, s.not_action) {
                    (_, true) | (CheckovSite::None, _) => &[],
                    (CheckovSite::Resource, false) => &["CKV_AWS_62"],
                    (CheckovSite::Data, false) => &["CKV_AWS_1"],
                };
                out.claiming(ids, |out| {
                    out.fail(
                        r,
                        loc,
                        format!(
                            "statement {} of `{}` allows {what} on `Resource: *`",
                            s.name(),
                            doc.path
                        ),
                    );
                });
            } else if (s.actions.unknown.is_some() && !s.not_action && all_resources)
                || (s.resources.unknown.is_some() && all_actions)
            {
                let u = s.actions.unknown.as_ref().or(s.resources.unknown.as_ref());
                out.unknown(
                    r,
                    loc,
                    format!(
                        "statement {} of `{}` has an unknown action or resource: {}",
                        s.index,
                        doc.path,
                        u.map(why).unwrap_or_default()
                    ),
                );
            }
        }
    }
}
