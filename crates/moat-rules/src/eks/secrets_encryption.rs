use moat_model::Severity;

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
- Seed 001, EKS checklist: "시크릿 관리"
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
    for r in ctx.of_type("aws_eks_cluster") {
        let cfgs = r.blocks("encryption_config");
        let mut unknown = false;
        let ok = cfgs.iter().any(|c| match c.get("resources") {
            Some(n) => {
                unknown |= n.contains_unknown();
                n.string_list().contains(&"secrets")
            }
            None => false,
        });
        if ok {
            continue;
        }
        if unknown {
            out.unknown(
                r,
                r.loc_of("encryption_config"),
                "`encryption_config.resources` is unknown",
            );
        } else {
            out.fail(r, r.loc_of("encryption_config"), "no `encryption_config` covers `secrets`: Kubernetes secrets are not envelope-encrypted");
        }
    }
}
