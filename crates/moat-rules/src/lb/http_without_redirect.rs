use moat_model::aws::AttrValue;
use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that load-balancer listeners using plain `HTTP` only redirect to HTTPS: the default
action must be a `redirect` with `protocol = "HTTPS"`. Listeners of network load balancers
(`TCP`, `UDP`, `TLS`) are out of scope.

## Why is this bad?
Plain HTTP carries cookies, tokens and form data in clear text. Keeping port 80 open only to
redirect to HTTPS is the accepted pattern.

## Example
```hcl
resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}
```

## Use instead
```hcl
  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
```

## References
- AWS Security Hub control ELB.1: "Application Load Balancer should be configured to redirect all HTTP requests to HTTPS"
- AWS: [Listeners for your Application Load Balancers](https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "http_without_redirect",
    family: super::FAMILY,
    title: "Load balancer listener serves plain HTTP",
    severity: Severity::Medium,
    checkov: &["CKV2_AWS_20", "CKV_AWS_2"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for l in &ctx.aws().edge.listeners {
        // Not written and no default known (the load balancer is not a known ALB).
        let Some(proto) = &l.protocol else {
            continue;
        };
        let Some(r) = ctx.resource(l.id) else {
            continue;
        };
        match &proto.value {
            AttrValue::Known(p) | AttrValue::Default(p) if p.eq_ignore_ascii_case("HTTP") => {}
            AttrValue::Known(_) | AttrValue::Default(_) | AttrValue::Invalid { .. } => continue,
            AttrValue::Unknown(_) => {
                out.unknown(r, &proto.loc, proto.describe());
                continue;
            }
        }
        if l.default_actions.iter().any(|a| a.redirects_to_https()) {
            continue;
        }
        let port = match l.port.as_ref().map(|p| &p.value) {
            None => "80".to_string(),
            Some(AttrValue::Known(p) | AttrValue::Default(p)) => p.to_string(),
            Some(AttrValue::Unknown(u)) => format!("(unknown: {u})"),
            Some(AttrValue::Invalid { written, .. }) => written.clone(),
        };
        out.fail(r, &proto.loc, format!("`{}` is `HTTP` on port {port} and the default action does not redirect to HTTPS: traffic travels in clear text", proto.path));
    }
}
