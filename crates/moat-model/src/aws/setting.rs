//! Reading one attribute of a resolved resource into a typed setting ([`Attr`]): written, the
//! default the adapter's frontend applies, unknown, or invalid, with its location and the
//! attribute path users write. Shared by every frontend's adapters: paths are dotted, with list
//! indexes (`recording_group.0.all_supported` in Terraform, `Policies.0.PolicyDocument` in
//! CloudFormation).

use crate::aws::containers::StrList;
use crate::aws::{Attr, AttrValue};
use crate::{Loc, Node, Resource, ResourceId, Unknown, Value};

/// The attribute at `path` (dotted, with block indexes: `recording_group.0.all_supported`) if it
/// is written and not `null`. When a value on the way is unknown (a block or object written as
/// a variable without value), that unknown node is returned: the setting inside it is unknown,
/// never absent (which would read as the default); so is an attribute missing from a body that
/// is unknown as a whole ([`Resource::unknown_body`]).
pub fn written<'r>(r: &'r Resource, path: &str) -> Option<&'r Node> {
    let mut parts = path.split('.').filter(|p| !p.is_empty());
    let mut cur = match r.get(parts.next()?) {
        Some(n) => n,
        // A body that is unknown as a whole may hold the attribute.
        None => return r.unknown_body.as_ref(),
    };
    for part in parts {
        cur = match &cur.value {
            Value::Unknown(_) => return Some(cur),
            Value::Map(m) => m.get(part)?,
            Value::List(l) => l.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur).filter(|n| !n.is_null())
}

/// Read the attribute at `path` of `r` (owned by `id`), shown to users as `shown`. Absent or
/// `null`: `default` (located at the resource's declaration). An unresolved value is unknown;
/// a value `parse` rejects is invalid (`expected` says what it should be).
pub fn read<T>(
    r: &Resource,
    id: ResourceId,
    path: &str,
    shown: &'static str,
    default: T,
    expected: &'static str,
    parse: impl Fn(&Node) -> Option<T>,
) -> Attr<T> {
    read_opt(r, id, path, shown, expected, parse)
        .unwrap_or_else(|| Attr::default(default, r.loc.clone(), shown, id))
}

/// [`read`] for a setting with no default: `None` when it is not written.
pub fn read_opt<T>(
    r: &Resource,
    id: ResourceId,
    path: &str,
    shown: &'static str,
    expected: &'static str,
    parse: impl Fn(&Node) -> Option<T>,
) -> Option<Attr<T>> {
    let n = written(r, path)?;
    let loc = n.loc.clone().unwrap_or_else(|| r.loc.clone());
    let value = match (&n.value, parse(n)) {
        (Value::Unknown(u), _) => AttrValue::Unknown(u.clone()),
        (_, Some(v)) => AttrValue::Known(v),
        (_, None) => AttrValue::Invalid {
            written: n.to_string(),
            expected,
        },
    };
    Some(Attr::new(value, loc, shown, id))
}

/// A bool attribute (`true`/`false`, or the strings Terraform converts) with its default.
pub fn bool_attr(
    r: &Resource,
    id: ResourceId,
    path: &str,
    shown: &'static str,
    default: bool,
) -> Attr<bool> {
    read(r, id, path, shown, default, "a bool", Node::as_bool)
}

/// A string attribute with its default.
pub fn string_attr(
    r: &Resource,
    id: ResourceId,
    path: &str,
    shown: &'static str,
    default: &str,
) -> Attr<String> {
    read(r, id, path, shown, default.to_string(), "a string", |n| {
        n.as_str().map(str::to_string)
    })
}

/// The setting held by `n` (a node of a nested block), shown as `shown`: absent or `null` is
/// `None`; an unresolved value is unknown; a value `parse` rejects is invalid. `at` locates a
/// node written without a location.
pub fn node_setting<T>(
    n: Option<&Node>,
    at: &Loc,
    id: ResourceId,
    shown: &'static str,
    expected: &'static str,
    parse: impl Fn(&Node) -> Option<T>,
) -> Option<Attr<T>> {
    let n = n.filter(|n| !n.is_null())?;
    let loc = n.loc.clone().unwrap_or_else(|| at.clone());
    let value = match (&n.value, parse(n)) {
        (Value::Unknown(u), _) => AttrValue::Unknown(u.clone()),
        (_, Some(v)) => AttrValue::Known(v),
        (_, None) => AttrValue::Invalid {
            written: n.to_string(),
            expected,
        },
    };
    Some(Attr::new(value, loc, shown, id))
}

/// A scalar as text, as Terraform and CloudFormation convert numbers and bools for string
/// attributes.
pub fn text(n: &Node) -> Option<String> {
    match &n.value {
        Value::String(_) | Value::Number(_) | Value::Bool(_) => Some(n.value.to_string()),
        _ => None,
    }
}

/// Whether the attribute at `path` names another object (a KMS key, a log group): `true` when
/// it is a literal or a reference (the ARN of a resource of the estate, known only after it is
/// created, or a template with literal text), `false` (the default, located at the resource)
/// when it is absent or `null`, and written `false` when it is empty; unknown when its value
/// depends on something unresolved (a variable without value).
pub fn names_object(r: &Resource, id: ResourceId, path: &str, shown: &'static str) -> Attr<bool> {
    let Some(n) = written(r, path) else {
        return Attr::default(false, r.loc.clone(), shown, id);
    };
    let loc = n.loc.clone().unwrap_or_else(|| r.loc.clone());
    let value = match &n.value {
        Value::String(s) if s.is_empty() => AttrValue::Known(false),
        Value::List(l) if l.is_empty() => AttrValue::Known(false),
        Value::Unknown(Unknown::Computed { .. } | Unknown::Template { .. }) => {
            AttrValue::Known(true)
        }
        Value::Unknown(u) => AttrValue::Unknown(u.clone()),
        _ => AttrValue::Known(true),
    };
    Attr::new(value, loc, shown, id)
}

/// The known strings of a list (or of a single string) and whether some part is unknown.
pub fn str_list(n: &Node) -> StrList {
    StrList {
        items: n.string_list().into_iter().map(str::to_string).collect(),
        partly_unknown: n.contains_unknown(),
    }
}

/// A list of strings held by `n`: absent or `null` is `default` at `at`; a wholly unknown value
/// is unknown; a partly unknown list keeps its known elements ([`StrList::partly_unknown`]).
pub fn str_list_setting(
    n: Option<&Node>,
    at: &Loc,
    default: Vec<String>,
    id: ResourceId,
    shown: &'static str,
) -> Attr<StrList> {
    match n.filter(|n| !n.is_null()) {
        None => Attr::default(
            StrList {
                items: default,
                partly_unknown: false,
            },
            at.clone(),
            shown,
            id,
        ),
        Some(n) => {
            let loc = n.loc.clone().unwrap_or_else(|| at.clone());
            let value = match &n.value {
                Value::Unknown(u) => AttrValue::Unknown(u.clone()),
                _ => AttrValue::Known(str_list(n)),
            };
            Attr::new(value, loc, shown, id)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::Frontend;

    #[test]
    fn a_setting_inside_an_unknown_value_is_unknown_not_absent() {
        let loc = Loc::new("main.tf", 3, 1);
        let mut r = Resource::new("x.y", "x", "y", Frontend::Terraform, loc.clone());
        r.attrs.insert(
            "recording_group".into(),
            Node::new(
                Value::Unknown(Unknown::Variable { name: "rg".into() }),
                Some(Loc::new("main.tf", 5, 3)),
            ),
        );
        r.attrs.insert(
            "null_block".into(),
            Node::new(Value::Null, Some(loc.clone())),
        );
        let a = bool_attr(
            &r,
            ResourceId(0),
            "recording_group.0.all_supported",
            "recording_group.all_supported",
            true,
        );
        assert!(matches!(
            a.value,
            AttrValue::Unknown(Unknown::Variable { .. })
        ));
        assert_eq!(a.loc.line, 5);
        // Absent and null still read as the default.
        let d = bool_attr(&r, ResourceId(0), "other.0.flag", "other.flag", true);
        assert_eq!(d.value, AttrValue::Default(true));
        let n = bool_attr(
            &r,
            ResourceId(0),
            "null_block.0.flag",
            "null_block.flag",
            false,
        );
        assert_eq!(n.value, AttrValue::Default(false));
    }

    #[test]
    fn a_named_object_is_a_literal_or_a_reference() {
        let loc = Loc::new("t.yaml", 1, 1);
        let mut r = Resource::new(
            "T",
            "AWS::CloudTrail::Trail",
            "T",
            Frontend::CloudFormation,
            loc,
        );
        let at = |line| Some(Loc::new("t.yaml", line, 5));
        r.attrs.insert(
            "KMSKeyId".into(),
            Node::new(
                Value::Unknown(Unknown::Computed {
                    address: "Key".into(),
                    attr: "Arn".into(),
                }),
                at(2),
            ),
        );
        r.attrs.insert(
            "Empty".into(),
            Node::new(Value::String(String::new()), at(3)),
        );
        r.attrs.insert(
            "Param".into(),
            Node::new(
                Value::Unknown(Unknown::Variable { name: "K".into() }),
                at(4),
            ),
        );
        let id = ResourceId(0);
        assert_eq!(
            names_object(&r, id, "KMSKeyId", "KMSKeyId").value,
            AttrValue::Known(true)
        );
        assert_eq!(
            names_object(&r, id, "Empty", "Empty").value,
            AttrValue::Known(false)
        );
        assert!(names_object(&r, id, "Param", "Param").is_undecided());
        let absent = names_object(&r, id, "Other", "Other");
        assert_eq!(absent.value, AttrValue::Default(false));
        assert_eq!(absent.loc.line, 1);
        let l = str_list_setting(None, &r.loc, vec!["0.0.0.0/0".into()], id, "Cidrs");
        assert!(l.is_default() && l.get().is_some_and(|l| l.contains("0.0.0.0/0")));
    }
}
