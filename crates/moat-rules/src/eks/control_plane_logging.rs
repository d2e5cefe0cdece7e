use moat_model::Severity;

use moat_model::aws::AttrValue;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every `aws_eks_cluster` enables all control plane log types in
`enabled_cluster_log_types`: `api`, `audit`, `authenticator`, `controllerManager`,
`scheduler`. None is enabled by default.

## Why is this bad?
The audit and authenticator logs are the only record of who did what to the cluster through
the Kubernetes API.

## Example
```hcl
resource "aws_eks_cluster" "main" {
  enabled_cluster_log_types = ["api"]
}
```

## Use instead
```hcl
  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
```

## References
- AWS Security Hub: [EKS.8] EKS clusters should have audit logging enabled
- AWS: [Amazon EKS control plane logging](https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "control_plane_logging",
    family: super::FAMILY,
    title: "EKS control plane logging is incomplete",
    severity: Severity::Low,
    checkov: &["CKV_AWS_37"],
    doc: DOC,
    check,
};

const TYPES: [&str; 5] = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for c in &ctx.aws().containers.eks_clusters {
        let attr = &c.enabled_log_types;
        let (missing, unknown): (Vec<&str>, bool) = match &attr.value {
            AttrValue::Known(l) | AttrValue::Default(l) => (
                TYPES.iter().copied().filter(|t| !l.contains(t)).collect(),
                l.partly_unknown,
            ),
            AttrValue::Unknown(_) | AttrValue::Invalid { .. } => (TYPES.to_vec(), true),
        };
        if missing.is_empty() {
            continue;
        }
        let Some(r) = ctx.resource(c.id) else {
            continue;
        };
        if unknown {
            out.unknown(r, &attr.loc, format!("`{}` is unknown", attr.path));
        } else {
            out.fail(
                r,
                &attr.loc,
                format!("`{}` lacks `{}`", attr.path, missing.join("`, `")),
            );
        }
    }
}
