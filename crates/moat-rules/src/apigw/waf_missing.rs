use moat_model::aws::AttrValue;
use moat_model::Severity;

use crate::registry::{why, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every stage (`aws_api_gateway_stage`) of a public REST API has a web ACL: an
`aws_wafv2_web_acl_association` (or the classic `aws_wafregional_web_acl_association`) whose
`resource_arn` names the stage. A REST API is public unless its
`endpoint_configuration.types` is `["PRIVATE"]`; the default is `EDGE`. HTTP and WebSocket
APIs (`aws_apigatewayv2_*`) cannot carry a web ACL and are not checked. A stage whose REST API
is not in the scanned files, or whose association target is unknown, is reported as unknown.

## Differences from Checkov
Checkov's graph check `CKV2_AWS_29` needs the stage connected to its REST API by reference:
findings on a stage that names its API by a literal ID claim no Checkov equivalent.

## Why is this bad?
A public API forwards every request to its Lambda functions or back ends. Without AWS WAF,
nothing in front of it rate-limits, blocks injection payloads or filters bots.

## Example
```hcl
resource "aws_api_gateway_stage" "prod" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  deployment_id = aws_api_gateway_deployment.api.id
  stage_name    = "prod"
}
```

## Use instead
```hcl
resource "aws_wafv2_web_acl_association" "api" {
  resource_arn = aws_api_gateway_stage.prod.arn
  web_acl_arn  = aws_wafv2_web_acl.api.arn
}
```

## References
- AWS Security Hub control APIGateway.4: "API Gateway should be associated with a WAF Web ACL"
- AWS: [Use AWS WAF to protect your REST APIs in API Gateway](https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-aws-waf.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "waf_missing",
    family: super::FAMILY,
    title: "Public API Gateway stage has no WAF web ACL",
    severity: Severity::Medium,
    checkov: &["CKV2_AWS_29"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let edge = &ctx.aws().edge;
    let unknown = edge.waf_unknown();
    for s in &edge.api_stages {
        if edge.waf_protects(s.id) {
            continue;
        }
        let Some(api_ref) = &s.rest_api else {
            continue;
        };
        let Some(stage) = ctx.resource(s.id) else {
            continue;
        };
        let api = api_ref
            .res()
            .and_then(|id| edge.rest_api(id))
            .and_then(|a| Some((a, ctx.resource(a.id)?)));
        let Some((api, api_r)) = api else {
            out.unknown(
                stage,
                &s.rest_api_loc,
                "the REST API of this stage is not in the scanned files: whether it is private is unknown",
            );
            continue;
        };
        if let AttrValue::Unknown(u) = &api.endpoint_types.value {
            out.unknown(
                stage,
                &api.endpoint_types.loc,
                format!(
                    "the endpoint type of `{}` is unknown: {}",
                    api_r.address,
                    why(u)
                ),
            );
            continue;
        }
        if api.private() {
            continue;
        }
        if let Some((a, u)) = unknown.and_then(|(a, u)| Some((ctx.resource(a.id)?, u))) {
            out.unknown(
                stage,
                &stage.loc,
                format!(
                    "no web ACL is known for this stage: the `{}` of `{}` is unknown: {}",
                    ctx.aws().terms.waf_association_resource,
                    a.address,
                    why(u)
                ),
            );
            continue;
        }
        let ids: &[&'static str] = if s.rest_api_by_reference {
            &["CKV2_AWS_29"]
        } else {
            &[]
        };
        out.claiming(ids, |out| {
            out.fail(
                stage,
                &stage.loc,
                format!(
                    "no WAF web ACL is associated with this stage of the public REST API `{}`: requests reach the back end unfiltered",
                    api_r.address
                ),
            )
        });
    }
}
