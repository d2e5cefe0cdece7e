//! The `Condition` element as a whole: every operator's every key must hold (AND), following
//! [IAM JSON policy elements: Condition](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html)
//! ("If you specify multiple condition operators, or multiple keys attached to a single
//! condition operator, the conditions are evaluated using a logical AND operation") and
//! [Condition keys are not case-sensitive](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html).

use std::collections::BTreeMap;

use moat_model::{Tri, Unknown};

use super::Operator;
use crate::policy::{Conditions, Leaf};

/// The request context: condition keys (compared case-insensitively) and their values (one for
/// a single-valued key, any number for a multi-valued key).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestContext {
    keys: BTreeMap<String, Vec<String>>,
}

impl RequestContext {
    /// An empty context.
    pub fn new() -> RequestContext {
        RequestContext::default()
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
pub fn evaluate_conditions(conditions: &Conditions, context: &RequestContext) -> Tri {
    let entries = match conditions {
        Conditions::Unknown(u) => return Tri::Unknown(u.clone()),
        Conditions::Known(e) => e,
    };
    let mut unknown: Option<Unknown> = None;
    for entry in entries {
        let outcome = match (Operator::parse(&entry.operator), &entry.key) {
            (None, _) => Tri::Unknown(Unknown::derived(format!(
                "condition operator `{}` is not recognised",
                entry.operator
            ))),
            (Some(_), Leaf::Unknown(u)) => Tri::Unknown(u.clone()),
            (Some(op), Leaf::Known(key)) => {
                let values = context.get(key);
                op.evaluate(&entry.values, values.as_deref())
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
