//! Condition operators: [`StringOperator`] for the string family on single-valued keys, and
//! [`Operator`] (module `operator`) for every family with the set qualifiers.
//!
//! Follows [IAM JSON policy elements: Condition operators](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)
//! and [Conditions with multiple context keys or values](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html):
//!
//! - `StringEquals` is exact and case-sensitive, `StringEqualsIgnoreCase` ignores case,
//!   `StringLike` accepts the wildcards `*` and `?`; the `Not` forms negate them.
//! - The policy values of one key are OR-ed; for a negated operator they are NOR-ed (the
//!   condition holds when the request value matches none of them).
//! - A key absent from the request context makes a positive operator false and a negated one
//!   true; with `...IfExists` an absent key makes the condition true.
//!
//! Scope of this layer: single-valued request keys, no `ForAllValues:`/`ForAnyValue:`
//! qualifiers (their operators are not recognised by [`StringOperator::parse`]), and no policy
//! variable substitution: a policy value containing `${` makes the outcome unknown rather than
//! guessed, unless the outcome is already settled by another value.

use moat_model::{Tri, Unknown};

mod block;
mod operator;
pub use block::{evaluate_conditions, evaluate_conditions_substituting, RequestContext};
pub use operator::{
    arn_like, base64_decode, cidr_contains, parse_bool, parse_date, parse_number, Family, Operator,
    Ordering, SetQualifier,
};

use crate::pattern::glob;
use crate::policy::Leaf;

/// The comparison of a string operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringComparison {
    /// `StringEquals` / `StringNotEquals`: exact, case-sensitive.
    Equals,
    /// `StringEqualsIgnoreCase` / `StringNotEqualsIgnoreCase`.
    EqualsIgnoreCase,
    /// `StringLike` / `StringNotLike`: `*` and `?` wildcards, case-sensitive.
    Like,
}

/// A string condition operator, with its negation and `IfExists` suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StringOperator {
    /// How values are compared.
    pub comparison: StringComparison,
    /// The `Not` form (`StringNotEquals`, `StringNotLike`, ...).
    pub negated: bool,
    /// The `...IfExists` suffix.
    pub if_exists: bool,
}

impl StringOperator {
    /// Recognise a string operator name as written in a policy (`StringNotLikeIfExists`).
    /// `None` for other operators, including the set-qualified ones (`ForAnyValue:...`).
    pub fn parse(name: &str) -> Option<StringOperator> {
        let (base, if_exists) = match name.strip_suffix("IfExists") {
            Some(b) => (b, true),
            None => (name, false),
        };
        let (comparison, negated) = match base {
            "StringEquals" => (StringComparison::Equals, false),
            "StringNotEquals" => (StringComparison::Equals, true),
            "StringEqualsIgnoreCase" => (StringComparison::EqualsIgnoreCase, false),
            "StringNotEqualsIgnoreCase" => (StringComparison::EqualsIgnoreCase, true),
            "StringLike" => (StringComparison::Like, false),
            "StringNotLike" => (StringComparison::Like, true),
            _ => return None,
        };
        Some(StringOperator {
            comparison,
            negated,
            if_exists,
        })
    }

    /// Decide the condition for one key: `policy_values` as written in the policy, `request`
    /// the key's value in the request context (`None` when the key is absent).
    pub fn evaluate(&self, policy_values: &[Leaf], request: Option<&str>) -> Tri {
        let Some(actual) = request else {
            // Absent key: IfExists -> true; otherwise positive -> false, negated -> true.
            return Tri::from(self.if_exists || self.negated);
        };
        let mut unknown: Option<Unknown> = None;
        let mut any_match = false;
        for v in policy_values {
            match v {
                Leaf::Known(s) if s.contains("${") => {
                    unknown.get_or_insert_with(|| {
                        Unknown::derived(format!(
                            "policy variable in condition value `{s}` is not substituted yet"
                        ))
                    });
                }
                Leaf::Known(s) => {
                    if self.compare(s, actual) {
                        any_match = true;
                        break;
                    }
                }
                Leaf::Unknown(u) => {
                    unknown.get_or_insert_with(|| u.clone());
                }
            }
        }
        // One known match settles it either way (OR for positive, NOR for negated).
        if any_match {
            return Tri::from(!self.negated);
        }
        match unknown {
            Some(u) => Tri::Unknown(u),
            None => Tri::from(self.negated),
        }
    }

    fn compare(&self, policy: &str, actual: &str) -> bool {
        match self.comparison {
            StringComparison::Equals => policy == actual,
            StringComparison::EqualsIgnoreCase => policy.to_lowercase() == actual.to_lowercase(),
            StringComparison::Like => glob(policy, actual),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_names() {
        let op = StringOperator::parse("StringNotLikeIfExists").unwrap();
        assert_eq!(op.comparison, StringComparison::Like);
        assert!(op.negated && op.if_exists);
        assert_eq!(StringOperator::parse("ForAnyValue:StringLike"), None);
        assert_eq!(StringOperator::parse("NumericEquals"), None);
        assert_eq!(StringOperator::parse("IfExists"), None);
    }
}
