//! Frontend-neutral readers of network values, shared by every frontend's network adapter: a
//! rule's protocol, ports and CIDR blocks as written (`-1`, `"tcp"`, `"6"`, `"443"`), the
//! first unknown inside a value, and the stand-in IPv6 blocks for the ones AWS assigns at
//! apply time. Each reader records what it cannot know in an `unknown` list instead of
//! guessing.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::aws::network::{
    parse_net, Direction, PortRange, Protocol, Ref, Route, RouteTable, RouteTarget, SgRule,
};
use crate::estate::ResourceId;
use crate::value::{format_number, Loc, Node, Unknown, Value};

/// The first unknown value inside `n` (itself included), depth first.
pub fn unknown_in(n: &Node) -> Option<Unknown> {
    let mut found = None;
    n.walk(&mut |x| {
        if found.is_none() {
            if let Value::Unknown(u) = &x.value {
                found = Some(u.clone());
            }
        }
    });
    found
}

/// A port (a number, or a string holding one). An unknown value is recorded in `unknown`.
pub fn port(n: Option<&Node>, unknown: &mut Vec<Unknown>) -> Option<u16> {
    let n = n?;
    if let Some(u) = unknown_in(n) {
        unknown.push(u);
        return None;
    }
    n.as_i64().and_then(|p| u16::try_from(p).ok())
}

/// A network ACL entry's rule number (CloudFormation `RuleNumber`, Terraform `rule_no`).
/// Absent, unknown or not a number: `i64::MAX` (evaluated last), with the reason in `unknown`.
pub fn nacl_rule_number(n: Option<&Node>, unknown: &mut Vec<Unknown>) -> i64 {
    let Some(n) = n else {
        unknown.push(Unknown::derived("the rule number is not set"));
        return i64::MAX;
    };
    n.as_i64().unwrap_or_else(|| {
        unknown.push(
            unknown_in(n).unwrap_or_else(|| Unknown::derived("the rule number is not a number")),
        );
        i64::MAX
    })
}

/// A rule's protocol (`-1`, `tcp`, `6`...). Absent, unknown or not understood: `None`, with
/// the reason in `unknown`.
pub fn protocol(n: Option<&Node>, unknown: &mut Vec<Unknown>) -> Option<Protocol> {
    let Some(n) = n else {
        unknown.push(Unknown::derived("the rule's protocol is not set"));
        return None;
    };
    if let Some(u) = unknown_in(n) {
        unknown.push(u);
        return None;
    }
    let s = match &n.value {
        Value::Number(x) => format_number(*x),
        Value::String(s) => s.clone(),
        _ => String::new(),
    };
    let p = Protocol::parse(&s);
    if p.is_none() {
        unknown.push(Unknown::derived(format!(
            "protocol `{s}` is not understood"
        )));
    }
    p
}

/// A rule's port range from its `from` and `to` ports: every port for a protocol without
/// ports; for TCP/UDP, `-1` means every port (as the AWS API reads it), an inverted or missing
/// range is unknown.
pub fn port_range(
    proto: Option<Protocol>,
    from: Option<&Node>,
    to: Option<&Node>,
    unknown: &mut Vec<Unknown>,
) -> Option<PortRange> {
    match proto {
        Some(p) if p.has_ports() => {
            let f = port(from, unknown);
            let t = port(to, unknown).or(f);
            match (f, t) {
                (Some(f), Some(t)) if f <= t => Some(PortRange::new(f, t)),
                // -1 or out-of-range ports on tcp/udp mean all ports in the AWS API.
                _ if from.and_then(Node::as_i64) == Some(-1) => Some(PortRange::ALL),
                (Some(_), Some(_)) => {
                    unknown.push(Unknown::derived("the rule's port range is inverted"));
                    None
                }
                _ => {
                    if unknown.is_empty() {
                        unknown.push(Unknown::derived("the rule's ports are not set"));
                    }
                    None
                }
            }
        }
        Some(_) => Some(PortRange::ALL),
        None => None,
    }
}

/// Add the CIDR blocks of `n` (one string or a list) to `v4`/`v6`. Unknown items and items
/// that are not CIDR blocks are recorded in `unknown`.
pub fn cidrs_into(
    n: Option<&Node>,
    v4: &mut Vec<Ipv4Net>,
    v6: &mut Vec<Ipv6Net>,
    unknown: &mut Vec<Unknown>,
) {
    let Some(n) = n else { return };
    let items: Vec<&Node> = match &n.value {
        Value::List(l) => l.iter().collect(),
        Value::Null => Vec::new(),
        _ => vec![n],
    };
    for item in items {
        if let Some(u) = unknown_in(item) {
            unknown.push(u);
            continue;
        }
        let Some(s) = item.as_str() else { continue };
        match parse_net(s) {
            Some(IpNet::V4(x)) => v4.push(x),
            Some(IpNet::V6(x)) => v6.push(x),
            None => unknown.push(Unknown::derived(format!("`{s}` is not a CIDR block"))),
        }
    }
}

/// Add the entries of a rule's prefix lists to `v4`/`v6`; `entries` gives the entries of a
/// list in the estate (`Err` names what is not known). Returns the lists whose entries are not
/// known ([`SgRule::prefix_list_unknown`]).
pub fn prefix_list_peers(
    lists: &[Ref],
    entries: impl Fn(ResourceId) -> Result<Vec<IpNet>, String>,
    v4: &mut Vec<Ipv4Net>,
    v6: &mut Vec<Ipv6Net>,
) -> Vec<String> {
    let mut out = Vec::new();
    for pl in lists {
        match pl {
            Ref::Res(id) => match entries(*id) {
                Ok(v) => {
                    for n in v {
                        match n {
                            IpNet::V4(x) => v4.push(x),
                            IpNet::V6(x) => v6.push(x),
                        }
                    }
                }
                Err(why) => out.push(why),
            },
            Ref::External(s) => out.push(format!(
                "the entries of prefix list `{s}` (AWS-managed or not in the scanned files) are not known"
            )),
            Ref::Unknown(u) => out.push(format!("a prefix list: {u}")),
        }
    }
    out
}

/// A rule's description: the text, or for a value only known at apply time its placeholder
/// text (a description is written either way).
pub fn description_text(n: &Node) -> Option<String> {
    match &n.value {
        Value::String(s) => Some(s.clone()),
        Value::Unknown(u) => Some(u.placeholder()),
        _ => None,
    }
}

/// An IPv4 CIDR block. Unknown: `None`, recorded in `unknown`; not an IPv4 block: `None`.
pub fn cidr_v4(n: Option<&Node>, unknown: &mut Vec<Unknown>) -> Option<Ipv4Net> {
    let n = n?;
    if let Some(u) = unknown_in(n) {
        unknown.push(u);
        return None;
    }
    match n.as_str().and_then(parse_net) {
        Some(IpNet::V4(x)) => Some(x),
        _ => None,
    }
}

/// An IPv6 CIDR block, `None` when unknown or not one. An IPv6 block assigned by AWS is
/// unknown offline; that does not make the owner unknown for IPv4 analyses, so nothing is
/// recorded.
pub fn cidr_v6(n: Option<&Node>) -> Option<Ipv6Net> {
    let n = n?;
    if unknown_in(n).is_some() {
        return None;
    }
    match n.as_str().and_then(parse_net) {
        Some(IpNet::V6(x)) => Some(x),
        _ => None,
    }
}

/// A stand-in for an IPv6 block that AWS assigns to a VPC at apply time:
/// [`crate::aws::network::VPC_IPV6_STAND_IN`] + a 24-bit VPC index = a /56.
pub fn vpc_ipv6_stand_in_block(vpc_index: u32) -> Ipv6Net {
    let base: u128 = (0x0100_0db8_u128 << 96) | (u128::from(vpc_index & 0xff_ffff) << 72);
    Ipv6Net::new(std::net::Ipv6Addr::from(base), 56).unwrap_or_default()
}

/// The `k`-th /64 of a block (wrapping inside it): the stand-in for a subnet's IPv6 block that
/// AWS assigns inside its VPC's.
pub fn subnet_ipv6_stand_in(block: Ipv6Net, k: u32) -> Ipv6Net {
    let plen = block.prefix_len().min(64);
    let bits = 64 - u32::from(plen);
    let idx = if bits >= 32 {
        u128::from(k)
    } else {
        u128::from(k) & ((1u128 << bits) - 1)
    };
    let base = u128::from(block.network()) | (idx << 64);
    Ipv6Net::new(std::net::Ipv6Addr::from(base), 64).unwrap_or_default()
}

/// A route target whose gateway (internet, VPN, egress-only, NAT) or peering connection is not
/// known offline is an unknown target: where the route sends traffic is not known.
pub fn settle_route_target(t: RouteTarget) -> RouteTarget {
    match t {
        RouteTarget::Igw(Ref::Unknown(u))
        | RouteTarget::VpnGateway(Ref::Unknown(u))
        | RouteTarget::EgressOnlyIgw(Ref::Unknown(u))
        | RouteTarget::Nat(Ref::Unknown(u))
        | RouteTarget::Peering(Ref::Unknown(u)) => RouteTarget::Unknown(u),
        t => t,
    }
}

/// The stand-in route table of a subnet whose association names a table that is not known
/// offline (an unknown reference, or a table outside the scanned files). Reading the subnet as
/// using its VPC's main table would guess; instead it gets a table of its own, declared by the
/// association, whose routes send everything beyond the VPC's local routes (which the engine
/// adds from the VPC) to an unknown target: reachability through it is unknown, never a
/// verdict.
pub fn unknown_route_table(
    association: ResourceId,
    address: &str,
    vpc: Option<Ref>,
    subnet: Ref,
    why: Unknown,
    loc: Loc,
) -> RouteTable {
    let route = |dest: IpNet| Route {
        dest: Some(dest),
        dest_unknown: None,
        target: RouteTarget::Unknown(why.clone()),
        declared_by: association,
        loc: loc.clone(),
    };
    RouteTable {
        id: association,
        address: address.to_string(),
        vpc,
        routes: vec![
            route(IpNet::V4(Ipv4Net::default())),
            route(IpNet::V6(Ipv6Net::default())),
        ],
        subnets: vec![(subnet, loc.clone())],
        main: false,
        loc,
    }
}

/// A rule whose whole content is unknown (the rule list is a value not known offline).
pub fn unknown_sg_rule(
    direction: Direction,
    u: Unknown,
    loc: Loc,
    declared_by: ResourceId,
) -> SgRule {
    SgRule {
        direction,
        protocol: None,
        ports: None,
        ipv4: Vec::new(),
        ipv6: Vec::new(),
        groups: Vec::new(),
        self_ref: false,
        prefix_lists: Vec::new(),
        prefix_list_unknown: Vec::new(),
        description: None,
        unknown: vec![u],
        addresses_unknown: true,
        loc,
        declared_by,
        implicit: false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn s(x: &str) -> Node {
        Node::from(Value::String(x.into()))
    }

    #[test]
    fn protocols_and_ports_as_written_in_any_frontend() {
        let mut u = Vec::new();
        assert_eq!(protocol(Some(&s("6")), &mut u), Some(Protocol::Tcp));
        assert_eq!(protocol(Some(&s("-1")), &mut u), Some(Protocol::All));
        assert_eq!(
            port_range(
                Some(Protocol::Tcp),
                Some(&s("443")),
                Some(&s("443")),
                &mut u
            ),
            Some(PortRange::new(443, 443))
        );
        assert_eq!(
            port_range(Some(Protocol::Tcp), Some(&s("-1")), Some(&s("-1")), &mut u),
            Some(PortRange::ALL)
        );
        assert!(u.is_empty());
        assert_eq!(
            port_range(Some(Protocol::Tcp), Some(&s("90")), Some(&s("80")), &mut u),
            None
        );
        assert_eq!(u.len(), 1);
        assert_eq!(protocol(None, &mut u), None);
        assert_eq!(u.len(), 2);
    }

    #[test]
    fn stand_in_blocks_live_in_the_reserved_range() {
        let v = vpc_ipv6_stand_in_block(1);
        assert_eq!(v.to_string(), "100:db8:0:100::/56");
        assert_eq!(subnet_ipv6_stand_in(v, 2).to_string(), "100:db8:0:102::/64");
    }
}
