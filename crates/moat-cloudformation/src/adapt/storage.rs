//! The CloudFormation adapter of the storage family ([`moat_model::aws::storage`]):
//! `AWS::S3::Bucket` and the `AWS::S3::BucketPolicy` resources that attach a policy to it.
//!
//! Every setting of a bucket is a property of `AWS::S3::Bucket` (`BucketEncryption`,
//! `VersioningConfiguration`, `PublicAccessBlockConfiguration`, `LoggingConfiguration`,
//! `AccessControl`, `LifecycleConfiguration`); only the bucket policy is a separate resource,
//! linked by its `Bucket` property (a reference to the bucket, or its `BucketName`). A bucket
//! policy whose `Bucket` is unknown could belong to any bucket; one naming a bucket that is not
//! in the template could belong to a bucket whose own `BucketName` is unknown: those buckets
//! see a policy link that is unknown, never absent. The policy documents belong to the
//! identity family.
//!
//! Defaults, as S3 applies them when CloudFormation creates the bucket
//! ([AWS::S3::Bucket](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html)):
//! - no `BucketEncryption`: S3 encrypts new objects with SSE-S3 (`AES256`) since January 2023
//!   ([default encryption](https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html));
//!   read as "none configured", as the Terraform adapter does;
//! - no `VersioningConfiguration`: versioning was never enabled (`Disabled`);
//! - no `PublicAccessBlockConfiguration`: S3 turns the four settings on for buckets created
//!   since April 2023, but nothing in the template keeps them on, so they read as not set
//!   (`false`), as the Terraform adapter reads a bucket without its public access block; a
//!   `PublicAccessBlockConfiguration` that leaves a flag out turns it off (the S3 API's
//!   `PutPublicAccessBlock`). CloudFormation has no resource for the account-level settings;
//! - no `AccessControl`: `private`. CloudFormation's canned ACL names (`PublicRead`) are kept as
//!   the S3 API names them (`public-read`);
//! - no `LoggingConfiguration`, no `LifecycleConfiguration`: none. A `LoggingConfiguration`
//!   without `DestinationBucketName` delivers the logs to the bucket itself.

use std::collections::{BTreeSet, HashMap};

use moat_model::aws::storage::{Bucket, PublicAccessBlock, Sse, Storage, UnknownLink};
use moat_model::aws::{Attr, AttrValue};
use moat_model::{Estate, Loc, Node, Resolved, Resource, ResourceId, Unknown, Value};

use super::compute::bool_of;
use super::setting::{node_setting, written};

const BUCKET: &str = "AWS::S3::Bucket";
const POLICY: &str = "AWS::S3::BucketPolicy";
const SSE_PATH: &str =
    "BucketEncryption.ServerSideEncryptionConfiguration.ServerSideEncryptionByDefault.SSEAlgorithm";
const STATUS: &str = "VersioningConfiguration.Status";
const LOGGING: &str = "LoggingConfiguration";
const ACL: &str = "AccessControl";
const LIFECYCLE: &str = "LifecycleConfiguration.Rules.Status";

fn loc_or(n: &Node, r: &Resource) -> Loc {
    n.loc.clone().unwrap_or_else(|| r.loc.clone())
}

/// How bucket policies link to buckets.
#[derive(Default)]
struct Policies {
    linked: HashMap<ResourceId, Vec<ResourceId>>,
    /// The first policy whose bucket is unknown: it could be any bucket's.
    floating: Option<UnknownLink>,
    /// The first policy naming a bucket that is not in the template, with the name.
    unmatched: Option<(ResourceId, Loc, String)>,
}

fn policies(e: &Estate) -> Policies {
    let mut out = Policies::default();
    for (pid, p) in e.managed_of_type(POLICY) {
        let Some(node) = written(p, "Bucket") else {
            continue;
        };
        let has_document = written(p, "PolicyDocument").is_some();
        match e.resolve(node, &[BUCKET], &["BucketName"]) {
            Resolved::Resource(id) if e.get(id).is_some_and(|b| b.rtype == BUCKET) => {
                if has_document {
                    out.linked.entry(id).or_default().push(pid);
                }
            }
            Resolved::Resource(_) | Resolved::Absent => {}
            Resolved::External(s) => {
                out.unmatched.get_or_insert((pid, loc_or(node, p), s));
            }
            Resolved::Unknown(u) => {
                out.floating.get_or_insert(UnknownLink {
                    from: pid,
                    loc: loc_or(node, p),
                    why: u,
                });
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
    for (id, b) in e.managed_of_type(BUCKET) {
        let Some(cfg) = written(b, LOGGING) else {
            continue;
        };
        if let Value::Unknown(u) = &cfg.value {
            unknown.get_or_insert(UnknownLink {
                from: id,
                loc: loc_or(cfg, b),
                why: u.clone(),
            });
            continue;
        }
        let Some(n) = cfg.get("DestinationBucketName").filter(|n| !n.is_null()) else {
            // Logs go to the bucket itself.
            targets.insert(id);
            continue;
        };
        match e.resolve(n, &[BUCKET], &["BucketName"]) {
            Resolved::Resource(t) => {
                targets.insert(t);
            }
            Resolved::Unknown(u) => {
                unknown.get_or_insert(UnknownLink {
                    from: id,
                    loc: loc_or(n, b),
                    why: u,
                });
            }
            Resolved::External(_) | Resolved::Absent => {}
        }
    }
    (targets, unknown)
}

/// Build the storage family of a CloudFormation estate.
pub fn build(e: &Estate) -> Storage {
    let links = policies(e);
    let (log_targets, log_target_unknown) = log_targets(e);
    let buckets = e
        .managed_of_type(BUCKET)
        .map(|(id, b)| {
            let mut bucket = bucket(e, id, b, &links);
            bucket.receives_access_logs = log_targets.contains(&id);
            bucket
        })
        .collect();
    Storage {
        buckets,
        log_target_unknown,
    }
}

fn bucket(e: &Estate, id: ResourceId, b: &Resource, links: &Policies) -> Bucket {
    let default_at_bucket = |path: &'static str| Attr::default(false, b.loc.clone(), path, id);

    let (public_access_block, own_public_access_block) = public_access_block(id, b);

    let logging = match written(b, LOGGING) {
        None => default_at_bucket(LOGGING),
        Some(n) => match &n.value {
            Value::Unknown(u) => Attr::unknown(u.clone(), loc_or(n, b), LOGGING, id),
            _ => Attr::known(true, loc_or(n, b), LOGGING, id),
        },
    };

    let policies = links.linked.get(&id).cloned().unwrap_or_default();
    let policy_link_unknown = if policies.is_empty() {
        links.floating.clone().or_else(|| {
            let name = written(b, "BucketName").filter(|n| n.is_unknown())?;
            let (pid, loc, s) = links.unmatched.as_ref()?;
            let from = e.get(*pid).map_or("", |p| p.address.as_str());
            let why = name
                .unknown_reason()
                .map(|u| u.to_string())
                .unwrap_or_default();
            Some(UnknownLink {
                from: *pid,
                loc: loc.clone(),
                why: Unknown::derived(format!(
                    "`{from}` names bucket `{s}`, and this bucket's `BucketName` is unknown ({why})"
                )),
            })
        })
    } else {
        None
    };

    Bucket {
        id,
        name: moat_model::aws::setting::read_opt(
            b,
            id,
            "BucketName",
            "BucketName",
            "a name",
            |n| n.as_str().map(str::to_string),
        ),
        encryption: encryption(id, b),
        versioning: versioning(id, b),
        public_access_block,
        own_public_access_block,
        logging,
        receives_access_logs: false,
        acl: acl(id, b),
        grants: Vec::new(),
        lifecycle: lifecycle(id, b),
        policies,
        policy_link_unknown,
    }
}

fn encryption(id: ResourceId, b: &Resource) -> Attr<Option<Sse>> {
    let Some(cfg) = written(b, "BucketEncryption") else {
        return Attr::default(None, b.loc.clone(), SSE_PATH, id);
    };
    let at = loc_or(cfg, b);
    if let Value::Unknown(u) = &cfg.value {
        return Attr::unknown(u.clone(), at, SSE_PATH, id);
    }
    let Some(rules) = cfg.get("ServerSideEncryptionConfiguration") else {
        return Attr::known(None, at, SSE_PATH, id);
    };
    if let Value::Unknown(u) = &rules.value {
        return Attr::unknown(u.clone(), loc_or(rules, b), SSE_PATH, id);
    }
    for rule in rules.as_list().unwrap_or_default() {
        let by_default = match &rule.value {
            Value::Unknown(u) => return Attr::unknown(u.clone(), loc_or(rule, b), SSE_PATH, id),
            _ => rule.get("ServerSideEncryptionByDefault"),
        };
        let Some(d) = by_default.filter(|d| !d.is_null()) else {
            continue;
        };
        if let Value::Unknown(u) = &d.value {
            return Attr::unknown(u.clone(), loc_or(d, b), SSE_PATH, id);
        }
        let Some(alg) = d.get("SSEAlgorithm").filter(|a| !a.is_null()) else {
            continue;
        };
        return match &alg.value {
            Value::Unknown(u) => Attr::unknown(u.clone(), loc_or(alg, b), SSE_PATH, id),
            v => {
                let kms_key = d
                    .get("KMSMasterKeyID")
                    .is_some_and(|k| !k.is_null() && k.as_str().is_none_or(|s| !s.is_empty()));
                let algorithm = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                Attr::known(
                    Some(Sse { algorithm, kms_key }),
                    loc_or(alg, b),
                    SSE_PATH,
                    id,
                )
            }
        };
    }
    Attr::known(None, at, SSE_PATH, id)
}

fn versioning(id: ResourceId, b: &Resource) -> Attr<String> {
    let Some(cfg) = written(b, "VersioningConfiguration") else {
        return Attr::default("Disabled".to_string(), b.loc.clone(), STATUS, id);
    };
    let node = match &cfg.value {
        Value::Unknown(_) => cfg,
        _ => match cfg.get("Status").filter(|s| !s.is_null()) {
            Some(s) => s,
            // `Status` is required: a configuration without it enables nothing.
            None => return Attr::known("Disabled".to_string(), loc_or(cfg, b), STATUS, id),
        },
    };
    match &node.value {
        Value::Unknown(u) => Attr::unknown(u.clone(), loc_or(node, b), STATUS, id),
        Value::String(s) => Attr::known(s.clone(), loc_or(node, b), STATUS, id),
        v => Attr::known(v.to_string(), loc_or(node, b), STATUS, id),
    }
}

/// The four Block Public Access flags, and whether the bucket declares them.
fn public_access_block(id: ResourceId, b: &Resource) -> (PublicAccessBlock, bool) {
    const PATHS: [&str; 4] = [
        "PublicAccessBlockConfiguration.BlockPublicAcls",
        "PublicAccessBlockConfiguration.BlockPublicPolicy",
        "PublicAccessBlockConfiguration.IgnorePublicAcls",
        "PublicAccessBlockConfiguration.RestrictPublicBuckets",
    ];
    let cfg = written(b, "PublicAccessBlockConfiguration");
    let flag = |path: &'static str| -> Attr<bool> {
        let Some(cfg) = cfg else {
            return Attr::default(false, b.loc.clone(), path, id);
        };
        let at = loc_or(cfg, b);
        if let Value::Unknown(u) = &cfg.value {
            return Attr::unknown(u.clone(), at, path, id);
        }
        let key = path.rsplit('.').next().unwrap_or(path);
        node_setting(cfg.get(key), &at, id, path, "a bool", bool_of)
            .unwrap_or_else(|| Attr::default(false, at.clone(), path, id))
    };
    let [a, p, i, r] = PATHS;
    (
        PublicAccessBlock {
            block_public_acls: flag(a),
            block_public_policy: flag(p),
            ignore_public_acls: flag(i),
            restrict_public_buckets: flag(r),
        },
        cfg.is_some(),
    )
}

/// CloudFormation's canned ACL names, as the S3 API spells them.
const CANNED: [(&str, &str); 8] = [
    ("Private", "private"),
    ("PublicRead", "public-read"),
    ("PublicReadWrite", "public-read-write"),
    ("AuthenticatedRead", "authenticated-read"),
    ("LogDeliveryWrite", "log-delivery-write"),
    ("BucketOwnerRead", "bucket-owner-read"),
    ("BucketOwnerFullControl", "bucket-owner-full-control"),
    ("AwsExecRead", "aws-exec-read"),
];

fn acl(id: ResourceId, b: &Resource) -> Attr<String> {
    let Some(n) = written(b, ACL) else {
        return Attr::default("private".to_string(), b.loc.clone(), ACL, id);
    };
    let loc = loc_or(n, b);
    match &n.value {
        Value::Unknown(u) => Attr::unknown(u.clone(), loc, ACL, id),
        Value::String(s) => match CANNED
            .iter()
            .find(|(cfn, api)| cfn == s || api == s)
            .map(|(_, api)| *api)
        {
            Some(api) => Attr::known(api.to_string(), loc, ACL, id),
            None => Attr::new(
                AttrValue::Invalid {
                    written: s.clone(),
                    expected: "a canned ACL",
                },
                loc,
                ACL,
                id,
            ),
        },
        v => Attr::new(
            AttrValue::Invalid {
                written: v.to_string(),
                expected: "a canned ACL",
            },
            loc,
            ACL,
            id,
        ),
    }
}

/// Whether any lifecycle rule is enabled (`Status: Enabled`).
fn lifecycle(id: ResourceId, b: &Resource) -> Attr<bool> {
    let Some(cfg) = written(b, "LifecycleConfiguration") else {
        return Attr::default(false, b.loc.clone(), LIFECYCLE, id);
    };
    let at = loc_or(cfg, b);
    let rules = match &cfg.value {
        Value::Unknown(u) => return Attr::unknown(u.clone(), at, LIFECYCLE, id),
        _ => cfg.get("Rules"),
    };
    let list = match rules.map(|r| &r.value) {
        Some(Value::Unknown(u)) => return Attr::unknown(u.clone(), at, LIFECYCLE, id),
        Some(Value::List(l)) => l.as_slice(),
        _ => &[],
    };
    let mut unknown = None;
    for rule in list {
        let status = match &rule.value {
            Value::Unknown(_) => rule,
            _ => match rule.get("Status") {
                Some(s) => s,
                None => continue,
            },
        };
        match &status.value {
            Value::Unknown(u) => {
                unknown.get_or_insert((u.clone(), loc_or(status, b)));
            }
            _ if status.as_str() == Some("Enabled") => {
                return Attr::known(true, loc_or(status, b), LIFECYCLE, id)
            }
            _ => {}
        }
    }
    match unknown {
        Some((u, loc)) => Attr::unknown(u, loc, LIFECYCLE, id),
        None => Attr::known(false, at, LIFECYCLE, id),
    }
}
