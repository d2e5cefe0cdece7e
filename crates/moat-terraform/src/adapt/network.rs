//! The Terraform adapter of the network family: VPCs, subnets, route tables and routes,
//! gateways, security groups and their rule resources, NACLs, ENIs (of instances, load
//! balancers, databases...), load balancers with listeners, target groups and attachments.
//!
//! Terraform only: it reads the resources that [`crate::load`] builds, by their Terraform
//! resource types and attribute names, with the AWS provider's defaults. Another frontend gets
//! its own adapter that builds the same [`moat_model::aws::network`] types; their docs say
//! where its semantics differ (e.g. [`SecurityGroup`]'s default egress).
//!
//! # Default egress of a security group
//! Terraform deletes the allow-all egress rule that AWS creates for `aws_security_group` and
//! `aws_default_security_group`, so a group with no `egress` block and no separate egress rule
//! resource has **no egress at all**: this adapter adds no rule.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use moat_model::aws::netread::{
    self, cidr_v4, cidr_v6, cidrs_into, description_text, nacl_rule_number, port_range,
    prefix_list_peers, protocol, settle_route_target, subnet_ipv6_stand_in, unknown_in,
    unknown_sg_rule, vpc_ipv6_stand_in_block,
};
use moat_model::aws::network::*;
use moat_model::{Estate, Loc, Mode, Node, Resolved, Resource, ResourceId, Tri, Unknown, Value};

/// Resource types that are security groups.
pub const SG_TYPES: &[&str] = &["aws_security_group", "aws_default_security_group"];

// ---------------------------------------------------------------------------------------
// helpers

fn node_loc(r: &Resource, n: Option<&Node>) -> Loc {
    n.and_then(|n| n.loc.clone())
        .unwrap_or_else(|| r.loc.clone())
}

/// A block's (or a rule resource's, see [`resource_as_node`]) attribute, unless absent or null.
fn attr<'a>(m: &'a Node, key: &str) -> Option<&'a Node> {
    m.get(key).filter(|n| !n.is_null())
}

/// A resource's attribute, unless absent or null.
fn res_attr<'a>(r: &'a Resource, key: &str) -> Option<&'a Node> {
    r.get(key).filter(|n| !n.is_null())
}

/// The first of `keys` that a block holds, unless null: the resource types of one kind name
/// the same attribute differently (`protocol` inline, `ip_protocol` in
/// `aws_vpc_security_group_ingress_rule`).
fn get_any<'a>(m: &'a Node, keys: &[&str]) -> Option<&'a Node> {
    keys.iter().find_map(|k| m.get(k)).filter(|n| !n.is_null())
}

/// [`get_any`] on a resource's attributes.
fn res_any<'a>(r: &'a Resource, keys: &[&str]) -> Option<&'a Node> {
    keys.iter().find_map(|k| r.get(k)).filter(|n| !n.is_null())
}

fn resolve_one(e: &Estate, n: Option<&Node>, types: &[&str]) -> Option<Ref> {
    let n = n?;
    Ref::from_resolved(e.resolve(n, types, &["id", "name", "arn"]))
}

/// Resolve a list (or single value) of references. An unknown list is one unknown ref.
fn resolve_many(e: &Estate, n: Option<&Node>, types: &[&str]) -> Vec<Ref> {
    let Some(n) = n else { return Vec::new() };
    match &n.value {
        Value::List(items) => items
            .iter()
            .filter_map(|i| Ref::from_resolved(e.resolve(i, types, &["id", "name", "arn"])))
            .collect(),
        _ => resolve_one(e, Some(n), types).into_iter().collect(),
    }
}

fn bool_tri(n: Option<&Node>, default: bool) -> Tri {
    Tri::from_node_bool(n, default)
}

// ---------------------------------------------------------------------------------------
// security groups

/// Parse one rule: an inline `ingress {}`/`egress {}` block, or a rule resource read as a block
/// ([`resource_as_node`]).
fn parse_sg_rule(
    e: &Estate,
    owner: &Resource,
    declared_by: ResourceId,
    m: &Node,
    direction: Direction,
    loc: Loc,
) -> SgRule {
    let mut unknown = Vec::new();
    let protocol = protocol(get_any(m, &["protocol", "ip_protocol"]), &mut unknown);
    let ports = port_range(
        protocol,
        attr(m, "from_port"),
        attr(m, "to_port"),
        &mut unknown,
    );
    let mut ipv4 = Vec::new();
    let mut ipv6 = Vec::new();
    let unknown_before_peers = unknown.len();
    cidrs_into(
        get_any(m, &["cidr_blocks", "cidr_ipv4"]),
        &mut ipv4,
        &mut ipv6,
        &mut unknown,
    );
    cidrs_into(
        get_any(m, &["ipv6_cidr_blocks", "cidr_ipv6"]),
        &mut ipv4,
        &mut ipv6,
        &mut unknown,
    );
    let mut groups = Vec::new();
    for key in [
        "security_groups",
        "source_security_group_id",
        "referenced_security_group_id",
    ] {
        groups.extend(resolve_many(e, attr(m, key), SG_TYPES));
    }
    let prefix_lists = resolve_many(
        e,
        get_any(m, &["prefix_list_ids", "prefix_list_id"]),
        &["aws_ec2_managed_prefix_list"],
    );
    let prefix_list_unknown = prefix_list_peers(
        &prefix_lists,
        |id| prefix_list_entries(e, id),
        &mut ipv4,
        &mut ipv6,
    );
    let self_ref = match attr(m, "self") {
        Some(n) => match n.as_bool() {
            Some(b) => b,
            None => {
                if let Some(u) = unknown_in(n) {
                    unknown.push(u);
                }
                false
            }
        },
        None => false,
    };
    for g in &groups {
        if let Ref::Unknown(u) = g {
            unknown.push(u.clone());
        }
    }
    let description = attr(m, "description").and_then(description_text);
    let addresses_unknown = unknown.len() > unknown_before_peers || !prefix_list_unknown.is_empty();
    let _ = owner;
    SgRule {
        direction,
        protocol,
        ports,
        ipv4,
        ipv6,
        groups: groups
            .into_iter()
            .filter(|g| !matches!(g, Ref::Unknown(_)))
            .collect(),
        self_ref,
        prefix_lists,
        prefix_list_unknown,
        description,
        unknown,
        addresses_unknown,
        loc,
        declared_by,
        implicit: false,
    }
}

/// The CIDRs of a managed prefix list of the estate: its inline `entry` blocks and the
/// `aws_ec2_managed_prefix_list_entry` resources that point at it. `Err` names what is not
/// known.
pub fn prefix_list_entries(e: &Estate, id: ResourceId) -> Result<Vec<IpNet>, String> {
    let Some(r) = e.get(id) else {
        return Err(format!("prefix list #{} is not in the scanned files", id.0));
    };
    let mut out = Vec::new();
    let mut entry = |n: Option<&Node>| -> Result<(), String> {
        let Some(n) = n else { return Ok(()) };
        if let Some(u) = unknown_in(n) {
            return Err(format!("an entry of prefix list `{}`: {u}", r.address));
        }
        match n.as_str().and_then(parse_net) {
            Some(c) => {
                out.push(c);
                Ok(())
            }
            None => Err(format!(
                "an entry of prefix list `{}` is not a CIDR block",
                r.address
            )),
        }
    };
    for b in r.blocks("entry") {
        entry(attr(b, "cidr"))?;
    }
    for x in e.referrers(id, "aws_ec2_managed_prefix_list_entry", None) {
        if let Some(er) = e.get(x) {
            entry(res_attr(er, "cidr"))?;
        }
    }
    Ok(out)
}

fn resource_as_node(r: &Resource) -> Node {
    Node::at(Value::Map(r.attrs.clone()), r.loc.clone())
}

fn build_security_groups(e: &Estate) -> Vec<SecurityGroup> {
    let mut out: Vec<SecurityGroup> = Vec::new();
    let mut index: BTreeMap<ResourceId, usize> = BTreeMap::new();
    for (id, r) in e.of_types(SG_TYPES) {
        let mut rules = Vec::new();
        for (key, dir) in [
            ("ingress", Direction::Ingress),
            ("egress", Direction::Egress),
        ] {
            for b in r.blocks(key) {
                let loc = node_loc(r, Some(b));
                rules.push(parse_sg_rule(e, r, id, b, dir, loc));
            }
            if let Some(n) = r.get(key) {
                if let Some(u) = unknown_in(n).filter(|_| n.is_unknown()) {
                    rules.push(unknown_sg_rule(dir, u, node_loc(r, Some(n)), id));
                }
            }
        }
        let default = r.rtype == "aws_default_security_group";
        index.insert(id, out.len());
        out.push(SecurityGroup {
            id,
            address: r.address.clone(),
            rtype: r.rtype.clone(),
            name: res_attr(r, "name").and_then(|n| n.as_str().map(str::to_string)),
            vpc: resolve_one(e, res_attr(r, "vpc_id"), VPC_TYPES),
            default,
            rules,
            loc: r.loc.clone(),
        });
    }
    // Separate rule resources.
    let rule_types = [
        "aws_security_group_rule",
        "aws_vpc_security_group_ingress_rule",
        "aws_vpc_security_group_egress_rule",
    ];
    for (id, r) in e.of_types(&rule_types) {
        let dir = match r.rtype.as_str() {
            "aws_vpc_security_group_ingress_rule" => Direction::Ingress,
            "aws_vpc_security_group_egress_rule" => Direction::Egress,
            _ => match r.str_attr("type") {
                Some("egress") => Direction::Egress,
                Some("ingress") => Direction::Ingress,
                _ => continue,
            },
        };
        let Some(Ref::Res(sg)) = resolve_one(e, res_attr(r, "security_group_id"), SG_TYPES) else {
            continue;
        };
        let Some(&slot) = index.get(&sg) else {
            continue;
        };
        let node = resource_as_node(r);
        let mut rule = parse_sg_rule(e, r, id, &node, dir, r.loc.clone());
        // `aws_security_group_rule` names the peer with source_security_group_id for both
        // directions; already handled. Nothing else to adjust.
        if r.rtype == "aws_security_group_rule" && rule.description.is_none() {
            rule.description = r.get("description").and_then(description_text);
        }
        if let Some(g) = out.get_mut(slot) {
            g.rules.push(rule);
        }
    }
    // No implicit egress rule: the provider deletes the allow-all rule AWS creates (see the
    // module doc), so a group's egress is what the configuration writes.
    out
}

// ---------------------------------------------------------------------------------------
// the rest

const VPC_TYPES: &[&str] = &["aws_vpc", "aws_default_vpc"];
const SUBNET_TYPES: &[&str] = &["aws_subnet", "aws_default_subnet"];
const RT_TYPES: &[&str] = &["aws_route_table", "aws_default_route_table"];
const NACL_TYPES: &[&str] = &["aws_network_acl", "aws_default_network_acl"];
const INSTANCE_TYPES: &[&str] = &["aws_instance"];
const LB_TYPES: &[&str] = &["aws_lb", "aws_alb", "aws_elb"];
const TG_TYPES: &[&str] = &["aws_lb_target_group", "aws_alb_target_group"];
const LISTENER_TYPES: &[&str] = &["aws_lb_listener", "aws_alb_listener"];

fn subnet_of(e: &Estate, n: Option<&Node>) -> Option<Ref> {
    resolve_one(e, n, SUBNET_TYPES)
}

fn parse_route(e: &Estate, m: &Node, declared_by: ResourceId, loc: Loc) -> Route {
    let mut dest_unknown = None;
    let mut dest = None;
    for key in [
        "cidr_block",
        "destination_cidr_block",
        "ipv6_cidr_block",
        "destination_ipv6_cidr_block",
    ] {
        if let Some(n) = attr(m, key) {
            if let Some(u) = unknown_in(n) {
                dest_unknown = Some(u);
            } else if let Some(net) = n.as_str().and_then(parse_net) {
                dest = Some(net);
            }
        }
    }
    if dest.is_none() && dest_unknown.is_none() && attr(m, "destination_prefix_list_id").is_some() {
        dest_unknown = Some(Unknown::derived("the route's destination is a prefix list"));
    }
    let one = |key: &str, types: &[&str]| resolve_one(e, attr(m, key), types);
    let target = if let Some(g) = one("gateway_id", &["aws_internet_gateway", "aws_vpn_gateway"]) {
        match &g {
            Ref::Res(id) if e.get(*id).is_some_and(|r| r.rtype == "aws_vpn_gateway") => {
                RouteTarget::VpnGateway(g)
            }
            Ref::External(s) if s == "local" => RouteTarget::Local,
            Ref::External(s) if s.starts_with("vgw-") => RouteTarget::VpnGateway(g),
            Ref::External(s) if s.starts_with("vpce-") => RouteTarget::Endpoint(g),
            Ref::Unknown(u) => RouteTarget::Unknown(u.clone()),
            _ => RouteTarget::Igw(g),
        }
    } else if let Some(g) = one(
        "egress_only_gateway_id",
        &["aws_egress_only_internet_gateway"],
    ) {
        RouteTarget::EgressOnlyIgw(g)
    } else if let Some(g) = one("nat_gateway_id", &["aws_nat_gateway"]) {
        RouteTarget::Nat(g)
    } else if let Some(g) = one("vpc_peering_connection_id", &["aws_vpc_peering_connection"]) {
        RouteTarget::Peering(g)
    } else if let Some(g) = one("vpc_endpoint_id", &["aws_vpc_endpoint"]) {
        RouteTarget::Endpoint(g)
    } else if let Some(g) = one("transit_gateway_id", &["aws_ec2_transit_gateway"]) {
        RouteTarget::TransitGateway(g)
    } else if let Some(g) = one("network_interface_id", &["aws_network_interface"]) {
        RouteTarget::Eni(g)
    } else if let Some(g) = one("instance_id", INSTANCE_TYPES) {
        RouteTarget::Eni(g)
    } else {
        RouteTarget::Other("unsupported route target".into())
    };
    Route {
        dest,
        dest_unknown,
        target: settle_route_target(target),
        declared_by,
        loc,
    }
}

fn build_route_tables(e: &Estate) -> Vec<RouteTable> {
    let mut out = Vec::new();
    let mut index = BTreeMap::new();
    for (id, r) in e.of_types(RT_TYPES) {
        let mut routes = Vec::new();
        for b in r.blocks("route") {
            routes.push(parse_route(e, b, id, node_loc(r, Some(b))));
        }
        index.insert(id, out.len());
        out.push(RouteTable {
            id,
            address: r.address.clone(),
            vpc: resolve_one(
                e,
                res_any(r, &["vpc_id", "default_route_table_id"]),
                VPC_TYPES,
            ),
            routes,
            subnets: Vec::new(),
            main: r.rtype == "aws_default_route_table",
            loc: r.loc.clone(),
        });
    }
    for (id, r) in e.of_types(&["aws_route"]) {
        let Some(Ref::Res(rt)) = resolve_one(e, res_attr(r, "route_table_id"), RT_TYPES) else {
            continue;
        };
        let node = resource_as_node(r);
        let route = parse_route(e, &node, id, r.loc.clone());
        if let Some(t) = index.get(&rt).and_then(|i| out.get_mut(*i)) {
            t.routes.push(route);
        }
    }
    let mut unknown_tables = Vec::new();
    for (aid, r) in e.of_types(&["aws_route_table_association"]) {
        let Some(s) = subnet_of(e, res_attr(r, "subnet_id")) else {
            continue;
        };
        let why = match resolve_one(e, res_attr(r, "route_table_id"), RT_TYPES) {
            Some(Ref::Res(rt)) => {
                if let Some(t) = index.get(&rt).and_then(|i| out.get_mut(*i)) {
                    t.subnets.push((s, r.loc.clone()));
                }
                continue;
            }
            Some(Ref::Unknown(u)) => u,
            Some(Ref::External(x)) => {
                Unknown::derived(format!("route table `{x}` is not in the scanned files"))
            }
            None => continue,
        };
        let vpc = s
            .res()
            .and_then(|sid| e.get(sid))
            .and_then(|sr| resolve_one(e, res_attr(sr, "vpc_id"), VPC_TYPES));
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
    for (_, r) in e.of_type("aws_main_route_table_association") {
        if let Some(Ref::Res(rt)) = resolve_one(e, res_attr(r, "route_table_id"), RT_TYPES) {
            if let Some(t) = index.get(&rt).and_then(|i| out.get_mut(*i)) {
                t.main = true;
            }
        }
    }
    for t in &mut out {
        // The implicit local route of each VPC CIDR is added by the engine from the VPC.
        t.routes.sort_by(|a, b| a.loc.cmp(&b.loc));
    }
    out
}

fn parse_nacl_rule(m: &Node, declared_by: ResourceId, loc: Loc) -> NaclRule {
    let mut unknown = Vec::new();
    let number = nacl_rule_number(get_any(m, &["rule_no", "rule_number"]), &mut unknown);
    let action = match get_any(m, &["action", "rule_action"]).and_then(Node::as_str) {
        Some(s) if s.eq_ignore_ascii_case("allow") => Action::Allow,
        Some(s) if s.eq_ignore_ascii_case("deny") => Action::Deny,
        _ => {
            if let Some(u) = get_any(m, &["action", "rule_action"]).and_then(unknown_in) {
                unknown.push(u);
            }
            Action::Deny
        }
    };
    let protocol = protocol(attr(m, "protocol"), &mut unknown);
    let ports = port_range(
        protocol,
        attr(m, "from_port"),
        attr(m, "to_port"),
        &mut unknown,
    );
    let mut cidr = None;
    for key in ["cidr_block", "ipv6_cidr_block"] {
        if let Some(n) = attr(m, key) {
            if let Some(u) = unknown_in(n) {
                unknown.push(u);
            } else if let Some(net) = n.as_str().and_then(parse_net) {
                cidr = Some(net);
            }
        }
    }
    if cidr.is_none() && unknown.is_empty() {
        unknown.push(Unknown::derived("the rule has no CIDR block"));
    }
    NaclRule {
        number,
        action,
        protocol,
        ports,
        cidr,
        unknown,
        declared_by,
        loc,
    }
}

fn build_nacls(e: &Estate) -> Vec<Nacl> {
    let mut out = Vec::new();
    let mut index = BTreeMap::new();
    for (id, r) in e.of_types(NACL_TYPES) {
        let mut ingress = Vec::new();
        let mut egress = Vec::new();
        for b in r.blocks("ingress") {
            ingress.push(parse_nacl_rule(b, id, node_loc(r, Some(b))));
        }
        for b in r.blocks("egress") {
            egress.push(parse_nacl_rule(b, id, node_loc(r, Some(b))));
        }
        let subnets = resolve_many(e, res_attr(r, "subnet_ids"), SUBNET_TYPES)
            .into_iter()
            .map(|s| (s, r.loc_of("subnet_ids").clone()))
            .collect();
        index.insert(id, out.len());
        out.push(Nacl {
            id,
            address: r.address.clone(),
            vpc: resolve_one(
                e,
                res_any(r, &["vpc_id", "default_network_acl_id"]),
                VPC_TYPES,
            ),
            subnets,
            default: r.rtype == "aws_default_network_acl",
            ingress,
            egress,
            loc: r.loc.clone(),
        });
    }
    for (id, r) in e.of_types(&["aws_network_acl_rule"]) {
        let Some(Ref::Res(acl)) = resolve_one(e, res_attr(r, "network_acl_id"), NACL_TYPES) else {
            continue;
        };
        let node = resource_as_node(r);
        let rule = parse_nacl_rule(&node, id, r.loc.clone());
        let egress = res_attr(r, "egress")
            .and_then(Node::as_bool)
            .unwrap_or(false);
        if let Some(n) = index.get(&acl).and_then(|i| out.get_mut(*i)) {
            if egress {
                n.egress.push(rule);
            } else {
                n.ingress.push(rule);
            }
        }
    }
    for (_, r) in e.of_types(&["aws_network_acl_association"]) {
        let Some(Ref::Res(acl)) = resolve_one(e, res_attr(r, "network_acl_id"), NACL_TYPES) else {
            continue;
        };
        if let (Some(s), Some(n)) = (
            subnet_of(e, res_attr(r, "subnet_id")),
            index.get(&acl).and_then(|i| out.get_mut(*i)),
        ) {
            n.subnets.push((s, r.loc.clone()));
        }
    }
    for n in &mut out {
        n.ingress.sort_by_key(|r| r.number);
        n.egress.sort_by_key(|r| r.number);
    }
    out
}

fn public_ip_of(e: &Estate, owner: ResourceId, r: &Resource) -> (Tri, Option<Loc>) {
    // An EIP attached to the instance wins.
    for eip in e.referrers(owner, "aws_eip", None) {
        if let Some(x) = e.get(eip) {
            return (Tri::True, Some(x.loc.clone()));
        }
    }
    for assoc in e.referrers(owner, "aws_eip_association", None) {
        if let Some(x) = e.get(assoc) {
            return (Tri::True, Some(x.loc.clone()));
        }
    }
    let n = res_attr(r, "associate_public_ip_address");
    match n {
        Some(n) => (Tri::from_node_bool(Some(n), false), n.loc.clone()),
        None => (
            Tri::Unknown(Unknown::derived("depends on the subnet")),
            None,
        ),
    }
}

fn ip_of(n: Option<&Node>) -> Option<IpAddr> {
    n.and_then(Node::as_str).and_then(|s| s.parse().ok())
}

fn group_refs(e: &Estate, r: &Resource) -> Vec<Ref> {
    let mut v = resolve_many(e, res_attr(r, "vpc_security_group_ids"), SG_TYPES);
    v.extend(resolve_many(e, res_attr(r, "security_groups"), SG_TYPES));
    v
}

/// The groups of an instance that names none (no `vpc_security_group_ids`, no
/// `security_groups`, no launch template): AWS gives it its VPC's default security group
/// ([Default security groups](https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html)).
/// That group as `aws_default_security_group` shapes it when the configuration declares it for
/// the instance's VPC (or, for an instance without a subnet, for the default VPC); otherwise
/// unknown: AWS's own default admits only its members, but the group may have been changed
/// outside this configuration.
fn default_group_of(
    e: &Estate,
    r: &Resource,
    subnet: &Option<Ref>,
    subnets: &[Subnet],
) -> Vec<Ref> {
    let written = ["vpc_security_group_ids", "security_groups"]
        .iter()
        .any(|k| res_attr(r, k).is_some_and(|n| !n.is_null()));
    if written || !r.blocks("launch_template").is_empty() {
        return Vec::new();
    }
    // The instance's VPC: its subnet's; none without a subnet (the default VPC).
    let vpc: Option<Option<Ref>> = match subnet {
        None => Some(None),
        Some(Ref::Res(id)) => subnets.iter().find(|x| x.id == *id).map(|x| x.vpc.clone()),
        Some(_) => None,
    };
    let declared: Vec<(ResourceId, Option<Ref>)> = e
        .of_types(&["aws_default_security_group"])
        .map(|(id, d)| (id, resolve_one(e, res_attr(d, "vpc_id"), VPC_TYPES)))
        .collect();
    let found = match &vpc {
        Some(None) => declared.iter().find(|(_, v)| v.is_none()),
        Some(Some(Ref::Res(v))) => declared
            .iter()
            .find(|(_, dv)| matches!(dv, Some(Ref::Res(x)) if x == v)),
        _ => None,
    };
    match found {
        Some((id, _)) => vec![Ref::Res(*id)],
        None => vec![Ref::Unknown(Unknown::derived(format!(
            "`{}` names no security group: it gets its VPC's default security group, which \
             this configuration does not declare (`aws_default_security_group`)",
            r.address
        )))],
    }
}

fn build_enis(e: &Estate, subnets: &[Subnet], lbs: &[LoadBalancer]) -> Vec<Eni> {
    let mut out = build_enis_v4(e, subnets, lbs);
    assign_ipv6(e, subnets, &mut out);
    out
}

/// Gives each interface its IPv6 addresses (see [`Eni::ipv6`]).
fn assign_ipv6(e: &Estate, subnets: &[Subnet], enis: &mut [Eni]) {
    for eni in enis.iter_mut() {
        let Some(r) = e.get(eni.owner) else { continue };
        let Some(sid) = eni.subnet.as_ref().and_then(Ref::res) else {
            continue;
        };
        let Some(sub_v6) = subnets
            .iter()
            .find(|s| s.id == sid)
            .and_then(|s| s.ipv6_cidr)
        else {
            continue;
        };
        let mut v = Vec::new();
        let mut auto = false;
        if let Some(n) = res_attr(r, "ipv6_addresses") {
            match &n.value {
                Value::List(l) => {
                    for x in l {
                        match ip_of(Some(x)) {
                            Some(IpAddr::V6(a)) => v.push(Ipv6Net::from(a)),
                            _ => auto = true,
                        }
                    }
                }
                _ => auto = true,
            }
        }
        if let Some(n) = res_attr(r, "ipv6_address_count") {
            match &n.value {
                Value::Number(x) => auto |= *x > 0.0,
                _ => auto = true,
            }
        }
        let dual = |k: &str, want: &[&str]| {
            res_attr(r, k)
                .and_then(|n| n.as_str())
                .is_some_and(|s| want.iter().any(|w| s.eq_ignore_ascii_case(w)))
        };
        match eni.kind {
            EniKind::LoadBalancer => {
                auto |= dual(
                    "ip_address_type",
                    &["dualstack", "dualstack-without-public-ipv4"],
                )
            }
            EniKind::Database | EniKind::Cache => {
                auto |= dual("network_type", &["DUAL", "dual_stack"])
            }
            _ => {}
        }
        if v.is_empty() && !auto {
            if let Some(s) = e.get(sid) {
                auto = res_attr(s, "assign_ipv6_address_on_creation")
                    .and_then(|n| n.as_bool())
                    .unwrap_or(false);
            }
        }
        if auto {
            v.push(sub_v6);
        }
        eni.ipv6 = v;
    }
}

const DB_TYPES: &[&str] = &["aws_db_instance", "aws_rds_cluster_instance"];
const DB_GROUP_KEY: &str = "db_subnet_group_name";
const CACHE_TYPES: &[&str] = &[
    "aws_elasticache_cluster",
    "aws_elasticache_replication_group",
];
const CACHE_GROUP_KEY: &str = "subnet_group_name";

/// Where each database and cache picks its subnets (its subnet-group attribute), for findings
/// that ask to move it to private subnets.
fn placements(e: &Estate) -> BTreeMap<ResourceId, Loc> {
    let mut out = BTreeMap::new();
    for (types, key) in [(DB_TYPES, DB_GROUP_KEY), (CACHE_TYPES, CACHE_GROUP_KEY)] {
        for (id, r) in e.of_types(types) {
            if let Some(loc) = r.get(key).and_then(|n| n.loc.clone()) {
                out.insert(id, loc);
            }
        }
    }
    out
}

fn build_enis_v4(e: &Estate, subnets: &[Subnet], lbs: &[LoadBalancer]) -> Vec<Eni> {
    let mut out = Vec::new();
    let map_public = |s: &Option<Ref>| -> Tri {
        match s {
            Some(Ref::Res(id)) => subnets
                .iter()
                .find(|x| x.id == *id)
                .map(|x| x.map_public_ip.clone())
                .unwrap_or(Tri::False),
            Some(Ref::Unknown(u)) => Tri::Unknown(u.clone()),
            _ => Tri::Unknown(Unknown::derived("the subnet is not in the scanned files")),
        }
    };
    for (id, r) in e.of_types(INSTANCE_TYPES) {
        let subnet = subnet_of(e, res_attr(r, "subnet_id"));
        let (mut public_ip, public_ip_loc) = public_ip_of(e, id, r);
        if matches!(public_ip, Tri::Unknown(Unknown::Derived { .. }))
            && res_attr(r, "associate_public_ip_address").is_none()
        {
            public_ip = map_public(&subnet);
        }
        let mut unknown = Vec::new();
        if subnet.is_none() {
            unknown.push(Unknown::derived(format!(
                "`{}` has no subnet_id (placed in the default VPC)",
                r.address
            )));
        }
        let mut groups = group_refs(e, r);
        if groups.is_empty() {
            groups = default_group_of(e, r, &subnet, subnets);
        }
        out.push(Eni {
            owner: id,
            address: r.address.clone(),
            kind: EniKind::Instance,
            subnet,
            groups,
            private_ip: ip_of(res_attr(r, "private_ip")),
            ipv6: Vec::new(),
            public_ip,
            public_ip_loc,
            unknown,
            loc: r.loc.clone(),
        });
    }
    for (id, r) in e.of_types(&["aws_network_interface"]) {
        let subnet = subnet_of(e, res_attr(r, "subnet_id"));
        // An Elastic IP on the interface: `aws_eip.network_interface`, or an
        // `aws_eip_association` with `network_interface_id`.
        let eip = e
            .referrers(id, "aws_eip", None)
            .into_iter()
            .chain(e.referrers(id, "aws_eip_association", Some("network_interface_id")))
            .next();
        let (public_ip, public_ip_loc) = match eip.and_then(|x| e.get(x)) {
            Some(x) => (Tri::True, Some(x.loc.clone())),
            None => (Tri::False, None),
        };
        // Attached to an instance (its `attachment` block, or an
        // `aws_network_interface_attachment`): the instance's interface, with its own groups.
        let attached_to = r
            .blocks("attachment")
            .first()
            .and_then(|b| resolve_one(e, b.get("instance"), INSTANCE_TYPES))
            .or_else(|| {
                e.referrers(
                    id,
                    "aws_network_interface_attachment",
                    Some("network_interface_id"),
                )
                .into_iter()
                .filter_map(|a| e.get(a))
                .find_map(|a| resolve_one(e, res_attr(a, "instance_id"), INSTANCE_TYPES))
            });
        let owner = match attached_to {
            Some(Ref::Res(instance)) => instance,
            _ => id,
        };
        let private_ip = res_any(r, &["private_ips", "private_ip"]).and_then(|n| match &n.value {
            Value::List(l) => l.first().and_then(|x| ip_of(Some(x))),
            _ => ip_of(Some(n)),
        });
        out.push(Eni {
            owner,
            address: r.address.clone(),
            kind: EniKind::Interface,
            subnet,
            groups: resolve_many(e, res_attr(r, "security_groups"), SG_TYPES),
            private_ip,
            ipv6: Vec::new(),
            public_ip,
            public_ip_loc,
            unknown: Vec::new(),
            loc: r.loc.clone(),
        });
    }
    // Autoscaling groups: one member per subnet, with the launch template's groups.
    for (id, r) in e.of_types(&["aws_autoscaling_group"]) {
        let mut groups = Vec::new();
        let mut public_ip = Tri::Unknown(Unknown::derived("depends on the subnet"));
        let mut unknown = Vec::new();
        let lt = r
            .blocks("launch_template")
            .first()
            .and_then(|b| get_any(b, &["id", "name"]))
            .cloned()
            .or_else(|| res_attr(r, "launch_configuration").cloned());
        match lt.as_ref().map(|n| {
            e.resolve(
                n,
                &["aws_launch_template", "aws_launch_configuration"],
                &["id", "name"],
            )
        }) {
            Some(Resolved::Resource(lt_id)) => {
                if let Some(ltr) = e.get(lt_id) {
                    groups = group_refs(e, ltr);
                    for ni in ltr.blocks("network_interfaces") {
                        groups.extend(resolve_many(e, attr(ni, "security_groups"), SG_TYPES));
                        if let Some(b) = attr(ni, "associate_public_ip_address") {
                            public_ip = Tri::from_node_bool(Some(b), false);
                        }
                    }
                    if let Some(b) = res_attr(ltr, "associate_public_ip_address") {
                        public_ip = Tri::from_node_bool(Some(b), false);
                    }
                }
            }
            Some(Resolved::Unknown(u)) => unknown.push(u),
            _ => unknown.push(Unknown::derived(format!(
                "the launch template of `{}` is not in the scanned files",
                r.address
            ))),
        }
        let subnets_of_asg = resolve_many(e, res_attr(r, "vpc_zone_identifier"), SUBNET_TYPES);
        for s in subnets_of_asg {
            let pip = if matches!(public_ip, Tri::Unknown(Unknown::Derived { .. })) {
                map_public(&Some(s.clone()))
            } else {
                public_ip.clone()
            };
            out.push(Eni {
                owner: id,
                address: r.address.clone(),
                kind: EniKind::AsgMember,
                subnet: Some(s),
                groups: groups.clone(),
                private_ip: None,
                ipv6: Vec::new(),
                public_ip: pip,
                public_ip_loc: None,
                unknown: unknown.clone(),
                loc: r.loc.clone(),
            });
        }
    }
    // Load balancers: one interface per subnet.
    for lb in lbs {
        for s in &lb.subnets {
            out.push(Eni {
                owner: lb.id,
                address: lb.address.clone(),
                kind: EniKind::LoadBalancer,
                subnet: Some(s.clone()),
                groups: lb.groups.clone(),
                private_ip: None,
                ipv6: Vec::new(),
                public_ip: match &lb.internal {
                    Tri::True => Tri::False,
                    Tri::False => Tri::True,
                    Tri::Unknown(u) => Tri::Unknown(u.clone()),
                },
                public_ip_loc: None,
                unknown: Vec::new(),
                loc: lb.loc.clone(),
            });
        }
    }
    // Databases and caches: interfaces in each subnet of their subnet group.
    let placed = |kind: EniKind,
                  types: &[&str],
                  group_key: Option<&str>,
                  subnet_group_types: &[&str],
                  public_key: Option<&str>,
                  out: &mut Vec<Eni>| {
        for (id, r) in e.of_types(types) {
            let mut unknown = Vec::new();
            let subnets_here: Vec<Ref> = match group_key.and_then(|k| res_attr(r, k)) {
                Some(n) => match e.resolve(n, subnet_group_types, &["name", "id"]) {
                    Resolved::Resource(g) => e
                        .get(g)
                        .map(|gr| resolve_many(e, res_attr(gr, "subnet_ids"), SUBNET_TYPES))
                        .unwrap_or_default(),
                    Resolved::Unknown(u) => {
                        unknown.push(u);
                        Vec::new()
                    }
                    _ => {
                        unknown.push(Unknown::derived(format!(
                            "the subnet group of `{}` is not in the scanned files",
                            r.address
                        )));
                        Vec::new()
                    }
                },
                None => resolve_many(e, res_attr(r, "subnet_ids"), SUBNET_TYPES),
            };
            let public_ip = match public_key {
                Some(k) => Tri::from_node_bool(res_attr(r, k), false),
                None => Tri::False,
            };
            let public_ip_loc = public_key
                .and_then(|k| r.get(k))
                .and_then(|n| n.loc.clone());
            let mut groups = group_refs(e, r);
            for vc in r.blocks("vpc_config") {
                groups.extend(resolve_many(e, attr(vc, "security_group_ids"), SG_TYPES));
            }
            let subnets_here = if subnets_here.is_empty() {
                let mut v = Vec::new();
                for vc in r.blocks("vpc_config") {
                    v.extend(resolve_many(e, attr(vc, "subnet_ids"), SUBNET_TYPES));
                }
                v
            } else {
                subnets_here
            };
            if subnets_here.is_empty() {
                if kind == EniKind::Lambda {
                    continue;
                }
                unknown.push(Unknown::derived(format!(
                    "`{}` has no subnet in the scanned files",
                    r.address
                )));
            }
            for s in subnets_here {
                out.push(Eni {
                    owner: id,
                    address: r.address.clone(),
                    kind,
                    subnet: Some(s),
                    groups: groups.clone(),
                    private_ip: None,
                    ipv6: Vec::new(),
                    public_ip: public_ip.clone(),
                    public_ip_loc: public_ip_loc.clone(),
                    unknown: unknown.clone(),
                    loc: r.loc.clone(),
                });
            }
        }
    };
    placed(
        EniKind::Database,
        DB_TYPES,
        Some(DB_GROUP_KEY),
        &["aws_db_subnet_group"],
        Some("publicly_accessible"),
        &mut out,
    );
    placed(
        EniKind::Cache,
        CACHE_TYPES,
        Some(CACHE_GROUP_KEY),
        &["aws_elasticache_subnet_group"],
        None,
        &mut out,
    );
    placed(
        EniKind::Lambda,
        &["aws_lambda_function"],
        None,
        &[],
        None,
        &mut out,
    );
    placed(
        EniKind::EksNode,
        &["aws_eks_node_group"],
        None,
        &[],
        None,
        &mut out,
    );
    placed(
        EniKind::Endpoint,
        &["aws_vpc_endpoint"],
        None,
        &[],
        None,
        &mut out,
    );
    out.retain(|x| !(x.kind == EniKind::Endpoint && x.subnet.is_none()));
    out
}

fn build_lbs(
    e: &Estate,
) -> (
    Vec<LoadBalancer>,
    Vec<Listener>,
    Vec<TargetGroup>,
    Vec<Target>,
) {
    let mut lbs = Vec::new();
    for (id, r) in e.of_types(LB_TYPES) {
        let kind = match (
            r.rtype.as_str(),
            res_attr(r, "load_balancer_type").and_then(Node::as_str),
        ) {
            ("aws_elb", _) => LbKind::Classic,
            (_, s) => s
                .and_then(LbKind::from_type_name)
                .unwrap_or(LbKind::Application),
        };
        let mut subnets = resolve_many(e, res_attr(r, "subnets"), SUBNET_TYPES);
        for m in r.blocks("subnet_mapping") {
            subnets.extend(resolve_many(e, attr(m, "subnet_id"), SUBNET_TYPES));
        }
        let internal = bool_tri(res_attr(r, "internal"), false);
        lbs.push(LoadBalancer {
            id,
            address: r.address.clone(),
            kind,
            internal,
            subnets,
            groups: resolve_many(e, res_attr(r, "security_groups"), SG_TYPES),
            loc: r.loc.clone(),
        });
    }
    let mut tgs = Vec::new();
    for (id, r) in e.of_types(TG_TYPES) {
        let mut unknown = Vec::new();
        let hc = r.blocks("health_check").first().copied().cloned();
        let hc_port_node = hc.as_ref().and_then(|h| attr(h, "port"));
        let health_port = HealthPort::from_node(hc_port_node);
        let health_loc = hc_port_node
            .and_then(|n| n.loc.clone())
            .or_else(|| hc.as_ref().and_then(|h| h.loc.clone()))
            .unwrap_or_else(|| r.loc.clone());
        let preserve = match res_attr(r, "preserve_client_ip") {
            Some(n) => Tri::from_node_bool(Some(n), false),
            None => Tri::Unknown(Unknown::derived("default")),
        };
        let target_type = r.str_attr("target_type").unwrap_or("instance").to_string();
        // Default of preserve_client_ip: on for instance targets (and TCP/TLS IP targets off),
        // always off for ALB targets (not applicable).
        let preserve_client_ip = match preserve {
            Tri::Unknown(Unknown::Derived { ref reason, .. }) if reason == "default" => {
                Tri::from(target_type == "instance")
            }
            t => t,
        };
        tgs.push(TargetGroup {
            id,
            address: r.address.clone(),
            port: netread::port(res_attr(r, "port"), &mut unknown),
            protocol: res_attr(r, "protocol").and_then(|n| n.as_str().map(str::to_string)),
            target_type,
            health_port,
            health_loc,
            preserve_client_ip,
            vpc: resolve_one(e, res_attr(r, "vpc_id"), VPC_TYPES),
            loc: r.loc.clone(),
        });
    }
    let mut listeners = Vec::new();
    let mut listener_index = BTreeMap::new();
    for (id, r) in e.of_types(LISTENER_TYPES) {
        let mut unknown = Vec::new();
        let mut target_groups = Vec::new();
        for a in r.blocks("default_action").into_iter() {
            forward_targets(e, a, &mut target_groups, r);
        }
        listener_index.insert(id, listeners.len());
        listeners.push(Listener {
            id,
            address: r.address.clone(),
            lb: resolve_one(e, res_attr(r, "load_balancer_arn"), LB_TYPES),
            port: netread::port(res_attr(r, "port"), &mut unknown),
            protocol: res_attr(r, "protocol").and_then(|n| n.as_str().map(str::to_string)),
            target_groups,
            unknown,
            loc: r.loc.clone(),
        });
    }
    for (_, r) in e.of_types(&["aws_lb_listener_rule", "aws_alb_listener_rule"]) {
        let Some(Ref::Res(l)) = resolve_one(e, res_attr(r, "listener_arn"), LISTENER_TYPES) else {
            continue;
        };
        let mut tg = Vec::new();
        for a in r.blocks("action") {
            forward_targets(e, a, &mut tg, r);
        }
        if let Some(x) = listener_index.get(&l).and_then(|i| listeners.get_mut(*i)) {
            x.target_groups.extend(tg);
        }
    }
    let mut targets = Vec::new();
    for (id, r) in e.of_types(&[
        "aws_lb_target_group_attachment",
        "aws_alb_target_group_attachment",
    ]) {
        let Some(group) = resolve_one(e, res_attr(r, "target_group_arn"), TG_TYPES) else {
            continue;
        };
        let target = match res_attr(r, "target_id") {
            Some(n) => match e.resolve(
                n,
                &[
                    "aws_instance",
                    "aws_lambda_function",
                    "aws_lb",
                    "aws_network_interface",
                ],
                &["id", "arn"],
            ) {
                Resolved::Resource(x) => TargetRef::Resource(x),
                Resolved::External(s) => match s.parse::<IpAddr>() {
                    Ok(ip) => TargetRef::Ip(ip),
                    Err(_) => TargetRef::External(s),
                },
                Resolved::Unknown(u) => TargetRef::Unknown(u),
                Resolved::Absent => continue,
            },
            None => continue,
        };
        let mut unknown = Vec::new();
        targets.push(Target {
            group,
            target,
            port: netread::port(res_attr(r, "port"), &mut unknown),
            declared_by: id,
            loc: r.loc.clone(),
        });
    }
    for (id, r) in e.of_types(&["aws_autoscaling_group"]) {
        for g in resolve_many(e, res_attr(r, "target_group_arns"), TG_TYPES) {
            targets.push(Target {
                group: g,
                target: TargetRef::Resource(id),
                port: None,
                declared_by: id,
                loc: r.loc_of("target_group_arns").clone(),
            });
        }
    }
    for (id, r) in e.of_types(&["aws_autoscaling_attachment"]) {
        let Some(Ref::Res(asg)) = resolve_one(
            e,
            res_attr(r, "autoscaling_group_name"),
            &["aws_autoscaling_group"],
        ) else {
            continue;
        };
        if let Some(g) = resolve_one(e, res_attr(r, "lb_target_group_arn"), TG_TYPES) {
            targets.push(Target {
                group: g,
                target: TargetRef::Resource(asg),
                port: None,
                declared_by: id,
                loc: r.loc.clone(),
            });
        }
    }
    (lbs, listeners, tgs, targets)
}

fn forward_targets(e: &Estate, action: &Node, out: &mut Vec<(Ref, Loc)>, r: &Resource) {
    let loc = action.loc.clone().unwrap_or_else(|| r.loc.clone());
    if let Some(t) = resolve_one(e, attr(action, "target_group_arn"), TG_TYPES) {
        out.push((t, loc.clone()));
    }
    for f in action.blocks("forward") {
        for tg in f.blocks("target_group") {
            if let Some(t) = resolve_one(e, attr(tg, "arn"), TG_TYPES) {
                out.push((t, loc.clone()));
            }
        }
    }
}

/// How the configuration holds a VPC or subnet: a data source looks it up, `default_type`
/// adopts the AWS default one.
fn declared(r: &Resource, default_type: &str) -> Declared {
    if r.mode == Mode::Data {
        Declared::LookedUp
    } else if r.rtype == default_type {
        Declared::AdoptedDefault
    } else {
        Declared::Created
    }
}

/// Build the network state of a Terraform estate.
pub fn build(e: &Estate) -> Network {
    let mut vpc_index: u32 = 0;
    let vpcs: Vec<Vpc> = e
        .of_types(VPC_TYPES)
        .map(|(id, r)| {
            let mut unknown = Vec::new();
            let mut cidrs = Vec::new();
            if r.rtype == "aws_default_vpc" && res_attr(r, "cidr_block").is_none() {
                cidrs.push(IpNet::V4(
                    Ipv4Net::new(std::net::Ipv4Addr::new(172, 31, 0, 0), 16).unwrap_or_default(),
                ));
            }
            if let Some(c) = cidr_v4(res_attr(r, "cidr_block"), &mut unknown) {
                cidrs.push(IpNet::V4(c));
            }
            if let Some(c) = cidr_v6(res_attr(r, "ipv6_cidr_block")) {
                cidrs.push(IpNet::V6(c));
            } else if res_any(
                r,
                &["assign_generated_ipv6_cidr_block", "ipv6_ipam_pool_id"],
            )
            .is_some_and(|n| n.as_bool() != Some(false))
                || res_attr(r, "ipv6_cidr_block").is_some()
            {
                // AWS picks the /56 at apply time. A stand-in block from a reserved
                // range keeps the VPC's IPv6 space apart from the internet.
                cidrs.push(IpNet::V6(vpc_ipv6_stand_in_block(vpc_index)));
            }
            vpc_index += 1;
            for (_, a) in e.of_type("aws_vpc_ipv4_cidr_block_association") {
                if resolve_one(e, res_attr(a, "vpc_id"), VPC_TYPES) == Some(Ref::Res(id)) {
                    if let Some(c) = cidr_v4(res_attr(a, "cidr_block"), &mut unknown) {
                        cidrs.push(IpNet::V4(c));
                    }
                }
            }
            Vpc {
                id,
                address: r.address.clone(),
                declared: declared(r, "aws_default_vpc"),
                cidrs,
                unknown,
                loc: r.loc.clone(),
            }
        })
        .collect();
    let mut subnet_index: u32 = 0;
    let subnets: Vec<Subnet> = e
        .of_types(SUBNET_TYPES)
        .map(|(id, r)| {
            let mut unknown = Vec::new();
            let cidr = cidr_v4(res_attr(r, "cidr_block"), &mut unknown);
            Subnet {
                id,
                address: r.address.clone(),
                name: r.display_name().to_string(),
                vpc: resolve_one(e, res_attr(r, "vpc_id"), VPC_TYPES),
                cidr,
                ipv6_cidr: cidr_v6(res_attr(r, "ipv6_cidr_block")).or_else(|| {
                    // Assigned by AWS inside the VPC's block: a stand-in /64 of the
                    // VPC's (stand-in) block, one per subnet.
                    res_attr(r, "ipv6_cidr_block")?;
                    let vpc = resolve_one(e, res_attr(r, "vpc_id"), VPC_TYPES)?;
                    let v = vpcs.iter().find(|v| Some(v.id) == vpc.res())?;
                    let base = v.cidrs.iter().find_map(|c| match c {
                        IpNet::V6(x) => Some(*x),
                        IpNet::V4(_) => None,
                    })?;
                    subnet_index += 1;
                    Some(subnet_ipv6_stand_in(base, subnet_index))
                }),
                az: res_attr(r, "availability_zone").and_then(|n| n.as_str().map(str::to_string)),
                map_public_ip: bool_tri(
                    res_attr(r, "map_public_ip_on_launch"),
                    r.rtype == "aws_default_subnet",
                ),
                declared: declared(r, "aws_default_subnet"),
                map_public_ip_on_launch: super::setting::bool_attr(
                    r,
                    id,
                    "map_public_ip_on_launch",
                    "map_public_ip_on_launch",
                    r.rtype == "aws_default_subnet",
                ),
                unknown,
                loc: r.loc.clone(),
            }
        })
        .collect();
    let gw = |types: &[&str]| -> Vec<Gateway> {
        e.of_types(types)
            .map(|(id, r)| Gateway {
                id,
                address: r.address.clone(),
                vpc: resolve_one(e, res_attr(r, "vpc_id"), VPC_TYPES),
                loc: r.loc.clone(),
            })
            .collect()
    };
    let mut igws = gw(&["aws_internet_gateway"]);
    for (_, r) in e.of_types(&["aws_internet_gateway_attachment"]) {
        if let Some(Ref::Res(g)) = resolve_one(
            e,
            res_attr(r, "internet_gateway_id"),
            &["aws_internet_gateway"],
        ) {
            let vpc = resolve_one(e, res_attr(r, "vpc_id"), VPC_TYPES);
            if let Some(x) = igws.iter_mut().find(|x| x.id == g) {
                x.vpc = vpc;
            }
        }
    }
    let egress_only_igws = gw(&["aws_egress_only_internet_gateway"]);
    let nat_gateways = e
        .of_types(&["aws_nat_gateway"])
        .map(|(id, r)| NatGateway {
            id,
            address: r.address.clone(),
            subnet: subnet_of(e, res_attr(r, "subnet_id")),
            public: res_attr(r, "connectivity_type").and_then(Node::as_str) != Some("private"),
            loc: r.loc.clone(),
        })
        .collect();
    let peerings = e
        .of_types(&["aws_vpc_peering_connection"])
        .map(|(id, r)| Peering {
            id,
            address: r.address.clone(),
            vpc: resolve_one(e, res_attr(r, "vpc_id"), VPC_TYPES),
            peer_vpc: resolve_one(e, res_attr(r, "peer_vpc_id"), VPC_TYPES),
            loc: r.loc.clone(),
        })
        .collect();
    let (load_balancers, listeners, target_groups, targets) = build_lbs(e);
    let enis = build_enis(e, &subnets, &load_balancers);
    let mut n = Network {
        placements: placements(e),
        vpcs,
        subnets,
        security_groups: build_security_groups(e),
        route_tables: build_route_tables(e),
        igws,
        egress_only_igws,
        nat_gateways,
        peerings,
        nacls: build_nacls(e),
        enis,
        load_balancers,
        listeners,
        target_groups,
        targets,
    };
    n.enis.sort_by_key(|a| (a.owner, a.kind));
    n
}
