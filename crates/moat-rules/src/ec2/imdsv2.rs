use moat_model::aws::AttrValue;
use moat_model::Severity;

use crate::registry::{Ctx, Out, RuleDef};

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
- AWS Security Hub: [EC2.8] EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)
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
    for i in &ctx.aws().compute.instances {
        let Some(r) = ctx.resource(i.id) else {
            continue;
        };
        let endpoint = &i.metadata_http_endpoint;
        match &endpoint.value {
            AttrValue::Known(s) | AttrValue::Default(s) if s == "disabled" => continue,
            AttrValue::Unknown(_) => {
                out.unknown(r, &endpoint.loc, endpoint.describe());
                continue;
            }
            _ => {}
        }
        let tokens = &i.metadata_http_tokens;
        match &tokens.value {
            AttrValue::Known(s) | AttrValue::Default(s) if s == "required" => {}
            AttrValue::Unknown(_) => out.unknown(r, &tokens.loc, tokens.describe()),
            AttrValue::Invalid { written, .. } => out.fail(
                r,
                &tokens.loc,
                format!("`{}` is `{written}`: {SSRF}", tokens.path),
            ),
            _ => out.fail(r, &tokens.loc, format!("{}: {SSRF}", tokens.describe())),
        }
    }
}

const SSRF: &str = "IMDSv1 requests are answered, so an SSRF can read the role credentials";
