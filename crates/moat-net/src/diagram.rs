//! `moat diagram`: the architecture as a graph (VPCs, subnets, gateways, load balancers,
//! workloads, databases, allowed security-group edges with ports), rendered as Mermaid or
//! Graphviz DOT. Findings are marked on the nodes they concern.
//!
//! Building the graph ([`build`]) and rendering it ([`render_mermaid`], [`render_dot`]) are
//! separate so that the HTML report can reuse the graph. Everything is sorted: the same estate
//! gives the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use moat_model::aws::network::{
    Direction, Eni, EniKind, HealthPort, LbKind, Network, Protocol, Ref, RouteTarget,
    SecurityGroup, SgRule,
};
use moat_model::{Estate, Finding, ResourceId};

/// What a node stands for; decides its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    Internet,
    Cidr,
    InternetGateway,
    EgressOnlyGateway,
    NatGateway,
    Peering,
    Endpoint,
    LoadBalancer,
    Instance,
    AutoScalingGroup,
    Database,
    Cache,
    Function,
    Other,
}

impl NodeKind {
    fn label(self) -> &'static str {
        match self {
            NodeKind::Internet => "internet",
            NodeKind::Cidr => "cidr",
            NodeKind::InternetGateway => "igw",
            NodeKind::EgressOnlyGateway => "egress-only igw",
            NodeKind::NatGateway => "nat",
            NodeKind::Peering => "peering",
            NodeKind::Endpoint => "endpoint",
            NodeKind::LoadBalancer => "lb",
            NodeKind::Instance => "instance",
            NodeKind::AutoScalingGroup => "asg",
            NodeKind::Database => "database",
            NodeKind::Cache => "cache",
            NodeKind::Function => "lambda",
            NodeKind::Other => "resource",
        }
    }
}

/// Public, private (NAT or no default route) or isolated, as derived from the subnet's routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SubnetTier {
    /// Routes 0.0.0.0/0 (or ::/0) to an internet gateway.
    Public,
    /// Reaches the internet outbound only (NAT gateway, egress-only IGW).
    Private,
    /// No route to the internet at all.
    Isolated,
    /// The route table could not be decided (unknown values).
    Unknown,
}

impl SubnetTier {
    pub fn as_str(self) -> &'static str {
        match self {
            SubnetTier::Public => "public",
            SubnetTier::Private => "private",
            SubnetTier::Isolated => "isolated",
            SubnetTier::Unknown => "unknown",
        }
    }
}

/// A drawn node.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DNode {
    /// The resource address (or `internet`, a CIDR): the stable key.
    pub key: String,
    pub kind: NodeKind,
    /// Extra text under the name (`alb internet-facing`, `mysql`).
    pub detail: String,
    /// Rule ids of findings on this node (sorted, unique).
    pub findings: BTreeSet<String>,
}

/// A subnet cluster.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DSubnet {
    pub key: String,
    pub cidr: String,
    pub tier: SubnetTier,
    pub findings: BTreeSet<String>,
    /// Keys of the nodes placed in this subnet.
    pub members: BTreeSet<String>,
}

/// A VPC cluster.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DVpc {
    pub key: String,
    pub cidr: String,
    pub subnets: BTreeMap<String, DSubnet>,
    /// Nodes attached to the VPC but not to one subnet (IGW, peering, ...).
    pub members: BTreeSet<String>,
}

/// What an edge means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    /// Traffic allowed by security groups (and routes), labelled with protocol/ports.
    Allowed,
    /// A load balancer forwarding to its targets (listener -> target group).
    Forward,
    /// A gateway attachment or route (subnet -> NAT, IGW -> VPC...).
    Route,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DEdge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    /// `tcp/443`, `tcp/8000 (health 8080)`, `all`.
    pub label: String,
}

/// The whole drawing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagram {
    pub vpcs: BTreeMap<String, DVpc>,
    /// Every node by key (VPC and subnet membership is kept in [`DVpc`] / [`DSubnet`]).
    pub nodes: BTreeMap<String, DNode>,
    pub edges: BTreeSet<DEdge>,
}

impl Diagram {
    /// Add (or keep) a node.
    pub fn node(&mut self, key: &str, kind: NodeKind, detail: &str) {
        self.nodes.entry(key.to_string()).or_insert_with(|| DNode {
            key: key.to_string(),
            kind,
            detail: detail.to_string(),
            findings: BTreeSet::new(),
        });
    }

    pub fn edge(&mut self, from: &str, to: &str, kind: EdgeKind, label: &str) {
        self.edges.insert(DEdge {
            from: from.to_string(),
            to: to.to_string(),
            kind,
            label: label.to_string(),
        });
    }

    /// Mark a finding on whatever node or subnet has this key. Returns false when nothing
    /// in the drawing has that key.
    pub fn mark(&mut self, key: &str, rule_id: &str) -> bool {
        if let Some(n) = self.nodes.get_mut(key) {
            n.findings.insert(rule_id.to_string());
            return true;
        }
        for v in self.vpcs.values_mut() {
            if let Some(s) = v.subnets.get_mut(key) {
                s.findings.insert(rule_id.to_string());
                return true;
            }
        }
        false
    }

    /// Merge another drawing into this one (several root modules). Elements with the same key
    /// are merged.
    /// The same drawing with every key prefixed by `prefix` and `/` (one root module among
    /// several, so that equal addresses in different roots stay different nodes). `internet`
    /// stays shared.
    pub fn prefixed(self, prefix: &str) -> Diagram {
        let k = |x: &str| {
            if x == "internet" {
                x.to_string()
            } else {
                format!("{prefix}/{x}")
            }
        };
        let set = |v: BTreeSet<String>| v.iter().map(|x| k(x)).collect::<BTreeSet<_>>();
        Diagram {
            vpcs: self
                .vpcs
                .into_iter()
                .map(|(key, v)| {
                    let subnets = v
                        .subnets
                        .into_iter()
                        .map(|(sk, sn)| {
                            (
                                k(&sk),
                                DSubnet {
                                    key: k(&sn.key),
                                    members: set(sn.members),
                                    ..sn
                                },
                            )
                        })
                        .collect();
                    (
                        k(&key),
                        DVpc {
                            key: k(&v.key),
                            subnets,
                            members: set(v.members),
                            cidr: v.cidr,
                        },
                    )
                })
                .collect(),
            nodes: self
                .nodes
                .into_iter()
                .map(|(key, n)| {
                    (
                        k(&key),
                        DNode {
                            key: k(&n.key),
                            ..n
                        },
                    )
                })
                .collect(),
            edges: self
                .edges
                .into_iter()
                .map(|e| DEdge {
                    from: k(&e.from),
                    to: k(&e.to),
                    ..e
                })
                .collect(),
        }
    }

    pub fn merge(&mut self, other: Diagram) {
        for (k, v) in other.vpcs {
            match self.vpcs.get_mut(&k) {
                Some(mine) => {
                    mine.members.extend(v.members);
                    for (sk, s) in v.subnets {
                        match mine.subnets.get_mut(&sk) {
                            Some(ms) => {
                                ms.members.extend(s.members);
                                ms.findings.extend(s.findings);
                            }
                            None => {
                                mine.subnets.insert(sk, s);
                            }
                        }
                    }
                }
                None => {
                    self.vpcs.insert(k, v);
                }
            }
        }
        for (k, n) in other.nodes {
            match self.nodes.get_mut(&k) {
                Some(mine) => mine.findings.extend(n.findings),
                None => {
                    self.nodes.insert(k, n);
                }
            }
        }
        self.edges.extend(other.edges);
    }

    /// Nodes not placed in any VPC or subnet.
    fn loose_nodes(&self) -> Vec<&DNode> {
        let mut placed: BTreeSet<&str> = BTreeSet::new();
        for v in self.vpcs.values() {
            placed.extend(v.members.iter().map(String::as_str));
            for s in v.subnets.values() {
                placed.extend(s.members.iter().map(String::as_str));
            }
        }
        self.nodes
            .values()
            .filter(|n| !placed.contains(n.key.as_str()))
            .collect()
    }
}

/// Stable identifiers for Mermaid and DOT: `n0`, `n1`... in key order.
struct Ids {
    ids: BTreeMap<String, String>,
}

impl Ids {
    fn new(d: &Diagram) -> Ids {
        let mut keys: BTreeSet<&str> = d.nodes.keys().map(String::as_str).collect();
        for v in d.vpcs.values() {
            keys.insert(v.key.as_str());
            keys.extend(v.subnets.keys().map(String::as_str));
        }
        let ids = keys
            .into_iter()
            .enumerate()
            .map(|(i, k)| (k.to_string(), format!("n{i}")))
            .collect();
        Ids { ids }
    }

    fn get(&self, key: &str) -> String {
        self.ids
            .get(key)
            .cloned()
            .unwrap_or_else(|| format!("x_{}", sanitize_id(key)))
    }
}

fn sanitize_id(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Text safe inside a Mermaid `"..."` label.
fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text safe inside a DOT `"..."` string.
fn dot_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn node_label(n: &DNode) -> String {
    let mut label = n.key.clone();
    if !n.detail.is_empty() {
        label.push_str(&format!(" ({})", n.detail));
    } else if !matches!(n.kind, NodeKind::Internet | NodeKind::Cidr) {
        label.push_str(&format!(" ({})", n.kind.label()));
    }
    if !n.findings.is_empty() {
        let ids: Vec<&str> = n.findings.iter().map(String::as_str).collect();
        label.push_str(&format!(" [{}]", ids.join(", ")));
    }
    label
}

fn subnet_label(s: &DSubnet) -> String {
    let mut label = format!("{} {} {}", s.key, s.cidr, s.tier.as_str());
    if !s.findings.is_empty() {
        let ids: Vec<&str> = s.findings.iter().map(String::as_str).collect();
        label.push_str(&format!(" [{}]", ids.join(", ")));
    }
    label
}

fn mermaid_shape(kind: NodeKind, id: &str, text: &str) -> String {
    match kind {
        NodeKind::Internet | NodeKind::Cidr => format!("{id}((\"{text}\"))"),
        NodeKind::InternetGateway
        | NodeKind::EgressOnlyGateway
        | NodeKind::NatGateway
        | NodeKind::Peering
        | NodeKind::Endpoint => format!("{id}{{{{\"{text}\"}}}}"),
        NodeKind::LoadBalancer => format!("{id}[/\"{text}\"/]"),
        NodeKind::Database | NodeKind::Cache => format!("{id}[(\"{text}\")]"),
        _ => format!("{id}[\"{text}\"]"),
    }
}

/// Render as a Mermaid `flowchart`. Nodes with findings get the `finding` class (red).
pub fn render_mermaid(d: &Diagram) -> String {
    let ids = Ids::new(d);
    let mut out = String::new();
    out.push_str("flowchart LR\n");
    out.push_str("  classDef finding fill:#fdd,stroke:#c00,stroke-width:2px,color:#900\n");
    out.push_str("  classDef public fill:#eef7ff,stroke:#36c\n");
    out.push_str("  classDef private fill:#f4f4f4,stroke:#666\n");
    out.push_str("  classDef isolated fill:#fff,stroke:#999,stroke-dasharray:4 2\n");
    let mut finding_ids: Vec<String> = Vec::new();
    let mut tier_ids: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let write_node = |out: &mut String, n: &DNode, indent: &str, finding_ids: &mut Vec<String>| {
        let id = ids.get(&n.key);
        let _ = writeln!(
            out,
            "{indent}{}",
            mermaid_shape(n.kind, &id, &mermaid_text(&node_label(n)))
        );
        if !n.findings.is_empty() {
            finding_ids.push(id);
        }
    };
    for n in d.loose_nodes() {
        write_node(&mut out, n, "  ", &mut finding_ids);
    }
    for v in d.vpcs.values() {
        let _ = writeln!(
            out,
            "  subgraph {}[\"{}\"]",
            ids.get(&v.key),
            mermaid_text(&format!("{} {}", v.key, v.cidr))
        );
        for key in &v.members {
            if let Some(n) = d.nodes.get(key) {
                write_node(&mut out, n, "    ", &mut finding_ids);
            }
        }
        for s in v.subnets.values() {
            let sid = ids.get(&s.key);
            let _ = writeln!(
                out,
                "    subgraph {sid}[\"{}\"]",
                mermaid_text(&subnet_label(s))
            );
            // Mermaid needs at least one line in a subgraph; `direction` is harmless.
            out.push_str("      direction TB\n");
            for key in &s.members {
                if let Some(n) = d.nodes.get(key) {
                    write_node(&mut out, n, "      ", &mut finding_ids);
                }
            }
            out.push_str("    end\n");
            if s.findings.is_empty() {
                tier_ids.entry(s.tier.as_str()).or_default().push(sid);
            } else {
                finding_ids.push(sid);
            }
        }
        out.push_str("  end\n");
    }
    for e in &d.edges {
        let arrow = match e.kind {
            EdgeKind::Allowed => "-->",
            EdgeKind::Forward => "==>",
            EdgeKind::Route => "-.->",
        };
        let from = ids.get(&e.from);
        let to = ids.get(&e.to);
        if e.label.is_empty() {
            let _ = writeln!(out, "  {from} {arrow} {to}");
        } else {
            let _ = writeln!(out, "  {from} {arrow}|\"{}\"| {to}", mermaid_text(&e.label));
        }
    }
    for (tier, list) in &tier_ids {
        if matches!(*tier, "public" | "private" | "isolated") {
            let _ = writeln!(out, "  class {} {tier}", list.join(","));
        }
    }
    if !finding_ids.is_empty() {
        let _ = writeln!(out, "  class {} finding", finding_ids.join(","));
    }
    out
}

fn dot_shape(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Internet | NodeKind::Cidr => "ellipse",
        NodeKind::InternetGateway
        | NodeKind::EgressOnlyGateway
        | NodeKind::NatGateway
        | NodeKind::Peering
        | NodeKind::Endpoint => "hexagon",
        NodeKind::LoadBalancer => "parallelogram",
        NodeKind::Database | NodeKind::Cache => "cylinder",
        _ => "box",
    }
}

/// Render as a Graphviz `digraph`. Nodes with findings are red.
pub fn render_dot(d: &Diagram) -> String {
    let ids = Ids::new(d);
    let mut out = String::new();
    out.push_str("digraph moat {\n");
    out.push_str("  rankdir=LR;\n  compound=true;\n");
    out.push_str("  node [fontname=\"Helvetica\", fontsize=10];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    let write_node = |out: &mut String, n: &DNode, indent: &str| {
        let mut attrs = format!(
            "label=\"{}\", shape={}",
            dot_text(&node_label(n)),
            dot_shape(n.kind)
        );
        if !n.findings.is_empty() {
            attrs.push_str(", color=red, fontcolor=red, penwidth=2, class=\"finding\"");
        }
        let _ = writeln!(out, "{indent}{} [{attrs}];", ids.get(&n.key));
    };
    for n in d.loose_nodes() {
        write_node(&mut out, n, "  ");
    }
    for v in d.vpcs.values() {
        let _ = writeln!(out, "  subgraph cluster_{} {{", ids.get(&v.key));
        let _ = writeln!(
            out,
            "    label=\"{}\";",
            dot_text(&format!("{} {}", v.key, v.cidr))
        );
        for key in &v.members {
            if let Some(n) = d.nodes.get(key) {
                write_node(&mut out, n, "    ");
            }
        }
        for s in v.subnets.values() {
            let _ = writeln!(out, "    subgraph cluster_{} {{", ids.get(&s.key));
            let _ = writeln!(out, "      label=\"{}\";", dot_text(&subnet_label(s)));
            let style = match s.tier {
                SubnetTier::Public => "style=filled; fillcolor=\"#eef7ff\"",
                SubnetTier::Private => "style=filled; fillcolor=\"#f4f4f4\"",
                SubnetTier::Isolated => "style=dashed",
                SubnetTier::Unknown => "style=dotted",
            };
            let _ = writeln!(out, "      {style};");
            if !s.findings.is_empty() {
                out.push_str("      color=red; fontcolor=red; penwidth=2;\n");
            }
            // An invisible anchor keeps empty subnets drawn.
            let _ = writeln!(
                out,
                "      {}_anchor [shape=point, style=invis];",
                ids.get(&s.key)
            );
            for key in &s.members {
                if let Some(n) = d.nodes.get(key) {
                    write_node(&mut out, n, "      ");
                }
            }
            out.push_str("    }\n");
        }
        out.push_str("  }\n");
    }
    for e in &d.edges {
        let style = match e.kind {
            EdgeKind::Allowed => "",
            EdgeKind::Forward => ", style=bold",
            EdgeKind::Route => ", style=dashed",
        };
        let _ = writeln!(
            out,
            "  {} -> {} [label=\"{}\"{style}];",
            ids.get(&e.from),
            ids.get(&e.to),
            dot_text(&e.label)
        );
    }
    out.push_str("}\n");
    out
}

// ---------------------------------------------------------------------------------------
// building the drawing from the network view

/// The tier of a subnet as its route table makes it (never its name).
pub fn subnet_tier(net: &Network, subnet: ResourceId) -> SubnetTier {
    let Some(rt) = net.route_table_of(subnet) else {
        return SubnetTier::Isolated;
    };
    let mut tier = SubnetTier::Isolated;
    for r in &rt.routes {
        let Some(dest) = r.dest else {
            if r.dest_unknown.is_some() && tier == SubnetTier::Isolated {
                tier = SubnetTier::Unknown;
            }
            continue;
        };
        if dest.prefix_len() != 0 {
            continue;
        }
        match &r.target {
            RouteTarget::Igw(_) => return SubnetTier::Public,
            RouteTarget::Unknown(_) => tier = SubnetTier::Unknown,
            RouteTarget::Local | RouteTarget::Peering(_) | RouteTarget::Endpoint(_) => {}
            _ => {
                if tier != SubnetTier::Unknown {
                    tier = SubnetTier::Private;
                }
            }
        }
    }
    tier
}

fn node_kind(k: EniKind) -> NodeKind {
    match k {
        EniKind::Instance | EniKind::Interface | EniKind::EksNode => NodeKind::Instance,
        EniKind::AsgMember => NodeKind::AutoScalingGroup,
        EniKind::LoadBalancer => NodeKind::LoadBalancer,
        EniKind::Database => NodeKind::Database,
        EniKind::Cache => NodeKind::Cache,
        EniKind::Lambda => NodeKind::Function,
        EniKind::Endpoint => NodeKind::Endpoint,
        EniKind::NatGateway => NodeKind::NatGateway,
    }
}

/// One drawn workload (all ENIs of one owner).
struct Workload<'a> {
    key: String,
    groups: Vec<Ref>,
    nets: Vec<ipnet::IpNet>,
    public: bool,
    enis: Vec<&'a Eni>,
}

type PSet = Vec<(Protocol, u16, u16)>;

fn rule_set(rule: &SgRule) -> Option<(Protocol, u16, u16)> {
    let p = rule.protocol?;
    if p == Protocol::All || !p.has_ports() {
        return Some((p, 0, 65535));
    }
    let r = rule.ports?;
    Some((p, r.from, r.to))
}

fn rule_admits(sg: &SecurityGroup, rule: &SgRule, groups: &[Ref], nets: &[ipnet::IpNet]) -> bool {
    if rule.self_ref && groups.contains(&Ref::Res(sg.id)) {
        return true;
    }
    if rule
        .groups
        .iter()
        .any(|g| !matches!(g, Ref::Unknown(_)) && groups.contains(g))
    {
        return true;
    }
    let rnets: Vec<ipnet::IpNet> = rule
        .ipv4
        .iter()
        .map(|n| ipnet::IpNet::V4(*n))
        .chain(rule.ipv6.iter().map(|n| ipnet::IpNet::V6(*n)))
        .collect();
    !nets.is_empty() && nets.iter().all(|n| rnets.iter().any(|r| r.contains(n)))
}

fn admitted(
    net: &Network,
    sgs: &[Ref],
    dir: Direction,
    groups: &[Ref],
    nets: &[ipnet::IpNet],
) -> PSet {
    let mut out = Vec::new();
    for g in sgs.iter().filter_map(Ref::res) {
        let Some(sg) = net.security_group(g) else {
            continue;
        };
        for rule in sg.rules.iter().filter(|r| r.direction == dir) {
            if rule_admits(sg, rule, groups, nets) {
                out.extend(rule_set(rule));
            }
        }
    }
    out
}

fn internet_admitted(net: &Network, sgs: &[Ref]) -> PSet {
    let mut out = Vec::new();
    for g in sgs.iter().filter_map(Ref::res) {
        let Some(sg) = net.security_group(g) else {
            continue;
        };
        for rule in sg.ingress() {
            if rule.ipv4.iter().any(|n| n.prefix_len() == 0)
                || rule.ipv6.iter().any(|n| n.prefix_len() == 0)
            {
                out.extend(rule_set(rule));
            }
        }
    }
    out
}

fn intersect(a: &PSet, b: &PSet) -> PSet {
    let mut out = Vec::new();
    for &(pa, la, ha) in a {
        for &(pb, lb, hb) in b {
            let p = if pa == Protocol::All {
                pb
            } else if pb == Protocol::All || pa == pb {
                pa
            } else {
                continue;
            };
            let (l, h) = (la.max(lb), ha.min(hb));
            if l <= h {
                out.push((p, l, h));
            }
        }
    }
    out
}

fn pset_label(s: &PSet) -> String {
    if s.iter().any(|(p, _, _)| *p == Protocol::All) {
        return "all".into();
    }
    let mut by: BTreeMap<String, Vec<(u16, u16)>> = BTreeMap::new();
    for (p, l, h) in s {
        by.entry(p.name()).or_default().push((*l, *h));
    }
    by.into_iter()
        .map(|(p, r)| {
            let r = crate::invariant::merge_ranges(r);
            if !matches!(p.as_str(), "tcp" | "udp") || r == [(0, 65535)] {
                p
            } else {
                format!("{p}/{}", crate::invariant::format_ports(&r))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Build the drawing of a network. `findings` are marked on the nodes they concern (on the
/// members of a security group, the subnets of a NACL or route table...).
pub fn build(net: &Network, estate: &Estate, findings: &[Finding]) -> Diagram {
    let mut d = Diagram::default();
    let addr = |id: ResourceId| estate.get(id).map(|r| r.address.clone());
    // VPCs and subnets.
    for v in &net.vpcs {
        let mut cidrs: Vec<String> = v.cidrs.iter().map(|c| c.to_string()).collect();
        cidrs.sort();
        d.vpcs.insert(
            v.address.clone(),
            DVpc {
                key: v.address.clone(),
                cidr: cidrs.join(" "),
                subnets: BTreeMap::new(),
                members: BTreeSet::new(),
            },
        );
    }
    let vpc_key = |r: Option<&Ref>| -> Option<String> { r.and_then(Ref::res).and_then(addr) };
    let mut subnet_vpc: BTreeMap<ResourceId, String> = BTreeMap::new();
    for s in &net.subnets {
        let Some(vk) = vpc_key(s.vpc.as_ref()) else {
            continue;
        };
        let Some(v) = d.vpcs.get_mut(&vk) else {
            continue;
        };
        subnet_vpc.insert(s.id, vk.clone());
        v.subnets.insert(
            s.address.clone(),
            DSubnet {
                key: s.address.clone(),
                cidr: s.cidr.map(|c| c.to_string()).unwrap_or_default(),
                tier: subnet_tier(net, s.id),
                findings: BTreeSet::new(),
                members: BTreeSet::new(),
            },
        );
    }
    let place = |d: &mut Diagram, key: &str, subnet: Option<ResourceId>, vpc: Option<String>| {
        if let Some(sid) = subnet {
            if let (Some(vk), Some(sk)) = (subnet_vpc.get(&sid), addr(sid)) {
                if let Some(s) = d.vpcs.get_mut(vk).and_then(|v| v.subnets.get_mut(&sk)) {
                    s.members.insert(key.to_string());
                    return;
                }
            }
        }
        if let Some(v) = vpc.and_then(|vk| d.vpcs.get_mut(&vk)) {
            v.members.insert(key.to_string());
        }
    };
    // Gateways.
    let has_igw = !net.igws.is_empty();
    if has_igw {
        d.node("internet", NodeKind::Internet, "");
    }
    for g in &net.igws {
        d.node(&g.address, NodeKind::InternetGateway, "");
        place(&mut d, &g.address, None, vpc_key(g.vpc.as_ref()));
        d.edge("internet", &g.address, EdgeKind::Route, "");
    }
    for g in &net.egress_only_igws {
        d.node(&g.address, NodeKind::EgressOnlyGateway, "");
        place(&mut d, &g.address, None, vpc_key(g.vpc.as_ref()));
    }
    for n in &net.nat_gateways {
        d.node(
            &n.address,
            NodeKind::NatGateway,
            if n.public { "nat" } else { "private nat" },
        );
        let sid = n.subnet.as_ref().and_then(Ref::res);
        let vk = sid.and_then(|s| subnet_vpc.get(&s).cloned());
        place(&mut d, &n.address, sid, vk);
    }
    for p in &net.peerings {
        let peer = vpc_key(p.peer_vpc.as_ref()).unwrap_or_else(|| "external vpc".into());
        d.node(&p.address, NodeKind::Peering, &format!("peering to {peer}"));
        place(&mut d, &p.address, None, vpc_key(p.vpc.as_ref()));
        if d.nodes.contains_key(&peer) {
            d.edge(&p.address, &peer, EdgeKind::Route, "");
        }
    }
    // NAT -> IGW of the same VPC (egress).
    for n in &net.nat_gateways {
        let vk = n
            .subnet
            .as_ref()
            .and_then(Ref::res)
            .and_then(|s| subnet_vpc.get(&s).cloned());
        for g in &net.igws {
            if vk.is_some() && vpc_key(g.vpc.as_ref()) == vk && n.public {
                d.edge(&n.address, &g.address, EdgeKind::Route, "egress");
            }
        }
    }
    // Workloads: one node per ENI owner.
    let mut workloads: BTreeMap<ResourceId, Workload<'_>> = BTreeMap::new();
    for e in &net.enis {
        let w = workloads.entry(e.owner).or_insert_with(|| Workload {
            key: e.address.clone(),
            groups: Vec::new(),
            nets: Vec::new(),
            public: false,
            enis: Vec::new(),
        });
        for g in &e.groups {
            if !w.groups.contains(g) {
                w.groups.push(g.clone());
            }
        }
        match e.private_ip {
            Some(ip) => w.nets.push(ipnet::IpNet::from(ip)),
            None => {
                if let Some(c) = e
                    .subnet
                    .as_ref()
                    .and_then(Ref::res)
                    .and_then(|s| net.subnet(s))
                    .and_then(|s| s.cidr)
                {
                    w.nets.push(ipnet::IpNet::V4(c));
                }
            }
        }
        let in_public = e
            .subnet
            .as_ref()
            .and_then(Ref::res)
            .is_some_and(|s| subnet_tier(net, s) == SubnetTier::Public);
        if in_public && e.public_ip.is_true() {
            w.public = true;
        }
        w.enis.push(e);
    }
    for (id, w) in &workloads {
        let Some(first) = w.enis.first() else {
            continue;
        };
        let kind = node_kind(first.kind);
        let mut detail = String::new();
        if let Some(lb) = net.load_balancers.iter().find(|l| l.id == *id) {
            let k = match lb.kind {
                LbKind::Application => "alb",
                LbKind::Network => "nlb",
                LbKind::Gateway => "gwlb",
                LbKind::Classic => "elb",
            };
            let scheme = match lb.internal {
                moat_model::Tri::True => " internal",
                moat_model::Tri::False => " internet-facing",
                moat_model::Tri::Unknown(_) => "",
            };
            detail = format!("{k}{scheme}");
        } else if let Some(r) = estate.get(*id) {
            if let Some(engine) = r.str_attr("engine") {
                detail = engine.to_string();
            }
        }
        let mut subnets: Vec<ResourceId> = w
            .enis
            .iter()
            .filter_map(|e| e.subnet.as_ref().and_then(Ref::res))
            .collect();
        subnets.sort_by_key(|s| addr(*s));
        subnets.dedup();
        if subnets.len() > 1 {
            if !detail.is_empty() {
                detail.push_str(", ");
            }
            detail.push_str(&format!("{} subnets", subnets.len()));
        }
        d.node(&w.key, kind, &detail);
        let sid = subnets.first().copied();
        let vk = sid.and_then(|s| subnet_vpc.get(&s).cloned());
        place(&mut d, &w.key, sid, vk);
    }
    // Load balancer -> targets (listener -> target group -> target).
    for lb in &net.load_balancers {
        for l in net
            .listeners
            .iter()
            .filter(|l| l.lb.as_ref().and_then(Ref::res) == Some(lb.id))
        {
            for (tgr, _) in &l.target_groups {
                let Some(tg) = tgr
                    .res()
                    .and_then(|t| net.target_groups.iter().find(|x| x.id == t))
                else {
                    continue;
                };
                for t in net.targets.iter().filter(|t| t.group == Ref::Res(tg.id)) {
                    let key = match &t.target {
                        moat_model::aws::network::TargetRef::Resource(id) => match addr(*id) {
                            Some(a) => a,
                            None => continue,
                        },
                        moat_model::aws::network::TargetRef::Ip(ip) => {
                            // The interface of the estate with this address, when there is
                            // one (an instance's `private_ip`); else the address itself.
                            let owner = net
                                .enis
                                .iter()
                                .find(|e| e.private_ip == Some(*ip))
                                .and_then(|e| addr(e.owner))
                                .filter(|a| d.nodes.contains_key(a));
                            match owner {
                                Some(a) => a,
                                None => {
                                    let k = ip.to_string();
                                    d.node(&k, NodeKind::Cidr, "ip target");
                                    k
                                }
                            }
                        }
                        _ => continue,
                    };
                    let port = t.port.or(tg.port);
                    let mut label = match port {
                        Some(p) => format!("tg {p}"),
                        None => "tg".into(),
                    };
                    if let HealthPort::Port(h) = tg.health_port {
                        if Some(h) != port {
                            label.push_str(&format!(" (health {h})"));
                        }
                    }
                    if d.nodes.contains_key(&key) {
                        d.edge(&lb.address, &key, EdgeKind::Forward, &label);
                    }
                }
            }
        }
    }
    // Allowed security-group edges between workloads, and from the internet.
    let ws: Vec<&Workload<'_>> = workloads.values().collect();
    for dst in &ws {
        if dst.public
            || net
                .load_balancers
                .iter()
                .any(|l| l.address == dst.key && l.internal.is_false())
        {
            let s = internet_admitted(net, &dst.groups);
            if !s.is_empty() && has_igw {
                d.edge("internet", &dst.key, EdgeKind::Allowed, &pset_label(&s));
            }
        }
        // A load balancer without security groups (NLB) admits every source on its listeners.
        let open_lb: PSet = match net.load_balancers.iter().find(|l| l.address == dst.key) {
            Some(lb) if lb.groups.is_empty() => net
                .listeners
                .iter()
                .filter(|l| l.lb.as_ref().and_then(Ref::res) == Some(lb.id))
                .filter_map(|l| {
                    let udp = l
                        .protocol
                        .as_deref()
                        .is_some_and(|p| p.eq_ignore_ascii_case("udp"));
                    let proto = if udp { Protocol::Udp } else { Protocol::Tcp };
                    l.port.map(|p| (proto, p, p))
                })
                .collect(),
            _ => Vec::new(),
        };
        if !open_lb.is_empty()
            && net
                .load_balancers
                .iter()
                .any(|l| l.address == dst.key && l.internal.is_false())
            && has_igw
        {
            d.edge(
                "internet",
                &dst.key,
                EdgeKind::Allowed,
                &pset_label(&open_lb),
            );
        }
        for src in &ws {
            if src.key == dst.key {
                continue;
            }
            let ing = if open_lb.is_empty() {
                admitted(net, &dst.groups, Direction::Ingress, &src.groups, &src.nets)
            } else {
                open_lb.clone()
            };
            if ing.is_empty() {
                continue;
            }
            let eg = admitted(net, &src.groups, Direction::Egress, &dst.groups, &dst.nets);
            let both = intersect(&ing, &eg);
            if !both.is_empty() {
                d.edge(&src.key, &dst.key, EdgeKind::Allowed, &pset_label(&both));
            }
        }
    }
    mark_findings(&mut d, net, estate, findings);
    d
}

fn mark_findings(d: &mut Diagram, net: &Network, estate: &Estate, findings: &[Finding]) {
    for f in findings {
        if d.mark(&f.resource, &f.rule_id) {
            continue;
        }
        let Some(id) = estate.by_address(&f.resource) else {
            continue;
        };
        let mut keys: BTreeSet<String> = BTreeSet::new();
        // A security group, or a rule of one: its members.
        let sgs: Vec<ResourceId> = match net.security_group(id) {
            Some(sg) => vec![sg.id],
            None => net
                .security_groups
                .iter()
                .filter(|sg| sg.rules.iter().any(|r| r.declared_by == id))
                .map(|sg| sg.id)
                .collect(),
        };
        for sg in sgs {
            for e in net.members(sg) {
                keys.insert(e.address.clone());
            }
        }
        // A NACL or a route table: its subnets.
        for n in net.nacls.iter().filter(|n| {
            n.id == id
                || n.ingress
                    .iter()
                    .chain(n.egress.iter())
                    .any(|r| r.declared_by == id)
        }) {
            for (s, _) in &n.subnets {
                if let Some(a) = s.res().and_then(|s| estate.get(s)) {
                    keys.insert(a.address.clone());
                }
            }
        }
        for t in net
            .route_tables
            .iter()
            .filter(|t| t.id == id || t.routes.iter().any(|r| r.declared_by == id))
        {
            for (s, _) in &t.subnets {
                if let Some(a) = s.res().and_then(|s| estate.get(s)) {
                    keys.insert(a.address.clone());
                }
            }
        }
        // Anything else: what it references (an association's subnet, an attachment's target).
        if keys.is_empty() {
            for e in estate.refs_from(id) {
                if let Some(a) = estate.get(e.to) {
                    keys.insert(a.address.clone());
                }
            }
        }
        for k in keys {
            d.mark(&k, &f.rule_id);
        }
    }
}
