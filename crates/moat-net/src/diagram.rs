//! `moat diagram`: the architecture as a graph (VPCs, subnets, gateways, load balancers,
//! workloads, databases, allowed security-group edges with ports), rendered as Mermaid or
//! Graphviz DOT. Findings are marked on the nodes they concern.
//!
//! Building the graph ([`build`]) and rendering it ([`render_mermaid`], [`render_dot`]) are
//! separate so that the HTML report can reuse the graph. Everything is sorted: the same estate
//! gives the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

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
                SubnetTier::Public => "style=filled, fillcolor=\"#eef7ff\"",
                SubnetTier::Private => "style=filled, fillcolor=\"#f4f4f4\"",
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
