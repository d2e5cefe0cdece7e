use moat_iam::estate::ResourceKind;
use moat_model::Severity;

use crate::iam::exposure::{report, Scope};
use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Decides, with moat's IAM policy evaluator, whether the key policy of every KMS key
(`aws_kms_key` `policy`, `AWS::KMS::Key` `KeyPolicy`) lets **any AWS account** call
`kms:Decrypt`, `kms:Encrypt`, `kms:GenerateDataKey`, `kms:CreateGrant`, `kms:PutKeyPolicy`
(or any other KMS action an `Allow` statement names) on the key. A condition that restricts
the caller to a trusted set (`aws:PrincipalOrgID`, `aws:PrincipalAccount`, `aws:PrincipalArn`,
`aws:SourceVpce`, `aws:SourceAccount`, `aws:SourceArn`, ...) keeps a foreign request out and the
rule passes; a condition on anything else, or a principal not known offline, makes the finding
unknown. A key without a policy has the default key policy (the account's IAM policies
decide) and passes. Grants to an account written literally are reported for review by IAM008.

## Why is this bad?
A key policy is the root of access to a KMS key: a wildcard principal without conditions lets
any AWS account use (or administer) the key, depending on the actions allowed.

## Example
```hcl
resource "aws_kms_key" "data" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "kms:*", Resource = "*" }]
  })
}
```

## Use instead
```hcl
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
```

## References
- AWS: [Key policies in AWS KMS](https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html)
- AWS: [Cross-account policy evaluation logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "key_policy_public",
    family: super::FAMILY,
    title: "KMS key policy lets any account in",
    severity: Severity::High,
    checkov: &["CKV_AWS_33"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    report(
        ctx,
        out,
        &[ResourceKind::Key],
        Scope::Broad,
        &|_| &["CKV_AWS_33"],
        &|_| false,
    );
}
