use moat_model::{Severity, Value};

use crate::registry::{bool_attr, why, BoolAttr, Ctx, Out, RuleDef};

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
- Seed 001, EKS checklist; seed 004: EKS security architecture
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
    for r in ctx.of_type("aws_eks_cluster") {
        match bool_attr(r, "vpc_config.0.endpoint_public_access", true) {
            BoolAttr::Value(false, _) => continue,
            BoolAttr::Value(true, _) => {}
            BoolAttr::Unknown(u, loc) => {
                out.unknown(
                    r,
                    loc,
                    format!("`vpc_config.endpoint_public_access` is unknown: {}", why(u)),
                );
                continue;
            }
            BoolAttr::Invalid(n, loc) => {
                out.unknown(
                    r,
                    loc,
                    format!("`vpc_config.endpoint_public_access` is `{n}`, not a bool"),
                );
                continue;
            }
        }
        let cidrs = r.path("vpc_config.0.public_access_cidrs");
        match cidrs.map(|n| &n.value) {
            None | Some(Value::Null) => out.fail(r, r.loc_of("vpc_config.0"), "the public endpoint is on and `public_access_cidrs` is not set (default `0.0.0.0/0`)"),
            Some(Value::Unknown(u)) => out.unknown(r, r.loc_of("vpc_config.0.public_access_cidrs"), format!("`public_access_cidrs` is unknown: {}", why(u))),
            Some(_) => {
                let n = cidrs.into_iter().next();
                let list = n.map(|n| n.string_list()).unwrap_or_default();
                if list.iter().any(|c| *c == "0.0.0.0/0" || *c == "::/0") {
                    out.fail(r, r.loc_of("vpc_config.0.public_access_cidrs"), format!("`public_access_cidrs` is `{}`: the API server is reachable from the whole internet", list.join(", ")));
                } else if n.is_some_and(|n| n.contains_unknown()) {
                    out.unknown(r, r.loc_of("vpc_config.0.public_access_cidrs"), "an element of `public_access_cidrs` is unknown");
                }
            }
        }
    }
}
