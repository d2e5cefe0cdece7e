use moat_model::views::services::{action_is_service_wildcard, PolicyKind};
use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks every identity policy for an `Allow` statement with a wildcard action: `"*"`, a whole
service (`"s3:*"`, `"iam:*"`), or `NotAction` (which allows everything not listed). Statements
that grant every action on every resource are reported by IAM001 instead.

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
- Seed 001, IAM checklist: "최소 권한 원칙" (IAM Access Analyzer)
- AWS: [Grant least privilege](https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "wildcard_action",
    family: super::FAMILY,
    title: "IAM policy allows wildcard actions",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_63"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for doc in ctx.policies() {
        if doc.kind != PolicyKind::Identity {
            continue;
        }
        // Unknown documents are reported by IAM001.
        let Ok(p) = &doc.parsed else { continue };
        let r = doc.resource;
        for s in &p.statements {
            if !s.allow {
                continue;
            }
            let all_resources = !s.not_resource && s.resources.any(|a| a == "*");
            let admin = all_resources && (s.not_action || s.actions.any(|a| a == "*"));
            if admin {
                continue;
            }
            let loc = s.loc.as_ref().unwrap_or(doc.loc());
            let id = s.sid.clone().unwrap_or_else(|| s.index.to_string());
            if s.not_action {
                out.fail(
                    r,
                    loc,
                    format!(
                        "statement {id} of `{}` uses `NotAction: {}`: it allows every other action",
                        doc.attr,
                        s.actions.values.join(", ")
                    ),
                );
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
                out.fail(
                    r,
                    loc,
                    format!(
                        "statement {id} of `{}` allows `{}`",
                        doc.attr,
                        wild.join(", ")
                    ),
                );
            }
        }
    }
}
