use moat_model::Severity;

use crate::registry::{require, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every `aws_ecr_repository` makes image tags immutable:
`image_tag_mutability = "IMMUTABLE"` (or `"IMMUTABLE_WITH_EXCLUSION"`, immutable except for the
tags its filters exclude). The default is `"MUTABLE"`.

## Why is this bad?
With mutable tags, anyone who may push can replace `app:1.4.2` (or `latest`) with a different
image, and every deployment that pulls the tag runs it. Immutable tags make a tag name one
scanned, reviewed image for good.

## Example
```hcl
resource "aws_ecr_repository" "app" {
  name = "app"
}
```

## Use instead
```hcl
resource "aws_ecr_repository" "app" {
  name                 = "app"
  image_tag_mutability = "IMMUTABLE"
}
```

## References
- AWS Security Hub: [ECR.2] ECR private repositories should have tag immutability configured
- AWS: [Preventing image tags from being overwritten](https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "mutable_tags",
    family: super::FAMILY,
    title: "ECR image tags are mutable",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_51"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for repo in &ctx.aws().containers.ecr_repositories {
        require(
            ctx,
            out,
            repo.id,
            &repo.image_tag_mutability,
            |m| m.starts_with("IMMUTABLE"),
            "a push can replace the image behind an existing tag",
        );
    }
}
