use moat_iam::estate::ResourceKind;
use moat_model::{ResourceId, Severity};

use crate::iam::exposure::{report, Scope};
use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Decides, with moat's IAM policy evaluator, whether a bucket's policy (`aws_s3_bucket_policy`,
the legacy inline `policy`, `AWS::S3::BucketPolicy`) lets **anyone** (an anonymous request) or
**any AWS account** call `s3:GetObject`, `s3:PutObject`, `s3:DeleteObject`, `s3:ListBucket`,
`s3:PutBucketPolicy` (or any other S3 action an `Allow` statement names) on the bucket or on
the object prefixes the policy names. Conditions are decided, not merely noticed: a condition
that restricts the caller to a trusted set (`aws:SourceVpce`, `aws:SourceVpc`,
`aws:PrincipalOrgID`, `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:SourceAccount`,
`aws:SourceArn`, `aws:SourceOrgID`) keeps a foreign request out and the rule passes; a
`Deny` that only refuses plain HTTP (`aws:SecureTransport`) does not, since anyone can use
TLS; a condition on anything else (`aws:SourceIp`, a tag) or a value not known offline (a
principal from a variable) makes the finding unknown. When `restrict_public_buckets` is on
for the bucket or the account, S3 limits such statements to principals of the bucket owner's
account and AWS services, and the rule passes.

The message names the audience, the actions and the statements that allow (index, `Sid`).
Grants to an account written literally are reported for review by IAM008; the evaluation is
shared with KMS002, IAM005 and IAM008.

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
- AWS: [Policy evaluation logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "bucket_policy_public",
    family: super::FAMILY,
    title: "S3 bucket policy lets anyone or any account in",
    severity: Severity::High,
    checkov: &["CKV_AWS_70"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let aws = ctx.aws();
    // With `restrict_public_buckets`, S3 limits a public bucket policy to the bucket owner's
    // account and AWS services (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html).
    let restricted = |id: ResourceId| {
        aws.storage.buckets.iter().any(|b| {
            b.id == id && b.public_access_block.restrict_public_buckets.written() == Some(&true)
        })
    };
    report(
        ctx,
        out,
        &[ResourceKind::Bucket],
        Scope::Broad,
        &|_| &["CKV_AWS_70"],
        &restricted,
    );
}
