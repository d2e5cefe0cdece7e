use moat_model::Severity;

use crate::registry::{bool_attr, why, BoolAttr, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every `aws_ebs_volume` is encrypted: `encrypted = true`, or the account default
`aws_ebs_encryption_by_default` enabled in the same configuration. `encrypted` defaults to
`false`.

## Why is this bad?
Unencrypted volumes and their snapshots can be read by anyone who gets a copy (a shared or
public snapshot, a compromised backup account).

## Example
```hcl
resource "aws_ebs_volume" "data" {
  availability_zone = "ap-northeast-2a"
  size              = 100
}
```

## Use instead
```hcl
resource "aws_ebs_volume" "data" {
  availability_zone = "ap-northeast-2a"
  size              = 100
  encrypted         = true
  kms_key_id        = aws_kms_key.ebs.arn
}
```

## References
- Seed 004: AWS Config "암호화되지 않은 EBS 볼륨 탐지"
- CIS AWS Foundations Benchmark v3.0.0, 2.2.1: "Ensure EBS volume encryption is enabled in all regions"
- AWS: [Amazon EBS encryption](https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "volume_unencrypted",
    family: super::FAMILY,
    title: "EBS volume is not encrypted",
    severity: Severity::High,
    checkov: &["CKV_AWS_3"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let account = super::account_default(ctx);
    if account == Ok(true) {
        return;
    }
    for r in ctx.of_type("aws_ebs_volume") {
        match bool_attr(r, "encrypted", false) {
            BoolAttr::Value(true, _) => {}
            BoolAttr::Value(false, loc) => match &account {
                Err(u) => out.unknown(
                    r,
                    loc,
                    format!("`encrypted` is not `true` and the account default is unknown: {u}"),
                ),
                Ok(_) => {
                    let how = if r.get("encrypted").is_some() {
                        "`encrypted` is `false`"
                    } else {
                        "`encrypted` is not set (default `false`)"
                    };
                    out.fail(r, loc, format!("{how} and no `aws_ebs_encryption_by_default` is enabled: the volume is stored unencrypted"));
                }
            },
            BoolAttr::Unknown(u, loc) => {
                out.unknown(r, loc, format!("`encrypted` is unknown: {}", why(u)))
            }
            BoolAttr::Invalid(n, loc) => {
                out.unknown(r, loc, format!("`encrypted` is `{n}`, not a bool"))
            }
        }
    }
}
