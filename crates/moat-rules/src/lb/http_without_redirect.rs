use moat_model::{Severity, Value};

use crate::registry::{why, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that load-balancer listeners using plain `HTTP` only redirect to HTTPS: the default
action must be a `redirect` with `protocol = "HTTPS"`. Listeners of network load balancers
(`TCP`, `UDP`, `TLS`) are out of scope.

## Why is this bad?
Plain HTTP carries cookies, tokens and form data in clear text; the seeds require TLS for
data in transit. Keeping port 80 open only to redirect is the accepted pattern (seed 002).

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
- Seed 002 section 9 ("필요시 80→443 리다이렉트"); seed 004: "TLS 1.2 이상 강제"
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
    for t in super::LISTENERS {
        for r in ctx.of_type(t) {
            let proto = match r.get("protocol") {
                Some(n) => match &n.value {
                    Value::String(s) => s.to_ascii_uppercase(),
                    Value::Unknown(u) => {
                        out.unknown(
                            r,
                            r.loc_of("protocol"),
                            format!("`protocol` is unknown: {}", why(u)),
                        );
                        continue;
                    }
                    _ => continue,
                },
                // Unset: HTTP for an application load balancer.
                None => match super::lb_of(ctx, r).and_then(super::lb_type) {
                    Some("application") => "HTTP".to_string(),
                    _ => continue,
                },
            };
            if proto != "HTTP" {
                continue;
            }
            let redirects = r.blocks("default_action").iter().any(|a| {
                a.get("type").and_then(|t| t.as_str()) == Some("redirect")
                    && a.blocks("redirect").iter().any(|rd| {
                        rd.get("protocol")
                            .and_then(|p| p.as_str())
                            .is_some_and(|p| p.eq_ignore_ascii_case("HTTPS"))
                    })
            });
            if !redirects {
                let port = r
                    .get("port")
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "80".into());
                out.fail(r, r.loc_of("protocol"), format!("`protocol` is `HTTP` on port {port} and the default action does not redirect to HTTPS: traffic travels in clear text"));
            }
        }
    }
}
