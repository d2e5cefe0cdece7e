//! `moat iam simulate --input FILE`: standalone requests in the JSON shape of
//! `docs/CONTRACTS.md`, decided by [`crate::eval::evaluate`], answered as JSON.
//!
//! A request object has the keys `identity` (a list of policies), `resource_policy` (a policy or
//! a list), `boundary`, `session_policy`, `scps` and `rcps` (lists of levels from the
//! organisation root down to the account, each level a list of policies), `principal`,
//! `action`, `resource`, `resource_account` and `context` (condition key to a string, number,
//! boolean or list). Policies are named in the output by where they are in the request
//! (`identity[0]`, `resource_policy`, `scps[1][0]`).

use serde_json::{json, Map, Value};
use thiserror::Error;

use crate::condition::RequestContext;
use crate::eval::{
    evaluate, request_context, Decision, DecisionKind, NamedPolicy, PolicySet, Query,
};
use crate::policy::{Policy, PolicyError};
use crate::principal::RequestPrincipal;

/// Why a request cannot be read.
#[derive(Debug, Error, PartialEq)]
pub enum RequestError {
    /// The request is not a JSON object.
    #[error("request {index}: expected an object, found {found}")]
    NotAnObject { index: usize, found: &'static str },
    /// A required key is missing or not a string.
    #[error("request {index}: `{key}` is required and must be a string")]
    MissingKey { index: usize, key: &'static str },
    /// A key has the wrong shape.
    #[error("request {index}: `{key}` must be {expected}")]
    BadShape {
        index: usize,
        key: String,
        expected: &'static str,
    },
    /// A policy of the request is not a valid policy.
    #[error("request {index}: policy `{name}`: {source}")]
    Policy {
        index: usize,
        name: String,
        #[source]
        source: PolicyError,
    },
    /// A key the request format does not have (a typo would otherwise be ignored silently).
    #[error("request {index}: unknown key `{key}`")]
    UnknownKey { index: usize, key: String },
}

/// One standalone request, parsed.
#[derive(Clone, Debug)]
pub struct Request {
    pub identity: Vec<NamedPolicy>,
    pub resource_policy: Vec<NamedPolicy>,
    pub boundary: Option<NamedPolicy>,
    pub session_policy: Option<NamedPolicy>,
    pub scps: Vec<Vec<NamedPolicy>>,
    pub rcps: Vec<Vec<NamedPolicy>>,
    pub principal: RequestPrincipal,
    pub action: String,
    pub resource: String,
    pub resource_account: Option<String>,
    pub context: RequestContext,
}

const KEYS: &[&str] = &[
    "identity",
    "resource_policy",
    "boundary",
    "session_policy",
    "scps",
    "rcps",
    "principal",
    "action",
    "resource",
    "resource_account",
    "context",
];

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn policy(index: usize, name: String, v: &Value) -> Result<NamedPolicy, RequestError> {
    let p = Policy::from_json(v).map_err(|source| RequestError::Policy {
        index,
        name: name.clone(),
        source,
    })?;
    Ok(NamedPolicy::new(name, p))
}

/// A policy or a list of policies.
fn policies(index: usize, key: &str, v: &Value) -> Result<Vec<NamedPolicy>, RequestError> {
    match v {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, p)| policy(index, format!("{key}[{i}]"), p))
            .collect(),
        Value::Object(_) => Ok(vec![policy(index, key.to_string(), v)?]),
        _ => Err(RequestError::BadShape {
            index,
            key: key.to_string(),
            expected: "a policy object or a list of policies",
        }),
    }
}

fn levels(index: usize, key: &str, v: &Value) -> Result<Vec<Vec<NamedPolicy>>, RequestError> {
    let Value::Array(items) = v else {
        return Err(RequestError::BadShape {
            index,
            key: key.to_string(),
            expected: "a list of levels, each a list of policies",
        });
    };
    items
        .iter()
        .enumerate()
        .map(|(i, level)| match level {
            Value::Array(ps) => ps
                .iter()
                .enumerate()
                .map(|(j, p)| policy(index, format!("{key}[{i}][{j}]"), p))
                .collect(),
            Value::Object(_) => Ok(vec![policy(index, format!("{key}[{i}]"), level)?]),
            _ => Err(RequestError::BadShape {
                index,
                key: format!("{key}[{i}]"),
                expected: "a list of policies",
            }),
        })
        .collect()
}

fn string(
    index: usize,
    obj: &Map<String, Value>,
    key: &'static str,
) -> Result<String, RequestError> {
    obj.get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or(RequestError::MissingKey { index, key })
}

/// A context value as AWS stringifies it.
fn context_value(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Request {
    /// Read one request object (`index` is its position, for errors).
    pub fn from_json(index: usize, v: &Value) -> Result<Request, RequestError> {
        let Value::Object(obj) = v else {
            return Err(RequestError::NotAnObject {
                index,
                found: json_type(v),
            });
        };
        if let Some(k) = obj.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(RequestError::UnknownKey {
                index,
                key: k.clone(),
            });
        }
        let principal = RequestPrincipal::parse(&string(index, obj, "principal")?);
        let action = string(index, obj, "action")?;
        let resource = string(index, obj, "resource")?;
        let resource_account = match obj.get("resource_account") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                return Err(RequestError::BadShape {
                    index,
                    key: "resource_account".into(),
                    expected: "a string",
                })
            }
        };
        let one = |key: &str| -> Result<Option<NamedPolicy>, RequestError> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => policy(index, key.to_string(), v).map(Some),
            }
        };
        let many = |key: &str| -> Result<Vec<NamedPolicy>, RequestError> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(v) => policies(index, key, v),
            }
        };
        let nested = |key: &str| -> Result<Vec<Vec<NamedPolicy>>, RequestError> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(v) => levels(index, key, v),
            }
        };
        let mut context = RequestContext::new();
        match obj.get("context") {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    let bad = || RequestError::BadShape {
                        index,
                        key: format!("context.{k}"),
                        expected: "a string, number, boolean or a list of them",
                    };
                    match v {
                        Value::Array(items) => {
                            let vals: Option<Vec<String>> =
                                items.iter().map(context_value).collect();
                            let vals = vals.ok_or_else(bad)?;
                            let refs: Vec<&str> = vals.iter().map(String::as_str).collect();
                            context.set_multi(k, &refs);
                        }
                        other => {
                            let s = context_value(other).ok_or_else(bad)?;
                            context.set(k, &s);
                        }
                    }
                }
            }
            Some(_) => {
                return Err(RequestError::BadShape {
                    index,
                    key: "context".into(),
                    expected: "an object of condition keys",
                })
            }
        }
        Ok(Request {
            identity: many("identity")?,
            resource_policy: many("resource_policy")?,
            boundary: one("boundary")?,
            session_policy: one("session_policy")?,
            scps: nested("scps")?,
            rcps: nested("rcps")?,
            principal,
            action,
            resource,
            resource_account,
            context,
        })
    }

    /// Decide the request.
    pub fn evaluate(&self) -> Decision {
        let set = PolicySet {
            identity: self.identity.iter().collect(),
            resource: self.resource_policy.iter().collect(),
            boundary: self.boundary.as_ref(),
            session: self.session_policy.as_ref(),
            scps: self.scps.iter().map(|l| l.iter().collect()).collect(),
            rcps: self.rcps.iter().map(|l| l.iter().collect()).collect(),
        };
        let probe = Query {
            principal: &self.principal,
            action: &self.action,
            resource: &self.resource,
            resource_account: self.resource_account.as_deref(),
            context: &self.context,
        };
        let account = probe.resource_account().map(str::to_string);
        let context = request_context(&self.context, &self.principal, account.as_deref());
        let query = Query {
            context: &context,
            ..probe
        };
        evaluate(&set, &query)
    }
}

/// The JSON form of a decision (`docs/CONTRACTS.md`).
pub fn decision_json(d: &Decision) -> Value {
    let reasons: Vec<Value> = d
        .reasons
        .iter()
        .map(|r| {
            let mut o = json!({
                "policy": r.policy,
                "statement": r.statement,
                "effect": match r.effect { crate::policy::Effect::Allow => "Allow", crate::policy::Effect::Deny => "Deny" },
                "type": r.layer.as_str(),
            });
            if let Some(map) = o.as_object_mut() {
                if let Some(sid) = &r.sid {
                    map.insert("sid".into(), json!(sid));
                }
                if let Some(loc) = &r.loc {
                    map.insert("file".into(), json!(loc.file.as_ref()));
                    map.insert("line".into(), json!(loc.line));
                }
            }
            o
        })
        .collect();
    let mut out = json!({ "decision": d.kind.as_str(), "reasons": reasons });
    if let Some(map) = out.as_object_mut() {
        if !d.missing.is_empty() {
            map.insert("missing".into(), json!(d.missing));
        }
        if d.kind == DecisionKind::Unknown {
            let possible: Vec<&str> = d.possible.iter().map(|k| k.as_str()).collect();
            map.insert("possible".into(), json!(possible));
            let unknowns: Vec<String> = d.unknowns.iter().map(ToString::to_string).collect();
            map.insert("unknowns".into(), json!(unknowns));
        }
    }
    out
}

/// Decide one request object, or an array of them (answered by an array).
pub fn simulate_json(input: &Value) -> Result<Value, RequestError> {
    match input {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| Ok(decision_json(&Request::from_json(i, v)?.evaluate())))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        v => Ok(decision_json(&Request::from_json(0, v)?.evaluate())),
    }
}
