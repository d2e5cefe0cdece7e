//! Reachability queries: can traffic get from a source to a destination, along which paths,
//! or which component blocks it (CONTRACTS.md, `moat reach`). The verdict is the engine's
//! (`moat_net::unread::reach_in`, which also accounts for files that could not be read);
//! this module only finds the root module that holds both ends.

use moat_model::aws::network::{parse_net, Protocol};
use moat_model::{Estate, ResourceId, ScanError};
use moat_net::{Endpoint, PortSet, Query, ReachResult};

use crate::{root_label, Error, Workspace};

/// A query: `from` and `to` are `internet`, a CIDR or an IP address, or a resource name (an
/// instance, load balancer, database, subnet; a security group means any member).
#[derive(Clone, Debug, PartialEq)]
pub struct ReachQuery {
    pub from: String,
    pub to: String,
    pub protocol: Protocol,
    /// The ports DST receives on ([`PortSet::all`] for every port).
    pub ports: PortSet,
}

/// The answer to a query.
#[derive(Clone, Debug, PartialEq)]
pub struct Reach {
    /// The engine's answer: verdict, paths, the blocking component, the unknowns (files that
    /// could not be read among them).
    pub result: ReachResult,
    /// Files of other root modules that could not be read: they cannot change this answer,
    /// but the user should know.
    pub warnings: Vec<ScanError>,
}

/// Parse a query end against an estate. `None` when the name is not in this estate.
pub fn parse_endpoint(s: &str, estate: &Estate) -> Option<Endpoint> {
    if s.eq_ignore_ascii_case("internet") {
        return Some(Endpoint::Internet);
    }
    if let Some(n) =
        parse_net(s).filter(|_| s.contains('/') || s.parse::<std::net::IpAddr>().is_ok())
    {
        return Some(Endpoint::Cidr(n));
    }
    estate
        .instances_of(s)
        .first()
        .map(|id| Endpoint::Resource(*id))
        .or_else(|| {
            estate
                .resources
                .iter()
                .position(|r| r.name == s || r.display_name() == s)
                .and_then(|i| u32::try_from(i).ok())
                .map(|i| Endpoint::Resource(ResourceId(i)))
        })
}

/// Whether a query end is meant as an address (digits, dots, colons, a slash).
fn looks_like_cidr(s: &str) -> bool {
    !s.is_empty()
        && s.contains(['.', ':', '/'])
        && s.chars()
            .all(|c| c.is_ascii_hexdigit() || matches!(c, '.' | ':' | '/'))
        && s.starts_with(|c: char| c.is_ascii_digit() || c == ':')
}

impl Workspace {
    /// Answer a reachability query in the root module that holds both ends. Usage errors: an
    /// invalid CIDR, an end that is in no root module, ends in different root modules, or in
    /// several (the caller then names one root module's directory).
    pub fn reach(&self, q: &ReachQuery) -> Result<Reach, Error> {
        self.require_something()?;
        for (flag, v) in [("--from", &q.from), ("--to", &q.to)] {
            if looks_like_cidr(v) && parse_net(v).is_none() {
                return Err(Error::usage(format!(
                    "`{flag} {v}` is not a valid CIDR block or IP address (examples: `10.0.0.0/8`, `203.0.113.7`, `2001:db8::/32`)"
                )));
            }
        }
        // Every root module that contains both ends; a query is answered in one root only, so
        // several matching roots are an ambiguity the user resolves by naming the root.
        let matching: Vec<(&crate::Root, &Estate, Endpoint, Endpoint)> = self
            .roots()
            .iter()
            .flat_map(|root| root.estates.iter().map(move |e| (root, e)))
            .filter_map(|(root, e)| {
                Some((
                    root,
                    e,
                    parse_endpoint(&q.from, e)?,
                    parse_endpoint(&q.to, e)?,
                ))
            })
            .collect();
        if matching.len() > 1 {
            let mut roots: Vec<String> =
                matching.iter().map(|(_, e, _, _)| root_label(e)).collect();
            roots.sort();
            roots.dedup();
            return Err(Error::usage(format!(
                "`{}` and `{}` are both in several root modules ({}): run `moat reach` on one of these directories",
                q.from,
                q.to,
                roots.join(", ")
            )));
        }
        let Some((root, e, from, to)) = matching.into_iter().next() else {
            let missing: Vec<&str> = [&q.from, &q.to]
                .into_iter()
                .filter(|s| !self.estates().any(|e| parse_endpoint(s, e).is_some()))
                .map(String::as_str)
                .collect();
            let msg = if missing.is_empty() {
                format!(
                    "`{}` and `{}` are not in the same root module of the scanned files: run `moat reach` on the root module that contains both",
                    q.from, q.to
                )
            } else {
                // The example is in the words of what was scanned.
                let example = if self.estates().any(|e| {
                    e.resources
                        .iter()
                        .any(|r| r.frontend == moat_model::Frontend::CloudFormation)
                }) {
                    "a logical ID such as `WebServer`"
                } else {
                    "a resource address such as `aws_instance.web`"
                };
                format!(
                    "{} {} not a resource of the scanned files (use `internet`, a CIDR, or {example})",
                    missing
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(" and "),
                    if missing.len() > 1 { "are" } else { "is" }
                )
            };
            return Err(Error::Usage(msg));
        };
        let query = Query::new(from, to, q.protocol, q.ports.clone());
        let result = moat_net::unread::reach_in(&e.aws.network, e, &query, self.errors())
            .map_err(|x| Error::Usage(x.to_string()))?;
        // Files of this root module that could not be read are in the answer; those of other
        // root modules are worth a warning.
        let own: Vec<ScanError> = e
            .errors
            .iter()
            .filter(|x| !x.is_reference_cycle())
            .map(|x| ScanError {
                file: self.name(root, &x.file),
                ..x.clone()
            })
            .collect();
        let warnings = self
            .errors()
            .iter()
            .filter(|x| !own.contains(x))
            .cloned()
            .collect();
        Ok(Reach { result, warnings })
    }
}
