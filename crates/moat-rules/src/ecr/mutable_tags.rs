use moat_model::{Severity, Value};

use crate::registry::{why, Ctx, Out, RuleDef};

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
- Seed 004, container security: "Image Scanning (ECR)" (images verified before deployment); seed 001: "컨테이너 이미지 보안: 취약점 스캔 및 검증"
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
    for r in ctx.of_type("aws_ecr_repository") {
        let loc = r.loc_of("image_tag_mutability");
        match r.get("image_tag_mutability").map(|n| &n.value) {
            None | Some(Value::Null) => out.fail(
                r,
                loc,
                "`image_tag_mutability` is not set (default `MUTABLE`): a push can replace the image behind an existing tag",
            ),
            Some(Value::String(s)) if s.starts_with("IMMUTABLE") => {}
            Some(Value::Unknown(u)) => out.unknown(
                r,
                loc,
                format!("`image_tag_mutability` is unknown: {}", why(u)),
            ),
            Some(v) => out.fail(
                r,
                loc,
                format!("`image_tag_mutability` is `{v}`: a push can replace the image behind an existing tag"),
            ),
        }
    }
}
