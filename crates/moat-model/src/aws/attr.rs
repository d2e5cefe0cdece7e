//! [`Attr`]: one setting of the typed state, with its provenance.

use std::borrow::Cow;
use std::fmt;

use crate::estate::ResourceId;
use crate::value::{Loc, Tri, Unknown};

/// What is known about a setting.
#[derive(Clone, Debug, PartialEq)]
pub enum AttrValue<T> {
    /// Written in the source (resolved).
    Known(T),
    /// Nothing is written: the default that AWS (or the frontend's provider, which the adapter
    /// knows) applies.
    Default(T),
    /// Written, but not resolvable offline (a variable without value, a computed attribute).
    Unknown(Unknown),
    /// Written, resolved, but not a value of the expected kind (`"yes"` for a bool). Like an
    /// unknown, it never passes a check; `written` is the value as the source has it.
    Invalid {
        written: String,
        expected: &'static str,
    },
}

/// A setting of a typed resource: its value state, where it is decided, the attribute path in
/// the frontend's language and the resource that declares it.
#[derive(Clone, Debug, PartialEq)]
pub struct Attr<T> {
    pub value: AttrValue<T>,
    /// Where the value is written; for a default, the declaration of the block or resource
    /// that would hold it.
    pub loc: Loc,
    /// The attribute path as the frontend's users write it: `metadata_options.http_tokens`
    /// (Terraform), `MetadataOptions.HttpTokens` (CloudFormation), `MetadataOptions.HttpTokens`
    /// (the API).
    pub path: Cow<'static, str>,
    /// The resource whose source holds the value. It differs from the owner of the typed
    /// element when a setting lives in a separate resource (`aws_s3_bucket_versioning`).
    pub from: ResourceId,
}

impl<T> Attr<T> {
    pub fn new(
        value: AttrValue<T>,
        loc: Loc,
        path: impl Into<Cow<'static, str>>,
        from: ResourceId,
    ) -> Self {
        Attr {
            value,
            loc,
            path: path.into(),
            from,
        }
    }

    pub fn known(v: T, loc: Loc, path: impl Into<Cow<'static, str>>, from: ResourceId) -> Self {
        Attr::new(AttrValue::Known(v), loc, path, from)
    }

    pub fn default(v: T, loc: Loc, path: impl Into<Cow<'static, str>>, from: ResourceId) -> Self {
        Attr::new(AttrValue::Default(v), loc, path, from)
    }

    pub fn unknown(
        u: Unknown,
        loc: Loc,
        path: impl Into<Cow<'static, str>>,
        from: ResourceId,
    ) -> Self {
        Attr::new(AttrValue::Unknown(u), loc, path, from)
    }

    /// The effective value: written or default. `None` when unknown or invalid.
    pub fn get(&self) -> Option<&T> {
        match &self.value {
            AttrValue::Known(v) | AttrValue::Default(v) => Some(v),
            _ => None,
        }
    }

    /// The value if it is written in the source (not a default).
    pub fn written(&self) -> Option<&T> {
        match &self.value {
            AttrValue::Known(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_default(&self) -> bool {
        matches!(self.value, AttrValue::Default(_))
    }

    /// Unknown or invalid: no check may pass on it.
    pub fn is_undecided(&self) -> bool {
        matches!(
            self.value,
            AttrValue::Unknown(_) | AttrValue::Invalid { .. }
        )
    }

    /// Decide a predicate: unknown and invalid values give [`Tri::Unknown`], never a verdict.
    pub fn test(&self, f: impl FnOnce(&T) -> bool) -> Tri {
        match &self.value {
            AttrValue::Known(v) | AttrValue::Default(v) => Tri::from(f(v)),
            AttrValue::Unknown(u) => Tri::Unknown(u.clone()),
            AttrValue::Invalid { written, expected } => Tri::Unknown(Unknown::derived(format!(
                "`{}` is `{written}`, not {expected}",
                self.path
            ))),
        }
    }

    /// Why the value is undecided, in words (`None` when it is known or a default).
    pub fn why_undecided(&self) -> Option<String> {
        match &self.value {
            AttrValue::Unknown(u) => Some(u.to_string()),
            AttrValue::Invalid { written, expected } => {
                Some(format!("`{written}` is not {expected}"))
            }
            _ => None,
        }
    }

    /// The same provenance with a transformed value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Attr<U> {
        let value = match self.value {
            AttrValue::Known(v) => AttrValue::Known(f(v)),
            AttrValue::Default(v) => AttrValue::Default(f(v)),
            AttrValue::Unknown(u) => AttrValue::Unknown(u),
            AttrValue::Invalid { written, expected } => AttrValue::Invalid { written, expected },
        };
        Attr {
            value,
            loc: self.loc,
            path: self.path,
            from: self.from,
        }
    }
}

impl<T: fmt::Display> Attr<T> {
    /// How a message states the value: "`path` is `v`", "`path` is not set (default `v`)",
    /// "`path` is unknown: why", "`path` is `x`, not a bool".
    pub fn describe(&self) -> String {
        match &self.value {
            AttrValue::Known(v) => format!("`{}` is `{v}`", self.path),
            AttrValue::Default(v) => format!("`{}` is not set (default `{v}`)", self.path),
            AttrValue::Unknown(u) => format!("`{}` is unknown: {u}", self.path),
            AttrValue::Invalid { written, expected } => {
                format!("`{}` is `{written}`, not {expected}", self.path)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc() -> Loc {
        Loc::new("main.tf", 3, 1)
    }

    #[test]
    fn unknown_and_invalid_never_decide() {
        let u: Attr<bool> = Attr::unknown(
            Unknown::Variable { name: "x".into() },
            loc(),
            "encrypted",
            ResourceId(0),
        );
        assert!(matches!(u.test(|b| *b), Tri::Unknown(_)));
        assert!(u.is_undecided());
        let i: Attr<bool> = Attr::new(
            AttrValue::Invalid {
                written: "yes".into(),
                expected: "a bool",
            },
            loc(),
            "encrypted",
            ResourceId(0),
        );
        assert!(matches!(i.test(|b| *b), Tri::Unknown(_)));
        assert_eq!(i.describe(), "`encrypted` is `yes`, not a bool");
    }

    #[test]
    fn defaults_decide_and_say_so() {
        let d = Attr::default(false, loc(), "encrypted", ResourceId(0));
        assert_eq!(d.test(|b| *b), Tri::False);
        assert_eq!(d.describe(), "`encrypted` is not set (default `false`)");
        let k = Attr::known(true, loc(), "encrypted", ResourceId(1));
        assert_eq!(k.test(|b| *b), Tri::True);
        assert_eq!(k.written(), Some(&true));
        assert_eq!(k.map(|b| !b).get(), Some(&false));
    }
}
