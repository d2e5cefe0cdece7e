use moat_iam::estate::ResourceKind;
use moat_model::Severity;

use super::exposure::{report, Scope};
use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Decides, with moat's IAM policy evaluator, whether the resource-based policy of an SQS queue,
an SNS topic, a Secrets Manager secret, a Lambda function (its permissions) or an ECR
repository lets **anyone** (an anonymous request) or **any AWS account** (a role or the root
user of an account that is not the estate's) perform the sensitive actions of that resource
type: `sqs:SendMessage`, `sqs:ReceiveMessage`, `sqs:DeleteMessage`; `sns:Publish`,
`sns:Subscribe`; `secretsmanager:GetSecretValue`, `secretsmanager:PutSecretValue`;
`lambda:InvokeFunction`; `ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer`, `ecr:PutImage`;
and every other concrete action of the service that an `Allow` statement names.

The request context is open: a condition on a key the request does not fix is unknown. The
conditions that restrict a grant to a trusted set are recognised: `aws:SourceVpce`,
`aws:SourceVpc`, `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`,
`aws:PrincipalArn`, `aws:SourceAccount`, `aws:SourceOwner`, `aws:SourceArn`, `aws:SourceOrgID`,
`aws:SourceOrgPaths`, `sts:ExternalId`. The request is decided again with those keys set to
values from outside (a foreign VPC endpoint, organization, account, source ARN); if it is then
denied, the resource is restricted and nothing is reported. A value of such a key that is a
reference to one of the estate's own resources (`aws_api_gateway_rest_api.api.execution_arn`,
`aws_vpc_endpoint.s3.id`) is the estate's and never equals a foreign value; a variable or
parameter stays unknown. A wildcard does not restrict where it admits other accounts: an
`aws:SourceArn` or `aws:PrincipalArn` pattern whose account is a wildcard
(`arn:aws:sns:*:*:*`, `arn:aws:iam::*:role/deploy`) or a bucket-name pattern
(`arn:aws:s3:::logs-*`, a name anyone can register) is probed with such an ARN of another
account.

- **fail**: allowed, no condition keeps the audience out. The message names the actions, the
  audience and the statements that allow (policy, index, `Sid`, line).
- **unknown**: the decision depends on other conditions (`aws:SourceIp`, a tag) or on values
  not known offline (a principal from a variable).
- **unknown, for review**: a grant to an account written literally (`444455556666` or
  `arn:aws:iam::444455556666:root`), on any resource with a resource-based policy (buckets,
  keys and role trust policies included). A scan does not know the estate's own account, so
  such an ID may be this account or another; a grant to a specific account is deliberate, so
  it does not fail the build, but it is listed as IAM Access Analyzer lists external access.

Buckets, keys and role trust policies open to anyone or any account are reported by S3006,
KMS002 and IAM005, through the same evaluation, and not again here.

## Why is this bad?
A queue anyone can receive from leaks its messages; a topic anyone can subscribe to or publish
to leaks or forges events; a secret readable from other accounts is disclosed; a function any
account can invoke runs for attackers (and bills you); an image repository anyone can push to
is a supply-chain attack.

## Example
```hcl
resource "aws_sqs_queue_policy" "jobs" {
  queue_url = aws_sqs_queue.jobs.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.jobs.arn
    }]
  })
}

resource "aws_lambda_permission" "api" {
  function_name = aws_lambda_function.api.function_name
  action        = "lambda:InvokeFunction"
  principal     = "*"
}
```

## Use instead
Name the principals, or restrict the wildcard to the caller that needs it:
```hcl
      Condition = { ArnEquals = { "aws:SourceArn" = aws_sns_topic.events.arn } }

resource "aws_lambda_permission" "api" {
  function_name = aws_lambda_function.api.function_name
  action        = "lambda:InvokeFunction"
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.api.execution_arn}/*"
}
```

## References
- AWS: [Policy evaluation logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
- AWS: [Cross-account policy evaluation logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html)
- AWS: [AWS global condition context keys](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)
- AWS: [IAM Access Analyzer findings for external access](https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html)
- AWS: [Amazon SQS access policy examples](https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-creating-custom-policies-access-policy-examples.html)
- AWS: [Lambda resource-based policies](https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "resource_policy_exposed",
    family: super::FAMILY,
    title: "Resource policy lets anyone or another account in",
    severity: Severity::High,
    checkov: &["CKV_AWS_168", "CKV_AWS_169", "CKV_AWS_301", "CKV_AWS_32"],
    doc: DOC,
    check,
};

/// The resource types this rule owns for anyone / any account (S3006, KMS002 and IAM005 own
/// buckets, keys and roles).
const OWNED: &[ResourceKind] = &[
    ResourceKind::Queue,
    ResourceKind::Topic,
    ResourceKind::Secret,
    ResourceKind::Function,
    ResourceKind::Repository,
];

/// Every resource type with a resource-based policy, for grants to named accounts.
const ALL: &[ResourceKind] = &[
    ResourceKind::Bucket,
    ResourceKind::Key,
    ResourceKind::Role,
    ResourceKind::Queue,
    ResourceKind::Topic,
    ResourceKind::Secret,
    ResourceKind::Function,
    ResourceKind::Repository,
];

/// The Checkov check of each type that fails an unconditioned `Principal: "*"`.
fn claims(kind: ResourceKind) -> &'static [&'static str] {
    match kind {
        ResourceKind::Queue => &["CKV_AWS_168"],
        ResourceKind::Topic => &["CKV_AWS_169"],
        ResourceKind::Function => &["CKV_AWS_301"],
        ResourceKind::Repository => &["CKV_AWS_32"],
        _ => &[],
    }
}

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    report(ctx, out, OWNED, Scope::Broad, &claims, &|_| false);
    report(ctx, out, ALL, Scope::Named, &|_| &[], &|_| false);
}
