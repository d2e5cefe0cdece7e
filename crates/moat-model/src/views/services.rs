//! Typed views of services: S3 buckets with their split resources merged, and the IAM-style
//! policy documents of the estate (identity, trust, bucket and key policies), parsed.
//!
//! A setting that lives in a split resource (`aws_s3_bucket_versioning`) is linked to its
//! bucket by a computed reference (`bucket = aws_s3_bucket.b.id`) or by a literal bucket name
//! equal to the bucket's `bucket` attribute. A split resource whose `bucket` is unknown could
//! belong to any bucket: buckets that have no linked resource of that kind then see the setting
//! as unknown, never as absent.

use std::collections::HashMap;

use crate::estate::{Estate, Resolved, Resource, ResourceId};
use crate::value::{Loc, Node, Unknown, Value};

/// The effective value of a setting and the place that decides it.
#[derive(Clone, Debug)]
pub enum Eff<'a, T> {
    /// Written in `from` at `loc`.
    Set {
        value: T,
        loc: Loc,
        from: &'a Resource,
    },
    /// Written nowhere: the AWS default applies.
    Default(T),
    /// Cannot be decided offline.
    Unknown {
        reason: Unknown,
        loc: Loc,
        from: &'a Resource,
    },
}

impl<T: PartialEq> PartialEq for Eff<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Eff::Default(a), Eff::Default(b)) => a == b,
            (
                Eff::Set { value, loc, from },
                Eff::Set {
                    value: v2,
                    loc: l2,
                    from: f2,
                },
            ) => value == v2 && loc == l2 && from.address == f2.address,
            (
                Eff::Unknown { reason, loc, from },
                Eff::Unknown {
                    reason: r2,
                    loc: l2,
                    from: f2,
                },
            ) => reason == r2 && loc == l2 && from.address == f2.address,
            _ => false,
        }
    }
}

impl<'a, T> Eff<'a, T> {
    pub fn value(&self) -> Option<&T> {
        match self {
            Eff::Set { value, .. } | Eff::Default(value) => Some(value),
            Eff::Unknown { .. } => None,
        }
    }

    /// Where the decision is written; `None` for a default.
    pub fn loc(&self) -> Option<&Loc> {
        match self {
            Eff::Set { loc, .. } | Eff::Unknown { loc, .. } => Some(loc),
            Eff::Default(_) => None,
        }
    }

    /// The resource that holds the setting; `None` for a default.
    pub fn from(&self) -> Option<&'a Resource> {
        match self {
            Eff::Set { from, .. } | Eff::Unknown { from, .. } => Some(from),
            Eff::Default(_) => None,
        }
    }
}

/// Server-side encryption by default.
#[derive(Clone, Debug, PartialEq)]
pub struct Sse {
    /// `AES256`, `aws:kms`, `aws:kms:dsse`.
    pub algorithm: String,
    /// Whether `kms_master_key_id` is set (a computed reference counts as set).
    pub kms_key: bool,
}

/// One bucket policy (inline `policy` or `aws_s3_bucket_policy`).
#[derive(Clone, Debug)]
pub struct BucketPolicy<'a> {
    pub from: &'a Resource,
    pub node: &'a Node,
}

/// An `aws_s3_bucket` with every setting merged from inline blocks and split resources.
#[derive(Clone, Debug)]
pub struct S3Bucket<'a> {
    pub id: ResourceId,
    pub resource: &'a Resource,
    /// `None` when no default encryption is configured (AWS then applies SSE-S3).
    pub encryption: Eff<'a, Option<Sse>>,
    /// `Enabled`, `Suspended` or `Disabled` (never enabled).
    pub versioning: Eff<'a, String>,
    pub block_public_acls: Eff<'a, bool>,
    pub block_public_policy: Eff<'a, bool>,
    pub ignore_public_acls: Eff<'a, bool>,
    pub restrict_public_buckets: Eff<'a, bool>,
    /// Server access logging configured.
    pub logging: Eff<'a, bool>,
    /// Canned ACL (`private` by default).
    pub acl: Eff<'a, String>,
    /// Grants of `access_control_policy` blocks (each a map node with `grantee` and
    /// `permission`), with the resource holding them.
    pub grants: Vec<(&'a Resource, &'a Node)>,
    /// A lifecycle configuration with at least one enabled rule.
    pub lifecycle: Eff<'a, bool>,
    pub policies: Vec<BucketPolicy<'a>>,
    /// A bucket policy resource whose `bucket` is unknown (could apply to this bucket).
    pub policy_unknown: Option<(&'a Resource, Unknown)>,
}

pub const PUBLIC_ACCESS_FLAGS: [&str; 4] = [
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
];

impl<'a> S3Bucket<'a> {
    /// The four public access block flags, in [`PUBLIC_ACCESS_FLAGS`] order.
    pub fn public_access_flags(&self) -> [(&'static str, &Eff<'a, bool>); 4] {
        [
            ("block_public_acls", &self.block_public_acls),
            ("block_public_policy", &self.block_public_policy),
            ("ignore_public_acls", &self.ignore_public_acls),
            ("restrict_public_buckets", &self.restrict_public_buckets),
        ]
    }
}

const SPLIT_TYPES: [&str; 8] = [
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_logging",
    "aws_s3_bucket_acl",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_policy",
    // Kept last: not a bucket setting, but a linked resource.
    "aws_s3_bucket_ownership_controls",
];

#[derive(Default)]
struct Links<'a> {
    /// (split type index, bucket) -> split resources
    linked: HashMap<(usize, ResourceId), Vec<&'a Resource>>,
    /// split resources whose bucket is unknown: could be any bucket
    floating: HashMap<usize, (&'a Resource, Unknown)>,
    /// split resources naming a literal bucket that is not in the estate: could be a bucket
    /// whose own name is unknown
    unmatched: HashMap<usize, (&'a Resource, String)>,
}

/// Every `aws_s3_bucket` of the estate, in address order, with its settings merged.
pub fn s3_buckets(estate: &Estate) -> Vec<S3Bucket<'_>> {
    let mut by_name: HashMap<&str, Vec<ResourceId>> = HashMap::new();
    for (id, b) in estate.managed_of_type("aws_s3_bucket") {
        if let Some(name) = b.str_attr("bucket") {
            by_name.entry(name).or_default().push(id);
        }
    }
    let mut links = Links::default();
    for (ti, t) in SPLIT_TYPES.iter().enumerate() {
        for (_, r) in estate.managed_of_type(t) {
            let Some(node) = r.get("bucket") else {
                continue;
            };
            match &node.value {
                Value::String(s) => match by_name.get(s.as_str()) {
                    Some(ids) => {
                        for id in ids {
                            links.linked.entry((ti, *id)).or_default().push(r);
                        }
                    }
                    None => {
                        links.unmatched.entry(ti).or_insert((r, s.clone()));
                    }
                },
                Value::Unknown(_) => match estate.resolve(node, &["aws_s3_bucket"], &[]) {
                    Resolved::Resource(id)
                        if estate.get(id).is_some_and(|b| b.rtype == "aws_s3_bucket") =>
                    {
                        links.linked.entry((ti, id)).or_default().push(r);
                    }
                    Resolved::Resource(_) | Resolved::External(_) | Resolved::Absent => {}
                    Resolved::Unknown(u) => {
                        links.floating.entry(ti).or_insert((r, u));
                    }
                },
                _ => {}
            }
        }
    }
    let mut account_flags: Vec<&Resource> = estate
        .managed_of_type("aws_s3_account_public_access_block")
        .map(|(_, r)| r)
        .collect();
    account_flags.truncate(1);
    estate
        .managed_of_type("aws_s3_bucket")
        .map(|(id, b)| bucket_view(id, b, &links, account_flags.first().copied()))
        .collect()
}

fn bucket_view<'a>(
    id: ResourceId,
    b: &'a Resource,
    links: &Links<'a>,
    account: Option<&'a Resource>,
) -> S3Bucket<'a> {
    let name_unknown = b.get("bucket").is_some_and(Node::is_unknown);
    // The split resources of kind `ti` for this bucket, or the reason they are unknown.
    let split = |ti: usize| -> Result<Vec<&'a Resource>, (&'a Resource, Unknown)> {
        if let Some(v) = links.linked.get(&(ti, id)) {
            return Ok(v.clone());
        }
        if let Some((r, u)) = links.floating.get(&ti) {
            return Err((r, u.clone()));
        }
        if name_unknown {
            if let Some((r, s)) = links.unmatched.get(&ti) {
                let why = b
                    .get("bucket")
                    .and_then(Node::unknown_reason)
                    .map(|u| u.to_string())
                    .unwrap_or_default();
                return Err((
                    r,
                    Unknown::derived(format!(
                        "`{}` names bucket `{s}`, and this bucket's name is unknown ({why})",
                        r.address
                    )),
                ));
            }
        }
        Ok(Vec::new())
    };

    // Encryption.
    let encryption = match split(0) {
        Err((r, u)) => unknown_link(r, u),
        Ok(v) => match v.first() {
            Some(r) => sse_from_rules(r, r.blocks("rule")),
            None => match b.blocks("server_side_encryption_configuration").first() {
                Some(cfg) => sse_from_rules(b, cfg.blocks("rule")),
                None => Eff::Default(None),
            },
        },
    };

    // Versioning.
    let versioning = match split(1) {
        Err((r, u)) => unknown_link(r, u),
        Ok(v) => match v.first() {
            Some(r) => {
                let cfg = r.blocks("versioning_configuration");
                match cfg.first().and_then(|c| c.get("status")) {
                    Some(n) => string_eff(r, n),
                    None => Eff::Set {
                        value: "Disabled".to_string(),
                        loc: r.loc.clone(),
                        from: r,
                    },
                }
            }
            None => match b
                .blocks("versioning")
                .first()
                .and_then(|c| c.get("enabled"))
            {
                Some(n) => match (&n.value, n.as_bool()) {
                    (Value::Unknown(u), _) => Eff::Unknown {
                        reason: u.clone(),
                        loc: loc_or(n, b),
                        from: b,
                    },
                    (_, Some(e)) => Eff::Set {
                        value: if e { "Enabled" } else { "Disabled" }.to_string(),
                        loc: loc_or(n, b),
                        from: b,
                    },
                    _ => Eff::Default("Disabled".to_string()),
                },
                None => Eff::Default("Disabled".to_string()),
            },
        },
    };

    // Public access block: bucket-level OR account-level.
    let bucket_pab = split(2);
    let flag = |name: &str| -> Eff<'a, bool> {
        let at_bucket = match &bucket_pab {
            Err((r, u)) => unknown_link(r, u.clone()),
            Ok(v) => match v.first() {
                Some(r) => bool_eff(r, name, false),
                None => Eff::Default(false),
            },
        };
        let at_account = match account {
            Some(r) => bool_eff(r, name, false),
            None => Eff::Default(false),
        };
        match (&at_bucket, &at_account) {
            (Eff::Set { value: true, .. }, _) => at_bucket,
            (_, Eff::Set { value: true, .. }) => at_account,
            (Eff::Unknown { .. }, _) => at_bucket,
            (_, Eff::Unknown { .. }) => at_account,
            _ => at_bucket,
        }
    };

    // Logging.
    let logging = match split(3) {
        Err((r, u)) => unknown_link(r, u),
        Ok(v) => match v.first() {
            Some(r) => match r.get("target_bucket") {
                Some(n) if n.is_null() => Eff::Default(false),
                _ => Eff::Set {
                    value: true,
                    loc: r.loc.clone(),
                    from: r,
                },
            },
            None => match b.get("logging") {
                Some(n) if !n.as_block_list().is_empty() => Eff::Set {
                    value: true,
                    loc: loc_or(n, b),
                    from: b,
                },
                Some(n) if n.is_unknown() => Eff::Unknown {
                    reason: n
                        .unknown_reason()
                        .cloned()
                        .unwrap_or_else(|| Unknown::derived("")),
                    loc: loc_or(n, b),
                    from: b,
                },
                _ => Eff::Default(false),
            },
        },
    };

    // ACL.
    let mut grants = Vec::new();
    let acl = match split(4) {
        Err((r, u)) => unknown_link(r, u),
        Ok(v) => match v.first() {
            Some(r) => {
                for p in r.blocks("access_control_policy") {
                    for g in p.blocks("grant") {
                        grants.push((*r, g));
                    }
                }
                match r.get("acl") {
                    Some(n) if !n.is_null() => string_eff(r, n),
                    _ => Eff::Default("private".to_string()),
                }
            }
            None => {
                for g in b.blocks("grant") {
                    grants.push((b, g));
                }
                match b.get("acl") {
                    Some(n) if !n.is_null() => string_eff(b, n),
                    _ => Eff::Default("private".to_string()),
                }
            }
        },
    };

    // Lifecycle.
    let lifecycle = match split(5) {
        Err((r, u)) => unknown_link(r, u),
        Ok(v) => match v.first() {
            Some(r) => any_enabled(r, r.blocks("rule"), "status"),
            None => {
                let rules = b.blocks("lifecycle_rule");
                if rules.is_empty() {
                    Eff::Default(false)
                } else {
                    any_enabled(b, rules, "enabled")
                }
            }
        },
    };

    // Policies.
    let mut policies = Vec::new();
    let mut policy_unknown = None;
    match split(6) {
        Err((r, u)) => policy_unknown = Some((r, u)),
        Ok(v) => {
            for r in v {
                if let Some(n) = r.get("policy") {
                    policies.push(BucketPolicy { from: r, node: n });
                }
            }
        }
    }
    if let Some(n) = b.get("policy") {
        if !n.is_null() {
            policies.push(BucketPolicy { from: b, node: n });
        }
    }

    S3Bucket {
        id,
        resource: b,
        encryption,
        versioning,
        block_public_acls: flag("block_public_acls"),
        block_public_policy: flag("block_public_policy"),
        ignore_public_acls: flag("ignore_public_acls"),
        restrict_public_buckets: flag("restrict_public_buckets"),
        logging,
        acl,
        grants,
        lifecycle,
        policies,
        policy_unknown,
    }
}

fn unknown_link<T>(r: &Resource, u: Unknown) -> Eff<'_, T> {
    Eff::Unknown {
        reason: u,
        loc: r.loc_of("bucket").clone(),
        from: r,
    }
}

fn loc_or(n: &Node, r: &Resource) -> Loc {
    n.loc.clone().unwrap_or_else(|| r.loc.clone())
}

fn string_eff<'a>(r: &'a Resource, n: &Node) -> Eff<'a, String> {
    match &n.value {
        Value::Unknown(u) => Eff::Unknown {
            reason: u.clone(),
            loc: loc_or(n, r),
            from: r,
        },
        v => Eff::Set {
            value: v.to_string(),
            loc: loc_or(n, r),
            from: r,
        },
    }
}

/// A boolean attribute of `r` with its default.
pub fn bool_eff<'a>(r: &'a Resource, name: &str, default: bool) -> Eff<'a, bool> {
    match r.get(name) {
        None => Eff::Default(default),
        Some(n) if n.is_null() => Eff::Default(default),
        Some(n) => match (&n.value, n.as_bool()) {
            (Value::Unknown(u), _) => Eff::Unknown {
                reason: u.clone(),
                loc: loc_or(n, r),
                from: r,
            },
            (_, Some(b)) => Eff::Set {
                value: b,
                loc: loc_or(n, r),
                from: r,
            },
            (v, None) => Eff::Unknown {
                reason: Unknown::derived(format!("`{name}` is `{v}`, not a bool")),
                loc: loc_or(n, r),
                from: r,
            },
        },
    }
}

fn sse_from_rules<'a>(r: &'a Resource, rules: Vec<&'a Node>) -> Eff<'a, Option<Sse>> {
    for rule in rules {
        for d in rule.blocks("apply_server_side_encryption_by_default") {
            let Some(alg) = d.get("sse_algorithm") else {
                continue;
            };
            return match &alg.value {
                Value::Unknown(u) => Eff::Unknown {
                    reason: u.clone(),
                    loc: loc_or(alg, r),
                    from: r,
                },
                v => {
                    let kms_key = d
                        .get("kms_master_key_id")
                        .is_some_and(|k| !k.is_null() && k.as_str().is_none_or(|s| !s.is_empty()));
                    Eff::Set {
                        value: Some(Sse {
                            algorithm: v.to_string(),
                            kms_key,
                        }),
                        loc: loc_or(alg, r),
                        from: r,
                    }
                }
            };
        }
    }
    Eff::Set {
        value: None,
        loc: r.loc.clone(),
        from: r,
    }
}

fn any_enabled<'a>(r: &'a Resource, rules: Vec<&'a Node>, key: &str) -> Eff<'a, bool> {
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
                    return Eff::Set {
                        value: true,
                        loc: loc_or(n, r),
                        from: r,
                    };
                }
            }
            // `enabled` is required inline; `status` is required in the split resource.
            None => {}
        }
    }
    match unknown {
        Some((u, loc)) => Eff::Unknown {
            reason: u.unwrap_or_else(|| Unknown::derived("lifecycle rule status is unknown")),
            loc,
            from: r,
        },
        None => Eff::Set {
            value: false,
            loc: r.loc.clone(),
            from: r,
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Policy documents

/// What a policy document is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyKind {
    /// Attached to a user, group or role (or a managed policy).
    Identity,
    /// A role's trust policy (`assume_role_policy`).
    Trust,
    /// A resource policy (bucket policy, key policy).
    Resource,
}

/// A list of strings from a policy (`Action`, `Resource`, principal values). Unknown elements
/// are kept aside: a rule must not assume what they are.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Strings {
    pub values: Vec<String>,
    pub unknown: Option<Unknown>,
}

impl Strings {
    pub fn any(&self, f: impl Fn(&str) -> bool) -> bool {
        self.values.iter().any(|s| f(s))
    }
}

/// One statement, normalised.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Statement {
    pub index: usize,
    pub sid: Option<String>,
    /// `Allow` (true) or `Deny`.
    pub allow: bool,
    /// `Action`, or `NotAction` when `not_action`.
    pub actions: Strings,
    pub not_action: bool,
    pub resources: Strings,
    pub not_resource: bool,
    /// Principals as `(kind, value)`: `("*", "*")` for `"Principal": "*"`,
    /// `("AWS", "arn:...")`, `("Service", "ec2.amazonaws.com")`.
    pub principals: Vec<(String, String)>,
    pub principal_unknown: Option<Unknown>,
    pub not_principal: bool,
    pub has_condition: bool,
    /// The condition block as JSON (unknown parts as null).
    pub condition: serde_json::Value,
    pub loc: Option<Loc>,
}

/// A parsed policy.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Policy {
    pub statements: Vec<Statement>,
}

/// A policy document found in the estate.
#[derive(Clone, Debug)]
pub struct PolicyDoc<'a> {
    pub resource: &'a Resource,
    /// Where in the resource: `policy`, `assume_role_policy`, `inline_policy.0.policy`.
    pub attr: String,
    pub kind: PolicyKind,
    pub node: &'a Node,
    /// The parsed policy, or why it cannot be read.
    pub parsed: Result<Policy, Unknown>,
}

impl PolicyDoc<'_> {
    pub fn loc(&self) -> &Loc {
        self.node.loc.as_ref().unwrap_or(&self.resource.loc)
    }
}

/// Every policy document of the estate, in resource address order.
pub fn policy_docs(estate: &Estate) -> Vec<PolicyDoc<'_>> {
    let mut out = Vec::new();
    let identity = [
        "aws_iam_policy",
        "aws_iam_role_policy",
        "aws_iam_user_policy",
        "aws_iam_group_policy",
    ];
    let resource = ["aws_s3_bucket_policy", "aws_kms_key", "aws_s3_bucket"];
    let mut types: Vec<&str> = identity.to_vec();
    types.extend(resource);
    types.push("aws_iam_role");
    let ids: Vec<ResourceId> = estate.managed_of_types(&types).map(|(id, _)| id).collect();
    for r in ids.into_iter().filter_map(|id| estate.get(id)) {
        let mut found: Vec<(String, PolicyKind, &Node)> = Vec::new();
        match r.rtype.as_str() {
            "aws_iam_role" => {
                if let Some(n) = r.get("assume_role_policy") {
                    found.push(("assume_role_policy".into(), PolicyKind::Trust, n));
                }
                for (i, b) in r.blocks("inline_policy").into_iter().enumerate() {
                    if let Some(n) = b.get("policy") {
                        found.push((format!("inline_policy.{i}.policy"), PolicyKind::Identity, n));
                    }
                }
            }
            t if identity.contains(&t) => {
                if let Some(n) = r.get("policy") {
                    found.push(("policy".into(), PolicyKind::Identity, n));
                }
            }
            _ => {
                if let Some(n) = r.get("policy") {
                    found.push(("policy".into(), PolicyKind::Resource, n));
                }
            }
        }
        for (attr, kind, node) in found {
            if node.is_null() {
                continue;
            }
            out.push(PolicyDoc {
                resource: r,
                attr,
                kind,
                node,
                parsed: parse_policy(node),
            });
        }
    }
    out
}

/// Parse a policy written as a JSON string (from `jsonencode` or a policy document data
/// source) or as a map.
pub fn parse_policy(node: &Node) -> Result<Policy, Unknown> {
    let owned;
    let root: &Node = match &node.value {
        Value::Unknown(u) => return Err(u.clone()),
        Value::String(s) => {
            let j: serde_json::Value = serde_json::from_str(s)
                .map_err(|e| Unknown::derived(format!("the policy is not valid JSON: {e}")))?;
            owned = Node::new(Value::from_json_at(&j, node.loc.as_ref()), node.loc.clone());
            &owned
        }
        Value::Map(_) => node,
        other => {
            return Err(Unknown::derived(format!(
                "the policy is a {}, not a JSON document",
                other.type_name()
            )))
        }
    };
    let stmts: Vec<&Node> = match root.get("Statement") {
        Some(n) => match &n.value {
            Value::List(l) => l.iter().collect(),
            Value::Map(_) => vec![n],
            Value::Unknown(u) => return Err(u.clone()),
            _ => Vec::new(),
        },
        None => Vec::new(),
    };
    let mut out = Policy::default();
    for (index, s) in stmts.into_iter().enumerate() {
        if let Value::Unknown(u) = &s.value {
            return Err(u.clone());
        }
        let allow = match s.get("Effect").map(|e| &e.value) {
            Some(Value::String(e)) => e == "Allow",
            Some(Value::Unknown(u)) => return Err(u.clone()),
            _ => false,
        };
        let (actions, not_action) = match (s.get("Action"), s.get("NotAction")) {
            (Some(a), _) => (strings(a), false),
            (None, Some(a)) => (strings(a), true),
            (None, None) => (Strings::default(), false),
        };
        let (resources, not_resource) = match (s.get("Resource"), s.get("NotResource")) {
            (Some(a), _) => (strings(a), false),
            (None, Some(a)) => (strings(a), true),
            (None, None) => (Strings::default(), false),
        };
        let (pnode, not_principal) = match (s.get("Principal"), s.get("NotPrincipal")) {
            (Some(p), _) => (Some(p), false),
            (None, Some(p)) => (Some(p), true),
            (None, None) => (None, false),
        };
        let mut principals = Vec::new();
        let mut principal_unknown = None;
        if let Some(p) = pnode {
            match &p.value {
                Value::String(v) => principals.push(("*".to_string(), v.clone())),
                Value::Map(m) => {
                    for (k, v) in m {
                        let st = strings(v);
                        if let Some(u) = st.unknown {
                            principal_unknown = Some(u);
                        }
                        for x in st.values {
                            principals.push((k.clone(), x));
                        }
                    }
                }
                Value::Unknown(u) => principal_unknown = Some(u.clone()),
                _ => {}
            }
        }
        let condition = s
            .get("Condition")
            .map(|c| c.value.to_json())
            .unwrap_or(serde_json::Value::Null);
        out.statements.push(Statement {
            index,
            sid: s.get("Sid").and_then(Node::as_str).map(str::to_string),
            allow,
            actions,
            not_action,
            resources,
            not_resource,
            principals,
            principal_unknown,
            not_principal,
            has_condition: condition.as_object().is_some_and(|o| !o.is_empty()),
            condition,
            loc: s.loc.clone(),
        });
    }
    Ok(out)
}

fn strings(n: &Node) -> Strings {
    let mut out = Strings::default();
    match &n.value {
        Value::String(s) => out.values.push(s.clone()),
        Value::Unknown(u) => out.unknown = Some(u.clone()),
        Value::List(l) => {
            for x in l {
                match &x.value {
                    Value::String(s) => out.values.push(s.clone()),
                    Value::Unknown(u) => out.unknown = Some(u.clone()),
                    _ => {}
                }
            }
        }
        _ => {}
    }
    out
}

/// True if an IAM action pattern `pattern` (with `*` and `?`) matches every action of
/// `service` (`s3:*`, `*`, `s3:*`-like prefixes such as `s*:*` count too).
pub fn action_is_service_wildcard(pattern: &str) -> bool {
    match pattern.split_once(':') {
        None => pattern.chars().all(|c| c == '*'),
        Some((_, act)) => !act.is_empty() && act.chars().all(|c| c == '*'),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::estate::Frontend;
    use std::collections::BTreeMap;

    fn res(addr: &str, rtype: &str, line: u32) -> Resource {
        let name = addr.rsplit('.').next().unwrap_or(addr);
        Resource::new(
            addr,
            rtype,
            name,
            Frontend::Terraform,
            Loc::new("main.tf", line, 1),
        )
    }
    fn s(v: &str, line: u32) -> Node {
        Node::at(Value::String(v.into()), Loc::new("main.tf", line, 3))
    }
    fn map(kv: Vec<(&str, Node)>) -> Node {
        Node::from(Value::Map(
            kv.into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<BTreeMap<_, _>>(),
        ))
    }
    fn computed(addr: &str) -> Node {
        Node::unknown(
            Unknown::Computed {
                address: addr.into(),
                attr: "id".into(),
            },
            None,
        )
    }

    #[test]
    fn versioning_from_split_resource_by_ref_and_by_name() {
        let mut e = Estate::new();
        let mut a = res("aws_s3_bucket.a", "aws_s3_bucket", 1);
        a.attrs.insert("bucket".into(), s("bucket-a", 2));
        e.push(a);
        let mut b = res("aws_s3_bucket.b", "aws_s3_bucket", 5);
        b.attrs.insert("bucket".into(), s("bucket-b", 6));
        e.push(b);
        e.push(res("aws_s3_bucket.c", "aws_s3_bucket", 9));
        let mut va = res("aws_s3_bucket_versioning.a", "aws_s3_bucket_versioning", 10);
        va.attrs
            .insert("bucket".into(), computed("aws_s3_bucket.a"));
        va.attrs.insert(
            "versioning_configuration".into(),
            Node::from(Value::List(vec![map(vec![("status", s("Enabled", 12))])])),
        );
        e.push(va);
        let mut vb = res("aws_s3_bucket_versioning.b", "aws_s3_bucket_versioning", 20);
        vb.attrs.insert("bucket".into(), s("bucket-b", 21));
        vb.attrs.insert(
            "versioning_configuration".into(),
            Node::from(Value::List(vec![map(vec![("status", s("Suspended", 22))])])),
        );
        e.push(vb);
        e.index();
        let v = s3_buckets(&e);
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].versioning.value().map(String::as_str), Some("Enabled"));
        assert_eq!(v[0].versioning.loc().map(|l| l.line), Some(12));
        assert_eq!(
            v[1].versioning.value().map(String::as_str),
            Some("Suspended")
        );
        assert_eq!(v[2].versioning, Eff::Default("Disabled".into()));
    }

    #[test]
    fn floating_split_resource_makes_setting_unknown() {
        let mut e = Estate::new();
        e.push(res("aws_s3_bucket.a", "aws_s3_bucket", 1));
        let mut p = res(
            "aws_s3_bucket_public_access_block.x",
            "aws_s3_bucket_public_access_block",
            5,
        );
        p.attrs.insert(
            "bucket".into(),
            Node::unknown(Unknown::Variable { name: "b".into() }, None),
        );
        p.attrs
            .insert("block_public_acls".into(), Node::from(Value::Bool(true)));
        e.push(p);
        e.index();
        let v = s3_buckets(&e);
        assert!(matches!(v[0].block_public_acls, Eff::Unknown { .. }));
    }

    #[test]
    fn account_level_block_counts() {
        let mut e = Estate::new();
        e.push(res("aws_s3_bucket.a", "aws_s3_bucket", 1));
        let mut p = res(
            "aws_s3_account_public_access_block.acct",
            "aws_s3_account_public_access_block",
            5,
        );
        p.attrs.insert(
            "block_public_policy".into(),
            Node::at(Value::Bool(true), Loc::new("main.tf", 6, 3)),
        );
        e.push(p);
        e.index();
        let v = s3_buckets(&e);
        assert_eq!(v[0].block_public_policy.value(), Some(&true));
        assert_eq!(v[0].block_public_policy.loc().map(|l| l.line), Some(6));
        assert_eq!(v[0].block_public_acls, Eff::Default(false));
    }

    #[test]
    fn policy_parses_strings_lists_and_not_action() {
        let n = Node::from(Value::String(
            r#"{"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":["*"]},
                {"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root","*"]},"Action":"s3:GetObject","Resource":"*"}]}"#
                .into(),
        ));
        let p = parse_policy(&n).unwrap();
        assert_eq!(p.statements.len(), 2);
        assert!(p.statements[0].not_action);
        assert_eq!(p.statements[0].resources.values, vec!["*"]);
        assert_eq!(p.statements[1].principals.len(), 2);
        assert!(parse_policy(&Node::from(Value::String("{".into()))).is_err());
    }

    #[test]
    fn service_wildcards() {
        assert!(action_is_service_wildcard("*"));
        assert!(action_is_service_wildcard("s3:*"));
        assert!(!action_is_service_wildcard("s3:Get*"));
    }
}
