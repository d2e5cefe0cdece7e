//! The Terraform adapter of the storage family ([`moat_model::aws::storage`]).
//!
//! Since version 4 of the AWS provider a bucket's settings live in separate resources
//! (`aws_s3_bucket_versioning`, `aws_s3_bucket_public_access_block`, ...), linked to the bucket
//! by a reference (`bucket = aws_s3_bucket.b.id`) or by a literal bucket name equal to the
//! bucket's `bucket` attribute; the legacy inline blocks on `aws_s3_bucket` still count when no
//! separate resource exists. A separate resource whose `bucket` is unknown could belong to any
//! bucket: buckets that have no linked resource of that kind then see the setting as unknown,
//! never as absent. So does a separate resource naming a bucket that is not in the estate,
//! for a bucket whose own name is unknown.

use std::collections::{BTreeSet, HashMap};

use moat_model::aws::storage::{
    Bucket, Grant, GrantSource, PublicAccessBlock, Sse, Storage, UnknownLink,
};
use moat_model::aws::{Attr, AttrValue};
use moat_model::{Estate, Loc, Node, Resolved, Resource, ResourceId, Unknown, Value};

const BUCKET: &str = "aws_s3_bucket";

/// The kinds of separate resources that configure a bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Split {
    Encryption,
    Versioning,
    PublicAccessBlock,
    Logging,
    Acl,
    Lifecycle,
    Policy,
}

const SPLIT_TYPES: [(Split, &str); 7] = [
    (
        Split::Encryption,
        "aws_s3_bucket_server_side_encryption_configuration",
    ),
    (Split::Versioning, "aws_s3_bucket_versioning"),
    (
        Split::PublicAccessBlock,
        "aws_s3_bucket_public_access_block",
    ),
    (Split::Logging, "aws_s3_bucket_logging"),
    (Split::Acl, "aws_s3_bucket_acl"),
    (Split::Lifecycle, "aws_s3_bucket_lifecycle_configuration"),
    (Split::Policy, "aws_s3_bucket_policy"),
];

#[derive(Default)]
struct Links<'a> {
    /// (kind, bucket) -> separate resources
    linked: HashMap<(Split, ResourceId), Vec<(ResourceId, &'a Resource)>>,
    /// separate resources whose bucket is unknown: could be any bucket
    floating: HashMap<Split, (ResourceId, &'a Resource, Unknown)>,
    /// separate resources naming a literal bucket that is not in the estate: could be a bucket
    /// whose own name is unknown
    unmatched: HashMap<Split, (ResourceId, &'a Resource, String)>,
}

/// Build the storage family of a Terraform estate.
pub(super) fn build(e: &Estate) -> Storage {
    let mut by_name: HashMap<&str, Vec<ResourceId>> = HashMap::new();
    for (id, b) in e.managed_of_type(BUCKET) {
        if let Some(name) = b.str_attr("bucket") {
            by_name.entry(name).or_default().push(id);
        }
    }
    let mut links = Links::default();
    for (kind, t) in SPLIT_TYPES {
        for (rid, r) in e.managed_of_type(t) {
            let Some(node) = r.get("bucket") else {
                continue;
            };
            match &node.value {
                Value::String(s) => match by_name.get(s.as_str()) {
                    Some(ids) => {
                        for id in ids {
                            links.linked.entry((kind, *id)).or_default().push((rid, r));
                        }
                    }
                    None => {
                        links.unmatched.entry(kind).or_insert((rid, r, s.clone()));
                    }
                },
                Value::Unknown(_) => match e.resolve(node, &[BUCKET], &[]) {
                    Resolved::Resource(id) if e.get(id).is_some_and(|b| b.rtype == BUCKET) => {
                        links.linked.entry((kind, id)).or_default().push((rid, r));
                    }
                    Resolved::Resource(_) | Resolved::External(_) | Resolved::Absent => {}
                    Resolved::Unknown(u) => {
                        links.floating.entry(kind).or_insert((rid, r, u));
                    }
                },
                _ => {}
            }
        }
    }
    let account = e
        .managed_of_type("aws_s3_account_public_access_block")
        .next();
    let own_blocks = own_public_access_blocks(e);
    let (log_targets, log_target_unknown) = log_targets(e);
    let buckets = e
        .managed_of_type(BUCKET)
        .map(|(id, b)| {
            let mut bucket = bucket(id, b, &links, account);
            bucket.own_public_access_block = own_blocks.contains(&id);
            bucket.receives_access_logs = log_targets.contains(&id);
            bucket
        })
        .collect();
    Storage {
        buckets,
        log_target_unknown,
    }
}

/// The buckets named (by reference or name) by an `aws_s3_bucket_public_access_block`.
fn own_public_access_blocks(e: &Estate) -> BTreeSet<ResourceId> {
    let mut out = BTreeSet::new();
    for (_, p) in e.managed_of_type("aws_s3_bucket_public_access_block") {
        if let Some(n) = p.get("bucket") {
            if let Resolved::Resource(id) = e.resolve(n, &[BUCKET], &["bucket"]) {
                out.insert(id);
            }
        }
    }
    out
}

/// The buckets that receive access logs, and the first logging configuration whose target is
/// unknown (it could be any bucket).
fn log_targets(e: &Estate) -> (BTreeSet<ResourceId>, Option<UnknownLink>) {
    let mut targets = BTreeSet::new();
    let mut unknown = None;
    let mut sources: Vec<(ResourceId, &Resource, &Node)> = Vec::new();
    for (id, r) in e.managed_of_type("aws_s3_bucket_logging") {
        if let Some(n) = r.get("target_bucket") {
            sources.push((id, r, n));
        }
    }
    for (id, b) in e.managed_of_type(BUCKET) {
        for block in b.blocks("logging") {
            if let Some(n) = block.get("target_bucket") {
                sources.push((id, b, n));
            }
        }
    }
    for (id, r, n) in sources {
        match e.resolve(n, &[BUCKET], &["bucket"]) {
            Resolved::Resource(t) => {
                targets.insert(t);
            }
            Resolved::Unknown(u) => {
                if unknown.is_none() {
                    unknown = Some(UnknownLink {
                        from: id,
                        loc: loc_or(n, r),
                        why: u,
                    });
                }
            }
            Resolved::External(_) | Resolved::Absent => {}
        }
    }
    (targets, unknown)
}

/// How one setting is decided for one bucket: the linked separate resources of its kind (none:
/// the bucket's inline configuration applies), or the unknown link that may configure it.
type SplitOf<'a> = Result<Vec<(ResourceId, &'a Resource)>, UnknownLink>;

fn bucket(
    id: ResourceId,
    b: &Resource,
    links: &Links<'_>,
    account: Option<(ResourceId, &Resource)>,
) -> Bucket {
    let name_unknown = b.get("bucket").is_some_and(Node::is_unknown);
    let split = |kind: Split| -> SplitOf<'_> {
        if let Some(v) = links.linked.get(&(kind, id)) {
            return Ok(v.clone());
        }
        if let Some((rid, r, u)) = links.floating.get(&kind) {
            return Err(UnknownLink {
                from: *rid,
                loc: r.loc_of("bucket").clone(),
                why: u.clone(),
            });
        }
        if name_unknown {
            if let Some((rid, r, s)) = links.unmatched.get(&kind) {
                let why = b
                    .get("bucket")
                    .and_then(Node::unknown_reason)
                    .map(|u| u.to_string())
                    .unwrap_or_default();
                return Err(UnknownLink {
                    from: *rid,
                    loc: r.loc_of("bucket").clone(),
                    why: Unknown::derived(format!(
                        "`{}` names bucket `{s}`, and this bucket's name is unknown ({why})",
                        r.address
                    )),
                });
            }
        }
        Ok(Vec::new())
    };
    let at = Place { id, b };

    let encryption = match split(Split::Encryption) {
        Err(l) => unknown_link(l, SSE_PATH),
        Ok(v) => match v.first() {
            Some((rid, r)) => sse_from_rules(*rid, r, r.blocks("rule"), SSE_PATH),
            None => match b.blocks("server_side_encryption_configuration").first() {
                Some(cfg) => sse_from_rules(
                    id,
                    b,
                    cfg.blocks("rule"),
                    "server_side_encryption_configuration.rule.apply_server_side_encryption_by_default.sse_algorithm",
                ),
                None => at.default(None, SSE_PATH),
            },
        },
    };

    const STATUS: &str = "versioning_configuration.status";
    let versioning = match split(Split::Versioning) {
        Err(l) => unknown_link(l, STATUS),
        Ok(v) => match v.first() {
            Some((rid, r)) => {
                let cfg = r.blocks("versioning_configuration");
                match cfg.first().and_then(|c| c.get("status")) {
                    Some(n) => string_attr(*rid, r, n, STATUS),
                    None => Attr::known("Disabled".to_string(), r.loc.clone(), STATUS, *rid),
                }
            }
            None => {
                const ENABLED: &str = "versioning.enabled";
                match b
                    .blocks("versioning")
                    .first()
                    .and_then(|c| c.get("enabled"))
                {
                    Some(n) => match (&n.value, n.as_bool()) {
                        (Value::Unknown(u), _) => {
                            Attr::unknown(u.clone(), loc_or(n, b), ENABLED, id)
                        }
                        (_, Some(on)) => Attr::known(
                            if on { "Enabled" } else { "Disabled" }.to_string(),
                            loc_or(n, b),
                            ENABLED,
                            id,
                        ),
                        // Not a bool: read as never enabled (a failure, never a pass).
                        _ => at.default("Disabled".to_string(), ENABLED),
                    },
                    None => at.default("Disabled".to_string(), STATUS),
                }
            }
        },
    };

    // Block Public Access: a flag is on when it is on at the bucket or the account level.
    let bucket_pab = split(Split::PublicAccessBlock);
    let flag = |name: &'static str| -> Attr<bool> {
        let at_bucket = match &bucket_pab {
            Err(l) => unknown_link(l.clone(), name),
            Ok(v) => match v.first() {
                Some((rid, r)) => bool_attr(*rid, r, name, at),
                None => at.default(false, name),
            },
        };
        let at_account = match account {
            Some((rid, r)) => bool_attr(rid, r, name, at),
            None => at.default(false, name),
        };
        // On at either level wins; then an undecided level (bucket first); else the bucket's.
        let on = |a: &Attr<bool>| a.written() == Some(&true);
        if on(&at_bucket) {
            at_bucket
        } else if on(&at_account) || (at_account.is_undecided() && !at_bucket.is_undecided()) {
            at_account
        } else {
            at_bucket
        }
    };
    let public_access_block = PublicAccessBlock {
        block_public_acls: flag("block_public_acls"),
        block_public_policy: flag("block_public_policy"),
        ignore_public_acls: flag("ignore_public_acls"),
        restrict_public_buckets: flag("restrict_public_buckets"),
    };

    const TARGET: &str = "target_bucket";
    let logging = match split(Split::Logging) {
        Err(l) => unknown_link(l, TARGET),
        Ok(v) => match v.first() {
            Some((rid, r)) => match r.get(TARGET) {
                Some(n) if n.is_null() => at.default(false, TARGET),
                _ => Attr::known(true, r.loc.clone(), TARGET, *rid),
            },
            None => match b.get("logging") {
                Some(n) if !n.as_block_list().is_empty() => {
                    Attr::known(true, loc_or(n, b), "logging", id)
                }
                Some(n) if n.is_unknown() => Attr::unknown(
                    n.unknown_reason()
                        .cloned()
                        .unwrap_or_else(|| Unknown::derived("")),
                    loc_or(n, b),
                    "logging",
                    id,
                ),
                _ => at.default(false, TARGET),
            },
        },
    };

    let mut grants = Vec::new();
    let acl = match split(Split::Acl) {
        Err(l) => unknown_link(l, "acl"),
        Ok(v) => match v.first() {
            Some((rid, r)) => {
                for p in r.blocks("access_control_policy") {
                    for g in p.blocks("grant") {
                        grants.extend(grant(
                            *rid,
                            r,
                            g,
                            GrantSource::AclResource,
                            "access_control_policy.grant",
                        ));
                    }
                }
                match r.get("acl") {
                    Some(n) if !n.is_null() => string_attr(*rid, r, n, "acl"),
                    _ => at.default("private".to_string(), "acl"),
                }
            }
            None => {
                for g in b.blocks("grant") {
                    grants.extend(grant(id, b, g, GrantSource::Bucket, "grant"));
                }
                match b.get("acl") {
                    Some(n) if !n.is_null() => string_attr(id, b, n, "acl"),
                    _ => at.default("private".to_string(), "acl"),
                }
            }
        },
    };

    let lifecycle = match split(Split::Lifecycle) {
        Err(l) => unknown_link(l, "rule.status"),
        Ok(v) => match v.first() {
            Some((rid, r)) => any_enabled(*rid, r, r.blocks("rule"), "status", "rule.status"),
            None => {
                let rules = b.blocks("lifecycle_rule");
                if rules.is_empty() {
                    at.default(false, "rule.status")
                } else {
                    any_enabled(id, b, rules, "enabled", "lifecycle_rule.enabled")
                }
            }
        },
    };

    let mut policies = Vec::new();
    let mut policy_link_unknown = None;
    match split(Split::Policy) {
        Err(l) => policy_link_unknown = Some(l),
        Ok(v) => {
            for (rid, r) in v {
                if r.get("policy").is_some() {
                    policies.push(rid);
                }
            }
        }
    }
    if b.get("policy").is_some_and(|n| !n.is_null()) {
        policies.push(id);
    }

    Bucket {
        id,
        name: moat_model::aws::setting::read_opt(b, id, "bucket", "bucket", "a name", |n| {
            n.as_str().map(str::to_string)
        }),
        encryption,
        versioning,
        public_access_block,
        own_public_access_block: false,
        logging,
        receives_access_logs: false,
        acl,
        grants,
        lifecycle,
        policies,
        policy_link_unknown,
    }
}

const SSE_PATH: &str = "rule.apply_server_side_encryption_by_default.sse_algorithm";

/// The bucket a default belongs to: defaults are located at its declaration.
#[derive(Clone, Copy)]
struct Place<'a> {
    id: ResourceId,
    b: &'a Resource,
}

impl Place<'_> {
    fn default<T>(self, v: T, path: &'static str) -> Attr<T> {
        Attr::default(v, self.b.loc.clone(), path, self.id)
    }
}

fn unknown_link<T>(l: UnknownLink, path: &'static str) -> Attr<T> {
    Attr::unknown(l.why, l.loc, path, l.from)
}

fn loc_or(n: &Node, r: &Resource) -> Loc {
    n.loc.clone().unwrap_or_else(|| r.loc.clone())
}

/// A string setting as written (a non-string is rendered as written).
fn string_attr(rid: ResourceId, r: &Resource, n: &Node, path: &'static str) -> Attr<String> {
    match &n.value {
        Value::Unknown(u) => Attr::unknown(u.clone(), loc_or(n, r), path, rid),
        v => Attr::known(v.to_string(), loc_or(n, r), path, rid),
    }
}

/// A boolean attribute of `r`, `false` when absent (the default is located at the bucket).
fn bool_attr(rid: ResourceId, r: &Resource, name: &'static str, at: Place<'_>) -> Attr<bool> {
    match r.get(name) {
        None => at.default(false, name),
        Some(n) if n.is_null() => at.default(false, name),
        Some(n) => match (&n.value, n.as_bool()) {
            (Value::Unknown(u), _) => Attr::unknown(u.clone(), loc_or(n, r), name, rid),
            (_, Some(v)) => Attr::known(v, loc_or(n, r), name, rid),
            (v, None) => Attr::new(
                AttrValue::Invalid {
                    written: v.to_string(),
                    expected: "a bool",
                },
                loc_or(n, r),
                name,
                rid,
            ),
        },
    }
}

fn sse_from_rules(
    rid: ResourceId,
    r: &Resource,
    rules: Vec<&Node>,
    path: &'static str,
) -> Attr<Option<Sse>> {
    for rule in rules {
        for d in rule.blocks("apply_server_side_encryption_by_default") {
            let Some(alg) = d.get("sse_algorithm") else {
                continue;
            };
            return match &alg.value {
                Value::Unknown(u) => Attr::unknown(u.clone(), loc_or(alg, r), path, rid),
                v => {
                    let kms_key = d
                        .get("kms_master_key_id")
                        .is_some_and(|k| !k.is_null() && k.as_str().is_none_or(|s| !s.is_empty()));
                    Attr::known(
                        Some(Sse {
                            algorithm: v.to_string(),
                            kms_key,
                        }),
                        loc_or(alg, r),
                        path,
                        rid,
                    )
                }
            };
        }
    }
    Attr::known(None, r.loc.clone(), path, rid)
}

/// Whether any lifecycle rule is enabled (`key`: `status = "Enabled"` in the separate
/// resource, `enabled = true` inline).
fn any_enabled(
    rid: ResourceId,
    r: &Resource,
    rules: Vec<&Node>,
    key: &str,
    path: &'static str,
) -> Attr<bool> {
    let mut unknown = None;
    for rule in &rules {
        match rule.get(key) {
            Some(n) if n.is_unknown() && unknown.is_none() => {
                unknown = Some((n.unknown_reason().cloned(), loc_or(n, r)));
            }
            Some(n) if n.is_unknown() => {}
            Some(n) => {
                let on = n.as_bool() == Some(true) || n.as_str() == Some("Enabled");
                if on {
                    return Attr::known(true, loc_or(n, r), path, rid);
                }
            }
            // `enabled` is required inline; `status` is required in the separate resource.
            None => {}
        }
    }
    match unknown {
        Some((u, loc)) => Attr::unknown(
            u.unwrap_or_else(|| Unknown::derived("lifecycle rule status is unknown")),
            loc,
            path,
            rid,
        ),
        None => Attr::known(false, r.loc.clone(), path, rid),
    }
}

/// A grant to a grantee named by URI (`uri`, or `grantee.uri` in an `access_control_policy`).
fn grant(
    rid: ResourceId,
    r: &Resource,
    g: &Node,
    source: GrantSource,
    block: &'static str,
) -> Option<Grant> {
    let (uri, path) = match g.get("uri") {
        Some(n) => (n, "uri"),
        None => (
            g.blocks("grantee").first().and_then(|gr| gr.get("uri"))?,
            "grantee.uri",
        ),
    };
    let permission = g
        .get("permission")
        .or_else(|| g.get("permissions"))
        .map(Node::to_string)
        .unwrap_or_default();
    let loc = loc_or(uri, r);
    let path = format!("{block}.{path}");
    let uri = match &uri.value {
        Value::String(s) => Attr::known(s.clone(), loc, path, rid),
        Value::Unknown(u) => Attr::unknown(u.clone(), loc, path, rid),
        v => Attr::new(
            AttrValue::Invalid {
                written: v.to_string(),
                expected: "a string",
            },
            loc,
            path,
            rid,
        ),
    };
    Some(Grant {
        source,
        uri,
        permission,
    })
}
