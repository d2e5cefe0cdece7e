//! The set-based reachability engine.
//!
//! A query asks which ports of a protocol travel from a source (the internet, a CIDR, a
//! resource with network interfaces, a security group, a subnet) to a destination. Ports are
//! [`PortSet`]s and addresses are cut into classes by every CIDR that matters (rules, routes),
//! so the engine never enumerates ports or addresses: within one class every address behaves
//! the same, and each class is evaluated once with port intervals.
//!
//! Semantics (AWS documentation):
//! * security groups: allow-only, the union of the ENI's groups, stateful; egress at the
//!   source ENI, ingress at the destination ENI; a group reference matches only the private
//!   addresses of member ENIs;
//! * NACLs: ordered, first match wins, final deny, stateless: the reply must pass the other
//!   direction on the client's source port (1024-65535 by default); not applied when source
//!   and destination share a subnet; no NACL declared means the default NACL, which allows
//!   all;
//! * routes: local route for the VPC's CIDRs, then longest prefix; inbound from the internet
//!   needs an IGW route back and a public address on the ENI; peering is not transitive;
//! * load balancers: listener port -> target groups -> targets; an ALB (and an NLB that does
//!   not preserve the client IP) opens a new connection from its own interfaces and groups;
//!   an NLB preserving the client IP delivers the client's address to the target.
//!
//! Layout: `index` (the lookups built once per network, [`Net`]), the stages of one packet's
//! way (`sg`, `nacl`, `route`), which return what they decide so that the diagnosis asks the
//! same code, and the `Flow` that carries the traffic through them; `leg` (one
//! connection between two addresses, inbound), `outbound` (to addresses outside every VPC),
//! `classes` (address classes and how reasons name them), `pair` (one pair of ends over all
//! classes), `query` ([`reach`]), `lb` (load-balancer paths and target checks), `exposure` and
//! `matrix` (the security-group matrix).

mod classes;
mod exposure;
mod index;
mod lb;
mod leg;
mod matrix;
mod nacl;
mod outbound;
mod pair;
mod query;
mod route;
mod sg;

use std::collections::HashMap;

use moat_model::aws::network::{Nacl, Network, Protocol, RouteTable, SecurityGroup, Vpc};
use moat_model::{Estate, Loc, ResourceId};

use crate::sets::{AddrSet, PortSet};

pub use exposure::{exposure, Exposure};
pub use lb::{az_not_served, check_lb_targets, lb_targets, LbTarget, LegCheck, TargetCheck};
pub use matrix::{sg_matrix, sg_matrix_each, SgEdge};
pub use query::{reach, reach_with};

pub(crate) use classes::{classes, describe_addrs, eni_label, to_ip, Label};
pub(crate) use index::res_of;
pub(crate) use lb::{lb_entry, lb_to_target};
pub(crate) use leg::{block, reply_hop, Leg, Src};
pub(crate) use nacl::{nacl_block, nacl_reply_block, nacl_stage, NaclStep};
pub(crate) use pair::PairResult;
pub(crate) use sg::group_names;
pub(crate) use sg::{Flow, Peer};

/// One end of a query.
#[derive(Clone, Debug, PartialEq)]
pub enum Endpoint {
    /// Any public address.
    Internet,
    /// An address block.
    Cidr(ipnet::IpNet),
    /// A resource: an instance, ENI, load balancer, database, subnet, or a security group
    /// (any member).
    Resource(ResourceId),
}

/// A reachability question.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub from: Endpoint,
    pub to: Endpoint,
    pub protocol: Protocol,
    /// Destination ports (for a load balancer path: the listener port).
    pub ports: PortSet,
    /// The client's source ports (ephemeral range by default).
    pub src_ports: PortSet,
}

impl Query {
    pub fn new(from: Endpoint, to: Endpoint, protocol: Protocol, ports: PortSet) -> Query {
        Query {
            from,
            to,
            protocol,
            ports,
            src_ports: PortSet::ephemeral(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    Reachable,
    Blocked,
    Unknown,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Reachable => "reachable",
            Verdict::Blocked => "blocked",
            Verdict::Unknown => "unknown",
        }
    }
}

/// One step of a path, with the rule or route that admitted it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hop {
    pub resource: String,
    pub kind: &'static str,
    pub detail: String,
    pub loc: Option<Loc>,
}

/// The component that stops the traffic.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Block {
    pub resource: String,
    pub kind: &'static str,
    /// Reachability Analyzer explanation code where one fits.
    pub code: &'static str,
    pub reason: String,
    pub loc: Option<Loc>,
}

/// A path that delivers some ports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    pub hops: Vec<Hop>,
    /// Ports that arrive along this path (listener ports for LB paths).
    pub ports: PortSet,
    /// Addresses of the sources that arrive (external sources only).
    pub sources: Option<AddrSet>,
    /// The load balancer the path goes through.
    pub via: Option<String>,
    /// The final destination resource.
    pub dest: String,
}

/// The answer to a query.
#[derive(Clone, Debug, PartialEq)]
pub struct ReachResult {
    pub verdict: Verdict,
    pub paths: Vec<Path>,
    pub blocked: Option<Block>,
    /// What was unknown and could change the verdict.
    pub unknowns: Vec<String>,
}

/// Errors of a query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReachError {
    #[error("`{0}` is not a resource with network interfaces in the scanned files")]
    NotFound(String),
    #[error("`{0}` has no network interface the engine can place (no subnet)")]
    NoInterface(String),
}

/// Precomputed lookups.
pub struct Net<'a> {
    pub net: &'a Network,
    pub estate: &'a Estate,
    sgs: HashMap<ResourceId, &'a SecurityGroup>,
    subnet_vpc: HashMap<ResourceId, Option<ResourceId>>,
    subnet_cidr: HashMap<ResourceId, AddrSet>,
    vpcs: HashMap<ResourceId, &'a Vpc>,
    rt: HashMap<ResourceId, Option<&'a RouteTable>>,
    nacl: HashMap<ResourceId, Option<&'a Nacl>>,
    igw_of_vpc: HashMap<ResourceId, &'a moat_model::aws::network::Gateway>,
    /// Network/gateway load balancers without security groups: nothing filters at them.
    sg_free: std::collections::HashSet<ResourceId>,
    /// Addresses of every VPC: not "the internet".
    pub vpc_space: AddrSet,
    /// Write the hop details (the admitting rule or route) of the paths found. `reach` does;
    /// `exposure` and the SG matrix only need verdicts and port sets, and skip the formatting.
    explain: bool,
    /// Count a connection as made when the network ACLs pass replies to SOME of the client's
    /// ephemeral ports. A legitimate client picks its source port, so `reach` and the
    /// diagnosis need all of them (else connections fail at random); an attacker chooses
    /// theirs, so `exposure` needs only one.
    any_source_port: bool,
}
