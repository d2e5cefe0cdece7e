//! The CloudFormation adapter of the identity family ([`moat_model::aws::identity`]): policy
//! documents with their origin, roles, users, groups and managed-policy attachments.
//!
//! # Types
//! * `AWS::IAM::Role`: `AssumeRolePolicyDocument` (the trust policy), `Policies[].PolicyDocument`
//!   (inline policies written in the role, like Terraform's `inline_policy`), `ManagedPolicyArns`
//!   (one attachment per entry).
//! * `AWS::IAM::User`, `AWS::IAM::Group`: `Policies[].PolicyDocument` (inline policies of that
//!   principal) and `ManagedPolicyArns` (attachments to that principal).
//! * `AWS::IAM::Policy`: an inline policy (`PolicyDocument`) embedded in every principal listed in
//!   `Users`, `Groups` and `Roles`. Its holder is the inline policy of a user when `Users` lists
//!   any, else of a group, else of a role, so that a grant to users is found whatever else it
//!   names.
//! * `AWS::IAM::RolePolicy`, `AWS::IAM::UserPolicy`, `AWS::IAM::GroupPolicy`: an inline policy of
//!   the principal named by `RoleName`, `UserName`, `GroupName`.
//! * `AWS::IAM::ManagedPolicy`: a customer managed policy (`PolicyDocument`); its `Users`,
//!   `Groups` and `Roles` attach it (an attachment of the shared kind, whose ARN is the
//!   policy's own).
//! * `AWS::SSO::PermissionSet`: `ManagedPolicies` (attachments to a permission set).
//! * Resource policies, as the Terraform adapter collects them: `AWS::S3::BucketPolicy`
//!   (`PolicyDocument`) and `AWS::KMS::Key` (`KeyPolicy`).
//!
//! CloudFormation has no resource for the account password policy (it is set with the IAM API
//! `UpdateAccountPasswordPolicy`), so a template never declares one and
//! [`Identity::password_policies`] stays empty: the password policy rule has nothing to check in
//! a template, and says so in its documentation.
//!
//! # Origin of a policy document
//! Read from how the property is written ([`moat_model::Written`], recorded by the resolver): an
//! object written in the template, a JSON string, or text built in place with `Fn::Sub` or
//! `Fn::Join` is [`PolicyOrigin::Inline`]; anything else (a parameter, `Fn::If`,
//! `Fn::ImportValue`) is [`PolicyOrigin::Other`]. CloudFormation has no policy-document
//! generator, so no document is [`PolicyOrigin::Generated`].

use std::borrow::Cow;

use moat_model::aws::identity::*;
use moat_model::aws::Attr;
use moat_model::{Estate, Node, Resolved, Resource, ResourceId, Unknown, Value, Written};

use super::setting;

/// Build the identity family of a CloudFormation estate.
pub fn build(e: &Estate) -> Identity {
    Identity {
        policies: policies(e),
        roles: principals(e, "AWS::IAM::Role", PrincipalKind::Role, "RoleName"),
        users: principals(e, "AWS::IAM::User", PrincipalKind::User, "UserName"),
        groups: principals(e, "AWS::IAM::Group", PrincipalKind::Group, "GroupName"),
        attachments: attachments(e),
        memberships: memberships(e),
        references: References {
            role: RefAttrs::new(&["Arn"], &["Ref"]),
            user: RefAttrs::new(&["Arn"], &["Ref"]),
            group: RefAttrs::new(&["Arn"], &["Ref"]),
            // `Ref` of an `AWS::IAM::ManagedPolicy` is its ARN.
            managed_policy: RefAttrs::new(&["Ref", "PolicyArn"], &[]),
            bucket: RefAttrs::new(&["Arn"], &["Ref"]),
            account: &["AWS::AccountId"],
            account_in_arns: &[],
        },
        // No CloudFormation resource type sets the account password policy.
        password_policies: Vec::new(),
    }
}

fn origin(r: &Resource, path: &str) -> PolicyOrigin {
    match r.written.get(path) {
        Some(Written::Text | Written::Structure) => PolicyOrigin::Inline,
        Some(Written::Call(f)) if f == "Fn::Sub" || f == "Fn::Join" => PolicyOrigin::Inline,
        _ => PolicyOrigin::Other,
    }
}

/// The principal a policy or attachment is declared in (a user's own `Policies` or
/// `ManagedPolicyArns`), shown as its type and logical ID, at the entry that grants (`at`).
fn itself(r: &Resource, at: Option<&Node>) -> Shown {
    Shown {
        path: Cow::Owned(r.rtype.clone()),
        text: r.address.clone(),
        loc: at
            .and_then(|n| n.loc.clone())
            .unwrap_or_else(|| r.loc.clone()),
        entries: None,
    }
}

/// Whether a list property names at least one principal (or may: it is unknown).
fn lists_any(r: &Resource, key: &str) -> bool {
    r.get(key).is_some_and(|n| match &n.value {
        Value::List(l) => !l.is_empty(),
        Value::Unknown(_) | Value::String(_) => true,
        _ => false,
    })
}

/// What one document found on a resource is: its path, holder, kind and principal.
type Found = (Cow<'static, str>, PolicyHolder, PolicyKind, Option<Shown>);

/// The `Policies[].PolicyDocument` of a role, user or group; `principal` says whether each
/// names its declaring user or group (at the entry).
fn embedded(r: &Resource, holder: PolicyHolder, principal: bool) -> Vec<Found> {
    let entries = match r.get("Policies").map(|n| (n, &n.value)) {
        Some((_, Value::List(l))) => l.iter().collect(),
        // Unknown (a parameter, `Fn::If` on an unknown condition): one unknown document.
        Some((n, Value::Unknown(_))) => {
            return vec![(
                Cow::Borrowed("Policies"),
                holder,
                PolicyKind::Identity,
                principal.then(|| itself(r, Some(n))),
            )]
        }
        _ => Vec::new(),
    };
    entries
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            (
                Cow::Owned(format!("Policies.{i}.PolicyDocument")),
                holder,
                PolicyKind::Identity,
                principal.then(|| itself(r, Some(n))),
            )
        })
        .collect()
}

const TYPES: [&str; 17] = [
    "AWS::IAM::Role",
    "AWS::IAM::User",
    "AWS::IAM::Group",
    "AWS::IAM::Policy",
    "AWS::IAM::RolePolicy",
    "AWS::IAM::UserPolicy",
    "AWS::IAM::GroupPolicy",
    "AWS::IAM::ManagedPolicy",
    "AWS::S3::BucketPolicy",
    "AWS::KMS::Key",
    "AWS::SSO::PermissionSet",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::SNS::TopicInlinePolicy",
    "AWS::SecretsManager::ResourcePolicy",
    "AWS::ECR::Repository",
    "AWS::Lambda::Permission",
];

fn policies(e: &Estate) -> Vec<PolicyDoc> {
    let mut out = Vec::new();
    for (id, r) in e.managed_of_types(&TYPES) {
        let document = Cow::Borrowed("PolicyDocument");
        if r.rtype == "AWS::Lambda::Permission" {
            let w = |k: &str| setting::written(r, k);
            let node = permission_policy(
                w("Principal"),
                w("Action"),
                w("SourceArn"),
                w("SourceAccount"),
                w("PrincipalOrgID"),
                w("FunctionUrlAuthType"),
                Some(&r.loc),
            );
            out.push(PolicyDoc {
                id,
                holder: PolicyHolder::FunctionPermission,
                kind: PolicyKind::Resource,
                declared_as: r.rtype.clone(),
                path: Cow::Borrowed("Principal"),
                loc: r.loc.clone(),
                origin: PolicyOrigin::Other,
                principal: None,
                document: parse_policy(&node),
                node,
                attached_to: Vec::new(),
                governs: w("FunctionName")
                    .map(|n| e.resolve(n, &["AWS::Lambda::Function"], &["FunctionName"]))
                    .into_iter()
                    .collect(),
            });
            continue;
        }
        // Resource policies declared apart from their resources: the property that names
        // them and their type.
        let governed = |key: &str, rtype: &str| -> Vec<Resolved> {
            match setting::written(r, key).map(|n| (n, &n.value)) {
                None => Vec::new(),
                Some((_, Value::List(l))) => {
                    l.iter().map(|n| e.resolve(n, &[rtype], &[])).collect()
                }
                Some((n, _)) => vec![e.resolve(n, &[rtype], &[])],
            }
        };
        let governs: Vec<Resolved> = match r.rtype.as_str() {
            "AWS::SQS::QueuePolicy" => governed("Queues", "AWS::SQS::Queue"),
            "AWS::SNS::TopicPolicy" => governed("Topics", "AWS::SNS::Topic"),
            "AWS::SNS::TopicInlinePolicy" => governed("TopicArn", "AWS::SNS::Topic"),
            "AWS::SecretsManager::ResourcePolicy" => {
                governed("SecretId", "AWS::SecretsManager::Secret")
            }
            "AWS::ECR::Repository" => vec![Resolved::Resource(id)],
            _ => Vec::new(),
        };
        let found: Vec<Found> = match r.rtype.as_str() {
            "AWS::IAM::Role" => {
                let mut v = vec![(
                    Cow::Borrowed("AssumeRolePolicyDocument"),
                    PolicyHolder::RoleTrust,
                    PolicyKind::Trust,
                    None,
                )];
                v.extend(embedded(r, PolicyHolder::RoleInlinePolicy, false));
                v
            }
            "AWS::IAM::User" => embedded(r, PolicyHolder::InlinePolicy(PrincipalKind::User), true),
            "AWS::IAM::Group" => {
                embedded(r, PolicyHolder::InlinePolicy(PrincipalKind::Group), true)
            }
            "AWS::IAM::Policy" => {
                let (kind, key) = if lists_any(r, "Users") {
                    (PrincipalKind::User, "Users")
                } else if lists_any(r, "Groups") {
                    (PrincipalKind::Group, "Groups")
                } else {
                    (PrincipalKind::Role, "Roles")
                };
                vec![(
                    document,
                    PolicyHolder::InlinePolicy(kind),
                    PolicyKind::Identity,
                    Shown::of(r, key),
                )]
            }
            "AWS::IAM::RolePolicy" => vec![(
                document,
                PolicyHolder::InlinePolicy(PrincipalKind::Role),
                PolicyKind::Identity,
                Shown::of(r, "RoleName"),
            )],
            "AWS::IAM::UserPolicy" => vec![(
                document,
                PolicyHolder::InlinePolicy(PrincipalKind::User),
                PolicyKind::Identity,
                Shown::of(r, "UserName"),
            )],
            "AWS::IAM::GroupPolicy" => vec![(
                document,
                PolicyHolder::InlinePolicy(PrincipalKind::Group),
                PolicyKind::Identity,
                Shown::of(r, "GroupName"),
            )],
            "AWS::IAM::ManagedPolicy" => vec![(
                document,
                PolicyHolder::ManagedPolicy,
                PolicyKind::Identity,
                None,
            )],
            "AWS::S3::BucketPolicy" => vec![(
                document,
                PolicyHolder::BucketPolicy,
                PolicyKind::Resource,
                None,
            )],
            "AWS::KMS::Key" => vec![(
                Cow::Borrowed("KeyPolicy"),
                PolicyHolder::KeyPolicy,
                PolicyKind::Resource,
                None,
            )],
            "AWS::SQS::QueuePolicy" => vec![(
                document,
                PolicyHolder::QueuePolicy,
                PolicyKind::Resource,
                None,
            )],
            "AWS::SNS::TopicPolicy" | "AWS::SNS::TopicInlinePolicy" => vec![(
                document,
                PolicyHolder::TopicPolicy,
                PolicyKind::Resource,
                None,
            )],
            "AWS::SecretsManager::ResourcePolicy" => vec![(
                Cow::Borrowed("ResourcePolicy"),
                PolicyHolder::SecretPolicy,
                PolicyKind::Resource,
                None,
            )],
            "AWS::ECR::Repository" => vec![(
                Cow::Borrowed("RepositoryPolicyText"),
                PolicyHolder::RepositoryPolicy,
                PolicyKind::Resource,
                None,
            )],
            _ => Vec::new(),
        };
        let attached_to: Vec<(PrincipalKind, Resolved)> = match r.rtype.as_str() {
            "AWS::IAM::Role" => vec![(PrincipalKind::Role, Resolved::Resource(id))],
            "AWS::IAM::User" => vec![(PrincipalKind::User, Resolved::Resource(id))],
            "AWS::IAM::Group" => vec![(PrincipalKind::Group, Resolved::Resource(id))],
            "AWS::IAM::Policy" => [
                ("Roles", PrincipalKind::Role),
                ("Users", PrincipalKind::User),
                ("Groups", PrincipalKind::Group),
            ]
            .into_iter()
            .flat_map(|(k, kind)| {
                resolve_all(e, setting::written(r, k), kind)
                    .into_iter()
                    .map(move |x| (kind, x))
            })
            .collect(),
            "AWS::IAM::RolePolicy" => one(e, r, "RoleName", PrincipalKind::Role),
            "AWS::IAM::UserPolicy" => one(e, r, "UserName", PrincipalKind::User),
            "AWS::IAM::GroupPolicy" => one(e, r, "GroupName", PrincipalKind::Group),
            _ => Vec::new(),
        };
        for (path, holder, kind, principal) in found {
            // An absent document is no document (a key without `KeyPolicy` gets the default
            // key policy, which gives the account's IAM policies control).
            // Through an unknown value on the way, the document is that unknown.
            let Some(node) = setting::written(r, &path) else {
                continue;
            };
            out.push(PolicyDoc {
                id,
                holder,
                kind,
                declared_as: r.rtype.clone(),
                loc: node.loc.clone().unwrap_or_else(|| r.loc.clone()),
                origin: origin(r, &path),
                principal,
                document: parse_policy(&rendered(node)),
                node: document_node(node),
                attached_to: if kind == PolicyKind::Identity
                    && holder != PolicyHolder::ManagedPolicy
                {
                    attached_to.clone()
                } else {
                    Vec::new()
                },
                governs: governs.clone(),
                path,
            });
        }
    }
    out
}

/// A policy document with its `Fn::Sub` strings rendered where their unknown parts cannot
/// change what a policy check sees: a string whose every placeholder is a pseudo parameter
/// (`${AWS::AccountId}`, `${AWS::Region}`, `${AWS::Partition}`: never empty, never a wildcard)
/// or an attribute of a resource of the template (`${Bucket.Arn}`) becomes its text with the
/// placeholders kept, so `arn:aws:s3:::${AWS::AccountId}-data/*` is a resource that is not `*`
/// and a document written as one `Fn::Sub` JSON string is parsed. A placeholder for a template
/// parameter without value keeps the string unknown (`s3:${Action}` may be `s3:*`).
fn rendered(node: &Node) -> Cow<'_, Node> {
    if !node.contains_unknown() {
        return Cow::Borrowed(node);
    }
    let mut out = node.clone();
    render(&mut out);
    Cow::Owned(out)
}

fn render(n: &mut Node) {
    match &mut n.value {
        Value::Unknown(Unknown::Template { text, refs, .. }) if safe_template(text, refs) => {
            n.value = Value::String(std::mem::take(text));
        }
        Value::List(l) => l.iter_mut().for_each(render),
        Value::Map(m) => m.values_mut().for_each(render),
        _ => {}
    }
}

/// Every `${...}` of `text` is a pseudo parameter or names a resource among `refs`.
fn safe_template(text: &str, refs: &[String]) -> bool {
    let mut rest = text;
    let mut any = false;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest.get(start + 2..).and_then(|t| t.find('}')) else {
            return false;
        };
        let name = rest.get(start + 2..start + 2 + len).unwrap_or_default();
        let head = name.split('.').next().unwrap_or_default();
        if !(name.starts_with("AWS::") || refs.iter().any(|r| r == head)) {
            return false;
        }
        any = true;
        rest = rest.get(start + 3 + len..).unwrap_or_default();
    }
    any
}

/// A policy document as a value whose unresolved leaves stay unknown (see
/// [`PolicyDoc::node`]): the object as written (a JSON string parsed), with the placeholders of
/// `Fn::Sub` text in the model's form: `${Bucket}` (what `Ref` returns) is written
/// `${Bucket.Ref}`, `${Bucket.Arn}` stays; pseudo parameters (`${AWS::AccountId}`) stay as
/// they are, unknown.
fn document_node(node: &Node) -> Node {
    let mut out = match &node.value {
        Value::String(s) => match serde_json::from_str::<serde_json::Value>(s) {
            Ok(j) => Node::new(Value::from_json_at(&j, node.loc.as_ref()), node.loc.clone()),
            Err(_) => Node::unknown(
                Unknown::derived("the policy is not valid JSON"),
                node.loc.clone(),
            ),
        },
        _ => node.clone(),
    };
    neutral_placeholders(&mut out);
    out
}

fn neutral_placeholders(n: &mut Node) {
    match &mut n.value {
        Value::Unknown(Unknown::Template { text, .. }) => {
            let mut out = String::new();
            let mut last = 0;
            for (start, end, inner) in reference_placeholders(text) {
                out.push_str(text.get(last..start).unwrap_or_default());
                if inner.contains('.') || inner.contains("::") {
                    out.push_str(text.get(start..end).unwrap_or_default());
                } else {
                    out.push_str(&format!("${{{inner}.Ref}}"));
                }
                last = end;
            }
            out.push_str(text.get(last..).unwrap_or_default());
            *text = out;
        }
        Value::List(l) => l.iter_mut().for_each(neutral_placeholders),
        Value::Map(m) => m.values_mut().for_each(neutral_placeholders),
        _ => {}
    }
}

/// The CloudFormation type and name property of a principal kind.
fn principal_type(kind: PrincipalKind) -> (&'static str, &'static str) {
    match kind {
        PrincipalKind::Role => ("AWS::IAM::Role", "RoleName"),
        PrincipalKind::User => ("AWS::IAM::User", "UserName"),
        PrincipalKind::Group => ("AWS::IAM::Group", "GroupName"),
    }
}

/// The principals of `kind` a value names (one, or a list), resolved by `Ref` or by name.
fn resolve_all(e: &Estate, n: Option<&Node>, kind: PrincipalKind) -> Vec<Resolved> {
    let (rtype, name) = principal_type(kind);
    match n.map(|n| (n, &n.value)) {
        None => Vec::new(),
        Some((_, Value::List(l))) => l.iter().map(|x| e.resolve(x, &[rtype], &[name])).collect(),
        Some((n, _)) => vec![e.resolve(n, &[rtype], &[name])],
    }
}

fn one(e: &Estate, r: &Resource, key: &str, kind: PrincipalKind) -> Vec<(PrincipalKind, Resolved)> {
    resolve_all(e, setting::written(r, key), kind)
        .into_iter()
        .map(|x| (kind, x))
        .collect()
}

fn principals(e: &Estate, rtype: &str, kind: PrincipalKind, name: &'static str) -> Vec<Principal> {
    e.managed_of_type(rtype)
        .map(|(id, r)| {
            let text = |n: &Node| n.as_str().map(str::to_string);
            Principal {
                id,
                kind,
                name: r.str_attr(name).map(str::to_string),
                name_attr: setting::read_opt(r, id, name, name, "a name", text),
                path: setting::read(r, id, "Path", "Path", "/".to_string(), "a path", text),
                boundary: match kind {
                    PrincipalKind::Group => None,
                    _ => setting::read_opt(
                        r,
                        id,
                        "PermissionsBoundary",
                        "PermissionsBoundary",
                        "an ARN",
                        text,
                    ),
                },
            }
        })
        .collect()
}

/// Group memberships: a user's own `Groups`, and `AWS::IAM::UserToGroupAddition` (one group,
/// its users).
fn memberships(e: &Estate) -> Vec<Membership> {
    let mut out = Vec::new();
    for (id, r) in e.managed_of_types(&["AWS::IAM::User", "AWS::IAM::UserToGroupAddition"]) {
        if r.rtype == "AWS::IAM::User" {
            let Some(groups) = setting::written(r, "Groups") else {
                continue;
            };
            out.push(Membership {
                id,
                users: vec![Resolved::Resource(id)],
                groups: resolve_all(e, Some(groups), PrincipalKind::Group),
                loc: groups.loc.clone().unwrap_or_else(|| r.loc.clone()),
            });
        } else {
            out.push(Membership {
                id,
                users: resolve_all(e, setting::written(r, "Users"), PrincipalKind::User),
                groups: resolve_all(e, setting::written(r, "GroupName"), PrincipalKind::Group),
                loc: r.loc.clone(),
            });
        }
    }
    out
}

/// A managed policy ARN as written (`None` for a `null` entry).
fn arn(r: &Resource, id: ResourceId, n: &Node, path: &'static str) -> Option<Attr<String>> {
    setting::node_setting(Some(n), &r.loc, id, path, "an ARN", |n| {
        n.as_str().map(str::to_string)
    })
}

/// The entries of a list of managed policy ARNs: one node per entry; an unknown list is one
/// unknown entry.
fn arn_entries<'r>(r: &'r Resource, key: &str) -> Vec<&'r Node> {
    match r.get(key).map(|n| (n, &n.value)) {
        Some((_, Value::List(items))) => items.iter().collect(),
        Some((n, Value::Unknown(_) | Value::String(_))) => vec![n],
        _ => Vec::new(),
    }
}

fn attachments(e: &Estate) -> Vec<Attachment> {
    let own: [(&str, AttachmentKind, PrincipalKind); 3] = [
        (
            "AWS::IAM::Role",
            AttachmentKind::RoleManagedPolicies,
            PrincipalKind::Role,
        ),
        (
            "AWS::IAM::User",
            AttachmentKind::To(PrincipalKind::User),
            PrincipalKind::User,
        ),
        (
            "AWS::IAM::Group",
            AttachmentKind::To(PrincipalKind::Group),
            PrincipalKind::Group,
        ),
    ];
    let mut out = Vec::new();
    for (id, r) in e.managed_of_types(&TYPES) {
        match r.rtype.as_str() {
            // A principal's own list: one attachment per entry.
            t if own.iter().any(|(o, ..)| *o == t) => {
                let Some((_, kind, pkind)) = own.iter().find(|(o, ..)| *o == t) else {
                    continue;
                };
                for n in arn_entries(r, "ManagedPolicyArns") {
                    out.push(Attachment {
                        id,
                        kind: *kind,
                        declared_as: r.rtype.clone(),
                        to: vec![Grantee {
                            kind: *pkind,
                            shown: itself(r, Some(n)),
                            resolved: vec![Resolved::Resource(id)],
                        }],
                        policy_arn: arn(r, id, n, "ManagedPolicyArns"),
                    });
                }
            }
            // A managed policy attaches itself to the principals it lists.
            "AWS::IAM::ManagedPolicy" => {
                let to: Vec<Grantee> = [
                    ("Roles", PrincipalKind::Role),
                    ("Users", PrincipalKind::User),
                    ("Groups", PrincipalKind::Group),
                ]
                .into_iter()
                .filter_map(|(k, kind)| {
                    Shown::of(r, k).map(|shown| Grantee {
                        kind,
                        shown,
                        resolved: resolve_all(e, setting::written(r, k), kind),
                    })
                })
                .collect();
                if to.is_empty() {
                    continue;
                }
                out.push(Attachment {
                    id,
                    kind: AttachmentKind::Shared,
                    declared_as: r.rtype.clone(),
                    to,
                    // Its own ARN, known once it is created.
                    policy_arn: Some(Attr::unknown(
                        Unknown::Computed {
                            address: r.address.clone(),
                            attr: "Ref".to_string(),
                        },
                        r.loc.clone(),
                        "Ref",
                        id,
                    )),
                });
            }
            "AWS::SSO::PermissionSet" => {
                for n in arn_entries(r, "ManagedPolicies") {
                    out.push(Attachment {
                        id,
                        kind: AttachmentKind::PermissionSet,
                        declared_as: r.rtype.clone(),
                        to: Vec::new(),
                        policy_arn: arn(r, id, n, "ManagedPolicies"),
                    });
                }
            }
            _ => {}
        }
    }
    out
}
