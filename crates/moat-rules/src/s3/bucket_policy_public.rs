use moat_model::aws::identity::PolicyHolder;
use moat_model::Severity;

use crate::registry::{why, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks every bucket policy (`aws_s3_bucket_policy`, or the legacy inline `policy`) for an
`Allow` statement whose principal is everyone (`"Principal": "*"` or `{"AWS": "*"}`) and that
has no `Condition`. When `restrict_public_buckets` is on for the bucket or the account, S3
limits such statements to principals of the bucket owner's account and AWS services, and the
rule passes.

## Why is this bad?
An unconditioned wildcard principal gives the statement's actions to anyone on the internet,
authenticated or not.

## Example
```hcl
resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.data.arn}/*"
    }]
  })
}
```

## Use instead
Name the principals, or keep the wildcard but constrain it with a condition such as
`aws:PrincipalOrgID` or `aws:SourceVpce`:
```hcl
      Principal = "*"
      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-xxxxxxxxx" } }
```

## References
- AWS: [Blocking public access to your Amazon S3 storage](https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html)
- AWS: [Bucket policies for Amazon S3](https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "bucket_policy_public",
    family: super::FAMILY,
    title: "S3 bucket policy allows any principal without a condition",
    severity: Severity::High,
    checkov: &["CKV_AWS_70"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let aws = ctx.aws();
    for b in &aws.storage.buckets {
        let Some(r) = ctx.resource(b.id) else {
            continue;
        };
        if b.public_access_block.restrict_public_buckets.written() == Some(&true) {
            continue;
        }
        if let Some(l) = &b.policy_link_unknown {
            if b.policies.is_empty() {
                let from = ctx
                    .resource(l.from)
                    .map(|f| f.address.as_str())
                    .unwrap_or("");
                out.unknown(
                    r,
                    &l.loc,
                    format!(
                        "`{from}` may attach a policy to this bucket: its `{}` is unknown: {}",
                        aws.terms.policy_bucket,
                        why(&l.why)
                    ),
                );
            }
        }
        for pid in &b.policies {
            let Some(from) = ctx.resource(*pid) else {
                continue;
            };
            let docs = aws.identity.policies_of(*pid).filter(|d| {
                matches!(
                    d.holder,
                    PolicyHolder::BucketPolicy | PolicyHolder::BucketInlinePolicy
                )
            });
            for p in docs {
                let loc = &p.loc;
                match &p.document {
                    Err(u) => out.unknown(
                        r,
                        loc,
                        format!("the policy in `{}` is unknown: {}", from.address, why(u)),
                    ),
                    Ok(policy) => {
                        for s in &policy.statements {
                            if !s.allow || s.has_condition || s.not_principal {
                                continue;
                            }
                            let sloc = s.loc.as_ref().unwrap_or(loc);
                            let actions = s.actions.values.join(", ");
                            if s.allows_anyone_unconditionally() {
                                out.fail(
                                    r,
                                    sloc,
                                    format!(
                                        "statement {} of `{}` allows `{actions}` to principal `*` without a condition",
                                        s.name(),
                                        from.address
                                    ),
                                );
                            } else if let Some(u) = &s.principal_unknown {
                                out.unknown(
                                    r,
                                    sloc,
                                    format!(
                                        "a principal of statement {} is unknown: {}",
                                        s.index,
                                        why(u)
                                    ),
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}
