//! IAM policy documents parsed into typed statements.
//!
//! The grammar follows the
//! [IAM JSON policy grammar](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html)
//! and the [policy elements reference](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html).
//! Input is a [`moat_model::Node`] (whose values may be [`Value::Unknown`], from IaC) or a
//! `serde_json::Value` (standalone policy files). Whatever cannot be resolved is kept as a
//! [`Leaf::Unknown`] in the place it was written, never dropped, so that a decision can say it
//! depends on it. A document AWS would reject is a [`PolicyError`].

use std::collections::BTreeMap;

use moat_model::{format_number, Loc, Node, Unknown, Value};

/// Why a policy document could not be read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PolicyError {
    /// The document (or a statement) is not a JSON object.
    #[error("{what} must be an object, found {found}")]
    NotAnObject {
        /// What was expected to be an object.
        what: String,
        /// The type found.
        found: String,
    },
    /// `Version` is neither `2012-10-17` nor `2008-10-17`.
    #[error("unsupported policy version `{0}` (expected `2012-10-17` or `2008-10-17`)")]
    UnsupportedVersion(String),
    /// No `Statement` element.
    #[error("the policy has no `Statement` element")]
    MissingStatement,
    /// A statement has no `Effect`.
    #[error("statement {index} has no `Effect`")]
    MissingEffect {
        /// Index of the statement.
        index: usize,
    },
    /// `Effect` is neither `Allow` nor `Deny`.
    #[error("statement {index}: `Effect` must be `Allow` or `Deny`, found `{found}`")]
    BadEffect {
        /// Index of the statement.
        index: usize,
        /// The value found.
        found: String,
    },
    /// Both an element and its `Not` form (or neither, where one is required).
    #[error("statement {index}: {message}")]
    Elements {
        /// Index of the statement.
        index: usize,
        /// What is wrong, naming the elements.
        message: String,
    },
    /// A value of the wrong type (e.g. a number where a string or list of strings is needed).
    #[error("statement {index}: `{element}` must be {expected}, found {found}")]
    BadValue {
        /// Index of the statement.
        index: usize,
        /// The element (`Action`, `Condition.StringEquals.aws:SourceVpc`, ...).
        element: String,
        /// What was expected.
        expected: String,
        /// The type found.
        found: String,
    },
    /// A principal type other than `AWS`, `Service`, `Federated`, `CanonicalUser`.
    #[error("statement {index}: unknown principal type `{found}`")]
    PrincipalType {
        /// Index of the statement.
        index: usize,
        /// The key found.
        found: String,
    },
    /// An element name IAM does not know.
    #[error("statement {index}: unknown element `{found}`")]
    UnknownElement {
        /// Index of the statement.
        index: usize,
        /// The key found.
        found: String,
    },
}

/// A string leaf of a policy: known text, or a value that could not be resolved.
#[derive(Clone, Debug, PartialEq)]
pub enum Leaf {
    /// Known text, exactly as written (booleans and numbers as AWS stringifies them).
    Known(String),
    /// A value the frontend could not resolve.
    Unknown(Unknown),
}

impl Leaf {
    /// The text, if known.
    pub fn as_known(&self) -> Option<&str> {
        match self {
            Leaf::Known(s) => Some(s),
            Leaf::Unknown(_) => None,
        }
    }
}

/// The policy language version.
#[derive(Clone, Debug, PartialEq)]
pub enum Version {
    /// `2012-10-17`: policy variables are substituted.
    V2012_10_17,
    /// `2008-10-17`: policy variables are literal text.
    V2008_10_17,
    /// No `Version`: AWS treats it as `2008-10-17`
    /// ([Version](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html)).
    Absent,
    /// The version could not be resolved.
    Unknown(Unknown),
}

impl Version {
    /// Whether policy variables are substituted: `Some(true)` for `2012-10-17`, `Some(false)`
    /// for `2008-10-17` or absent, `None` when unknown.
    pub fn substitutes_variables(&self) -> Option<bool> {
        match self {
            Version::V2012_10_17 => Some(true),
            Version::V2008_10_17 | Version::Absent => Some(false),
            Version::Unknown(_) => None,
        }
    }
}

/// `Allow` or `Deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// `"Effect": "Allow"`.
    Allow,
    /// `"Effect": "Deny"`.
    Deny,
}

/// The effect of a statement, which may be unknown.
#[derive(Clone, Debug, PartialEq)]
pub enum EffectValue {
    /// A known effect.
    Known(Effect),
    /// The effect could not be resolved.
    Unknown(Unknown),
}

/// An element with a positive and a negated form (`Action`/`NotAction`,
/// `Resource`/`NotResource`). Values are the strings as written; a list that is unknown as a
/// whole is one [`Leaf::Unknown`].
#[derive(Clone, Debug, PartialEq)]
pub enum Targets {
    /// `Action` / `Resource`: the statement applies to what matches one of these.
    Only(Vec<Leaf>),
    /// `NotAction` / `NotResource`: the statement applies to what matches none of these.
    AllBut(Vec<Leaf>),
}

/// The principal types of the `Principal` element
/// ([Principal](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalType {
    /// `AWS`: accounts, users, roles, role sessions, `*`.
    Aws,
    /// `Service`: service principals (`lambda.amazonaws.com`).
    Service,
    /// `Federated`: identity providers.
    Federated,
    /// `CanonicalUser`: S3 canonical user IDs.
    CanonicalUser,
}

impl PrincipalType {
    fn from_key(k: &str) -> Option<Self> {
        match k {
            "AWS" => Some(PrincipalType::Aws),
            "Service" => Some(PrincipalType::Service),
            "Federated" => Some(PrincipalType::Federated),
            "CanonicalUser" => Some(PrincipalType::CanonicalUser),
            _ => None,
        }
    }
}

/// The value of a `Principal` or `NotPrincipal` element.
#[derive(Clone, Debug, PartialEq)]
pub enum Principals {
    /// `"Principal": "*"`: everyone, anonymous included.
    Everyone,
    /// `{"AWS": [...], "Service": ...}`, each type with its values as written.
    Typed(BTreeMap<PrincipalType, Vec<Leaf>>),
    /// The element could not be resolved.
    Unknown(Unknown),
}

/// `Principal` or `NotPrincipal`.
#[derive(Clone, Debug, PartialEq)]
pub enum PrincipalElement {
    /// `Principal`.
    Only(Principals),
    /// `NotPrincipal`.
    AllBut(Principals),
}

/// One condition: operator, key and the values (OR-ed).
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionEntry {
    /// The operator as written (`StringEquals`, `ForAnyValue:StringLike`, `BoolIfExists`).
    pub operator: String,
    /// The condition key (`aws:SourceVpce`); unknown when the operator's block is unknown.
    pub key: Leaf,
    /// The values, stringified as AWS does (`true`, `10`).
    pub values: Vec<Leaf>,
    /// The operator recognised (`None`: not an operator AWS has), parsed once with the policy.
    pub op: Option<crate::condition::Operator>,
}

impl ConditionEntry {
    /// An entry, with its operator recognised.
    pub fn new(operator: impl Into<String>, key: Leaf, values: Vec<Leaf>) -> ConditionEntry {
        let operator = operator.into();
        let op = crate::condition::Operator::parse(&operator);
        ConditionEntry {
            operator,
            key,
            values,
            op,
        }
    }
}

/// The `Condition` element: entries are AND-ed.
#[derive(Clone, Debug, PartialEq)]
pub enum Conditions {
    /// Known entries, sorted by operator then key (the input's map order).
    Known(Vec<ConditionEntry>),
    /// The whole `Condition` element could not be resolved.
    Unknown(Unknown),
}

/// One statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// Position in the `Statement` list (0 for a single statement object).
    pub index: usize,
    /// `Sid`, if any.
    pub sid: Option<Leaf>,
    /// `Effect`.
    pub effect: EffectValue,
    /// `Action` or `NotAction`.
    pub action: Targets,
    /// `Resource` or `NotResource`; `None` when absent (trust policies).
    pub resource: Option<Targets>,
    /// `Principal` or `NotPrincipal`; `None` when absent (identity-based policies).
    pub principal: Option<PrincipalElement>,
    /// `Condition`; an empty known list when absent.
    pub condition: Conditions,
    /// Where the statement was written, when known.
    pub loc: Option<Loc>,
}

/// A policy document.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// `Version`.
    pub version: Version,
    /// `Id`, if any.
    pub id: Option<Leaf>,
    /// The statements, in order.
    pub statements: Vec<Statement>,
}

impl Policy {
    /// Parse a policy from JSON (a standalone policy file).
    pub fn from_json(json: &serde_json::Value) -> Result<Policy, PolicyError> {
        Policy::from_node(&Node::new(Value::from_json(json), None))
    }

    /// Parse a policy from a model node (IaC), keeping unknown leaves.
    ///
    /// A document that is unknown as a whole cannot be parsed: the caller keeps it as unknown.
    pub fn from_node(node: &Node) -> Result<Policy, PolicyError> {
        let map = node.as_map().ok_or_else(|| PolicyError::NotAnObject {
            what: "the policy document".into(),
            found: node.value.type_name().into(),
        })?;
        let version = match map.get("Version").map(|n| &n.value) {
            None | Some(Value::Null) => Version::Absent,
            Some(Value::String(s)) if s == "2012-10-17" => Version::V2012_10_17,
            Some(Value::String(s)) if s == "2008-10-17" => Version::V2008_10_17,
            Some(Value::Unknown(u)) => Version::Unknown(u.clone()),
            Some(other) => return Err(PolicyError::UnsupportedVersion(other.to_string())),
        };
        let id = match map.get("Id") {
            None => None,
            Some(n) => Some(scalar(n, 0, "Id")?),
        };
        let stmt_node = map.get("Statement").ok_or(PolicyError::MissingStatement)?;
        let statements = match &stmt_node.value {
            Value::List(items) => items
                .iter()
                .enumerate()
                .map(|(i, n)| statement(n, i))
                .collect::<Result<Vec<_>, _>>()?,
            Value::Map(_) => vec![statement(stmt_node, 0)?],
            Value::Unknown(u) => {
                // A statement list we cannot see: keep it as one statement whose every part
                // is unknown, so no decision can ignore it.
                vec![unknown_statement(u, stmt_node.loc.clone())]
            }
            other => {
                return Err(PolicyError::NotAnObject {
                    what: "`Statement`".into(),
                    found: other.type_name().into(),
                })
            }
        };
        Ok(Policy {
            version,
            id,
            statements,
        })
    }
}

fn unknown_statement(u: &Unknown, loc: Option<Loc>) -> Statement {
    Statement {
        index: 0,
        sid: None,
        effect: EffectValue::Unknown(u.clone()),
        action: Targets::Only(vec![Leaf::Unknown(u.clone())]),
        resource: Some(Targets::Only(vec![Leaf::Unknown(u.clone())])),
        principal: None,
        condition: Conditions::Unknown(u.clone()),
        loc,
    }
}

const ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
];

fn statement(node: &Node, index: usize) -> Result<Statement, PolicyError> {
    let map = match &node.value {
        Value::Map(m) => m,
        Value::Unknown(u) => {
            let mut s = unknown_statement(u, node.loc.clone());
            s.index = index;
            return Ok(s);
        }
        other => {
            return Err(PolicyError::NotAnObject {
                what: format!("statement {index}"),
                found: other.type_name().into(),
            })
        }
    };
    if let Some(k) = map.keys().find(|k| !ELEMENTS.contains(&k.as_str())) {
        return Err(PolicyError::UnknownElement {
            index,
            found: k.clone(),
        });
    }
    let sid = match map.get("Sid") {
        None => None,
        Some(n) => Some(scalar(n, index, "Sid")?),
    };
    let effect = match map.get("Effect").map(|n| &n.value) {
        None => return Err(PolicyError::MissingEffect { index }),
        Some(Value::String(s)) if s == "Allow" => EffectValue::Known(Effect::Allow),
        Some(Value::String(s)) if s == "Deny" => EffectValue::Known(Effect::Deny),
        Some(Value::Unknown(u)) => EffectValue::Unknown(u.clone()),
        Some(other) => {
            return Err(PolicyError::BadEffect {
                index,
                found: other.to_string(),
            })
        }
    };
    let action = pair(map, index, "Action", "NotAction")?.ok_or(PolicyError::Elements {
        index,
        message: "one of `Action` or `NotAction` is required".into(),
    })?;
    let resource = pair(map, index, "Resource", "NotResource")?;
    let principal = match (map.get("Principal"), map.get("NotPrincipal")) {
        (Some(_), Some(_)) => {
            return Err(PolicyError::Elements {
                index,
                message: "`Principal` and `NotPrincipal` cannot both be given".into(),
            })
        }
        (Some(n), None) => Some(PrincipalElement::Only(principals(n, index, "Principal")?)),
        (None, Some(n)) => Some(PrincipalElement::AllBut(principals(
            n,
            index,
            "NotPrincipal",
        )?)),
        (None, None) => None,
    };
    let condition = match map.get("Condition") {
        None => Conditions::Known(Vec::new()),
        Some(n) => conditions(n, index)?,
    };
    Ok(Statement {
        index,
        sid,
        effect,
        action,
        resource,
        principal,
        condition,
        loc: node.loc.clone(),
    })
}

fn pair(
    map: &BTreeMap<String, Node>,
    index: usize,
    pos: &str,
    neg: &str,
) -> Result<Option<Targets>, PolicyError> {
    match (map.get(pos), map.get(neg)) {
        (Some(_), Some(_)) => Err(PolicyError::Elements {
            index,
            message: format!("`{pos}` and `{neg}` cannot both be given"),
        }),
        (Some(n), None) => Ok(Some(Targets::Only(strings(n, index, pos)?))),
        (None, Some(n)) => Ok(Some(Targets::AllBut(strings(n, index, neg)?))),
        (None, None) => Ok(None),
    }
}

/// A scalar leaf: a string, or a boolean or number stringified as AWS does.
fn scalar(node: &Node, index: usize, element: &str) -> Result<Leaf, PolicyError> {
    match &node.value {
        Value::String(s) => Ok(Leaf::Known(s.clone())),
        Value::Bool(b) => Ok(Leaf::Known(b.to_string())),
        Value::Number(n) => Ok(Leaf::Known(format_number(*n))),
        Value::Unknown(u) => Ok(Leaf::Unknown(u.clone())),
        other => Err(PolicyError::BadValue {
            index,
            element: element.into(),
            expected: "a string".into(),
            found: other.type_name().into(),
        }),
    }
}

/// A string or a list of strings (booleans and numbers stringified).
fn strings(node: &Node, index: usize, element: &str) -> Result<Vec<Leaf>, PolicyError> {
    match &node.value {
        Value::List(items) => items.iter().map(|n| scalar(n, index, element)).collect(),
        _ => scalar(node, index, element)
            .map(|l| vec![l])
            .map_err(|e| match e {
                PolicyError::BadValue {
                    index,
                    element,
                    found,
                    ..
                } => PolicyError::BadValue {
                    index,
                    element,
                    expected: "a string or a list of strings".into(),
                    found,
                },
                other => other,
            }),
    }
}

fn principals(node: &Node, index: usize, element: &str) -> Result<Principals, PolicyError> {
    match &node.value {
        Value::String(s) if s == "*" => Ok(Principals::Everyone),
        Value::Unknown(u) => Ok(Principals::Unknown(u.clone())),
        Value::Map(m) => {
            let mut out = BTreeMap::new();
            for (k, v) in m {
                let t = PrincipalType::from_key(k).ok_or_else(|| PolicyError::PrincipalType {
                    index,
                    found: k.clone(),
                })?;
                out.insert(t, strings(v, index, &format!("{element}.{k}"))?);
            }
            Ok(Principals::Typed(out))
        }
        other => Err(PolicyError::BadValue {
            index,
            element: element.into(),
            expected: "`*` or an object of principal types".into(),
            found: match other {
                Value::String(s) => format!("`{s}`"),
                v => v.type_name().into(),
            },
        }),
    }
}

fn conditions(node: &Node, index: usize) -> Result<Conditions, PolicyError> {
    let map = match &node.value {
        Value::Map(m) => m,
        Value::Unknown(u) => return Ok(Conditions::Unknown(u.clone())),
        other => {
            return Err(PolicyError::BadValue {
                index,
                element: "Condition".into(),
                expected: "an object".into(),
                found: other.type_name().into(),
            })
        }
    };
    let mut out = Vec::new();
    for (op, block) in map {
        match &block.value {
            Value::Map(keys) => {
                for (key, vals) in keys {
                    out.push(ConditionEntry::new(
                        op.clone(),
                        Leaf::Known(key.clone()),
                        strings(vals, index, &format!("Condition.{op}.{key}"))?,
                    ));
                }
            }
            Value::Unknown(u) => out.push(ConditionEntry::new(
                op.clone(),
                Leaf::Unknown(u.clone()),
                vec![Leaf::Unknown(u.clone())],
            )),
            other => {
                return Err(PolicyError::BadValue {
                    index,
                    element: format!("Condition.{op}"),
                    expected: "an object".into(),
                    found: other.type_name().into(),
                })
            }
        }
    }
    Ok(Conditions::Known(out))
}
