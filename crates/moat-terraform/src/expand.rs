//! How one block becomes several: `count` and `for_each` of resources and module calls, and
//! `for_each` of `dynamic` blocks.
//!
//! Resources and module calls go through one path: [`Evaluator::expand`] checks the instance
//! limit, `meta_keys` evaluates the meta-argument into [`Keys`] (what it asks for, checked
//! against the room left under the limit before anything is allocated), and `expand` turns those
//! into the scopes the instances are evaluated in (`count.index`, `each.key`, `each.value`).
//! An unknown meta-argument is a note and an invalid one an error, both followed by one
//! placeholder instance; `dynamic` blocks share those messages and the (key, value) pairs of a
//! collection with `for` expressions ([`collection_pairs`]).

use std::collections::BTreeMap;
use std::fmt;

use hcl_edit::expr::Expression;
use moat_model::{Limit, Loc, Node, Unknown, Value};

use crate::error::TfError;
use crate::eval::{describe, Evaluator, Scope};
use crate::ir::{Body, Expr};
use crate::value_ops::{to_num, unk, visible};

/// How a resource or module call expands.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Expansion {
    Single,
    Count,
    ForEach,
    /// `count`/`for_each` unknown: one placeholder instance without index.
    Unknown,
}

/// The meta-argument that expands a block.
#[derive(Clone, Copy)]
enum Meta {
    Count,
    ForEach,
}

impl fmt::Display for Meta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Meta::Count => "count",
            Meta::ForEach => "for_each",
        })
    }
}

/// What a meta-argument expands, as messages name it: `` `aws_s3_bucket.b` `` (one instance
/// each) or `` dynamic block `ingress` `` (one block each).
struct Subject<'a> {
    kind: &'static str,
    name: &'a str,
    unit: &'static str,
}

impl<'a> Subject<'a> {
    fn instances(base: &'a str) -> Self {
        Subject {
            kind: "",
            name: base,
            unit: "instance",
        }
    }

    fn blocks(label: &'a str) -> Self {
        Subject {
            kind: "dynamic block ",
            name: label,
            unit: "block",
        }
    }
}

/// The instances `count` or `for_each` asks for, before any is built.
enum Keys {
    /// Neither meta-argument: one instance without key.
    Single,
    /// `count = n`: `count.index` 0..n, located at the meta-argument.
    Count(usize, Loc),
    /// `for_each`: `each.key` (located at the meta-argument) and `each.value` of each instance,
    /// in key order.
    Each(Vec<(String, Node)>, Loc),
    /// Unknown or invalid (the note or error is recorded): one placeholder instance whose
    /// `count.index` or `each.key` is unknown for `reason`; `each.value` is `value` if given
    /// (the placeholder instance of a resource whose unknown collection `for_each` iterates),
    /// else the same unknown.
    Placeholder {
        meta: Meta,
        reason: String,
        loc: Loc,
        value: Option<Node>,
    },
    /// More instances than the room left under the limit: how many, and where asked.
    Over(usize, Loc),
}

impl Evaluator {
    /// Expand `count`/`for_each` of a block evaluated in module `m`: the instance keys with
    /// the scope each instance is evaluated in.
    ///
    /// `limit` is the instance limit these instances count against: over it, an error is
    /// recorded and there is no instance at all (`Expansion::Unknown`, empty), before any
    /// instance is built.
    pub fn expand(
        &mut self,
        m: usize,
        body: &Body,
        base: &str,
        loc: &Loc,
        limit: Limit,
    ) -> (Expansion, Vec<(Option<Value>, Scope)>) {
        let (max, used) = match limit {
            Limit::ModuleInstances => (self.limits.max_module_instances, self.module_instances),
            _ => (self.limits.max_resource_instances, self.resource_instances),
        };
        let room = max.saturating_sub(used);
        let keys = if room == 0 {
            Keys::Over(1, loc.clone())
        } else {
            self.meta_keys(m, body, base, room)
        };
        match keys {
            Keys::Over(n, at) => {
                let noun = match limit {
                    Limit::ModuleInstances => "module instances",
                    _ => "resource instances",
                };
                let what = format!("{n} more {noun} for `{base}` (after {used})");
                self.over_limit(limit, what, Some(&at));
                (Expansion::Unknown, Vec::new())
            }
            Keys::Single => (Expansion::Single, vec![(None, Scope::module(m))]),
            Keys::Count(n, at) => {
                let out = (0..n)
                    .map(|i| {
                        let mut sc = Scope::module(m);
                        sc.count_index = Some(Node::new(Value::Number(i as f64), Some(at.clone())));
                        (Some(Value::Number(i as f64)), sc)
                    })
                    .collect();
                (Expansion::Count, out)
            }
            Keys::Each(pairs, at) => {
                let out = pairs
                    .into_iter()
                    .map(|(k, v)| {
                        let mut sc = Scope::module(m);
                        let kn = Node::new(Value::String(k.clone()), Some(at.clone()));
                        sc.each = Some((kn, v));
                        (Some(Value::String(k)), sc)
                    })
                    .collect();
                (Expansion::ForEach, out)
            }
            Keys::Placeholder {
                meta,
                reason,
                loc,
                value,
            } => {
                let u = Node::new(unk(reason), Some(loc));
                let mut sc = Scope::module(m);
                match meta {
                    Meta::Count => sc.count_index = Some(u),
                    Meta::ForEach => sc.each = Some((u.clone(), value.unwrap_or(u))),
                }
                (Expansion::Unknown, vec![(None, sc)])
            }
        }
    }

    /// Count the instances [`Evaluator::expand`] made against their limit.
    pub fn count_instances(&mut self, limit: Limit, n: usize) {
        match limit {
            Limit::ModuleInstances => {
                self.module_instances = self.module_instances.saturating_add(n)
            }
            _ => self.resource_instances = self.resource_instances.saturating_add(n),
        }
    }

    /// Evaluate `count` (first) or `for_each` of a block named `base` in module `m` into the
    /// keys of its instances; more than `room` instances is [`Keys::Over`].
    fn meta_keys(&mut self, m: usize, body: &Body, base: &str, room: usize) -> Keys {
        let s = Subject::instances(base);
        if let Some(count) = body.attr("count") {
            let n = self.eval(&count.expr, &mut Scope::module(m));
            let at = &count.loc;
            return match &n.value {
                Value::Unknown(u) => self.unknown_keys(&s, Meta::Count, at, "is unknown", u, None),
                v => match to_num(v) {
                    Some(c) if c >= 0.0 && c.fract() == 0.0 && c > room as f64 => {
                        let n = if c >= usize::MAX as f64 {
                            usize::MAX
                        } else {
                            c as usize
                        };
                        Keys::Over(n, at.clone())
                    }
                    Some(c) if c >= 0.0 && c.fract() == 0.0 => Keys::Count(c as usize, at.clone()),
                    _ => {
                        let found = describe(v);
                        self.invalid_keys(&s, Meta::Count, at, "a whole number >= 0", found, None)
                    }
                },
            };
        }
        if let Some(fe) = body.attr("for_each") {
            let n = self.eval(&fe.expr, &mut Scope::module(m));
            let at = &fe.loc;
            // `for_each = aws_s3_bucket.team` where that resource's instances are unknown:
            // `each.value` is its placeholder instance, so `each.value.id` still names it.
            let value = match &n.value {
                Value::Unknown(Unknown::Derived { refs, .. }) if refs.len() == 1 => refs
                    .first()
                    .and_then(|r| self.unknown_collections.get(r))
                    .cloned(),
                _ => None,
            };
            const EXPECTED: &str = "a map or a set of strings";
            return match &n.value {
                Value::Unknown(u) => {
                    self.unknown_keys(&s, Meta::ForEach, at, "is unknown", u, value)
                }
                Value::Map(map) if map.len() > room => Keys::Over(map.len(), at.clone()),
                Value::Map(map) => Keys::Each(
                    visible(map).map(|(k, v)| (k.clone(), v.clone())).collect(),
                    at.clone(),
                ),
                Value::List(items) if items.len() > room => Keys::Over(items.len(), at.clone()),
                Value::List(items) => {
                    let mut keys: Vec<String> = Vec::new();
                    for it in items {
                        match &it.value {
                            Value::Unknown(u) => {
                                let how = "has an unknown element";
                                return self.unknown_keys(&s, Meta::ForEach, at, how, u, value);
                            }
                            Value::String(k) => keys.push(k.clone()),
                            other => {
                                let found = format!("a list holding {}", describe(other));
                                return self.invalid_keys(
                                    &s,
                                    Meta::ForEach,
                                    at,
                                    EXPECTED,
                                    found,
                                    value,
                                );
                            }
                        }
                    }
                    keys.sort();
                    keys.dedup();
                    let pairs = keys
                        .into_iter()
                        .map(|k| {
                            let kn = Node::new(Value::String(k.clone()), Some(at.clone()));
                            (k, kn)
                        })
                        .collect();
                    Keys::Each(pairs, at.clone())
                }
                other => {
                    let found = describe(other);
                    self.invalid_keys(&s, Meta::ForEach, at, EXPECTED, found, value)
                }
            };
        }
        Keys::Single
    }

    /// An unknown meta-argument (or an unknown element of it): noted, one placeholder.
    fn unknown_keys(
        &mut self,
        s: &Subject,
        meta: Meta,
        at: &Loc,
        how: &str,
        u: &Unknown,
        value: Option<Node>,
    ) -> Keys {
        self.meta_unknown(s, meta, at, how, u);
        Keys::Placeholder {
            meta,
            reason: format!("{meta} of `{}` is unknown", s.name),
            loc: at.clone(),
            value,
        }
    }

    /// An invalid meta-argument: an error, one placeholder.
    fn invalid_keys(
        &mut self,
        s: &Subject,
        meta: Meta,
        at: &Loc,
        expected: &'static str,
        found: String,
        value: Option<Node>,
    ) -> Keys {
        self.meta_invalid(s, meta, at, expected, found);
        Keys::Placeholder {
            meta,
            reason: format!("{meta} of `{}` is invalid", s.name),
            loc: at.clone(),
            value,
        }
    }

    /// The note for an unknown meta-argument: the subject is analysed as one.
    fn meta_unknown(&mut self, s: &Subject, meta: Meta, at: &Loc, how: &str, u: &Unknown) {
        self.note(
            at,
            format!(
                "{meta} of {}`{}` {how} ({u}); analysed as one {}",
                s.kind, s.name, s.unit
            ),
        );
    }

    /// The error for a meta-argument of the wrong type.
    fn meta_invalid(
        &mut self,
        s: &Subject,
        meta: Meta,
        at: &Loc,
        expected: &'static str,
        found: String,
    ) {
        self.error(
            at,
            TfError::WrongType {
                what: format!("{meta}` of {}`{}", s.kind, s.name),
                expected,
                found,
            }
            .to_string(),
        );
    }

    /// The blocks a `dynamic "label"` block generates, evaluated in `sc`.
    pub(crate) fn dynamic_block(
        &mut self,
        b: &crate::ir::Block,
        label: &str,
        sc: &mut Scope,
    ) -> Vec<Node> {
        let iterator = b
            .body
            .attr("iterator")
            .and_then(|a| match &a.expr {
                Expr::Hcl(e, _) => match e.as_ref() {
                    Expression::Variable(v) => Some(v.value().to_string()),
                    _ => None,
                },
                Expr::Json(v, _) => v.as_str().map(str::to_string),
            })
            .unwrap_or_else(|| label.to_string());
        let Some(content) = b.body.blocks_of("content").next() else {
            return Vec::new();
        };
        let Some(fe) = b.body.attr("for_each") else {
            return Vec::new();
        };
        let coll = self.eval(&fe.expr, sc);
        let s = Subject::blocks(label);
        let mut unknown_count: Option<Node> = None;
        let pairs: Vec<(Node, Node)> = match &coll.value {
            Value::Null => Vec::new(),
            Value::Unknown(u) => {
                self.meta_unknown(&s, Meta::ForEach, &fe.loc, "is unknown", u);
                let un = Node::new(Value::Unknown(u.clone()), Some(fe.loc.clone()));
                unknown_count = Some(un.clone());
                vec![(un.clone(), un)]
            }
            other => match collection_pairs(other) {
                Some(pairs) => pairs,
                None => {
                    let found = describe(other);
                    self.meta_invalid(&s, Meta::ForEach, &fe.loc, "a collection", found);
                    Vec::new()
                }
            },
        };
        let mut out = Vec::new();
        for (k, v) in pairs {
            if !self.spend(1, || Some(content.loc.clone())) {
                out.push(Node::new(self.exhausted_value(), Some(content.loc.clone())));
                break;
            }
            let it = Node::new(
                Value::Map(BTreeMap::from([
                    ("key".to_string(), k),
                    ("value".to_string(), v),
                ])),
                None,
            );
            sc.binds.push((iterator.clone(), it));
            let map = self.eval_body(&content.body, sc, false);
            sc.binds.pop();
            out.push(Node::new(Value::Map(map), Some(content.loc.clone())));
        }
        // The representative block is analysed, and an unknown element after it says that the
        // real number of blocks (zero, one or more) is not known: `Node::blocks` still yields
        // the representative, while `contains_unknown` tells checks that need the exact set.
        if let Some(un) = unknown_count {
            out.push(un);
        }
        out
    }
}

/// The (key, value) pairs of a list (index, element) or a map (key, value; hidden keys left
/// out), each key located at its value; `None` for anything else. Used by `dynamic` blocks and
/// `for` expressions and directives.
pub(crate) fn collection_pairs(v: &Value) -> Option<Vec<(Node, Node)>> {
    match v {
        Value::List(items) => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| (Node::new(Value::Number(i as f64), v.loc.clone()), v.clone()))
                .collect(),
        ),
        Value::Map(m) => Some(
            visible(m)
                .map(|(k, v)| {
                    (
                        Node::new(Value::String(k.clone()), v.loc.clone()),
                        v.clone(),
                    )
                })
                .collect(),
        ),
        _ => None,
    }
}
