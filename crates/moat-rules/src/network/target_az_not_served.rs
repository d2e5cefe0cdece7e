use moat_model::Severity;
use moat_net::diagnose::{self, DiagnosisKind};

use crate::registry::{Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that every load balancer target is in an Availability Zone where the load balancer has
a subnet.

## Why is this bad?
A load balancer sends traffic only to targets in its enabled zones, with or without
cross-zone load balancing. A target registered in another zone receives nothing: the capacity
the architecture counts on is not there, and a zone failure takes more down than planned.
`moat reach` reports such a path as blocked with
`ELB_INSTALLED_AZ_RESTRICTION`.

## Example
```hcl
resource "aws_lb" "nlb" {
  load_balancer_type = "network"
  subnets            = [aws_subnet.public_a.id] # us-east-1a only
}

resource "aws_instance" "b" {
  subnet_id = aws_subnet.private_b.id # us-east-1b
}
```

## Use instead
```hcl
resource "aws_lb" "nlb" {
  load_balancer_type = "network"
  subnets            = [aws_subnet.public_a.id, aws_subnet.public_b.id]
}
```

## References
- AWS: [How Elastic Load Balancing works: Availability Zones and load balancer nodes](https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/how-elastic-load-balancing-works.html)
- AWS: [Cross-zone load balancing for target groups](https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-cross-zone.html)
- AWS: [Availability Zones for your Network Load Balancer](https://docs.aws.amazon.com/elasticloadbalancing/latest/network/network-load-balancers.html#availability-zones)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "target_az_not_served",
    family: super::FAMILY,
    title: "Load balancer target is in a zone the load balancer does not serve",
    severity: Severity::Medium,
    checkov: &[],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    super::emit(
        ctx,
        out,
        DiagnosisKind::TargetAzNotServed,
        &diagnose::targets_in_unserved_zones(ctx.net()),
    );
}
