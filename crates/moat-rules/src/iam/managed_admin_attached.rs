use moat_model::aws::identity::Attachment;
use moat_model::aws::{Attr, AttrValue};
use moat_model::{Severity, Unknown};

use crate::registry::{why, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks for the AWS managed policy `AdministratorAccess` attached to a role, user or group:
`aws_iam_role_policy_attachment`, `aws_iam_user_policy_attachment`,
`aws_iam_group_policy_attachment`, `aws_iam_policy_attachment`, a role's
`managed_policy_arns`, and `aws_ssoadmin_managed_policy_attachment` (in any partition:
`arn:aws:`, `arn:aws-us-gov:`, `arn:aws-cn:`, or `arn:${data.aws_partition.current.partition}:`).

## Why is this bad?
`AdministratorAccess` allows every action on every resource. IAM001 finds such statements in
policies written in the configuration; attaching the AWS managed policy grants the same power
without any `"*"` appearing in the code, which is how full admin usually slips in. Least
privilege means granting the actions a workload needs.

## Example
```hcl
resource "aws_iam_group_policy_attachment" "ops" {
  group      = aws_iam_group.ops.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
```

## Use instead
```hcl
resource "aws_iam_group_policy_attachment" "ops" {
  group      = aws_iam_group.ops.name
  policy_arn = aws_iam_policy.ops_least_privilege.arn
}
```

## Differences from Checkov
Checkov (`CKV_AWS_274`) matches only the literal `arn:aws:iam::aws:policy/AdministratorAccess`;
moat also matches the other partitions and a partition taken from `data.aws_partition`. The
equivalence is claimed only for the literal ARN. An ARN that is not known offline (a variable
without value) is reported as unknown.

## References
- CIS AWS Foundations Benchmark v1.4, 1.16: "Ensure IAM policies that allow full "*:*" administrative privileges are not attached"
- AWS: [Grant least privilege](https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege)
- AWS: [AdministratorAccess](https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "managed_admin_attached",
    family: super::FAMILY,
    title: "AWS managed AdministratorAccess policy is attached",
    severity: Severity::High,
    checkov: &["CKV_AWS_274"],
    doc: DOC,
    check,
};

const LITERAL: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// What an ARN value says about `AdministratorAccess`.
enum Arn {
    /// The literal commercial-partition ARN.
    Literal,
    /// Another partition, or the partition from a data source.
    OtherPartition,
    Other,
    Unknown(Unknown),
}

fn classify(arn: &Attr<String>) -> Arn {
    // `arn:<partition>:iam::aws:policy/AdministratorAccess`, the partition written or a
    // placeholder (`${data.aws_partition.current.partition}`, CloudFormation's
    // `${AWS::Partition}`, which holds colons).
    let is_admin = |s: &str| {
        s.strip_prefix("arn:")
            .and_then(|rest| rest.strip_suffix(":iam::aws:policy/AdministratorAccess"))
            .is_some_and(|p| !p.contains(':') || (p.starts_with("${") && p.ends_with('}')))
    };
    match &arn.value {
        AttrValue::Known(s) if s == LITERAL => Arn::Literal,
        AttrValue::Known(s) if is_admin(s) => Arn::OtherPartition,
        // `arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess`,
        // `arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess`
        AttrValue::Unknown(Unknown::Template { text, .. }) if is_admin(text) => Arn::OtherPartition,
        // A managed policy of this configuration (`aws_iam_policy.x.arn`) is not the AWS one.
        AttrValue::Unknown(Unknown::Computed { .. }) => Arn::Other,
        AttrValue::Unknown(Unknown::Template { text, .. })
            if !text.ends_with("AdministratorAccess") && !text.ends_with('}') =>
        {
            Arn::Other
        }
        AttrValue::Unknown(u) => Arn::Unknown(u.clone()),
        _ => Arn::Other,
    }
}

/// How an ARN is shown when it is not the literal one.
fn shown(arn: &Attr<String>) -> String {
    match &arn.value {
        AttrValue::Known(s) | AttrValue::Default(s) => s.clone(),
        AttrValue::Unknown(Unknown::Template { text, .. }) => text.clone(),
        AttrValue::Unknown(u) => format!("(unknown: {u})"),
        AttrValue::Invalid { written, .. } => written.clone(),
    }
}

fn report(ctx: &Ctx<'_>, out: &mut Out, a: &Attachment) {
    let Some(arn) = &a.policy_arn else {
        return;
    };
    let Some(r) = ctx.resource(a.id) else {
        return;
    };
    let loc = &arn.loc;
    let attr = &arn.path;
    let to = match a.to.first().map(|g| &g.shown) {
        Some(s) => format!("{} `{}`", s.path, s.text),
        None => "its principals".to_string(),
    };
    match classify(arn) {
        Arn::Literal => out.claiming(&["CKV_AWS_274"], |out| {
            out.fail(
                r,
                loc,
                format!("`{attr}` attaches `{LITERAL}` to {to}: every action on every resource"),
            )
        }),
        Arn::OtherPartition => out.claiming(&[], |out| {
            out.fail(
                r,
                loc,
                format!("`{attr}` attaches the AWS managed `AdministratorAccess` policy (`{}`) to {to}: every action on every resource", shown(arn)),
            )
        }),
        Arn::Unknown(u) => out.claiming(&[], |out| {
            out.unknown(
                r,
                loc,
                format!("`{attr}` is unknown, it may be `AdministratorAccess`: {}", why(&u)),
            )
        }),
        Arn::Other => {}
    }
}

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for a in &ctx.aws().identity.attachments {
        report(ctx, out, a);
    }
}
