//! The network family of the typed state: security groups with normalised rules, VPCs,
//! subnets, route tables, gateways, NACLs, network interfaces (of instances, load balancers,
//! databases...), load balancers with listeners and target groups.
//!
//! Each frontend's adapter builds it (Terraform: `moat-terraform/src/adapt/network.rs`). Every
//! element keeps the [`ResourceId`] and the [`Loc`] it came from, so analyses can cite
//! file:line. Values that cannot be resolved offline stay unknown ([`Ref::Unknown`], `unknown`
//! lists on rules): they are never read as "closed" or "open".
//!
//! # Default egress of a security group
//! The adapters apply their frontend's semantics: a Terraform `aws_security_group` without
//! egress rules has no egress (the provider deletes AWS's default rule); a group created by
//! CloudFormation or the API keeps AWS's allow-all egress rule, which the adapter adds
//! (located at the group's declaration). Analyses read the rules as they are here.
//!
//! # ICMP
//! ICMP rules are normalised to the whole protocol: the type/code pair is kept in `ports` only
//! as written, analyses treat an ICMP rule as matching every ICMP message.

use std::collections::BTreeSet;
use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::aws::Attr;
use crate::estate::{Resolved, ResourceId};
use crate::value::{Loc, Node, Tri, Unknown, Value};

/// A reference to another element of the network.
#[derive(Clone, Debug, PartialEq)]
pub enum Ref {
    /// A resource in the scanned estate.
    Res(ResourceId),
    /// A literal that names something outside the scanned files (`sg-0abc`, `vpc-123`).
    External(String),
    /// The value is not known offline.
    Unknown(Unknown),
}

impl Ref {
    pub fn res(&self) -> Option<ResourceId> {
        match self {
            Ref::Res(id) => Some(*id),
            _ => None,
        }
    }

    /// A resolved reference as a network reference (`None` when absent).
    pub fn from_resolved(r: Resolved) -> Option<Ref> {
        match r {
            Resolved::Resource(id) => Some(Ref::Res(id)),
            Resolved::External(s) => Some(Ref::External(s)),
            Resolved::Absent => None,
            Resolved::Unknown(u) => Some(Ref::Unknown(u)),
        }
    }
}

/// Traffic direction of a rule, seen from the ENI (SG) or the subnet (NACL).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    Ingress,
    Egress,
}

/// An IP protocol as rules name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    /// `-1` / `all`: every protocol, every port.
    All,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    /// Another IP protocol number.
    Number(u8),
}

impl Protocol {
    /// Parse a protocol as written in Terraform / CloudFormation / the API.
    pub fn parse(s: &str) -> Option<Protocol> {
        let s = s.trim().to_ascii_lowercase();
        Some(match s.as_str() {
            "-1" | "all" => Protocol::All,
            "tcp" | "6" => Protocol::Tcp,
            "udp" | "17" => Protocol::Udp,
            "icmp" | "1" => Protocol::Icmp,
            "icmpv6" | "58" => Protocol::Icmpv6,
            other => Protocol::Number(other.parse().ok()?),
        })
    }

    /// Whether ports mean anything for this protocol.
    pub fn has_ports(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp)
    }

    /// Whether a rule with this protocol matches traffic of protocol `p`.
    pub fn matches(self, p: Protocol) -> bool {
        self == Protocol::All || self == p
    }

    pub fn name(self) -> String {
        match self {
            Protocol::All => "all".into(),
            Protocol::Tcp => "tcp".into(),
            Protocol::Udp => "udp".into(),
            Protocol::Icmp => "icmp".into(),
            Protocol::Icmpv6 => "icmpv6".into(),
            Protocol::Number(n) => n.to_string(),
        }
    }
}

/// An inclusive port range. For protocols without ports it is always `0-65535`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortRange {
    pub from: u16,
    pub to: u16,
}

impl PortRange {
    pub const ALL: PortRange = PortRange { from: 0, to: 65535 };

    pub fn new(from: u16, to: u16) -> PortRange {
        PortRange { from, to }
    }

    pub fn contains(self, p: u16) -> bool {
        self.from <= p && p <= self.to
    }

    pub fn is_all(self) -> bool {
        self == PortRange::ALL
    }
}

impl std::fmt::Display for PortRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

/// One normalised security-group rule.
#[derive(Clone, Debug, PartialEq)]
pub struct SgRule {
    pub direction: Direction,
    /// `None` when the protocol is unknown (see `unknown`).
    pub protocol: Option<Protocol>,
    /// Ports for TCP/UDP; `0-65535` for `-1`. `None` when unknown.
    pub ports: Option<PortRange>,
    pub ipv4: Vec<Ipv4Net>,
    pub ipv6: Vec<Ipv6Net>,
    /// Referenced groups (source for ingress, destination for egress).
    pub groups: Vec<Ref>,
    /// `self = true`: the group itself is a peer.
    pub self_ref: bool,
    pub prefix_lists: Vec<Ref>,
    /// Prefix lists of this rule whose entries are not known (AWS-managed `pl-...` lists,
    /// lists outside the scanned files, unknown values), named. The entries of lists in the
    /// scanned files are added to `ipv4`/`ipv6`.
    pub prefix_list_unknown: Vec<String>,
    pub description: Option<String>,
    /// Values this rule depends on that are not known. A rule with unknowns must not be read
    /// as open or closed.
    pub unknown: Vec<Unknown>,
    /// Some of the rule's peers are not known (a CIDR, a prefix list's entries, a referenced
    /// group): the rule may admit addresses beyond `ipv4`/`ipv6`/`groups`. When false, the
    /// known peers are all of them, even if the ports or protocol are unknown.
    pub addresses_unknown: bool,
    /// Where the rule is written.
    pub loc: Loc,
    /// The resource that declares the rule (the group itself for inline rules, else the rule
    /// resource).
    pub declared_by: ResourceId,
    /// True for the allow-all egress rule AWS adds to groups created outside Terraform (see
    /// [`SecurityGroup`]).
    pub implicit: bool,
}

impl SgRule {
    /// True if the rule admits all of IPv4 or IPv6 (`0.0.0.0/0`, `::/0`).
    pub fn open_to_world(&self) -> bool {
        self.ipv4.iter().any(|n| n.prefix_len() == 0)
            || self.ipv6.iter().any(|n| n.prefix_len() == 0)
    }

    /// True if the rule admits port `port` of protocol `p` (ignoring peers). `None` when the
    /// protocol or ports are unknown.
    pub fn covers_port(&self, p: Protocol, port: u16) -> Option<bool> {
        let proto = self.protocol?;
        if !proto.matches(p) {
            return Some(false);
        }
        if proto == Protocol::All || !p.has_ports() {
            return Some(true);
        }
        Some(self.ports?.contains(port))
    }
}

/// A security group with all its rules, wherever they are declared.
///
/// # Default egress (guidance for adapters)
/// AWS gives a group created without egress rules an allow-all egress rule; whether the
/// configuration keeps it depends on the frontend, and `rules` must hold what is in effect:
/// - Terraform (`aws_security_group`, `aws_default_security_group`): the provider deletes that
///   rule, so a group with no `egress` block and no separate egress rule resource has no
///   egress. The Terraform adapter adds nothing.
/// - CloudFormation (`AWS::EC2::SecurityGroup`) and the EC2 API: the rule stays unless the
///   group is given egress rules ("if you do not add egress rules, we add egress rules that
///   allow all outbound IPv4 and IPv6 traffic":
///   <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ec2-securitygroup.html>).
///   Their adapter adds it to a group left with no egress rule (inline or from a separate
///   egress resource such as `AWS::EC2::SecurityGroupEgress`) as an [`SgRule`] with
///   `implicit: true`, direction egress, protocol [`Protocol::All`], ports
///   [`PortRange::ALL`], `ipv4` `0.0.0.0/0`, no unknowns, located at the group's declaration
///   (`loc` = the group's `loc`, `declared_by` = the group). The adapter that preceded the
///   Terraform-only one added only the IPv4 rule; the documentation quoted above also adds
///   the IPv6 one (`::/0`).
#[derive(Clone, Debug, PartialEq)]
pub struct SecurityGroup {
    pub id: ResourceId,
    pub address: String,
    pub rtype: String,
    pub name: Option<String>,
    /// The group's VPC; for a VPC's default group ([`SecurityGroup::default`]) with no VPC
    /// named, the region's default VPC (`None`).
    pub vpc: Option<Ref>,
    /// The default security group of its VPC, which AWS creates with the VPC and the
    /// configuration adopts (Terraform: `aws_default_security_group`): its rules replace the
    /// ones AWS creates.
    pub default: bool,
    pub rules: Vec<SgRule>,
    pub loc: Loc,
}

impl SecurityGroup {
    pub fn ingress(&self) -> impl Iterator<Item = &SgRule> {
        self.rules
            .iter()
            .filter(|r| r.direction == Direction::Ingress)
    }

    pub fn egress(&self) -> impl Iterator<Item = &SgRule> {
        self.rules
            .iter()
            .filter(|r| r.direction == Direction::Egress)
    }
}

/// How the configuration holds a VPC or a subnet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Declared {
    /// Created and managed by the configuration.
    Created,
    /// An object AWS creates by itself (the region's default VPC, an availability zone's
    /// default subnet) that the configuration adopts and manages.
    AdoptedDefault,
    /// An existing object the configuration only looks up (a Terraform data source): it is
    /// part of the network, but its settings are not the configuration's to check.
    LookedUp,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Vpc {
    pub id: ResourceId,
    pub address: String,
    pub declared: Declared,
    pub cidrs: Vec<IpNet>,
    pub unknown: Vec<Unknown>,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Subnet {
    pub id: ResourceId,
    pub address: String,
    pub name: String,
    pub vpc: Option<Ref>,
    pub cidr: Option<Ipv4Net>,
    pub ipv6_cidr: Option<Ipv6Net>,
    pub az: Option<String>,
    pub map_public_ip: Tri,
    pub declared: Declared,
    /// Whether instances launched in the subnet get a public IPv4 address by default (AWS
    /// default: `false`, `true` for a default subnet).
    pub map_public_ip_on_launch: Attr<bool>,
    pub unknown: Vec<Unknown>,
    pub loc: Loc,
}

/// Where a route sends traffic.
#[derive(Clone, Debug, PartialEq)]
pub enum RouteTarget {
    Local,
    Igw(Ref),
    EgressOnlyIgw(Ref),
    Nat(Ref),
    Peering(Ref),
    Endpoint(Ref),
    TransitGateway(Ref),
    VpnGateway(Ref),
    Eni(Ref),
    /// Something else (carrier gateway, local gateway...).
    Other(String),
    Unknown(Unknown),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// `None` when the destination is unknown or a prefix list.
    pub dest: Option<IpNet>,
    pub dest_unknown: Option<Unknown>,
    pub target: RouteTarget,
    pub declared_by: ResourceId,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RouteTable {
    pub id: ResourceId,
    pub address: String,
    pub vpc: Option<Ref>,
    pub routes: Vec<Route>,
    /// Subnets explicitly associated, with the association's location.
    pub subnets: Vec<(Ref, Loc)>,
    /// The VPC's main table (`aws_default_route_table` or `aws_main_route_table_association`).
    pub main: bool,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Gateway {
    pub id: ResourceId,
    pub address: String,
    pub vpc: Option<Ref>,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NatGateway {
    pub id: ResourceId,
    pub address: String,
    pub subnet: Option<Ref>,
    /// `connectivity_type = "private"` gateways have no public address.
    pub public: bool,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Peering {
    pub id: ResourceId,
    pub address: String,
    pub vpc: Option<Ref>,
    pub peer_vpc: Option<Ref>,
    pub loc: Loc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Allow,
    Deny,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NaclRule {
    pub number: i64,
    pub action: Action,
    pub protocol: Option<Protocol>,
    pub ports: Option<PortRange>,
    pub cidr: Option<IpNet>,
    pub unknown: Vec<Unknown>,
    pub declared_by: ResourceId,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Nacl {
    pub id: ResourceId,
    pub address: String,
    pub vpc: Option<Ref>,
    pub subnets: Vec<(Ref, Loc)>,
    pub default: bool,
    /// Sorted by rule number.
    pub ingress: Vec<NaclRule>,
    pub egress: Vec<NaclRule>,
    pub loc: Loc,
}

/// What owns a network interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EniKind {
    Instance,
    /// A member of an autoscaling group (one interface per subnet of the group).
    AsgMember,
    LoadBalancer,
    Database,
    Cache,
    Lambda,
    EksNode,
    Endpoint,
    Interface,
    NatGateway,
}

/// A network interface: the unit that security groups apply to.
#[derive(Clone, Debug, PartialEq)]
pub struct Eni {
    /// The resource that owns it (instance, LB, DB...).
    pub owner: ResourceId,
    pub address: String,
    pub kind: EniKind,
    pub subnet: Option<Ref>,
    pub groups: Vec<Ref>,
    pub private_ip: Option<IpAddr>,
    /// IPv6 addresses: a `/128` for each literal address, the subnet's IPv6 CIDR when AWS
    /// picks the address (`ipv6_address_count`, `assign_ipv6_address_on_creation`,
    /// dual-stack load balancers and databases). IPv6 addresses are global: no public IPv4
    /// address is needed for IPv6 traffic through an internet gateway.
    pub ipv6: Vec<Ipv6Net>,
    /// Has a public IPv4 address (auto-assigned or EIP). Unknown stays unknown.
    pub public_ip: Tri,
    /// Where the public address comes from (EIP resource), for citations.
    pub public_ip_loc: Option<Loc>,
    pub unknown: Vec<Unknown>,
    pub loc: Loc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LbKind {
    Application,
    Network,
    Gateway,
    /// Classic ELB.
    Classic,
}

impl LbKind {
    /// The kind of an Elastic Load Balancing v2 load balancer from its type as AWS spells it
    /// (`application`, `network`, `gateway`: CloudFormation `Type`, Terraform
    /// `load_balancer_type`); `None` for any other text.
    /// <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html>
    pub fn from_type_name(s: &str) -> Option<LbKind> {
        match s {
            "application" => Some(LbKind::Application),
            "network" => Some(LbKind::Network),
            "gateway" => Some(LbKind::Gateway),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct LoadBalancer {
    pub id: ResourceId,
    pub address: String,
    pub kind: LbKind,
    pub internal: Tri,
    pub subnets: Vec<Ref>,
    pub groups: Vec<Ref>,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Listener {
    pub id: ResourceId,
    pub address: String,
    pub lb: Option<Ref>,
    pub port: Option<u16>,
    pub protocol: Option<String>,
    /// Target groups that the default action and every listener rule forward to.
    pub target_groups: Vec<(Ref, Loc)>,
    pub unknown: Vec<Unknown>,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq)]
pub enum HealthPort {
    TrafficPort,
    Port(u16),
    Unknown(Unknown),
}

impl HealthPort {
    /// A target group's health check port as written (CloudFormation `HealthCheckPort`,
    /// Terraform `health_check.port`): absent or `traffic-port` is the traffic port, a number
    /// is that port; an unresolved value, or one that is not a port, is unknown.
    /// <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html>
    pub fn from_node(n: Option<&Node>) -> HealthPort {
        let Some(n) = n else {
            return HealthPort::TrafficPort;
        };
        match (&n.value, n.as_str()) {
            (Value::Unknown(u), _) => HealthPort::Unknown(u.clone()),
            (_, Some("traffic-port")) => HealthPort::TrafficPort,
            _ => match n.as_i64().and_then(|p| u16::try_from(p).ok()) {
                Some(p) => HealthPort::Port(p),
                None => HealthPort::Unknown(Unknown::derived(format!(
                    "health check port `{}` is not a port",
                    n.value
                ))),
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TargetGroup {
    pub id: ResourceId,
    pub address: String,
    pub port: Option<u16>,
    pub protocol: Option<String>,
    /// `instance`, `ip`, `lambda`, `alb`.
    pub target_type: String,
    pub health_port: HealthPort,
    pub health_loc: Loc,
    /// `preserve_client_ip` if set.
    pub preserve_client_ip: Tri,
    pub vpc: Option<Ref>,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TargetRef {
    /// An instance, ASG, Lambda... in the estate: its ENIs are the targets.
    Resource(ResourceId),
    Ip(IpAddr),
    External(String),
    Unknown(Unknown),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub group: Ref,
    pub target: TargetRef,
    /// Overrides the group's port.
    pub port: Option<u16>,
    pub declared_by: ResourceId,
    pub loc: Loc,
}

/// The whole network of an estate.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Network {
    pub vpcs: Vec<Vpc>,
    pub subnets: Vec<Subnet>,
    pub security_groups: Vec<SecurityGroup>,
    pub route_tables: Vec<RouteTable>,
    pub igws: Vec<Gateway>,
    pub egress_only_igws: Vec<Gateway>,
    pub nat_gateways: Vec<NatGateway>,
    pub peerings: Vec<Peering>,
    pub nacls: Vec<Nacl>,
    pub enis: Vec<Eni>,
    pub load_balancers: Vec<LoadBalancer>,
    pub listeners: Vec<Listener>,
    pub target_groups: Vec<TargetGroup>,
    pub targets: Vec<Target>,
    /// Where a database or cache picks its subnets (its subnet-group setting), by owner: the
    /// line to change to move it to private subnets.
    pub placements: std::collections::BTreeMap<ResourceId, Loc>,
}

impl Network {
    pub fn security_group(&self, id: ResourceId) -> Option<&SecurityGroup> {
        self.security_groups.iter().find(|g| g.id == id)
    }

    pub fn subnet(&self, id: ResourceId) -> Option<&Subnet> {
        self.subnets.iter().find(|s| s.id == id)
    }

    pub fn vpc(&self, id: ResourceId) -> Option<&Vpc> {
        self.vpcs.iter().find(|s| s.id == id)
    }

    /// The ENIs whose groups include `sg`.
    pub fn members(&self, sg: ResourceId) -> impl Iterator<Item = &Eni> {
        self.enis
            .iter()
            .filter(move |e| e.groups.contains(&Ref::Res(sg)))
    }

    /// The ENIs owned by a resource.
    pub fn enis_of(&self, owner: ResourceId) -> impl Iterator<Item = &Eni> {
        self.enis.iter().filter(move |e| e.owner == owner)
    }

    /// The ENIs that receive a load balancer's traffic for a target registered by resource
    /// (an instance ID): its primary interfaces, not the secondary interfaces attached to it
    /// ("the load balancer routes requests to the primary private IP address of the primary
    /// network interface", [Target groups](https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html)).
    pub fn target_enis_of(&self, owner: ResourceId) -> Vec<&Eni> {
        let all: Vec<&Eni> = self.enis_of(owner).collect();
        if all.iter().any(|e| e.kind != EniKind::Interface) {
            all.into_iter()
                .filter(|e| e.kind != EniKind::Interface)
                .collect()
        } else {
            all
        }
    }

    /// The route table of a subnet: its explicit association, else the VPC's main table.
    /// `None` when there is neither (the VPC's implicit main table has only local routes).
    pub fn route_table_of(&self, subnet: ResourceId) -> Option<&RouteTable> {
        let s = Ref::Res(subnet);
        if let Some(t) = self
            .route_tables
            .iter()
            .find(|t| t.subnets.iter().any(|(x, _)| *x == s))
        {
            return Some(t);
        }
        let vpc = self.subnet(subnet)?.vpc.clone()?;
        self.route_tables
            .iter()
            .find(|t| t.main && t.vpc.as_ref() == Some(&vpc))
    }

    /// The NACL of a subnet: explicit, else the VPC's default NACL if declared. `None` means
    /// the AWS default NACL, which allows all traffic.
    pub fn nacl_of(&self, subnet: ResourceId) -> Option<&Nacl> {
        let s = Ref::Res(subnet);
        if let Some(n) = self
            .nacls
            .iter()
            .find(|n| n.subnets.iter().any(|(x, _)| *x == s))
        {
            return Some(n);
        }
        let vpc = self.subnet(subnet)?.vpc.clone()?;
        self.nacls
            .iter()
            .find(|n| n.default && n.vpc.as_ref() == Some(&vpc))
    }

    /// The declared default security groups ([`SecurityGroup::default`]) of a VPC.
    pub fn default_groups_of(&self, vpc: ResourceId) -> impl Iterator<Item = &SecurityGroup> {
        self.security_groups
            .iter()
            .filter(move |g| g.default && g.vpc == Some(Ref::Res(vpc)))
    }

    /// The VPCs that the configuration creates ([`Declared::Created`]) and whose default
    /// security group no declared default group adopts, so it keeps the rules AWS gives it.
    /// When the VPC of some declared default group is unknown, that group (the first one) is
    /// returned too: any of these VPCs may be the one it adopts.
    pub fn vpcs_without_default_group(&self) -> (Vec<&Vpc>, Option<(&SecurityGroup, &Unknown)>) {
        let unknown = self
            .security_groups
            .iter()
            .filter(|g| g.default)
            .find_map(|g| match &g.vpc {
                Some(Ref::Unknown(u)) => Some((g, u)),
                _ => None,
            });
        let vpcs = self
            .vpcs
            .iter()
            .filter(|v| v.declared == Declared::Created)
            .filter(|v| self.default_groups_of(v.id).next().is_none())
            .collect();
        (vpcs, unknown)
    }

    /// Names of every security group referenced by an ENI that is not in the estate.
    pub fn external_groups(&self) -> BTreeSet<String> {
        self.enis
            .iter()
            .flat_map(|e| e.groups.iter())
            .filter_map(|g| match g {
                Ref::External(s) => Some(s.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Parse a CIDR block or a single address (`10.0.0.0/16`, `10.0.0.5`), truncated to its network.
pub fn parse_net(s: &str) -> Option<IpNet> {
    let s = s.trim();
    if let Ok(n) = s.parse::<IpNet>() {
        return Some(n.trunc());
    }
    s.parse::<IpAddr>().ok().map(IpNet::from)
}

/// Where the stand-ins for AWS-assigned IPv6 blocks live: `100:db8::/32`, inside `0100::/8`,
/// which IANA reserves (never routed, never a real client), so it cannot collide with an
/// address a user types (the documentation range `2001:db8::/32` is typed often). A query
/// whose address overlaps it is answered `unknown`.
pub const VPC_IPV6_STAND_IN: &str = "100:db8::/32";

/// [`VPC_IPV6_STAND_IN`] as a network.
pub fn vpc_ipv6_stand_in() -> Ipv6Net {
    Ipv6Net::new(std::net::Ipv6Addr::from(0x0100_0db8_u128 << 96), 32).unwrap_or_default()
}
