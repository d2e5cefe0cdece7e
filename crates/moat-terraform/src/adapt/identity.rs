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
use moat_model::{Estate, Node, Resource, ResourceId, Value, Written};

use super::setting;

/// Build the identity family of a Terraform estate.
pub(super) fn build(e: &Estate) -> Identity {
    Identity {
        policies: policies(e),
        roles: principals(e, "aws_iam_role", PrincipalKind::Role),
        users: principals(e, "aws_iam_user", PrincipalKind::User),
        groups: principals(e, "aws_iam_group", PrincipalKind::Group),
        attachments: attachments(e),
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
    ];
    let mut out = Vec::new();
    for (id, r) in e.managed_of_types(&types) {
        // (path, holder, kind, principal)
        let mut found: Vec<(Cow<'static, str>, PolicyHolder, PolicyKind, Option<Shown>)> =
            Vec::new();
        let policy = Cow::Borrowed("policy");
        match r.rtype.as_str() {
            "aws_iam_role" => {
                found.push((
                    Cow::Borrowed("assume_role_policy"),
                    PolicyHolder::RoleTrust,
                    PolicyKind::Trust,
                    None,
                ));
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
                path,
            });
        }
    }
    out
}

fn principals(e: &Estate, rtype: &str, kind: PrincipalKind) -> Vec<Principal> {
    e.managed_of_type(rtype)
        .map(|(id, r)| Principal {
            id,
            kind,
            name: r.str_attr("name").map(str::to_string),
        })
        .collect()
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
            .filter_map(|(k, kind)| Shown::of(r, k).map(|shown| Grantee { kind, shown }))
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
