//! Values with provenance and unknowns.
//!
//! Every value a frontend produces is a [`Node`]: a [`Value`] plus the [`Loc`] it came from.
//! A value that cannot be resolved offline is [`Value::Unknown`], carrying the reason, and
//! unknowns propagate through expressions. Analyses must never treat an unknown as safe.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// A position in a scanned file. `file` is relative to the scanned root, lines and columns are
/// 1-based.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Loc {
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
}

impl Loc {
    pub fn new(file: impl Into<Arc<str>>, line: u32, column: u32) -> Self {
        Loc {
            file: file.into(),
            line,
            column,
        }
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// Why a value is unknown.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unknown {
    /// An attribute of a resource that only exists after apply (`aws_security_group.web.id`).
    /// The identity of the resource is known, so analyses can still follow the reference.
    Computed { address: String, attr: String },
    /// An input variable with no default and no value given.
    Variable { name: String },
    /// A CloudFormation parameter with no default and no value given, or a pseudo parameter
    /// (`AWS::Region`, `AWS::AccountId`) that was not given.
    Parameter { name: String },
    /// A data source that needs AWS to answer (`data.aws_ami.ubuntu`).
    DataSource { address: String },
    /// An output of a module that was not resolved (registry module not downloaded).
    Module { name: String, source: String },
    /// A string template whose literal text is known but some interpolations are not
    /// (`"arn:aws:iam::${local.account_id}:root"`). `text` holds the literal parts with
    /// `${...}` placeholders in place of the unknown ones; `reason` says what is unknown.
    /// Such a string is never exactly `*` (it has literal text), which policy checks rely on.
    Template {
        text: String,
        reason: String,
        refs: Vec<String>,
    },
    /// Anything else: an expression over unknowns, a function that could not be evaluated.
    /// `refs` lists the resource addresses the expression depends on.
    Derived { reason: String, refs: Vec<String> },
}

impl Unknown {
    pub fn derived(reason: impl Into<String>) -> Self {
        Unknown::Derived {
            reason: reason.into(),
            refs: Vec::new(),
        }
    }

    /// How to write this unknown inside a string: `${aws_s3_bucket.b.arn}`, `${var.name}`.
    pub fn placeholder(&self) -> String {
        match self {
            Unknown::Computed { address, attr } => format!("${{{address}.{attr}}}"),
            Unknown::Variable { name } => format!("${{var.{name}}}"),
            Unknown::Parameter { name } => format!("${{{name}}}"),
            Unknown::DataSource { address } => format!("${{{address}}}"),
            Unknown::Module { name, .. } => format!("${{module.{name}}}"),
            Unknown::Template { text, .. } => text.clone(),
            Unknown::Derived { .. } => "${unknown}".to_string(),
        }
    }

    /// Resource addresses this unknown depends on.
    pub fn refs(&self) -> Vec<&str> {
        match self {
            Unknown::Computed { address, .. } => vec![address.as_str()],
            Unknown::DataSource { address } => vec![address.as_str()],
            Unknown::Derived { refs, .. } | Unknown::Template { refs, .. } => {
                refs.iter().map(String::as_str).collect()
            }
            Unknown::Variable { .. } | Unknown::Parameter { .. } | Unknown::Module { .. } => {
                Vec::new()
            }
        }
    }

    /// Combine several unknowns into one (used when an expression depends on many).
    pub fn combine<'a>(parts: impl IntoIterator<Item = &'a Unknown>) -> Unknown {
        let mut reasons: Vec<String> = Vec::new();
        let mut refs: Vec<String> = Vec::new();
        for p in parts {
            let r = p.to_string();
            if !reasons.contains(&r) {
                reasons.push(r);
            }
            for a in p.refs() {
                if !refs.iter().any(|x| x == a) {
                    refs.push(a.to_string());
                }
            }
        }
        if reasons.len() == 1 && refs.is_empty() {
            return Unknown::derived(reasons.remove(0));
        }
        Unknown::Derived {
            reason: reasons.join("; "),
            refs,
        }
    }
}

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // CloudFormation names what `Ref` returns `Ref` and its attributes in PascalCase
            // (`Arn`, `CidrBlock`); Terraform's attributes are snake_case.
            Unknown::Computed { address, attr } if attr == "Ref" => {
                write!(f, "`{address}` is known only once the stack is deployed")
            }
            Unknown::Computed { address, attr }
                if attr.starts_with(|c: char| c.is_ascii_uppercase()) =>
            {
                write!(
                    f,
                    "`{address}.{attr}` is known only once the stack is deployed"
                )
            }
            Unknown::Computed { address, attr } => {
                write!(f, "`{address}.{attr}` is known only after apply")
            }
            Unknown::Variable { name } => write!(f, "variable `{name}` has no value"),
            Unknown::Parameter { name } if name.starts_with("AWS::") => write!(
                f,
                "pseudo parameter `{name}` is known only when deployed (give it with `--parameter {name}=...`)"
            ),
            Unknown::Parameter { name } => write!(
                f,
                "parameter `{name}` has no value (no `Default`, not given with `--parameter`)"
            ),
            Unknown::DataSource { address } => {
                write!(f, "data source `{address}` needs AWS to resolve")
            }
            Unknown::Module { name, source } => {
                write!(f, "module `{name}` (`{source}`) was not resolved")
            }
            Unknown::Derived { reason, .. } | Unknown::Template { reason, .. } => {
                f.write_str(reason)
            }
        }
    }
}

/// A value of the estate. Numbers are f64 (Terraform numbers that matter here, ports and
/// counts, fit exactly).
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Node>),
    Map(BTreeMap<String, Node>),
    Unknown(Unknown),
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Map(_) => "map",
            Value::Unknown(_) => "unknown",
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// True if this value or anything inside it is unknown.
    pub fn contains_unknown(&self) -> bool {
        match self {
            Value::Unknown(_) => true,
            Value::List(items) => items.iter().any(|n| n.value.contains_unknown()),
            Value::Map(m) => m.values().any(|n| n.value.contains_unknown()),
            _ => false,
        }
    }

    /// Convert to JSON. Unknowns become `null` unless `unknown_marker` is given, in which case
    /// they become that string (useful for display).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null | Value::Unknown(_) => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::List(items) => {
                serde_json::Value::Array(items.iter().map(|n| n.value.to_json()).collect())
            }
            Value::Map(m) => serde_json::Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.value.to_json()))
                    .collect(),
            ),
        }
    }

    /// Build a value (without locations) from JSON.
    pub fn from_json(j: &serde_json::Value) -> Value {
        Self::from_json_at(j, None)
    }

    /// Build a value from JSON, giving every node the same location.
    pub fn from_json_at(j: &serde_json::Value, loc: Option<&Loc>) -> Value {
        match j {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(a) => Value::List(
                a.iter()
                    .map(|v| Node::new(Value::from_json_at(v, loc), loc.cloned()))
                    .collect(),
            ),
            serde_json::Value::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            Node::new(Value::from_json_at(v, loc), loc.cloned()),
                        )
                    })
                    .collect(),
            ),
        }
    }
}

fn number_to_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null)
    }
}

/// Render a number the way Terraform prints it (`8080`, not `8080.0`).
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

impl fmt::Display for Value {
    /// A short rendering for messages: strings unquoted, collections as JSON, unknowns as
    /// `(unknown: reason)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => f.write_str(&format_number(*n)),
            Value::String(s) => f.write_str(s),
            Value::Unknown(u) => write!(f, "(unknown: {u})"),
            Value::List(_) | Value::Map(_) => {
                if self.contains_unknown() {
                    f.write_str("(partly unknown) ")?;
                }
                write!(f, "{}", self.to_json())
            }
        }
    }
}

/// A value with the place it was written.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Node {
    pub value: Value,
    pub loc: Option<Loc>,
}

impl Node {
    pub fn new(value: Value, loc: Option<Loc>) -> Self {
        Node { value, loc }
    }

    pub fn at(value: Value, loc: Loc) -> Self {
        Node {
            value,
            loc: Some(loc),
        }
    }

    pub fn unknown(u: Unknown, loc: Option<Loc>) -> Self {
        Node {
            value: Value::Unknown(u),
            loc,
        }
    }

    pub fn is_unknown(&self) -> bool {
        self.value.is_unknown()
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    pub fn unknown_reason(&self) -> Option<&Unknown> {
        match &self.value {
            Value::Unknown(u) => Some(u),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Bools, and the strings `"true"`/`"false"` (Terraform converts them).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s == "true" => Some(true),
            Value::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    /// Numbers, and strings that parse as numbers (Terraform converts them).
    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Number(n) => Some(*n),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        self.as_f64()
            .filter(|n| n.fract() == 0.0 && n.is_finite())
            .map(|n| n as i64)
    }

    pub fn as_list(&self) -> Option<&[Node]> {
        match &self.value {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&BTreeMap<String, Node>> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// A key of a map node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map().and_then(|m| m.get(key))
    }

    /// Follow a dotted path: map keys, and list indexes as numbers (`rule.0.apply`).
    pub fn path(&self, path: &str) -> Option<&Node> {
        let mut cur = self;
        for part in path.split('.').filter(|p| !p.is_empty()) {
            cur = match &cur.value {
                Value::Map(m) => m.get(part)?,
                Value::List(l) => l.get(part.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// The nested blocks called `name` under this map node: a Terraform block appears as a
    /// list of maps, a CloudFormation property as a map or a list. Always yields map nodes.
    pub fn blocks<'a>(&'a self, name: &str) -> Vec<&'a Node> {
        match self.get(name) {
            Some(n) => n.as_block_list(),
            None => Vec::new(),
        }
    }

    /// This node seen as a list of map nodes (a single map is a list of one).
    pub fn as_block_list(&self) -> Vec<&Node> {
        match &self.value {
            Value::List(l) => l.iter().filter(|n| n.as_map().is_some()).collect(),
            Value::Map(_) => vec![self],
            _ => Vec::new(),
        }
    }

    /// The strings in a list (or a single string). Unknown elements are skipped; check
    /// [`Node::contains_unknown`] first where that matters.
    pub fn string_list(&self) -> Vec<&str> {
        match &self.value {
            Value::String(s) => vec![s.as_str()],
            Value::List(l) => l.iter().filter_map(Node::as_str).collect(),
            _ => Vec::new(),
        }
    }

    pub fn contains_unknown(&self) -> bool {
        self.value.contains_unknown()
    }

    /// Walk this node and every node inside it, depth first.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Node)) {
        f(self);
        match &self.value {
            Value::List(l) => l.iter().for_each(|n| n.walk(f)),
            Value::Map(m) => m.values().for_each(|n| n.walk(f)),
            _ => {}
        }
    }

    /// If this node is a computed attribute of another resource (`aws_vpc.main.id`), the
    /// address and attribute it refers to.
    pub fn computed_ref(&self) -> Option<(&str, &str)> {
        match &self.value {
            Value::Unknown(Unknown::Computed { address, attr }) => {
                Some((address.as_str(), attr.as_str()))
            }
            _ => None,
        }
    }

    /// The line this node was written on, if known.
    pub fn line(&self) -> Option<u32> {
        self.loc.as_ref().map(|l| l.line)
    }
}

impl From<Value> for Node {
    fn from(value: Value) -> Self {
        Node { value, loc: None }
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

/// A three-valued answer. Unknown is never "safe".
#[derive(Clone, Debug, PartialEq)]
pub enum Tri {
    True,
    False,
    Unknown(Unknown),
}

impl Tri {
    pub fn from_node_bool(node: Option<&Node>, default: bool) -> Tri {
        match node {
            None => Tri::from(default),
            Some(n) if n.is_null() => Tri::from(default),
            Some(n) => match (&n.value, n.as_bool()) {
                (Value::Unknown(u), _) => Tri::Unknown(u.clone()),
                (_, Some(b)) => Tri::from(b),
                _ => Tri::Unknown(Unknown::derived(format!("`{}` is not a bool", n.value))),
            },
        }
    }

    pub fn is_true(&self) -> bool {
        matches!(self, Tri::True)
    }

    pub fn is_false(&self) -> bool {
        matches!(self, Tri::False)
    }
}

impl From<bool> for Tri {
    fn from(b: bool) -> Self {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_follows_maps_and_lists() {
        let inner = Node::from(Value::Map(BTreeMap::from([(
            "apply".to_string(),
            Node::from(Value::Bool(true)),
        )])));
        let root = Node::from(Value::Map(BTreeMap::from([(
            "rule".to_string(),
            Node::from(Value::List(vec![inner])),
        )])));
        assert_eq!(
            root.path("rule.0.apply").and_then(Node::as_bool),
            Some(true)
        );
        assert!(root.path("rule.1.apply").is_none());
        assert_eq!(root.blocks("rule").len(), 1);
    }

    #[test]
    fn numbers_print_like_terraform() {
        assert_eq!(Value::Number(8080.0).to_string(), "8080");
        assert_eq!(Value::Number(1.5).to_string(), "1.5");
    }

    #[test]
    fn unknown_bool_is_not_safe() {
        let n = Node::unknown(
            Unknown::Variable {
                name: "encrypted".into(),
            },
            None,
        );
        assert!(matches!(
            Tri::from_node_bool(Some(&n), true),
            Tri::Unknown(_)
        ));
        assert!(Tri::from_node_bool(None, false).is_false());
    }

    #[test]
    fn combine_keeps_refs() {
        let a = Unknown::Computed {
            address: "aws_s3_bucket.b".into(),
            attr: "arn".into(),
        };
        let c = Unknown::combine([&a]);
        assert_eq!(c.refs(), vec!["aws_s3_bucket.b"]);
    }
}
