use moat_iam::estate::ResourceKind;
use moat_model::Severity;

use super::exposure::{report, Scope};
use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Decides, with moat's IAM policy evaluator, whether the trust policy of every role
(`aws_iam_role` `assume_role_policy`, `AWS::IAM::Role` `AssumeRolePolicyDocument`) lets a
principal of **any AWS account** call `sts:AssumeRole`. A condition that restricts the caller
to a trusted set (`sts:ExternalId`, `aws:PrincipalOrgID`, `aws:PrincipalAccount`,
`aws:PrincipalArn`, `aws:SourceAccount`, `aws:SourceArn`, ...) keeps a foreign request out and
the rule passes; a condition on anything else, or a trusted principal not known offline (a
parameter), makes the finding unknown. Roles trusted by an account written literally are
reported for review by IAM008.

## Why is this bad?
Any AWS account in the world can then assume the role and receive its permissions.

## Example
```hcl
resource "aws_iam_role" "app" {
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "sts:AssumeRole" }]
  })
}
```

## Use instead
```hcl
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
```

## References
- AWS: [IAM JSON policy elements: Principal](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html)
- AWS: [Role trust policies](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "trust_any_principal",
    family: super::FAMILY,
    title: "IAM role can be assumed by any account",
    severity: Severity::Critical,
    checkov: &["CKV_AWS_60"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    report(
        ctx,
        out,
        &[ResourceKind::Role],
        Scope::Broad,
        &|_| &["CKV_AWS_60"],
        &|_| false,
    );
}
