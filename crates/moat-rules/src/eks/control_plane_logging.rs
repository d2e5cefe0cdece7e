use moat_model::Severity;

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
- Seed 001, monitoring and audit; seed 004
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
    for r in ctx.of_type("aws_eks_cluster") {
        let n = r.get("enabled_cluster_log_types");
        let have = n.map(|n| n.string_list()).unwrap_or_default();
        let missing: Vec<&str> = TYPES
            .iter()
            .copied()
            .filter(|t| !have.contains(t))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let loc = r.loc_of("enabled_cluster_log_types");
        if n.is_some_and(|n| n.contains_unknown()) {
            out.unknown(r, loc, "`enabled_cluster_log_types` is unknown");
        } else {
            out.fail(
                r,
                loc,
                format!(
                    "`enabled_cluster_log_types` lacks `{}`",
                    missing.join("`, `")
                ),
            );
        }
    }
}
