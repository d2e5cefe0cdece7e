//! Network invariants declared in `moat.toml` and checked on every scan.
//!
//! ```toml
//! [[network.invariant]]
//! name = "only the gateway reaches the database"   # optional
//! to = "aws_db_instance.main"
//! ports = "3306"                 # "22", "8000-8010", "80,443", 443 or [80, "8000-8010"]
//! protocol = "tcp"               # tcp (default) | udp | icmp | all
//! only_from = ["aws_lb.db_gateway"]
//!
//! [[network.invariant]]
//! from = "internet"              # internet, a CIDR, or a resource address
//! to = "aws_instance.app"
//! ports = "8000"
//! expect = "blocked"             # or "reachable"
//! ```
//!
//! [`parse`] reads the whole `moat.toml` text and returns the invariants (other tables are
//! ignored); [`check`] evaluates them against an estate with the reachability engine and
//! returns the [`Violation`]s as data. The rule that reports them (its code, title and
//! severity) lives in `moat-rules` (`network/invariant_violated.rs`), which receives the
//! invariants with the estate: `moat-net` knows no rule code.

use std::fmt;

use serde::Deserialize;

/// An error in the `[[network.invariant]]` tables of `moat.toml`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvariantError {
    /// The file is not valid TOML or a table has the wrong shape.
    #[error("moat.toml:{line}: {message}")]
    Syntax { line: u32, message: String },
    /// An invariant is well-formed TOML but makes no sense.
    #[error("moat.toml:{line}: network invariant {index}: {message}")]
    Invalid {
        /// 0-based position of the invariant in the file.
        index: usize,
        line: u32,
        message: String,
    },
}

/// The protocol an invariant is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    Tcp,
    Udp,
    Icmp,
    All,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
            Protocol::All => "all",
        }
    }

    fn parse(s: &str) -> Option<Protocol> {
        match s.trim().to_ascii_lowercase().as_str() {
            "tcp" | "6" => Some(Protocol::Tcp),
            "udp" | "17" => Some(Protocol::Udp),
            "icmp" | "1" => Some(Protocol::Icmp),
            "all" | "-1" => Some(Protocol::All),
            _ => None,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an invariant demands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// `from` must not reach `to` on any of the ports.
    Blocked,
    /// `from` must reach `to` on every one of the ports.
    Reachable,
    /// Only these sources (resource addresses, security groups meaning their members,
    /// subnets, CIDRs, `internet`) may reach `to` on the ports; directly or as the load
    /// balancer that forwards the traffic.
    OnlyFrom(Vec<String>),
}

/// One `[[network.invariant]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invariant {
    /// The `name` given by the user, or a description built from the fields.
    pub name: String,
    /// `None` for `only_from` invariants.
    pub from: Option<String>,
    pub to: String,
    /// Sorted, merged, inclusive port ranges. `0-65535` when `ports` is not given.
    pub ports: Vec<(u16, u16)>,
    pub protocol: Protocol,
    pub expect: Expect,
    /// Line of the `[[network.invariant]]` header in `moat.toml` (1-based).
    pub line: u32,
}

impl Invariant {
    /// The ports as users write them: `"22"`, `"8000-8010"`, `"80,443"`.
    pub fn ports_text(&self) -> String {
        format_ports(&self.ports)
    }
}

/// Format merged port ranges as `"80,443,8000-8010"`.
pub fn format_ports(ports: &[(u16, u16)]) -> String {
    ports
        .iter()
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    network: Option<NetworkTable>,
}

#[derive(Deserialize)]
struct NetworkTable {
    #[serde(default)]
    invariant: Vec<toml::Spanned<RawInvariant>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInvariant {
    name: Option<String>,
    from: Option<String>,
    to: Option<String>,
    ports: Option<RawPorts>,
    protocol: Option<String>,
    expect: Option<String>,
    only_from: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawPorts {
    One(i64),
    Text(String),
    Many(Vec<RawPort>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawPort {
    One(i64),
    Text(String),
}

fn line_of(text: &str, byte: usize) -> u32 {
    let end = byte.min(text.len());
    let prefix = text.get(..end).unwrap_or(text);
    prefix.bytes().filter(|b| *b == b'\n').count() as u32 + 1
}

/// Parse the `[[network.invariant]]` tables of a `moat.toml` text. Other tables are ignored.
pub fn parse(toml_text: &str) -> Result<Vec<Invariant>, InvariantError> {
    let file: File = toml::from_str(toml_text).map_err(|e| InvariantError::Syntax {
        line: e.span().map(|s| line_of(toml_text, s.start)).unwrap_or(0),
        message: e.message().trim().to_string(),
    })?;
    let raws = file.network.map(|n| n.invariant).unwrap_or_default();
    let mut out = Vec::with_capacity(raws.len());
    for (index, spanned) in raws.into_iter().enumerate() {
        let line = line_of(toml_text, spanned.span().start);
        let raw = spanned.into_inner();
        let invalid = |message: String| InvariantError::Invalid {
            index,
            line,
            message,
        };
        let to = match raw.to.map(|s| s.trim().to_string()) {
            Some(t) if !t.is_empty() => t,
            _ => return Err(invalid("`to` is required".into())),
        };
        let protocol = match raw.protocol.as_deref() {
            None => Protocol::Tcp,
            Some(p) => Protocol::parse(p).ok_or_else(|| {
                invalid(format!(
                    "unknown protocol `{p}`, expected tcp, udp, icmp or all"
                ))
            })?,
        };
        let ports = match &raw.ports {
            None => vec![(0, 65535)],
            Some(p) => parse_ports(p).map_err(invalid)?,
        };
        let from = raw
            .from
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let expect =
            match (raw.expect.as_deref(), raw.only_from) {
                (Some(_), Some(_)) => {
                    return Err(invalid(
                        "give either `expect` or `only_from`, not both".into(),
                    ))
                }
                (None, None) => return Err(invalid(
                    "give `expect = \"blocked\"`, `expect = \"reachable\"` or `only_from = [...]`"
                        .into(),
                )),
                (Some(e), None) => {
                    let ex = match e.trim().to_ascii_lowercase().as_str() {
                        "blocked" => Expect::Blocked,
                        "reachable" => Expect::Reachable,
                        other => {
                            return Err(invalid(format!(
                                "unknown expect `{other}`, expected `blocked` or `reachable`"
                            )))
                        }
                    };
                    if from.is_none() {
                        return Err(invalid(format!(
                            "`expect = \"{e}\"` needs `from` (internet, a CIDR or a resource)"
                        )));
                    }
                    ex
                }
                (None, Some(list)) => {
                    if from.is_some() {
                        return Err(invalid(
                            "`only_from` lists the allowed sources: drop `from`".into(),
                        ));
                    }
                    let mut list: Vec<String> = list
                        .into_iter()
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect();
                    list.sort();
                    list.dedup();
                    Expect::OnlyFrom(list)
                }
            };
        let name = raw.name.unwrap_or_else(|| match (&expect, &from) {
            (Expect::OnlyFrom(list), _) => format!(
                "only [{}] may reach {to} on {protocol}/{}",
                list.join(", "),
                format_ports(&ports)
            ),
            (Expect::Blocked, Some(f)) => {
                format!(
                    "{f} must not reach {to} on {protocol}/{}",
                    format_ports(&ports)
                )
            }
            (_, f) => format!(
                "{} must reach {to} on {protocol}/{}",
                f.as_deref().unwrap_or("?"),
                format_ports(&ports)
            ),
        });
        out.push(Invariant {
            name,
            from,
            to,
            ports,
            protocol,
            expect,
            line,
        });
    }
    Ok(out)
}

fn parse_ports(p: &RawPorts) -> Result<Vec<(u16, u16)>, String> {
    let mut ranges = Vec::new();
    match p {
        RawPorts::One(n) => ranges.push(port_number(*n)?),
        RawPorts::Text(s) => parse_port_text(s, &mut ranges)?,
        RawPorts::Many(items) => {
            for it in items {
                match it {
                    RawPort::One(n) => ranges.push(port_number(*n)?),
                    RawPort::Text(s) => parse_port_text(s, &mut ranges)?,
                }
            }
        }
    }
    if ranges.is_empty() {
        return Err("`ports` is empty".into());
    }
    Ok(merge_ranges(ranges))
}

fn port_number(n: i64) -> Result<(u16, u16), String> {
    u16::try_from(n)
        .map(|p| (p, p))
        .map_err(|_| format!("port `{n}` is outside 0-65535"))
}

fn parse_port_text(s: &str, out: &mut Vec<(u16, u16)>) -> Result<(), String> {
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if part == "*" || part.eq_ignore_ascii_case("all") {
            out.push((0, 65535));
            continue;
        }
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (part, part),
        };
        let pa: u16 = a.parse().map_err(|_| {
            format!("cannot read port `{part}`, expected `22`, `8000-8010` or `80,443`")
        })?;
        let pb: u16 = b.parse().map_err(|_| {
            format!("cannot read port `{part}`, expected `22`, `8000-8010` or `80,443`")
        })?;
        if pa > pb {
            return Err(format!("port range `{part}` is reversed"));
        }
        out.push((pa, pb));
    }
    Ok(())
}

/// Sort and merge overlapping or adjacent inclusive ranges.
pub fn merge_ranges(mut ranges: Vec<(u16, u16)>) -> Vec<(u16, u16)> {
    ranges.sort();
    let mut out: Vec<(u16, u16)> = Vec::with_capacity(ranges.len());
    for (a, b) in ranges {
        if let Some(last) = out.last_mut() {
            if u32::from(a) <= u32::from(last.1) + 1 {
                last.1 = last.1.max(b);
                continue;
            }
        }
        out.push((a, b));
    }
    out
}

// ---------------------------------------------------------------------------------------
// checking

use moat_model::aws::network::{Network, Protocol as NetProtocol, Ref};
use moat_model::{Estate, Loc, ResourceId};

use crate::{reach_with, Endpoint, Net, Path, PortSet, Query, ReachResult, Verdict};

impl Protocol {
    fn to_net(self) -> NetProtocol {
        match self {
            Protocol::Tcp => NetProtocol::Tcp,
            Protocol::Udp => NetProtocol::Udp,
            Protocol::Icmp => NetProtocol::Icmp,
            Protocol::All => NetProtocol::All,
        }
    }
}

fn port_set(ports: &[(u16, u16)]) -> PortSet {
    ports.iter().fold(PortSet::empty(), |acc, (a, b)| {
        acc.union(&PortSet::range(*a, *b))
    })
}

/// An endpoint of an invariant, resolved in one estate.
enum Side {
    Found(Endpoint),
    /// Not in this estate (the invariant may concern another root module).
    Missing,
}

fn resolve_side(estate: &Estate, s: &str) -> Side {
    if s.eq_ignore_ascii_case("internet") {
        return Side::Found(Endpoint::Internet);
    }
    if let Ok(c) = s.parse::<ipnet::IpNet>() {
        return Side::Found(Endpoint::Cidr(c));
    }
    if let Ok(ip) = s.parse::<std::net::IpAddr>() {
        return Side::Found(Endpoint::Cidr(ipnet::IpNet::from(ip)));
    }
    match estate.instances_of(s).first() {
        Some(id) => Side::Found(Endpoint::Resource(*id)),
        None => Side::Missing,
    }
}

fn path_text(p: &Path) -> String {
    let mut names: Vec<String> = Vec::new();
    // Default NACLs (allow all, nothing written) are not worth naming.
    for h in p
        .hops
        .iter()
        .filter(|h| !(h.kind == "nacl" && h.loc.is_none()))
    {
        if names.last() != Some(&h.resource) {
            names.push(h.resource.clone());
        }
    }
    names.join(" -> ")
}

/// The location that admitted the last hop into the destination (the rule to change), else
/// the last located hop.
fn path_loc(p: &Path) -> Option<Loc> {
    p.hops
        .iter()
        .rev()
        .find(|h| h.kind == "security-group" && h.loc.is_some())
        .or_else(|| p.hops.iter().rev().find(|h| h.loc.is_some()))
        .and_then(|h| h.loc.clone())
}

/// An invariant that does not hold, or that cannot be decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The invariant's `to`: the resource the finding is about.
    pub resource: ResourceId,
    /// The rule that admitted the offending path, the component that blocks an expected path,
    /// or (when neither is known) the resource itself.
    pub loc: Loc,
    /// `invariant "NAME" (moat.toml:LINE): what happens`, naming the path.
    pub message: String,
    /// Whether the invariant could not be decided (an unknown value, a `from` that is not in
    /// the estate) rather than proven violated.
    pub unknown: bool,
}

impl Violation {
    fn sort_key(&self) -> (&str, u32, &str, bool) {
        (&self.loc.file, self.loc.line, &self.message, self.unknown)
    }
}

struct Emit<'a> {
    estate: &'a Estate,
    to: ResourceId,
    inv: &'a Invariant,
    out: Vec<Violation>,
}

impl Emit<'_> {
    fn push(&mut self, loc: Option<Loc>, message: String, unknown: bool) {
        let Some(r) = self.estate.get(self.to) else {
            return;
        };
        self.out.push(Violation {
            resource: self.to,
            loc: loc.unwrap_or_else(|| r.loc.clone()),
            message: format!(
                "invariant \"{}\" (moat.toml:{}): {message}",
                self.inv.name, self.inv.line
            ),
            unknown,
        });
    }
}

/// Check invariants against one estate. An invariant whose `to` is not in this estate is
/// skipped (it may concern another root module); one whose `from` is missing is reported as
/// unknown. A violation is about `to`, located at the rule that admitted the offending path
/// (or at the blocking component for `expect = "reachable"`), and names the path. Sorted by
/// location, then message.
pub fn check(net: &Network, estate: &Estate, invariants: &[Invariant]) -> Vec<Violation> {
    let n = Net::new(net, estate);
    let mut out = Vec::new();
    for inv in invariants {
        let Side::Found(Endpoint::Resource(to)) = resolve_side(estate, &inv.to) else {
            continue;
        };
        let mut em = Emit {
            estate,
            to,
            inv,
            out: Vec::new(),
        };
        let ports = port_set(&inv.ports);
        let proto = inv.protocol.to_net();
        let pdesc = format!("{}/{}", inv.protocol, inv.ports_text());
        match &inv.expect {
            Expect::Blocked | Expect::Reachable => {
                let from_s = inv.from.as_deref().unwrap_or_default();
                let from = match resolve_side(estate, from_s) {
                    Side::Found(e) => e,
                    Side::Missing => {
                        em.push(
                            None,
                            format!("`{from_s}` is not in the scanned files, so the invariant cannot be checked"),
                            true,
                        );
                        out.extend(em.out);
                        continue;
                    }
                };
                let q = Query::new(from, Endpoint::Resource(to), proto, ports.clone());
                match reach_with(&n, &q) {
                    Err(e) => em.push(None, format!("cannot be checked: {e}"), true),
                    Ok(r) => judge_pair(&mut em, from_s, &pdesc, &r),
                }
            }
            Expect::OnlyFrom(allowed) => {
                only_from(&mut em, &n, allowed, proto, &ports, &pdesc);
            }
        }
        out.extend(em.out);
    }
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out.dedup();
    out
}

fn judge_pair(em: &mut Emit<'_>, from: &str, pdesc: &str, r: &ReachResult) {
    let to = em.inv.to.clone();
    match (&em.inv.expect, r.verdict) {
        (Expect::Blocked, Verdict::Reachable) => {
            let mut paths: Vec<&Path> = r.paths.iter().collect();
            paths.sort_by_key(|p| path_text(p));
            let loc = paths.first().and_then(|p| path_loc(p));
            let list: Vec<String> = paths
                .iter()
                .map(|p| format!("{} ({})", path_text(p), p.ports))
                .collect();
            em.push(
                loc,
                format!(
                    "`{from}` can reach `{to}` on {pdesc}, expected blocked; path: {}",
                    list.join("; ")
                ),
                false,
            );
        }
        (Expect::Reachable, Verdict::Blocked) => {
            let (loc, why) = match &r.blocked {
                Some(b) => (
                    b.loc.clone(),
                    format!("blocked at `{}` ({}): {}", b.resource, b.code, b.reason),
                ),
                None => (None, "blocked".to_string()),
            };
            em.push(
                loc,
                format!("`{from}` cannot reach `{to}` on {pdesc}, expected reachable; {why}"),
                false,
            );
        }
        (_, Verdict::Unknown) => {
            em.push(
                None,
                format!(
                    "whether `{from}` can reach `{to}` on {pdesc} is unknown: {}",
                    r.unknowns.join("; ")
                ),
                true,
            );
        }
        _ => {}
    }
}

/// Whether a source (or the load balancer it goes through) is one of the allowed entries.
fn allowed_source(n: &Net<'_>, allowed: &[String], src: &Candidate, via: Option<&str>) -> bool {
    for a in allowed {
        if let Some(v) = via {
            if v == a {
                return true;
            }
            // The LB's security group named as the allowed source.
            if let Some(lb) = n.net.load_balancers.iter().find(|l| l.address == v) {
                if lb
                    .groups
                    .iter()
                    .filter_map(Ref::res)
                    .filter_map(|g| n.estate.get(g))
                    .any(|g| g.address == *a)
                {
                    return true;
                }
            }
        }
        match src {
            Candidate::Internet => {
                if a.eq_ignore_ascii_case("internet") || a == "0.0.0.0/0" {
                    return true;
                }
            }
            Candidate::Owner {
                address,
                groups,
                subnets,
                nets,
                ..
            } => {
                if address == a || groups.contains(a) || subnets.contains(a) {
                    return true;
                }
                if let Ok(c) = a.parse::<ipnet::IpNet>() {
                    if !nets.is_empty() && nets.iter().all(|x| c.contains(x)) {
                        return true;
                    }
                }
            }
        }
    }
    false
}

enum Candidate {
    Internet,
    Owner {
        id: ResourceId,
        address: String,
        groups: Vec<String>,
        subnets: Vec<String>,
        nets: Vec<ipnet::IpNet>,
    },
}

fn candidates(n: &Net<'_>, to: ResourceId) -> Vec<Candidate> {
    let mut out = vec![Candidate::Internet];
    let mut owners: std::collections::BTreeMap<ResourceId, Candidate> = Default::default();
    let name = |id: ResourceId| n.estate.get(id).map(|r| r.address.clone());
    for e in &n.net.enis {
        if e.owner == to {
            continue;
        }
        let c = owners.entry(e.owner).or_insert_with(|| Candidate::Owner {
            id: e.owner,
            address: e.address.clone(),
            groups: Vec::new(),
            subnets: Vec::new(),
            nets: Vec::new(),
        });
        if let Candidate::Owner {
            groups,
            subnets,
            nets,
            ..
        } = c
        {
            groups.extend(e.groups.iter().filter_map(Ref::res).filter_map(name));
            subnets.extend(e.subnet.as_ref().and_then(Ref::res).and_then(name));
            match e.private_ip {
                Some(ip) => nets.push(ipnet::IpNet::from(ip)),
                None => {
                    if let Some(c) = e
                        .subnet
                        .as_ref()
                        .and_then(Ref::res)
                        .and_then(|s| n.net.subnet(s))
                        .and_then(|s| s.cidr)
                    {
                        nets.push(ipnet::IpNet::V4(c));
                    }
                }
            }
        }
    }
    out.extend(owners.into_values());
    out
}

fn only_from(
    em: &mut Emit<'_>,
    n: &Net<'_>,
    allowed: &[String],
    proto: NetProtocol,
    ports: &PortSet,
    pdesc: &str,
) {
    let to = em.inv.to.clone();
    let mut violations: Vec<(String, Option<Loc>)> = Vec::new();
    let mut unknowns: Vec<String> = Vec::new();
    for c in candidates(n, em.to) {
        let (from, label) = match &c {
            Candidate::Internet => (Endpoint::Internet, "internet".to_string()),
            Candidate::Owner { id, address, .. } => (Endpoint::Resource(*id), address.clone()),
        };
        let q = Query::new(from, Endpoint::Resource(em.to), proto, ports.clone());
        let Ok(r) = reach_with(n, &q) else { continue };
        match r.verdict {
            Verdict::Blocked => {}
            Verdict::Unknown => {
                if !allowed_source(n, allowed, &c, None) {
                    unknowns.push(format!("`{label}`: {}", r.unknowns.join("; ")));
                }
            }
            Verdict::Reachable => {
                for p in &r.paths {
                    if !allowed_source(n, allowed, &c, p.via.as_deref()) {
                        violations.push((
                            format!("`{label}` reaches it: {} ({})", path_text(p), p.ports),
                            path_loc(p),
                        ));
                    }
                }
            }
        }
    }
    violations.sort();
    violations.dedup();
    let allowed_txt = allowed
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if let Some((_, loc)) = violations.first() {
        let list: Vec<&str> = violations.iter().map(|(m, _)| m.as_str()).collect();
        em.push(
            loc.clone(),
            format!(
                "only {allowed_txt} may reach `{to}` on {pdesc}, but {}",
                list.join("; ")
            ),
            false,
        );
    }
    if !unknowns.is_empty() {
        unknowns.sort();
        em.push(
            None,
            format!(
                "only {allowed_txt} may reach `{to}` on {pdesc}; undecided for {}",
                unknowns.join("; ")
            ),
            true,
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms_with_lines() {
        let text = r#"
[rules]
skip = ["S3001"]

[[network.invariant]]
to = "aws_db_instance.main"
ports = "3306"
only_from = ["aws_lb.gw", "aws_security_group.app"]

[[network.invariant]]
name = "app is private"
from = "internet"
to = "aws_instance.app"
ports = [80, "8000-8010", 8011]
protocol = "TCP"
expect = "blocked"
"#;
        let inv = parse(text).unwrap();
        assert_eq!(inv.len(), 2);
        assert_eq!(inv[0].line, 5);
        assert_eq!(inv[0].ports, vec![(3306, 3306)]);
        assert_eq!(inv[0].protocol, Protocol::Tcp);
        assert_eq!(
            inv[0].expect,
            Expect::OnlyFrom(vec!["aws_lb.gw".into(), "aws_security_group.app".into()])
        );
        assert_eq!(
            inv[0].name,
            "only [aws_lb.gw, aws_security_group.app] may reach aws_db_instance.main on tcp/3306"
        );
        assert_eq!(inv[1].line, 10);
        assert_eq!(inv[1].name, "app is private");
        assert_eq!(inv[1].ports, vec![(80, 80), (8000, 8011)]);
        assert_eq!(inv[1].ports_text(), "80,8000-8011");
        assert_eq!(inv[1].expect, Expect::Blocked);
        assert_eq!(inv[1].from.as_deref(), Some("internet"));
    }

    #[test]
    fn no_network_table_is_no_invariant() {
        assert!(parse("[rules]\nskip = []\n").unwrap().is_empty());
        assert!(parse("").unwrap().is_empty());
    }

    #[test]
    fn errors_name_the_line_and_the_problem() {
        let e = parse("[[network.invariant]]\nto = \"x\"\nports = \"22\"\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "moat.toml:1: network invariant 0: give `expect = \"blocked\"`, `expect = \"reachable\"` or `only_from = [...]`"
        );
        let e = parse("\n[[network.invariant]]\nto = \"x\"\nexpect = \"blocked\"\n").unwrap_err();
        assert!(e.to_string().contains("needs `from`"), "{e}");
        let e = parse("[[network.invariant]]\nfrom = \"internet\"\nto = \"x\"\nports = \"70000\"\nexpect = \"blocked\"\n")
            .unwrap_err();
        assert!(e.to_string().contains("`70000`"), "{e}");
        let e =
            parse("[[network.invariant]]\nfrom = \"internet\"\nto = \"x\"\nexpect = \"open\"\n")
                .unwrap_err();
        assert!(e.to_string().contains("unknown expect `open`"), "{e}");
        let e = parse("[[network.invariant]]\nfrom = \"internet\"\nto = \"x\"\nexpect = \"blocked\"\nport = 22\n")
            .unwrap_err();
        assert!(matches!(e, InvariantError::Syntax { line: 5, .. }), "{e:?}");
        assert!(e.to_string().contains("unknown field `port`"), "{e}");
        let e = parse("[[network.invariant]\n").unwrap_err();
        assert!(matches!(e, InvariantError::Syntax { line: 1, .. }), "{e:?}");
    }

    #[test]
    fn merges_ranges() {
        assert_eq!(
            merge_ranges(vec![(443, 443), (80, 80), (81, 90), (85, 100)]),
            vec![(80, 100), (443, 443)]
        );
        assert_eq!(
            merge_ranges(vec![(0, 65535), (65535, 65535)]),
            vec![(0, 65535)]
        );
    }
}
