//! References reconstructed from a plan's `configuration`: which resource an attribute's value
//! comes from (`aws_vpc.main.id`), following module outputs and module input variables, and
//! which instance of a counted resource is meant.

use std::collections::{BTreeMap, HashMap};

use super::json::J;

/// Deepest chain of module outputs and inputs followed for one reference.
const MAX_HOPS: usize = 32;

/// A resource that a value may come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    /// Address as written after the module prefix (`module.net.aws_subnet.app`,
    /// `aws_subnet.db["a"]`), without an instance key unless the reference wrote one.
    pub address: String,
    /// The attribute (`id`), when the reference names one.
    pub attr: Option<String>,
    /// Whether the reference was written with an instance key.
    pub indexed: bool,
}

/// What the references of one expression say.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sources {
    pub targets: Vec<Target>,
    /// A local value, or a module output or input that could not be followed: the value may
    /// come from something not listed.
    pub opaque: bool,
    /// `count.index` appears.
    pub count_index: bool,
    /// `each.key` appears.
    pub each_key: bool,
    /// `each.value` appears, with the attribute read from it (`each.value.id`).
    pub each_value: Vec<Option<String>>,
    /// Root variables holding a non-empty list appear, by their elements (strings; other
    /// elements as `None`): they may add elements to a list, unless they are what the
    /// expression iterates over (the instance keys of a target).
    pub collection_vars: Vec<Vec<Option<String>>>,
}

/// One module of the configuration, and how it was called.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub module: &'a J,
    /// The call's `expressions` in the parent, for `var.*` inside this module.
    pub call: Option<&'a J>,
}

/// The configuration, by module path (instance keys removed: `module.a.module.b`).
pub(crate) struct Config<'a> {
    modules: HashMap<String, Scope<'a>>,
    /// Root variables' values, from the plan's `variables`.
    root_vars: BTreeMap<String, &'a J>,
}

impl<'a> Config<'a> {
    pub fn new(plan: &'a J) -> Self {
        let mut modules = HashMap::new();
        if let Some(root) = plan.get("configuration").and_then(|c| c.get("root_module")) {
            collect(root, None, String::new(), 0, &mut modules);
        }
        let mut root_vars = BTreeMap::new();
        for (k, v) in plan
            .get("variables")
            .and_then(J::as_object)
            .unwrap_or_default()
        {
            if let Some(val) = v.get("value") {
                root_vars.insert(k.clone(), val);
            }
        }
        Config { modules, root_vars }
    }

    /// The declaration of a resource: `module` is the module address (instance keys allowed),
    /// `local` the address inside it without key (`aws_subnet.app`, `data.aws_ami.x`).
    pub fn resource(&self, module: &str, local: &str) -> Option<&'a J> {
        let scope = self.modules.get(&strip_keys(module))?;
        scope
            .module
            .get("resources")?
            .as_array()?
            .iter()
            .find(|r| r.get("address").and_then(J::as_str) == Some(local))
    }

    /// Variables of a module that Terraform marks sensitive (root only: their values are in
    /// the plan's `variables`).
    pub fn sensitive_root_vars(&self) -> Vec<&'a J> {
        let Some(root) = self.modules.get("") else {
            return Vec::new();
        };
        root.module
            .get("variables")
            .and_then(J::as_object)
            .unwrap_or_default()
            .iter()
            .filter(|(_, v)| v.get("sensitive").is_some_and(J::is_true))
            .filter_map(|(k, _)| self.root_vars.get(k).copied())
            .collect()
    }

    /// Resolve the references of an expression written in module `module` (with instance
    /// keys: the prefix given to the targets).
    pub fn sources(&self, module: &str, refs: &[String]) -> Sources {
        let mut out = Sources::default();
        self.follow(module, refs, 0, &mut out);
        out
    }

    fn follow(&self, module: &str, refs: &[String], hops: usize, out: &mut Sources) {
        if hops > MAX_HOPS {
            out.opaque = true;
            return;
        }
        let prefix = if module.is_empty() {
            String::new()
        } else {
            format!("{module}.")
        };
        for r in refs {
            match parse_ref(r) {
                Ref::Ignore => {}
                Ref::Count => out.count_index = true,
                Ref::EachKey => out.each_key = true,
                Ref::EachValue(attr) => out.each_value.push(attr),
                Ref::Opaque => out.opaque = true,
                Ref::Var(name) => {
                    if module.is_empty() {
                        if let Some(items) = self
                            .root_vars
                            .get(&name)
                            .and_then(|v| v.as_array())
                            .filter(|a| !a.is_empty())
                        {
                            out.collection_vars.push(
                                items
                                    .iter()
                                    .map(|i| i.as_str().map(str::to_string))
                                    .collect(),
                            );
                        }
                        continue;
                    }
                    // A module input: follow the call's expression in the parent.
                    let Some(scope) = self.modules.get(&strip_keys(module)) else {
                        out.opaque = true;
                        continue;
                    };
                    let parent = parent_module(module);
                    match scope.call.and_then(|c| c.get(&name)).map(expression_refs) {
                        Some(Some(inner)) => self.follow(&parent, &inner, hops + 1, out),
                        Some(None) => {}
                        None => {}
                    }
                }
                Ref::Module { call, output } => {
                    let child = format!("{prefix}module.{call}");
                    let Some(scope) = self.modules.get(&strip_keys(&child)) else {
                        out.opaque = true;
                        continue;
                    };
                    let Some(output) = output else {
                        // Terraform lists `module.x` beside `module.x.out`; alone, it is the
                        // whole module object: every output may be meant.
                        let whole = format!("module.{call}");
                        let bare = strip_keys(&whole);
                        if !refs.iter().any(|o| {
                            o.len() > bare.len()
                                && (o.starts_with(&format!("{whole}."))
                                    || o.starts_with(&format!("{bare}."))
                                    || o.starts_with(&format!("{bare}[")))
                        }) {
                            out.opaque = true;
                        }
                        continue;
                    };
                    let expr = scope
                        .module
                        .get("outputs")
                        .and_then(|o| o.get(&output))
                        .and_then(|o| o.get("expression"));
                    match expr.and_then(expression_refs) {
                        Some(inner) => self.follow(&child, &inner, hops + 1, out),
                        None if expr.is_some() => {}
                        None => out.opaque = true,
                    }
                }
                Ref::Resource {
                    address,
                    attr,
                    indexed,
                } => {
                    let address = format!("{prefix}{address}");
                    match out.targets.iter_mut().find(|t| t.address == address) {
                        Some(t) => {
                            if t.attr.is_none() {
                                t.attr = attr;
                            }
                        }
                        None => {
                            // `aws_subnet.db["a"].id` comes with `aws_subnet.db["a"]` and
                            // `aws_subnet.db`: keep the most precise.
                            if out
                                .targets
                                .iter()
                                .any(|t| t.indexed && !indexed && base_of(&t.address) == address)
                            {
                                continue;
                            }
                            out.targets.retain(|t| {
                                !(indexed && !t.indexed && t.address == base_of(&address))
                            });
                            out.targets.push(Target {
                                address,
                                attr,
                                indexed,
                            });
                        }
                    }
                }
            }
        }
    }
}

fn collect<'a>(
    module: &'a J,
    call: Option<&'a J>,
    path: String,
    depth: usize,
    out: &mut HashMap<String, Scope<'a>>,
) {
    if depth > MAX_HOPS {
        return;
    }
    for (name, c) in module
        .get("module_calls")
        .and_then(J::as_object)
        .unwrap_or_default()
    {
        if let Some(m) = c.get("module") {
            let child = if path.is_empty() {
                format!("module.{name}")
            } else {
                format!("{path}.module.{name}")
            };
            collect(m, c.get("expressions"), child, depth + 1, out);
        }
    }
    out.insert(path, Scope { module, call });
}

/// The references of an expression object (`{"references": [...]}`); `None` when it holds
/// none (a constant, or a function of constants).
pub(crate) fn expression_refs(e: &J) -> Option<Vec<String>> {
    let refs: Vec<String> = e
        .get("references")?
        .as_array()?
        .iter()
        .filter_map(J::as_str)
        .map(str::to_string)
        .collect();
    (!refs.is_empty()).then_some(refs)
}

/// Whether a configuration value is an expression object (as opposed to a nested block).
pub(crate) fn is_expression(e: &J) -> bool {
    match e.as_object() {
        Some(m) => m
            .iter()
            .all(|(k, _)| k == "references" || k == "constant_value"),
        None => false,
    }
}

enum Ref {
    Ignore,
    Count,
    EachKey,
    EachValue(Option<String>),
    Opaque,
    Var(String),
    Module {
        call: String,
        output: Option<String>,
    },
    Resource {
        address: String,
        attr: Option<String>,
        indexed: bool,
    },
}

/// Split a reference into its traversal steps: names and `[key]`s.
fn steps(r: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = r.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            '[' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                let mut key = String::from("[");
                let mut in_str = false;
                for k in chars.by_ref() {
                    key.push(k);
                    match k {
                        '"' => in_str = !in_str,
                        ']' if !in_str => break,
                        _ => {}
                    }
                }
                out.push(key);
            }
            other => cur.push(other),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn parse_ref(r: &str) -> Ref {
    let s = steps(r);
    let name = |i: usize| s.get(i).filter(|x| !x.starts_with('[')).cloned();
    let Some(first) = s.first() else {
        return Ref::Ignore;
    };
    match first.as_str() {
        "count" => Ref::Count,
        "each" => match s.get(1).map(String::as_str) {
            Some("key") => Ref::EachKey,
            Some("value") => Ref::EachValue(name(2)),
            _ => Ref::Ignore,
        },
        "path" | "terraform" | "self" => Ref::Ignore,
        "local" => Ref::Opaque,
        "var" => name(1).map(Ref::Var).unwrap_or(Ref::Ignore),
        "module" => {
            let Some(call) = name(1) else {
                return Ref::Opaque;
            };
            let (call, next) = match s.get(2).filter(|x| x.starts_with('[')) {
                Some(key) => (format!("{call}{key}"), 3),
                None => (call, 2),
            };
            Ref::Module {
                call,
                output: name(next),
            }
        }
        "data" => {
            let (Some(t), Some(n)) = (name(1), name(2)) else {
                return Ref::Ignore;
            };
            resource_ref(format!("data.{t}.{n}"), &s, 3)
        }
        _ => {
            let Some(n) = name(1) else {
                return Ref::Ignore;
            };
            resource_ref(format!("{first}.{n}"), &s, 2)
        }
    }
}

fn resource_ref(base: String, s: &[String], next: usize) -> Ref {
    let (address, next, indexed) = match s.get(next).filter(|x| x.starts_with('[')) {
        Some(key) => (format!("{base}{key}"), next + 1, true),
        None => (base, next, false),
    };
    let attr = s.get(next).filter(|x| !x.starts_with('[')).cloned();
    Ref::Resource {
        address,
        attr,
        indexed,
    }
}

/// `module.a["x"].module.b[0]` -> `module.a.module.b`.
pub(crate) fn strip_keys(module: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut in_str = false;
    for c in module.chars() {
        match c {
            '"' if depth > 0 => in_str = !in_str,
            '[' if !in_str => depth += 1,
            ']' if !in_str => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            other => out.push(other),
        }
    }
    out
}

/// `module.a.module.b` -> `module.a`; `module.a` -> ``.
fn parent_module(module: &str) -> String {
    let s = steps(module);
    // Drop the last `module`, name and optional key.
    let mut cut = s.len();
    if s.last().is_some_and(|x| x.starts_with('[')) {
        cut = cut.saturating_sub(1);
    }
    cut = cut.saturating_sub(2);
    join_steps(s.get(..cut).unwrap_or_default())
}

fn join_steps(s: &[String]) -> String {
    let mut out = String::new();
    for x in s {
        if !x.starts_with('[') && !out.is_empty() {
            out.push('.');
        }
        out.push_str(x);
    }
    out
}

/// An address without its final instance key.
pub(crate) fn base_of(address: &str) -> String {
    let s = steps(address);
    match s.last() {
        Some(k) if k.starts_with('[') => {
            join_steps(s.get(..s.len().saturating_sub(1)).unwrap_or_default())
        }
        _ => address.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse() {
        assert!(matches!(parse_ref("count.index"), Ref::Count));
        assert!(matches!(parse_ref("each.value.id"), Ref::EachValue(Some(a)) if a == "id"));
        match parse_ref("aws_subnet.db[\"a.b\"].id") {
            Ref::Resource {
                address,
                attr,
                indexed,
            } => {
                assert_eq!(address, "aws_subnet.db[\"a.b\"]");
                assert_eq!(attr.as_deref(), Some("id"));
                assert!(indexed);
            }
            _ => panic!(),
        }
        match parse_ref("module.net[0].vpc_id") {
            Ref::Module { call, output } => {
                assert_eq!(call, "net[0]");
                assert_eq!(output.as_deref(), Some("vpc_id"));
            }
            _ => panic!(),
        }
        assert_eq!(
            strip_keys("module.a[\"x]\"].module.b[0]"),
            "module.a.module.b"
        );
        assert_eq!(
            parent_module("module.a[\"x\"].module.b[0]"),
            "module.a[\"x\"]"
        );
        assert_eq!(parent_module("module.a"), "");
        assert_eq!(
            base_of("module.a[0].aws_s3_bucket.b[\"x\"]"),
            "module.a[0].aws_s3_bucket.b"
        );
    }
}
