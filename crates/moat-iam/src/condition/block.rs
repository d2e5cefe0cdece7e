//! The `Condition` element as a whole: every operator's every key must hold (AND), following
//! [IAM JSON policy elements: Condition](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html)
//! ("If you specify multiple condition operators, or multiple keys attached to a single
//! condition operator, the conditions are evaluated using a logical AND operation") and
//! [Condition keys are not case-sensitive](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html).

use std::collections::BTreeMap;

use moat_model::{Tri, Unknown};

use super::Operator;
use crate::policy::{Conditions, Leaf};
use crate::variables::{has_variables, substitute as substitute_text, Substituted};

/// The request context: condition keys (compared case-insensitively) and their values (one for
/// a single-valued key, any number for a multi-valued key).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestContext {
    keys: BTreeMap<String, Vec<String>>,
    /// Keys that are not set are unknown rather than absent (see [`RequestContext::open`]).
    open: bool,
    /// In an open context, keys known to be absent (lowercased).
    absent: std::collections::BTreeSet<String>,
}

impl RequestContext {
    /// An empty context.
    pub fn new() -> RequestContext {
        RequestContext::default()
    }

    /// A context that does not know the whole request: a key that is not set may have any
    /// value or be absent, so a condition on it is unknown. Used when answering from IaC,
    /// where "can this role read that bucket?" does not fix the source address or the VPC
    /// endpoint of the request.
    pub fn open() -> RequestContext {
        RequestContext {
            keys: BTreeMap::new(),
            open: true,
            absent: Default::default(),
        }
    }

    /// In an open context, record that a key is absent from the request (`aws:username` for a
    /// role session).
    pub fn set_absent(&mut self, key: &str) -> &mut Self {
        self.absent.insert(key.to_ascii_lowercase());
        self
    }

    /// Whether the key's presence and value are unknown: an open context that neither sets
    /// it nor knows it absent.
    pub fn is_unknown_key(&self, key: &str) -> bool {
        self.open
            && self.values(key).is_none()
            && !self.absent.iter().any(|k| k.eq_ignore_ascii_case(key))
    }

    /// The values of a key, `None` when absent, without allocating (the few keys of a
    /// context are scanned case-insensitively).
    pub fn values(&self, key: &str) -> Option<&[String]> {
        self.keys
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_slice())
    }

    /// Whether keys that are not set are unknown.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Whether the key is set (single- or multi-valued, possibly empty).
    pub fn contains(&self, key: &str) -> bool {
        self.values(key).is_some()
    }

    /// The keys that are set, lowercased, with their values.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.keys.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// Set a single-valued key.
    pub fn set(&mut self, key: &str, value: &str) -> &mut Self {
        self.set_multi(key, &[value])
    }

    /// Set a multi-valued key (an empty list is a present but empty key).
    pub fn set_multi(&mut self, key: &str, values: &[&str]) -> &mut Self {
        self.keys.insert(
            key.to_ascii_lowercase(),
            values.iter().map(|v| v.to_string()).collect(),
        );
        self
    }

    /// The values of a key, `None` when absent.
    pub fn get(&self, key: &str) -> Option<Vec<&str>> {
        self.keys
            .get(&key.to_ascii_lowercase())
            .map(|v| v.iter().map(String::as_str).collect())
    }
}

/// Decide a statement's `Condition` element against a request context. An empty element is
/// true. A known false entry settles it false; otherwise an unknown entry, an unknown key, an
/// operator this engine does not recognise, or an unknown element makes it unknown.
///
/// Policy variables in values are not substituted (a value containing `${` is unknown); the
/// evaluator uses [`evaluate_conditions_substituting`].
pub fn evaluate_conditions(conditions: &Conditions, context: &RequestContext) -> Tri {
    evaluate_entries(conditions, context, None)
}

/// [`evaluate_conditions`] with the policy variables of string and ARN operator values
/// substituted from `context` when `substitute` is true (policy version `2012-10-17`), or kept
/// as literal text when false (`2008-10-17`). A value whose variable has no value and no
/// default is dropped (it matches nothing); one whose variable is unknown is unknown.
pub fn evaluate_conditions_substituting(
    conditions: &Conditions,
    context: &RequestContext,
    substitute: bool,
) -> Tri {
    evaluate_entries(conditions, context, Some(substitute))
}

fn evaluate_entries(
    conditions: &Conditions,
    context: &RequestContext,
    substitute: Option<bool>,
) -> Tri {
    let entries = match conditions {
        Conditions::Unknown(u) => return Tri::Unknown(u.clone()),
        Conditions::Known(e) => e,
    };
    let mut unknown: Option<Unknown> = None;
    for entry in entries {
        let outcome = match (entry.op, &entry.key) {
            (None, _) => Tri::Unknown(Unknown::derived(format!(
                "condition operator `{}` is not recognised",
                entry.operator
            ))),
            (Some(_), Leaf::Unknown(u)) => Tri::Unknown(u.clone()),
            (Some(op), Leaf::Known(key)) => {
                let values = context.values(key);
                if values.is_none() && context.is_unknown_key(key) {
                    Tri::Unknown(Unknown::derived(format!(
                        "the request's `{key}` (condition `{}`)",
                        entry.operator
                    )))
                } else {
                    match substitute {
                        None => op.evaluate_values(&entry.values, values, false),
                        Some(on) => {
                            let resolved = resolve_values(&op, &entry.values, context, on);
                            op.evaluate_substituted(&resolved, values)
                        }
                    }
                }
            }
        };
        match outcome {
            Tri::False => return Tri::False,
            Tri::Unknown(u) => {
                unknown.get_or_insert(u);
            }
            Tri::True => {}
        }
    }
    unknown.map_or(Tri::True, Tri::Unknown)
}

/// Substitute the variables of an operator's values (string and ARN operators only).
fn resolve_values<'v>(
    op: &Operator,
    values: &'v [Leaf],
    context: &RequestContext,
    substitute: bool,
) -> std::borrow::Cow<'v, [Leaf]> {
    use std::borrow::Cow;
    let has_any = values
        .iter()
        .any(|v| matches!(v, Leaf::Known(s) if has_variables(s)));
    if !substitute || !op.takes_variables() || !has_any {
        return Cow::Borrowed(values);
    }
    let pattern = op.takes_patterns();
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        match v {
            Leaf::Known(s) if has_variables(s) => match substitute_text(s, context, pattern) {
                Substituted::Text(t) => out.push(Leaf::Known(t)),
                Substituted::Missing(_) => {}
                Substituted::Unknown(u) => out.push(Leaf::Unknown(u)),
            },
            other => out.push(other.clone()),
        }
    }
    Cow::Owned(out)
}
