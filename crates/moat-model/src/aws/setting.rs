//! Reading one attribute of a resolved resource into a typed setting ([`Attr`]): written, the
//! default the adapter's frontend applies, unknown, or invalid, with its location and the
//! attribute path users write. Shared by every frontend's adapters: paths are dotted, with list
//! indexes (`recording_group.0.all_supported` in Terraform, `Policies.0.PolicyDocument` in
//! CloudFormation).

use crate::aws::{Attr, AttrValue};
use crate::{Loc, Node, Resource, ResourceId, Value};

/// The attribute at `path` (dotted, with block indexes: `recording_group.0.all_supported`) if it
/// is written and not `null`. When a value on the way is unknown (a block or object written as
/// a variable without value), that unknown node is returned: the setting inside it is unknown,
/// never absent (which would read as the default).
pub fn written<'r>(r: &'r Resource, path: &str) -> Option<&'r Node> {
    let mut parts = path.split('.').filter(|p| !p.is_empty());
    let mut cur = r.get(parts.next()?)?;
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{Frontend, Unknown};

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
}
