use moat_model::Severity;

use super::ports;
use crate::registry::{why, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that `aws_default_security_group` (the default group of a VPC, which Terraform adopts)
has no ingress or egress rules, and that every `aws_vpc` has one. AWS creates the default group
of a new VPC with a rule allowing all traffic between its members and a rule allowing all
egress; Terraform leaves those rules in place unless an `aws_default_security_group` adopts the
group (and then removes every rule it does not list). A VPC with no such resource is reported
at its `aws_vpc` block. When the `vpc_id` of some `aws_default_security_group` is unknown, a VPC
without one of its own is reported as unknown. A CloudFormation template cannot adopt the
default group (it can add rules through `Fn::GetAtt VPC.DefaultSecurityGroup`, never remove
AWS's), so every `AWS::EC2::VPC` is reported, with how to revoke the rules once it exists.

## Why is this bad?
Resources launched without an explicit security group land in the default group. If it allows
traffic, they silently get that access. CIS asks that the default group restrict all traffic
so that every flow is granted by a purpose-built group.

## Example
```hcl
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
  ingress {
    protocol  = "-1"
    self      = true
    from_port = 0
    to_port   = 0
  }
}
```

## Use instead
```hcl
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
}
```

## References
- AWS Security Hub control EC2.2: "VPC default security groups should not allow inbound or outbound traffic"
- CIS AWS Foundations Benchmark v3.0.0, 5.4: "Ensure the default security group of every VPC restricts all traffic"
- AWS: [Default security groups for your VPCs](https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "default_group_has_rules",
    family: super::FAMILY,
    title: "Default security group allows traffic",
    severity: Severity::Medium,
    checkov: &["CKV2_AWS_12"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for sg in ctx.net().security_groups.iter().filter(|g| g.default) {
        for rule in sg.rules.iter().filter(|r| !r.implicit) {
            let Some(r) = ctx.resource(rule.declared_by) else {
                continue;
            };
            out.fail(
                r,
                &rule.loc,
                format!(
                    "the default security group `{}` has a rule allowing `{}`",
                    sg.address,
                    ports(rule)
                ),
            );
        }
    }
    // VPCs whose default group no resource adopts keep the AWS default rules.
    let (vpcs, unknown) = ctx.net().vpcs_without_default_group();
    let terms = &ctx.aws().terms;
    for v in vpcs {
        let Some(vpc) = ctx.resource(v.id) else {
            continue;
        };
        match unknown {
            Some((d, u)) => out.unknown(
                vpc,
                &vpc.loc,
                format!(
                    "no `{}` is known to restrict this VPC's default group: the `{}` of `{}` is unknown: {}",
                    terms.default_security_group,
                    terms.default_security_group_vpc,
                    d.address,
                    why(u)
                ),
            ),
            None if terms.default_security_group_adoptable => out.fail(
                vpc,
                &vpc.loc,
                format!(
                    "no `{}` restricts this VPC's default group: it keeps the AWS default rules (all traffic between its members, all egress)",
                    terms.default_security_group
                ),
            ),
            None => out.fail(
                vpc,
                &vpc.loc,
                "this VPC's default security group keeps the AWS default rules (all traffic between its members, all egress), and a template cannot remove them: revoke them once the VPC exists (`RevokeSecurityGroupIngress`/`Egress`, e.g. from a custom resource) and keep every resource out of the group",
            ),
        }
    }
}
