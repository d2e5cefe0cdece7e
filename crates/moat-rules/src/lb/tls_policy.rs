use moat_model::{Severity, Value};

use crate::registry::{why, Ctx, Out, RuleDef};

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
TLS 1.0 and 1.1 are deprecated (RFC 8996) and allow weak cipher suites; the seeds require
TLS 1.2 or newer.

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
- Seed 004: "TLS 1.2 이상 강제"
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
    for t in super::LISTENERS {
        for r in ctx.of_type(t) {
            let tls = r
                .get("protocol")
                .and_then(|n| n.as_str())
                .is_some_and(|p| p.eq_ignore_ascii_case("HTTPS") || p.eq_ignore_ascii_case("TLS"));
            if !tls {
                continue;
            }
            match r.get("ssl_policy").map(|n| &n.value) {
                None | Some(Value::Null) => out.fail(r, &r.loc, "`ssl_policy` is not set (default `ELBSecurityPolicy-2016-08`): TLS 1.0 and 1.1 are accepted"),
                Some(Value::String(p)) if !MODERN.iter().any(|m| p.contains(m)) => out.fail(r, r.loc_of("ssl_policy"), format!("`ssl_policy` is `{p}`: it accepts TLS versions older than 1.2")),
                Some(Value::Unknown(u)) => out.unknown(r, r.loc_of("ssl_policy"), format!("`ssl_policy` is unknown: {}", why(u))),
                _ => {}
            }
        }
    }
}
