use moat_model::aws::AttrValue;
use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

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
- AWS Security Hub: [EC2.3] Attached Amazon EBS volumes should be encrypted at-rest
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
    for v in &ctx.aws().compute.volumes {
        let Some(r) = ctx.resource(v.id) else {
            continue;
        };
        let attr = &v.encrypted;
        match &attr.value {
            AttrValue::Known(true) | AttrValue::Default(true) => {}
            AttrValue::Known(false) | AttrValue::Default(false) => match &account {
                Err(u) => out.unknown(
                    r,
                    &attr.loc,
                    format!(
                        "`{}` is not `true` and the account default is unknown: {u}",
                        attr.path
                    ),
                ),
                Ok(_) => out.fail(
                    r,
                    &attr.loc,
                    format!(
                        "{} and no `{}` is enabled: the volume is stored unencrypted",
                        attr.describe(),
                        ctx.aws().terms.ebs_encryption_by_default
                    ),
                ),
            },
            AttrValue::Unknown(_) | AttrValue::Invalid { .. } => {
                out.unknown(r, &attr.loc, attr.describe())
            }
        }
    }
}
