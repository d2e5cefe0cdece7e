use std::collections::BTreeSet;

use moat_model::{Resolved, Severity};

use super::{lb_type, LBS};
use crate::registry::{bool_attr, why, BoolAttr, Ctx, Out, RuleDef};

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
which is the application layer of seed 001's defence in depth.

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
- Seed 001, defence layers: "애플리케이션 레이어: WAF, Shield"; seed 004, application security: "AWS WAF 규칙: Rate Limiting, SQL Injection, XSS, Geo Blocking, Bot Control"
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
    let mut protected = BTreeSet::new();
    let mut unknown = None;
    for t in [
        "aws_wafv2_web_acl_association",
        "aws_wafregional_web_acl_association",
    ] {
        for a in ctx.of_type(t) {
            let Some(n) = a.get("resource_arn") else {
                continue;
            };
            match ctx.estate.resolve(n, &LBS, &["arn"]) {
                Resolved::Resource(id) => {
                    protected.insert(id);
                }
                Resolved::Unknown(u) => {
                    unknown.get_or_insert((a, u));
                }
                Resolved::External(_) | Resolved::Absent => {}
            }
        }
    }
    for (id, lb) in ctx.estate.managed_of_types(&LBS) {
        if lb.mode != moat_model::Mode::Managed || protected.contains(&id) {
            continue;
        }
        match lb_type(lb) {
            Some("application") => {}
            Some(_) => continue,
            None => {
                let loc = lb.loc_of("load_balancer_type");
                let u = lb
                    .get("load_balancer_type")
                    .and_then(|n| n.unknown_reason())
                    .map(why)
                    .unwrap_or_default();
                out.unknown(lb, loc, format!("`load_balancer_type` is unknown: {u}"));
                continue;
            }
        }
        match bool_attr(lb, "internal", false) {
            BoolAttr::Value(true, _) => continue,
            BoolAttr::Value(false, _) => {}
            BoolAttr::Unknown(u, loc) => {
                out.unknown(lb, loc, format!("`internal` is unknown: {}", why(u)));
                continue;
            }
            BoolAttr::Invalid(n, loc) => {
                out.unknown(lb, loc, format!("`internal` is `{n}`, not a bool"));
                continue;
            }
        }
        match &unknown {
            Some((a, u)) => out.unknown(
                lb,
                &lb.loc,
                format!(
                    "no web ACL is known for this internet-facing ALB: the `resource_arn` of `{}` is unknown: {}",
                    a.address,
                    why(u)
                ),
            ),
            None => out.fail(
                lb,
                &lb.loc,
                "no WAF web ACL is associated with this internet-facing ALB: requests reach the targets unfiltered",
            ),
        }
    }
}
