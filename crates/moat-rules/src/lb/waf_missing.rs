use moat_model::aws::AttrValue;
use moat_model::Severity;

use crate::registry::{why, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every internet-facing Application Load Balancer (`aws_lb` or `aws_alb` with
`load_balancer_type` unset or `"application"` and `internal` unset or `false`) has a web ACL:
an `aws_wafv2_web_acl_association` (or the classic `aws_wafregional_web_acl_association`)
whose `resource_arn` names it. Network and gateway load balancers cannot carry a web ACL and
are skipped. When the `resource_arn` of some association is unknown, an ALB without one of its
own is reported as unknown.

## Why is this bad?
An internet-facing ALB forwards every request to the application. Without AWS WAF nothing in
front of it rate-limits, blocks SQL injection or XSS payloads, or filters bots and countries,
the application layer of a defence in depth.

## Example
```hcl
resource "aws_lb" "web" {
  name            = "web"
  subnets         = aws_subnet.public[*].id
  security_groups = [aws_security_group.alb.id]
}
```

## Use instead
```hcl
resource "aws_wafv2_web_acl_association" "web" {
  resource_arn = aws_lb.web.arn
  web_acl_arn  = aws_wafv2_web_acl.web.arn
}
```

## References
- AWS: [Associating a web ACL with an AWS resource](https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-associating-aws-resource.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "waf_missing",
    family: super::FAMILY,
    title: "Internet-facing ALB has no WAF web ACL",
    severity: Severity::Medium,
    checkov: &["CKV2_AWS_28"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let edge = &ctx.aws().edge;
    let unknown = edge.waf_unknown();
    for lb in &edge.load_balancers {
        if edge.waf_protects(lb.id) || !super::is_application(ctx, out, lb) {
            continue;
        }
        let Some(r) = ctx.resource(lb.id) else {
            continue;
        };
        match &lb.internal.value {
            AttrValue::Known(true) | AttrValue::Default(true) => continue,
            AttrValue::Known(false) | AttrValue::Default(false) => {}
            AttrValue::Unknown(_) | AttrValue::Invalid { .. } => {
                out.unknown(r, &lb.internal.loc, lb.internal.describe());
                continue;
            }
        }
        match unknown.and_then(|(a, u)| Some((ctx.resource(a.id)?, u))) {
            Some((a, u)) => out.unknown(
                r,
                &r.loc,
                format!(
                    "no web ACL is known for this internet-facing ALB: the `{}` of `{}` is unknown: {}",
                    ctx.aws().terms.waf_association_resource,
                    a.address,
                    why(u)
                ),
            ),
            None => out.fail(
                r,
                &r.loc,
                "no WAF web ACL is associated with this internet-facing ALB: requests reach the targets unfiltered",
            ),
        }
    }
}
