use moat_model::Severity;

use moat_model::aws::AttrValue;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every `aws_eks_cluster` has an `encryption_config` block whose `resources`
include `secrets` (envelope encryption of Kubernetes secrets with a KMS key).

## Why is this bad?
Without envelope encryption, Kubernetes secrets are protected only by the encryption of the
etcd volumes; anyone who can read etcd (or a backup of it) reads the secrets.

## Example
```hcl
resource "aws_eks_cluster" "main" {
  name = "main"
}
```

## Use instead
```hcl
  encryption_config {
    resources = ["secrets"]
    provider { key_arn = aws_kms_key.eks.arn }
  }
```

## References
- AWS Security Hub: [EKS.3] EKS clusters should use encrypted Kubernetes secrets
- AWS: [Encrypt Kubernetes secrets with KMS](https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "secrets_encryption",
    family: super::FAMILY,
    title: "EKS secrets are not encrypted with KMS",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_58"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for c in &ctx.aws().containers.eks_clusters {
        let attr = &c.encrypted_resources;
        let unknown = match &attr.value {
            AttrValue::Known(l) | AttrValue::Default(l) => {
                if l.contains("secrets") {
                    continue;
                }
                l.partly_unknown
            }
            AttrValue::Unknown(_) | AttrValue::Invalid { .. } => true,
        };
        let Some(r) = ctx.resource(c.id) else {
            continue;
        };
        if unknown {
            out.unknown(r, &attr.loc, format!("`{}` is unknown", attr.path));
        } else {
            // The configuration block: the path's first segment.
            let config = attr.path.split('.').next().unwrap_or(&attr.path);
            out.fail(
                r,
                &attr.loc,
                format!(
                    "no `{config}` covers `secrets`: Kubernetes secrets are not envelope-encrypted"
                ),
            );
        }
    }
}
