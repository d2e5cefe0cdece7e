use moat_model::views::services::Eff;
use moat_model::{Node, Severity};

use crate::registry::{why, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks the ACL of every S3 bucket (`aws_s3_bucket_acl` or the legacy inline `acl` and `grant`)
for access granted to everyone: the canned ACLs `public-read`, `public-read-write` and
`authenticated-read` (any AWS account in the world), and grants to the `AllUsers` or
`AuthenticatedUsers` groups. When `ignore_public_acls` is on for the bucket or the account,
S3 ignores such ACLs and the rule passes.

## Differences from Checkov
Checkov splits this property: `CKV_AWS_20` (public read: a `public-read`, `public-read-write`
or `authenticated-read` canned ACL, or a grant to `AllUsers`), `CKV_AWS_57` (public write:
`public-read-write`, or a `WRITE`, `WRITE_ACP` or `FULL_CONTROL` grant to `AllUsers`) and
`CKV2_AWS_43` (a grant to `AuthenticatedUsers`). Each finding claims only the checks that fail
for its ACL or grant. Checkov reads grants of `aws_s3_bucket_acl` only, so findings on the
legacy inline `grant` block claim none, and it does not honour `ignore_public_acls`.

## Why is this bad?
A public-read ACL lets anyone on the internet list and download the objects; public-read-write
also lets them upload and overwrite.

## Example
```hcl
resource "aws_s3_bucket_acl" "site" {
  bucket = aws_s3_bucket.site.id
  acl    = "public-read"
}
```

## Use instead
```hcl
resource "aws_s3_bucket_ownership_controls" "site" {
  bucket = aws_s3_bucket.site.id
  rule { object_ownership = "BucketOwnerEnforced" }
}
```
Serve public content through CloudFront with origin access control instead of a public bucket.

## References
- Seed 001, S3 checklist: "Public Access 차단", "버킷 정책 설정"; seed 004: "공개 S3 버킷 식별"
- AWS: [Access control list (ACL) overview](https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "bucket_public_acl",
    family: super::FAMILY,
    title: "S3 bucket ACL grants access to everyone",
    severity: Severity::High,
    checkov: &["CKV2_AWS_43", "CKV_AWS_20", "CKV_AWS_57"],
    doc: DOC,
    check,
};

const PUBLIC_CANNED: [&str; 3] = ["public-read", "public-read-write", "authenticated-read"];

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for b in ctx.s3_buckets() {
        let r = b.resource;
        let ignored = matches!(b.ignore_public_acls, Eff::Set { value: true, .. });
        if ignored {
            continue;
        }
        let note = match &b.ignore_public_acls {
            Eff::Unknown { reason, .. } => {
                format!(" (and `ignore_public_acls` is unknown: {})", why(reason))
            }
            _ => String::new(),
        };
        match &b.acl {
            Eff::Set { value, loc, from } if PUBLIC_CANNED.contains(&value.as_str()) => {
                let place = if from.address == r.address {
                    String::new()
                } else {
                    format!(" in `{}`", from.address)
                };
                let ids: &[&'static str] = if value == "public-read-write" {
                    &["CKV_AWS_20", "CKV_AWS_57"]
                } else {
                    &["CKV_AWS_20"]
                };
                out.claiming(ids, |out| {
                    out.fail(
                        r,
                        loc,
                        format!("`acl` is `{value}`{place}: everyone may access the bucket{note}"),
                    )
                });
            }
            Eff::Unknown { reason, loc, .. } => {
                out.unknown(r, loc, format!("`acl` is unknown: {}", why(reason)));
            }
            _ => {}
        }
        for (from, g) in &b.grants {
            let uri = g
                .get("uri")
                .or_else(|| g.blocks("grantee").first().and_then(|gr| gr.get("uri")));
            let perm = g
                .get("permission")
                .or_else(|| g.get("permissions"))
                .map(Node::to_string)
                .unwrap_or_default();
            let Some(uri) = uri else { continue };
            let loc = uri.loc.as_ref().unwrap_or(&from.loc);
            match uri.as_str() {
                Some(u) if u.ends_with("/AllUsers") || u.ends_with("/AuthenticatedUsers") => {
                    let who = u.rsplit('/').next().unwrap_or(u);
                    // Checkov reads grants of `aws_s3_bucket_acl` only.
                    let mut ids = Vec::new();
                    if from.rtype == "aws_s3_bucket_acl" {
                        if who == "AllUsers" {
                            ids.push("CKV_AWS_20");
                            if [
                                "\"WRITE\"",
                                "\"FULL_CONTROL\"",
                                "\"WRITE_ACP\"",
                                "WRITE",
                                "FULL_CONTROL",
                                "WRITE_ACP",
                            ]
                            .contains(&perm.as_str())
                            {
                                ids.push("CKV_AWS_57");
                            }
                        } else {
                            ids.push("CKV2_AWS_43");
                        }
                    }
                    out.claiming(&ids, |out| {
                        out.fail(
                            r,
                            loc,
                            format!("a grant gives `{perm}` to `{who}`: everyone may access the bucket{note}"),
                        )
                    });
                }
                Some(_) => {}
                None => {
                    if let Some(u) = uri.unknown_reason() {
                        out.unknown(r, loc, format!("a grant's `uri` is unknown: {}", why(u)));
                    }
                }
            }
        }
    }
}
