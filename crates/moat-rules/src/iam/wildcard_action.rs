use moat_model::aws::identity::{action_is_service_wildcard, PolicyKind};
use moat_model::Severity;

use super::{checkov_site, CheckovSite};
use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks every identity policy for an `Allow` statement with a wildcard action: `"*"`, a whole
service (`"s3:*"`, `"iam:*"`), or `NotAction` (which allows everything not listed), whatever
the resource. A statement granting every action on every resource is also reported by IAM001
(administrator access); IAM002 reports the wildcard itself.

## Differences from Checkov
Checkov's `CKV_AWS_63` (policies written in `aws_iam_policy`, `aws_iam_role_policy`,
`aws_iam_user_policy`, `aws_iam_group_policy`) and `CKV_AWS_49` (`data
"aws_iam_policy_document"`, on the data block) fail only a statement whose actions include the
literal `"*"`. moat also reports service wildcards (`"s3:*"`) and `NotAction`, and role
`inline_policy` blocks, which Checkov does not read: those findings claim no Checkov
equivalent. A finding on `"*"` claims the one ID Checkov would report it with. The ID follows
where the document comes from (a policy-document data source, or a document written in the
resource), the same in `.tf` and `.tf.json`; Checkov does not evaluate `"${jsonencode(...)}"` in
`.tf.json`, so there it reports only a literal JSON string. A document taken from a local value
or a file claims nothing.

## Why is this bad?
A service wildcard grants actions nobody reviewed, including ones added to the service later
(`iam:*` includes privilege escalation; `s3:*` includes `s3:PutBucketPolicy`).

## Example
```hcl
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = aws_s3_bucket.data.arn }]
```

## Use instead
```hcl
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject"], Resource = "${aws_s3_bucket.data.arn}/*" }]
```

## References
- AWS Security Hub control IAM.21: "IAM customer managed policies that you create should not allow wildcard actions for services"
- AWS: [Grant least privilege](https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "wildcard_action",
    family: super::FAMILY,
    title: "IAM policy allows wildcard actions",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_49", "CKV_AWS_63"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for doc in &ctx.aws().identity.policies {
        if doc.kind != PolicyKind::Identity {
            continue;
        }
        // Unknown documents are reported by IAM001.
        let Ok(p) = &doc.document else { continue };
        let Some(r) = ctx.resource(doc.id) else {
            continue;
        };
        let site = checkov_site(doc);
        for s in &p.statements {
            if !s.allow {
                continue;
            }
            let loc = s.loc.as_ref().unwrap_or(&doc.loc);
            let id = s.name();
            if s.not_action {
                out.claiming(&[], |out| {
                    out.fail(
                        r,
                        loc,
                        format!(
                            "statement {id} of `{}` uses `NotAction: {}`: it allows every other action",
                            doc.path,
                            s.actions.values.join(", ")
                        ),
                    )
                });
                continue;
            }
            let wild: Vec<&str> = s
                .actions
                .values
                .iter()
                .map(String::as_str)
                .filter(|a| action_is_service_wildcard(a))
                .collect();
            if !wild.is_empty() {
                let ids: &[&'static str] = match (site, wild.contains(&"*")) {
                    (CheckovSite::Resource, true) => &["CKV_AWS_63"],
                    (CheckovSite::Data, true) => &["CKV_AWS_49"],
                    _ => &[],
                };
                out.claiming(ids, |out| {
                    out.fail(
                        r,
                        loc,
                        format!(
                            "statement {id} of `{}` allows `{}`",
                            doc.path,
                            wild.join(", ")
                        ),
                    );
                });
            }
        }
    }
}
