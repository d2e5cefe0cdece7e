use moat_model::aws::AttrValue;
use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that `HTTPS` and `TLS` listeners use a security policy that allows only TLS 1.2 and
newer (`ELBSecurityPolicy-TLS13-1-2-*`, `ELBSecurityPolicy-TLS-1-2-*`,
`ELBSecurityPolicy-FS-1-2-*`, `ELBSecurityPolicy-TLS13-1-3-*`). When `ssl_policy` is not set
the listener uses `ELBSecurityPolicy-2016-08`, which allows TLS 1.0 and 1.1.

## Differences from Checkov
`CKV_AWS_103` accepts every policy whose name contains `ELBSecurityPolicy-TLS13`, including
`ELBSecurityPolicy-TLS13-1-0-2021-06` and `ELBSecurityPolicy-TLS13-1-1-2021-06`, which also
accept TLS 1.0 or 1.1; moat reports them.

## Why is this bad?
TLS 1.0 and 1.1 are deprecated (RFC 8996) and allow weak cipher suites; NIST SP 800-52
Rev. 2 requires TLS 1.2 or newer.

## Example
```hcl
resource "aws_lb_listener" "https" {
  protocol        = "HTTPS"
  port            = 443
  certificate_arn = aws_acm_certificate.web.arn
  ssl_policy      = "ELBSecurityPolicy-2016-08"
}
```

## Use instead
```hcl
  ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
```

## References
- RFC 8996: "Deprecating TLS 1.0 and TLS 1.1"
- AWS: [Security policies for your Application Load Balancer](https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "tls_policy",
    family: super::FAMILY,
    title: "Load balancer listener allows TLS older than 1.2",
    severity: Severity::Medium,
    checkov: &["CKV_AWS_103"],
    doc: DOC,
    check,
};

const MODERN: [&str; 5] = ["TLS13-1-2", "TLS13-1-3", "TLS-1-2", "TLS-1-3", "FS-1-2"];

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for l in &ctx.aws().edge.listeners {
        let tls = l
            .protocol
            .as_ref()
            .and_then(|p| p.written())
            .is_some_and(|p| p.eq_ignore_ascii_case("HTTPS") || p.eq_ignore_ascii_case("TLS"));
        if !tls {
            continue;
        }
        let Some(r) = ctx.resource(l.id) else {
            continue;
        };
        let policy = &l.ssl_policy;
        let modern = |p: &str| MODERN.iter().any(|m| p.contains(m));
        match &policy.value {
            AttrValue::Default(p) if !modern(p) => out.fail(
                r,
                &policy.loc,
                format!("{}: TLS 1.0 and 1.1 are accepted", policy.describe()),
            ),
            AttrValue::Known(p) if !modern(p) => out.fail(
                r,
                &policy.loc,
                format!(
                    "{}: it accepts TLS versions older than 1.2",
                    policy.describe()
                ),
            ),
            AttrValue::Unknown(_) => out.unknown(r, &policy.loc, policy.describe()),
            _ => {}
        }
    }
}
