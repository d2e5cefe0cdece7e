use moat_model::{Severity, Value};

use crate::registry::{why, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that `aws_instance`, `aws_launch_template` and `aws_launch_configuration` require
IMDSv2: `metadata_options { http_tokens = "required" }`, or the metadata endpoint disabled
(`http_endpoint = "disabled"`). Terraform's default for `http_tokens` is `optional`.

## Why is this bad?
With IMDSv1 a server-side request forgery in the application (a URL fetcher, a proxy) can read
`http://169.254.169.254/latest/meta-data/iam/security-credentials/` and steal the instance
role's credentials. IMDSv2's session token defeats such requests.

## Example
```hcl
resource "aws_instance" "web" {
  ami           = "ami-123"
  instance_type = "t3.micro"
}
```

## Use instead
```hcl
resource "aws_instance" "web" {
  ami           = "ami-123"
  instance_type = "t3.micro"
  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
}
```

## References
- Seed 004: Zero Trust, least privilege for workload credentials
- CIS AWS Foundations Benchmark v3.0.0, 5.6: "Ensure that EC2 Metadata Service only allows IMDSv2"
- AWS: [Use IMDSv2](https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "imdsv2",
    family: super::FAMILY,
    title: "Instance metadata service does not require IMDSv2",
    severity: Severity::High,
    checkov: &["CKV_AWS_79"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for t in [
        "aws_instance",
        "aws_launch_template",
        "aws_launch_configuration",
    ] {
        for r in ctx.of_type(t) {
            let opts = r.blocks("metadata_options");
            let opt = opts.first();
            if let Some(ep) = opt.and_then(|o| o.get("http_endpoint")) {
                match &ep.value {
                    Value::String(s) if s == "disabled" => continue,
                    Value::Unknown(u) => {
                        out.unknown(
                            r,
                            ep.loc.as_ref().unwrap_or(&r.loc),
                            format!("`metadata_options.http_endpoint` is unknown: {}", why(u)),
                        );
                        continue;
                    }
                    _ => {}
                }
            }
            match opt.and_then(|o| o.get("http_tokens")) {
                Some(n) => {
                    let loc = n.loc.as_ref().unwrap_or(&r.loc);
                    match &n.value {
                        Value::String(s) if s == "required" => {}
                        Value::Unknown(u) => out.unknown(r, loc, format!("`metadata_options.http_tokens` is unknown: {}", why(u))),
                        v => out.fail(r, loc, format!("`metadata_options.http_tokens` is `{v}`: IMDSv1 requests are answered, so an SSRF can read the role credentials")),
                    }
                }
                None => {
                    let loc = opt.and_then(|o| o.loc.as_ref()).unwrap_or(&r.loc);
                    out.fail(r, loc, "`metadata_options.http_tokens` is not set (default `optional`): IMDSv1 requests are answered, so an SSRF can read the role credentials");
                }
            }
        }
    }
}
