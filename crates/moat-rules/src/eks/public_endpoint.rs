use moat_model::aws::AttrValue;
use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that the Kubernetes API endpoint of every `aws_eks_cluster` is not open to the whole
internet: either `vpc_config.endpoint_public_access = false`, or `public_access_cidrs`
restricted to known ranges. Both default to open (`true`, `["0.0.0.0/0"]`).

## Why is this bad?
The API server is the cluster's control plane. Exposed to the internet it is one stolen
kubeconfig or one authentication bug away from full cluster compromise.

## Example
```hcl
resource "aws_eks_cluster" "main" {
  vpc_config {
    subnet_ids = aws_subnet.private[*].id
  }
}
```

## Use instead
```hcl
  vpc_config {
    subnet_ids              = aws_subnet.private[*].id
    endpoint_private_access = true
    endpoint_public_access  = false
  }
```

## References
- AWS Security Hub: [EKS.1] EKS cluster endpoints should not be publicly accessible
- AWS: [Cluster API server endpoint](https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "public_endpoint",
    family: super::FAMILY,
    title: "EKS API endpoint is open to the internet",
    severity: Severity::High,
    checkov: &["CKV_AWS_38", "CKV_AWS_39"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for c in &ctx.aws().containers.eks_clusters {
        let Some(r) = ctx.resource(c.id) else {
            continue;
        };
        let public = &c.endpoint_public_access;
        match &public.value {
            AttrValue::Known(false) | AttrValue::Default(false) => continue,
            AttrValue::Known(true) | AttrValue::Default(true) => {}
            AttrValue::Unknown(_) | AttrValue::Invalid { .. } => {
                out.unknown(r, &public.loc, public.describe());
                continue;
            }
        }
        let cidrs = &c.public_access_cidrs;
        match &cidrs.value {
            AttrValue::Default(_) => out.fail(
                r,
                &cidrs.loc,
                format!(
                    "the public endpoint is on and `{}` is not set (default `0.0.0.0/0`)",
                    cidrs.path
                ),
            ),
            AttrValue::Unknown(_) | AttrValue::Invalid { .. } => {
                out.unknown(r, &cidrs.loc, cidrs.describe())
            }
            AttrValue::Known(list) => {
                if list.items.iter().any(|c| c == "0.0.0.0/0" || c == "::/0") {
                    out.fail(
                        r,
                        &cidrs.loc,
                        format!(
                            "{}: the API server is reachable from the whole internet",
                            cidrs.describe()
                        ),
                    );
                } else if list.partly_unknown {
                    out.unknown(
                        r,
                        &cidrs.loc,
                        format!("an element of `{}` is unknown", cidrs.path),
                    );
                }
            }
        }
    }
}
