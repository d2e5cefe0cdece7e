use moat_model::Severity;

use crate::registry::{require, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that application load balancers (`aws_lb`/`aws_alb` with `load_balancer_type`
`application`, the default) set `drop_invalid_header_fields = true` (default `false`).

## Why is this bad?
Header fields with invalid names are passed to the targets, where differences in parsing
between the load balancer and the application enable request smuggling and header injection.

## Example
```hcl
resource "aws_lb" "web" {
  load_balancer_type = "application"
}
```

## Use instead
```hcl
resource "aws_lb" "web" {
  load_balancer_type         = "application"
  drop_invalid_header_fields = true
}
```

## References
- AWS Security Hub control ELB.4: "Application Load Balancer should be configured to drop invalid http headers"
- AWS: [Application Load Balancer attributes](https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "drop_invalid_headers",
    family: super::FAMILY,
    title: "Application load balancer does not drop invalid headers",
    severity: Severity::Low,
    checkov: &["CKV_AWS_131"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for lb in &ctx.aws().edge.load_balancers {
        if super::is_application(ctx, out, lb) {
            require(
                ctx,
                out,
                lb.id,
                &lb.drop_invalid_header_fields,
                |drop| *drop,
                "malformed headers reach the targets",
            );
        }
    }
}
