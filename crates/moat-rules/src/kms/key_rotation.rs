use moat_model::aws::AttrValue;
use moat_model::Severity;

use crate::registry::{require, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that `enable_key_rotation` is `true` on every symmetric `aws_kms_key` (default
`false`). Asymmetric and HMAC keys (`customer_master_key_spec` other than
`SYMMETRIC_DEFAULT`) cannot rotate automatically and are skipped.

## Why is this bad?
Automatic rotation creates new key material every year (or the configured period) while
keeping old material for decryption, which limits how much data one compromised key version
protects.

## Example
```hcl
resource "aws_kms_key" "data" {
  description = "data"
}
```

## Use instead
```hcl
resource "aws_kms_key" "data" {
  description         = "data"
  enable_key_rotation = true
}
```

## References
- AWS Security Hub control KMS.4: "AWS KMS key rotation should be enabled"
- CIS AWS Foundations Benchmark v3.0.0, 3.6: "Ensure rotation for customer-created symmetric CMKs is enabled"
- AWS: [Rotating AWS KMS keys](https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "key_rotation",
    family: super::FAMILY,
    title: "KMS key rotation is not enabled",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_7"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for k in &ctx.aws().security.keys {
        let Some(r) = ctx.resource(k.id) else {
            continue;
        };
        // Asymmetric and HMAC keys cannot rotate automatically.
        match &k.key_spec.value {
            AttrValue::Known(s) | AttrValue::Default(s) if s != "SYMMETRIC_DEFAULT" => continue,
            AttrValue::Unknown(_) => {
                out.unknown(r, &k.key_spec.loc, k.key_spec.describe());
                continue;
            }
            AttrValue::Known(_) | AttrValue::Default(_) | AttrValue::Invalid { .. } => {}
        }
        require(
            ctx,
            out,
            k.id,
            &k.rotation,
            |v: &bool| *v,
            "the key material is never rotated",
        );
    }
}
