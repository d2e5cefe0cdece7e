use moat_model::aws::storage::GrantSource;
use moat_model::aws::AttrValue;
use moat_model::Severity;

use super::undecided;
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
- AWS Security Hub controls S3.2 and S3.3: S3 general purpose buckets should block public read and public write access
- AWS: [Controlling ownership of objects and disabling ACLs for your bucket](https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html)
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
    for b in &ctx.aws().storage.buckets {
        let Some(r) = ctx.resource(b.id) else {
            continue;
        };
        let ignore = &b.public_access_block.ignore_public_acls;
        if ignore.written() == Some(&true) {
            continue;
        }
        let note = match &ignore.value {
            AttrValue::Unknown(_) | AttrValue::Invalid { .. } => {
                format!(" (and `{}` is unknown: {})", ignore.path, undecided(ignore))
            }
            AttrValue::Known(_) | AttrValue::Default(_) => String::new(),
        };
        let acl = &b.acl;
        match &acl.value {
            AttrValue::Known(value) if PUBLIC_CANNED.contains(&value.as_str()) => {
                let place = match ctx.resource(acl.from) {
                    Some(from) if from.address != r.address => format!(" in `{}`", from.address),
                    _ => String::new(),
                };
                let ids: &[&'static str] = if value == "public-read-write" {
                    &["CKV_AWS_20", "CKV_AWS_57"]
                } else {
                    &["CKV_AWS_20"]
                };
                out.claiming(ids, |out| {
                    out.fail(
                        r,
                        &acl.loc,
                        format!(
                            "`{}` is `{value}`{place}: everyone may access the bucket{note}",
                            acl.path
                        ),
                    )
                });
            }
            AttrValue::Unknown(_) | AttrValue::Invalid { .. } => {
                out.unknown(
                    r,
                    &acl.loc,
                    format!("`{}` is unknown: {}", acl.path, undecided(acl)),
                );
            }
            AttrValue::Known(_) | AttrValue::Default(_) => {}
        }
        for g in &b.grants {
            let perm = g.permission.as_str();
            let loc = &g.uri.loc;
            match &g.uri.value {
                AttrValue::Known(u)
                    if u.ends_with("/AllUsers") || u.ends_with("/AuthenticatedUsers") =>
                {
                    let who = u.rsplit('/').next().unwrap_or(u);
                    // Checkov reads grants of separate ACL resources only.
                    let mut ids = Vec::new();
                    if g.source == GrantSource::AclResource {
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
                            .contains(&perm)
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
                AttrValue::Unknown(u) => {
                    // The grantee's URI setting: the path's last segment.
                    let uri = g.uri.path.rsplit('.').next().unwrap_or(&g.uri.path);
                    out.unknown(r, loc, format!("a grant's `{uri}` is unknown: {}", why(u)));
                }
                AttrValue::Known(_) | AttrValue::Default(_) | AttrValue::Invalid { .. } => {}
            }
        }
    }
}
