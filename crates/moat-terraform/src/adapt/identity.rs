//! The Terraform adapter of the identity family ([`moat_model::aws::identity`]): policy
//! documents (managed, inline, trust, bucket and key policies) with their origin, roles, users,
//! groups, managed-policy attachments and the account password policy.
//!
//! # Origin of a policy document
//! Read from how the attribute is written ([`moat_model::Written`], recorded by the frontend
//! for `.tf` and `.tf.json` alike): an attribute of a `data "aws_iam_policy_document"` is
//! [`PolicyOrigin::Generated`]; `jsonencode(...)`, a string, a template or a heredoc is
//! [`PolicyOrigin::Inline`]; anything else (a local value, a variable, `file(...)`) is
//! [`PolicyOrigin::Other`].

use std::borrow::Cow;

use moat_model::aws::identity::*;
use moat_model::aws::{Attr, AttrValue};
use moat_model::{Estate, Node, Resolved, Resource, ResourceId, Unknown, Value, Written};

use super::setting;

/// Build the identity family of a Terraform estate.
pub(super) fn build(e: &Estate) -> Identity {
    Identity {
        policies: policies(e),
        roles: principals(e, "aws_iam_role", PrincipalKind::Role),
        users: principals(e, "aws_iam_user", PrincipalKind::User),
        groups: principals(e, "aws_iam_group", PrincipalKind::Group),
        attachments: attachments(e),
        memberships: memberships(e),
        references: References {
            role: RefAttrs::new(&["arn"], &["name", "id"]),
            user: RefAttrs::new(&["arn"], &["name", "id"]),
            group: RefAttrs::new(&["arn"], &["name", "id"]),
            // An `aws_iam_policy`'s `id` is its ARN.
            managed_policy: RefAttrs::new(&["arn", "id"], &["name"]),
            // An `aws_s3_bucket`'s `id` is its name.
            bucket: RefAttrs::new(&["arn"], &["id", "bucket"]),
            // `data.aws_caller_identity.x.account_id` reaches the model as the unknown data
            // source as a whole (which attribute it reads is lost): the account only where it
            // is written in the account field of an ARN.
            account: &[],
            account_in_arns: &["data.aws_caller_identity."],
        },
        password_policies: e
            .managed_of_type("aws_iam_account_password_policy")
            .map(|(id, r)| password_policy(r, id))
            .collect(),
    }
}

fn origin(r: &Resource, path: &str) -> PolicyOrigin {
    match r.written.get(path) {
        Some(Written::DataSource(t)) if t == "aws_iam_policy_document" => PolicyOrigin::Generated,
        Some(Written::Call(f)) if f == "jsonencode" => PolicyOrigin::Inline,
        Some(Written::Text | Written::Structure) => PolicyOrigin::Inline,
        _ => PolicyOrigin::Other,
    }
}

const INLINE: [(&str, PrincipalKind); 3] = [
    ("aws_iam_role_policy", PrincipalKind::Role),
    ("aws_iam_user_policy", PrincipalKind::User),
    ("aws_iam_group_policy", PrincipalKind::Group),
];

fn policies(e: &Estate) -> Vec<PolicyDoc> {
    let types = [
        "aws_iam_policy",
        "aws_iam_role_policy",
        "aws_iam_user_policy",
        "aws_iam_group_policy",
        "aws_s3_bucket_policy",
        "aws_kms_key",
        "aws_s3_bucket",
        "aws_iam_role",
        "aws_sqs_queue",
        "aws_sqs_queue_policy",
        "aws_sns_topic",
        "aws_sns_topic_policy",
        "aws_secretsmanager_secret",
        "aws_secretsmanager_secret_policy",
        "aws_ecr_repository_policy",
        "aws_lambda_permission",
    ];
    let mut out = Vec::new();
    for (id, r) in e.managed_of_types(&types) {
        // (path, holder, kind, principal)
        let mut found: Vec<(Cow<'static, str>, PolicyHolder, PolicyKind, Option<Shown>)> =
            Vec::new();
        let mut attached_to: Vec<(PrincipalKind, Resolved)> = Vec::new();
        let mut governs: Vec<Resolved> = Vec::new();
        if r.rtype == "aws_lambda_permission" {
            let node = permission_policy(
                r.get("principal"),
                r.get("action"),
                r.get("source_arn"),
                r.get("source_account"),
                r.get("principal_org_id"),
                r.get("function_url_auth_type"),
                Some(&r.loc),
            );
            let function = r
                .get("function_name")
                .map(|n| e.resolve(n, &["aws_lambda_function"], &["function_name"]));
            out.push(PolicyDoc {
                id,
                holder: PolicyHolder::FunctionPermission,
                kind: PolicyKind::Resource,
                declared_as: r.rtype.clone(),
                path: Cow::Borrowed("principal"),
                loc: r.loc.clone(),
                origin: PolicyOrigin::Other,
                principal: None,
                document: parse_policy(&node),
                node,
                attached_to: Vec::new(),
                governs: function.into_iter().collect(),
            });
            continue;
        }
        // A resource policy written on the resource, or declared apart (the attribute that
        // names the resource, and the resource type).
        let resource_policy: Option<(PolicyHolder, Option<Apart>)> = match r.rtype.as_str() {
            "aws_sqs_queue" => Some((PolicyHolder::QueuePolicy, None)),
            "aws_sqs_queue_policy" => Some((
                PolicyHolder::QueuePolicy,
                Some(("queue_url", "aws_sqs_queue", &[])),
            )),
            "aws_sns_topic" => Some((PolicyHolder::TopicPolicy, None)),
            "aws_sns_topic_policy" => Some((
                PolicyHolder::TopicPolicy,
                Some(("arn", "aws_sns_topic", &[])),
            )),
            "aws_secretsmanager_secret" => Some((PolicyHolder::SecretPolicy, None)),
            "aws_secretsmanager_secret_policy" => Some((
                PolicyHolder::SecretPolicy,
                Some(("secret_arn", "aws_secretsmanager_secret", &[])),
            )),
            "aws_ecr_repository_policy" => Some((
                PolicyHolder::RepositoryPolicy,
                Some(("repository", "aws_ecr_repository", &["name"])),
            )),
            _ => None,
        };
        if let Some((holder, apart)) = resource_policy {
            governs = match apart {
                None => vec![Resolved::Resource(id)],
                Some((key, rtype, names)) => r
                    .get(key)
                    .map(|n| e.resolve(n, &[rtype], names))
                    .into_iter()
                    .collect(),
            };
            found.push((Cow::Borrowed("policy"), holder, PolicyKind::Resource, None));
        }
        let policy = Cow::Borrowed("policy");
        match r.rtype.as_str() {
            "aws_iam_role" => {
                found.push((
                    Cow::Borrowed("assume_role_policy"),
                    PolicyHolder::RoleTrust,
                    PolicyKind::Trust,
                    None,
                ));
                attached_to.push((PrincipalKind::Role, Resolved::Resource(id)));
                for i in 0..r.blocks("inline_policy").len() {
                    found.push((
                        Cow::Owned(format!("inline_policy.{i}.policy")),
                        PolicyHolder::RoleInlinePolicy,
                        PolicyKind::Identity,
                        None,
                    ));
                }
            }
            "aws_iam_policy" => found.push((
                policy,
                PolicyHolder::ManagedPolicy,
                PolicyKind::Identity,
                None,
            )),
            "aws_s3_bucket_policy" => found.push((
                policy,
                PolicyHolder::BucketPolicy,
                PolicyKind::Resource,
                None,
            )),
            "aws_s3_bucket" => found.push((
                policy,
                PolicyHolder::BucketInlinePolicy,
                PolicyKind::Resource,
                None,
            )),
            "aws_kms_key" => {
                found.push((policy, PolicyHolder::KeyPolicy, PolicyKind::Resource, None))
            }
            t => {
                if let Some((_, kind)) = INLINE.iter().find(|(rt, _)| *rt == t) {
                    let who = match kind {
                        PrincipalKind::Role => "role",
                        PrincipalKind::User => "user",
                        PrincipalKind::Group => "group",
                    };
                    attached_to.extend(
                        resolve_all(e, r.get(who), *kind)
                            .into_iter()
                            .map(|x| (*kind, x)),
                    );
                    found.push((
                        policy,
                        PolicyHolder::InlinePolicy(*kind),
                        PolicyKind::Identity,
                        Shown::of(r, who),
                    ));
                }
            }
        }
        for (path, holder, kind, principal) in found {
            let Some(node) = r.path(&path) else { continue };
            let attached_to = match (holder, kind) {
                (PolicyHolder::InlinePolicy(_) | PolicyHolder::RoleInlinePolicy, _) => {
                    attached_to.clone()
                }
                _ => Vec::new(),
            };
            // A bucket-policy resource's `policy = null` is an unreadable policy; elsewhere a
            // null document is no document.
            if node.is_null() && holder != PolicyHolder::BucketPolicy {
                continue;
            }
            out.push(PolicyDoc {
                id,
                holder,
                kind,
                declared_as: r.rtype.clone(),
                loc: node.loc.clone().unwrap_or_else(|| r.loc.clone()),
                origin: origin(r, &path),
                principal,
                document: parse_policy(node),
                node: document_node(node),
                attached_to,
                governs: governs.clone(),
                path,
            });
        }
    }
    out
}

/// A policy document as a value whose unresolved leaves stay unknown (see
/// [`PolicyDoc::node`]). The frontend renders references to other resources inside policy
/// text as `${address.attr}` placeholders (JSON text from `jsonencode` or
/// `aws_iam_policy_document`, heredoc templates): they become unknowns again here.
fn document_node(node: &Node) -> Node {
    let parsed = |text: &str| -> Option<Node> {
        let j: serde_json::Value = serde_json::from_str(text).ok()?;
        Some(Node::new(
            Value::from_json_at(&j, node.loc.as_ref()),
            node.loc.clone(),
        ))
    };
    let mut out = match &node.value {
        Value::String(s) => parsed(s).unwrap_or_else(|| {
            Node::unknown(
                Unknown::derived("the policy is not valid JSON"),
                node.loc.clone(),
            )
        }),
        // A heredoc or string template with references: JSON whose strings hold
        // placeholders, when it parses.
        Value::Unknown(Unknown::Template { text, .. }) => {
            parsed(text).unwrap_or_else(|| node.clone())
        }
        _ => node.clone(),
    };
    references_to_unknowns(&mut out);
    out
}

/// The principals of `kind` a value names (one, or a list), resolved by reference or by name.
fn resolve_all(e: &Estate, n: Option<&Node>, kind: PrincipalKind) -> Vec<Resolved> {
    let rtype = match kind {
        PrincipalKind::Role => "aws_iam_role",
        PrincipalKind::User => "aws_iam_user",
        PrincipalKind::Group => "aws_iam_group",
    };
    match n.map(|n| (n, &n.value)) {
        None => Vec::new(),
        Some((_, Value::List(l))) => l
            .iter()
            .map(|x| e.resolve(x, &[rtype], &["name"]))
            .collect(),
        Some((n, _)) => vec![e.resolve(n, &[rtype], &["name"])],
    }
}

/// A string setting as written (`None` when absent or null).
fn string_attr(r: &Resource, id: ResourceId, path: &'static str) -> Option<Attr<String>> {
    r.get(path)
        .filter(|n| !n.is_null())
        .map(|n| arn(r, id, n, path))
}

/// A resource policy declared apart from its resource: the attribute that names the resource,
/// the resource's type, and the attributes a literal name is matched with.
type Apart = (&'static str, &'static str, &'static [&'static str]);

fn principals(e: &Estate, rtype: &str, kind: PrincipalKind) -> Vec<Principal> {
    e.managed_of_type(rtype)
        .map(|(id, r)| Principal {
            id,
            kind,
            name: r.str_attr("name").map(str::to_string),
            name_attr: string_attr(r, id, "name"),
            path: string_attr(r, id, "path")
                .unwrap_or_else(|| Attr::default("/".to_string(), r.loc.clone(), "path", id)),
            boundary: match kind {
                PrincipalKind::Group => None,
                _ => string_attr(r, id, "permissions_boundary"),
            },
        })
        .collect()
}

/// Group memberships: `aws_iam_group_membership` (one group, its users) and
/// `aws_iam_user_group_membership` (one user, its groups).
fn memberships(e: &Estate) -> Vec<Membership> {
    let mut out = Vec::new();
    for (id, r) in
        e.managed_of_types(&["aws_iam_group_membership", "aws_iam_user_group_membership"])
    {
        let (users, groups) = if r.rtype == "aws_iam_group_membership" {
            ("users", "group")
        } else {
            ("user", "groups")
        };
        out.push(Membership {
            id,
            users: resolve_all(e, r.get(users), PrincipalKind::User),
            groups: resolve_all(e, r.get(groups), PrincipalKind::Group),
            loc: r.loc.clone(),
        });
    }
    out
}

/// A managed policy ARN as written.
fn arn(r: &Resource, id: ResourceId, n: &Node, path: &'static str) -> Attr<String> {
    let loc = n.loc.clone().unwrap_or_else(|| r.loc.clone());
    let value = match &n.value {
        Value::String(s) => AttrValue::Known(s.clone()),
        Value::Unknown(u) => AttrValue::Unknown(u.clone()),
        _ => AttrValue::Invalid {
            written: n.to_string(),
            expected: "an ARN",
        },
    };
    Attr::new(value, loc, path, id)
}

fn attachments(e: &Estate) -> Vec<Attachment> {
    let kinds: [(&str, AttachmentKind, &'static str); 5] = [
        (
            "aws_iam_role_policy_attachment",
            AttachmentKind::To(PrincipalKind::Role),
            "policy_arn",
        ),
        (
            "aws_iam_user_policy_attachment",
            AttachmentKind::To(PrincipalKind::User),
            "policy_arn",
        ),
        (
            "aws_iam_group_policy_attachment",
            AttachmentKind::To(PrincipalKind::Group),
            "policy_arn",
        ),
        (
            "aws_iam_policy_attachment",
            AttachmentKind::Shared,
            "policy_arn",
        ),
        (
            "aws_ssoadmin_managed_policy_attachment",
            AttachmentKind::PermissionSet,
            "managed_policy_arn",
        ),
    ];
    let mut out = Vec::new();
    for (t, kind, key) in kinds {
        for (id, r) in e.managed_of_type(t) {
            let to = [
                ("role", PrincipalKind::Role),
                ("user", PrincipalKind::User),
                ("group", PrincipalKind::Group),
                ("roles", PrincipalKind::Role),
                ("users", PrincipalKind::User),
                ("groups", PrincipalKind::Group),
            ]
            .into_iter()
            .filter_map(|(k, kind)| {
                Shown::of(r, k).map(|shown| Grantee {
                    kind,
                    shown,
                    resolved: resolve_all(e, r.get(k), kind),
                })
            })
            .collect();
            out.push(Attachment {
                id,
                kind,
                declared_as: t.to_string(),
                to,
                policy_arn: r.get(key).map(|n| arn(r, id, n, key)),
            });
        }
    }
    // A role's own list of managed policies: one attachment per entry; an unknown list is one
    // unknown attachment.
    for (id, r) in e.managed_of_type("aws_iam_role") {
        let Some(list) = r.get("managed_policy_arns") else {
            continue;
        };
        let items: Vec<&Node> = match &list.value {
            Value::List(items) => items.iter().collect(),
            Value::Unknown(_) => vec![list],
            _ => Vec::new(),
        };
        for n in items {
            out.push(Attachment {
                id,
                kind: AttachmentKind::RoleManagedPolicies,
                declared_as: r.rtype.clone(),
                to: vec![Grantee {
                    kind: PrincipalKind::Role,
                    shown: Shown {
                        path: Cow::Borrowed("role"),
                        text: r.address.clone(),
                        loc: r.loc.clone(),
                        entries: None,
                    },
                    resolved: vec![Resolved::Resource(id)],
                }],
                policy_arn: Some(arn(r, id, n, "managed_policy_arns")),
            });
        }
    }
    out
}

fn password_policy(r: &Resource, id: ResourceId) -> PasswordPolicy {
    let number = |path: &'static str, default: f64| {
        setting::read(r, id, path, path, default, "a number", Node::as_f64)
    };
    let flag = |path: &'static str| setting::bool_attr(r, id, path, path, false);
    PasswordPolicy {
        id,
        // The provider's defaults are the account's when no policy is set.
        minimum_password_length: number("minimum_password_length", 6.0),
        password_reuse_prevention: number("password_reuse_prevention", 0.0),
        max_password_age: number("max_password_age", 0.0),
        require_lowercase_characters: flag("require_lowercase_characters"),
        require_numbers: flag("require_numbers"),
        require_symbols: flag("require_symbols"),
        require_uppercase_characters: flag("require_uppercase_characters"),
    }
}
