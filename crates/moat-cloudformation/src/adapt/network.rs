//! The CloudFormation adapter of the network family: VPCs (with `AWS::EC2::VPCCidrBlock`),
//! subnets, route tables, routes and associations, internet gateways (attached through
//! `AWS::EC2::VPCGatewayAttachment`), egress-only and NAT gateways, peerings, security groups
//! with their inline rules and the separate `AWS::EC2::SecurityGroupIngress` /
//! `AWS::EC2::SecurityGroupEgress` resources, network ACLs with their entries and
//! associations, network interfaces (of instances, standalone interfaces, Auto Scaling groups,
//! load balancers, databases, caches, Lambda functions, EKS node groups, interface endpoints),
//! and Elastic Load Balancing v2 load balancers with listeners, listener rules and target
//! groups. It builds the same [`moat_model::aws::network`] types as the Terraform adapter, from
//! CloudFormation resource types and property names, with the defaults that CloudFormation
//! (the AWS API) applies.
//!
//! # Defaults as CloudFormation applies them
//! - **Default egress of a security group.** "When you create a security group, if you do not
//!   add egress rules, we add egress rules that allow all outbound IPv4 and IPv6 traffic.
//!   Otherwise, we do not add them"
//!   (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ec2-securitygroup.html>).
//!   A group with no `SecurityGroupEgress` rule (absent or an empty list) and no
//!   `AWS::EC2::SecurityGroupEgress` resource naming it gets two implicit rules
//!   ([`SgRule::implicit`]): all protocols to `0.0.0.0/0` and to `::/0`, located at the group.
//!   A separate egress resource counts as an egress rule: adding the first custom egress rule
//!   to a group removes the allow-all one (observed with separate resources in
//!   <https://github.com/aws/aws-cdk/issues/987>), as [`SecurityGroup`]'s doc asks.
//!   When `SecurityGroupEgress` is a value not known offline, the group gets one unknown rule
//!   and no implicit one.
//! - **Main route table.** CloudFormation cannot manage a VPC's main route table, which has
//!   only the local routes: a subnet without `AWS::EC2::SubnetRouteTableAssociation` uses it,
//!   so no route table is made for it ([`Network::route_table_of`] is `None`).
//! - **Default network ACL.** A subnet without `AWS::EC2::SubnetNetworkAclAssociation` uses its
//!   VPC's default ACL, which allows all traffic ([`Network::nacl_of`] is `None`). A custom
//!   `AWS::EC2::NetworkAcl` denies everything its entries do not allow.
//! - **Default security group.** An instance (or interface, database...) without
//!   `SecurityGroupIds`/`SecurityGroups`/`GroupSet` is in its VPC's default group, which
//!   CloudFormation cannot manage: an instance that names none gets an unknown group (its
//!   rules are AWS's or changed elsewhere, not the template's). A reference to
//!   `!GetAtt Vpc.DefaultSecurityGroup` is an unknown group: its rules are AWS's, not the
//!   template's.
//! - `MapPublicIpOnLaunch` defaults to `false`
//!   (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ec2-subnet.html>);
//!   an instance's public address comes from an `AWS::EC2::EIP`/`AWS::EC2::EIPAssociation`,
//!   else `NetworkInterfaces[].AssociatePublicIpAddress`, else its subnet's setting.
//! - A load balancer's `Scheme` defaults to `internet-facing` and its `Type` to `application`
//!   (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticloadbalancingv2-loadbalancer.html>);
//!   a target group's `TargetType` to `instance` and `HealthCheckPort` to `traffic-port`
//!   (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticloadbalancingv2-targetgroup.html>).
//! - An RDS instance without `PubliclyAccessible` is public when its subnets' VPC has an
//!   internet gateway attached, else private ("If DBSubnetGroupName is specified, and
//!   PubliclyAccessible isn't specified ... If the subnets are part of a VPC that has an
//!   internet gateway attached to it, the DB instance is public":
//!   <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html>).
//!   The Terraform provider sends `false` instead.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use moat_model::aws::netread::{
    cidr_v4, cidr_v6, cidrs_into, description_text, nacl_rule_number, port, port_range,
    prefix_list_peers, protocol, settle_route_target, subnet_ipv6_stand_in, unknown_in,
    unknown_sg_rule, vpc_ipv6_stand_in_block,
};
use moat_model::aws::network::*;
use moat_model::aws::setting;
use moat_model::{Estate, Loc, Node, Resolved, Resource, ResourceId, Tri, Unknown, Value};

const VPC: &[&str] = &["AWS::EC2::VPC"];
const SUBNET: &[&str] = &["AWS::EC2::Subnet"];
const SG: &[&str] = &["AWS::EC2::SecurityGroup"];
const RT: &[&str] = &["AWS::EC2::RouteTable"];
const NACL: &[&str] = &["AWS::EC2::NetworkAcl"];
const IGW: &[&str] = &["AWS::EC2::InternetGateway"];
const VGW: &[&str] = &["AWS::EC2::VPNGateway"];
const EIGW: &[&str] = &["AWS::EC2::EgressOnlyInternetGateway"];
const NAT: &[&str] = &["AWS::EC2::NatGateway"];
const PEERING: &[&str] = &["AWS::EC2::VPCPeeringConnection"];
const ENDPOINT: &[&str] = &["AWS::EC2::VPCEndpoint"];
const TGW: &[&str] = &["AWS::EC2::TransitGateway"];
const ENI: &[&str] = &["AWS::EC2::NetworkInterface"];
const INSTANCE: &[&str] = &["AWS::EC2::Instance"];
const PREFIX_LIST: &[&str] = &["AWS::EC2::PrefixList"];
const LB: &[&str] = &[
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancing::LoadBalancer",
];
const LISTENER: &[&str] = &["AWS::ElasticLoadBalancingV2::Listener"];
const TG: &[&str] = &["AWS::ElasticLoadBalancingV2::TargetGroup"];
const ASG: &[&str] = &["AWS::AutoScaling::AutoScalingGroup"];
const LAUNCH: &[&str] = &[
    "AWS::EC2::LaunchTemplate",
    "AWS::AutoScaling::LaunchConfiguration",
];
const DB_INSTANCE: &str = "AWS::RDS::DBInstance";
const DB_CLUSTER: &str = "AWS::RDS::DBCluster";
const CACHE: &[&str] = &[
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
];

// ---------------------------------------------------------------------------------------
// references

/// A property's value unless absent or null.
fn prop<'a>(m: &'a Node, key: &str) -> Option<&'a Node> {
    m.get(key).filter(|n| !n.is_null())
}

/// A resource's property unless absent or null.
fn rprop<'a>(r: &'a Resource, key: &str) -> Option<&'a Node> {
    r.get(key).filter(|n| !n.is_null())
}

/// What a property that names a resource of one of `types` refers to: `Ref`/`Fn::GetAtt` to
/// a resource of the template, a literal ID (external), or an unknown value. `!GetAtt X.VpcId`
/// of a subnet or group is that resource's VPC; a reference to a resource of another type
/// (`!GetAtt Vpc.DefaultSecurityGroup`) is unknown.
fn reference(e: &Estate, n: Option<&Node>, types: &[&str]) -> Option<Ref> {
    reference_at(e, n?, types, 0)
}

fn reference_at(e: &Estate, n: &Node, types: &[&str], depth: u8) -> Option<Ref> {
    match &n.value {
        Value::Null => None,
        Value::String(s) => Some(Ref::External(s.clone())),
        Value::Number(x) => Some(Ref::External(moat_model::format_number(*x))),
        Value::Unknown(Unknown::Computed { address, attr }) => match e.resolve(n, types, &[]) {
            Resolved::Resource(id) => {
                let r = e.get(id)?;
                if types.contains(&r.rtype.as_str()) {
                    return Some(Ref::Res(id));
                }
                // `!GetAtt Subnet.VpcId`: the VPC the other resource names.
                if attr == "VpcId" && depth < 4 {
                    if let Some(v) = rprop(r, "VpcId") {
                        return reference_at(e, v, types, depth + 1);
                    }
                }
                Some(Ref::Unknown(Unknown::derived(
                    if attr == "DefaultSecurityGroup" {
                        format!("the default security group of `{address}`, whose rules CloudFormation does not manage")
                    } else {
                        format!("`{address}.{attr}` is not a {}", types.join(" or "))
                    },
                )))
            }
            other => Ref::from_resolved(other),
        },
        Value::Unknown(u) => Some(Ref::Unknown(u.clone())),
        other => Some(Ref::Unknown(Unknown::derived(format!(
            "expected a reference, found {}",
            other.type_name()
        )))),
    }
}

/// The references of a list property (or a single value). A list that is itself unknown is
/// one unknown reference.
fn references(e: &Estate, n: Option<&Node>, types: &[&str]) -> Vec<Ref> {
    match n.map(|n| &n.value) {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|i| reference(e, Some(i), types))
            .collect(),
        _ => reference(e, n, types).into_iter().collect(),
    }
}

/// A security group named by ID (`Ref`, `!GetAtt G.GroupId`) or, for groups of the default
/// VPC, by name: a literal name matches the `GroupName` of a group of the template.
fn group_ref(e: &Estate, n: &Node) -> Option<Ref> {
    match (&n.value, reference(e, Some(n), SG)?) {
        (Value::String(s), Ref::External(_)) => Some(
            e.of_types(SG)
                .find(|(_, g)| g.str_attr("GroupName") == Some(s.as_str()))
                .map_or_else(|| Ref::External(s.clone()), |(id, _)| Ref::Res(id)),
        ),
        (_, r) => Some(r),
    }
}

fn groups_of(e: &Estate, n: Option<&Node>) -> Vec<Ref> {
    match n.map(|n| &n.value) {
        Some(Value::List(items)) => items.iter().filter_map(|i| group_ref(e, i)).collect(),
        Some(_) => n.and_then(|n| group_ref(e, n)).into_iter().collect(),
        None => Vec::new(),
    }
}

fn loc_or(r: &Resource, n: Option<&Node>) -> Loc {
    n.and_then(|n| n.loc.clone())
        .unwrap_or_else(|| r.loc.clone())
}

fn ip_of(n: Option<&Node>) -> Option<IpAddr> {
    n.and_then(Node::as_str).and_then(|s| s.trim().parse().ok())
}

fn text_of(n: Option<&Node>) -> Option<String> {
    n.and_then(setting::text)
}

// ---------------------------------------------------------------------------------------
// security groups

/// One rule: an item of `SecurityGroupIngress`/`SecurityGroupEgress`, or a separate rule
/// resource's properties. `peer_group`/`peer_list` are the keys naming the peer group and
/// prefix list in that direction.
fn sg_rule(e: &Estate, m: &Node, dir: Direction, loc: Loc, by: ResourceId) -> SgRule {
    let (peer_group, peer_name, peer_list) = match dir {
        Direction::Ingress => (
            "SourceSecurityGroupId",
            "SourceSecurityGroupName",
            "SourcePrefixListId",
        ),
        Direction::Egress => ("DestinationSecurityGroupId", "", "DestinationPrefixListId"),
    };
    let mut unknown = Vec::new();
    let proto = protocol(prop(m, "IpProtocol"), &mut unknown);
    let ports = port_range(proto, prop(m, "FromPort"), prop(m, "ToPort"), &mut unknown);
    let before = unknown.len();
    let (mut ipv4, mut ipv6) = (Vec::new(), Vec::new());
    cidrs_into(prop(m, "CidrIp"), &mut ipv4, &mut ipv6, &mut unknown);
    cidrs_into(prop(m, "CidrIpv6"), &mut ipv4, &mut ipv6, &mut unknown);
    let mut groups: Vec<Ref> = [peer_group, peer_name]
        .iter()
        .filter_map(|k| prop(m, k))
        .filter_map(|n| group_ref(e, n))
        .collect();
    let lists = references(e, prop(m, peer_list), PREFIX_LIST);
    let prefix_list_unknown =
        prefix_list_peers(&lists, |id| prefix_entries(e, id), &mut ipv4, &mut ipv6);
    unknown.extend(groups.iter().filter_map(|g| match g {
        Ref::Unknown(u) => Some(u.clone()),
        _ => None,
    }));
    groups.retain(|g| !matches!(g, Ref::Unknown(_)));
    SgRule {
        direction: dir,
        protocol: proto,
        ports,
        ipv4,
        ipv6,
        groups,
        self_ref: false,
        prefix_lists: lists,
        addresses_unknown: unknown.len() > before || !prefix_list_unknown.is_empty(),
        prefix_list_unknown,
        description: prop(m, "Description").and_then(description_text),
        unknown,
        loc,
        declared_by: by,
        implicit: false,
    }
}

/// The CIDR blocks of an `AWS::EC2::PrefixList` (`Entries[].Cidr`); `Err` says what is not
/// known.
fn prefix_entries(e: &Estate, id: ResourceId) -> Result<Vec<IpNet>, String> {
    let Some(r) = e.get(id) else {
        return Err(format!("prefix list #{} is not in the scanned files", id.0));
    };
    let entries = match rprop(r, "Entries") {
        None => return Ok(Vec::new()),
        Some(n) if n.is_unknown() => {
            return Err(format!(
                "the entries of prefix list `{}` are not known",
                r.address
            ))
        }
        Some(n) => n.as_block_list(),
    };
    entries
        .into_iter()
        .map(|x| match prop(x, "Cidr") {
            Some(c) if unknown_in(c).is_none() => c.as_str().and_then(parse_net).ok_or_else(|| {
                format!(
                    "an entry of prefix list `{}` is not a CIDR block",
                    r.address
                )
            }),
            _ => Err(format!(
                "an entry of prefix list `{}` is not known",
                r.address
            )),
        })
        .collect()
}

/// The rules of an inline rule list: one per item; an unknown list or item is an unknown rule.
fn inline_rules(
    e: &Estate,
    r: &Resource,
    id: ResourceId,
    key: &str,
    dir: Direction,
) -> Vec<SgRule> {
    let Some(n) = rprop(r, key) else {
        return Vec::new();
    };
    let items: Vec<&Node> = match &n.value {
        Value::List(l) => l.iter().collect(),
        _ => vec![n],
    };
    items
        .into_iter()
        .map(|item| {
            let loc = loc_or(r, Some(item));
            match &item.value {
                Value::Map(_) => sg_rule(e, item, dir, loc, id),
                Value::Unknown(u) => unknown_sg_rule(dir, u.clone(), loc, id),
                other => unknown_sg_rule(
                    dir,
                    Unknown::derived(format!("a `{key}` rule is a {}", other.type_name())),
                    loc,
                    id,
                ),
            }
        })
        .collect()
}

/// The allow-all egress rules AWS adds to a group created without egress rules.
fn default_egress(g: &SecurityGroup) -> Vec<SgRule> {
    let all = |v4: Vec<Ipv4Net>, v6: Vec<Ipv6Net>| SgRule {
        direction: Direction::Egress,
        protocol: Some(Protocol::All),
        ports: Some(PortRange::ALL),
        ipv4: v4,
        ipv6: v6,
        groups: Vec::new(),
        self_ref: false,
        prefix_lists: Vec::new(),
        prefix_list_unknown: Vec::new(),
        description: None,
        unknown: Vec::new(),
        addresses_unknown: false,
        loc: g.loc.clone(),
        declared_by: g.id,
        implicit: true,
    };
    vec![
        all(vec![Ipv4Net::default()], Vec::new()),
        all(Vec::new(), vec![Ipv6Net::default()]),
    ]
}

fn security_groups(e: &Estate) -> Vec<SecurityGroup> {
    let mut out: Vec<SecurityGroup> = e
        .of_types(SG)
        .map(|(id, r)| {
            let mut rules = inline_rules(e, r, id, "SecurityGroupIngress", Direction::Ingress);
            rules.extend(inline_rules(
                e,
                r,
                id,
                "SecurityGroupEgress",
                Direction::Egress,
            ));
            SecurityGroup {
                id,
                address: r.address.clone(),
                rtype: r.rtype.clone(),
                name: text_of(rprop(r, "GroupName")),
                vpc: reference(e, rprop(r, "VpcId"), VPC),
                default: false,
                rules,
                loc: r.loc.clone(),
            }
        })
        .collect();
    let mut separate_egress = BTreeSet::new();
    for (ty, dir) in [
        ("AWS::EC2::SecurityGroupIngress", Direction::Ingress),
        ("AWS::EC2::SecurityGroupEgress", Direction::Egress),
    ] {
        for (id, r) in e.of_type(ty) {
            let target = rprop(r, "GroupId")
                .or_else(|| rprop(r, "GroupName"))
                .and_then(|n| group_ref(e, n));
            let Some(Ref::Res(sg)) = target else { continue };
            let Some(g) = out.iter_mut().find(|g| g.id == sg) else {
                continue;
            };
            let node = Node::at(Value::Map(r.attrs.clone()), r.loc.clone());
            g.rules.push(sg_rule(e, &node, dir, r.loc.clone(), id));
            if dir == Direction::Egress {
                separate_egress.insert(sg);
            }
        }
    }
    for g in &mut out {
        if !separate_egress.contains(&g.id) && g.egress().next().is_none() {
            let d = default_egress(g);
            g.rules.extend(d);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// VPCs, subnets, gateways

fn vpcs(e: &Estate) -> Vec<Vpc> {
    e.of_types(VPC)
        .enumerate()
        .map(|(i, (id, r))| {
            let mut unknown = Vec::new();
            let mut cidrs = Vec::new();
            match rprop(r, "CidrBlock") {
                Some(n) => cidrs.extend(cidr_v4(Some(n), &mut unknown).map(IpNet::V4)),
                None => unknown.push(Unknown::derived(format!(
                    "`{}` has no CidrBlock (its block comes from an IPAM pool)",
                    r.address
                ))),
            }
            let mut stand_in = false;
            for bid in e.referrers(id, "AWS::EC2::VPCCidrBlock", Some("VpcId")) {
                let Some(b) = e.get(bid) else { continue };
                if let Some(n) = rprop(b, "CidrBlock") {
                    cidrs.extend(cidr_v4(Some(n), &mut unknown).map(IpNet::V4));
                }
                match cidr_v6(rprop(b, "Ipv6CidrBlock")) {
                    Some(x) => cidrs.push(IpNet::V6(x)),
                    None => {
                        // AWS picks the block at deployment: a stand-in from a reserved range.
                        let amazon = rprop(b, "AmazonProvidedIpv6CidrBlock")
                            .is_some_and(|n| n.as_bool() != Some(false));
                        let pool = ["Ipv6Pool", "Ipv6IpamPoolId", "Ipv6CidrBlock"]
                            .iter()
                            .any(|k| rprop(b, k).is_some());
                        if (amazon || pool) && !stand_in {
                            stand_in = true;
                            let index = u32::try_from(i).unwrap_or(u32::MAX);
                            cidrs.push(IpNet::V6(vpc_ipv6_stand_in_block(index)));
                        }
                    }
                }
            }
            Vpc {
                id,
                address: r.address.clone(),
                declared: Declared::Created,
                cidrs,
                unknown,
                loc: r.loc.clone(),
            }
        })
        .collect()
}

fn subnets(e: &Estate, vpcs: &[Vpc]) -> Vec<Subnet> {
    let mut k: u32 = 0;
    e.of_types(SUBNET)
        .map(|(id, r)| {
            let mut unknown = Vec::new();
            let vpc = reference(e, rprop(r, "VpcId"), VPC);
            let ipv6_cidr = cidr_v6(rprop(r, "Ipv6CidrBlock")).or_else(|| {
                // `!Select [0, !Cidr [!Select [0, !GetAtt Vpc.Ipv6CidrBlocks], ...]]`: a
                // stand-in /64 of the VPC's stand-in block.
                rprop(r, "Ipv6CidrBlock")?;
                let vid = vpc.as_ref()?.res()?;
                let v = vpcs.iter().find(|v| v.id == vid)?;
                let base = v.cidrs.iter().find_map(|c| match c {
                    IpNet::V6(x) => Some(*x),
                    IpNet::V4(_) => None,
                })?;
                k += 1;
                Some(subnet_ipv6_stand_in(base, k))
            });
            Subnet {
                id,
                address: r.address.clone(),
                name: r.display_name().to_string(),
                cidr: cidr_v4(rprop(r, "CidrBlock"), &mut unknown),
                vpc,
                ipv6_cidr,
                az: text_of(rprop(r, "AvailabilityZone")),
                map_public_ip: Tri::from_node_bool(rprop(r, "MapPublicIpOnLaunch"), false),
                declared: Declared::Created,
                map_public_ip_on_launch: setting::bool_attr(
                    r,
                    id,
                    "MapPublicIpOnLaunch",
                    "MapPublicIpOnLaunch",
                    false,
                ),
                unknown,
                loc: r.loc.clone(),
            }
        })
        .collect()
}

fn gateways(e: &Estate, types: &[&str]) -> Vec<Gateway> {
    e.of_types(types)
        .map(|(id, r)| Gateway {
            id,
            address: r.address.clone(),
            vpc: reference(e, rprop(r, "VpcId"), VPC),
            loc: r.loc.clone(),
        })
        .collect()
}

/// Internet gateways, each in the VPC its `AWS::EC2::VPCGatewayAttachment` names (an
/// unattached gateway has no VPC).
fn internet_gateways(e: &Estate) -> Vec<Gateway> {
    let mut igws = gateways(e, IGW);
    for (_, a) in e.of_type("AWS::EC2::VPCGatewayAttachment") {
        if let Some(Ref::Res(g)) = reference(e, rprop(a, "InternetGatewayId"), IGW) {
            let vpc = reference(e, rprop(a, "VpcId"), VPC);
            if let Some(x) = igws.iter_mut().find(|x| x.id == g) {
                x.vpc = vpc;
            }
        }
    }
    igws
}

// ---------------------------------------------------------------------------------------
// routes

fn route(e: &Estate, r: &Resource, id: ResourceId) -> Route {
    let mut dest = None;
    let mut dest_unknown = None;
    for key in ["DestinationCidrBlock", "DestinationIpv6CidrBlock"] {
        if let Some(n) = rprop(r, key) {
            match unknown_in(n) {
                Some(u) => dest_unknown = Some(u),
                None => dest = n.as_str().and_then(parse_net).or(dest),
            }
        }
    }
    if dest.is_none() && dest_unknown.is_none() {
        dest_unknown = Some(Unknown::derived(
            if rprop(r, "DestinationPrefixListId").is_some() {
                "the route's destination is a prefix list"
            } else {
                "the route's destination is not set"
            },
        ));
    }
    let one = |key: &str, types: &[&str]| reference(e, rprop(r, key), types);
    let target = if let Some(g) = rprop(r, "GatewayId").and_then(|n| {
        let mut both = IGW.to_vec();
        both.extend_from_slice(VGW);
        reference(e, Some(n), &both)
    }) {
        match &g {
            Ref::Res(x) if e.get(*x).is_some_and(|t| VGW.contains(&t.rtype.as_str())) => {
                RouteTarget::VpnGateway(g)
            }
            Ref::External(s) if s == "local" => RouteTarget::Local,
            Ref::External(s) if s.starts_with("vgw-") => RouteTarget::VpnGateway(g),
            Ref::External(s) if s.starts_with("vpce-") => RouteTarget::Endpoint(g),
            _ => RouteTarget::Igw(g),
        }
    } else if let Some(g) = one("EgressOnlyInternetGatewayId", EIGW) {
        RouteTarget::EgressOnlyIgw(g)
    } else if let Some(g) = one("NatGatewayId", NAT) {
        RouteTarget::Nat(g)
    } else if let Some(g) = one("VpcPeeringConnectionId", PEERING) {
        RouteTarget::Peering(g)
    } else if let Some(g) = one("VpcEndpointId", ENDPOINT) {
        RouteTarget::Endpoint(g)
    } else if let Some(g) = one("TransitGatewayId", TGW) {
        RouteTarget::TransitGateway(g)
    } else if let Some(g) = one("NetworkInterfaceId", ENI) {
        RouteTarget::Eni(g)
    } else if let Some(g) = one("InstanceId", INSTANCE) {
        RouteTarget::Eni(g)
    } else if let Some(k) = ["CarrierGatewayId", "LocalGatewayId", "CoreNetworkArn"]
        .into_iter()
        .find(|k| rprop(r, k).is_some())
    {
        RouteTarget::Other(k.to_string())
    } else {
        RouteTarget::Other("no target".into())
    };
    Route {
        dest,
        dest_unknown,
        target: settle_route_target(target),
        declared_by: id,
        loc: r.loc.clone(),
    }
}

fn route_tables(e: &Estate) -> Vec<RouteTable> {
    let mut out: Vec<RouteTable> = e
        .of_types(RT)
        .map(|(id, r)| RouteTable {
            id,
            address: r.address.clone(),
            vpc: reference(e, rprop(r, "VpcId"), VPC),
            routes: Vec::new(),
            subnets: Vec::new(),
            main: false,
            loc: r.loc.clone(),
        })
        .collect();
    for (id, r) in e.of_type("AWS::EC2::Route") {
        if let Some(Ref::Res(t)) = reference(e, rprop(r, "RouteTableId"), RT) {
            if let Some(t) = out.iter_mut().find(|x| x.id == t) {
                t.routes.push(route(e, r, id));
            }
        }
    }
    let mut unknown_tables = Vec::new();
    for (aid, r) in e.of_type("AWS::EC2::SubnetRouteTableAssociation") {
        let Some(s) = reference(e, rprop(r, "SubnetId"), SUBNET) else {
            continue;
        };
        let why = match reference(e, rprop(r, "RouteTableId"), RT) {
            Some(Ref::Res(t)) => {
                if let Some(t) = out.iter_mut().find(|x| x.id == t) {
                    t.subnets.push((s, r.loc.clone()));
                }
                continue;
            }
            Some(Ref::Unknown(u)) => u,
            Some(Ref::External(x)) => {
                Unknown::derived(format!("route table `{x}` is not in the template"))
            }
            None => continue,
        };
        let vpc = s
            .res()
            .and_then(|sid| e.get(sid))
            .and_then(|sr| reference(e, rprop(sr, "VpcId"), VPC));
        unknown_tables.push(moat_model::aws::netread::unknown_route_table(
            aid,
            &r.address,
            vpc,
            s,
            why,
            r.loc.clone(),
        ));
    }
    out.extend(unknown_tables);
    for t in &mut out {
        t.routes.sort_by(|a, b| a.loc.cmp(&b.loc));
    }
    out
}

// ---------------------------------------------------------------------------------------
// network ACLs

fn nacl_entry(r: &Resource, id: ResourceId) -> NaclRule {
    let mut unknown = Vec::new();
    let number = nacl_rule_number(rprop(r, "RuleNumber"), &mut unknown);
    let action = match rprop(r, "RuleAction").and_then(Node::as_str) {
        Some(s) if s.eq_ignore_ascii_case("allow") => Action::Allow,
        Some(s) if s.eq_ignore_ascii_case("deny") => Action::Deny,
        _ => {
            unknown.push(
                rprop(r, "RuleAction")
                    .and_then(unknown_in)
                    .unwrap_or_else(|| Unknown::derived("the rule action is not allow or deny")),
            );
            Action::Deny
        }
    };
    let proto = protocol(rprop(r, "Protocol"), &mut unknown);
    let range = rprop(r, "PortRange");
    let ports = port_range(
        proto,
        range.and_then(|p| prop(p, "From")),
        range.and_then(|p| prop(p, "To")),
        &mut unknown,
    );
    let mut cidr = None;
    for key in ["CidrBlock", "Ipv6CidrBlock"] {
        if let Some(n) = rprop(r, key) {
            match unknown_in(n) {
                Some(u) => unknown.push(u),
                None => cidr = n.as_str().and_then(parse_net).or(cidr),
            }
        }
    }
    if cidr.is_none() && unknown.is_empty() {
        unknown.push(Unknown::derived("the entry has no CIDR block"));
    }
    NaclRule {
        number,
        action,
        protocol: proto,
        ports,
        cidr,
        unknown,
        declared_by: id,
        loc: r.loc.clone(),
    }
}

fn nacls(e: &Estate) -> Vec<Nacl> {
    let mut out: Vec<Nacl> = e
        .of_types(NACL)
        .map(|(id, r)| Nacl {
            id,
            address: r.address.clone(),
            vpc: reference(e, rprop(r, "VpcId"), VPC),
            subnets: Vec::new(),
            default: false,
            ingress: Vec::new(),
            egress: Vec::new(),
            loc: r.loc.clone(),
        })
        .collect();
    for (id, r) in e.of_type("AWS::EC2::NetworkAclEntry") {
        let Some(Ref::Res(acl)) = reference(e, rprop(r, "NetworkAclId"), NACL) else {
            continue;
        };
        let rule = nacl_entry(r, id);
        // `Egress` defaults to false (an inbound entry).
        let egress = match rprop(r, "Egress") {
            None => Tri::False,
            n => Tri::from_node_bool(n, false),
        };
        if let Some(n) = out.iter_mut().find(|x| x.id == acl) {
            match egress {
                Tri::False => n.ingress.push(rule),
                Tri::True => n.egress.push(rule),
                Tri::Unknown(u) => {
                    // Either direction: an unknown entry on both sides.
                    let mut r2 = rule.clone();
                    r2.unknown.push(u.clone());
                    n.ingress.push(r2);
                    let mut r3 = rule;
                    r3.unknown.push(u);
                    n.egress.push(r3);
                }
            }
        }
    }
    for (_, r) in e.of_type("AWS::EC2::SubnetNetworkAclAssociation") {
        if let (Some(Ref::Res(acl)), Some(s)) = (
            reference(e, rprop(r, "NetworkAclId"), NACL),
            reference(e, rprop(r, "SubnetId"), SUBNET),
        ) {
            if let Some(n) = out.iter_mut().find(|x| x.id == acl) {
                n.subnets.push((s, r.loc.clone()));
            }
        }
    }
    for n in &mut out {
        n.ingress.sort_by_key(|r| r.number);
        n.egress.sort_by_key(|r| r.number);
    }
    out
}

// ---------------------------------------------------------------------------------------
// load balancers

fn load_balancers(e: &Estate) -> Vec<LoadBalancer> {
    e.of_types(LB)
        .map(|(id, r)| {
            let classic = r.rtype == "AWS::ElasticLoadBalancing::LoadBalancer";
            let kind = match (classic, rprop(r, "Type").and_then(Node::as_str)) {
                (true, _) => LbKind::Classic,
                (_, s) => s
                    .and_then(LbKind::from_type_name)
                    .unwrap_or(LbKind::Application),
            };
            let mut subnets = references(e, rprop(r, "Subnets"), SUBNET);
            for m in r.blocks("SubnetMappings") {
                subnets.extend(reference(e, prop(m, "SubnetId"), SUBNET));
            }
            let internal = match rprop(r, "Scheme") {
                None => Tri::False,
                Some(n) => match (&n.value, n.as_str()) {
                    (Value::Unknown(u), _) => Tri::Unknown(u.clone()),
                    (_, Some("internal")) => Tri::True,
                    (_, Some("internet-facing")) => Tri::False,
                    _ => Tri::Unknown(Unknown::derived(format!(
                        "scheme `{}` is not internal or internet-facing",
                        n.value
                    ))),
                },
            };
            LoadBalancer {
                id,
                address: r.address.clone(),
                kind,
                internal,
                subnets,
                groups: groups_of(e, rprop(r, "SecurityGroups")),
                loc: r.loc.clone(),
            }
        })
        .collect()
}

/// The target groups an action list forwards to (`TargetGroupArn`,
/// `ForwardConfig.TargetGroups[].TargetGroupArn`), each located at its action.
fn forwards(e: &Estate, r: &Resource, key: &str, out: &mut Vec<(Ref, Loc)>) {
    for a in r.blocks(key) {
        let loc = loc_or(r, Some(a));
        out.extend(reference(e, prop(a, "TargetGroupArn"), TG).map(|t| (t, loc.clone())));
        if let Some(f) = prop(a, "ForwardConfig") {
            for tg in f.blocks("TargetGroups") {
                out.extend(reference(e, prop(tg, "TargetGroupArn"), TG).map(|t| (t, loc.clone())));
            }
        }
    }
}

fn listeners(e: &Estate) -> Vec<Listener> {
    let mut out: Vec<Listener> = e
        .of_types(LISTENER)
        .map(|(id, r)| {
            let mut unknown = Vec::new();
            let mut target_groups = Vec::new();
            forwards(e, r, "DefaultActions", &mut target_groups);
            if let Some(u) = rprop(r, "DefaultActions").and_then(Node::unknown_reason) {
                unknown.push(u.clone());
            }
            Listener {
                id,
                address: r.address.clone(),
                lb: reference(e, rprop(r, "LoadBalancerArn"), LB),
                port: port(rprop(r, "Port"), &mut unknown),
                protocol: text_of(rprop(r, "Protocol")),
                target_groups,
                unknown,
                loc: r.loc.clone(),
            }
        })
        .collect();
    for (_, r) in e.of_type("AWS::ElasticLoadBalancingV2::ListenerRule") {
        let Some(Ref::Res(l)) = reference(e, rprop(r, "ListenerArn"), LISTENER) else {
            continue;
        };
        let mut tgs = Vec::new();
        forwards(e, r, "Actions", &mut tgs);
        if let Some(x) = out.iter_mut().find(|x| x.id == l) {
            x.target_groups.extend(tgs);
        }
    }
    out
}

/// The value of a target group attribute (`TargetGroupAttributes: [{Key, Value}]`).
fn tg_attribute<'a>(r: &'a Resource, key: &str) -> Option<&'a Node> {
    r.blocks("TargetGroupAttributes")
        .into_iter()
        .find(|a| prop(a, "Key").and_then(Node::as_str) == Some(key))
        .and_then(|a| prop(a, "Value"))
}

fn target_groups(e: &Estate) -> (Vec<TargetGroup>, Vec<Target>) {
    let mut groups = Vec::new();
    let mut targets = Vec::new();
    for (id, r) in e.of_types(TG) {
        let mut unknown = Vec::new();
        let hc = rprop(r, "HealthCheckPort");
        let health_port = HealthPort::from_node(hc);
        let target_type = text_of(rprop(r, "TargetType")).unwrap_or_else(|| "instance".into());
        // Client IP preservation: on by default for instance targets (as the Terraform
        // adapter reads it).
        let preserve_client_ip = match tg_attribute(r, "preserve_client_ip.enabled") {
            Some(n) => Tri::from_node_bool(Some(n), false),
            None => Tri::from(target_type == "instance"),
        };
        groups.push(TargetGroup {
            id,
            address: r.address.clone(),
            port: port(rprop(r, "Port"), &mut unknown),
            protocol: text_of(rprop(r, "Protocol")),
            target_type,
            health_port,
            health_loc: loc_or(r, hc),
            preserve_client_ip,
            vpc: reference(e, rprop(r, "VpcId"), VPC),
            loc: r.loc.clone(),
        });
        for t in r.blocks("Targets") {
            let Some(n) = prop(t, "Id") else { continue };
            let kinds = [
                "AWS::EC2::Instance",
                "AWS::Lambda::Function",
                "AWS::ElasticLoadBalancingV2::LoadBalancer",
            ];
            let target = match reference(e, Some(n), &kinds) {
                Some(Ref::Res(x)) => TargetRef::Resource(x),
                Some(Ref::External(s)) => match s.parse::<IpAddr>() {
                    Ok(ip) => TargetRef::Ip(ip),
                    Err(_) => TargetRef::External(s),
                },
                Some(Ref::Unknown(u)) => TargetRef::Unknown(u),
                None => continue,
            };
            let mut unknown = Vec::new();
            targets.push(Target {
                group: Ref::Res(id),
                target,
                port: port(prop(t, "Port"), &mut unknown),
                declared_by: id,
                loc: loc_or(r, Some(t)),
            });
        }
    }
    for (id, r) in e.of_types(ASG) {
        for g in references(e, rprop(r, "TargetGroupARNs"), TG) {
            targets.push(Target {
                group: g,
                target: TargetRef::Resource(id),
                port: None,
                declared_by: id,
                loc: r.loc_of("TargetGroupARNs").clone(),
            });
        }
    }
    (groups, targets)
}

// ---------------------------------------------------------------------------------------
// network interfaces

/// Builds interfaces: knows the subnets (for their public-IP default) and the VPCs with an
/// internet gateway attached (for a database's `PubliclyAccessible` default).
struct Enis<'a> {
    e: &'a Estate,
    subnets: &'a [Subnet],
    igw_vpcs: Vec<Ref>,
    /// Interfaces of the template attached to one of its instances.
    attached: BTreeSet<ResourceId>,
    out: Vec<Eni>,
}

impl<'a> Enis<'a> {
    fn map_public(&self, s: Option<&Ref>) -> Tri {
        match s {
            Some(Ref::Res(id)) => self
                .subnets
                .iter()
                .find(|x| x.id == *id)
                .map_or(Tri::False, |x| x.map_public_ip.clone()),
            Some(Ref::Unknown(u)) => Tri::Unknown(u.clone()),
            _ => Tri::Unknown(Unknown::derived("the subnet is not in the scanned files")),
        }
    }

    /// An EIP (`AWS::EC2::EIP` `InstanceId`, `AWS::EC2::EIPAssociation`) on `owner`.
    fn eip(&self, owner: ResourceId) -> Option<Loc> {
        ["AWS::EC2::EIP", "AWS::EC2::EIPAssociation"]
            .iter()
            .flat_map(|t| self.e.referrers(owner, t, None))
            .find_map(|x| self.e.get(x).map(|r| r.loc.clone()))
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        owner: ResourceId,
        r: &Resource,
        kind: EniKind,
        subnet: Option<Ref>,
        groups: Vec<Ref>,
        private_ip: Option<IpAddr>,
        public: (Tri, Option<Loc>),
        unknown: Vec<Unknown>,
    ) {
        self.out.push(Eni {
            owner,
            address: r.address.clone(),
            kind,
            subnet,
            groups,
            private_ip,
            ipv6: Vec::new(),
            public_ip: public.0,
            public_ip_loc: public.1,
            unknown,
            loc: r.loc.clone(),
        });
    }

    fn instances(&mut self) {
        let e = self.e;
        for (id, r) in e.of_types(INSTANCE) {
            let eip = self.eip(id).map(|l| (Tri::True, Some(l)));
            let lt = launch_template_data(e, r.get("LaunchTemplate"));
            let nis: Vec<&Node> = r.blocks("NetworkInterfaces");
            if nis.is_empty() {
                let subnet = reference(e, rprop(r, "SubnetId"), SUBNET);
                let mut groups = groups_of(e, rprop(r, "SecurityGroupIds"));
                groups.extend(groups_of(e, rprop(r, "SecurityGroups")));
                if groups.is_empty() {
                    if let Some(d) = lt {
                        groups = groups_of(e, prop(d, "SecurityGroupIds"));
                        groups.extend(groups_of(e, prop(d, "SecurityGroups")));
                    }
                }
                let names_none = ["SecurityGroupIds", "SecurityGroups"]
                    .iter()
                    .all(|k| rprop(r, k).is_none_or(|n| n.is_null()));
                if groups.is_empty() && names_none && lt.is_none() {
                    // AWS puts it in its VPC's default group, whose rules a template cannot
                    // manage: unknown, not "no group" (which admits nothing).
                    groups.push(Ref::Unknown(Unknown::derived(format!(
                        "`{}` names no security group: it gets its VPC's default security \
                         group, whose rules the template does not manage",
                        r.address
                    ))));
                }
                let mut unknown = Vec::new();
                if subnet.is_none() {
                    unknown.push(Unknown::derived(format!(
                        "`{}` has no SubnetId (placed in the default VPC)",
                        r.address
                    )));
                }
                let public = eip.unwrap_or_else(|| (self.map_public(subnet.as_ref()), None));
                let ip = ip_of(rprop(r, "PrivateIpAddress"));
                self.push(
                    id,
                    r,
                    EniKind::Instance,
                    subnet,
                    groups,
                    ip,
                    public,
                    unknown,
                );
                continue;
            }
            for ni in nis {
                let primary = prop(ni, "DeviceIndex").and_then(Node::as_i64) == Some(0);
                if let Some(Ref::Res(x)) = reference(e, prop(ni, "NetworkInterfaceId"), ENI) {
                    self.attach(id, r, x, primary.then(|| eip.clone()).flatten());
                    continue;
                }
                let subnet = reference(e, prop(ni, "SubnetId"), SUBNET);
                let public = match (&eip, prop(ni, "AssociatePublicIpAddress")) {
                    (Some(x), _) if primary => x.clone(),
                    (_, Some(n)) => (Tri::from_node_bool(Some(n), false), n.loc.clone()),
                    _ if primary => (self.map_public(subnet.as_ref()), None),
                    _ => (Tri::False, None),
                };
                let groups = groups_of(e, prop(ni, "GroupSet"));
                let ip = ip_of(prop(ni, "PrivateIpAddress"));
                let kind = EniKind::Instance;
                self.push(id, r, kind, subnet, groups, ip, public, Vec::new());
            }
        }
        for (_, a) in e.of_type("AWS::EC2::NetworkInterfaceAttachment") {
            if let (Some(Ref::Res(i)), Some(Ref::Res(x))) = (
                reference(e, rprop(a, "InstanceId"), INSTANCE),
                reference(e, rprop(a, "NetworkInterfaceId"), ENI),
            ) {
                if let Some(r) = e.get(i) {
                    self.attach(i, r, x, None);
                }
            }
        }
    }

    /// An interface of the template (`AWS::EC2::NetworkInterface`) attached to instance `id`
    /// (`NetworkInterfaces[].NetworkInterfaceId`, `AWS::EC2::NetworkInterfaceAttachment`): an
    /// interface of the instance with the interface's subnet, groups and address; public
    /// through an EIP on the interface (or `eip`, the instance's, on the primary one). AWS
    /// assigns no public address to an existing interface at launch.
    fn attach(
        &mut self,
        id: ResourceId,
        r: &Resource,
        x: ResourceId,
        eip: Option<(Tri, Option<Loc>)>,
    ) {
        let e = self.e;
        let Some(ni) = e.get(x) else { return };
        self.attached.insert(x);
        let public = self
            .eip(x)
            .map(|l| (Tri::True, Some(l)))
            .or(eip)
            .unwrap_or((Tri::False, None));
        let subnet = reference(e, rprop(ni, "SubnetId"), SUBNET);
        let groups = groups_of(e, rprop(ni, "GroupSet"));
        let ip = interface_ip(ni);
        self.push(
            id,
            r,
            EniKind::Instance,
            subnet,
            groups,
            ip,
            public,
            Vec::new(),
        );
    }

    /// Interfaces not attached to an instance of the template.
    fn interfaces(&mut self) {
        let e = self.e;
        for (id, r) in e.of_types(ENI) {
            if self.attached.contains(&id) {
                continue;
            }
            let subnet = reference(e, rprop(r, "SubnetId"), SUBNET);
            let ip = interface_ip(r);
            let public = self
                .eip(id)
                .map_or((Tri::False, None), |l| (Tri::True, Some(l)));
            let groups = groups_of(e, rprop(r, "GroupSet"));
            self.push(
                id,
                r,
                EniKind::Interface,
                subnet,
                groups,
                ip,
                public,
                Vec::new(),
            );
        }
    }

    /// Auto Scaling groups: one member interface per subnet, with the launch template's (or
    /// launch configuration's) groups and public-IP setting.
    fn autoscaling(&mut self) {
        let e = self.e;
        for (id, r) in e.of_types(ASG) {
            let spec = r.get("LaunchTemplate").or_else(|| {
                r.path("MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification")
            });
            let mut unknown = Vec::new();
            let mut groups = Vec::new();
            let mut public = None;
            let lc = match reference(e, rprop(r, "LaunchConfigurationName"), LAUNCH) {
                Some(Ref::Res(lc)) => e.get(lc),
                _ => None,
            };
            if let Some(d) = spec.and_then(|s| launch_template_data(e, Some(s))) {
                groups = groups_of(e, prop(d, "SecurityGroupIds"));
                groups.extend(groups_of(e, prop(d, "SecurityGroups")));
                for ni in d.blocks("NetworkInterfaces") {
                    groups.extend(groups_of(e, prop(ni, "Groups")));
                    if let Some(b) = prop(ni, "AssociatePublicIpAddress") {
                        public = Some(Tri::from_node_bool(Some(b), false));
                    }
                }
            } else if let Some(x) = lc.filter(|_| spec.is_none()) {
                groups = groups_of(e, rprop(x, "SecurityGroups"));
                if let Some(b) = rprop(x, "AssociatePublicIpAddress") {
                    public = Some(Tri::from_node_bool(Some(b), false));
                }
            } else {
                unknown.push(Unknown::derived(format!(
                    "the launch template of `{}` is not in the scanned files",
                    r.address
                )));
            }
            for s in references(e, rprop(r, "VPCZoneIdentifier"), SUBNET) {
                let p = public.clone().unwrap_or_else(|| self.map_public(Some(&s)));
                self.push(
                    id,
                    r,
                    EniKind::AsgMember,
                    Some(s),
                    groups.clone(),
                    None,
                    (p, None),
                    unknown.clone(),
                );
            }
        }
    }

    fn load_balancers(&mut self, lbs: &[LoadBalancer]) {
        let e = self.e;
        for lb in lbs {
            let Some(r) = e.get(lb.id) else { continue };
            let public = match &lb.internal {
                Tri::True => Tri::False,
                Tri::False => Tri::True,
                Tri::Unknown(u) => Tri::Unknown(u.clone()),
            };
            for s in &lb.subnets {
                let (g, p) = (lb.groups.clone(), (public.clone(), None));
                self.push(
                    lb.id,
                    r,
                    EniKind::LoadBalancer,
                    Some(s.clone()),
                    g,
                    None,
                    p,
                    Vec::new(),
                );
            }
        }
    }

    /// The subnets of a subnet group named by `n` (`SubnetIds` of a resource of `types`).
    fn group_subnets(
        &self,
        r: &Resource,
        n: &Node,
        types: &[&str],
        name_key: &str,
    ) -> Result<Vec<Ref>, Unknown> {
        let e = self.e;
        let found = match reference(e, Some(n), types) {
            Some(Ref::Res(g)) => Some(g),
            Some(Ref::External(s)) => e
                .of_types(types)
                .find(|(_, g)| {
                    g.str_attr(name_key)
                        .is_some_and(|x| x.eq_ignore_ascii_case(&s))
                })
                .map(|(g, _)| g),
            Some(Ref::Unknown(u)) => return Err(u),
            None => None,
        };
        match found.and_then(|g| e.get(g)) {
            Some(g) => Ok(references(e, rprop(g, "SubnetIds"), SUBNET)),
            None => Err(Unknown::derived(format!(
                "the subnet group of `{}` is not in the scanned files",
                r.address
            ))),
        }
    }

    /// Whether a database in these subnets is public by default: its VPC has an internet
    /// gateway attached.
    fn db_default_public(&self, subnets: &[Ref]) -> Tri {
        let mut vpcs = Vec::new();
        for s in subnets {
            match s {
                Ref::Res(id) => match self.subnets.iter().find(|x| x.id == *id).and_then(|x| x.vpc.clone()) {
                    Some(v @ Ref::Res(_)) => vpcs.push(v),
                    Some(Ref::Unknown(u)) => return Tri::Unknown(u),
                    _ => return Tri::Unknown(Unknown::derived("the database's VPC is not in the scanned files, so whether PubliclyAccessible defaults to true is not known")),
                },
                Ref::Unknown(u) => return Tri::Unknown(u.clone()),
                Ref::External(_) => return Tri::Unknown(Unknown::derived("the database's subnets are not in the scanned files, so whether PubliclyAccessible defaults to true is not known")),
            }
        }
        if vpcs.is_empty() {
            return Tri::Unknown(Unknown::derived("the database's subnets are not known, so whether PubliclyAccessible defaults to true is not known"));
        }
        Tri::from(vpcs.iter().any(|v| self.igw_vpcs.contains(v)))
    }

    fn databases(&mut self, placements: &mut BTreeMap<ResourceId, Loc>) {
        let e = self.e;
        for (id, r) in e.of_type(DB_INSTANCE) {
            let cluster = match reference(e, rprop(r, "DBClusterIdentifier"), &[DB_CLUSTER]) {
                Some(Ref::Res(c)) => e.get(c),
                _ => None,
            };
            let group_node = rprop(r, "DBSubnetGroupName")
                .or_else(|| cluster.and_then(|c| rprop(c, "DBSubnetGroupName")));
            let mut unknown = Vec::new();
            let subnets = match group_node {
                Some(n) => {
                    if let Some(l) = n.loc.clone() {
                        placements.insert(id, l);
                    }
                    self.group_subnets(r, n, &["AWS::RDS::DBSubnetGroup"], "DBSubnetGroupName")
                        .unwrap_or_else(|u| {
                            unknown.push(u);
                            Vec::new()
                        })
                }
                None => {
                    unknown.push(Unknown::derived(format!(
                        "`{}` has no DBSubnetGroupName (placed in the default VPC)",
                        r.address
                    )));
                    Vec::new()
                }
            };
            let mut groups = groups_of(e, rprop(r, "VPCSecurityGroups"));
            if let Some(c) = cluster {
                groups.extend(groups_of(e, rprop(c, "VpcSecurityGroupIds")));
            }
            let pa = rprop(r, "PubliclyAccessible");
            let public = match pa {
                Some(n) => (Tri::from_node_bool(Some(n), false), n.loc.clone()),
                None => (self.db_default_public(&subnets), None),
            };
            self.place(id, r, EniKind::Database, subnets, groups, public, unknown);
        }
        for (id, r) in e.of_types(CACHE) {
            let mut unknown = Vec::new();
            let subnets = match rprop(r, "CacheSubnetGroupName") {
                Some(n) => {
                    if let Some(l) = n.loc.clone() {
                        placements.insert(id, l);
                    }
                    self.group_subnets(
                        r,
                        n,
                        &["AWS::ElastiCache::SubnetGroup"],
                        "CacheSubnetGroupName",
                    )
                    .unwrap_or_else(|u| {
                        unknown.push(u);
                        Vec::new()
                    })
                }
                None => Vec::new(),
            };
            let mut groups = groups_of(e, rprop(r, "VpcSecurityGroupIds"));
            groups.extend(groups_of(e, rprop(r, "SecurityGroupIds")));
            self.place(
                id,
                r,
                EniKind::Cache,
                subnets,
                groups,
                (Tri::False, None),
                unknown,
            );
        }
    }

    /// Interfaces in each subnet (none when no subnet is known, as the Terraform adapter
    /// does: the unknowns are then not carried by any interface).
    #[allow(clippy::too_many_arguments)]
    fn place(
        &mut self,
        id: ResourceId,
        r: &Resource,
        kind: EniKind,
        subnets: Vec<Ref>,
        groups: Vec<Ref>,
        public: (Tri, Option<Loc>),
        unknown: Vec<Unknown>,
    ) {
        for s in subnets {
            self.push(
                id,
                r,
                kind,
                Some(s),
                groups.clone(),
                None,
                public.clone(),
                unknown.clone(),
            );
        }
    }

    /// Lambda functions in a VPC, EKS node groups and interface endpoints.
    fn others(&mut self) {
        let e = self.e;
        for (id, r) in e.of_type("AWS::Lambda::Function") {
            let Some(vc) = rprop(r, "VpcConfig") else {
                continue;
            };
            let subnets = references(e, prop(vc, "SubnetIds"), SUBNET);
            if subnets.is_empty() {
                continue;
            }
            let groups = groups_of(e, prop(vc, "SecurityGroupIds"));
            self.place(
                id,
                r,
                EniKind::Lambda,
                subnets,
                groups,
                (Tri::False, None),
                Vec::new(),
            );
        }
        for (id, r) in e.of_type("AWS::EKS::Nodegroup") {
            let subnets = references(e, rprop(r, "Subnets"), SUBNET);
            self.place(
                id,
                r,
                EniKind::EksNode,
                subnets,
                Vec::new(),
                (Tri::False, None),
                Vec::new(),
            );
        }
        for (id, r) in e.of_types(ENDPOINT) {
            let subnets = references(e, rprop(r, "SubnetIds"), SUBNET);
            if subnets.is_empty() {
                continue;
            }
            let groups = groups_of(e, rprop(r, "SecurityGroupIds"));
            self.place(
                id,
                r,
                EniKind::Endpoint,
                subnets,
                groups,
                (Tri::False, None),
                Vec::new(),
            );
        }
    }

    /// IPv6 addresses ([`Eni::ipv6`]): literal addresses, else the subnet's block when AWS
    /// picks one (`Ipv6AddressCount`, dual-stack load balancers and databases, the subnet's
    /// `AssignIpv6AddressOnCreation`).
    fn ipv6(&mut self) {
        let e = self.e;
        for eni in &mut self.out {
            let Some(r) = e.get(eni.owner) else { continue };
            let Some(sid) = eni.subnet.as_ref().and_then(Ref::res) else {
                continue;
            };
            let Some(block) = self
                .subnets
                .iter()
                .find(|s| s.id == sid)
                .and_then(|s| s.ipv6_cidr)
            else {
                continue;
            };
            let mut sources: Vec<&Node> = vec![];
            sources.extend(r.get("Ipv6Addresses"));
            sources.extend(r.get("Ipv6AddressCount"));
            for ni in r.blocks("NetworkInterfaces") {
                sources.extend(ni.get("Ipv6Addresses"));
                sources.extend(ni.get("Ipv6AddressCount"));
            }
            let mut v = Vec::new();
            let mut auto = false;
            for n in sources {
                match &n.value {
                    Value::List(l) => {
                        for x in l {
                            let a = ip_of(Some(x)).or_else(|| ip_of(prop(x, "Ipv6Address")));
                            match a {
                                Some(IpAddr::V6(a)) => v.push(Ipv6Net::from(a)),
                                _ => auto = true,
                            }
                        }
                    }
                    Value::Number(x) => auto |= *x > 0.0,
                    _ => auto = true,
                }
            }
            let is = |k: &str, want: &[&str]| {
                text_of(rprop(r, k)).is_some_and(|s| want.iter().any(|w| s.eq_ignore_ascii_case(w)))
            };
            auto |= match eni.kind {
                EniKind::LoadBalancer => is(
                    "IpAddressType",
                    &["dualstack", "dualstack-without-public-ipv4"],
                ),
                EniKind::Database | EniKind::Cache => is("NetworkType", &["DUAL", "dual_stack"]),
                _ => false,
            };
            if v.is_empty() && !auto {
                auto = e
                    .get(sid)
                    .and_then(|s| rprop(s, "AssignIpv6AddressOnCreation"))
                    .and_then(Node::as_bool)
                    .unwrap_or(false);
            }
            if auto {
                v.push(block);
            }
            eni.ipv6 = v;
        }
    }
}

/// The primary private address of an `AWS::EC2::NetworkInterface`.
fn interface_ip(r: &Resource) -> Option<IpAddr> {
    ip_of(rprop(r, "PrivateIpAddress")).or_else(|| {
        r.blocks("PrivateIpAddresses")
            .into_iter()
            .find(|x| prop(x, "Primary").and_then(Node::as_bool) != Some(false))
            .and_then(|x| ip_of(prop(x, "PrivateIpAddress")))
    })
}

/// The `LaunchTemplateData` of the launch template a `LaunchTemplate` specification
/// (`LaunchTemplateId` or `LaunchTemplateName`) names.
fn launch_template_data<'a>(e: &'a Estate, spec: Option<&Node>) -> Option<&'a Node> {
    let spec = spec?;
    let n = prop(spec, "LaunchTemplateId").or_else(|| prop(spec, "LaunchTemplateName"))?;
    let id = match reference(e, Some(n), &["AWS::EC2::LaunchTemplate"])? {
        Ref::Res(id) => id,
        Ref::External(s) => {
            e.of_type("AWS::EC2::LaunchTemplate")
                .find(|(_, t)| t.str_attr("LaunchTemplateName") == Some(s.as_str()))?
                .0
        }
        Ref::Unknown(_) => return None,
    };
    e.get(id)?.get("LaunchTemplateData")
}

/// Build the network state of a resolved CloudFormation estate.
pub fn build(e: &Estate) -> Network {
    let vpcs = vpcs(e);
    let subnets = subnets(e, &vpcs);
    let igws = internet_gateways(e);
    let load_balancers = load_balancers(e);
    let (target_groups, targets) = target_groups(e);
    let mut placements = BTreeMap::new();
    let mut enis = Enis {
        e,
        subnets: &subnets,
        igw_vpcs: igws.iter().filter_map(|g| g.vpc.clone()).collect(),
        attached: BTreeSet::new(),
        out: Vec::new(),
    };
    enis.instances();
    enis.interfaces();
    enis.autoscaling();
    enis.load_balancers(&load_balancers);
    enis.databases(&mut placements);
    enis.others();
    enis.ipv6();
    let mut enis = enis.out;
    enis.sort_by_key(|a| (a.owner, a.kind));
    Network {
        security_groups: security_groups(e),
        route_tables: route_tables(e),
        egress_only_igws: gateways(e, EIGW),
        nat_gateways: e
            .of_types(NAT)
            .map(|(id, r)| NatGateway {
                id,
                address: r.address.clone(),
                subnet: reference(e, rprop(r, "SubnetId"), SUBNET),
                public: rprop(r, "ConnectivityType").and_then(Node::as_str) != Some("private"),
                loc: r.loc.clone(),
            })
            .collect(),
        peerings: e
            .of_types(PEERING)
            .map(|(id, r)| Peering {
                id,
                address: r.address.clone(),
                vpc: reference(e, rprop(r, "VpcId"), VPC),
                peer_vpc: reference(e, rprop(r, "PeerVpcId"), VPC),
                loc: r.loc.clone(),
            })
            .collect(),
        nacls: nacls(e),
        listeners: listeners(e),
        vpcs,
        subnets,
        igws,
        enis,
        load_balancers,
        target_groups,
        targets,
        placements,
    }
}
