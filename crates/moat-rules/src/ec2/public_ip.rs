use ipnet::IpNet;
use moat_model::aws::network::{Ref, RouteTarget};
use moat_model::{ResourceId, Severity};

use crate::registry::{require, Ctx, Out, RuleDef};

pub(crate) const DOC: &str = r#"## What it does
Checks that `aws_instance` and `aws_launch_configuration` do not set
`associate_public_ip_address = true`.

## Why is this bad?
The usual pattern is "only the load balancer is public, instances are private": an instance
with a public address in a public subnet is one security-group mistake away from exposure.

## Example
```hcl
resource "aws_instance" "app" {
  associate_public_ip_address = true
}
```

## Use instead
```hcl
resource "aws_instance" "app" {
  associate_public_ip_address = false
  subnet_id                   = aws_subnet.private_a.id
}
```

## References
- AWS Security Hub: [EC2.9] Amazon EC2 instances should not have a public IPv4 address
- AWS: [Public IPv4 addresses](https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-instance-addressing.html)
"#;

pub(crate) const RULE: RuleDef = RuleDef {
    name: "public_ip",
    family: super::FAMILY,
    title: "Instance is given a public IP address",
    severity: Severity::Low,
    checkov: &["CKV_AWS_88"],
    doc: DOC,
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Out) {
    for i in &ctx.aws().compute.instances {
        if let Some(attr) = &i.associate_public_ip_address {
            let what = exposure_of(ctx, i.id);
            require(ctx, out, i.id, attr, |public| !public, &what);
        }
    }
}

/// What the public address means, from the instance's subnet route for `0.0.0.0/0`: reachable
/// through an internet gateway, or unusable because the subnet sends its default route elsewhere
/// (a private subnet's instance is reached through its load balancer, never on a public IP).
fn exposure_of(ctx: &Ctx<'_>, id: ResourceId) -> String {
    const DIRECT: &str = "the instance is directly addressable from the internet";
    let net = ctx.net();
    let Some(Ref::Res(subnet)) = net.enis_of(id).find_map(|e| e.subnet.clone()) else {
        return DIRECT.to_string();
    };
    let subnet_name = net
        .subnet(subnet)
        .map(|s| s.address.clone())
        .unwrap_or_default();
    let Some(table) = net.route_table_of(subnet) else {
        return format!(
            "the instance gets a public IP, but its subnet `{subnet_name}` has no route table \
             with a route to an internet gateway, so the address cannot be reached; reach the \
             instance through its load balancer instead"
        );
    };
    let default_v4 = table
        .routes
        .iter()
        .filter(|rt| matches!(rt.dest, Some(IpNet::V4(n)) if n.prefix_len() == 0))
        .map(|rt| &rt.target)
        .next();
    match default_v4 {
        Some(RouteTarget::Igw(_)) => {
            format!("{DIRECT} (its subnet `{subnet_name}` routes 0.0.0.0/0 to an internet gateway)")
        }
        // An unknown target, or a route whose destination is unknown (it may be 0.0.0.0/0
        // to an internet gateway): assume the address is usable.
        Some(RouteTarget::Unknown(_)) => DIRECT.to_string(),
        None if table.routes.iter().any(|rt| rt.dest.is_none()) => DIRECT.to_string(),
        Some(other) => format!(
            "the instance gets a public IP, but its subnet `{subnet_name}` routes 0.0.0.0/0 to \
             {}, not to an internet gateway, so the address cannot be reached from the \
             internet; remove it and reach the instance through its load balancer",
            target_name(ctx, other)
        ),
        None => format!(
            "the instance gets a public IP, but its subnet `{subnet_name}` has no route for \
             0.0.0.0/0, so the address cannot be reached from the internet; remove it and reach \
             the instance through its load balancer"
        ),
    }
}

fn target_name(ctx: &Ctx<'_>, t: &RouteTarget) -> String {
    let named = |kind: &str, r: &Ref| match r {
        Ref::Res(id) => ctx
            .resource(*id)
            .map(|x| format!("{kind} `{}`", x.address))
            .unwrap_or_else(|| kind.to_string()),
        Ref::External(s) => format!("{kind} `{s}`"),
        Ref::Unknown(_) => kind.to_string(),
    };
    match t {
        RouteTarget::Nat(r) => named("NAT gateway", r),
        RouteTarget::Peering(r) => named("peering connection", r),
        RouteTarget::TransitGateway(r) => named("transit gateway", r),
        RouteTarget::VpnGateway(r) => named("VPN gateway", r),
        RouteTarget::Eni(r) => named("network interface", r),
        RouteTarget::Endpoint(r) => named("VPC endpoint", r),
        RouteTarget::EgressOnlyIgw(r) => named("egress-only internet gateway", r),
        RouteTarget::Igw(r) => named("internet gateway", r),
        RouteTarget::Local => "the local route".to_string(),
        RouteTarget::Other(s) => format!("`{s}`"),
        RouteTarget::Unknown(_) => "an unknown target".to_string(),
    }
}
